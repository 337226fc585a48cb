"""The conversation log's store: writes and queries over one SQLite file, migrated at open.

Each :class:`Store` holds one aiosqlite connection (SQLite runs on aiosqlite's own thread, the single
writer) and an ``asyncio.Lock`` so that one coroutine's transaction never interleaves with another's
statements. Every SQLite failure leaves a Store method as :class:`StoreError`, so the bot can catch one
exception type, log it and keep answering. Values are stored as ``bot.log.codec`` says.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any

import aiosqlite

from bot.log.codec import (
    citation_to_json,
    citations_from_json,
    exchange_from_row,
    iso,
    parse_iso,
    sql_text,
    to_json,
    utc_now,
)
from bot.log.errors import StoreError
from bot.log.privacy import Pseudonymizer
from bot.log.records import Exchange, InboxEntry, Stats
from bot.log.schema import MIGRATIONS, OUTCOMES, Migration, check_migrations
from retrieval.models import Citation

logger = logging.getLogger(__name__)

__all__ = ["BUSY_TIMEOUT_MS", "Store"]

BUSY_TIMEOUT_MS = 5000
_MEMORY = ":memory:"
_RECORD_PROCESSED = "INSERT OR IGNORE INTO processed_updates (bot_id, update_id, created_at) VALUES (?, ?, ?)"


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
        busy_timeout_ms: int = BUSY_TIMEOUT_MS,
        pseudonymizer: Pseudonymizer | None = None,
    ) -> Store:
        """Open (creating it and its directory if needed) and migrate the log at ``path``.

        ``Path(":memory:")`` gives a private in-memory database, for tests. ``migrations`` is for tests
        of the migration mechanism; the bot uses the default. With a ``pseudonymizer`` every user and chat
        id is replaced by its pseudonym before it reaches SQLite (writes and lookups alike), so raw ids are
        never stored. Raises StoreError when the file cannot be opened, is not a database, or is read-only.
        """
        check_migrations(migrations)
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
        unknown = applied - {name for name, _statements in migrations}
        if unknown:
            logger.warning(
                "database %s has migrations this version does not know: %s", self._path, sorted(unknown)
            )
        for name, statements in migrations:
            if name in applied:
                continue
            async with self._transaction(f"migration {name}") as connection:
                # Re-check inside the write lock: another process may have applied it meanwhile.
                async with connection.execute("SELECT 1 FROM migrations WHERE name = ?", (name,)) as cursor:
                    if await cursor.fetchone() is not None:
                        continue
                for statement in statements:
                    await connection.execute(statement)
                await connection.execute(
                    "INSERT INTO migrations (name, applied_at) VALUES (?, ?)", (name, iso(utc_now()))
                )
            logger.info("applied migration %s to %s", name, self._path)

    # --- writes --------------------------------------------------------------------------------------

    async def log_exchange(self, exchange: Exchange) -> int:
        """Write one incoming message and the bot's reply; returns the exchange id."""
        outcome = exchange.effective_outcome
        if outcome not in OUTCOMES:
            raise ValueError(f"unknown outcome {outcome!r}; choose one of: {', '.join(OUTCOMES)}")
        created_at = iso(exchange.created_at or utc_now())
        results = to_json([{"sentence_id": sid, "score": float(score)} for sid, score in exchange.results])
        citations = to_json([citation_to_json(citation) for citation in exchange.citations])
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
                    sql_text(exchange.chat_type),
                    exchange.message_id,
                    exchange.reply_message_id,
                    sql_text(exchange.question),
                    sql_text(exchange.normalized_query),
                    results,
                    citations,
                    int(bool(exchange.declined)),
                    to_json(list(exchange.missing_terms)),
                    float(exchange.latency_ms),
                    sql_text(exchange.corpus_version),
                    outcome,
                    sql_text(exchange.resolved_question) if exchange.resolved_question is not None else None,
                ),
            )
            exchange_id = cursor.lastrowid
            await cursor.close()
        if exchange_id is None:  # pragma: no cover - SQLite always reports the rowid of an INSERT
            raise StoreError("logging an exchange failed: no row id returned")
        return exchange_id

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
                (self.stored_id(user_id), value, iso(created_at or utc_now()), exchange_id),
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
                    iso(created_at or utc_now()),
                    self._optional_id(user_id),
                    int(bool(ok)),
                    articles_before,
                    articles_after,
                    sentences_before,
                    sentences_after,
                    sql_text(content_hash),
                    float(duration_ms),
                    sql_text(error) if error is not None else None,
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
                    iso(created_at or utc_now()),
                    self._optional_id(user_id),
                    self.stored_id(chat_id),
                    sql_text(command),
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
        cutoff = iso((now or utc_now()) - timedelta(days=retention_days))
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
        moment = iso(created_at or utc_now())
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
            (bot_id, iso(since), limit),
        )
        return tuple(int(row["update_id"]) for row in rows)

    async def purge_processed(self, keep: timedelta, now: datetime | None = None) -> int:
        """Forget handled update ids, and inbox rows, older than ``keep``; returns how many were deleted."""
        cutoff = iso((now or utc_now()) - keep)
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
        moment = iso(created_at or utc_now())
        await self._execute_many(
            "writing incoming updates to the inbox",
            (
                "INSERT OR IGNORE INTO inbox (bot_id, update_id, payload, created_at) VALUES (?, ?, ?, ?)",
                [(int(bot_id), int(update_id), sql_text(payload), moment) for update_id, payload in updates],
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
        moment = iso(utc_now())
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
        return None if row is None else citations_from_json(row["citations"])

    async def citations_for(self, exchange_id: int) -> tuple[Citation, ...]:
        """Citations of one exchange; empty if it has none or no longer exists."""
        row = await self._fetchone(
            "reading citations", "SELECT citations FROM exchanges WHERE id = ?", (exchange_id,)
        )
        return () if row is None else citations_from_json(row["citations"])

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
        return exchange_from_row(row)

    async def stats(self, now: datetime | None = None, *, top: int = 5) -> Stats:
        """Counts for /stats over the 7 days up to ``now`` (default: the current time)."""
        now = now or utc_now()
        bounds = {
            "now": iso(now),
            "week": iso(now - timedelta(days=7)),
            "today": iso(datetime.combine(now.astimezone(UTC).date(), time.min, tzinfo=UTC)),
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
        return tuple((parse_iso(row["created_at"]), row["question"], bool(row["declined"])) for row in rows)

    async def applied_migrations(self) -> tuple[str, ...]:
        """Names of the applied migrations, in the order they were applied."""
        rows = await self._fetchall("reading migrations", "SELECT name FROM migrations ORDER BY rowid")
        return tuple(row["name"] for row in rows)

    async def journal_mode(self) -> str:
        """SQLite's journal mode for this database: ``wal`` for files, ``memory`` for ``:memory:``."""
        row = await self._fetchone("reading the journal mode", "PRAGMA journal_mode")
        return "" if row is None else str(row[0]).lower()
