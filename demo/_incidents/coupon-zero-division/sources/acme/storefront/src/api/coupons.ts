import { apiFetch } from "./client";

export function applyCoupon(id: string, input: Record<string, unknown> = {}) {
  return apiFetch<Record<string, unknown>>("POST", "/api/cart/coupon", input);
}
