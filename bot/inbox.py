"""The durable inbox: no question is lost to a crash.

Telegram forgets an update once the bot confirms it (the next ``getUpdates`` offset, or a 200 answer to a
webhook request). So every update is written to the ``inbox`` table of the SQLite log *before* it is
confirmed: ``Inbox.accept`` writes one ``getUpdates`` batch (or the webhook requests that arrive together)
in one transaction, and only then hands the updates to PTB's update queue (``bot.intake`` confirms them
afterwards). Handling takes the update out of the inbox in the transaction that records it as handled
(``Store.mark_processed``, saved by ``bot.log.writer`` with its ledger). What is still in the inbox at
start-up was never handled: ``Inbox.replay`` hands it to the handlers, in arrival order, before new
updates are fetched.

Replies already sent. A reply that left the process just before a crash must not be sent again by the
replay, yet its update is recorded as handled only a few milliseconds after the reply came back (or never,
when the crash came first). So the id of the update is appended to a small journal file next to the
database (``<database>-sent``) at the moment the reply's request starts going out on its HTTP connection
(an httpcore trace event, after any wait for a free connection), and the journal is read back at
start-up: those updates count as handled. A ``write()`` to a file survives the process being killed, and
costs microseconds. What remains is the instant between that write and the request's first bytes: a
crash exactly there loses that one reply (a duplicate is worse than a rare missing reply, as in
``bot.delivery``). An update whose handler sends several messages counts as answered from its first one.

Poison. ``attempts`` counts the start-up replays that began handling an update. The replay hands updates
over in groups of at most ``concurrency``, and an update already replayed once without finishing is
replayed alone, so an update that crashes the process is pinned down: replayed twice without finishing
(``MAX_REPLAYS``), it is set aside as failed (kept two days, logged, and recorded as handled), and every
later restart goes on.

Without a conversation log (it could not be opened) there is no inbox: updates are handled as they come,
and a crash loses those in flight. A write that fails is logged and the updates are handled anyway
(``unsaved`` counts them): answering comes first, so an inbox write is tried once.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
from collections.abc import Iterator, Sequence
from contextvars import ContextVar
from pathlib import Path
from typing import Any

import httpx
from telegram import Update
from telegram.ext import Application

from bot.context import Services, services_of
from bot.log import InboxEntry, Store, StoreError

logger = logging.getLogger(__name__)

AnyApplication = Application[Any, Any, Any, Any, Any, Any]

INBOX_KEY = "sanad.inbox"
MAX_REPLAYS = 2  # replays that began an update without finishing it before it is given up
REPLAY_WAIT_SECONDS = 120.0  # how long a replayed group may take before polling goes on anyway
SENT_SUFFIX = "-sent"
SENT_REWRITE_AFTER = 10_000  # journal lines before it is rewritten with the ids still needed
SENT_MEMORY = 100_000  # ids kept while the log records none of them (it is failing)
# Bot API methods that show the user nothing: their requests do not make an update "answered".
SILENT_METHODS = frozenset(
    {
        "getupdates", "getme", "getfile", "getchat", "getwebhookinfo", "getmycommands", "sendchataction",
        "setmycommands", "deletemycommands", "setwebhook", "deletewebhook", "logout", "close",
    }
)  # fmt: skip

# The update being handled by the current task (set around PTB's process_update, see bot.app).
CURRENT_UPDATE: ContextVar[int | None] = ContextVar("sanad_current_update", default=None)


class SentJournal:
    """An append-only file of update ids whose reply started going out (see the module docstring)."""

    def __init__(self) -> None:
        self.path: Path | None = None
        self._fd: int | None = None
        self._open: dict[int, None] = {}  # recorded, not yet known to be committed as handled (ordered)
        self._lines = 0
        self.failures = 0  # writes that failed

    def open(self, path: Path) -> set[int]:
        """Read the ids left by the previous process and keep appending to ``path``."""
        ids: set[int] = set()
        with contextlib.suppress(FileNotFoundError):
            for line in path.read_bytes().splitlines():
                with contextlib.suppress(ValueError):  # a line cut short by a crash
                    ids.add(int(line))
        self.path = path
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        self._lines = len(ids)
        self._open = dict.fromkeys(sorted(ids))
        return ids

    def record(self, update_id: int) -> None:
        """The reply of ``update_id`` is about to leave the process. Never raises: a journal that cannot
        be written (disk full) leaves that reply unprotected, it does not stop it."""
        if self._fd is None or update_id in self._open:
            return
        self._open[update_id] = None
        while len(self._open) > SENT_MEMORY:
            del self._open[next(iter(self._open))]
        try:
            os.write(self._fd, b"%d\n" % update_id)
            self._lines += 1
            if self._lines >= 2 * SENT_REWRITE_AFTER and self._lines >= 2 * len(self._open):
                self.rewrite()  # the log has not confirmed handled updates for a while (it is failing)
        except OSError as error:
            self.failures += 1
            if self.failures == 1:
                logger.warning("cannot write the journal of sent replies (%s); replies go out anyway", error)

    def committed(self, update_ids: Sequence[int]) -> None:
        """These ids are now recorded as handled in the database: the journal no longer needs them."""
        for update_id in update_ids:
            self._open.pop(update_id, None)
        if self._lines >= SENT_REWRITE_AFTER and self._lines >= 2 * len(self._open):
            try:
                self.rewrite()
            except OSError as error:
                logger.warning("cannot rewrite the journal of sent replies: %s", error)

    def rewrite(self) -> None:
        """Replace the file by the ids still needed (atomically: a crash leaves the old or the new one)."""
        if self.path is None or self._fd is None:
            return
        temporary = self.path.with_name(self.path.name + ".tmp")
        temporary.write_bytes(b"".join(b"%d\n" % update_id for update_id in self._open))
        os.replace(temporary, self.path)
        os.close(self._fd)
        self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        self._lines = len(self._open)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


class Inbox:
    """The durable inbox of one Application; see the module docstring."""

    def __init__(self, *, concurrency: int) -> None:
        self._bound: AnyApplication | None = None
        self.concurrency = concurrency
        self.sent = SentJournal()
        self.bot_id: int | None = None  # set by ``recover``: no inbox until then
        self.unsaved = 0  # updates handled without reaching the inbox (the log kept failing)
        self.replayed = 0
        self.failed = 0
        self._batch: list[tuple[int, str]] = []
        self._waiters: list[asyncio.Future[bool]] = []
        self._writer: asyncio.Task[None] | None = None
        self._replaying: dict[int, asyncio.Future[None]] = {}

    def bind(self, application: AnyApplication) -> None:
        """Attach to the Application (built after the HTTP request hook that refers to this inbox)."""
        self._bound = application
        application.bot_data[INBOX_KEY] = self

    @property
    def _application(self) -> AnyApplication:
        if self._bound is None:
            raise RuntimeError("the inbox is not bound to an application")
        return self._bound

    @property
    def services(self) -> Services:
        return services_of(self._application)

    def _store(self) -> Store | None:
        return self.services.store if self.bot_id is not None else None

    # --- start-up ------------------------------------------------------------------------------------

    async def recover(self) -> None:
        """After ``post_init``: read the sent-replies journal back and count those updates as handled."""
        store = self.services.store
        if store is None:
            logger.warning("no conversation log: updates in flight at a crash cannot be recovered")
            return
        if str(store.path) == ":memory:":
            logger.warning("an in-memory log: updates in flight at a crash cannot be recovered")
            return
        bot_id = self._application.bot.id
        path = store.path.with_name(store.path.name + SENT_SUFFIX)
        try:
            sent = await asyncio.to_thread(self.sent.open, path)
            if sent:
                await store.mark_processed(bot_id, sorted(sent))
                self.services.updates.load(sorted(sent))
                logger.info("%d updates were answered just before the last stop", len(sent))
            self.sent.committed(sorted(sent))
            await asyncio.to_thread(self.sent.rewrite)
        except (OSError, StoreError):
            logger.exception("could not read the journal of sent replies; the inbox is off")
            self.sent.close()
            return
        self.bot_id = bot_id
        self.services.updates.on_finish(self._finished)

    async def replay(self) -> None:
        """Hand every update still in the inbox to the handlers, in order, and wait until they are done."""
        store = self._store()
        if store is None or self.bot_id is None:
            return
        bot_id = self.bot_id
        try:
            entries = await store.inbox_pending(bot_id)
            ledger = self.services.updates
            handled = [entry.update_id for entry in entries if entry.update_id in ledger]
            if handled:  # recorded by the ledger before this start, left in the inbox by a redelivery
                await store.mark_processed(bot_id, handled)
            entries = tuple(entry for entry in entries if entry.update_id not in ledger)
            entries = await self._set_aside_poison(store, bot_id, entries)
        except StoreError:
            logger.exception("could not read the inbox; updates left by the last stop are not handled")
            return
        if not entries:
            return
        logger.info("handling %d updates left unhandled by the last stop", len(entries))
        for group in _groups(entries, self.concurrency):
            updates = [update for entry in group if (update := self._parse(entry)) is not None]
            if not updates:
                continue
            try:
                await store.inbox_attempt(bot_id, [update.update_id for update in updates])
            except StoreError:
                logger.warning("could not count an inbox replay", exc_info=True)
            loop = asyncio.get_running_loop()
            waits = [self._replaying.setdefault(update.update_id, loop.create_future()) for update in updates]
            for update in updates:
                self._application.update_queue.put_nowait(update)
            self.replayed += len(updates)
            try:
                async with asyncio.timeout(REPLAY_WAIT_SECONDS):
                    await asyncio.gather(*waits)
            except TimeoutError:
                logger.warning("replayed updates still running after %.0f s; going on", REPLAY_WAIT_SECONDS)
            for update in updates:
                self._replaying.pop(update.update_id, None)

    async def _set_aside_poison(
        self, store: Store, bot_id: int, entries: tuple[InboxEntry, ...]
    ) -> tuple[InboxEntry, ...]:
        poison = [entry for entry in entries if entry.attempts >= MAX_REPLAYS]
        if not poison:
            return entries
        await self._fail(store, bot_id, [entry.update_id for entry in poison])
        for entry in poison:
            logger.error(
                "update %d was being handled at %d crashes; set aside as failed (inbox table)",
                entry.update_id,
                entry.attempts,
            )
        return tuple(entry for entry in entries if entry.attempts < MAX_REPLAYS)

    async def _fail(self, store: Store, bot_id: int, update_ids: list[int]) -> None:
        await store.inbox_fail(bot_id, update_ids)
        self.services.updates.load(update_ids)
        self.failed += len(update_ids)

    def _parse(self, entry: InboxEntry) -> Update | None:
        try:
            update = Update.de_json(json.loads(entry.payload), self._application.bot)
        except Exception:  # a row that is not an update can never be handled: set it aside
            logger.exception("update %d in the inbox cannot be read; set aside as failed", entry.update_id)
            store = self._store()
            if store is not None and self.bot_id is not None:
                self._application.create_task(self._fail(store, self.bot_id, [entry.update_id]))
            return None
        return update

    def _finished(self, update_id: int) -> None:
        waiter = self._replaying.get(update_id)
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    # --- incoming updates ----------------------------------------------------------------------------

    async def accept(self, updates: Sequence[Update], payloads: Sequence[str] | None = None) -> None:
        """Write ``updates`` to the inbox (one transaction; ``payloads``: their JSON as received, else
        serialised here), then queue them for the handlers. Returns once they are safe to confirm."""
        ledger = self.services.updates
        rows = [
            (update.update_id, payloads[index] if payloads is not None else update.to_json())
            for index, update in enumerate(updates)
            if update.update_id not in ledger  # a repeat: refused by the ledger, nothing to keep
            and not _ephemeral(update)
        ]
        if rows and self._store() is not None and not await self._persist(rows):
            self.unsaved += len(rows)
            logger.warning(
                "%d update(s) could not be written to the inbox; handling them anyway (%d since start)",
                len(rows),
                self.unsaved,
            )
        for update in updates:
            self._application.update_queue.put_nowait(update)

    async def _persist(self, rows: list[tuple[int, str]]) -> bool:
        """Group commit: updates arriving while a write runs share the next transaction."""
        waiter: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._batch.extend(rows)
        self._waiters.append(waiter)
        if self._writer is None:
            self._writer = asyncio.create_task(self._write_batches(), name="sanad-inbox-writer")
        return await asyncio.shield(waiter)

    async def _write_batches(self) -> None:
        waiters: list[asyncio.Future[bool]] = []
        try:
            while self._batch:
                batch, waiters = self._batch, self._waiters
                self._batch, self._waiters = [], []
                saved = await self._write(batch)
                _resolve(waiters, saved)
        finally:
            self._writer = None
            _resolve(waiters, False)
            _resolve(self._waiters, False)
            self._batch, self._waiters = [], []

    async def _write(self, rows: list[tuple[int, str]]) -> bool:
        """One attempt (SQLite's busy timeout bounds it): the updates wait for it, so a log that is
        locked or failing is not retried here; they are handled anyway."""
        store = self._store()
        if store is None or self.bot_id is None:
            return False
        try:
            await store.inbox_add(self.bot_id, rows)
        except StoreError as error:
            logger.warning("inbox write failed: %s", error)
            return False
        return True

    # --- replies going out ---------------------------------------------------------------------------

    async def on_request(self, request: httpx.Request) -> None:
        """httpx request hook (bot.app): a reply of the update being handled gets a trace that records
        the update in the sent-replies journal when the request starts going out on its connection."""
        update_id = CURRENT_UPDATE.get()
        if update_id is None or self.bot_id is None:
            return
        if request.url.path.rsplit("/", 1)[-1].lower() in SILENT_METHODS:
            return
        journal = self.sent

        async def trace(event: str, info: dict[str, Any]) -> None:
            # Called right before the body is written, with no await in between (httpcore's HTTP/1.1
            # connection over anyio): a request cut before its body is dropped by the server.
            if event.endswith(".send_request_body.started"):
                journal.record(update_id)

        request.extensions["trace"] = trace

    async def close(self) -> None:
        """At shutdown, after the log writer's last writes: keep only the journal lines still needed."""
        if self._writer is not None:
            with contextlib.suppress(Exception):
                await self._writer
        try:
            await asyncio.to_thread(self.sent.rewrite)
        except OSError:
            logger.warning("could not rewrite the journal of sent replies", exc_info=True)
        self.sent.close()


def _ephemeral(update: Update) -> bool:
    """An inline query (or the choice of its result): Telegram takes its answer for a few seconds only,
    so one replayed after a restart could only fail. It is handled live and never kept."""
    return update.inline_query is not None or update.chosen_inline_result is not None


def _resolve(waiters: list[asyncio.Future[bool]], value: bool) -> None:
    for waiter in waiters:
        if not waiter.done():
            waiter.set_result(value)


def _groups(entries: Sequence[InboxEntry], size: int) -> Iterator[list[InboxEntry]]:
    """Replay groups in order: at most ``size`` fresh entries together; a suspect (replayed before
    without finishing) alone, so that a crash while it runs counts against it only."""
    group: list[InboxEntry] = []
    for entry in entries:
        if entry.attempts > 0:
            if group:
                yield group
                group = []
            yield [entry]
            continue
        group.append(entry)
        if len(group) >= size:
            yield group
            group = []
    if group:
        yield group


def inbox_of(application: AnyApplication) -> Inbox | None:
    """The application's inbox (``bot.app.build_application`` makes one), or None."""
    inbox = application.bot_data.get(INBOX_KEY)
    return inbox if isinstance(inbox, Inbox) else None
