"""Fraud risk scoring for a charge, from the customer's recent history."""

import math

from payments import cache, db

WEIGHTS = {
    "bias": -3.1,
    "amount_ratio": 1.4,
    "charges_last_hour": 0.9,
    "chargebacks": 2.2,
    "basket_novelty": 1.1,
}


def score_transaction(order: dict, items: list[dict], history: list[dict]) -> float:
    """Return the probability that the charge is fraudulent (0..1)."""
    model = cache.get_json("risk:model:v7") or WEIGHTS
    features = {
        "amount_ratio": _amount_ratio(order, history),
        "charges_last_hour": _recent_count(order, history, seconds=3600),
        "chargebacks": float(db.count_chargebacks(order["customer_id"])),
        "basket_novelty": 1.0 - _basket_similarity(items, history),
    }
    z = model["bias"] + sum(model[name] * value for name, value in features.items())
    return 1.0 / (1.0 + math.exp(-z))


def _amount_ratio(order: dict, history: list[dict]) -> float:
    if not history:
        return 1.0
    mean = sum(h["amount"] for h in history) / len(history)
    return order["total_cents"] / max(mean, 1)


def _recent_count(order: dict, history: list[dict], seconds: int) -> float:
    return float(sum(1 for h in history if order["created_at"] - h["created_at"] <= seconds))


def _basket_similarity(items: list[dict], history: list[dict]) -> float:
    """Highest Jaccard similarity between this basket and any past basket,
    weighted by how typical that past basket is for the customer."""
    current = {item["sku"] for item in items}
    best = 0.0
    for past in history:
        typical = 0.0
        for other in history:
            typical += _jaccard(past["skus"], other["skus"])
        weight = typical / len(history)
        best = max(best, weight * _jaccard(current, past["skus"]))
    return best


def _jaccard(a, b) -> float:
    a, b = set(a), set(b)
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)
