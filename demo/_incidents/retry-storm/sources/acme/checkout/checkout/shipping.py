"""Delivery options of an order's parcels, from the shipping service."""

import os

import requests

from checkout.http_retry import RetryError, call_with_retry

SHIPPING_URL = os.environ.get("SHIPPING_URL", "http://shipping.internal:8080")
_session = requests.Session()


class ShippingUnavailable(Exception):
    """The shipping service could not rate a parcel."""


def rates_for_parcel(parcel: dict, address: dict) -> list[dict]:
    body = {
        "warehouse": parcel["warehouse"],
        "weight_g": parcel["weight_g"],
        "dimensions_mm": [parcel["length_mm"], parcel["width_mm"], parcel["height_mm"]],
        "destination": {"country": address["country"], "postcode": address["postcode"]},
    }
    resp = call_with_retry(_session, "POST", f"{SHIPPING_URL}/v1/rates", json=body)
    resp.raise_for_status()
    return resp.json()["options"]


def shipping_options(parcels: list[dict], address: dict) -> list[dict]:
    result = []
    for parcel in parcels:
        try:
            options = rates_for_parcel(parcel, address)
        except RetryError as exc:
            raise ShippingUnavailable(
                f"no rates for parcel {parcel['id']} ({parcel['warehouse']}): shipping answered {exc.last_status}"
            ) from exc
        result.append({"parcelId": parcel["id"], "warehouse": parcel["warehouse"], "options": options})
    return result
