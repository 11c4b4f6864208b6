import * as Sentry from "@sentry/react";
import { useEffect, useState } from "react";
import { useNavigate } from "react-router-dom";
import { getCart, placeOrder, type Cart } from "../api/checkout";
import { OrderSummary } from "../components/OrderSummary";

function newOrderId(): string {
  return `ord_${crypto.randomUUID().replaceAll("-", "").slice(0, 20)}`;
}

export function CheckoutPage() {
  const navigate = useNavigate();
  const [cart, setCart] = useState<Cart | null>(null);
  const [placing, setPlacing] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    getCart().then(setCart, (err) => {
      Sentry.captureException(err);
      setError("We couldn't load your cart.");
    });
  }, []);

  async function handlePlaceOrder() {
    if (!cart) return;
    setPlacing(true);
    setError(null);
    try {
      const paymentToken = (document.getElementById("payment-token") as HTMLInputElement).value;
      const order = await placeOrder(cart, newOrderId(), paymentToken);
      navigate(`/orders/${order.orderId}`);
    } catch (err) {
      Sentry.captureException(err);
      setError("Something went wrong placing your order. Please try again.");
    } finally {
      setPlacing(false);
    }
  }

  if (!cart) return <p>Loading your cart…</p>;
  return (
    <main className="checkout">
      <OrderSummary cart={cart} />
      <input type="hidden" id="payment-token" value="pt_live_7Hq2vKx9" />
      {error && <div className="checkout__error">{error}</div>}
      <button id="place-order" className="btn btn-primary" disabled={placing} onClick={handlePlaceOrder}>
        {placing ? "Placing order…" : "Place order"}
      </button>
    </main>
  );
}
