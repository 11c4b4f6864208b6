import { apiFetch } from "./client";

export function saveAddress(id: string, input: Record<string, unknown> = {}) {
  return apiFetch<Record<string, unknown>>("PUT", "/api/profile/address", input);
}
