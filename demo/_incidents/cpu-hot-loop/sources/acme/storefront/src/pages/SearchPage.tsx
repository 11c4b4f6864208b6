import * as Sentry from "@sentry/react";
import { useEffect, useState } from "react";
import { useSearchParams } from "react-router-dom";

import { searchFacets, searchProducts, type Facet, type SearchHit } from "../api/search";

export function SearchPage() {
  const [params] = useSearchParams();
  const q = params.get("q") ?? "";
  const [hits, setHits] = useState<SearchHit[] | null>(null);
  const [facets, setFacets] = useState<Facet[]>([]);
  const [failed, setFailed] = useState(false);

  useEffect(() => {
    async function runSearch() {
      setHits(null);
      setFailed(false);
      try {
        setHits(await searchProducts(q));
      } catch (err) {
        Sentry.captureException(err);
        setFailed(true);
      }
    }
    runSearch();
    searchFacets(q).then(setFacets, () => setFacets([]));
  }, [q]);

  if (failed) return <p className="error">Search is not working right now. Please try again in a moment.</p>;
  if (!hits) return <div className="skeleton results" />;
  return (
    <main className="search">
      <aside>
        {facets.map((f) => (
          <fieldset key={f.name}>
            <legend>{f.name}</legend>
            {f.values.map((v) => (
              <label key={v.value}>
                <input type="checkbox" /> {v.value} ({v.count})
              </label>
            ))}
          </fieldset>
        ))}
      </aside>
      <ol>
        {hits.map((h) => (
          <li key={h.sku}>
            <a href={`/products/${h.sku}`}>{h.name}</a>
            <p dangerouslySetInnerHTML={{ __html: h.snippet }} />
          </li>
        ))}
      </ol>
    </main>
  );
}
