"""The conversation log: schema, named migrations, writes and queries over one SQLite file.

This is the only module of the project that imports ``aiosqlite`` or ``sqlite3``. Each :class:`Store`
holds one aiosqlite connection (SQLite runs on aiosqlite's own thread, the single writer) and an
``asyncio.Lock`` so that one coroutine's transaction never interleaves with another's statements.

Every SQLite failure leaves a Store method as :class:`StoreError`, so the bot can catch one exception
type, log it and keep answering. Datetimes are stored as ISO-8601 UTC text of a fixed shape
(``2022-01-05T10:00:00.000000+00:00``), so text comparison in SQL is time comparison.
"""

from __future__ import annotations

import asyncio
import csv
import json
import logging
import sqlite3
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any, TextIO

import aiosqlite

from bot.privacy import Pseudonymizer
from retrieval.models import Citation

logger = logging.getLogger(__name__)

__all__ = [
    "EXPORT_FORMATS",
    "MIGRATIONS",
    "OUTCOMES",
    "QUESTION_OUTCOMES",
    "DatabaseNotFoundError",
    "Exchange",
    "InboxEntry",
    "Migration",
    "Stats",
    "Store",
    "StoreError",
    "export_rows",
    "is_transient",
]


class StoreError(Exception):
    """Any failure of the conversation log (SQLite errors are wrapped; the original is ``__cause__``)."""


def is_transient(error: StoreError) -> bool:
    """True when the failure may pass if the write is tried again later: SQLite's operational errors
    (database locked or busy, disk full, read-only file, I/O error). Not for a closed store, bad data or
    constraint violations."""
    return isinstance(error.__cause__, sqlite3.OperationalError)


class DatabaseNotFoundError(StoreError, FileNotFoundError):
    """The database file to read does not exist (raised by :func:`export_rows`, which never creates it)."""


# A migration is (name, sql). Names are recorded in the ``migrations`` table once applied; never rename or
# edit an applied migration: append a new one. ``sql`` may hold several statements separated by ``;``.
Migration = tuple[str, str]

# A follow-up question («ومتى؟») as the bot read it: the message with the topic words it carried from the
# user's previous question («ومتى؟ (عن: مطار ألماتي)»); NULL for a question read on its own. It only adds
# a nullable column to exchanges, so it applies in any order relative to other migrations.
RESOLVED_QUESTION_MIGRATION: Migration = (
    "0005_resolved_question",
    "ALTER TABLE exchanges ADD COLUMN resolved_question TEXT;",
)

MIGRATIONS: tuple[Migration, ...] = (
    (
        "0001_conversation_log",
        """
        CREATE TABLE exchanges (
            id INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused, so old buttons cannot reach new rows
            created_at TEXT NOT NULL,               -- ISO-8601 UTC
            chat_id INTEGER NOT NULL,
            user_id INTEGER,
            chat_type TEXT NOT NULL,
            message_id INTEGER,
            reply_message_id INTEGER,
            question TEXT NOT NULL,
            normalized_query TEXT NOT NULL,
            results TEXT NOT NULL,                  -- JSON [{"sentence_id", "score"}] in shown order
            citations TEXT NOT NULL,                -- JSON [{doc_id, title, outlet, published, url}]
            declined INTEGER NOT NULL CHECK (declined IN (0, 1)),
            missing_terms TEXT NOT NULL,            -- JSON list of strings
            latency_ms REAL NOT NULL,
            corpus_version TEXT NOT NULL
        );
        CREATE INDEX exchanges_chat_id_id ON exchanges (chat_id, id);
        CREATE INDEX exchanges_created_at ON exchanges (created_at);
        CREATE INDEX exchanges_user_id ON exchanges (user_id);
        CREATE INDEX exchanges_chat_id_reply ON exchanges (chat_id, reply_message_id);

        CREATE TABLE feedback (
            exchange_id INTEGER NOT NULL REFERENCES exchanges (id) ON DELETE CASCADE,
            user_id INTEGER NOT NULL,
            value INTEGER NOT NULL CHECK (value IN (-1, 1)),
            created_at TEXT NOT NULL,
            PRIMARY KEY (exchange_id, user_id)
        );
        CREATE INDEX feedback_user_id ON feedback (user_id);

        CREATE TABLE reloads (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            created_at TEXT NOT NULL,
            user_id INTEGER,
            ok INTEGER NOT NULL CHECK (ok IN (0, 1)),
            articles_before INTEGER NOT NULL,
            articles_after INTEGER NOT NULL,
            sentences_before INTEGER NOT NULL,
            sentences_after INTEGER NOT NULL,
            content_hash TEXT NOT NULL,
            duration_ms REAL NOT NULL,
            error TEXT
        );
        CREATE INDEX reloads_created_at ON reloads (created_at);

        CREATE TABLE denied (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            created_at TEXT NOT NULL,
            user_id INTEGER,
            chat_id INTEGER NOT NULL,
            command TEXT NOT NULL
        );
        CREATE INDEX denied_created_at ON denied (created_at);
        CREATE INDEX denied_user_id ON denied (user_id);
        """,
    ),
    (
        # Every message that gets a reply is logged, not only questions: `outcome` says what happened
        # (see OUTCOMES). Rows written before this migration were all questions.
        "0002_outcome",
        """
        ALTER TABLE exchanges ADD COLUMN outcome TEXT NOT NULL DEFAULT 'answered';
        UPDATE exchanges SET outcome = 'declined' WHERE declined = 1;
        CREATE INDEX exchanges_outcome_created_at ON exchanges (outcome, created_at);
        """,
    ),
    (
        # Telegram update ids the bot has finished handling, so that an update delivered again after a
        # crash or restart is not answered twice (bot.ledger). Per bot: another token, another sequence
        # of ids. Kept for two days.
        "0003_processed_updates",
        """
        CREATE TABLE processed_updates (
            bot_id INTEGER NOT NULL,
            update_id INTEGER NOT NULL,
            created_at TEXT NOT NULL,               -- ISO-8601 UTC
            PRIMARY KEY (bot_id, update_id)
        );
        CREATE INDEX processed_updates_created_at ON processed_updates (created_at);
        """,
    ),
    (
        # The durable inbox (bot.inbox): every update fetched from Telegram is written here, in one
        # transaction per getUpdates batch (or webhook burst), before its offset is confirmed. A row is
        # deleted in the transaction that records its id in processed_updates; what is left at start-up
        # was never handled and is handled first. `attempts` counts start-up replays that began handling
        # it; a row replayed twice without finishing is set aside (`failed_at`). Kept for two days.
        "0004_inbox",
        """
        CREATE TABLE inbox (
            id INTEGER PRIMARY KEY,                 -- arrival order
            bot_id INTEGER NOT NULL,
            update_id INTEGER NOT NULL,
            payload TEXT NOT NULL,                  -- the update as Telegram sent it (JSON)
            attempts INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL,               -- ISO-8601 UTC
            failed_at TEXT,                         -- set when the update was given up
            UNIQUE (bot_id, update_id)
        );
        CREATE INDEX inbox_created_at ON inbox (created_at);
        """,
    ),
    RESOLVED_QUESTION_MIGRATION,
)

