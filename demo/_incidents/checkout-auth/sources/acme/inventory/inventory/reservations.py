"""Stock reservations held while an order is being paid for."""

from flask import Blueprint, jsonify, request

from inventory import db

bp = Blueprint("reservations", __name__)


@bp.post("/v1/reservations")
def create_reservation():
    items = request.get_json(force=True)["items"]
    with db.transaction() as conn:
        for item in items:
            row = conn.execute(
                "SELECT on_hand, reserved FROM stock_levels WHERE sku = %s FOR UPDATE", (item["sku"],)
            ).fetchone()
            if row is None or row["on_hand"] - row["reserved"] < item["quantity"]:
                return jsonify({"error": "insufficient_stock", "sku": item["sku"]}), 409
            conn.execute(
                "UPDATE stock_levels SET reserved = reserved + %s WHERE sku = %s", (item["quantity"], item["sku"])
            )
        reservation = conn.execute(
            "INSERT INTO reservations (items, status, expires_at) VALUES (%s, 'held', now() + interval '15 minutes') RETURNING id",
            (items,),
        ).fetchone()
    return jsonify({"id": reservation["id"], "status": "held"}), 201


@bp.delete("/v1/reservations/<reservation_id>")
def release_reservation(reservation_id: str):
    with db.transaction() as conn:
        res = conn.execute("SELECT items FROM reservations WHERE id = %s AND status = 'held' FOR UPDATE", (reservation_id,)).fetchone()
        if res is None:
            return jsonify({"error": "not_found"}), 404
        for item in res["items"]:
            conn.execute(
                "UPDATE stock_levels SET reserved = reserved - %s WHERE sku = %s", (item["quantity"], item["sku"])
            )
        conn.execute("UPDATE reservations SET status = 'released' WHERE id = %s", (reservation_id,))
    return "", 204
