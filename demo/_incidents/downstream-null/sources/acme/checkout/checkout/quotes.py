"""The order quote: priced lines, shipping and the total."""

from decimal import Decimal

from checkout import pricing_client

SHIPPING_CENTS = {"standard": 495, "express": 1290}
FREE_SHIPPING_FROM_CENTS = 5000


def to_cents(amount: str) -> int:
    return int(Decimal(amount) * 100)


def _line(line: dict) -> dict:
    unit_cents = to_cents(line["unit_price"]["amount"])
    was = line.get("promotion") and to_cents(line["list_price"]["amount"])
    return {
        "sku": line["sku"],
        "quantity": line["quantity"],
        "unitCents": unit_cents,
        "totalCents": unit_cents * line["quantity"],
        "wasCents": was or None,
    }


def build_quote(cart_lines: list[dict], currency: str, shipping: str) -> dict:
    items = [{"sku": l["sku"], "quantity": l["quantity"]} for l in cart_lines]
    priced = pricing_client.quote(items, currency)
    lines = [_line(l) for l in priced["lines"]]
    subtotal = sum(l["totalCents"] for l in lines)
    shipping_cents = 0 if subtotal >= FREE_SHIPPING_FROM_CENTS and shipping == "standard" else SHIPPING_CENTS[shipping]
    return {
        "lines": lines,
        "subtotalCents": subtotal,
        "shippingCents": shipping_cents,
        "totalCents": subtotal + shipping_cents,
        "currency": currency,
    }
