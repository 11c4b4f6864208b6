import { apiFetch } from "./client";

export interface ShippingOption {
  carrier: string;
  service: string;
  priceCents: number;
  deliveryDate: string;
}

export interface ParcelOptions {
  parcelId: string;
  warehouse: string;
  options: ShippingOption[];
}

export async function getShippingOptions(): Promise<ParcelOptions[]> {
  const res = await apiFetch<{ parcels: ParcelOptions[] }>("GET", "/api/checkout/shipping-options");
  return res.parcels;
}
