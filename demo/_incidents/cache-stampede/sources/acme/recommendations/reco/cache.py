"""A read-through cache on Redis for values that are expensive to compute."""

import json

import redis


class Cache:
    def __init__(self, client: redis.Redis):
        self.client = client

    def get_or_compute(self, key: str, ttl_s: int, compute):
        """Returns the cached value of key, computing and storing it on a miss."""
        raw = self.client.get(key)
        if raw is not None:
            return json.loads(raw)
        value = compute()
        self.client.set(key, json.dumps(value), ex=ttl_s)
        return value
