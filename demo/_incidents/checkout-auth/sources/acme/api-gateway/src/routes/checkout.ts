import type { Request, Response } from "express";
import { loadCart, type Cart } from "../lib/redis.js";
import { callUpstream } from "../lib/upstream.js";
import { validateSession } from "./session.js";

interface Reservation {
  id: string;
}

interface Charge {
  id: string;
  status: string;
}

/** POST /api/checkout: reserve stock, charge the customer, confirm the order. */
export async function postCheckout(req: Request, res: Response): Promise<void> {
  const session = req.session!;
  await validateSession(session.id);
  const cart = await loadCart(session.cartId);
  const reservation = await callUpstream<Reservation>("inventory", "POST", "/v1/reservations", {
    items: cart.items.map(({ sku, quantity }) => ({ sku, quantity })),
  });
  try {
    const charge = await chargeOrder(cart, req.body.orderId, req.body.paymentToken);
    res.status(201).json({ orderId: req.body.orderId, chargeId: charge.id });
  } catch (err) {
    await callUpstream("inventory", "DELETE", `/v1/reservations/${reservation.id}`);
    throw err;
  }
}

async function chargeOrder(cart: Cart, orderId: string, paymentToken: string): Promise<Charge> {
  return await callUpstream<Charge>("payments", "POST", "/v1/charges", {
    order_id: orderId,
    idempotency_key: `${orderId}:${cart.id}`,
    payment_token: paymentToken,
  });
}
