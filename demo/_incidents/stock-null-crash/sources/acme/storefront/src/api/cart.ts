import { apiFetch } from "./client";

export function addToCart(id: string, input: Record<string, unknown> = {}) {
  return apiFetch<Record<string, unknown>>("POST", "/api/cart/lines", input);
}