# What an exchange row records (``exchanges.outcome``). Only "answered" and "declined" are questions that
# reached the retriever; the others are messages that got a notice instead of an answer.
OUTCOMES = (
    "answered",  # a question answered with cited snippets
    "declined",  # a question the corpus does not answer (the reply says so)
    "empty",  # no searchable words: whitespace, punctuation, emoji, stop words, "/ask" alone
    "too_long",  # longer than bot.max_question_chars
    "rate_limited",  # over the per-user limit (only the message that got the notice is logged)
    "non_text",  # a photo, sticker, location… in a private chat
    "command",  # /start, /help, /sources, an admin's /reload or /stats, an unknown command
    "refused",  # a non-admin tried an admin command or sent a file (also in the `denied` table)
    "upload",  # an admin's file became a preview awaiting «إضافة»
    "upload_rejected",  # an admin's file was refused (type, size, encoding, format)
    "error",  # handling failed; the user got the Arabic error notice
    "inline",  # an inline query (@bot سؤال in any chat) answered with cited results, or with none
)
QUESTION_OUTCOMES = ("answered", "declined")

EXPORT_FORMATS = ("jsonl", "csv")
EXPORT_COLUMNS = (
    "id",
    "created_at",
    "chat_id",
    "user_id",
    "chat_type",
    "question",
    "normalized_query",
    "outcome",
    "declined",
    "missing_terms",
    "results",
    "citations",
    "latency_ms",
    "corpus_version",
    "feedback",
)

_MEMORY = ":memory:"
_RECORD_PROCESSED = "INSERT OR IGNORE INTO processed_updates (bot_id, update_id, created_at) VALUES (?, ?, ?)"
_BUSY_TIMEOUT_MS = 5000


@dataclass(frozen=True)
class Exchange:
    """One question and its reply, as written to the log."""

    chat_id: int
    user_id: int | None
    chat_type: str
    message_id: int | None
    question: str
    normalized_query: str
    results: tuple[tuple[str, float], ...]  # (sentence_id, score) in shown order
    citations: tuple[Citation, ...]  # numbered [1..n] in this order
    declined: bool
    missing_terms: tuple[str, ...]
    latency_ms: float
    corpus_version: str
    reply_message_id: int | None = None
    created_at: datetime | None = None  # aware; stored as UTC; None means "now"
    outcome: str | None = None  # one of OUTCOMES; None: "declined" or "answered" from ``declined``
    resolved_question: str | None = None  # a follow-up as it was read (retrieval.followup), else None

    @property
    def effective_outcome(self) -> str:
        if self.outcome is not None:
            return self.outcome
        return "declined" if self.declined else "answered"


@dataclass(frozen=True)
class InboxEntry:
    """An update waiting in the inbox (``Store.inbox_pending``)."""

    update_id: int
    payload: str  # the update's JSON as Telegram sent it
    attempts: int  # start-up replays that began handling it


