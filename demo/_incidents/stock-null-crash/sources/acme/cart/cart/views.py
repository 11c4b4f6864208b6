import sentry_sdk
from flask import Blueprint, jsonify, request

from cart import carts, inventory_client

bp = Blueprint("cart", __name__)


@bp.post("/api/cart/lines")
def add_line():
    body = request.get_json()
    cart = carts.current()
    warehouse = carts.nearest_warehouse(cart)
    try:
        reservation = inventory_client.reserve_stock(body["sku"], body.get("quantity", 1), warehouse)
    except inventory_client.InventoryError as exc:
        sentry_sdk.capture_exception(exc)
        return jsonify(error="out_of_stock_or_unavailable"), 502
    carts.add_line(cart, body["sku"], body.get("quantity", 1), reservation)
    return jsonify(carts.view(cart))
