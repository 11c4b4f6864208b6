"""WSGI application factory for the cart service."""

import os
import time

import sentry_sdk
from flask import Flask, g, jsonify, request
from sentry_sdk.integrations.flask import FlaskIntegration

from cart import db, views
from cart.db import DeadlineExceeded


def create_app() -> Flask:
    sentry_sdk.init(
        dsn=os.environ.get("SENTRY_DSN"),
        environment=os.environ.get("APP_ENV", "production"),
        release=f"cart@{os.environ.get('APP_VERSION', 'dev')}",
        integrations=[FlaskIntegration(transaction_style="url")],
        traces_sample_rate=0.25,
    )
    app = Flask(__name__)
    app.config["DATABASE_URL"] = os.environ["DATABASE_URL"]
    db.init_app(app)
    app.register_blueprint(views.bp)

    @app.before_request
    def start_deadline():
        ms = request.headers.get("X-Acme-Deadline-Ms", type=int)
        if ms:
            g.deadline_ms = ms
            g.deadline = time.monotonic() + ms / 1000

    @app.errorhandler(DeadlineExceeded)
    def deadline_exceeded(exc):
        sentry_sdk.capture_exception(exc)
        return jsonify({"error": "deadline_exceeded"}), 504

    return app
