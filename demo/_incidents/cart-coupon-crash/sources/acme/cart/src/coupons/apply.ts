import type { Cart, Coupon } from "./types";

// The discount a coupon gives on a cart, in cents.
export function applyCoupon(cart: Cart, coupon: Coupon): number {
  const label = coupon.percentOff.toFixed(0) + "% off";
  cart.notes.push(label);
  return Math.round(cart.subtotalCents * (coupon.percentOff / 100));
}
