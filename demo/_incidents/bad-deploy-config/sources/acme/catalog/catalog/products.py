"""Product pages: GET /api/products/<sku> and its reviews."""

import json

from flask import Blueprint, current_app, jsonify

from catalog.pricing_client import PricingUnavailable

bp = Blueprint("products", __name__)


def _cache():
    return current_app.extensions["redis"]


def _db():
    return current_app.extensions["db"]


def load_product(sku: str) -> dict | None:
    key = f"catalog:product:{sku}"
    cached = _cache().get(key)
    if cached:
        return json.loads(cached)
    with _db().connection() as conn:
        row = conn.execute(
            "SELECT p.sku, p.name, p.description, p.brand, p.attributes FROM products p WHERE p.sku = %s", (sku,)
        ).fetchone()
        if row is None:
            return None
        images = conn.execute(
            "SELECT url, alt, position FROM product_images WHERE sku = %s ORDER BY position", (sku,)
        ).fetchall()
    product = dict(row) | {"images": [dict(i) for i in images]}
    _cache().set(key, json.dumps(product), ex=current_app.config["SETTINGS"].product_cache_ttl_s)
    return product


@bp.get("/api/products/<sku>")
def get_product(sku):
    product = load_product(sku)
    if product is None:
        return jsonify({"error": "not_found"}), 404
    pricing = current_app.extensions["pricing"]
    try:
        product["price"] = pricing.get_price(sku)
    except PricingUnavailable:
        current_app.logger.exception("no price for %s", sku)
        raise
    return jsonify(product)


@bp.get("/api/products/<sku>/reviews")
def get_reviews(sku):
    key = f"catalog:reviews:{sku}:1"
    cached = _cache().get(key)
    if cached:
        return current_app.response_class(cached, mimetype="application/json")
    with _db().connection() as conn:
        rows = conn.execute(
            "SELECT rating, title, body, author FROM reviews WHERE sku = %s AND published ORDER BY created_at DESC LIMIT 20",
            (sku,),
        ).fetchall()
    body = json.dumps({"reviews": [dict(r) for r in rows]})
    _cache().set(key, body, ex=600)
    return current_app.response_class(body, mimetype="application/json")
