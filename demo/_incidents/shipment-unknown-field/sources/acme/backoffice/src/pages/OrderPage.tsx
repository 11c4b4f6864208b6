import { useState } from "react";
import * as Sentry from "@sentry/react";
import { shipOrder } from "../api/orders";

export function OrderPage({ id }: { id: string }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function handleShip() {
    setBusy(true);
    setError(null);
    try {
      await shipOrder(id);
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
      <button disabled={busy} onClick={handleShip}>Continue</button>
    </section>
  );
}
