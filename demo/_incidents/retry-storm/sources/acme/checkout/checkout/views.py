"""HTTP API of the checkout service (behind the ingress at /api/checkout)."""

from flask import Blueprint, current_app, g, jsonify

from checkout.shipping import shipping_options

bp = Blueprint("checkout", __name__, url_prefix="/api/checkout")


@bp.get("/shipping-options")
def get_shipping_options():
    with current_app.extensions["db"].connection() as conn:
        parcels = conn.execute(
            "SELECT p.id, p.warehouse, p.weight_g, p.length_mm, p.width_mm, p.height_mm "
            "FROM parcels p JOIN carts c ON c.id = p.cart_id WHERE c.customer_id = %s AND c.status = 'open' ORDER BY p.id",
            (g.customer_id,),
        ).fetchall()
        address = conn.execute(
            "SELECT country, postcode FROM addresses WHERE customer_id = %s AND is_default", (g.customer_id,)
        ).fetchone()
    return jsonify({"parcels": shipping_options(parcels, address)})
