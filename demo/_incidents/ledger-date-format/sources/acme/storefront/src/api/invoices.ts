import { apiFetch } from "./client";

export function settleInvoice(id: string, input: Record<string, unknown> = {}) {
  return apiFetch<Record<string, unknown>>("POST", "/api/invoices/" + id + "/settle", input);
}
