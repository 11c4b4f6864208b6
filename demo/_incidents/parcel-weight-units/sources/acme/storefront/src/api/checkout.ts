import { apiFetch } from "./client";

export function shippingQuote(id: string, input: Record<string, unknown> = {}) {
  return apiFetch<Record<string, unknown>>("POST", "/api/checkout/shipping-quote", input);
}
