import logging

log = logging.getLogger(__name__)

PRIORITIES = ("low", "normal", "high")


class JobRejected(Exception):
    pass


def validate_job(job):
    if job.get("priority") not in PRIORITIES:
        log.error(
            "rejecting job for report %s: unknown priority %r (expected one of: %s)",
            job.get("report"), job.get("priority"), ", ".join(PRIORITIES),
        )
        raise JobRejected("priority")
    return job
