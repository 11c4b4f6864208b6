import { Redis } from "ioredis";
import { config } from "../config.js";

export const redis = new Redis(config.redisUrl, { lazyConnect: false, maxRetriesPerRequest: 2 });

export interface CartItem {
  sku: string;
  quantity: number;
  unitCents: number;
}

export interface Cart {
  id: string;
  items: CartItem[];
}

export async function loadCart(cartId: string): Promise<Cart> {
  const raw = await redis.get(`cart:${cartId}`);
  return raw ? (JSON.parse(raw) as Cart) : { id: cartId, items: [] };
}

export async function recommendations(cartId: string): Promise<string[]> {
  return redis.smembers(`reco:${cartId}`);
}
