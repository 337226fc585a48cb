"""The durable inbox (bot.inbox, bot.intake): every update is in SQLite before Telegram is told it
arrived; what a crash leaves unhandled is handled at the next start, exactly once.

The kill tests run ``sanad run`` in another process against the fake Bot API, slowed down so that many
questions are in flight, and kill it with SIGKILL mid-burst and again during the start-up replay.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
import socket
import sqlite3
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from telegram import Update

from bot.app import CONNECTION_POOL_SIZE as POOL
from bot.app import build_application, serving
from bot.context import services_of
from bot.inbox import MAX_REPLAYS, SENT_SUFFIX, SentJournal, inbox_of
from bot.inline import inline_state
from bot.intake import SECRET_HEADER, RawUpdatesRequest, Webhook
from bot.log import InboxEntry, Store, StoreError
from bot.log.ledger import KEEP
from bot.settings import Settings
from tests.conftest import REPO, MakeSettings
from tests.fakes.bot_api import Call, FakeBotAPI, running_fake_api
from tests.test_e2e_bot import CHINA, STARTED, USER, rows, until, visible
from tests.test_faults import _bot_process_env

SECRET = "s" * 40
BURST = 40
FIRST_CHAT = 500_000


def replies_to(api: FakeBotAPI, chat_id: int, message_id: int) -> list[Call]:
    return [
        call
        for call in api.calls("sendMessage", chat_id=chat_id)
        if (call.params.get("reply_parameters") or {}).get("message_id") == message_id
    ]


def in_flight(api: FakeBotAPI) -> bool:
    """Every HTTP connection of the bot is waiting for Telegram to answer a sendMessage."""
    return api.held("sendMessage") == POOL


def key(update: dict[str, Any]) -> tuple[int, int]:
    return update["message"]["chat"]["id"], update["message"]["message_id"]


def free_port() -> int:
    with contextlib.closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def webhook_config(port: int) -> dict[str, str]:
    return {
        'mode = "polling"': 'mode = "webhook"',
        'webhook_url = ""': f'webhook_url = "https://127.0.0.1:{port}/hook"',
        "webhook_port = 8443": f"webhook_port = {port}",
    }


def webhook_for(port: int) -> Webhook:
    return Webhook(
        url=f"https://127.0.0.1:{port}/hook",
        listen="127.0.0.1",
        port=port,
        url_path="/hook",
        secret_token=SECRET,
    )


def fake_settings(make_settings: MakeSettings, api: FakeBotAPI, **kwargs: Any) -> Settings:
    return make_settings(token=api.token, base_url=api.base_url, base_file_url=api.base_file_url, **kwargs)


def inbox_rows(settings: Settings) -> list[sqlite3.Row]:
    return rows(settings, "SELECT update_id, attempts, failed_at FROM inbox ORDER BY id")


def journal_of(settings: Settings) -> Path:
    return settings.database_path.with_name(settings.database_path.name + SENT_SUFFIX)


def read_journal(settings: Settings) -> bytes:
    return journal_of(settings).read_bytes()


def processed(settings: Settings) -> set[int]:
    return {int(r["update_id"]) for r in rows(settings, "SELECT update_id FROM processed_updates")}


async def seed_inbox(
    settings: Settings, api: FakeBotAPI, updates: list[dict[str, Any]], attempts: list[int]
) -> None:
    """Leave ``updates`` in the inbox as a crashed process would (they are still unconfirmed at the fake)."""
    bot_id = int(api.bot_user["id"])
    async with await Store.open(settings.database_path) as store:
        await store.inbox_add(bot_id, [(u["update_id"], json.dumps(u, ensure_ascii=False)) for u in updates])
        for update, count in zip(updates, attempts, strict=True):
            for _ in range(count):
                await store.inbox_attempt(bot_id, [update["update_id"]])


# --- the store ------------------------------------------------------------------------------------------


async def test_inbox_rows_leave_with_the_ledger_and_are_purged_with_it(tmp_path: Path) -> None:
    async with await Store.open(tmp_path / "log.sqlite3") as store:
        assert await store.inbox_add(1, [(12, '{"update_id": 12}'), (11, '{"update_id": 11}')]) == 2
        await store.inbox_add(1, [(12, '{"update_id": 12, "again": true}')])  # a repeat changes nothing
        await store.inbox_add(2, [(12, '{"update_id": 12}')])  # another bot, its own ids
        assert await store.inbox_pending(1) == (
            InboxEntry(12, '{"update_id": 12}', 0),
            InboxEntry(11, '{"update_id": 11}', 0),
        )  # arrival order
        await store.inbox_attempt(1, [11])
        await store.mark_processed(1, [12])  # handled: out of the inbox in the same transaction
        assert [(e.update_id, e.attempts) for e in await store.inbox_pending(1)] == [(11, 1)]
        await store.inbox_fail(1, [11])
        assert await store.inbox_pending(1) == ()
        assert 11 in await store.processed_updates(1, datetime.now(UTC) - KEEP)  # a redelivery is refused
        assert len(await store.inbox_pending(2)) == 1
        assert await store.purge_processed(KEEP, now=datetime.now(UTC) + timedelta(hours=49)) == 4


def test_the_sent_journal_survives_a_cut_line_and_is_rewritten_with_what_is_still_needed(
    tmp_path: Path,
) -> None:
    path = tmp_path / f"log.sqlite3{SENT_SUFFIX}"
    path.write_bytes(b"7\n8\n9")  # the last line cut short by a crash is still a whole number here
    journal = SentJournal()
    assert journal.open(path) == {7, 8, 9}
    journal.committed([7, 8, 9])
    journal.rewrite()
    assert path.read_bytes() == b""
    journal.record(10)
    journal.record(10)  # once
    journal.record(11)
    journal.committed([10])
    journal.rewrite()
    journal.close()
    assert path.read_bytes() == b"11\n"
    path.write_bytes(b"11\n1")
    path.write_bytes(path.read_bytes() + b"x\n")
    assert SentJournal().open(path) == {11}  # "1x" is not an id


def test_a_journal_that_cannot_be_written_never_stops_a_reply(tmp_path: Path) -> None:
    journal = SentJournal()
    journal.open(tmp_path / "log.sqlite3-sent")
    assert journal._fd is not None
    os.close(journal._fd)  # as if the disk failed under it
    journal.record(12)  # no exception: the reply goes out unprotected
    assert journal.failures == 1
    journal._fd = None


def test_a_getupdates_answer_is_stored_as_received() -> None:
    raw = RawUpdatesRequest()
    sent = {"update_id": 5, "message": {"message_id": 1, "date": 0, "chat": {"id": 1, "type": "private"}}}
    update = Update.de_json(sent, None)
    raw._body = json.dumps({"ok": True, "result": [sent]}).encode()
    assert [json.loads(p) for p in raw.payloads([update])] == [sent]
    raw._body = b"not json"  # never happens; the update is serialised from PTB's object instead
    assert json.loads(raw.payloads([update])[0])["update_id"] == 5


# --- start-up replay ------------------------------------------------------------------------------------


async def test_updates_left_in_the_inbox_are_answered_first_in_order_once_and_poison_is_set_aside(
    make_settings: MakeSettings, caplog: pytest.LogCaptureFixture
) -> None:
    async with running_fake_api() as api:
        settings = fake_settings(make_settings, api)
        poison = api.push_text(USER, USER, STARTED)  # replayed twice already without finishing
        suspect = api.push_text(USER + 1, USER + 1, STARTED)  # replayed once without finishing
        fresh = api.push_text(USER + 2, USER + 2, CHINA)
        sent = api.push_text(USER + 3, USER + 3, STARTED)  # its reply went out just before the crash
        await seed_inbox(settings, api, [poison, suspect, fresh, sent], [MAX_REPLAYS, 1, 0, 0])
        journal_of(settings).write_text(f"{sent['update_id']}\n")
        application = build_application(settings)
        with caplog.at_level(logging.ERROR, logger="bot.inbox"):
            async with serving(application):
                # The replay is over before polling starts: both were answered without a getUpdates.
                assert api.get_updates_calls == 0
                assert len(api.replies()) == 2
                api.push_text(USER + 4, USER + 4, STARTED)  # polling resumes; the seeded updates come again
                await api.wait_for_reply(USER + 4)
                inbox = inbox_of(application)
                assert inbox is not None
                assert (inbox.replayed, inbox.failed) == (2, 1)
                assert services_of(application).updates.skipped == 4  # all four came again from Telegram
    assert [call.params["chat_id"] for call in api.replies()] == [USER + 1, USER + 2, USER + 4]
    assert "[1]" in visible(api.replies()[0])
    assert f"update {poison['update_id']} was being handled at {MAX_REPLAYS} crashes" in caplog.text
    left = inbox_rows(settings)
    assert [(r["update_id"], r["failed_at"] is not None) for r in left] == [(poison["update_id"], True)]
    ids = [u["update_id"] for u in (poison, suspect, fresh, sent)]
    assert set(ids) <= processed(settings)
    assert read_journal(settings) == b""


async def test_a_live_question_passes_through_the_inbox_and_leaves_it_when_handled(
    make_settings: MakeSettings,
) -> None:
    async with running_fake_api() as api:
        settings = fake_settings(make_settings, api)
        application = build_application(settings)
        async with serving(application):
            update = api.push_text(USER, USER, STARTED)
            await api.wait_for_reply(USER)
            inbox = inbox_of(application)
            assert inbox is not None
            await until(lambda: inbox.sent.path is not None and inbox.sent.path.read_bytes() != b"")
            journal = inbox.sent.path
            assert journal is not None
            assert journal.read_bytes() == f"{update['update_id']}\n".encode()  # before any commit
            assert await services_of(application).log_writer.flush(5)
    assert inbox_rows(settings) == []
    assert update["update_id"] in processed(settings)


async def test_inline_queries_are_answered_live_and_never_kept_in_the_inbox(
    make_settings: MakeSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    written: list[int] = []
    original = Store.inbox_add

    async def recording(self: Store, bot_id: int, updates: Any, **kwargs: Any) -> int:
        written.extend(update_id for update_id, _ in updates)
        return await original(self, bot_id, updates, **kwargs)

    monkeypatch.setattr(Store, "inbox_add", recording)
    async with running_fake_api(bot_user={"supports_inline_queries": True}) as api:
        settings = fake_settings(make_settings, api)
        application = build_application(settings)
        inline_state(application).debounce_seconds = 0.0
        async with serving(application):
            question = api.push_text(USER, USER, STARTED)
            await api.wait_for_reply(USER)
            pushed = api.push_inline_query(USER, STARTED)
            await api.wait_until(lambda: bool(api.inline_answers))
    assert question["update_id"] in written
    assert pushed["update_id"] not in written


async def test_a_failing_inbox_write_does_not_stop_answers(
    make_settings: MakeSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(self: Store, *args: Any, **kwargs: Any) -> int:
        raise StoreError("disk I/O error")

    monkeypatch.setattr(Store, "inbox_add", broken)
    async with running_fake_api() as api:
        application = build_application(fake_settings(make_settings, api))
        async with serving(application):
            api.push_text(USER, USER, STARTED)
            assert "[1]" in visible(await api.wait_for_reply(USER))
            inbox = inbox_of(application)
            assert inbox is not None
            assert inbox.unsaved == 1


# --- webhook ----------------------------------------------------------------------------------------------


async def test_the_webhook_answers_200_only_once_the_update_is_in_the_inbox(
    make_settings: MakeSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    entered, release = asyncio.Event(), asyncio.Event()
    original = Store.inbox_add

    async def held(self: Store, *args: Any, **kwargs: Any) -> int:
        entered.set()
        await release.wait()
        return await original(self, *args, **kwargs)

    async with running_fake_api() as api:
        api.webhook_tls_proxy = True
        port = free_port()
        settings = fake_settings(make_settings, api)
        application = build_application(settings)
        async with serving(application, webhook=webhook_for(port)):
            assert api.webhook["url"] == f"https://127.0.0.1:{port}/hook"
            url = f"http://127.0.0.1:{port}/hook"
            forged = {
                "update_id": 900,
                "message": {"message_id": 1, "date": 0, "chat": {"id": 1, "type": "private"}},
            }
            async with httpx.AsyncClient() as client:
                assert (await client.post(url, json=forged)).status_code == 403  # no secret
                wrong = {SECRET_HEADER: "x" * 40}
                assert (await client.post(url, json=forged, headers=wrong)).status_code == 403
                good = {SECRET_HEADER: SECRET}
                assert (await client.post(url, content=b"{not json", headers=good)).status_code == 400
            monkeypatch.setattr(Store, "inbox_add", held)
            update = api.push_text(USER, USER, STARTED)  # the fake posts it to the webhook
            await entered.wait()
            assert api.webhook_deliveries == []  # no 200 yet: Telegram would deliver it again
            assert not api.replies()
            release.set()
            assert "[1]" in visible(await api.wait_for_reply(USER))
            assert api.webhook_deliveries == [update["update_id"]]


# --- kill and restart mid-burst ---------------------------------------------------------------------------


@contextlib.asynccontextmanager
async def sanad_run(
    api: FakeBotAPI, settings: Settings, config: Path, stderr: Path
) -> AsyncIterator[asyncio.subprocess.Process]:
    """``sanad run`` in another process; killed with SIGKILL when the block ends (if still running)."""
    env = {**_bot_process_env(api, settings), "SANAD_RATE_LIMITER": "off"}
    with stderr.open("ab") as err:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "--config", str(config), "run",
            cwd=REPO, env=env, stdout=asyncio.subprocess.DEVNULL, stderr=err,
        )  # fmt: skip
        try:
            yield process
        finally:
            if process.returncode is None:
                process.send_signal(signal.SIGKILL)
                await process.wait()


@pytest.mark.parametrize("kill_at", ["first_wave", "mid_burst"])
@pytest.mark.parametrize("mode", ["polling", "webhook"])
async def test_a_burst_killed_mid_way_and_during_the_replay_is_answered_exactly_once(
    make_settings: MakeSettings, tmp_path: Path, mode: str, kill_at: str
) -> None:
    port = free_port()
    async with running_fake_api() as api:
        api.webhook_tls_proxy = True
        settings = fake_settings(
            make_settings, api, config_replace=webhook_config(port) if mode == "webhook" else {}
        )
        config, stderr = tmp_path / "config.toml", tmp_path / "bot-stderr.log"
        # Telegram's latency from a distant server: many replies in flight. Long enough that a bot slowed
        # by a loaded machine (answers computed one by one) still fills every connection before the first
        # reply returns: at 0.3 s a busy CI machine never saw the pool full and timed out. With a webhook,
        # every delivery waits for the bot's event loop, which answers between them: on a two-core machine
        # the 40 deliveries took 5.5 s, as long as 40 replies at 1 s, so the burst was answered before the
        # first wave could be caught in flight. At 3 s the replies outlast the deliveries threefold.
        api.delay("sendMessage", 3.0)
        # 1. A burst of questions from BURST users. SIGKILL while a wave of replies is in flight (every
        #    connection of the bot waits for Telegram's answer): the first wave, once Telegram was told
        #    every update arrived, or the second. (Never inside the one remaining window, which lasts
        #    microseconds: see bot.inbox.)
        async with sanad_run(api, settings, config, stderr) as first:
            ready = (
                (lambda: api.get_updates_calls >= 1)
                if mode == "polling"
                else (lambda: bool(api.webhook["url"]))
            )
            await until(ready, seconds=60)
            burst = [
                api.push_text(FIRST_CHAT + n, FIRST_CHAT + n, STARTED if n % 2 else CHINA)
                for n in range(BURST)
            ]
            received = (
                (lambda: api.stats()["pending_updates"] == 0)
                if mode == "polling"
                else (lambda: len(api.webhook_deliveries) == BURST)
            )
            answered = 0 if kill_at == "first_wave" else POOL
            await api.wait_until(
                lambda: received() and len(api.replies()) >= answered and in_flight(api), timeout=30
            )
            first.send_signal(signal.SIGKILL)
            await first.wait()
        # 2. Restart; SIGKILL again while the replay of what was left is still answering.
        polls, deliveries, starts = (
            api.get_updates_calls,
            len(api.webhook_deliveries),
            len(api.calls("getMe")),
        )
        async with sanad_run(api, settings, config, stderr) as second:
            # Replies the first process had sent before it died land while the second one starts up.
            await api.wait_until(lambda: len(api.calls("getMe")) > starts, timeout=60)
            answered_first = len(api.replies())
            assert answered_first < BURST
            await api.wait_until(
                lambda: len(api.replies()) >= answered_first + POOL and in_flight(api), timeout=60
            )
            second.send_signal(signal.SIGKILL)
            await second.wait()
        assert api.get_updates_calls == polls  # it was still replaying: polling had not resumed
        assert len(api.webhook_deliveries) == deliveries
        # 3. A third start, at full speed now, answers the rest; then a new question gets its answer.
        api.clear_faults()
        application = build_application(settings)
        async with serving(application, webhook=webhook_for(port) if mode == "webhook" else None):
            late = api.push_text(FIRST_CHAT + BURST, FIRST_CHAT + BURST, STARTED)
            await api.wait_for_reply(FIRST_CHAT + BURST, timeout=30)
            burst.append(late)
            # Replies the second process sent just before it died may still be on their way (delayed).
            await api.wait_until(lambda: all(replies_to(api, *key(update)) for update in burst), timeout=10)
        for update in burst:
            message = update["message"]
            replies = replies_to(api, message["chat"]["id"], message["message_id"])
            assert len(replies) == 1, f"question {update['update_id']} got {len(replies)} replies"
    assert not [r for r in inbox_rows(settings) if r["failed_at"] is None]
    assert not [r for r in api.rejected if r.method != "getUpdates"]


async def test_sanad_run_stops_cleanly_on_sigterm_leaving_nothing_to_replay(
    make_settings: MakeSettings, tmp_path: Path
) -> None:
    async with running_fake_api() as api:
        settings = fake_settings(make_settings, api)
        async with sanad_run(api, settings, tmp_path / "config.toml", tmp_path / "bot-stderr.log") as bot:
            await until(lambda: api.get_updates_calls >= 1, seconds=60)
            api.push_text(USER, USER, STARTED)
            await api.wait_for_reply(USER, timeout=30)
            bot.send_signal(signal.SIGTERM)
            assert await bot.wait() == 0
        assert api.stats()["pending_updates"] == 0  # the last batch was confirmed on the way out
    assert inbox_rows(settings) == []
    assert read_journal(settings) == b""
