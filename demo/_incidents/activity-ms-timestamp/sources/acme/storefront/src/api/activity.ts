import { apiFetch } from "./client";

export function recordView(id: string, input: Record<string, unknown> = {}) {
  return apiFetch<Record<string, unknown>>("POST", "/api/activity", input);
}
