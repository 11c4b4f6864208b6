'use strict';
// The warehouse's stock, by SKU.

const stock = new Map([
  ['sku-mug', { name: 'Mug', available: 40, reserved: 0 }],
  ['sku-tee', { name: 'T-shirt', available: 12, reserved: 0 }],
  ['sku-cap', { name: 'Cap', available: 3, reserved: 0 }],
]);

class OutOfStockError extends Error {
  constructor(sku, wanted, left) {
    super(`${sku}: ${wanted} wanted, ${left} left`);
    this.name = 'OutOfStockError';
  }
}

// reserveStock sets quantity units of a SKU aside for an order.
function reserveStock(sku, quantity) {
  const item = stock.get(sku);
  const left = item.available - item.reserved;
  if (left < quantity) {
    throw new OutOfStockError(sku, quantity, left);
  }
  item.reserved += quantity;
  return { sku, quantity, left: left - quantity };
}

module.exports = { reserveStock, OutOfStockError };
