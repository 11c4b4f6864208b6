import type { Request, Response } from "express";

import { callUpstream } from "../lib/upstream.js";

interface Results {
  hits: { sku: string; name: string; snippet: string; price_cents: number }[];
}

/** GET /api/search?q=: the result list. */
export async function getSearch(req: Request, res: Response) {
  const q = encodeURIComponent(String(req.query.q ?? ""));
  const results = await callUpstream<Results>("search", "GET", `/v1/search?q=${q}&size=24`);
  res.json({
    hits: results.hits.map((h) => ({ sku: h.sku, name: h.name, snippet: h.snippet, priceCents: h.price_cents })),
  });
}

/** GET /api/search/facets?q=: brand, category and price facets. */
export async function getFacets(req: Request, res: Response) {
  const q = encodeURIComponent(String(req.query.q ?? ""));
  res.json(await callUpstream<{ facets: unknown[] }>("search", "GET", `/v1/facets?q=${q}`));
}
