import { Router } from "express";
import * as Sentry from "@sentry/node";
import { forward } from "../lib/upstream";

export const router = Router();

router.post("/api/invoices/:id/settle", async function settleInvoice(req, res) {
  try {
    const out = await forward("billing", "POST", "/v1/invoices/" + req.params.id + "/settle", req.body);
    res.json(out);
  } catch (err) {
    Sentry.captureException(err);
    res.status(502).json({ error: "upstream_failed" });
  }
});
