import { apiFetch } from "./client";

export function runSearch(id: string, input: Record<string, unknown> = {}) {
  return apiFetch<Record<string, unknown>>("GET", "/api/search?q=" + encodeURIComponent(id), input);
}
