import { apiFetch } from "./client";

export function previewOrder(id: string, input: Record<string, unknown> = {}) {
  return apiFetch<Record<string, unknown>>("POST", "/api/orders/preview", input);
}
