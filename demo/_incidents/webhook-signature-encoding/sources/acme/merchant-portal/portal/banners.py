import logging

log = logging.getLogger(__name__)


def active_banner(merchant_id, banners):
    current = [b for b in banners if b.is_live()]
    if len(current) > 1:
        log.warning("merchant %s has %d live banners, showing the newest", merchant_id, len(current))
    return max(current, key=lambda b: b.starts_at, default=None)
