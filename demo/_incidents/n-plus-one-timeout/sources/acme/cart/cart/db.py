"""Connection pool and query helpers that honour the request deadline."""

import time

from flask import g
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool

pool: ConnectionPool | None = None


class DeadlineExceeded(Exception):
    """The caller's deadline passed before the request was done."""


def init_app(app):
    global pool
    pool = ConnectionPool(app.config["DATABASE_URL"], kwargs={"row_factory": dict_row}, min_size=4, max_size=16)


def check_deadline():
    deadline = g.get("deadline")
    if deadline is not None and time.monotonic() > deadline:
        raise DeadlineExceeded(
            f"request deadline ({g.deadline_ms} ms) exceeded after {g.get('queries', 0)} queries"
        )


def _execute(conn, sql, params):
    check_deadline()
    g.queries = g.get("queries", 0) + 1
    return conn.execute(sql, params)


def fetch_one(conn, sql, params=()):
    return _execute(conn, sql, params).fetchone()


def fetch_all(conn, sql, params=()):
    return _execute(conn, sql, params).fetchall()
