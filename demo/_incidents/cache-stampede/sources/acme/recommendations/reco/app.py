"""WSGI application of the recommendations service."""

import os

import redis
import sentry_sdk
from flask import Flask, abort, jsonify, request
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool, PoolTimeout
from sentry_sdk.integrations.flask import FlaskIntegration

from reco import state, trending
from reco.cache import Cache

WIDGETS = {
    "trending": ("Trending now", None),
    "for-you": ("Picked for you", "SELECT sku FROM products WHERE sku = ANY(%s) AND category_id = ANY(%s)"),
    "deals": ("Deals", "SELECT sku FROM products WHERE sku = ANY(%s) AND sale_price_cents IS NOT NULL"),
    "gifts-under-50": ("Gifts under 50 €", "SELECT sku FROM products WHERE sku = ANY(%s) AND price_cents < 5000"),
    "back-in-stock": ("Back in stock", "SELECT sku FROM products WHERE sku = ANY(%s) AND restocked_at > now() - interval '3 days'"),
}


def create_app() -> Flask:
    sentry_sdk.init(
        dsn=os.environ.get("SENTRY_DSN"),
        release=f"recommendations@{os.environ.get('APP_VERSION', 'dev')}",
        integrations=[FlaskIntegration(transaction_style="url")],
        traces_sample_rate=0.1,
    )
    state.pool = ConnectionPool(os.environ["REPLICA_URL"], kwargs={"row_factory": dict_row}, max_size=4, timeout=1.0)
    state.cache = Cache(redis.Redis.from_url(os.environ.get("REDIS_URL", "redis://redis.internal:6379/6")))
    app = Flask(__name__)

    @app.get("/v1/widgets/<widget>")
    def get_widget(widget):
        if widget not in WIDGETS:
            abort(404)
        title, sql = WIDGETS[widget]
        skus = trending.trending_skus()
        if sql is not None:
            with state.pool.connection() as conn:
                params = (skus, [1, 4, 9]) if widget == "for-you" else (skus,)
                keep = {r["sku"] for r in conn.execute(sql, params).fetchall()}
            skus = [s for s in skus if s in keep]
        return jsonify({"id": widget, "title": title, "tiles": [{"sku": s} for s in skus[:12]]})

    @app.errorhandler(PoolTimeout)
    def busy(exc):
        sentry_sdk.capture_exception(exc)
        return jsonify({"error": "busy"}), 503

    return app
