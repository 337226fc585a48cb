"""bot.ratelimit: sliding window per user, one notice per window, bounded memory."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.ratelimit import SlidingWindowLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_allows_count_events_per_window_then_notifies_once() -> None:
    clock = Clock()
    limiter = SlidingWindowLimiter(2, 30, clock)
    assert limiter.check(1).allowed
    clock.now += 10
    assert limiter.check(1).allowed
    first = limiter.check(1)
    assert not first.allowed
    assert first.notify
    assert first.retry_after == pytest.approx(20)
    assert first.retry_after_seconds == 20
    second = limiter.check(1)
    assert not second.allowed
    assert not second.notify  # no flood of notices
    assert limiter.check(2).allowed  # other users are independent


def test_the_window_slides() -> None:
    clock = Clock()
    limiter = SlidingWindowLimiter(2, 30, clock)
    limiter.check(1)
    clock.now += 10
    limiter.check(1)
    clock.now += 20.5  # the first event left the window, the second has not
    assert limiter.check(1).allowed
    assert not limiter.check(1).allowed


def test_a_new_window_can_notify_again() -> None:
    clock = Clock()
    limiter = SlidingWindowLimiter(1, 30, clock)
    limiter.check(1)
    assert limiter.check(1).notify
    clock.now += 31
    assert limiter.check(1).allowed
    assert limiter.check(1).notify


def test_idle_users_are_forgotten() -> None:
    clock = Clock()
    limiter = SlidingWindowLimiter(1, 30, clock)
    for user in range(100):
        limiter.check(user)
    assert len(limiter) == 100
    clock.now += 31
    limiter.check(999)
    assert len(limiter) == 1


def test_rejects_nonsense_limits() -> None:
    with pytest.raises(ValueError, match="count"):
        SlidingWindowLimiter(0, 30)


@given(gaps=st.lists(st.floats(0, 20), max_size=60), count=st.integers(1, 5))
def test_property_never_more_than_count_in_any_window(gaps: list[float], count: int) -> None:
    clock = Clock()
    limiter = SlidingWindowLimiter(count, 30, clock)
    allowed: list[float] = []
    notices = 0
    for gap in gaps:
        clock.now += gap
        decision = limiter.check(1)
        if decision.allowed:
            allowed.append(clock.now)
        notices += decision.notify
        assert len([t for t in allowed if t > clock.now - 30]) <= count
    assert notices <= len(gaps) - len(allowed)
