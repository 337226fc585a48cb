"""The conversation log's row types: an exchange as written, an inbox entry, the /stats counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.log.schema import question_outcome
from retrieval.models import Citation

__all__ = ["Exchange", "InboxEntry", "Stats"]


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
        return question_outcome(self.declined)


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
