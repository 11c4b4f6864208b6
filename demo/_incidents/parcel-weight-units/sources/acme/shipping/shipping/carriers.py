import logging

log = logging.getLogger(__name__)


def max_weight_kg():
    table = rates_table()
    if table.age_days > 7:
        log.warning("carrier rates table is %d days old", table.age_days)
    return table.max_weight_kg
