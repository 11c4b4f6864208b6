import { apiFetch } from "./client";

export interface CartItem {
  sku: string;
  name: string;
  quantity: number;
  unitCents: number;
  totalCents: number;
  inStock: boolean;
  imageUrl: string;
}

export interface Cart {
  id: string;
  items: CartItem[];
  totalCents: number;
  recommendations: string[];
}

export interface Order {
  orderId: string;
  chargeId: string;
}

export function getCart(): Promise<Cart> {
  return apiFetch<Cart>("GET", "/api/cart");
}

/** Places the order for the current cart: reserve, charge, confirm. */
export async function placeOrder(cart: Cart, orderId: string, paymentToken: string): Promise<Order> {
  const order = await apiFetch<Order>("POST", "/api/checkout", { orderId, cartId: cart.id, paymentToken });
  return order;
}
