"""Faults: Telegram answering 429, 5xx or too slowly; SQLite locked, read-only or full; reloads that fail
halfway. The real Application runs against the fake Bot API (its fault injection), as in
``tests/test_e2e_bot.py``; waits are on conditions with timeouts, never on the clock.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import os
import sqlite3
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot import admin as admin_module
from bot import phrases
from bot.app import build_application, serving
from bot.context import services_of
from bot.delivery import RetryPolicy, classify, send_with_retry
from bot.log import Store, StoreError
from bot.log.ledger import KEEP, UpdateLedger
from bot.log.writer import LogWriter
from bot.settings import Settings
from retrieval.answer import Retriever, load_retriever
from tests.conftest import REPO, MakeSettings
from tests.fakes.bot_api import Call, FakeBotAPI, running_fake_api
from tests.test_e2e_bot import (
    ADMIN,
    CHINA,
    CHINA_PARAGRAPHS,
    OTHER,
    STARTED,
    USER,
    Bot,
    new_article,
    rows,
    running_bot,
    until,
    visible,
)
from tests.test_store import mark_read_only

# Short waits so that retries and timeouts take milliseconds, not seconds.
FAST = {
    "reply_retry_seconds = 1.0": "reply_retry_seconds = 0.02",
    "request_timeout_seconds = 10.0": "request_timeout_seconds = 0.5",
    "busy_timeout_ms = 5000": "busy_timeout_ms = 20",
    "write_retry_seconds = 0.5": "write_retry_seconds = 0.02",
}


def replies_to(bot: Bot | FakeBotAPI, chat_id: int, message_id: int) -> list[Call]:
    """Accepted sendMessage calls in ``chat_id`` that reply to the user's message ``message_id``."""
    api = bot if isinstance(bot, FakeBotAPI) else bot.api
    return [
        call
        for call in api.calls("sendMessage", chat_id=chat_id)
        if call.params.get("reply_parameters", {}).get("message_id") == message_id
    ]


async def ask_once(bot: Bot | FakeBotAPI, chat_id: int, text: str = STARTED) -> tuple[int, Call]:
    api = bot if isinstance(bot, FakeBotAPI) else bot.api
    pushed = api.push_text(chat_id, chat_id, text)
    reply = await api.wait_for_reply(chat_id)
    return pushed["message"]["message_id"], reply


def exchanges(bot: Bot) -> list[sqlite3.Row]:
    return rows(bot.settings, "SELECT * FROM exchanges ORDER BY id")


async def logged(bot: Bot, count: int) -> None:
    """Wait until ``count`` exchanges are in the log (a reply reaches the fake before its row is queued)."""
    await until(lambda: len(exchanges(bot)) >= count)
    assert await bot.services.log_writer.flush(5)


@pytest.fixture(autouse=True)
def timedelta_retry_after(monkeypatch: pytest.MonkeyPatch) -> None:
    """PTB 22 warns (PTBDeprecationWarning) whenever it builds RetryAfter unless PTB_TIMEDELTA is set, and
    ``filterwarnings = error`` would turn a 429 into a failure (see tests/fakes/bot_api.py)."""
    monkeypatch.setenv("PTB_TIMEDELTA", "1")


# --- Telegram: the delivery policy on its own ----------------------------------------------------------


def _caused(error: Exception, cause: BaseException | None) -> Exception:
    error.__cause__ = cause
    return error


def test_classify_retries_only_what_telegram_certainly_did_not_take() -> None:
    request = httpx.Request("POST", "http://127.0.0.1/")
    assert classify(NetworkError("Internal Server Error (500)")) == "retry"  # an HTTP error status
    assert classify(_caused(NetworkError("x"), httpx.ConnectError("refused", request=request))) == "retry"
    assert classify(_caused(TimedOut(), httpx.ConnectTimeout("t", request=request))) == "retry"
    assert classify(_caused(TimedOut(), httpx.PoolTimeout("t", request=request))) == "retry"
    assert classify(_caused(TimedOut(), httpx.WriteTimeout("t", request=request))) == "retry"
    assert classify(_caused(TimedOut(), httpx.ReadTimeout("t", request=request))) == "unknown"
    dropped = httpx.RemoteProtocolError("Server disconnected without sending a response.", request=request)
    assert classify(_caused(NetworkError("x"), dropped)) == "unknown"
    assert classify(BadRequest("Bad Request: can't parse entities")) == "fatal"
    assert classify(Forbidden("Forbidden: bot was blocked by the user")) == "fatal"


