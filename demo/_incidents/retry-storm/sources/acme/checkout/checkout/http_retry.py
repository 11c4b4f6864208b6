"""Retries for calls to internal services."""

import requests

RETRY_STATUSES = {502, 503, 504}


class RetryError(Exception):
    """Every attempt failed with a retryable error."""

    def __init__(self, method: str, url: str, attempts: int, last_status: int | None):
        super().__init__(f"{method} {url}: {last_status} after {attempts} attempts")
        self.attempts = attempts
        self.last_status = last_status


def call_with_retry(session: requests.Session, method: str, url: str, *, max_attempts: int = 10, timeout: float = 2.0, **kwargs):
    """Sends the request until the answer is not a transient error, at most
    max_attempts times, and returns the last response."""
    resp = None
    for attempt in range(1, max_attempts + 1):
        try:
            resp = session.request(method, url, timeout=timeout, **kwargs)
        except requests.ConnectionError:
            if attempt == max_attempts:
                raise
            continue
        if resp.status_code not in RETRY_STATUSES:
            return resp
    raise RetryError(method, url, max_attempts, resp.status_code if resp is not None else None)
