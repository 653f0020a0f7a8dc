"""Named crash points in the push engine, for the reliability tests and chaos drills.

Off unless ``settings.QBO_PUSH_CRASH_POINT`` (env ``QBO_PUSH_CRASH_POINT``) names one of ``POINTS``;
then the worker process sends itself SIGKILL there — the same abrupt death as ``kill -9`` or an OOM
kill: no ``finally`` blocks, no rollback handlers, the lease left held. We use a settings switch
rather than racing a real ``kill -9`` against the network because it hits the exact window every
time (a timed kill would make the tests flaky and prove less).

- ``before_send``: the batch intent is committed, the request has not left.
- ``after_answer``: QuickBooks has answered (and created the objects); nothing of it is committed here.
- ``after_commit``: the results are committed; the outbox position is not advanced yet.
"""

from __future__ import annotations

import os
import signal

from django.conf import settings

POINTS = ("before_send", "after_answer", "after_commit")


def crash_point(name: str) -> None:
    if name in POINTS and getattr(settings, "QBO_PUSH_CRASH_POINT", "") == name:
        os.kill(os.getpid(), signal.SIGKILL)
