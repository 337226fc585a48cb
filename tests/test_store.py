"""The conversation log: migrations, writes, queries, retention, export and error wrapping."""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import json
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import aiosqlite
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.log import (
    MIGRATIONS,
    DatabaseNotFoundError,
    Exchange,
    Origin,
    Stats,
    Store,
    StoreError,
    export_rows,
)
from retrieval.models import Answer, Citation, Hit, Sentence

NOW = datetime(2022, 1, 12, 15, 30, tzinfo=UTC)

TOKAYEV = Citation(
    doc_id="tokayev-address",
    title="خطاب توكاييف إلى الأمة",
    outlet="قناة الجزيرة",
    published=date(2022, 1, 7),
    url="https://example.org/tokayev?a=1&b=2",
)
ALMATY = Citation(doc_id="almaty-unrest", title="اضطرابات ألماتي", outlet=None, published=None, url=None)
CSTO = Citation(
    doc_id="csto-troops", title="قوات منظمة معاهدة الأمن الجماعي", outlet="بي بي سي", published=None, url=None
)


def make_exchange(
    *,
    chat_id: int = 100,
    user_id: int | None = 7,
    question: str = "ماذا قال توكاييف؟",
    normalized_query: str = "قال توكاييف",
    declined: bool = False,
    citations: tuple[Citation, ...] = (TOKAYEV, ALMATY),
    created_at: datetime | None = NOW,
) -> Exchange:
    return Exchange(
        chat_id=chat_id,
        user_id=user_id,
        chat_type="private",
        message_id=55,
        question=question,
        normalized_query=normalized_query,
        results=() if declined else (("tokayev-address:2:1", 7.25), ("almaty-unrest:1:0", 3.5)),
        citations=() if declined else citations,
        declined=declined,
        missing_terms=("بطيخ",) if declined else (),
        latency_ms=12.5,
        corpus_version="sha256:abc123",
        created_at=created_at,
    )


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "sanad.sqlite3"


@pytest.fixture
async def store(db_path: Path) -> AsyncIterator[Store]:
    opened = await Store.open(db_path)
    try:
        yield opened
    finally:
        await opened.close()


