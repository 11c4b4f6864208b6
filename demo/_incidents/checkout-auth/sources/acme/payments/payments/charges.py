"""POST /v1/charges: authorize and capture the payment of an order."""

import sentry_sdk
from flask import Blueprint, current_app, jsonify, request

from payments import cache, db, risk
from payments.errors import PaymentDeclined

bp = Blueprint("charges", __name__)

RISK_THRESHOLD = 0.82


@bp.post("/v1/charges")
def create_charge():
    payload = request.get_json(force=True)
    if not cache.claim_idempotency_key(payload["idempotency_key"]):
        return jsonify({"error": "duplicate_request"}), 409

    order = db.load_order(payload["order_id"])
    items = db.load_order_items(order["id"])
    history = db.recent_charges(order["customer_id"], days=90)

    with sentry_sdk.start_span(op="function", name="risk.score_transaction"):
        score = risk.score_transaction(order, items, history)
    if score >= RISK_THRESHOLD:
        raise PaymentDeclined(order["id"], reason="risk", score=score)

    auth = current_app.extensions["auth_client"]
    claims = auth.introspect(payload["payment_token"], audience="payments")

    charge = db.insert_charge(order, amount=order["total_cents"], customer=claims["sub"], risk_score=score)
    return jsonify({"id": charge["id"], "status": "captured", "amount": charge["amount"]}), 201
