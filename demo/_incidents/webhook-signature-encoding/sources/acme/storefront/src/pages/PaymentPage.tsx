import { useState } from "react";
import * as Sentry from "@sentry/react";
import { confirmPayment } from "../api/payments";

export function PaymentPage({ id }: { id: string }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function handleConfirm() {
    setBusy(true);
    setError(null);
    try {
      await confirmPayment(id);
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
      <button disabled={busy} onClick={handleConfirm}>Continue</button>
    </section>
  );
}