def corrupt(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\x00garbage, not SQLite\xff" * 300)


def mark_read_only(path: Path) -> None:
    """Set byte 18 of the SQLite header, the write format version, above 2: SQLite must then treat the
    file as read-only. Unlike file permissions, this holds even when the tests run as root."""
    header = bytearray(path.read_bytes())
    header[18] = 3
    path.write_bytes(bytes(header))


def is_file(path: Path) -> bool:
    return path.is_file()


def table_rows(path: Path, sql: str) -> list[dict[str, Any]]:
    """Rows as another connection to the database file sees them."""
    with contextlib.closing(sqlite3.connect(path)) as connection:
        connection.row_factory = sqlite3.Row
        return [dict(row) for row in connection.execute(sql)]


async def export_text(db_path: Path, fmt: str, since: date | None = None) -> tuple[int, str]:
    out = io.StringIO()
    count = await export_rows(db_path, out, fmt=fmt, since=since)
    return count, out.getvalue()


# --- opening and migrations ------------------------------------------------------------------------


async def test_open_creates_the_directory_and_records_the_migrations(db_path: Path) -> None:
    async with await Store.open(db_path) as store:
        assert await store.applied_migrations() == tuple(name for name, _statements in MIGRATIONS)
    assert is_file(db_path)


async def test_reopening_applies_nothing_twice_and_a_new_migration_alone(db_path: Path) -> None:
    # Neither statement can run twice without failing, so a repeated application would raise.
    first = (*MIGRATIONS, ("0100_test_notes", ("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)",)))
    async with await Store.open(db_path, migrations=first) as store:
        assert await store.applied_migrations() == tuple(name for name, _statements in first)

    async with await Store.open(db_path, migrations=first) as store:
        assert await store.applied_migrations() == tuple(name for name, _statements in first)

    second = (*first, ("0101_test_note_author", ("ALTER TABLE notes ADD COLUMN author TEXT",)))
    async with await Store.open(db_path, migrations=second) as store:
        assert await store.applied_migrations() == tuple(name for name, _statements in second)
        exchange_id = await store.log_exchange(make_exchange())
        assert await store.citations_for(exchange_id) == (TOKAYEV, ALMATY)


async def test_a_failing_migration_is_rolled_back_and_not_recorded(db_path: Path) -> None:
    half_done = ("CREATE TABLE half (x)", "INSERT INTO no_such_table VALUES (1)")
    broken = (*MIGRATIONS, ("0100_half_done", half_done))
    with pytest.raises(StoreError, match="0100_half_done"):
        await Store.open(db_path, migrations=broken)
    # The table created before the failure was rolled back too, so the fixed migration applies cleanly.
    fixed = (*MIGRATIONS, ("0100_half_done", ("CREATE TABLE half (x)",)))
    async with await Store.open(db_path, migrations=fixed) as store:
        assert await store.applied_migrations() == tuple(name for name, _statements in fixed)


async def test_duplicate_migration_names_are_refused(db_path: Path) -> None:
    with pytest.raises(ValueError, match="unique"):
        await Store.open(db_path, migrations=(*MIGRATIONS, MIGRATIONS[0]))


async def test_a_migration_is_a_tuple_of_statements(db_path: Path) -> None:
    for statements in ("CREATE TABLE notes (x);", (), ("CREATE TABLE notes (x)", 1)):
        with pytest.raises(ValueError, match="tuple of SQL statements"):
            await Store.open(db_path, migrations=(*MIGRATIONS, ("0100_notes", statements)))
    assert not is_file(db_path)  # refused before the file is created


def test_applied_migration_names_never_change() -> None:
    # Existing logs recognise what they already applied by these names.
    assert [name for name, _statements in MIGRATIONS] == [
        "0001_conversation_log",
        "0002_outcome",
        "0003_processed_updates",
        "0004_inbox",
        "0005_resolved_question",
    ]


async def test_the_database_runs_in_wal_mode(store: Store, db_path: Path) -> None:
    assert await store.journal_mode() == "wal"
    await store.log_exchange(make_exchange())
    assert is_file(db_path.with_name(db_path.name + "-wal"))


async def test_in_memory_database_for_tests() -> None:
    async with await Store.open(Path(":memory:")) as store:
        exchange_id = await store.log_exchange(make_exchange())
        assert await store.citations_for(exchange_id) == (TOKAYEV, ALMATY)


# --- writing and reading exchanges -----------------------------------------------------------------


def test_an_exchange_for_an_answer_and_for_a_notice() -> None:
    origin = Origin(chat_id=100, user_id=7, chat_type="private", message_id=55)
    hits = (
        Hit(Sentence("tokayev-address", 2, 1, "..."), 7.25, (TOKAYEV,)),
        Hit(Sentence("almaty-unrest", 1, 0, "..."), 3.5, (ALMATY, TOKAYEV)),
    )
    answer = Answer("ماذا قال توكاييف؟", ("قال", "توكاييف"), hits, declined=False)
    declined = replace(answer, hits=(), declined=True, missing_terms=("بطيخ",))
    for shown in (answer, declined):
        made = Exchange.for_answer(
            origin, "ماذا قال توكاييف؟", shown, latency_ms=12.5, corpus_version="sha256:abc123"
        )
        assert made == make_exchange(declined=shown.declined, created_at=None)
    notice = Exchange.notice(origin, "/help", "command", latency_ms=3, corpus_version="v", reply_message_id=9)
    assert notice == Exchange(
        chat_id=100, user_id=7, chat_type="private", message_id=55, question="/help", normalized_query="",
        results=(), citations=(), declined=False, missing_terms=(), latency_ms=3.0, corpus_version="v",
        reply_message_id=9, outcome="command",
    )  # fmt: skip


async def test_log_exchange_round_trip(store: Store) -> None:
    written = replace(make_exchange(), reply_message_id=56)
    exchange_id = await store.log_exchange(written)
    assert await store.exchange(exchange_id) == replace(written, outcome="answered")
    assert await store.exchange(exchange_id + 1000) is None


async def test_every_replied_message_is_logged_with_its_outcome(store: Store) -> None:
    answered = await store.log_exchange(make_exchange(chat_id=5))
    for outcome in ("empty", "too_long", "command", "non_text"):
        await store.log_exchange(replace(make_exchange(chat_id=5, citations=()), outcome=outcome))
    exchange = await store.exchange(answered + 1)
    assert exchange is not None
    assert exchange.outcome == "empty"
    # /sources still finds the last *answer*, not the notices that came after it.
    assert await store.last_citations(5) == (TOKAYEV, ALMATY)
    with pytest.raises(ValueError, match="outcome"):
        await store.log_exchange(replace(make_exchange(), outcome="weird"))


async def test_the_outcome_migration_marks_old_declines(db_path: Path) -> None:
    first = MIGRATIONS[:1]
    old = await Store.open(db_path, migrations=first)
    async with old, old._transaction("old row") as connection:  # a row as the first schema wrote it
        await connection.execute(
            "INSERT INTO exchanges (created_at, chat_id, user_id, chat_type, question, normalized_query,"
            " results, citations, declined, missing_terms, latency_ms, corpus_version)"
            " VALUES ('2022-01-05T00:00:00.000000+00:00', 1, 1, 'private', 'q', 'q', '[]', '[]', 1,"
            " '[]', 1.0, 'v')"
        )
    count, text = await export_text(db_path, "jsonl")  # export reads a log that was never migrated
    assert (count, json.loads(text)["outcome"]) == (1, "declined")
    async with await Store.open(db_path) as store:
        assert "0002_outcome" in await store.applied_migrations()
        exchange = await store.exchange(1)
        assert exchange is not None
        assert exchange.outcome == "declined"


async def test_created_at_defaults_to_now_in_utc(store: Store) -> None:
    exchange_id = await store.log_exchange(make_exchange(created_at=None))
    stored = await store.exchange(exchange_id)
    assert stored is not None
    assert stored.created_at is not None
    assert stored.created_at.utcoffset() == timedelta(0)


async def test_other_time_zones_are_stored_as_utc(store: Store) -> None:
    almaty = timezone(timedelta(hours=6))
    written = make_exchange(created_at=datetime(2022, 1, 5, 8, 0, tzinfo=almaty))
    exchange_id = await store.log_exchange(written)
    stored = await store.exchange(exchange_id)
    assert stored is not None
    assert stored.created_at == datetime(2022, 1, 5, 2, 0, tzinfo=UTC)
    assert stored.created_at.tzinfo == UTC


async def test_naive_datetimes_are_refused(store: Store) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        await store.log_exchange(make_exchange(created_at=datetime(2022, 1, 5, 8, 0)))  # noqa: DTZ001


async def test_reply_message_links_back_to_its_exchange(store: Store) -> None:
    await store.log_exchange(make_exchange(chat_id=100))
    assert await store.exchange_for_reply(100, 900) is None
    exchange_id = await store.log_exchange(replace(make_exchange(chat_id=100), reply_message_id=900))
    assert await store.exchange_for_reply(100, 900) == exchange_id
    assert await store.exchange_for_reply(200, 900) is None  # message ids are per chat


async def test_citations_for_an_older_answer(store: Store) -> None:
    older = await store.log_exchange(make_exchange(citations=(ALMATY,)))
    await store.log_exchange(make_exchange(citations=(CSTO,)))
    assert await store.citations_for(older) == (ALMATY,)
    assert await store.citations_for(older + 1000) == ()


async def test_last_citations_are_the_latest_answered_exchange_per_chat(store: Store) -> None:
    assert await store.last_citations(100) is None
    await store.log_exchange(make_exchange(chat_id=100, citations=(TOKAYEV,)))
    await store.log_exchange(make_exchange(chat_id=200, citations=(CSTO,)))
    await store.log_exchange(make_exchange(chat_id=100, declined=True))
    assert await store.last_citations(100) == (TOKAYEV,)

    await store.log_exchange(make_exchange(chat_id=100, citations=(ALMATY, CSTO)))
    assert await store.last_citations(100) == (ALMATY, CSTO)
    assert await store.last_citations(200) == (CSTO,)
    assert await store.last_citations(300) is None


async def test_last_citations_survive_a_restart(db_path: Path) -> None:
    async with await Store.open(db_path) as store:
        await store.log_exchange(make_exchange(chat_id=100, citations=(TOKAYEV, ALMATY)))
        await store.log_exchange(make_exchange(chat_id=100, declined=True))
    async with await Store.open(db_path) as store:
        # The full citation (title, outlet, date, link) comes from the log, not from the corpus.
        assert await store.last_citations(100) == (TOKAYEV, ALMATY)


async def test_injection_looking_text_is_stored_verbatim(store: Store) -> None:
    hostile = "'); DROP TABLE exchanges;-- \" OR 1=1 <b>&amp;</b> ما هذا؟"
    citations = (replace(TOKAYEV, title=hostile),)
    exchange_id = await store.log_exchange(
        make_exchange(question=hostile, normalized_query=hostile, citations=citations)
    )
    await store.record_denied(7, 100, hostile, created_at=NOW)
    stored = await store.exchange(exchange_id)
    assert stored is not None
    assert stored.question == hostile
    assert stored.normalized_query == hostile
    assert stored.citations[0].title == hostile
    assert (await store.recent_questions())[0][1] == hostile
    assert (await store.stats(NOW)).denied_admin_attempts_7d == 1
    assert await store.log_exchange(make_exchange()) == exchange_id + 1  # the table is still there


@settings(max_examples=40, deadline=None)
@given(question=st.text(max_size=60), terms=st.lists(st.text(max_size=10), max_size=3))
def test_any_text_round_trips(question: str, terms: list[str]) -> None:
    async def round_trip() -> Exchange | None:
        async with await Store.open(Path(":memory:")) as store:
            exchange = replace(make_exchange(declined=True, question=question), missing_terms=tuple(terms))
            return await store.exchange(await store.log_exchange(exchange))

    stored = asyncio.run(round_trip())
    assert stored is not None
    # Lone surrogates cannot be UTF-8 encoded; they are the only characters that may change.
    if not any("\ud800" <= char <= "\udfff" for char in question + "".join(terms)):
        assert stored.question == question
        assert stored.missing_terms == tuple(terms)


async def test_concurrent_writes_all_land(store: Store) -> None:
    ids = await asyncio.gather(*(store.log_exchange(make_exchange(chat_id=n)) for n in range(25)))
    assert len(set(ids)) == 25
    assert (await store.stats(NOW)).questions_7d == 25


# --- feedback --------------------------------------------------------------------------------------


async def test_feedback_latest_vote_wins(store: Store) -> None:
    exchange_id = await store.log_exchange(make_exchange())
    await store.record_feedback(exchange_id, user_id=1, value=1)
    await store.record_feedback(exchange_id, user_id=1, value=-1)
    await store.record_feedback(exchange_id, user_id=2, value=1)
    stats = await store.stats(NOW)
    assert (stats.feedback_up, stats.feedback_down) == (1, 1)

    await store.record_feedback(exchange_id, user_id=1, value=1)
    stats = await store.stats(NOW)
    assert (stats.feedback_up, stats.feedback_down) == (2, 0)


async def test_feedback_values_are_plus_or_minus_one(store: Store) -> None:
    exchange_id = await store.log_exchange(make_exchange())
    with pytest.raises(ValueError, match="feedback value"):
        await store.record_feedback(exchange_id, user_id=1, value=5)


async def test_feedback_on_a_vanished_exchange_is_ignored(store: Store) -> None:
    await store.record_feedback(12345, user_id=1, value=1)
    stats = await store.stats(NOW)
    assert (stats.feedback_up, stats.feedback_down) == (0, 0)


# --- stats -----------------------------------------------------------------------------------------


async def test_stats_counts_with_an_explicit_now(store: Store) -> None:
    async def ask(hours_ago: float, *, declined: bool = False, query: str = "قال توكاييف") -> int:
        when = NOW - timedelta(hours=hours_ago)
        exchange = make_exchange(declined=declined, normalized_query=query, created_at=when)
        return await store.log_exchange(exchange)

    answered = await ask(1)  # today
    await ask(14, declined=True, query="سعر البطيخ")  # today (01:30 UTC)
    await ask(20, declined=True, query="سعر البطيخ")  # yesterday
    await ask(50, declined=True, query="الطقس")
    await ask(6 * 24)
    await ask(8 * 24, declined=True, query="قديم")  # outside the 7 days
    await ask(-2)  # after `now`: not counted

    await store.record_feedback(answered, user_id=1, value=1)
    await store.record_feedback(answered, user_id=2, value=1)
    await store.record_feedback(answered, user_id=3, value=-1)
    await store.record_denied(9, 100, "/reload", created_at=NOW - timedelta(days=2))
    await store.record_denied(9, 100, "/stats", created_at=NOW - timedelta(days=10))

    assert await store.stats(NOW) == Stats(
        questions_today=2,
        questions_7d=5,
        answered_7d=2,
        declined_7d=3,
        top_declined=(("سعر البطيخ", 2), ("الطقس", 1)),
        feedback_up=2,
        feedback_down=1,
        denied_admin_attempts_7d=1,
    )


async def test_stats_count_questions_apart_from_other_replies(store: Store) -> None:
    await store.log_exchange(make_exchange())
    await store.log_exchange(make_exchange(declined=True))
    for outcome in ("empty", "empty", "rate_limited"):
        await store.log_exchange(replace(make_exchange(citations=()), outcome=outcome))
    stats = await store.stats(NOW)
    assert (stats.questions_7d, stats.answered_7d, stats.declined_7d) == (2, 1, 1)
    assert stats.other_7d == (("empty", 2), ("rate_limited", 1))
    assert [declined for _, _, declined in await store.recent_questions()] == [True, False]


async def test_stats_of_an_empty_log(store: Store) -> None:
    assert await store.stats(NOW) == Stats(0, 0, 0, 0, (), 0, 0, 0)


async def test_top_declined_is_limited(store: Store) -> None:
    for n in range(8):
        await store.log_exchange(make_exchange(declined=True, normalized_query=f"سؤال {n}"))
    assert len((await store.stats(NOW, top=3)).top_declined) == 3


async def test_recent_questions_newest_first(store: Store) -> None:
    await store.log_exchange(make_exchange(question="الأول", created_at=NOW - timedelta(hours=2)))
    await store.log_exchange(make_exchange(question="الثالث", declined=True, created_at=NOW))
    await store.log_exchange(make_exchange(question="الثاني", created_at=NOW - timedelta(hours=1)))
    assert await store.recent_questions(limit=2) == (
        (NOW, "الثالث", True),
        (NOW - timedelta(hours=1), "الثاني", False),
    )


async def test_reloads_are_recorded(store: Store, db_path: Path) -> None:
    await store.record_reload(1, True, 10, 12, 300, 350, "sha256:def", 812.5, created_at=NOW)
    await store.record_reload(None, False, 12, 12, 350, 350, "sha256:def", 20.0, error="bad front matter")
    first, second = table_rows(db_path, "SELECT * FROM reloads ORDER BY id")
    assert first == {
        "id": 1,
        "created_at": "2022-01-12T15:30:00.000000+00:00",
        "user_id": 1,
        "ok": 1,
        "articles_before": 10,
        "articles_after": 12,
        "sentences_before": 300,
        "sentences_after": 350,
        "content_hash": "sha256:def",
        "duration_ms": 812.5,
        "error": None,
    }
    assert (second["user_id"], second["ok"], second["error"]) == (None, 0, "bad front matter")
    assert second["created_at"] > first["created_at"]  # now, in UTC
    assert (await store.stats(NOW)).questions_7d == 0  # a reload is not an exchange


# --- retention and forgetting ----------------------------------------------------------------------


async def test_purge_deletes_rows_older_than_the_retention(store: Store) -> None:
    old = await store.log_exchange(make_exchange(created_at=NOW - timedelta(days=40)))
    recent = await store.log_exchange(make_exchange(created_at=NOW - timedelta(days=10)))
    await store.record_feedback(old, user_id=1, value=1)
    await store.record_feedback(recent, user_id=1, value=-1)
    await store.record_denied(5, 100, "/reload", created_at=NOW - timedelta(days=40))

    assert await store.purge(0, now=NOW) == 0  # 0 keeps everything
    assert await store.exchange(old) is not None

    assert await store.purge(30, now=NOW) == 3  # the old exchange, its vote, the old denied row
    assert await store.exchange(old) is None
    assert await store.exchange(recent) is not None
    stats = await store.stats(NOW)
    assert (stats.feedback_up, stats.feedback_down) == (0, 1)
    assert await store.purge(30, now=NOW) == 0


async def test_purge_refuses_a_negative_retention(store: Store) -> None:
    with pytest.raises(ValueError, match="retention_days"):
        await store.purge(-1, now=NOW)


async def test_forget_user_removes_only_that_users_rows(store: Store) -> None:
    mine = await store.log_exchange(make_exchange(user_id=1, chat_id=100))
    theirs = await store.log_exchange(make_exchange(user_id=2, chat_id=200))
    await store.record_feedback(theirs, user_id=1, value=1)  # my vote on their answer
    await store.record_feedback(mine, user_id=2, value=-1)  # their vote on my answer: goes with it
    await store.record_feedback(theirs, user_id=2, value=1)
    await store.record_denied(1, 100, "/stats", created_at=NOW)
    await store.record_denied(2, 200, "/stats", created_at=NOW)

    assert await store.forget_user(1) == 4  # my exchange, two votes, my denied row

    assert await store.exchange(mine) is None
    assert await store.last_citations(100) is None
    assert await store.exchange(theirs) is not None
    stats = await store.stats(NOW)
    assert (stats.feedback_up, stats.feedback_down, stats.denied_admin_attempts_7d) == (1, 0, 1)
    assert await store.forget_user(1) == 0


# --- export ----------------------------------------------------------------------------------------


async def test_export_jsonl(db_path: Path) -> None:
    async with await Store.open(db_path) as store:
        first = await store.log_exchange(make_exchange(created_at=datetime(2022, 1, 5, 23, 59, tzinfo=UTC)))
        await store.record_feedback(first, user_id=1, value=1)
        await store.record_feedback(first, user_id=2, value=1)
        await store.log_exchange(
            make_exchange(declined=True, user_id=None, created_at=datetime(2022, 1, 6, 0, 0, tzinfo=UTC))
        )

        count, text = await export_text(db_path, "jsonl")  # while the bot still has it open
    assert count == 2
    assert "توكاييف" in text  # Arabic written as characters,
    assert "\\u" not in text  # never as \u escapes
    rows = [json.loads(line) for line in text.splitlines()]
    assert rows[0] == {
        "id": first,
        "created_at": "2022-01-05T23:59:00.000000+00:00",
        "chat_id": 100,
        "user_id": 7,
        "chat_type": "private",
        "question": "ماذا قال توكاييف؟",
        "normalized_query": "قال توكاييف",
        "outcome": "answered",
        "declined": False,
        "missing_terms": [],
        "results": [
            {"sentence_id": "tokayev-address:2:1", "score": 7.25},
            {"sentence_id": "almaty-unrest:1:0", "score": 3.5},
        ],
        "citations": ["tokayev-address", "almaty-unrest"],
        "latency_ms": 12.5,
        "corpus_version": "sha256:abc123",
        "feedback": 2,
    }
    assert (rows[1]["declined"], rows[1]["user_id"], rows[1]["missing_terms"]) == (True, None, ["بطيخ"])

    count, text = await export_text(db_path, "jsonl", since=date(2022, 1, 6))
    assert count == 1
    assert json.loads(text)["declined"] is True


async def test_export_csv(db_path: Path) -> None:
    async with await Store.open(db_path) as store:
        await store.log_exchange(make_exchange(created_at=datetime(2022, 1, 4, tzinfo=UTC)))
        await store.log_exchange(
            make_exchange(question='سؤال, مع "فاصلة"\nوسطر', created_at=datetime(2022, 1, 8, tzinfo=UTC))
        )

    count, text = await export_text(db_path, "csv")
    assert count == 2
    assert "توكاييف" in text
    assert "\\u" not in text
    header, *rows = list(csv.reader(io.StringIO(text)))
    assert header[:3] == ["id", "created_at", "chat_id"]
    records = [dict(zip(header, row, strict=True)) for row in rows]
    assert records[0]["declined"] == "false"
    assert json.loads(records[0]["citations"]) == ["tokayev-address", "almaty-unrest"]
    assert json.loads(records[0]["results"])[0] == {"sentence_id": "tokayev-address:2:1", "score": 7.25}
    assert records[1]["question"] == 'سؤال, مع "فاصلة"\nوسطر'

    count, text = await export_text(db_path, "csv", since=date(2022, 1, 5))
    assert count == 1
    assert len(list(csv.reader(io.StringIO(text)))) == 2  # header + one row


async def test_export_of_an_empty_log_writes_only_the_csv_header(store: Store, db_path: Path) -> None:
    assert await export_text(db_path, "jsonl") == (0, "")
    count, text = await export_text(db_path, "csv")
    assert count == 0
    assert text.startswith("id,created_at,")


async def test_export_refuses_an_unknown_format(store: Store, db_path: Path) -> None:
    with pytest.raises(ValueError, match="jsonl, csv"):
        await export_rows(db_path, io.StringIO(), fmt="xml")


async def test_export_of_a_missing_database_does_not_create_it(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.sqlite3"
    with pytest.raises(DatabaseNotFoundError, match="database not found"):
        await export_rows(missing, io.StringIO())
    assert not is_file(missing)


async def test_export_of_a_corrupt_file_raises_store_error(tmp_path: Path) -> None:
    path = tmp_path / "corrupt.sqlite3"
    corrupt(path)
    with pytest.raises(StoreError):
        await export_rows(path, io.StringIO())


# --- errors become StoreError ----------------------------------------------------------------------


async def test_a_corrupt_database_file_raises_store_error(db_path: Path) -> None:
    corrupt(db_path)
    with pytest.raises(StoreError) as caught:
        await Store.open(db_path)
    assert caught.value.__cause__ is not None  # the SQLite error is kept for the log


async def test_a_read_only_database_raises_store_error_at_open(db_path: Path) -> None:
    async with await Store.open(db_path):
        pass
    mark_read_only(db_path)
    with pytest.raises(StoreError, match="readonly"):
        await Store.open(db_path)


async def test_a_database_opened_read_only_raises_store_error(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SQLite opens a file the process may not write (write-protected) read-only. Its read-only open mode
    # does the same for root too, whom file permissions do not stop.
    async with await Store.open(db_path):
        pass
    connect = aiosqlite.connect

    def read_only(database: Path, **kwargs: Any) -> aiosqlite.Connection:
        return connect(f"{database.resolve().as_uri()}?mode=ro", uri=True, **kwargs)

    monkeypatch.setattr(aiosqlite, "connect", read_only)
    with pytest.raises(StoreError, match="readonly"):
        await Store.open(db_path)


async def test_a_closed_store_raises_store_error(db_path: Path) -> None:
    store = await Store.open(db_path)
    await store.close()
    await store.close()  # harmless
    with pytest.raises(StoreError, match="closed"):
        await store.log_exchange(make_exchange())
