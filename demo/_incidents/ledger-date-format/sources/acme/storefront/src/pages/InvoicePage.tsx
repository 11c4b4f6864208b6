import { useState } from "react";
import * as Sentry from "@sentry/react";
import { settleInvoice } from "../api/invoices";

export function InvoicePage({ id }: { id: string }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function handlePay() {
    setBusy(true);
    setError(null);
    try {
      await settleInvoice(id);
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
      <button disabled={busy} onClick={handlePay}>Continue</button>
    </section>
  );
}
