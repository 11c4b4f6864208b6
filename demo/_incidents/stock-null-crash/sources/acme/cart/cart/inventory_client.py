import requests

from cart import settings


class InventoryError(Exception):
    pass


def reserve_stock(sku, quantity, warehouse):
    resp = requests.post(
        settings.INVENTORY_URL + "/v1/reservations",
        json={"sku": sku, "quantity": quantity, "warehouse": warehouse},
        timeout=2,
    )
    if resp.status_code >= 400:
        raise InventoryError("inventory answered %d reserving %s" % (resp.status_code, sku))
    return resp.json()["reservation_id"]
