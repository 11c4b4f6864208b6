import { Router } from "express";
import * as Sentry from "@sentry/node";
import { forward } from "../lib/upstream";

export const router = Router();

router.get("/api/recommendations", async function recommendations(req, res) {
  try {
    const out = await forward("recommendations", "GET", "/v1/recs?user=" + req.query.user, req.body);
    res.json(out);
  } catch (err) {
    Sentry.captureException(err);
    res.status(502).json({ error: "upstream_failed" });
  }
});
