import { Router } from "express";
import * as Sentry from "@sentry/node";
import { enqueueExport } from "../exports/enqueue";
import { quota } from "../quota";

export const router = Router();

router.post("/api/exports", async function createExport(req, res) {
  await quota.check(req.session.merchantId);
  try {
    res.status(202).json(await enqueueExport(req.body));
  } catch (err) {
    Sentry.captureException(err);
    res.status(502).json({ error: "export_failed" });
  }
});
