import { apiFetch } from "./client";

export function fetchRecommendations(id: string, input: Record<string, unknown> = {}) {
  return apiFetch<Record<string, unknown>>("GET", "/api/recommendations?user=" + id, input);
}
