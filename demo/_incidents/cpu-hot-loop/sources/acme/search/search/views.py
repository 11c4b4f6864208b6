"""HTTP API of the search service."""

import sentry_sdk
from flask import Blueprint, current_app, jsonify, request

from search import deadline
from search.highlight import highlight_snippet

bp = Blueprint("search", __name__)


def tokenize(q: str) -> list[str]:
    return [t for t in q.lower().split() if len(t) > 1][:6]


@bp.get("/v1/search")
def search():
    q = request.args.get("q", "")
    size = min(int(request.args.get("size", 24)), 48)
    os_client = current_app.extensions["opensearch"]
    res = os_client.search(
        index="products",
        body={"size": size, "query": {"multi_match": {"query": q, "fields": ["name^3", "brand^2", "description", "synonyms"]}}},
    )
    hits = [h["_source"] for h in res["hits"]["hits"]]
    with current_app.extensions["db"].connection() as conn:
        cards = {
            r["sku"]: r
            for r in conn.execute(
                "SELECT sku, price_cents, on_hand FROM product_cards WHERE sku = ANY(%s)", ([h["sku"] for h in hits],)
            ).fetchall()
        }
    terms = tokenize(q)
    results = []
    with sentry_sdk.start_span(op="function", name="search.build_results"):
        for hit in hits:
            deadline.check("result building")
            results.append(
                {
                    "sku": hit["sku"],
                    "name": hit["name"],
                    "snippet": highlight_snippet(hit["description"], terms),
                    "price_cents": cards.get(hit["sku"], {}).get("price_cents"),
                }
            )
    return jsonify({"hits": results})


@bp.get("/v1/facets")
def facets():
    q = request.args.get("q", "")
    os_client = current_app.extensions["opensearch"]
    agg = os_client.search(
        index="products",
        body={
            "size": 0,
            "query": {"multi_match": {"query": q, "fields": ["name^3", "brand^2", "description", "synonyms"]}},
            "aggs": {"brand": {"terms": {"field": "brand"}}, "category": {"terms": {"field": "category"}}},
        },
    )
    aggs = agg["aggregations"]
    return jsonify(
        {
            "facets": [
                {"name": name, "values": [{"value": b["key"], "count": b["doc_count"]} for b in aggs[name]["buckets"]]}
                for name in ("brand", "category")
            ]
        }
    )
