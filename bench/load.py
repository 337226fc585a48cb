"""Load benchmark: the real bot against the fake Bot API with many simulated users.

    python bench/load.py [--users 500] [--questions 20] [--limited-users 60] [--limited-questions 3]

Phase 1 runs the real ``Application`` (``bot.app.build_application``; PTB's rate limiter off, the per-user
question limit lifted) with long polling against the fake Bot API, which runs in a separate process so
that the two do not share a core. Every user has a private chat and asks ``--questions`` questions drawn
from the dev question set, in overlapping waves: every user's next question is pushed once half of the
current wave has been answered.
It prints throughput, latency from the update being pushed to its reply (p50/p95/p99), lost and
duplicated replies (each question must get exactly one reply to it), and conversation-log rows written
against expected.

Before that, ``inbox_cost`` measures what the durable inbox (``bot.inbox``) adds per update on the reply
path: serialising a fetched update to JSON and writing a ``getUpdates`` batch in one transaction (batches
of 1, 10 and 100), and the extra work of taking handled updates out of the inbox.

Phase 2 turns PTB's ``AIORateLimiter`` on and injects HTTP 429 (``retry_after`` 1 s) into sendMessage
now and then: Telegram's limit (30 messages/s for one bot) must be sustained with nothing lost.

Figures only; nothing here asserts a time. Run from the repository root.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import json
import logging
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from telegram import Bot, Update  # noqa: E402

from bot.app import build_application, serving  # noqa: E402
from bot.intake import RawUpdatesRequest  # noqa: E402
from bot.log import Store  # noqa: E402
from bot.settings import load_settings  # noqa: E402
from tests.fakes.remote import RemoteFakeBotAPI, spawn_fake_api  # noqa: E402


@dataclasses.dataclass
class PhaseResult:
    name: str
    questions: int
    seconds: float
    latencies: list[float]
    lost: int
    duplicated: int
    rejected: int
    rows: int
    retries: int = 0

    def report(self) -> str:
        ordered = sorted(self.latencies)

        def pct(p: float) -> float:
            return 1000 * ordered[min(len(ordered) - 1, int(len(ordered) * p))] if ordered else float("nan")

        rate = self.questions / self.seconds if self.seconds else 0.0
        return (
            f"{self.name}: {self.questions} questions in {self.seconds:.1f} s = {rate:.0f} replies/s; "
            f"latency p50 {pct(0.50):.1f} ms, p95 {pct(0.95):.1f} ms, p99 {pct(0.99):.1f} ms, "
            f"mean {1000 * statistics.fmean(ordered) if ordered else float('nan'):.1f} ms; "
            f"lost {self.lost}, duplicated {self.duplicated}, rejected by the API {self.rejected}; "
            f"log rows {self.rows}/{self.questions}"
            + (f"; 429s injected {self.retries}" if self.retries else "")
        )


def questions() -> list[str]:
    rows = (json.loads(line) for line in (ROOT / "tests/data/dev.jsonl").read_text("utf-8").splitlines())
    return [row["question"] for row in rows if row]


def reply_target(call: dict[str, Any]) -> tuple[int, int] | None:
    params = call["params"]
    if call["method"] != "sendMessage":
        return None
    target = params.get("reply_parameters") or {}
    if isinstance(target, str):
        target = json.loads(target)
    message_id = target.get("message_id") or params.get("reply_to_message_id")
    return (int(params["chat_id"]), int(message_id)) if message_id else None


async def run_phase(
    remote: RemoteFakeBotAPI,
    name: str,
    users: int,
    per_user: int,
    *,
    limiter: bool,
    inject_429: int,
    database: Path,
) -> PhaseResult:
    settings = load_settings(ROOT / "config.toml", environ={"TELEGRAM_BOT_TOKEN": remote.token})
    settings = dataclasses.replace(
        settings,
        database_path=database,
        bot=dataclasses.replace(
            settings.bot,
            base_url=remote.base_url,
            base_file_url=remote.base_file_url,
            rate_limiter=limiter,
            rate_limit_count=10_000,
        ),
    )
    pool = questions()
    rng = random.Random(7)
    await remote.reset()
    application = build_application(settings)
    pushed_at: dict[tuple[int, int], float] = {}
    injected = 0
    async with serving(application):
        started = time.perf_counter()
        offset = 10_000_000 * (1 + int(limiter))  # distinct chat ids per phase
        for wave in range(per_user):
            batch = [
                {"chat_id": offset + u, "user_id": offset + u, "text": rng.choice(pool)} for u in range(users)
            ]
            if inject_429 and wave % 2 == 0:
                await remote.fail_next("sendMessage", 429, retry_after=1, count=inject_429)
                injected += inject_429
            updates = await remote.push("text", batch)
            now = time.time()
            for update in updates:
                message = update["message"]
                pushed_at[(message["chat"]["id"], message["message_id"])] = now
            # The next wave goes out once half of this one is answered, so the bot never idles between
            # waves (a user may have two questions in flight, as people who type fast do).
            await remote.wait_replies(users * wave + users // 2, timeout=300)
        await remote.wait_replies(users * per_user, timeout=300)
        seconds = time.perf_counter() - started
        await asyncio.sleep(0.5)  # let the last log writes land
    calls = await remote.calls()
    replies = Counter(t for t in map(reply_target, calls) if t is not None)
    latencies = []
    for call in calls:
        target = reply_target(call)
        if target in pushed_at and replies[target] >= 1:
            latencies.append(max(0.0, call["at"] - pushed_at[target]))
            pushed_at[target] = float("inf")  # count the first reply only
    lost = sum(1 for key in pushed_at if replies[key] == 0)
    duplicated = sum(n - 1 for n in replies.values() if n > 1)
    rejected = len(await remote.rejected())
    with contextlib.closing(sqlite3.connect(database)) as db:
        first, last = offset, offset + users
        rows = db.execute(
            "SELECT COUNT(*) FROM exchanges WHERE chat_id >= ? AND chat_id < ?", (first, last)
        ).fetchone()[0]
    return PhaseResult(
        name, users * per_user, seconds, latencies, lost, duplicated, rejected - injected, rows, injected
    )


def sample_update(update_id: int, bot: Bot) -> Update:
    """A private text message as Telegram sends it (about the size of a real one)."""
    user = {"id": 700000 + update_id, "first_name": "مستخدم"}
    data = {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 1641600000,
            "chat": {**user, "type": "private", "username": "user"},
            "from": {**user, "is_bot": False, "language_code": "ar"},
            "text": random.Random(update_id).choice(questions()),
        },
    }
    return Update.de_json(data, bot)


async def inbox_cost(directory: Path, rounds: int = 2000) -> str:
    """Per-update cost of the inbox on the reply path (serialise + batch write) and when handled."""
    bot = Bot("123456:bench-token-never-used")
    updates = [sample_update(n, bot) for n in range(1, 101)]
    started = time.perf_counter()
    for n in range(rounds):
        updates[n % 100].to_json()
    to_json_us = 1e6 * (time.perf_counter() - started) / rounds
    raw = RawUpdatesRequest()
    body = json.dumps({"ok": True, "result": [u.to_dict() for u in updates]}, ensure_ascii=False).encode()
    started = time.perf_counter()
    for _ in range(rounds // 100):
        raw._body = body  # as do_request leaves it after a getUpdates answer of 100 updates
        raw.payloads(updates)
    raw_us = 1e6 * (time.perf_counter() - started) / (rounds // 100 * 100)
    parts = [
        f"JSON of an update: Update.to_json {to_json_us:.0f} µs, from the getUpdates answer {raw_us:.0f} µs"
    ]
    async with await Store.open(directory / "inbox-bench.sqlite3") as store:
        next_id = 1
        raw._body = body
        payloads = raw.payloads(updates)
        for size in (1, 10, 100):
            batches = max(1, rounds // size)
            started = time.perf_counter()
            for _ in range(batches):
                rows = [(next_id + i, payloads[i % 100]) for i in range(size)]
                await store.inbox_add(1, rows)
                next_id += size
            write_us = 1e6 * (time.perf_counter() - started) / (batches * size)
            parts.append(f"write in batches of {size}: {write_us:.0f} µs")
        ids = list(range(1, next_id))
        started = time.perf_counter()
        for first in range(0, len(ids), 20):
            await store.mark_processed(1, ids[first : first + 20])
        done_us = 1e6 * (time.perf_counter() - started) / len(ids)
        fresh = list(range(next_id, next_id + len(ids)))
        started = time.perf_counter()
        for first in range(0, len(fresh), 20):
            await store.mark_processed(1, fresh[first : first + 20])  # nothing in the inbox to delete
        plain_us = 1e6 * (time.perf_counter() - started) / len(fresh)
    parts.append(
        f"marking handled (batches of 20) {done_us:.0f} µs with its inbox row to delete,"
        f" {plain_us:.0f} without"
    )
    return "inbox cost per update: " + "; ".join(parts)


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, default=500)
    parser.add_argument("--questions", type=int, default=20, help="questions per user")
    parser.add_argument("--limited-users", type=int, default=60, help="phase 2 users (0 skips phase 2)")
    parser.add_argument("--limited-questions", type=int, default=3)
    parser.add_argument("--inject", type=int, default=5, help="429s injected every other phase-2 wave")
    parser.add_argument("--inbox-only", action="store_true", help="only the inbox cost figures")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    with tempfile.TemporaryDirectory() as tmp:
        print(await inbox_cost(Path(tmp)), flush=True)
        if args.inbox_only:
            return
        async with spawn_fake_api() as remote:
            first = await run_phase(
                remote, "limiter off", args.users, args.questions, limiter=False, inject_429=0,
                database=Path(tmp) / "load.sqlite3",
            )
            print(first.report(), flush=True)
            if args.limited_users:
                second = await run_phase(
                    remote, "limiter on, 429s injected", args.limited_users, args.limited_questions,
                    limiter=True, inject_429=args.inject, database=Path(tmp) / "limited.sqlite3",
                )
                print(second.report(), flush=True)


if __name__ == "__main__":
    asyncio.run(main())