@dataclass(frozen=True)
class Stats:
    """What /stats shows an admin. Feedback counts cover every retained exchange."""

    questions_today: int  # since 00:00 UTC of ``now``
    questions_7d: int
    answered_7d: int
    declined_7d: int
    top_declined: tuple[tuple[str, int], ...]  # (normalized query, count), most frequent first, last 7 days
    feedback_up: int
    feedback_down: int
    denied_admin_attempts_7d: int
    other_7d: tuple[tuple[str, int], ...] = ()  # (outcome, count) of the non-question replies, last 7 days


# --- conversions -----------------------------------------------------------------------------------


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _iso(moment: datetime) -> str:
    """Aware datetime -> fixed-width ISO-8601 UTC text (sorts as time sorts)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"datetime must be timezone-aware (UTC), got naive {moment!r}")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _parse_iso(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def _text(value: str) -> str:
    """``value`` as SQLite can store it: lone surrogates (invalid UTF-8) become U+FFFD, all else verbatim."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return value


def _json(value: Any) -> str:
    return _text(json.dumps(value, ensure_ascii=False))


def _citation_to_json(citation: Citation) -> dict[str, Any]:
    published = citation.published
    if isinstance(published, datetime):
        published = published.date()
    return {
        "doc_id": citation.doc_id,
        "title": citation.title,
        "outlet": citation.outlet,
        "published": published.isoformat() if published is not None else None,
        "url": citation.url,
        # Written only when set, so rows of articles without them look as they always did.
        **({"source": citation.source} if citation.source is not None else {}),
        **({"title_derived": True} if citation.title_derived else {}),
    }


def _citations_from_json(text: str) -> tuple[Citation, ...]:
    try:
        items = json.loads(text)
        return tuple(
            Citation(
                doc_id=item["doc_id"],
                title=item["title"],
                outlet=item.get("outlet"),
                published=date.fromisoformat(item["published"]) if item.get("published") else None,
                url=item.get("url"),
                source=item.get("source"),
                title_derived=item.get("title_derived") is True,
            )
            for item in items
        )
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise StoreError(f"stored citations are unreadable: {exc}") from exc


def _results_from_json(text: str) -> tuple[tuple[str, float], ...]:
    try:
        return tuple((str(item["sentence_id"]), float(item["score"])) for item in json.loads(text))
    except (ValueError, KeyError, TypeError) as exc:
        raise StoreError(f"stored results are unreadable: {exc}") from exc


def _split_statements(script: str) -> Iterator[str]:
    """Split a migration into statements, honouring quotes, comments and trigger bodies."""
    buffer = ""
    for piece in script.split(";"):
        buffer += piece + ";"
        if sqlite3.complete_statement(buffer):
            statement = buffer.strip()
            buffer = ""
            if statement.strip(";").strip():
                yield statement
    if buffer.strip(" \t\r\n;"):
        raise ValueError(f"migration ends with an incomplete statement: {buffer.strip()[:80]!r}")


def _check_migrations(migrations: Sequence[Migration]) -> None:
    seen: set[str] = set()
    for name, _sql in migrations:
        if not name or name in seen:
            raise ValueError(f"migration names must be unique and non-empty, got {name!r} twice or empty")
        seen.add(name)


# --- the store -------------------------------------------------------------------------------------


