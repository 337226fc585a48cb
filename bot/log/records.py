"""The conversation log's row types: an exchange as written, an inbox entry, the /stats counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.log.schema import question_outcome
from retrieval.models import Answer, Citation

__all__ = ["Exchange", "InboxEntry", "Origin", "Stats"]


@dataclass(frozen=True)
class Origin:
    """Where a logged message came from."""

    chat_id: int
    user_id: int | None
    chat_type: str
    message_id: int | None


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

    @classmethod
    def for_answer(
        cls,
        origin: Origin,
        question: str,
        answer: Answer,
        *,
        latency_ms: float,
        corpus_version: str,
        reply_message_id: int | None = None,
        outcome: str | None = None,
        resolved_question: str | None = None,
    ) -> Exchange:
        """A question and the answer shown for it: its words, hits, citations and missing terms."""
        return cls(
            chat_id=origin.chat_id,
            user_id=origin.user_id,
            chat_type=origin.chat_type,
            message_id=origin.message_id,
            question=question,
            normalized_query=" ".join(answer.query_terms),
            results=tuple((hit.sentence.id, hit.score) for hit in answer.hits),
            citations=answer.citations,
            declined=answer.declined,
            missing_terms=answer.missing_terms,
            latency_ms=latency_ms,
            corpus_version=corpus_version,
            reply_message_id=reply_message_id,
            outcome=outcome,
            resolved_question=resolved_question,
        )

    @classmethod
    def notice(
        cls,
        origin: Origin,
        question: str,
        outcome: str,
        *,
        latency_ms: float,
        corpus_version: str,
        reply_message_id: int | None = None,
        declined: bool = False,
    ) -> Exchange:
        """A message that got a notice (``outcome``) instead of an answer: no search words, no results."""
        nothing = Answer(question=question, query_terms=(), hits=(), declined=declined)
        return cls.for_answer(
            origin,
            question,
            nothing,
            latency_ms=latency_ms,
            corpus_version=corpus_version,
            reply_message_id=reply_message_id,
            outcome=outcome,
        )

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
