import * as Sentry from "@sentry/react";
import { useEffect, useState } from "react";

import { getHome, type Widget } from "../api/home";

export function HomePage() {
  const [widgets, setWidgets] = useState<Widget[] | null>(null);
  const [failed, setFailed] = useState(false);

  useEffect(() => {
    async function loadHome() {
      try {
        setWidgets(await getHome());
      } catch (err) {
        Sentry.captureException(err);
        setFailed(true);
      }
    }
    loadHome();
  }, []);

  if (failed) return <p className="error">Our recommendations are taking a break. Try searching instead.</p>;
  if (!widgets) return <div className="skeleton carousels" />;
  return (
    <main className="home">
      {widgets.map((w) => (
        <section key={w.id} className="carousel">
          <h2>{w.title}</h2>
          <ul>
            {w.tiles.map((t) => (
              <li key={t.sku}>
                <a href={`/products/${t.sku}`}>
                  <img src={t.imageUrl} alt="" loading="lazy" />
                  {t.name} — {(t.priceCents / 100).toFixed(2)} €
                </a>
              </li>
            ))}
          </ul>
        </section>
      ))}
    </main>
  );
}
