import { Router } from "express";
import * as Sentry from "@sentry/node";
import { forward } from "../lib/upstream";

export const router = Router();

router.post("/api/cart/coupon", async function applyCoupon(req, res) {
  try {
    const out = await forward("coupons", "POST", "/v1/coupons/apply", req.body);
    res.json(out);
  } catch (err) {
    Sentry.captureException(err);
    res.status(502).json({ error: "upstream_failed" });
  }
});
