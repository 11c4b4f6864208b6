"""WSGI application factory for the checkout service."""

import os

import sentry_sdk
from flask import Flask, abort, g, request
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool
from sentry_sdk.integrations.flask import FlaskIntegration

from checkout import views


def create_app() -> Flask:
    sentry_sdk.init(
        dsn=os.environ.get("SENTRY_DSN"),
        environment=os.environ.get("APP_ENV", "production"),
        release=f"checkout@{os.environ.get('APP_VERSION', 'dev')}",
        integrations=[FlaskIntegration(transaction_style="url")],
        traces_sample_rate=0.5,
    )
    app = Flask(__name__)
    app.extensions["db"] = ConnectionPool(os.environ["DATABASE_URL"], kwargs={"row_factory": dict_row}, max_size=10)
    app.register_blueprint(views.bp)

    @app.before_request
    def identify_customer():
        # The ingress has validated the session and forwards the customer id.
        g.customer_id = request.headers.get("X-Acme-Customer-Id") or abort(401)

    return app
