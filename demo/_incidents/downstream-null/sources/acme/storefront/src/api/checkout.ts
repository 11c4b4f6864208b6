import { apiFetch } from "./client";

export interface Address {
  id: string;
  name: string;
  line1: string;
  city: string;
  postcode: string;
  country: string;
}

export interface QuoteLine {
  sku: string;
  quantity: number;
  unitCents: number;
  totalCents: number;
  wasCents: number | null;
}

export interface Quote {
  lines: QuoteLine[];
  subtotalCents: number;
  shippingCents: number;
  totalCents: number;
  currency: string;
}

export async function getAddresses(): Promise<Address[]> {
  return apiFetch<Address[]>("GET", "/api/checkout/addresses");
}

export async function getQuote(addressId: string, shipping: "standard" | "express"): Promise<Quote> {
  return apiFetch<Quote>("POST", "/api/checkout/quote", { addressId, shipping });
}
