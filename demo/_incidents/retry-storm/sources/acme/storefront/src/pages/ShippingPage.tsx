import * as Sentry from "@sentry/react";
import { useEffect, useState } from "react";

import { getShippingOptions, type ParcelOptions } from "../api/shipping";

export function ShippingPage() {
  const [parcels, setParcels] = useState<ParcelOptions[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    async function loadOptions() {
      try {
        setParcels(await getShippingOptions());
      } catch (err) {
        Sentry.captureException(err);
        setError("We could not get delivery options for your order. Please try again.");
      }
    }
    loadOptions();
  }, []);

  if (error) return <p className="error">{error}</p>;
  if (!parcels) return <div className="skeleton shipping" />;
  return (
    <main className="shipping">
      <h1>Delivery</h1>
      {parcels.map((p) => (
        <fieldset key={p.parcelId}>
          <legend>Parcel from {p.warehouse}</legend>
          {p.options.map((o) => (
            <label key={o.carrier + o.service}>
              <input type="radio" name={p.parcelId} /> {o.carrier} {o.service}, {o.deliveryDate}:{" "}
              {(o.priceCents / 100).toFixed(2)} €
            </label>
          ))}
        </fieldset>
      ))}
    </main>
  );
}
