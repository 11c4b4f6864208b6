import sentry_sdk
from flask import Blueprint, jsonify

from billing import db, ledger_client, tax

bp = Blueprint("invoices", __name__)


@bp.post("/v1/invoices/<invoice_id>/settle")
def settle_invoice(invoice_id):
    invoice = db.invoice_for_update(invoice_id)
    invoice["tax_rate"] = tax.tax_rate_for(invoice)
    payload = ledger_client.build_invoice_payload(invoice)
    try:
        entry = ledger_client.post_entry(payload)
    except ledger_client.LedgerError as exc:
        sentry_sdk.capture_exception(exc)
        db.mark_invoice(invoice_id, "settle_failed")
        return jsonify(error="ledger_unavailable"), 502
    db.mark_invoice(invoice_id, "settled", entry_id=entry["id"])
    return jsonify(status="settled", entry=entry["id"])
