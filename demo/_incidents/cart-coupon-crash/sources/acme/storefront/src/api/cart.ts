import { apiFetch } from "./client";

export function redeemCoupon(id: string, input: Record<string, unknown> = {}) {
  return apiFetch<Record<string, unknown>>("POST", "/api/cart/coupons", input);
}
