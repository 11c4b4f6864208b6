from datetime import datetime, timezone

from analytics import store


def normalize(event):
    return {
        "type": event["type"],
        "customer": event["customer_id"],
        "sku": event.get("sku"),
        "at": datetime.fromtimestamp(event["occurred_at"], tz=timezone.utc),
    }


def ingest(event):
    row = normalize(event)
    store.append(row)
    return row
