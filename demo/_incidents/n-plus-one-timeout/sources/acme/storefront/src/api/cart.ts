import { apiFetch } from "./client";

export interface CartItem {
  sku: string;
  name: string;
  imageUrl: string;
  quantity: number;
  unitPriceCents: number;
  inStock: boolean;
}

export interface Cart {
  id: string;
  currency: string;
  items: CartItem[];
  totalCents: number;
}

export async function getCart(): Promise<Cart> {
  return apiFetch<Cart>("GET", "/api/cart");
}
