"""PostgreSQL access for the payments service."""

import psycopg
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool

_pool: ConnectionPool | None = None


def init_app(app) -> None:
    global _pool
    _pool = ConnectionPool(app.config["DATABASE_URL"], min_size=2, max_size=10, kwargs={"row_factory": dict_row})


def _one(sql: str, params: tuple):
    with _pool.connection() as conn:
        return conn.execute(sql, params).fetchone()


def _all(sql: str, params: tuple):
    with _pool.connection() as conn:
        return conn.execute(sql, params).fetchall()


def load_order(order_id: str) -> dict:
    return _one(
        "SELECT id, customer_id, total_cents, currency, status, created_at FROM orders WHERE id = %s",
        (order_id,),
    )


def load_order_items(order_id: str) -> list[dict]:
    return _all("SELECT sku, quantity, unit_cents FROM order_items WHERE order_id = %s", (order_id,))


def recent_charges(customer_id: str, days: int) -> list[dict]:
    return _all(
        "SELECT c.id, c.amount, c.created_at, array_agg(i.sku) AS skus FROM charges c "
        "JOIN order_items i ON i.order_id = c.order_id "
        "WHERE c.customer_id = %s AND c.created_at > now() - make_interval(days => %s) GROUP BY c.id",
        (customer_id, days),
    )


def count_chargebacks(customer_id: str) -> int:
    row = _one("SELECT count(*) AS n FROM chargebacks WHERE customer_id = %s", (customer_id,))
    return row["n"]


def insert_charge(order: dict, amount: int, customer: str, risk_score: float) -> dict:
    with _pool.connection() as conn:
        return conn.execute(
            "INSERT INTO charges (order_id, customer_id, amount, currency, risk_score, status) "
            "VALUES (%s, %s, %s, %s, %s, 'captured') RETURNING id, amount",
            (order["id"], customer, amount, order["currency"], risk_score),
        ).fetchone()
