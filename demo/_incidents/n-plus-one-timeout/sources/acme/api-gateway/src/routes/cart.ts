import type { Request, Response } from "express";

import { callUpstream } from "../lib/upstream.js";

interface CartLine {
  sku: string;
  name: string;
  image_url: string;
  quantity: number;
  unit_price_cents: number;
  in_stock: boolean;
}

interface Cart {
  id: string;
  currency: string;
  lines: CartLine[];
}

/** GET /api/cart: the session's cart, priced, in the storefront's shape. */
export async function getCart(req: Request, res: Response) {
  const cartId = req.session.cartId;
  const cart = await callUpstream<Cart>("cart", "GET", `/v1/carts/${cartId}?include=items`);
  const items = cart.lines.map((l) => ({
    sku: l.sku,
    name: l.name,
    imageUrl: l.image_url,
    quantity: l.quantity,
    unitPriceCents: l.unit_price_cents,
    inStock: l.in_stock,
  }));
  const totalCents = items.reduce((sum, i) => sum + i.quantity * i.unitPriceCents, 0);
  res.json({ id: cart.id, currency: cart.currency, items, totalCents });
}
