import { apiFetch } from "./client";

export interface DraftOrder {
  currency: string;
  total: string;
  items: { sku: string; name: string; quantity: number; unitPrice: string }[];
}

export interface PlacedOrder {
  id: string;
  status: "pending" | "paid";
  paymentRedirectUrl: string | null;
}

export async function getDraft(): Promise<DraftOrder> {
  return apiFetch<DraftOrder>("GET", "/api/orders/draft");
}

export async function placeOrder(paymentMethodId: string): Promise<PlacedOrder> {
  return apiFetch<PlacedOrder>("POST", "/api/orders", { paymentMethodId });
}
