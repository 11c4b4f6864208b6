'use strict';
// gateway takes checkouts: GET /checkout?cart=ID reserves every line of
// the cart with inventory and answers 200, or 502 when inventory fails.
// It is the first of the shop's two services (gateway → inventory).
//
// Environment: SENTRY_DSN (required), PORT (default 8090), INVENTORY_URL
// (default http://127.0.0.1:8091).
const Sentry = require('../lib/instrument').init('gateway');
const { sendJSON, serve } = require('../lib/http');

const inventoryURL = (process.env.INVENTORY_URL || 'http://127.0.0.1:8091').replace(/\/$/, '');

// The carts. The catalog sells a lamp that inventory does not stock yet.
const carts = {
  c1: [
    { sku: 'sku-mug', quantity: 2 },
    { sku: 'sku-lamp', quantity: 1 },
  ],
  c2: [
    { sku: 'sku-mug', quantity: 1 },
    { sku: 'sku-tee', quantity: 1 },
  ],
};

let orders = 0;

// reserve asks inventory to set one cart line aside for the order.
async function reserve(orderID, line) {
  const resp = await fetch(`${inventoryURL}/reservations`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ order_id: orderID, ...line }),
  });
  const body = await resp.json().catch(() => ({}));
  if (!resp.ok) {
    const err = new Error(`inventory responded ${resp.status} to POST /reservations (${line.sku}): ${body.error || ''}`);
    err.status = resp.status;
    throw err;
  }
  return body;
}

serve('gateway', 8090, async (req, res, url) => {
  if (req.method !== 'GET' || url.pathname !== '/checkout') {
    return sendJSON(res, 404, { error: `no route ${req.method} ${url.pathname}` });
  }
  const cartID = url.searchParams.get('cart');
  const cart = carts[cartID];
  if (!cart) {
    return sendJSON(res, 404, { error: `no cart ${cartID}` });
  }
  const orderID = `o${++orders}`;
  try {
    const reservations = [];
    for (const line of cart) {
      reservations.push(await reserve(orderID, line));
    }
    sendJSON(res, 200, { order_id: orderID, reservations });
  } catch (err) {
    if (err.status === 409) {
      return sendJSON(res, 409, { error: err.message });
    }
    Sentry.captureException(err);
    await Sentry.flush(2000);
    sendJSON(res, 502, { error: 'checkout failed' });
  }
});
