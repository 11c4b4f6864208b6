"""GET /v1/stock?skus=A,B,C: stock levels for a list of SKUs."""

from flask import Blueprint, jsonify, request

from inventory import db

bp = Blueprint("stock", __name__)

STOCK_SQL = "SELECT sku, warehouse_id, on_hand, reserved FROM stock_levels WHERE sku = %s"


@bp.get("/v1/stock")
def get_stock():
    skus = [s for s in request.args.get("skus", "").split(",") if s]
    levels = []
    for sku in skus:
        row = db.query_one(STOCK_SQL, (sku,))
        if row is None:
            levels.append({"sku": sku, "available": 0})
            continue
        levels.append({
            "sku": sku,
            "warehouse": row["warehouse_id"],
            "available": max(row["on_hand"] - row["reserved"], 0),
        })
    return jsonify({"levels": levels})
