import os

LEDGER_URL = os.environ.get("LEDGER_URL", "http://ledger.internal:8080")
LEDGER_TIMEOUT = float(os.environ.get("LEDGER_TIMEOUT", "2.0"))
TAX_TABLE_URL = os.environ.get("TAX_TABLE_URL", "")
TAX_RATES = {"EUR": 0.21, "GBP": 0.2, "USD": 0.0}
