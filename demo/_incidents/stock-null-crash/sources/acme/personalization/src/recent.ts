import * as Sentry from "@sentry/node";

export async function recentlyViewed(customerId: string, store: RecentStore) {
  try {
    const entry = await store.get(customerId);
    return entry.items.map((i: { sku: string }) => i.sku);
  } catch (err) {
    Sentry.captureException(err);
    return [];
  }
}