class Store:
    """The conversation log. Create with ``await Store.open(path)``; close with ``await store.close()``."""

    def __init__(
        self, connection: aiosqlite.Connection, path: Path, pseudonymizer: Pseudonymizer | None = None
    ) -> None:
        """Use :meth:`open`; this only wraps an already configured connection."""
        self._connection: aiosqlite.Connection | None = connection
        self._path = path
        self._lock = asyncio.Lock()
        self._pseudonymizer = pseudonymizer

    @classmethod
    async def open(
        cls,
        path: Path,
        *,
        migrations: Sequence[Migration] = MIGRATIONS,
        busy_timeout_ms: int = _BUSY_TIMEOUT_MS,
        pseudonymizer: Pseudonymizer | None = None,
    ) -> Store:
        """Open (creating it and its directory if needed) and migrate the log at ``path``.

        ``Path(":memory:")`` gives a private in-memory database, for tests. ``migrations`` is for tests
        of the migration mechanism; the bot uses the default. With a ``pseudonymizer`` every user and chat
        id is replaced by its pseudonym before it reaches SQLite (writes and lookups alike), so raw ids are
        never stored. Raises StoreError when the file cannot be opened, is not a database, or is read-only.
        """
        _check_migrations(migrations)
        memory = str(path) == _MEMORY
        if not memory:
            try:
                await asyncio.to_thread(path.parent.mkdir, parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"cannot create the database directory {path.parent}: {exc}") from exc
        try:
            # ``timeout`` is SQLite's busy timeout: how long to wait for another process's write lock.
            connection = await aiosqlite.connect(path, isolation_level=None, timeout=busy_timeout_ms / 1000)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open the database {path}: {exc}") from exc
        connection.row_factory = sqlite3.Row
        store = cls(connection, path, pseudonymizer)
        try:
            await store._configure(memory=memory)
            await store._migrate(migrations)
        except BaseException:
            await store.close()
            raise
        return store

    @property
    def path(self) -> Path:
        return self._path

    @property
    def pseudonymous(self) -> bool:
        """True when user and chat ids are stored as pseudonyms."""
        return self._pseudonymizer is not None

    def stored_id(self, value: int) -> int:
        """The id as the log stores it: the pseudonym when pseudonyms are on, else ``value`` itself."""
        return self._pseudonymizer(value) if self._pseudonymizer is not None else value

    def _optional_id(self, value: int | None) -> int | None:
        return None if value is None else self.stored_id(value)

    async def close(self) -> None:
        """Wait for running writes, then close the connection. Closing twice is harmless."""
        async with self._lock:
            connection, self._connection = self._connection, None
            if connection is None:
                return
            try:
                await connection.close()
            except sqlite3.Error as exc:
                raise StoreError(f"cannot close the database {self._path}: {exc}") from exc

    async def __aenter__(self) -> Store:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    # --- plumbing ------------------------------------------------------------------------------------

    def _conn(self) -> aiosqlite.Connection:
        if self._connection is None:
            raise StoreError(f"the store for {self._path} is closed")
        return self._connection

    @asynccontextmanager
    async def _session(self, action: str) -> AsyncIterator[aiosqlite.Connection]:
        """Hold the lock (no transaction); SQLite errors become StoreError naming ``action``."""
        async with self._lock:
            connection = self._conn()
            try:
                yield connection
            except sqlite3.Error as exc:
                raise StoreError(f"{action} failed ({self._path}): {exc}") from exc

    @asynccontextmanager
    async def _transaction(self, action: str, *, write: bool = True) -> AsyncIterator[aiosqlite.Connection]:
        """Hold the lock inside BEGIN IMMEDIATE (or a deferred read snapshot) .. COMMIT / ROLLBACK."""
        async with self._session(action) as connection:
            await connection.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            try:
                yield connection
            except BaseException:
                if connection.in_transaction:
                    await connection.execute("ROLLBACK")
                raise
            await connection.execute("COMMIT")

    async def _configure(self, *, memory: bool) -> None:
        async with self._session("configuring the database") as connection:
            await connection.execute("PRAGMA foreign_keys = ON")
            rows = list(await connection.execute_fetchall("PRAGMA journal_mode = WAL"))
            mode = str(rows[0][0]).lower() if rows else "unknown"
            if mode != "wal" and not memory:
                logger.warning("database %s stays in %s journal mode (WAL unavailable)", self._path, mode)
            await connection.execute("PRAGMA synchronous = NORMAL")

    async def _migrate(self, migrations: Sequence[Migration]) -> None:
        async with self._transaction("preparing migrations") as connection:
            await connection.execute(
                "CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at TEXT)"
            )
            # A no-op write: a read-only database fails here, at start-up, not at the first question.
            await connection.execute("DELETE FROM migrations WHERE 0")
            applied = {row[0] for row in await connection.execute_fetchall("SELECT name FROM migrations")}
        unknown = applied - {name for name, _sql in migrations}
        if unknown:
            logger.warning(
                "database %s has migrations this version does not know: %s", self._path, sorted(unknown)
            )
        for name, sql in migrations:
            if name in applied:
                continue
            async with self._transaction(f"migration {name}") as connection:
                # Re-check inside the write lock: another process may have applied it meanwhile.
                async with connection.execute("SELECT 1 FROM migrations WHERE name = ?", (name,)) as cursor:
                    if await cursor.fetchone() is not None:
                        continue
                for statement in _split_statements(sql):
                    await connection.execute(statement)
                await connection.execute(
                    "INSERT INTO migrations (name, applied_at) VALUES (?, ?)", (name, _iso(_utc_now()))
                )
            logger.info("applied migration %s to %s", name, self._path)

    # --- writes --------------------------------------------------------------------------------------

    async def log_exchange(self, exchange: Exchange) -> int:
        """Write one incoming message and the bot's reply; returns the exchange id."""
        outcome = exchange.effective_outcome
        if outcome not in OUTCOMES:
            raise ValueError(f"unknown outcome {outcome!r}; choose one of: {', '.join(OUTCOMES)}")
        created_at = _iso(exchange.created_at or _utc_now())
        results = _json([{"sentence_id": sid, "score": float(score)} for sid, score in exchange.results])
        citations = _json([_citation_to_json(citation) for citation in exchange.citations])
        async with self._transaction("logging an exchange") as connection:
            cursor = await connection.execute(
                "INSERT INTO exchanges (created_at, chat_id, user_id, chat_type, message_id,"
                " reply_message_id, question, normalized_query, results, citations, declined,"
                " missing_terms, latency_ms, corpus_version, outcome, resolved_question)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    created_at,
                    self.stored_id(exchange.chat_id),
                    self._optional_id(exchange.user_id),
                    _text(exchange.chat_type),
                    exchange.message_id,
                    exchange.reply_message_id,
                    _text(exchange.question),
                    _text(exchange.normalized_query),
                    results,
                    citations,
                    int(bool(exchange.declined)),
                    _json(list(exchange.missing_terms)),
                    float(exchange.latency_ms),
                    _text(exchange.corpus_version),
                    outcome,
                    _text(exchange.resolved_question) if exchange.resolved_question is not None else None,
                ),
            )
            exchange_id = cursor.lastrowid
            await cursor.close()
        if exchange_id is None:  # pragma: no cover - SQLite always reports the rowid of an INSERT
            raise StoreError("logging an exchange failed: no row id returned")
        return exchange_id

    async def set_reply_message(self, exchange_id: int, reply_message_id: int) -> None:
        """Remember which bot message answered the exchange (a no-op if the exchange is gone)."""
        async with self._transaction("setting the reply message") as connection:
            await connection.execute(
                "UPDATE exchanges SET reply_message_id = ? WHERE id = ?", (reply_message_id, exchange_id)
            )

    async def record_feedback(
        self, exchange_id: int, user_id: int, value: int, *, created_at: datetime | None = None
    ) -> None:
        """Record a 👍 (+1) or 👎 (-1); a user's later vote on the same exchange replaces the earlier one.

        Feedback on an exchange that no longer exists (purged or forgotten) is ignored.
        """
        if value not in (1, -1):
            raise ValueError(f"feedback value must be +1 or -1, got {value!r}")
        async with self._transaction("recording feedback") as connection:
            cursor = await connection.execute(
                "INSERT INTO feedback (exchange_id, user_id, value, created_at)"
                " SELECT id, ?, ?, ? FROM exchanges WHERE id = ?"
                " ON CONFLICT (exchange_id, user_id) DO UPDATE"
                " SET value = excluded.value, created_at = excluded.created_at",
                (self.stored_id(user_id), value, _iso(created_at or _utc_now()), exchange_id),
            )
            written = cursor.rowcount
            await cursor.close()
        if written == 0:
            logger.info("feedback for unknown exchange %d ignored", exchange_id)

    async def record_reload(
        self,
        user_id: int | None,
        ok: bool,
        articles_before: int,
        articles_after: int,
        sentences_before: int,
        sentences_after: int,
        content_hash: str,
        duration_ms: float,
        error: str | None = None,
        *,
        created_at: datetime | None = None,
    ) -> None:
        """Record one corpus reload (successful or not) for the admin audit trail."""
        async with self._transaction("recording a reload") as connection:
            await connection.execute(
                "INSERT INTO reloads (created_at, user_id, ok, articles_before, articles_after,"
                " sentences_before, sentences_after, content_hash, duration_ms, error)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    _iso(created_at or _utc_now()),
                    self._optional_id(user_id),
                    int(bool(ok)),
                    articles_before,
                    articles_after,
                    sentences_before,
                    sentences_after,
                    _text(content_hash),
                    float(duration_ms),
                    _text(error) if error is not None else None,
                ),
            )

    async def record_denied(
        self, user_id: int | None, chat_id: int, command: str, *, created_at: datetime | None = None
    ) -> None:
        """Record that a non-admin tried an admin command."""
        async with self._transaction("recording a denied command") as connection:
            await connection.execute(
                "INSERT INTO denied (created_at, user_id, chat_id, command) VALUES (?, ?, ?, ?)",
                (
                    _iso(created_at or _utc_now()),
                    self._optional_id(user_id),
                    self.stored_id(chat_id),
                    _text(command),
                ),
            )

    async def purge(self, retention_days: int, now: datetime | None = None) -> int:
        """Delete log rows older than ``retention_days`` (0 keeps everything); returns rows deleted.

        Exchanges go with their feedback; denied-command and reload rows follow the same retention.
        """
        if retention_days < 0:
            raise ValueError(f"retention_days must be 0 (keep everything) or more, got {retention_days}")
        if retention_days == 0:
            return 0
        cutoff = _iso((now or _utc_now()) - timedelta(days=retention_days))
        statements = (
            "DELETE FROM feedback WHERE exchange_id IN (SELECT id FROM exchanges WHERE created_at < ?)",
            "DELETE FROM exchanges WHERE created_at < ?",
            "DELETE FROM denied WHERE created_at < ?",
            "DELETE FROM reloads WHERE created_at < ?",
        )
        deleted = await self._delete_all("purging old rows", statements, (cutoff,))
        if deleted:
            logger.info("purged %d rows older than %d days", deleted, retention_days)
        return deleted

    async def forget_user(self, user_id: int) -> int:
        """Delete a user's exchanges (with all feedback on them), their own votes and denied rows.

        With pseudonyms on, rows stored under the pseudonym and rows stored under the raw id (written
        before pseudonyms were switched on) both go. Returns the number of rows deleted. Reload records
        (admin audit) are kept.
        """
        statements = (
            "DELETE FROM feedback WHERE user_id IN (?1, ?2)"
            " OR exchange_id IN (SELECT id FROM exchanges WHERE user_id IN (?1, ?2))",
            "DELETE FROM exchanges WHERE user_id IN (?1, ?2)",
            "DELETE FROM denied WHERE user_id IN (?1, ?2)",
        )
        parameters = (self.stored_id(user_id), user_id)
        deleted = await self._delete_all("forgetting a user", statements, parameters)
        logger.info("forgot a user: %d rows deleted", deleted)
        return deleted

    async def mark_processed(
        self, bot_id: int, update_ids: Sequence[int], *, created_at: datetime | None = None
    ) -> int:
        """Record Telegram update ids of bot ``bot_id`` as handled (ids already recorded stay as they are)
        and, in the same transaction, take them out of the inbox."""
        if not update_ids:
            return 0
        moment = _iso(created_at or _utc_now())
        await self._execute_many(
            "recording processed updates",
            (_RECORD_PROCESSED, [(int(bot_id), int(update_id), moment) for update_id in update_ids]),
            (
                "DELETE FROM inbox WHERE bot_id = ? AND update_id = ? AND failed_at IS NULL",
                [(int(bot_id), int(update_id)) for update_id in update_ids],
            ),
        )
        return len(update_ids)

    async def processed_updates(self, bot_id: int, since: datetime, limit: int = 100_000) -> tuple[int, ...]:
        """Update ids of bot ``bot_id`` handled at or after ``since``, newest first, at most ``limit``."""
        rows = await self._fetchall(
            "reading processed updates",
            "SELECT update_id FROM processed_updates WHERE bot_id = ? AND created_at >= ?"
            " ORDER BY created_at DESC, update_id DESC LIMIT ?",
            (bot_id, _iso(since), limit),
        )
        return tuple(int(row["update_id"]) for row in rows)

    async def purge_processed(self, keep: timedelta, now: datetime | None = None) -> int:
        """Forget handled update ids, and inbox rows, older than ``keep``; returns how many were deleted."""
        cutoff = _iso((now or _utc_now()) - keep)
        statements = (
            "DELETE FROM processed_updates WHERE created_at < ?",
            "DELETE FROM inbox WHERE created_at < ?",
        )
        return await self._delete_all("purging processed updates", statements, (cutoff,))

    # --- the inbox (bot.inbox) -----------------------------------------------------------------------

    async def inbox_add(
        self, bot_id: int, updates: Sequence[tuple[int, str]], *, created_at: datetime | None = None
    ) -> int:
        """Write incoming updates ``(update_id, payload JSON)`` to the inbox in one transaction; an update
        already there stays as it is. Returns how many were given."""
        if not updates:
            return 0
        moment = _iso(created_at or _utc_now())
        await self._execute_many(
            "writing incoming updates to the inbox",
            (
                "INSERT OR IGNORE INTO inbox (bot_id, update_id, payload, created_at) VALUES (?, ?, ?, ?)",
                [(int(bot_id), int(update_id), _text(payload), moment) for update_id, payload in updates],
            ),
        )
        return len(updates)

    async def inbox_pending(self, bot_id: int) -> tuple[InboxEntry, ...]:
        """The updates of bot ``bot_id`` in the inbox, neither handled nor given up, in arrival order."""
        rows = await self._fetchall(
            "reading the inbox",
            "SELECT update_id, payload, attempts FROM inbox WHERE bot_id = ? AND failed_at IS NULL"
            " ORDER BY id",
            (bot_id,),
        )
        return tuple(InboxEntry(int(r["update_id"]), str(r["payload"]), int(r["attempts"])) for r in rows)

    async def inbox_attempt(self, bot_id: int, update_ids: Sequence[int]) -> None:
        """Count one more start-up replay that is about to handle ``update_ids``."""
        await self._execute_many(
            "counting inbox replays",
            (
                "UPDATE inbox SET attempts = attempts + 1 WHERE bot_id = ? AND update_id = ?",
                [(int(bot_id), int(update_id)) for update_id in update_ids],
            ),
        )

    async def inbox_fail(self, bot_id: int, update_ids: Sequence[int]) -> None:
        """Give up ``update_ids``: kept in the inbox (for two days) as failed, and recorded as handled so a
        new delivery of them is not handled either."""
        moment = _iso(_utc_now())
        await self._execute_many(
            "setting failed updates aside",
            (
                "UPDATE inbox SET failed_at = ? WHERE bot_id = ? AND update_id = ?",
                [(moment, int(bot_id), int(update_id)) for update_id in update_ids],
            ),
            (_RECORD_PROCESSED, [(int(bot_id), int(update_id), moment) for update_id in update_ids]),
        )

    async def _execute_many(self, action: str, *statements: tuple[str, list[tuple[Any, ...]]]) -> None:
        """Each ``(sql, rows)`` with ``executemany``, all in one transaction."""
        async with self._transaction(action) as connection:
            for sql, rows in statements:
                await connection.executemany(sql, rows)

    async def _delete_all(self, action: str, statements: Sequence[str], parameters: tuple[Any, ...]) -> int:
        deleted = 0
        async with self._transaction(action) as connection:
            for statement in statements:
                cursor = await connection.execute(statement, parameters)
                deleted += max(cursor.rowcount, 0)
                await cursor.close()
        return deleted

    # --- reads ---------------------------------------------------------------------------------------

    async def _fetchall(self, action: str, sql: str, parameters: Sequence[Any] = ()) -> list[sqlite3.Row]:
        async with self._session(action) as connection:
            return list(await connection.execute_fetchall(sql, parameters))

    async def _fetchone(self, action: str, sql: str, parameters: Sequence[Any] = ()) -> sqlite3.Row | None:
        rows = await self._fetchall(action, sql, parameters)
        return rows[0] if rows else None

    async def last_citations(self, chat_id: int) -> tuple[Citation, ...] | None:
        """Citations of the chat's most recent answered (not declined) exchange, or None."""
        row = await self._fetchone(
            "reading the last citations",
            "SELECT citations FROM exchanges WHERE chat_id = ? AND outcome = 'answered'"
            " ORDER BY id DESC LIMIT 1",
            (self.stored_id(chat_id),),
        )
        return None if row is None else _citations_from_json(row["citations"])

    async def citations_for(self, exchange_id: int) -> tuple[Citation, ...]:
        """Citations of one exchange; empty if it has none or no longer exists."""
        row = await self._fetchone(
            "reading citations", "SELECT citations FROM exchanges WHERE id = ?", (exchange_id,)
        )
        return () if row is None else _citations_from_json(row["citations"])

    async def exchange_for_reply(self, chat_id: int, reply_message_id: int) -> int | None:
        """The exchange a bot message in ``chat_id`` answered, or None."""
        row = await self._fetchone(
            "finding the exchange of a reply",
            "SELECT id FROM exchanges WHERE chat_id = ? AND reply_message_id = ?"
            " ORDER BY id DESC LIMIT 1",
            (self.stored_id(chat_id), reply_message_id),
        )
        return None if row is None else int(row["id"])

    async def exchange(self, exchange_id: int) -> Exchange | None:
        """One logged exchange as it was written, or None."""
        row = await self._fetchone(
            "reading an exchange", "SELECT * FROM exchanges WHERE id = ?", (exchange_id,)
        )
        if row is None:
            return None
        return Exchange(
            chat_id=row["chat_id"],
            user_id=row["user_id"],
            chat_type=row["chat_type"],
            message_id=row["message_id"],
            question=row["question"],
            normalized_query=row["normalized_query"],
            results=_results_from_json(row["results"]),
            citations=_citations_from_json(row["citations"]),
            declined=bool(row["declined"]),
            missing_terms=tuple(json.loads(row["missing_terms"])),
            latency_ms=row["latency_ms"],
            corpus_version=row["corpus_version"],
            reply_message_id=row["reply_message_id"],
            created_at=_parse_iso(row["created_at"]),
            outcome=row["outcome"],
            resolved_question=row["resolved_question"],
        )

    async def stats(self, now: datetime | None = None, *, top: int = 5) -> Stats:
        """Counts for /stats over the 7 days up to ``now`` (default: the current time)."""
        now = now or _utc_now()
        bounds = {
            "now": _iso(now),
            "week": _iso(now - timedelta(days=7)),
            "today": _iso(datetime.combine(now.astimezone(UTC).date(), time.min, tzinfo=UTC)),
        }
        async with self._transaction("computing stats", write=False) as connection:
            async with connection.execute(
                "SELECT COALESCE(SUM(created_at >= :today), 0) AS today, COUNT(*) AS week,"
                " COALESCE(SUM(declined), 0) AS declined"
                " FROM exchanges WHERE outcome IN ('answered', 'declined')"
                " AND created_at >= :week AND created_at <= :now",
                bounds,
            ) as cursor:
                counts = await cursor.fetchone()
            other_rows = await connection.execute_fetchall(
                "SELECT outcome, COUNT(*) AS n FROM exchanges"
                " WHERE outcome NOT IN ('answered', 'declined')"
                " AND created_at >= :week AND created_at <= :now"
                " GROUP BY outcome ORDER BY n DESC, outcome",
                bounds,
            )
            top_rows = await connection.execute_fetchall(
                "SELECT normalized_query, COUNT(*) AS n FROM exchanges"
                " WHERE declined = 1 AND created_at >= :week AND created_at <= :now"
                " GROUP BY normalized_query ORDER BY n DESC, normalized_query LIMIT :top",
                {**bounds, "top": top},
            )
            async with connection.execute(
                "SELECT COALESCE(SUM(value = 1), 0) AS up, COALESCE(SUM(value = -1), 0) AS down FROM feedback"
            ) as cursor:
                votes = await cursor.fetchone()
            async with connection.execute(
                "SELECT COUNT(*) AS n FROM denied WHERE created_at >= :week AND created_at <= :now", bounds
            ) as cursor:
                denied = await cursor.fetchone()
        if counts is None or votes is None or denied is None:  # pragma: no cover - aggregates give a row
            raise StoreError("computing stats failed: an aggregate returned no row")
        return Stats(
            questions_today=int(counts["today"]),
            questions_7d=int(counts["week"]),
            answered_7d=int(counts["week"]) - int(counts["declined"]),
            declined_7d=int(counts["declined"]),
            top_declined=tuple((str(row["normalized_query"]), int(row["n"])) for row in top_rows),
            feedback_up=int(votes["up"]),
            feedback_down=int(votes["down"]),
            denied_admin_attempts_7d=int(denied["n"]),
            other_7d=tuple((str(row["outcome"]), int(row["n"])) for row in other_rows),
        )

    async def recent_questions(self, limit: int = 20) -> tuple[tuple[datetime, str, bool], ...]:
        """(when, question, declined) of the latest questions, newest first, for admins."""
        rows = await self._fetchall(
            "reading recent questions",
            "SELECT created_at, question, declined FROM exchanges WHERE outcome IN ('answered', 'declined')"
            " ORDER BY created_at DESC, id DESC LIMIT ?",
            (limit,),
        )
        return tuple((_parse_iso(row["created_at"]), row["question"], bool(row["declined"])) for row in rows)

    async def applied_migrations(self) -> tuple[str, ...]:
        """Names of the applied migrations, in the order they were applied."""
        rows = await self._fetchall("reading migrations", "SELECT name FROM migrations ORDER BY rowid")
        return tuple(row["name"] for row in rows)

    async def journal_mode(self) -> str:
        """SQLite's journal mode for this database: ``wal`` for files, ``memory`` for ``:memory:``."""
        row = await self._fetchone("reading the journal mode", "PRAGMA journal_mode")
        return "" if row is None else str(row[0]).lower()


