import { useState } from "react";
import * as Sentry from "@sentry/react";
import { saveAddress } from "../api/profile";

export function AddressPage({ id }: { id: string }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function handleSave() {
    setBusy(true);
    setError(null);
    try {
      await saveAddress(id);
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
      <button disabled={busy} onClick={handleSave}>Continue</button>
    </section>
  );
}
