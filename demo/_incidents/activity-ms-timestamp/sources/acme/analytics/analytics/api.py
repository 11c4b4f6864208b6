import sentry_sdk
from flask import Blueprint, jsonify, request

from analytics import ingest

bp = Blueprint("events", __name__)


@bp.post("/v1/events")
def post_event():
    try:
        ingest.ingest(request.get_json())
    except (KeyError, ValueError) as exc:
        sentry_sdk.capture_exception(exc)
        return jsonify(error="invalid_event", detail=str(exc)), 400
    return "", 204
