from billing.pg import pool


def invoice_for_update(invoice_id):
    with pool.connection() as conn:
        row = conn.execute(
            "SELECT id, customer_id, amount_cents, currency, due_on, status FROM invoices WHERE id = %s FOR UPDATE",
            (invoice_id,),
        ).fetchone()
    return dict(row)


def mark_invoice(invoice_id, status, entry_id=None):
    with pool.connection() as conn:
        conn.execute("UPDATE invoices SET status = %s, ledger_entry_id = %s WHERE id = %s", (status, entry_id, invoice_id))
