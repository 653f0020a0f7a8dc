"""The client-side limiter keeps a company under Intuit's window even with batches in flight."""

from __future__ import annotations

from integrations.sync.limiter import RealmLimiter


class FakeTime:
    def __init__(self) -> None:
        self.now = 1000.0

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_a_call_counts_until_a_full_minute_after_its_answer():
    # QuickBooks counts a request when it admits it, which may be just before it answers.
    time = FakeTime()
    limiter = RealmLimiter(per_minute=10, batches_per_minute=5, clock=time.clock, sleep=time.sleep)
    done = limiter.pace(10, True)  # the whole minute's budget, sent at 1000
    time.now += 5
    done()  # answered at 1005
    time.now += 56  # 61 s after the send: by the send time alone the budget would be free again
    limiter.pace(1, False)
    assert time.now >= 1005 + 60


def test_calls_answered_out_of_order_free_the_budget_only_when_all_older_ones_have():
    time = FakeTime()
    limiter = RealmLimiter(per_minute=2, batches_per_minute=10, clock=time.clock, sleep=time.sleep)
    slow = limiter.pace(1, True)
    fast = limiter.pace(1, True)
    time.now += 1
    fast()
    time.now += 9
    slow()  # the first one sent is answered last, at 1010
    limiter.pace(1, True)
    assert time.now >= 1010 + 60


def test_room_is_what_is_left_of_the_minute_and_nothing_once_the_batch_limit_is_reached():
    time = FakeTime()
    limiter = RealmLimiter(per_minute=490, batches_per_minute=3, clock=time.clock, sleep=time.sleep)
    assert limiter.room() == 490
    for _ in range(2):
        limiter.pace(30, True)()
    limiter.pace(400, False)()
    assert limiter.room() == 30
    limiter.pace(20, True)()  # the third batch of the minute
    assert limiter.room() == 0  # 10 requests are left, but not a fourth batch
    time.now += 61
    assert limiter.room() == 490
