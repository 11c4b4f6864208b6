"""Redis helpers: idempotency keys and cached JSON."""

import json

import redis

_client: redis.Redis | None = None


def init_app(app) -> None:
    global _client
    _client = redis.Redis.from_url(app.config["REDIS_URL"])


def claim_idempotency_key(key: str, ttl: int = 86400) -> bool:
    """Return True the first time key is seen within ttl seconds."""
    return bool(_client.set(f"idempotency:{key}", "1", nx=True, ex=ttl))


def get_json(key: str):
    raw = _client.get(key)
    return json.loads(raw) if raw else None
