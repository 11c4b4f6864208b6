"""Client of the pricing service."""

import os

import requests

_session = requests.Session()
BASE_URL = os.environ.get("PRICING_URL", "http://pricing.internal:8080")


def quote(items: list[dict], currency: str) -> dict:
    """POST /v1/quotes: prices for the items, one line per item."""
    resp = _session.post(f"{BASE_URL}/v1/quotes", json={"items": items, "currency": currency}, timeout=2.0)
    resp.raise_for_status()
    return resp.json()
