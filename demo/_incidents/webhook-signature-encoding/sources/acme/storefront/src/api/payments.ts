import { apiFetch } from "./client";

export function confirmPayment(id: string, input: Record<string, unknown> = {}) {
  return apiFetch<Record<string, unknown>>("POST", "/api/checkout/" + id + "/confirm", input);
}
