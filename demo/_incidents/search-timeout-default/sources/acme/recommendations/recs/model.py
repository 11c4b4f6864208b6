import logging

log = logging.getLogger(__name__)


def load_model(path):
    try:
        return _load(path)
    except FileNotFoundError:
        log.error("model file %s missing, using popularity fallback", path)
        return POPULARITY
