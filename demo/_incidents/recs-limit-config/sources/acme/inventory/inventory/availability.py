import sentry_sdk


def availability(skus, cache):
    out = {}
    for sku in skus:
        try:
            out[sku] = cache[sku]
        except KeyError as exc:
            sentry_sdk.capture_exception(exc)
            out[sku] = None
    return out
