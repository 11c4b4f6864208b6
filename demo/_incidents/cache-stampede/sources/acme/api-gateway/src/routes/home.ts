import type { Request, Response } from "express";

import { callUpstream } from "../lib/upstream.js";

const WIDGETS = ["trending", "for-you", "deals", "gifts-under-50", "back-in-stock"] as const;

interface Widget {
  id: string;
  title: string;
  tiles: { sku: string; name: string; image_url: string; price_cents: number }[];
}

/** GET /api/home: every carousel of the home page. */
export async function getHome(req: Request, res: Response) {
  const customer = req.session.customerId;
  const results = await Promise.allSettled(
    WIDGETS.map((w) => callUpstream<Widget>("recommendations", "GET", `/v1/widgets/${w}?customer=${customer}`)),
  );
  const failed = results.find((r) => r.status === "rejected");
  if (failed) {
    throw failed.reason; // the page has no fallback for a missing carousel
  }
  const widgets = results.map((r) => (r as PromiseFulfilledResult<Widget>).value);
  res.json({
    widgets: widgets.map((w) => ({
      id: w.id,
      title: w.title,
      tiles: w.tiles.map((t) => ({ sku: t.sku, name: t.name, imageUrl: t.image_url, priceCents: t.price_cents })),
    })),
  });
}
