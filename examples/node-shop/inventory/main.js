'use strict';
// inventory reserves stock for orders: POST /reservations
// {"order_id", "sku", "quantity"} answers 201, 409 when the SKU is sold
// out, or 500. It is the second of the shop's two services
// (gateway → inventory).
//
// Environment: SENTRY_DSN (required), PORT (default 8091).
const Sentry = require('../lib/instrument').init('inventory');
const { readJSON, sendJSON, serve } = require('../lib/http');
const { reserveStock, OutOfStockError } = require('./stock');

serve('inventory', 8091, async (req, res, url) => {
  if (req.method !== 'POST' || url.pathname !== '/reservations') {
    return sendJSON(res, 404, { error: `no route ${req.method} ${url.pathname}` });
  }
  const body = await readJSON(req);
  try {
    const r = Sentry.startSpan({ name: 'reserveStock', op: 'function', attributes: { sku: String(body.sku) } }, () =>
      reserveStock(body.sku, body.quantity),
    );
    sendJSON(res, 201, { order_id: body.order_id, ...r });
  } catch (err) {
    if (err instanceof OutOfStockError) {
      return sendJSON(res, 409, { error: err.message });
    }
    // The request's span is active: the error carries its trace. Flush so
    // the error is delivered before the caller has the answer.
    Sentry.captureException(err);
    await Sentry.flush(2000);
    sendJSON(res, 500, { error: 'reservation failed' });
  }
});
