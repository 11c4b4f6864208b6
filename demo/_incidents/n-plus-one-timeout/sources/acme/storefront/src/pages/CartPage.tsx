import * as Sentry from "@sentry/react";
import { useEffect, useState } from "react";

import { getCart, type Cart } from "../api/cart";

export function CartPage() {
  const [cart, setCart] = useState<Cart | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    async function loadCart() {
      try {
        setCart(await getCart());
      } catch (err) {
        Sentry.captureException(err);
        setError("We could not load your cart. Please reload the page.");
      }
    }
    loadCart();
  }, []);

  if (error) return <p className="error">{error}</p>;
  if (!cart) return <div className="skeleton cart" />;
  return (
    <main className="cart">
      <h1>Your cart ({cart.items.length} items)</h1>
      <ul className="lines">
        {cart.items.map((item) => (
          <li key={item.sku} className={item.inStock ? "" : "out-of-stock"}>
            <img src={item.imageUrl} alt="" width={64} height={64} />
            {item.quantity} × {item.name} — {(item.unitPriceCents / 100).toFixed(2)} {cart.currency}
          </li>
        ))}
      </ul>
      <p className="total">
        Total: {(cart.totalCents / 100).toFixed(2)} {cart.currency}
      </p>
    </main>
  );
}