async def test_send_with_retry_is_bounded_and_waits_out_retry_after() -> None:
    calls: list[int] = []
    policy = RetryPolicy(attempts=3, backoff_seconds=0)

    async def failing() -> Any:
        calls.append(1)
        raise NetworkError("Bad Gateway")

    with pytest.raises(NetworkError):
        await send_with_retry(failing, policy)
    assert len(calls) == 3

    async def flood() -> Any:
        raise RetryAfter(3600)

    with pytest.raises(RetryAfter):  # a wait longer than max_retry_after is not waited for
        await send_with_retry(flood, policy)

    async def read_timeout() -> Any:
        calls.append(1)
        raise _caused(TimedOut(), httpx.ReadTimeout("t", request=httpx.Request("POST", "http://x/")))

    calls.clear()
    assert await send_with_retry(read_timeout, policy) is None
    assert len(calls) == 1  # never sent twice


# --- Telegram: through the real bot --------------------------------------------------------------------


@pytest.mark.parametrize("rate_limiter", ["on", "off"])
async def test_429_retry_after_still_delivers_exactly_one_reply(
    make_settings: MakeSettings, rate_limiter: str
) -> None:
    async with running_bot(make_settings, config_replace=FAST, rate_limiter=rate_limiter) as bot:
        bot.api.fail_next("sendMessage", 429, retry_after=1)
        question, reply = await ask_once(bot, USER)
        assert "[1]" in visible(reply)
        assert await bot.services.log_writer.flush(5)
        assert len(replies_to(bot, USER, question)) == 1
        assert [r.error_code for r in bot.api.rejected] == [429]
    (row,) = exchanges(bot)
    assert (row["outcome"], row["reply_message_id"]) == ("answered", reply.result["message_id"])


@pytest.mark.parametrize("status", [500, 502, 503, 504])
async def test_5xx_is_retried_with_backoff_and_delivered_once(
    make_settings: MakeSettings, status: int
) -> None:
    async with running_bot(make_settings, config_replace=FAST) as bot:
        bot.api.fail_next("sendMessage", status, count=2)  # reply_attempts = 3
        question, reply = await ask_once(bot, USER)
        assert "[1]" in visible(reply)
        assert len(replies_to(bot, USER, question)) == 1
        assert [r.error_code for r in bot.api.rejected] == [status, status]


async def test_many_questions_under_5xx_each_get_exactly_one_reply(make_settings: MakeSettings) -> None:
    users = range(7001, 7009)
    async with running_bot(make_settings, config_replace=FAST) as bot:
        bot.api.fail_next("sendMessage", 502, count=5)
        pushed = {user: bot.api.push_text(user, user, STARTED)["message"]["message_id"] for user in users}

        def all_answered(calls: list[Call]) -> bool:
            return all(replies_to(bot, user, message) for user, message in pushed.items())

        await bot.api.wait_for(all_answered, timeout=10)
        assert await bot.services.log_writer.flush(5)
        assert {user: len(replies_to(bot, user, m)) for user, m in pushed.items()} == dict.fromkeys(users, 1)
        assert all("[1]" in visible(replies_to(bot, u, m)[0]) for u, m in pushed.items())
    assert len(exchanges(bot)) == len(users)


async def test_5xx_beyond_the_attempts_ends_in_one_arabic_error_notice(make_settings: MakeSettings) -> None:
    async with running_bot(make_settings, config_replace=FAST) as bot:
        bot.api.fail_next("sendMessage", 500, count=3)
        question, reply = await ask_once(bot, USER)
        assert visible(reply) == phrases.ERROR
        assert await bot.services.log_writer.flush(5)
        assert len(replies_to(bot, USER, question)) == 1
        assert "[1]" in visible((await ask_once(bot, USER))[1])  # and the bot keeps going
    assert [r["outcome"] for r in exchanges(bot)] == ["error", "answered"]


