import { useState } from "react";
import * as Sentry from "@sentry/react";
import { addToCart } from "../api/cart";

export function ProductPage({ id }: { id: string }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function handleAddToCart() {
    setBusy(true);
    setError(null);
    try {
      await addToCart(id);
    } catch (err) {
      Sentry.captureException(err);
      setError("Something went wrong. Please try again.");
    } finally {
      setBusy(false);
    }
  }

  return (
    <section>
      {error && <p role="alert">{error}</p>}
      <button disabled={busy} onClick={handleAddToCart}>Continue</button>
    </section>
  );
}
