import { apiFetch } from "./client";

export function requestExport(id: string, input: Record<string, unknown> = {}) {
  return apiFetch<Record<string, unknown>>("POST", "/api/exports", input);
}