async def test_a_timeout_after_telegram_took_the_reply_is_not_sent_again(
    make_settings: MakeSettings, caplog: pytest.LogCaptureFixture
) -> None:
    async with running_bot(make_settings, config_replace=FAST) as bot:
        bot.api.delay("sendMessage", 1.5, count=1)  # longer than request_timeout_seconds (0.5)
        question, reply = await ask_once(bot, USER)  # arrives when the delayed call takes effect
        assert "[1]" in visible(reply)
        assert await bot.services.log_writer.flush(5)
        await until(lambda: bool(exchanges(bot)))
        # The next question is answered normally, and the first one still has exactly one reply.
        second, _ = await ask_once(bot, USER, CHINA)
        assert len(replies_to(bot, USER, question)) == 1
        assert len(replies_to(bot, USER, second)) == 1
        assert not [c for c in bot.api.replies(USER) if visible(c) == phrases.ERROR]
    first, _ = exchanges(bot)
    assert (first["outcome"], first["reply_message_id"]) == ("answered", None)  # sent, id unknown
    assert any("may or may not have arrived" in r.getMessage() for r in caplog.records)


async def test_a_connection_dropped_after_sending_is_not_resent(make_settings: MakeSettings) -> None:
    """At most once: the fake drops this request without applying it, so the user gets no answer, but
    with Telegram the message may have arrived, and a resend could show it twice (bot.delivery)."""
    async with running_bot(make_settings, config_replace=FAST) as bot:
        bot.api.disconnect_next("sendMessage")
        pushed = bot.api.push_text(USER, USER, STARTED)["message"]["message_id"]
        await until(lambda: bool(exchanges(bot)))
        second, _ = await ask_once(bot, USER, CHINA)
        assert replies_to(bot, USER, pushed) == []
        assert len(replies_to(bot, USER, second)) == 1
        assert not [c for c in bot.api.replies(USER) if visible(c) == phrases.ERROR]


# --- SQLite ----------------------------------------------------------------------------------------------


@contextlib.contextmanager
def write_lock(database: Path) -> Iterator[sqlite3.Connection]:
    """Another process's open write transaction on the log."""
    connection = sqlite3.connect(database, isolation_level=None)
    try:
        connection.execute("BEGIN IMMEDIATE")
        yield connection
    finally:
        with contextlib.suppress(sqlite3.Error):
            connection.execute("ROLLBACK")
        connection.close()


def snapshot(database: Path) -> list[tuple[Any, ...]]:
    with contextlib.closing(sqlite3.connect(database)) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return connection.execute("SELECT * FROM exchanges ORDER BY id").fetchall()


async def test_a_locked_database_delays_the_row_not_the_answer(make_settings: MakeSettings) -> None:
    async with running_bot(make_settings, config_replace=FAST) as bot:
        await ask_once(bot, USER)
        await logged(bot, 1)
        before = snapshot(bot.settings.database_path)
        writer = bot.services.log_writer
        with write_lock(bot.settings.database_path):
            _, reply = await ask_once(bot, OTHER)  # answered while the log is locked
            assert "[1]" in visible(reply)
            await until(lambda: writer.retried >= 1)
        assert await writer.flush(5)  # the lock is gone: the retry lands
        assert writer.lost == 0
        assert "[1]" in visible(await bot.command(OTHER, OTHER, "sources"))
    after = snapshot(bot.settings.database_path)
    assert after[: len(before)] == before
    assert [r["user_id"] for r in exchanges(bot)][:2] == [USER, OTHER]


async def test_a_lock_held_too_long_counts_the_row_as_lost(make_settings: MakeSettings) -> None:
    async with running_bot(make_settings, config_replace=FAST) as bot:
        await ask_once(bot, USER)
        await logged(bot, 1)
        before = snapshot(bot.settings.database_path)
        writer = bot.services.log_writer
        with write_lock(bot.settings.database_path):
            assert "[1]" in visible((await ask_once(bot, OTHER))[1])
            await until(lambda: writer.lost == 1)
            assert writer.retried == bot.settings.write_attempts - 1
            # The log can still be read meanwhile: /stats shows the lost row.
            stats = visible(await bot.command(ADMIN, ADMIN, "stats"))
            assert phrases.STATS_LOST.format(lost=1) in stats
        later, _ = await ask_once(bot, OTHER, STARTED)
        assert await writer.flush(5)
    assert snapshot(bot.settings.database_path)[: len(before)] == before
    answered = [(r["user_id"], r["message_id"]) for r in exchanges(bot) if r["outcome"] == "answered"]
    assert answered == [(USER, 1), (OTHER, later)]  # OTHER's first question is the lost row