# --- export ----------------------------------------------------------------------------------------

_EXPORT_SQL = (
    "SELECT e.id, e.created_at, e.chat_id, e.user_id, e.chat_type, e.question, e.normalized_query,"
    " e.outcome, e.declined, e.missing_terms, e.results, e.citations, e.latency_ms, e.corpus_version,"
    " (SELECT COALESCE(SUM(f.value), 0) FROM feedback AS f WHERE f.exchange_id = e.id) AS feedback"
    " FROM exchanges AS e WHERE e.created_at >= ? ORDER BY e.created_at, e.id"
)
# A log the bot has not opened since 0002_outcome (export never migrates): every row was a question.
_EXPORT_SQL_BEFORE_OUTCOME = (
    "SELECT e.id, e.created_at, e.chat_id, e.user_id, e.chat_type, e.question, e.normalized_query,"
    " CASE WHEN e.declined THEN 'declined' ELSE 'answered' END AS outcome,"
    " e.declined, e.missing_terms, e.results, e.citations, e.latency_ms, e.corpus_version,"
    " (SELECT COALESCE(SUM(f.value), 0) FROM feedback AS f WHERE f.exchange_id = e.id) AS feedback"
    " FROM exchanges AS e WHERE e.created_at >= ? ORDER BY e.created_at, e.id"
)


