import requests

from orders import settings


class FulfillmentError(Exception):
    pass


def shipment_payload(order):
    return {
        "order_id": order["id"],
        "service_level": order.get("service_level", "standard"),
        "lines": [{"sku": line["sku"], "qty": line["quantity"]} for line in order["lines"]],
    }


def create_shipment(order):
    resp = requests.post(settings.FULFILLMENT_URL + "/v1/shipments", json=shipment_payload(order), timeout=3)
    if resp.status_code >= 400:
        raise FulfillmentError("fulfillment rejected shipment for %s: %d %s" % (order["id"], resp.status_code, resp.text[:200]))
    return resp.json()
