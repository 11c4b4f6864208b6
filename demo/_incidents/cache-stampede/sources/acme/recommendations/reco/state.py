"""Process-wide clients, set by create_app."""

from psycopg_pool import ConnectionPool

from reco.cache import Cache

pool: ConnectionPool | None = None
cache: Cache | None = None
