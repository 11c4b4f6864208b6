import logging

from billing import settings

log = logging.getLogger(__name__)


def tax_rate_for(invoice):
    if settings.TAX_TABLE_URL:
        log.warning("settings.TAX_TABLE_URL is deprecated; use TAX_SERVICE_URL")
    return settings.TAX_RATES.get(invoice["currency"], 0)
