"""The conversation log's writer: one FIFO queue, one worker, bounded retries, lost rows counted.

Handlers never wait for SQLite: they hand a write (an exchange, a vote, a refusal, a reload, /forget) to
``LogWriter.submit`` after their reply has gone and carry on. One background task applies the writes in
the order they were submitted, so a row is always written before a later vote on it or a /forget that
should delete it. When SQLite fails with an error that may pass (the database is locked by another
process, the disk is full, the file turned read-only, an I/O error) the writer waits and tries the same
write again, ``attempts`` times in all with exponential backoff, holding the later writes back meanwhile.
A write that still fails, any other failure, and writes that find the queue full (``capacity``) or no
database at all are *lost*: counted in ``lost`` (shown by /stats) and logged with a warning. A failed
write is rolled back by ``Store``, so rows already written are never touched.

The writer also owns the ledger of handled update ids (``updates``, see ``bot.log.ledger``): it loads
the last ``KEEP`` of them at start-up and saves the ids finished since the last save, one write at a
time (``save_processed``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from bot.log.errors import StoreError, is_transient
from bot.log.ledger import KEEP, MEMORY, UpdateLedger
from bot.log.store import Store

logger = logging.getLogger(__name__)

T = TypeVar("T")
Operation = Callable[[Store], Awaitable[Any]]


@dataclass
class _Job:
    what: str
    operation: Operation
    future: asyncio.Future[Any]


class LogWriter:
    """Applies log writes in order off the reply path; see the module docstring."""

    def __init__(
        self,
        store: Store | None = None,
        *,
        attempts: int = 4,
        backoff_seconds: float = 0.5,
        capacity: int = 10_000,
    ) -> None:
        if attempts < 1 or backoff_seconds < 0 or capacity < 1:
            raise ValueError("the log writer needs attempts >= 1, backoff_seconds >= 0 and capacity >= 1")
        self.store = store
        self.attempts = attempts
        self.backoff_seconds = backoff_seconds
        self.capacity = capacity
        self.written = 0
        self.retried = 0  # failed attempts that were tried again
        self.lost = 0
        self._queue: deque[_Job] = deque()
        self._wakeup = asyncio.Event()
        self._idle = asyncio.Event()
        self._worker: asyncio.Task[None] | None = None
        self._closed = False
        # Update ids already handled (and being handled), so a redelivered update is not answered twice.
        self.updates = UpdateLedger()
        self._processed_save_queued = False

    def __len__(self) -> int:
        """Writes waiting, the one being tried included."""
        return len(self._queue)

    # --- lifecycle -------------------------------------------------------------------------------

    def start(self, store: Store | None) -> None:
        """Attach the store (None: every write is lost) and start the worker on the running loop."""
        self.store = store
        self._wakeup, self._idle = asyncio.Event(), asyncio.Event()
        self._idle.set()
        self._closed = False
        self._worker = asyncio.create_task(self._run(), name="sanad-log-writer")

    async def flush(self, timeout: float | None = None) -> bool:  # noqa: ASYNC109 - a bounded wait is the API
        """Wait until every write submitted so far was applied or lost; False if ``timeout`` ran out."""
        if not self._queue:
            return True
        try:
            async with asyncio.timeout(timeout):
                await self._idle.wait()
        except TimeoutError:
            return False
        return True

    async def close(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109 - a bounded wait is the API
        """Let queued writes land (at most ``timeout`` seconds), then stop; what is left is lost."""
        self._closed = True
        if not await self.flush(timeout):
            logger.warning("conversation log: %d write(s) still waiting at shutdown", len(self._queue))
        worker, self._worker = self._worker, None
        if worker is not None:
            worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await worker
        while self._queue:
            job = self._queue.popleft()
            self._lose(job, "the bot stopped before it could be written")

    # --- writing ---------------------------------------------------------------------------------

    def submit(self, what: str, operation: Callable[[Store], Awaitable[T]]) -> asyncio.Future[T | None]:
        """Queue ``operation(store)``; the future gets its result, or None when the write was lost."""
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        job = _Job(what, operation, future)
        if self.store is None or self._worker is None or self._closed:
            self._lose(job, "the conversation log is not open")
        elif len(self._queue) >= self.capacity:
            self._lose(job, f"{len(self._queue)} writes are already waiting")
        else:
            self._queue.append(job)
            self._idle.clear()
            self._wakeup.set()
        return future

    # --- the ledger of handled updates ---------------------------------------------------------------

    async def load_processed(self, bot_id: int) -> None:
        """Remember the updates handled in the last two days (``KEEP``), and forget older ones."""
        store = self.store
        if store is None:
            return
        try:
            await store.purge_processed(KEEP)
            handled = await store.processed_updates(bot_id, datetime.now(UTC) - KEEP, MEMORY)
        except StoreError:
            logger.exception("could not read the handled updates; a redelivered update may be answered twice")
            return
        self.updates.load(reversed(handled))
        if handled:
            logger.info("%d updates handled in the last %s will not be answered again", len(handled), KEEP)

    def save_processed(self, bot_id: int, on_saved: Callable[[list[int]], None] | None = None) -> None:
        """Queue one write of the update ids finished since the last one (many updates share a transaction
        when the log is busy); the same transaction takes them out of the inbox, then ``on_saved(ids)``
        runs. Nothing is written without a log: the ids then live in memory only."""
        if self.store is None or self._closed or self._processed_save_queued:
            return
        self._processed_save_queued = True
        taken: list[int] | None = None

        async def save(store: Store) -> int:
            nonlocal taken
            if taken is None:  # on the first attempt; a retry writes the same ids
                self._processed_save_queued = False
                taken = self.updates.take_unsaved()
            saved = await store.mark_processed(bot_id, taken)
            if on_saved is not None:
                on_saved(taken)
            return saved

        if self.submit("processed update ids", save).done():  # lost at once (the queue is full)
            self._processed_save_queued = False

    async def _run(self) -> None:
        while True:
            if not self._queue:
                self._idle.set()
                self._wakeup.clear()
                await self._wakeup.wait()
                continue
            job = self._queue[0]
            try:
                await self._apply(job)
            finally:
                if self._queue and self._queue[0] is job:
                    self._queue.popleft()

    async def _apply(self, job: _Job) -> None:
        store = self.store
        for attempt in range(1, self.attempts + 1):
            if store is None:
                self._lose(job, "the conversation log is not open")
                return
            try:
                result = await job.operation(store)
            except StoreError as error:
                if not is_transient(error) or attempt == self.attempts:
                    self._lose(job, f"{error} (attempt {attempt} of {self.attempts})")
                    return
                delay = self.backoff_seconds * 2 ** (attempt - 1)
                self.retried += 1
                logger.warning("conversation log: %s failed (%s); retrying in %.2f s", job.what, error, delay)
                await asyncio.sleep(delay)
            except Exception as error:  # a bug in the operation: never retried, never fatal to the worker
                logger.exception("conversation log: %s failed unexpectedly", job.what)
                self._lose(job, repr(error))
                return
            else:
                self.written += 1
                if not job.future.done():
                    job.future.set_result(result)
                return

    def _lose(self, job: _Job, reason: str) -> None:
        self.lost += 1
        logger.warning(
            "conversation log: %s lost: %s (%d row(s) lost since start)", job.what, reason, self.lost
        )
        if not job.future.done():
            job.future.set_result(None)
