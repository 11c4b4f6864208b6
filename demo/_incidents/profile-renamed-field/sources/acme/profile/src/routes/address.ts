import { Router } from "express";
import * as Sentry from "@sentry/node";
import { sendMail } from "../mail/client";
import { toRecipient } from "../mail/recipient";
import { users } from "../users/store";

export const router = Router();

router.put("/api/profile/address", async function updateAddress(req, res) {
  const user = await users.byId(req.session.userId);
  await users.saveAddress(user.id, req.body);
  try {
    await sendMail("address-changed", toRecipient(user), { city: req.body.city });
    res.json({ ok: true });
  } catch (err) {
    Sentry.captureException(err);
    res.status(500).json({ error: "address_not_saved" });
  }
});
