import { useState } from "react";
import * as Sentry from "@sentry/react";
import { fetchRecommendations } from "../api/recs";

export function HomePage({ id }: { id: string }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function loadRecommendations() {
    setBusy(true);
    setError(null);
    try {
      await fetchRecommendations(id);
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
      <button disabled={busy} onClick={loadRecommendations}>Continue</button>
    </section>
  );
}
