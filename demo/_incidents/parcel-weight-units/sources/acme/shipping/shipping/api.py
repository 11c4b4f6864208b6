import logging

import sentry_sdk
from flask import Blueprint, jsonify, request

from shipping import carriers, parcels

bp = Blueprint("quotes", __name__)
log = logging.getLogger(__name__)


@bp.post("/v1/quotes")
def create_quote():
    body = request.get_json()
    try:
        weight = parcels.validate_parcel(body["parcel"])
    except parcels.ParcelError as exc:
        sentry_sdk.capture_exception(exc)
        return jsonify(error="parcel_rejected", detail=str(exc)), 422
    return jsonify(carriers.quote(weight, body["destination"]))