def _export_record(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "created_at": row["created_at"],
        "chat_id": row["chat_id"],
        "user_id": row["user_id"],
        "chat_type": row["chat_type"],
        "question": row["question"],
        "normalized_query": row["normalized_query"],
        "outcome": row["outcome"],
        "declined": bool(row["declined"]),
        "missing_terms": json.loads(row["missing_terms"]),
        "results": json.loads(row["results"]),
        "citations": [citation["doc_id"] for citation in json.loads(row["citations"])],
        "latency_ms": row["latency_ms"],
        "corpus_version": row["corpus_version"],
        "feedback": int(row["feedback"]),
    }


def _csv_cell(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return json.dumps(value, ensure_ascii=False)
    return "" if value is None else value


async def export_rows(db_path: Path, out: TextIO, fmt: str = "jsonl", since: date | None = None) -> int:
    """Write the exchanges created on/after ``since`` (a UTC date), oldest first, to ``out``.

    ``jsonl``: one JSON object per line; ``csv``: a header row then one row per exchange, lists as JSON
    text, booleans as true/false, lines ending in ``\\n``. Text is written as UTF-8 characters, never
    ``\\u`` escapes. The database is opened without creating it and without writing to it. Returns the
    number of exchanges written. Raises ValueError for an unknown ``fmt``, DatabaseNotFoundError when
    ``db_path`` does not exist and StoreError when it cannot be read.
    """
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; choose one of: {', '.join(EXPORT_FORMATS)}")
    if not await asyncio.to_thread(db_path.is_file):
        raise DatabaseNotFoundError(
            f"database not found: {db_path} (check database.path in config.toml or SANAD_DATABASE)"
        )
    start = _iso(datetime.combine(since, time.min, tzinfo=UTC)) if since is not None else ""
    uri = (await asyncio.to_thread(db_path.resolve)).as_uri() + "?mode=rw"  # rw never creates the file
    writer = csv.writer(out, lineterminator="\n") if fmt == "csv" else None
    if writer is not None:
        writer.writerow(EXPORT_COLUMNS)
    written = 0
    try:
        connection = await aiosqlite.connect(
            uri, uri=True, isolation_level=None, timeout=_BUSY_TIMEOUT_MS / 1000
        )
    except sqlite3.Error as exc:
        raise StoreError(f"cannot open the database {db_path}: {exc}") from exc
    try:
        connection.row_factory = sqlite3.Row
        await connection.execute("PRAGMA query_only = ON")
        columns = {row["name"] for row in await connection.execute_fetchall("PRAGMA table_info(exchanges)")}
        sql = _EXPORT_SQL if "outcome" in columns else _EXPORT_SQL_BEFORE_OUTCOME
        async with connection.execute(sql, (start,)) as cursor:
            async for row in cursor:
                record = _export_record(row)
                if writer is None:
                    out.write(json.dumps(record, ensure_ascii=False) + "\n")
                else:
                    writer.writerow([_csv_cell(record[column]) for column in EXPORT_COLUMNS])
                written += 1
    except sqlite3.Error as exc:
        raise StoreError(f"cannot export from {db_path} (is it a Sanad database?): {exc}") from exc
    finally:
        await connection.close()
    return written
