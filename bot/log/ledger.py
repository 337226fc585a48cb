"""Which Telegram updates were already handled, so none is answered twice after a crash or restart.

PTB's long polling confirms updates to Telegram only with the *next* ``getUpdates`` call (its ``offset``).
If the bot dies after replying to an update but before that call reached Telegram (the process is killed,
or getUpdates keeps failing), Telegram delivers the update again to the next process, which would answer
it a second time. Telegram can also repeat a webhook delivery that was not acknowledged in time.

So every update id is checked here before any handler runs (``claim``, in handler group -1) and recorded
once every handler is done with it (``finish``, in group 1): in memory at once, and in SQLite through the
log writer (``processed_updates``, a few milliseconds later, off the reply path; the same transaction takes
the update out of the durable inbox, ``bot.inbox``). At start-up the ids of the last ``KEEP`` are loaded
back. The window between a reply going out and its id being committed is covered by ``bot.inbox``'s
journal of sent replies, written before the reply's request leaves the process.

Ids are kept for ``KEEP`` (48 hours): Telegram keeps undelivered updates for 24 hours, and after a week
without updates it may restart its update ids at a random value, so old ids must not be remembered
forever.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from datetime import timedelta

KEEP = timedelta(hours=48)
MEMORY = 100_000  # ids remembered in memory (the most recent ones)


class UpdateLedger:
    """In-memory view of the handled (``done``) and in-flight update ids; bounded."""

    def __init__(self, capacity: int = MEMORY) -> None:
        self.capacity = capacity
        self._done: set[int] = set()
        self._order: deque[int] = deque()
        self._in_flight: set[int] = set()
        self._unsaved: list[int] = []
        self._listeners: list[Callable[[int], None]] = []
        self.skipped = 0  # duplicates refused since start

    def __contains__(self, update_id: object) -> bool:
        return update_id in self._done

    def load(self, update_ids: Iterable[int]) -> None:
        """Remember ids handled before this start (from the database)."""
        for update_id in update_ids:
            self._remember(update_id)

    def claim(self, update_id: int) -> bool:
        """True when this update is new and may be handled now; False for a repeat (then skip it)."""
        if update_id in self._done or update_id in self._in_flight:
            self.skipped += 1
            return False
        self._in_flight.add(update_id)
        return True

    def finish(self, update_id: int) -> None:
        """Every handler is done with ``update_id``: remember it, and queue it for the database."""
        self._in_flight.discard(update_id)
        if update_id not in self._done:
            self._remember(update_id)
            self._unsaved.append(update_id)
        for listener in self._listeners:
            listener(update_id)

    def on_finish(self, listener: Callable[[int], None]) -> None:
        """Call ``listener(update_id)`` whenever an update is finished (the inbox waits on replays)."""
        self._listeners.append(listener)

    def take_unsaved(self) -> list[int]:
        """The ids finished since the last call (for one database write)."""
        unsaved, self._unsaved = self._unsaved, []
        return unsaved

    def _remember(self, update_id: int) -> None:
        if update_id in self._done:
            return
        self._done.add(update_id)
        self._order.append(update_id)
        while len(self._order) > self.capacity:
            self._done.discard(self._order.popleft())
