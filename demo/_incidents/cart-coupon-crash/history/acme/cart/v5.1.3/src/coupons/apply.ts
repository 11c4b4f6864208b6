import type { Cart, Coupon } from "./types";

// The discount a coupon gives on a cart, in cents.
export function applyCoupon(cart: Cart, coupon: Coupon): number {
  if (coupon.kind === "fixed") {
    return Math.min(coupon.amountOffCents ?? 0, cart.subtotalCents);
  }
  const rate = coupon.percentOff / 100;
  return Math.round(cart.subtotalCents * rate);
}
