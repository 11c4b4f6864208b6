"""HTTP API of the checkout service (behind the ingress at /api/checkout)."""

from flask import Blueprint, abort, current_app, g, jsonify, request

from checkout.quotes import build_quote

bp = Blueprint("checkout", __name__, url_prefix="/api/checkout")


def _db():
    return current_app.extensions["db"]


@bp.get("/addresses")
def list_addresses():
    with _db().connection() as conn:
        rows = conn.execute(
            "SELECT id, name, line1, city, postcode, country FROM addresses WHERE customer_id = %s ORDER BY is_default DESC",
            (g.customer_id,),
        ).fetchall()
    return jsonify(rows)


@bp.post("/quote")
def create_quote():
    body = request.get_json(force=True)
    with _db().connection() as conn:
        cart = conn.execute(
            "SELECT c.id, c.currency FROM carts c WHERE c.customer_id = %s AND c.status = 'open'", (g.customer_id,)
        ).fetchone()
        if cart is None:
            abort(409, "no open cart")
        lines = conn.execute(
            "SELECT sku, quantity FROM cart_lines WHERE cart_id = %s ORDER BY added_at", (cart["id"],)
        ).fetchall()
    quote = build_quote(lines, cart["currency"], body.get("shipping", "standard"))
    return jsonify(quote)
