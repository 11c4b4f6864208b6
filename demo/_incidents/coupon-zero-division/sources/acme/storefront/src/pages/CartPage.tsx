import { useState } from "react";
import * as Sentry from "@sentry/react";
import { applyCoupon } from "../api/coupons";

export function CartPage({ id }: { id: string }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function handleApplyCoupon() {
    setBusy(true);
    setError(null);
    try {
      await applyCoupon(id);
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
      <button disabled={busy} onClick={handleApplyCoupon}>Continue</button>
    </section>
  );
}
