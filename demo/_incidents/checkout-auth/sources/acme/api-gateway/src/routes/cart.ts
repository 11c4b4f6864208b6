import type { Request, Response } from "express";
import { loadCart, recommendations, type Cart } from "../lib/redis.js";
import { callUpstream } from "../lib/upstream.js";
import { validateSession } from "./session.js";

interface StockLevel {
  sku: string;
  available: number;
}

/** GET /api/cart: the cart with stock for its items and the recommendations. */
export async function getCart(req: Request, res: Response): Promise<void> {
  const session = req.session!;
  await validateSession(session.id);
  const cart = await loadCart(session.cartId);
  const recommended = await recommendations(session.cartId);
  const skus = [...cart.items.map((item) => item.sku), ...recommended];
  const stock = await callUpstream<{ levels: StockLevel[] }>("inventory", "GET", `/v1/stock?skus=${skus.join(",")}`);
  res.json(priceCart(cart, recommended, stock.levels));
}

function priceCart(cart: Cart, recommended: string[], levels: StockLevel[]) {
  const available = new Map(levels.map((l) => [l.sku, l.available]));
  const items = cart.items.map((item) => ({
    ...item,
    inStock: (available.get(item.sku) ?? 0) >= item.quantity,
    totalCents: item.unitCents * item.quantity,
  }));
  return {
    id: cart.id,
    items,
    totalCents: items.reduce((sum, item) => sum + item.totalCents, 0),
    recommendations: recommended.filter((sku) => (available.get(sku) ?? 0) > 0),
  };
}
