import { useState } from "react";
import * as Sentry from "@sentry/react";
import { previewOrder } from "../api/orders";

export function ReviewPage({ id }: { id: string }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function handleReview() {
    setBusy(true);
    setError(null);
    try {
      await previewOrder(id);
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
      <button disabled={busy} onClick={handleReview}>Continue</button>
    </section>
  );
}
