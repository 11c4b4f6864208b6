import sentry_sdk
from flask import Blueprint, jsonify

from orders import fulfillment_client, store

bp = Blueprint("orders", __name__)


@bp.post("/api/orders/<order_id>/ship")
def ship_order(order_id):
    order = store.paid_order(order_id)
    try:
        shipment = fulfillment_client.create_shipment(order)
    except fulfillment_client.FulfillmentError as exc:
        sentry_sdk.capture_exception(exc)
        return jsonify(error="fulfillment_unavailable"), 502
    store.mark_shipped(order_id, shipment["id"])
    return jsonify(shipment)
