import * as Sentry from "@sentry/react";
import { useEffect, useState } from "react";
import { useNavigate } from "react-router-dom";

import { getAddresses, getQuote, type Address } from "../api/checkout";

export function CheckoutPage() {
  const navigate = useNavigate();
  const [addresses, setAddresses] = useState<Address[]>([]);
  const [addressId, setAddressId] = useState<string>("");
  const [shipping, setShipping] = useState<"standard" | "express">("standard");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    getAddresses().then((a) => {
      setAddresses(a);
      setAddressId(a[0]?.id ?? "");
    });
  }, []);

  async function handleContinue() {
    setBusy(true);
    setError(null);
    try {
      const quote = await getQuote(addressId, shipping);
      navigate("/checkout/payment", { state: { quote } });
    } catch (err) {
      Sentry.captureException(err);
      setError("Something went wrong while preparing your order. Please try again.");
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="checkout">
      <h1>Delivery</h1>
      <select value={addressId} onChange={(e) => setAddressId(e.target.value)}>
        {addresses.map((a) => (
          <option key={a.id} value={a.id}>
            {a.name}, {a.line1}, {a.postcode} {a.city}
          </option>
        ))}
      </select>
      <label>
        <input type="checkbox" checked={shipping === "express"} onChange={(e) => setShipping(e.target.checked ? "express" : "standard")} />
        Express delivery
      </label>
      {error && <p className="error">{error}</p>}
      <button id="continue" className="btn btn-primary" disabled={busy || !addressId} onClick={handleContinue}>
        Continue to payment
      </button>
    </main>
  );
}
