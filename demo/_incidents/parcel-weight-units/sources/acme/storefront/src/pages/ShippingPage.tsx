import { useState } from "react";
import * as Sentry from "@sentry/react";
import { shippingQuote } from "../api/checkout";

export function ShippingPage({ id }: { id: string }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function handleQuote() {
    setBusy(true);
    setError(null);
    try {
      await shippingQuote(id);
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
      <button disabled={busy} onClick={handleQuote}>Continue</button>
    </section>
  );
}
