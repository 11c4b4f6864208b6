import * as Sentry from "@sentry/react";
import { useEffect, useState } from "react";
import { useNavigate } from "react-router-dom";

import { getDraft, placeOrder, type DraftOrder } from "../api/orders";

export function ReviewPage({ paymentMethodId }: { paymentMethodId: string }) {
  const navigate = useNavigate();
  const [draft, setDraft] = useState<DraftOrder | null>(null);
  const [placing, setPlacing] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    getDraft().then(setDraft, (err) => Sentry.captureException(err));
  }, []);

  async function handlePlaceOrder() {
    setPlacing(true);
    setError(null);
    try {
      const order = await placeOrder(paymentMethodId);
      if (order.paymentRedirectUrl) {
        window.location.assign(order.paymentRedirectUrl);
      } else {
        navigate(`/orders/${order.id}/thanks`);
      }
    } catch (err) {
      Sentry.captureException(err);
      setError("Your order could not be placed. You have not been charged.");
    } finally {
      setPlacing(false);
    }
  }

  if (!draft) return <div className="skeleton review" />;
  return (
    <main className="review">
      <h1>Review your order</h1>
      <ul>
        {draft.items.map((i) => (
          <li key={i.sku}>
            {i.quantity} × {i.name}: {i.unitPrice} {draft.currency}
          </li>
        ))}
      </ul>
      <p className="total">
        Total: {draft.total} {draft.currency}
      </p>
      {error && <p className="error">{error}</p>}
      <button id="place-order" className="btn btn-primary" disabled={placing} onClick={handlePlaceOrder}>
        Place order
      </button>
    </main>
  );
}
