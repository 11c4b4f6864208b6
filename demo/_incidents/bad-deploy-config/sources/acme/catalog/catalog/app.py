"""WSGI application factory for the catalog service."""

import os

import redis
import sentry_sdk
from flask import Flask, jsonify
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool
from sentry_sdk.integrations.flask import FlaskIntegration

from catalog import products
from catalog.pricing_client import PricingClient, PricingUnavailable
from catalog.settings import load_settings


def create_app() -> Flask:
    sentry_sdk.init(
        dsn=os.environ.get("SENTRY_DSN"),
        environment=os.environ.get("APP_ENV", "production"),
        release=f"catalog@{os.environ.get('APP_VERSION', 'dev')}",
        integrations=[FlaskIntegration(transaction_style="url")],
        traces_sample_rate=0.2,
    )
    settings = load_settings()

    app = Flask(__name__)
    app.config["SETTINGS"] = settings
    app.extensions["db"] = ConnectionPool(settings.database_url, kwargs={"row_factory": dict_row}, max_size=10)
    app.extensions["redis"] = redis.Redis.from_url(settings.redis_url)
    app.extensions["pricing"] = PricingClient(settings.pricing_url, settings.pricing_timeout_s)
    app.register_blueprint(products.bp)

    @app.errorhandler(PricingUnavailable)
    def pricing_unavailable(exc):
        return jsonify({"error": "pricing_unavailable"}), 502

    return app
