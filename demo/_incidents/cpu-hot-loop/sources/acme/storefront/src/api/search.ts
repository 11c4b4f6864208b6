import { apiFetch } from "./client";

export interface SearchHit {
  sku: string;
  name: string;
  snippet: string; // HTML: the query's terms are wrapped in <mark>
  priceCents: number;
}

export interface Facet {
  name: string;
  values: { value: string; count: number }[];
}

export async function searchProducts(q: string): Promise<SearchHit[]> {
  const res = await apiFetch<{ hits: SearchHit[] }>("GET", `/api/search?q=${encodeURIComponent(q)}`);
  return res.hits;
}

export async function searchFacets(q: string): Promise<Facet[]> {
  const res = await apiFetch<{ facets: Facet[] }>("GET", `/api/search/facets?q=${encodeURIComponent(q)}`);
  return res.facets;
}
