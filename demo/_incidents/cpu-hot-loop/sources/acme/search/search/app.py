"""WSGI application factory for the search service."""

import os

import sentry_sdk
from flask import Flask, jsonify
from opensearchpy import OpenSearch
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool
from sentry_sdk.integrations.flask import FlaskIntegration

from search import deadline, views


def create_app() -> Flask:
    sentry_sdk.init(
        dsn=os.environ.get("SENTRY_DSN"),
        release=f"search@{os.environ.get('APP_VERSION', 'dev')}",
        integrations=[FlaskIntegration(transaction_style="url")],
        traces_sample_rate=0.2,
        profiles_sample_rate=0.5,
    )
    app = Flask(__name__)
    app.extensions["opensearch"] = OpenSearch(os.environ.get("OPENSEARCH_URL", "http://opensearch.internal:9200"), timeout=2)
    app.extensions["db"] = ConnectionPool(os.environ["DATABASE_URL"], kwargs={"row_factory": dict_row}, max_size=8)
    app.before_request(deadline.start)
    app.register_blueprint(views.bp)

    @app.errorhandler(deadline.DeadlineExceeded)
    def deadline_exceeded(exc):
        sentry_sdk.capture_exception(exc)
        return jsonify({"error": "deadline_exceeded"}), 504

    return app
