import { useState } from "react";
import * as Sentry from "@sentry/react";
import { runSearch } from "../api/search";

export function SearchPage({ id }: { id: string }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function handleSearch() {
    setBusy(true);
    setError(null);
    try {
      await runSearch(id);
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
      <button disabled={busy} onClick={handleSearch}>Continue</button>
    </section>
  );
}
