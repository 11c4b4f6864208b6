"""Service settings: environment variables with production defaults."""

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Settings:
    database_url: str
    redis_url: str
    pricing_url: str
    pricing_timeout_s: float
    product_cache_ttl_s: int


def load_settings(env=os.environ) -> Settings:
    """Reads the settings once at start-up (create_app)."""
    return Settings(
        database_url=env.get("DATABASE_URL", "postgresql://catalog@pg-catalog.internal:5432/catalog"),
        redis_url=env.get("REDIS_URL", "redis://redis.internal:6379/4"),
        # Internal services are addressed by their versioned API root.
        pricing_url=env.get("PRICING_URL", "http://pricing.internal:8080/v1"),
        pricing_timeout_s=float(env.get("PRICING_TIMEOUT_S", "0.8")),
        product_cache_ttl_s=int(env.get("PRODUCT_CACHE_TTL_S", "300")),
    )
