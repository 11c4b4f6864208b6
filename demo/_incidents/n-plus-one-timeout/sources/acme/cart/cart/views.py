"""HTTP API of the cart service."""

from flask import Blueprint, abort, jsonify, request

from cart import repository

bp = Blueprint("carts", __name__)


@bp.get("/v1/carts/<cart_id>")
def get_cart(cart_id):
    include_items = request.args.get("include") == "items"
    cart = repository.load_cart(cart_id, include_items=include_items)
    if cart is None:
        abort(404)
    return jsonify(cart)
