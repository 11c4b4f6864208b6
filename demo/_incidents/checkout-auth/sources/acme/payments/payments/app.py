"""WSGI application factory for the payments service."""

import os

import sentry_sdk
from flask import Flask
from sentry_sdk.integrations.flask import FlaskIntegration

from payments import cache, charges, db
from payments.auth_client import AuthClient


def create_app() -> Flask:
    sentry_sdk.init(
        dsn=os.environ.get("SENTRY_DSN"),
        environment=os.environ.get("APP_ENV", "production"),
        release=f"payments@{os.environ.get('APP_VERSION', 'dev')}",
        integrations=[FlaskIntegration(transaction_style="url")],
        traces_sample_rate=1.0,
        profiles_sample_rate=1.0,
        send_default_pii=False,
    )

    app = Flask(__name__)
    app.config["DATABASE_URL"] = os.environ["DATABASE_URL"]
    app.config["REDIS_URL"] = os.environ.get("REDIS_URL", "redis://redis.internal:6379/2")
    app.extensions["auth_client"] = AuthClient(
        base_url=os.environ.get("AUTH_SERVICE_URL", "http://auth-service.internal:8080"),
        key_id=os.environ["SERVICE_KEY_ID"],
        secret=bytes.fromhex(os.environ["SERVICE_KEY_SECRET"]),
    )
    db.init_app(app)
    cache.init_app(app)
    app.register_blueprint(charges.bp)
    return app