async def test_a_database_turned_read_only_keeps_answers_going(make_settings: MakeSettings) -> None:
    async with running_bot(make_settings, config_replace=FAST) as bot:
        await ask_once(bot, USER)
        store = bot.services.store
        assert store is not None
        writer = bot.services.log_writer
        await logged(bot, 1)
        before = snapshot(bot.settings.database_path)
        await store._conn().execute("PRAGMA query_only = ON")  # SQLite now refuses every write
        assert "[1]" in visible((await ask_once(bot, OTHER))[1])
        await until(lambda: writer.lost == 1)
        assert "[1]" in visible(await bot.command(OTHER, OTHER, "sources"))  # from memory
        await until(lambda: writer.lost == 2)
        await store._conn().execute("PRAGMA query_only = OFF")
        assert "[1]" in visible((await ask_once(bot, OTHER, STARTED))[1])
        assert await writer.flush(5)
        assert writer.lost == 2  # the question and the /sources while read-only
    assert snapshot(bot.settings.database_path)[: len(before)] == before


async def test_a_read_only_database_at_start_up_does_not_stop_the_bot(make_settings: MakeSettings) -> None:
    settings = make_settings()
    async with await Store.open(settings.database_path) as store:
        await store.record_denied(USER, USER, "stats")
    mark_read_only(settings.database_path)
    before = settings.database_path.read_bytes()
    async with running_bot(make_settings, config_replace=FAST) as bot:
        assert bot.services.store is None
        assert "[1]" in visible((await ask_once(bot, USER))[1])
        assert visible(await bot.command(USER, USER, "sources")).startswith("المصادر:")
        await until(lambda: bot.services.log_writer.lost == 2)  # the answer and the /sources
        stats = visible(await bot.command(ADMIN, ADMIN, "stats"))
        assert phrases.STATS_UNAVAILABLE in stats
        assert phrases.STATS_LOST.format(lost=2) in stats
    assert settings.database_path.read_bytes() == before


