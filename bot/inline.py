"""Inline mode: ``@bot سؤال`` in any chat lists cited snippets; choosing one posts it with its source.

Telegram sends an inline query for every keystroke, so a query is answered only when it has at least
``MIN_QUERY_CHARS`` characters and the same user has typed nothing newer for ``DEBOUNCE_SECONDS``
(a superseded query is dropped without an answer; Telegram keeps showing the previous results). Results
are cached for ``CACHE_SECONDS`` per corpus version and question, and Telegram is told it may cache them
as long. A search (not a cache hit) counts against the user's rate limit, as a question in a chat does.

A question the corpus does not answer gets no result, only the button above the list saying the sources
do not cover it (it opens the private chat with the bot). A «كم…» question whose sources give different
figures gets one more result first, «تختلف المصادر: 18 [1]، 8 على الأقل [2]», which posts each figure's
sentence with its source. Every answered query is logged with the outcome ``inline`` (its chat id is the
user's own: an inline query has no chat).
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import logging
import time
from dataclasses import dataclass, field, replace
from typing import Any

from telegram import (
    InlineQuery,
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
    LinkPreviewOptions,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import Application

from bot import phrases
from bot.context import LruCache, SanadContext, feature_state
from bot.log import Exchange, Origin
from bot.log.journal import log_exchange_later
from bot.render import inline_description, inline_figures, inline_title, render_inline_html
from bot.sanitize import clean_text
from retrieval.answer import Retriever
from retrieval.errors import EmptyQuestionError
from retrieval.models import Answer

logger = logging.getLogger(__name__)

STATE_KEY = "sanad.inline"
MIN_QUERY_CHARS = 4  # «متى»-sized fragments are not questions yet
MAX_QUERY_CHARS = 256  # Telegram's own limit on inline query text
DEBOUNCE_SECONDS = 0.6  # quiet time after the user's latest keystroke before searching
CACHE_SECONDS = 60
MAX_RESULTS = 5
START_PARAMETER = "inline"  # /start inline, when the button above the results is pressed


@dataclass(frozen=True)
class InlineAnswer:
    """What one inline question resolved to: the answer and the results Telegram shows for it."""

    answer: Answer | None  # None: no searchable words
    results: tuple[InlineQueryResultArticle, ...]


@dataclass
class InlineState:
    """Per-application inline state: each user's latest query (for debouncing) and recent answers."""

    debounce_seconds: float = DEBOUNCE_SECONDS
    cache_seconds: float = CACHE_SECONDS
    latest: dict[int, int] = field(default_factory=dict)
    cache: LruCache[tuple[str, str], tuple[float, InlineAnswer]] = field(
        default_factory=lambda: LruCache(512)
    )
    _sequence: itertools.count[int] = field(default_factory=itertools.count)

    def begin(self, user_id: int) -> int:
        """Mark a new query from ``user_id``; earlier ones still waiting are superseded."""
        number = next(self._sequence)
        self.latest[user_id] = number
        return number

    def is_latest(self, user_id: int, number: int) -> bool:
        return self.latest.get(user_id) == number

    def end(self, user_id: int, number: int) -> None:
        if self.latest.get(user_id) == number:
            del self.latest[user_id]  # memory bounded by the users typing right now

    def cached(self, key: tuple[str, str], now: float) -> InlineAnswer | None:
        entry = self.cache.get(key)
        if entry is None or entry[0] < now:
            return None
        return entry[1]

    def remember(self, key: tuple[str, str], value: InlineAnswer, now: float) -> None:
        self.cache.put(key, (now + self.cache_seconds, value))


def inline_state(application: Application[Any, Any, Any, Any, Any, Any]) -> InlineState:
    """This application's inline state (in ``bot_data``, created on first use)."""
    return feature_state(application, STATE_KEY, InlineState)


def result_id(sentence_id: str) -> str:
    """A result id within Telegram's 64 bytes whatever the article ids look like."""
    return hashlib.sha256(sentence_id.encode()).hexdigest()[:32]


