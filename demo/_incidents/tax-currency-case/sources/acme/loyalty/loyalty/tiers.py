import logging

log = logging.getLogger(__name__)


def tier_for(points):
    if points < 0:
        log.error("negative points balance %d, treating as 0", points)
        points = 0
    return "gold" if points > 5000 else "silver" if points > 1000 else "basic"
