"""Named crash points in the push engine, for the reliability tests and chaos drills.

Off unless ``settings.QBO_PUSH_CRASH_POINT`` (env ``QBO_PUSH_CRASH_POINT``) names one of ``POINTS``;
then the worker process sends itself SIGKILL there — the same abrupt death as ``kill -9`` or an OOM
kill: no ``finally`` blocks, no rollback handlers, the lease left held. We use a settings switch
rather than racing a real ``kill -9`` against the network because it hits the exact window every
time (a timed kill would make the tests flaky and prove less).

- ``before_send``: the batch intent is committed, the request has not left.
- ``after_answer``: QuickBooks has answered (and created the objects); nothing of it is committed here.
- ``after_commit``: the results are committed; the outbox position is not advanced yet.

``QBO_PUSH_CRASH_MODE = "raise"`` makes the same point raise ``WorkerKilled`` instead, for the
in-process convergence state machine (a SIGKILL would end the test run itself). It derives from
``BaseException`` so no ``except Exception`` of ours can swallow it; what it does differently from
``kill -9`` is run ``finally`` blocks, i.e. the lease is released at once instead of expiring, which
is the state a crashed worker leaves once its lease TTL has passed.
"""

from __future__ import annotations

import os
import signal

from django.conf import settings

POINTS = ("before_send", "after_answer", "after_commit")


class WorkerKilled(BaseException):
    """The worker died at a crash point (in-process simulation, ``QBO_PUSH_CRASH_MODE = "raise"``)."""


def crash_point(name: str) -> None:
    if name in POINTS and getattr(settings, "QBO_PUSH_CRASH_POINT", "") == name:
        if getattr(settings, "QBO_PUSH_CRASH_MODE", "") == "raise":
            raise WorkerKilled(name)
        os.kill(os.getpid(), signal.SIGKILL)