class DiskFull:
    """Makes ``Store.log_exchange`` fail as SQLite does on a full disk, ``times`` times (None: always)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, times: int | None) -> None:
        self.times = times
        self.calls = 0
        real = Store.log_exchange

        async def log_exchange(store: Store, exchange: Any) -> int:
            self.calls += 1
            if self.times is None or self.calls <= self.times:
                cause = sqlite3.OperationalError("database or disk is full")
                raise StoreError(f"logging an exchange failed ({store.path}): {cause}") from cause
            return await real(store, exchange)

        monkeypatch.setattr(Store, "log_exchange", log_exchange)


async def test_a_full_disk_is_retried_and_the_row_lands_when_space_returns(
    make_settings: MakeSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with running_bot(make_settings, config_replace=FAST) as bot:
        await ask_once(bot, USER)
        await logged(bot, 1)
        before = snapshot(bot.settings.database_path)
        full = DiskFull(monkeypatch, times=2)
        assert "[1]" in visible((await ask_once(bot, OTHER))[1])
        await logged(bot, 2)
        assert (full.calls, bot.services.log_writer.retried, bot.services.log_writer.lost) == (3, 2, 0)
    assert snapshot(bot.settings.database_path)[: len(before)] == before
    assert [r["user_id"] for r in exchanges(bot)] == [USER, OTHER]


async def test_a_disk_that_stays_full_counts_rows_as_lost_and_stats_say_so(
    make_settings: MakeSettings, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async with running_bot(make_settings, config_replace=FAST) as bot:
        await ask_once(bot, USER)
        await logged(bot, 1)
        before = snapshot(bot.settings.database_path)
        DiskFull(monkeypatch, times=None)
        assert "[1]" in visible((await ask_once(bot, OTHER))[1])
        assert "الصين" in visible((await ask_once(bot, OTHER, CHINA))[1])
        await until(lambda: bot.services.log_writer.lost == 2)
        stats = visible(await bot.command(ADMIN, ADMIN, "stats"))
        assert phrases.STATS_LOST.format(lost=2) in stats
    assert snapshot(bot.settings.database_path) == before
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    lost = [text for text in warnings if "lost since start" in text]
    assert lost[0].endswith("(1 row(s) lost since start)")
    assert lost[1].endswith("(2 row(s) lost since start)")


async def test_the_log_writer_keeps_order_bounds_its_queue_and_counts_what_it_loses(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "log.sqlite3")
    writer = LogWriter(attempts=2, backoff_seconds=0, capacity=3)
    writer.start(store)
    order: list[str] = []
    gate = asyncio.Event()

    async def slow(name: str) -> str:
        await gate.wait()
        order.append(name)
        return name

    async def step(name: str) -> str:
        order.append(name)
        return name

    first = writer.submit("first", lambda _store: slow("first"))
    queued = [writer.submit(name, lambda _store, n=name: step(n)) for name in ("second", "third")]
    overflow = writer.submit("fourth", lambda _store: step("fourth"))  # the queue holds 3
    assert overflow.done()
    assert overflow.result() is None
    gate.set()
    assert await first == "first"
    assert [await f for f in queued] == ["second", "third"]
    assert order == ["first", "second", "third"]
    assert (writer.written, writer.lost) == (3, 1)

    async def closed(_store: Store) -> None:
        raise StoreError("the store is closed")  # not a passing error: lost at once, not retried

    assert await writer.submit("closed", closed) is None
    assert (writer.retried, writer.lost) == (0, 2)
    await writer.close(timeout=1)
    assert await writer.submit("after close", lambda _store: step("late")) is None
    assert writer.lost == 3
    await store.close()


# --- reloads that fail halfway --------------------------------------------------------------------------


def failing_loader(error: BaseException) -> Any:
    def load(*args: Any, **kwargs: Any) -> Retriever:
        raise error

    return load


def loader_failing_while_indexing(error: BaseException) -> Any:
    """Reads the corpus for real, then fails while building the index."""

    def load(corpus_path: Path, config: Any) -> Retriever:
        retriever = load_retriever(corpus_path, config)
        if retriever.info.articles:
            raise error
        return retriever

    return load


@pytest.mark.parametrize(
    ("name", "loader"),
    [
        ("I/O error", failing_loader(OSError(errno.EIO, "Input/output error"))),
        ("exception while indexing", loader_failing_while_indexing(RuntimeError("index build failed"))),
        ("out of memory while indexing", loader_failing_while_indexing(MemoryError())),
    ],
)
async def test_a_reload_that_fails_halfway_keeps_the_old_index(
    make_settings: MakeSettings, monkeypatch: pytest.MonkeyPatch, name: str, loader: Any
) -> None:
    async with running_bot(make_settings, config_replace=FAST) as bot:
        old = bot.services.retriever
        new_article(bot.settings.corpus_path, "china_support", CHINA_PARAGRAPHS, "الصين تدعم كازاخستان")
        monkeypatch.setattr(admin_module, "load_retriever", loader)
        report = visible(await bot.command(ADMIN, ADMIN, "reload"))
        assert report.startswith("فشلت إعادة التحميل"), name
        assert bot.services.retriever is old
        assert "[1]" in visible((await ask_once(bot, USER))[1])
        await admin_module.reload_from_signal(bot.app)  # SIGHUP takes the same path
        assert bot.services.retriever is old
        monkeypatch.undo()
        assert visible(await bot.command(ADMIN, ADMIN, "reload")).startswith("أُعيد تحميل المقالات")
        assert "أعلنت الصين دعمها" in visible((await ask_once(bot, OTHER, CHINA))[1])
        assert not bot.api.rejected
        assert await bot.services.log_writer.flush(5)
    reloads = rows(bot.settings, "SELECT ok, error FROM reloads ORDER BY id")
    assert [r["ok"] for r in reloads] == [0, 0, 1]
    assert all(r["error"] for r in reloads[:2])


async def test_a_reload_with_a_bad_file_keeps_the_old_index(make_settings: MakeSettings) -> None:
    async with running_bot(make_settings, config_replace=FAST) as bot:
        old = bot.services.retriever
        bad = bot.settings.corpus_path / "articles" / "bad.md"
        bad.write_text('+++\nid = "bad"\ntitle = \n+++\n\nنص\n', encoding="utf-8")
        assert visible(await bot.command(ADMIN, ADMIN, "reload")).startswith("فشلت إعادة التحميل")
        bad.write_bytes(b"\xff\xfe not UTF-8 \x00")
        assert visible(await bot.command(ADMIN, ADMIN, "reload")).startswith("فشلت إعادة التحميل")
        assert bot.services.retriever is old
        assert "[1]" in visible((await ask_once(bot, USER))[1])


async def test_an_upload_whose_reload_fails_is_rolled_back(
    make_settings: MakeSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    raw = "\n".join(["الصين تدعم كازاخستان", "11 يناير 2022", *CHINA_PARAGRAPHS]).encode()
    async with running_bot(make_settings, config_replace=FAST) as bot:
        old = bot.services.retriever
        bot.api.push_document(ADMIN, ADMIN, "china.txt", raw)
        preview = await bot.api.wait_for_reply(ADMIN)
        failing = loader_failing_while_indexing(RuntimeError("index build failed"))
        monkeypatch.setattr(admin_module, "load_retriever", failing)
        since = len(bot.api.sent)
        add = preview.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
        bot.api.push_callback(ADMIN, ADMIN, preview.result, add)
        done = visible(await bot.api.wait_for_reply(ADMIN, since=since))
        assert phrases.UPLOAD_ROLLED_BACK.format(doc_id="china") in done
        assert not (bot.settings.corpus_path / "articles" / "china.md").exists()
        assert bot.services.retriever is old
        assert "الصين" in visible((await ask_once(bot, USER, CHINA))[1])  # still declined: old corpus


# --- kill and restart mid-conversation -------------------------------------------------------------------


def test_the_ledger_refuses_repeats_and_stays_bounded() -> None:
    ledger = UpdateLedger(capacity=3)
    assert ledger.claim(1)
    assert not ledger.claim(1)  # still being handled
    ledger.finish(1)
    assert not ledger.claim(1)  # handled
    ledger.load([2, 3])
    assert not ledger.claim(3)
    assert ledger.take_unsaved() == [1]
    assert ledger.take_unsaved() == []
    for update_id in (4, 5, 6):
        assert ledger.claim(update_id)
        ledger.finish(update_id)
    assert 1 not in ledger  # the oldest are forgotten beyond the capacity
    assert 6 in ledger
    assert ledger.skipped == 3


async def test_handled_update_ids_are_kept_per_bot_for_two_days(tmp_path: Path) -> None:
    now = datetime.now(UTC)
    async with await Store.open(tmp_path / "log.sqlite3") as store:
        await store.mark_processed(1, [10], created_at=now - timedelta(hours=49))
        await store.mark_processed(1, [12, 11])
        await store.mark_processed(1, [11])  # recorded once
        await store.mark_processed(2, [10])  # another bot, its own ids
        assert await store.processed_updates(1, now - KEEP) == (12, 11)
        assert await store.processed_updates(2, now - KEEP) == (10,)
        assert await store.purge_processed(KEEP) == 1
        assert await store.processed_updates(1, now - timedelta(days=30)) == (12, 11)


async def test_the_log_writer_saves_its_ledger_one_write_at_a_time(tmp_path: Path) -> None:
    writer = LogWriter(backoff_seconds=0, capacity=2)
    writer.updates.finish(9)
    writer.save_processed(1)  # no log yet: the ids stay in memory
    assert (len(writer), writer.lost) == (0, 0)
    store = await Store.open(tmp_path / "log.sqlite3")
    writer.start(store)
    saved: list[list[int]] = []
    gate = asyncio.Event()
    try:
        writer.submit("a slow write", lambda _store: gate.wait())
        writer.updates.finish(10)
        writer.save_processed(1, saved.append)
        writer.updates.finish(11)
        writer.save_processed(1, saved.append)  # the first save is still queued: it takes 11 too
        assert len(writer) == 2
        gate.set()
        assert await writer.flush(5)
        assert saved == [[9, 10, 11]]
        # A save lost because the queue was full does not hold back the next one.
        gate.clear()
        writer.submit("a slow write", lambda _store: gate.wait())
        writer.submit("another", lambda _store: gate.wait())
        writer.updates.finish(12)
        writer.save_processed(1, saved.append)
        assert writer.lost == 1
        gate.set()
        assert await writer.flush(5)
        writer.save_processed(1, saved.append)
        assert await writer.flush(5)
        assert saved == [[9, 10, 11], [12]]
        assert await store.processed_updates(1, datetime.now(UTC) - KEEP) == (12, 11, 10, 9)
    finally:
        gate.set()
        await writer.close(timeout=1)
        await store.close()
    writer.updates.finish(13)
    writer.save_processed(1, saved.append)  # closed: nothing queued, nothing lost
    assert (len(writer), writer.lost) == (0, 1)


async def test_an_update_delivered_again_after_a_restart_is_not_answered_twice(
    make_settings: MakeSettings,
) -> None:
    async with running_fake_api() as api:
        settings = make_settings(token=api.token, base_url=api.base_url, base_file_url=api.base_file_url)
        async with serving(build_application(settings)):
            first = api.push_text(USER, USER, STARTED)
            await api.wait_for_reply(USER)
        application = build_application(settings)
        async with serving(application):
            again = api.push_update(first)  # Telegram delivers the same update once more
            assert again["update_id"] == first["update_id"]
            await ask_once(api, USER, CHINA)  # the next update is answered; the repeat was skipped
            assert services_of(application).updates.skipped == 1
    assert len(replies_to(api, USER, first["message"]["message_id"])) == 1
    outcomes = [r["outcome"] for r in rows(settings, "SELECT outcome FROM exchanges ORDER BY id")]
    assert outcomes == ["answered", "declined"]


def _bot_process_env(api: FakeBotAPI, settings: Settings) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "SANAD_"))}
    env.update(
        TELEGRAM_BOT_TOKEN=api.token,
        SANAD_TELEGRAM_BASE_URL=api.base_url,
        SANAD_TELEGRAM_BASE_FILE_URL=api.base_file_url,
        SANAD_ADMIN_IDS=str(ADMIN),
        SANAD_DATABASE=str(settings.database_path),
        PTB_TIMEDELTA="1",
        PYTHONUNBUFFERED="1",
    )
    return env


def _processed(settings: Settings, update_id: int) -> bool:
    if not settings.database_path.exists():
        return False
    with contextlib.suppress(sqlite3.OperationalError):  # the table appears with the migration
        found = rows(settings, "SELECT 1 AS n FROM processed_updates WHERE update_id = ?", update_id)
        return bool(found)
    return False


async def test_a_bot_killed_mid_conversation_answers_nothing_twice_and_skips_nothing(
    make_settings: MakeSettings, tmp_path: Path
) -> None:
    async with running_fake_api() as api:
        settings = make_settings(token=api.token, base_url=api.base_url, base_file_url=api.base_file_url)
        stderr = (tmp_path / "bot-stderr.log").open("wb")
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "--config", str(tmp_path / "config.toml"), "run",
            cwd=REPO, env=_bot_process_env(api, settings), stdout=asyncio.subprocess.DEVNULL, stderr=stderr,
        )  # fmt: skip
        try:
            # 1. The bot (another process) answers a first question; Telegram gets it confirmed.
            await until(lambda: api.get_updates_calls >= 1, seconds=30)
            polls = api.get_updates_calls
            q1 = api.push_text(USER, USER, STARTED)
            await api.wait_for_reply(USER, timeout=10)
            await until(lambda: _processed(settings, q1["update_id"]) and api.get_updates_calls > polls)
            # 2. From now on getUpdates fails, so the next update is never confirmed to Telegram: the
            #    poll already waiting delivers it, the bot answers, and then the process is killed.
            api.fail_next("getUpdates", 502, count=1_000_000)
            q2 = api.push_text(USER, USER, CHINA)
            await api.wait_for_reply(USER, timeout=10)
            await until(lambda: _processed(settings, q2["update_id"]))
            assert api.stats()["pending_updates"] == 1  # Telegram would deliver q2 again
            process.kill()  # SIGKILL: no shutdown, nothing confirmed, nothing flushed
            await process.wait()
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
            stderr.close()
        # 3. While the bot is down another user writes; then a new bot starts on the same log.
        api.clear_faults()
        q3 = api.push_text(OTHER, OTHER, STARTED)
        application = build_application(settings)
        async with serving(application):
            third = await api.wait_for_reply(OTHER, timeout=10)
            assert "[1]" in visible(third)
            since = len(api.sent)
            api.push_command(USER, USER, "sources")
            sources = await api.wait_for_reply(USER, since=since)
            assert visible(sources).startswith("المصادر:")  # the answer to q1 (q2 was declined)
            assert services_of(application).updates.skipped == 1  # q2 came again and was refused
            assert api.stats()["pending_updates"] == 0
    assert len(replies_to(api, USER, q1["message"]["message_id"])) == 1
    assert len(replies_to(api, USER, q2["message"]["message_id"])) == 1
    assert len(replies_to(api, OTHER, q3["message"]["message_id"])) == 1
    assert not api.rejected[-1:] or api.rejected[-1].method == "getUpdates"
    logged = rows(settings, "SELECT user_id, outcome FROM exchanges ORDER BY id")
    assert [(r["user_id"], r["outcome"]) for r in logged] == [
        (USER, "answered"),
        (USER, "declined"),
        (OTHER, "answered"),
        (USER, "command"),
    ]
