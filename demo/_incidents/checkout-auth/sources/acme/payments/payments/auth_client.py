"""Client for auth-service: token introspection over signed service requests.

Requests are signed with acme service-auth v1 (see the auth-service README):
HMAC-SHA256 over the method, the request path, a timestamp and the SHA-256 of
the body.
"""

import hashlib
import hmac
import json
import time
from urllib.parse import urlsplit

import requests

from payments.errors import ServiceAuthError

KEY_ID_HEADER = "X-Acme-Key-Id"
TIMESTAMP_HEADER = "X-Acme-Timestamp"
SIGNATURE_HEADER = "X-Acme-Signature"


def canonical_request(method: str, path: str, timestamp: str, body: bytes) -> str:
    """Return the string-to-sign: method, path, timestamp and body hash."""
    body_hash = hashlib.sha256(body).hexdigest()
    return "\n".join([method.upper(), path, timestamp, body_hash])


def sign(method: str, url: str, body: bytes, key_id: str, secret: bytes, now: float | None = None) -> dict[str, str]:
    """Return the service-auth headers for a request to url."""
    timestamp = str(int(time.time() if now is None else now))
    path = urlsplit(url).path
    string_to_sign = canonical_request(method, path, timestamp, body)
    signature = hmac.new(secret, string_to_sign.encode(), hashlib.sha256).hexdigest()
    return {
        KEY_ID_HEADER: key_id,
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: signature,
    }


class AuthClient:
    """Talks to auth-service on behalf of the payments service."""

    def __init__(self, base_url: str, key_id: str, secret: bytes, timeout: float = 2.0, session: requests.Session | None = None):
        self.base_url = base_url.rstrip("/")
        self.key_id = key_id
        self.secret = secret
        self.timeout = timeout
        self.session = session or requests.Session()

    def introspect(self, token: str, audience: str) -> dict:
        """Return the claims of a payment token issued for audience.

        Raises ServiceAuthError when auth-service refuses the request or the
        token is not active.
        """
        url = f"{self.base_url}/v1/tokens/introspect?audience={audience}"
        body = json.dumps({"token": token}).encode()
        headers = sign("POST", url, body, self.key_id, self.secret)
        headers["Content-Type"] = "application/json"

        resp = self.session.post(url, data=body, headers=headers, timeout=self.timeout)
        try:
            resp.raise_for_status()
        except requests.HTTPError as exc:
            raise ServiceAuthError(
                f"auth-service rejected service token: {resp.status_code} {_error_code(resp)}"
            ) from exc

        claims = resp.json()
        if not claims.get("active"):
            raise ServiceAuthError(f"payment token is not active for audience {audience}")
        return claims


def _error_code(resp: requests.Response) -> str:
    try:
        return resp.json().get("error", "unknown")
    except ValueError:
        return "unknown"
