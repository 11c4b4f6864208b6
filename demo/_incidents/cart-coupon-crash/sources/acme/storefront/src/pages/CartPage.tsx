import { useState } from "react";
import * as Sentry from "@sentry/react";
import { redeemCoupon } from "../api/cart";

export function CartPage({ id }: { id: string }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function handleCoupon() {
    setBusy(true);
    setError(null);
    try {
      await redeemCoupon(id);
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
      <button disabled={busy} onClick={handleCoupon}>Continue</button>
    </section>
  );
}
