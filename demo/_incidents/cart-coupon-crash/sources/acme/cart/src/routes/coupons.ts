import { Router } from "express";
import * as Sentry from "@sentry/node";
import { applyCoupon } from "../coupons/apply";
import { coupons } from "../coupons/store";
import { carts } from "../store";

export const router = Router();

router.post("/api/cart/coupons", async function redeem(req, res) {
  try {
    const cart = await carts.current(req.session.id);
    const coupon = await coupons.byCode(req.body.code);
    const discount = applyCoupon(cart, coupon);
    res.json(await carts.withDiscount(cart, coupon.code, discount));
  } catch (err) {
    Sentry.captureException(err);
    res.status(500).json({ error: "coupon_failed" });
  }
});
