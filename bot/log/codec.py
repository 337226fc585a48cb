"""How the conversation log stores values: datetimes as fixed-width ISO-8601 UTC text (so text comparison in
SQL is time comparison), text SQLite can encode, and results and citations as JSON; and an exchange row
read back as its Exchange."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from bot.log.errors import StoreError
from bot.log.records import Exchange
from retrieval.models import Citation

if TYPE_CHECKING:
    import sqlite3


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    """Aware datetime -> fixed-width ISO-8601 UTC text (sorts as time sorts)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"datetime must be timezone-aware (UTC), got naive {moment!r}")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def parse_iso(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def sql_text(value: str) -> str:
    """``value`` as SQLite can store it: lone surrogates (invalid UTF-8) become U+FFFD, all else verbatim."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return value


def to_json(value: Any) -> str:
    return sql_text(json.dumps(value, ensure_ascii=False))


def citation_to_json(citation: Citation) -> dict[str, Any]:
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


def citations_from_json(text: str) -> tuple[Citation, ...]:
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


def results_from_json(text: str) -> tuple[tuple[str, float], ...]:
    try:
        return tuple((str(item["sentence_id"]), float(item["score"])) for item in json.loads(text))
    except (ValueError, KeyError, TypeError) as exc:
        raise StoreError(f"stored results are unreadable: {exc}") from exc


def exchange_from_row(row: sqlite3.Row) -> Exchange:
    """An ``exchanges`` row as the Exchange that was written."""
    return Exchange(
        chat_id=row["chat_id"],
        user_id=row["user_id"],
        chat_type=row["chat_type"],
        message_id=row["message_id"],
        question=row["question"],
        normalized_query=row["normalized_query"],
        results=results_from_json(row["results"]),
        citations=citations_from_json(row["citations"]),
        declined=bool(row["declined"]),
        missing_terms=tuple(json.loads(row["missing_terms"])),
        latency_ms=row["latency_ms"],
        corpus_version=row["corpus_version"],
        reply_message_id=row["reply_message_id"],
        created_at=parse_iso(row["created_at"]),
        outcome=row["outcome"],
        resolved_question=row["resolved_question"],
    )
