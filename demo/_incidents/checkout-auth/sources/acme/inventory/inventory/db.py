"""PostgreSQL access for the inventory service."""

from contextlib import contextmanager

from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool

_pool: ConnectionPool | None = None


def init_app(app) -> None:
    global _pool
    _pool = ConnectionPool(app.config["DATABASE_URL"], min_size=2, max_size=10, kwargs={"row_factory": dict_row})


def query_one(sql: str, params: tuple):
    with _pool.connection() as conn:
        return conn.execute(sql, params).fetchone()


@contextmanager
def transaction():
    with _pool.connection() as conn:
        with conn.transaction():
            yield conn
