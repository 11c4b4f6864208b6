"""Client of the pricing service (GET /v1/prices/{sku})."""

import requests


class PricingUnavailable(Exception):
    """The price of a product could not be fetched."""


class PricingClient:
    def __init__(self, base_url: str, timeout_s: float):
        self.base_url = base_url.rstrip("/")
        self.timeout_s = timeout_s
        self.session = requests.Session()

    def get_price(self, sku: str, currency: str = "EUR") -> dict:
        url = f"{self.base_url}/v1/prices/{sku}"
        resp = self.session.get(url, params={"currency": currency}, timeout=self.timeout_s)
        try:
            resp.raise_for_status()
        except requests.HTTPError as exc:
            raise PricingUnavailable(f"pricing returned {resp.status_code} for {sku}") from exc
        body = resp.json()
        return {"amount": body["amount"], "currency": body["currency"]}
