"""Client of the ledger service: every settled invoice becomes a ledger entry."""
import logging

import requests

from billing import settings

log = logging.getLogger(__name__)


class LedgerError(Exception):
    """The ledger refused or failed to record an entry."""


def build_invoice_payload(invoice):
    """The ledger entry for a settled invoice."""
    return {
        "invoice_id": invoice["id"],
        "customer_id": invoice["customer_id"],
        "amount_cents": invoice["amount_cents"],
        "currency": invoice["currency"],
        "due_date": invoice["due_on"].strftime("%m/%d/%Y"),
        "memo": "settlement " + invoice["id"],
    }


def post_entry(payload):
    resp = requests.post(settings.LEDGER_URL + "/v1/entries", json=payload, timeout=settings.LEDGER_TIMEOUT)
    if resp.status_code >= 400:
        raise LedgerError("ledger rejected entry for %s: %d %s" % (payload["invoice_id"], resp.status_code, resp.text[:200]))
    return resp.json()
