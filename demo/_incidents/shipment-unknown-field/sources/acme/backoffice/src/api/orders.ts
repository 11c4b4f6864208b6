import { apiFetch } from "./client";

export function shipOrder(id: string, input: Record<string, unknown> = {}) {
  return apiFetch<Record<string, unknown>>("POST", "/api/orders/" + id + "/ship", input);
}
