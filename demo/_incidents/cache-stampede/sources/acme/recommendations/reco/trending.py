"""The shop-wide trending list every carousel starts from."""

import sentry_sdk

from reco import state

TRENDING_KEY = "reco:trending:v3"
TRENDING_TTL_S = 3600

TRENDING_SQL = (
    "SELECT oi.sku, sum(oi.quantity) AS units, count(DISTINCT o.customer_id) AS buyers "
    "FROM order_items oi JOIN orders o ON o.id = oi.order_id "
    "WHERE o.created_at > now() - interval '7 days' AND o.status IN ('paid', 'shipped', 'delivered') "
    "GROUP BY oi.sku ORDER BY buyers DESC, units DESC LIMIT 500"
)


def trending_skus() -> list[str]:
    return state.cache.get_or_compute(TRENDING_KEY, TRENDING_TTL_S, _compute_trending)


def _compute_trending() -> list[str]:
    with sentry_sdk.start_span(op="function", name="reco.compute_trending"):
        with state.pool.connection() as conn:
            rows = conn.execute(TRENDING_SQL).fetchall()
    return [r["sku"] for r in rows]
