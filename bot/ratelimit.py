"""Per-user sliding-window rate limit, in memory, with one notice per window instead of a flood."""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Decision:
    """``allowed``: answer the question. Otherwise ``notify`` says whether to tell the user (once)."""

    allowed: bool
    notify: bool = False
    retry_after: float = 0.0

    @property
    def retry_after_seconds(self) -> int:
        return max(1, math.ceil(self.retry_after))


@dataclass
class _User:
    stamps: deque[float] = field(default_factory=deque)
    notified_until: float = -math.inf


class SlidingWindowLimiter:
    """At most ``count`` allowed events per user in any ``seconds``-long window.

    Denied events are not counted (a user hammering the bot is not locked out for longer). The first
    denial in a window asks for a notice; later denials stay silent until the window that notice
    covered has passed. Users with no recent events are forgotten, so memory stays bounded by the
    number of users active within one window.
    """

    def __init__(self, count: int, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        if count < 1 or seconds <= 0:
            raise ValueError("rate limit needs count >= 1 and seconds > 0")
        self.count = count
        self.seconds = seconds
        self._clock = clock
        self._users: dict[int, _User] = {}
        self._last_sweep = clock()

    def __len__(self) -> int:
        return len(self._users)

    def check(self, user_id: int) -> Decision:
        now = self._clock()
        self._sweep(now)
        user = self._users.setdefault(user_id, _User())
        stamps = user.stamps
        while stamps and stamps[0] <= now - self.seconds:
            stamps.popleft()
        if len(stamps) < self.count:
            stamps.append(now)
            return Decision(allowed=True)
        retry_after = stamps[0] + self.seconds - now
        if now >= user.notified_until:
            user.notified_until = now + retry_after
            return Decision(allowed=False, notify=True, retry_after=retry_after)
        return Decision(allowed=False, notify=False, retry_after=retry_after)

    def _sweep(self, now: float) -> None:
        if now - self._last_sweep < self.seconds:
            return
        self._last_sweep = now
        horizon = now - self.seconds
        stale = [
            uid
            for uid, user in self._users.items()
            if (not user.stamps or user.stamps[-1] <= horizon) and user.notified_until <= now
        ]
        for uid in stale:
            del self._users[uid]
