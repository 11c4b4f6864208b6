import logging

import redis
import sentry_sdk

from loyalty import db

log = logging.getLogger(__name__)
cache = redis.Redis(host="redis.internal", port=6379)


def balance(customer_id):
    try:
        return int(cache.get("points:" + customer_id) or 0)
    except redis.exceptions.ConnectionError as exc:
        sentry_sdk.capture_exception(exc)
        return db.points_balance(customer_id)
