"""The caller's deadline for the current request (X-Acme-Deadline-Ms)."""

import time

from flask import g, request


class DeadlineExceeded(Exception):
    """The caller's deadline passed before the request was done."""


def start():
    ms = request.headers.get("X-Acme-Deadline-Ms", type=int)
    g.deadline_ms = ms
    g.deadline = time.monotonic() + ms / 1000 if ms else None


def check(stage: str):
    if g.deadline is not None and time.monotonic() > g.deadline:
        raise DeadlineExceeded(f"deadline ({g.deadline_ms} ms) exceeded during {stage}")