def inline_answer(retriever: Retriever, question: str) -> InlineAnswer:
    """Blocking: answer ``question`` and render one article result per hit (run it off the loop)."""
    try:
        answer = retriever.answer(question)
    except EmptyQuestionError:
        return InlineAnswer(None, ())
    if answer.declined:
        return InlineAnswer(answer, ())
    highlight = retriever.highlight_spans
    results = [
        _article(result_id(hit.sentence.id), inline_title(hit), inline_description(hit), html)
        for hit in answer.hits[:MAX_RESULTS]
        if (html := render_inline_html(answer, hit, highlight=highlight))
    ]
    figures = inline_figures(answer, highlight=highlight)
    if figures is not None:  # first: the sources disagree on the figure asked for
        title, html = figures
        results.insert(0, _article(result_id(f"figures:{title}"), title, phrases.INLINE_FIGURES, html))
    return InlineAnswer(answer, tuple(results))


def _article(identifier: str, title: str, description: str, html: str) -> InlineQueryResultArticle:
    content = InputTextMessageContent(
        html, parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True)
    )
    return InlineQueryResultArticle(
        id=identifier, title=title, description=description, input_message_content=content
    )


async def _answer_query(
    query: InlineQuery, results: tuple[InlineQueryResultArticle, ...], button: str | None, cache_time: int
) -> bool:
    """answerInlineQuery, once: a query is only worth answering for a few seconds."""
    markup = InlineQueryResultsButton(button, start_parameter=START_PARAMETER) if button else None
    try:
        await query.answer(results, cache_time=cache_time, is_personal=False, button=markup)
    except TelegramError as error:
        logger.warning("could not answer an inline query: %s", error)
        return False
    return True


async def inline_query(update: Update, context: SanadContext) -> None:
    """``@bot سؤال``: debounce, search (or reuse a recent search), answer with cited results, log."""
    query = update.inline_query
    if query is None:
        return
    question = clean_text(query.query).strip()[:MAX_QUERY_CHARS]
    if len(question) < MIN_QUERY_CHARS:
        return
    services = context.services
    state = inline_state(context.application)
    user_id = query.from_user.id
    number = state.begin(user_id)
    try:
        await asyncio.sleep(state.debounce_seconds)
        if not state.is_latest(user_id, number):
            return  # the user kept typing: only the newest query is answered
        retriever = services.require_retriever()
        key = (retriever.info.version, " ".join(question.split()))
        found = state.cached(key, time.monotonic())
        if found is None:
            decision = services.limiter.check(user_id)
            if not decision.allowed:
                await _answer_query(query, (), phrases.INLINE_RATE_LIMITED, 0)
                if decision.notify:
                    _log(context, query, question, None, "rate_limited", retriever, context.arrived)
                return
            found = await asyncio.to_thread(inline_answer, retriever, question)
            state.remember(key, found, time.monotonic())
        if not state.is_latest(user_id, number):
            return
    finally:
        state.end(user_id, number)
    button = None if found.results else phrases.INLINE_NOT_COVERED
    cache_time = int(state.cache_seconds)
    if await _answer_query(query, found.results, button, cache_time):
        _log(context, query, question, found.answer, "inline", retriever, context.arrived)


def _log(
    context: SanadContext,
    query: InlineQuery,
    question: str,
    answer: Answer | None,
    outcome: str,
    retriever: Retriever,
    started: float,
) -> None:
    user_id = query.from_user.id
    # An inline query has no chat: the user's own id keeps /forget working.
    origin = Origin(user_id, user_id, query.chat_type or "inline", None)
    latency_ms = (time.monotonic() - started) * 1000
    version = retriever.info.version
    if answer is None:  # no search ran (rate limited)
        exchange = Exchange.notice(
            origin, question, outcome, latency_ms=latency_ms, corpus_version=version, declined=True
        )
    else:
        shown = replace(answer, hits=answer.hits[:MAX_RESULTS])
        exchange = Exchange.for_answer(
            origin, question, shown, latency_ms=latency_ms, corpus_version=version, outcome=outcome
        )
    log_exchange_later(context, None, exchange)
