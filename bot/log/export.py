"""Exporting the conversation log (``sanad export``): the exchanges as JSON lines or CSV, read without
creating or changing the database."""

from __future__ import annotations

import asyncio
import csv
import json
import sqlite3
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any, TextIO

import aiosqlite

from bot.log.codec import iso
from bot.log.errors import DatabaseNotFoundError, StoreError
from bot.log.schema import question_outcome
from bot.log.store import BUSY_TIMEOUT_MS

__all__ = ["EXPORT_COLUMNS", "EXPORT_FORMATS", "export_rows"]

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


# ``e.*``: a log the bot has not opened since 0002_outcome (export never migrates) has no outcome column;
# every row of it was a question (see _outcome).
_EXPORT_SQL = (
    "SELECT e.*, (SELECT COALESCE(SUM(f.value), 0) FROM feedback AS f WHERE f.exchange_id = e.id) AS feedback"
    " FROM exchanges AS e WHERE e.created_at >= ? ORDER BY e.created_at, e.id"
)


def _outcome(row: sqlite3.Row) -> str:
    if "outcome" in row.keys():  # noqa: SIM118 - "in" on a sqlite3.Row looks at its values
        return str(row["outcome"])
    return question_outcome(bool(row["declined"]))


def _export_record(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "created_at": row["created_at"],
        "chat_id": row["chat_id"],
        "user_id": row["user_id"],
        "chat_type": row["chat_type"],
        "question": row["question"],
        "normalized_query": row["normalized_query"],
        "outcome": _outcome(row),
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
    start = iso(datetime.combine(since, time.min, tzinfo=UTC)) if since is not None else ""
    uri = (await asyncio.to_thread(db_path.resolve)).as_uri() + "?mode=rw"  # rw never creates the file
    writer = csv.writer(out, lineterminator="\n") if fmt == "csv" else None
    if writer is not None:
        writer.writerow(EXPORT_COLUMNS)
    written = 0
    try:
        connection = await aiosqlite.connect(
            uri, uri=True, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000
        )
    except sqlite3.Error as exc:
        raise StoreError(f"cannot open the database {db_path}: {exc}") from exc
    try:
        connection.row_factory = sqlite3.Row
        await connection.execute("PRAGMA query_only = ON")
        async with connection.execute(_EXPORT_SQL, (start,)) as cursor:
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
