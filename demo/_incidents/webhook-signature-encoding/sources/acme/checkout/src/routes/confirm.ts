import { Router } from "express";
import * as Sentry from "@sentry/node";
import { deliver } from "../webhooks/deliver";
import { payments } from "../payments";

export const router = Router();

router.post("/api/checkout/:id/confirm", async function confirmPayment(req, res) {
  const order = await payments.confirm(req.params.id);
  try {
    await deliver("order.paid", { order_id: order.id, amount_cents: order.amountCents });
    res.json({ status: "paid" });
  } catch (err) {
    Sentry.captureException(err);
    res.status(502).json({ error: "merchant_notification_failed" });
  }
});
