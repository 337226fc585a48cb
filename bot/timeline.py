"""/timeline [TOPIC]: the corpus's dated events in order, each a cited sentence, paged with buttons.

The timeline is built off the event loop once per corpus version (``retrieval.timeline``) and kept until
/reload swaps the retriever. A page button (``tl:<start>``) reads the topic again from the /timeline
message the page replies to, so paging keeps working after a restart; the pages remembered in memory
cover a reply whose /timeline message was deleted.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any

from telegram import Message, Update
from telegram.error import BadRequest
from telegram.ext import Application

from bot import phrases
from bot.context import LruCache, MessageKey, SanadContext, feature_state
from bot.handlers import command_argument, reply_logged, reply_notice
from bot.keyboards import acknowledge, pressed, timeline_keyboard
from bot.render import TIMELINE_PAGE_EVENTS, TimelinePage, render_timeline_html, timeline_citations
from bot.sanitize import clean_text
from retrieval.answer import Retriever
from retrieval.errors import EmptyQuestionError
from retrieval.timeline import Event, build_timeline, filter_topic

logger = logging.getLogger(__name__)

STATE_KEY = "sanad.timeline"
MAX_TOPIC_CHARS = 100


@dataclass
class TimelineState:
    """The built timeline of the current corpus version, and the topic behind recent timeline messages."""

    page_events: int = TIMELINE_PAGE_EVENTS
    version: str = ""
    events: tuple[Event, ...] = ()
    by_topic: LruCache[str, tuple[Event, ...]] = field(default_factory=lambda: LruCache(64))
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    topics: LruCache[MessageKey, str] = field(default_factory=lambda: LruCache(1024))


def timeline_state(application: Application[Any, Any, Any, Any, Any, Any]) -> TimelineState:
    """This application's timeline state (in ``bot_data``, created on first use)."""
    return feature_state(application, STATE_KEY, TimelineState)


async def events_for(context: SanadContext, retriever: Retriever, topic: str) -> tuple[Event, ...]:
    """The timeline of ``retriever``'s corpus (built once per version), narrowed to ``topic`` when given.

    Raises ``EmptyQuestionError`` for a topic without searchable words."""
    state = timeline_state(context.application)
    async with state.lock:
        if state.version != retriever.info.version:
            state.events = await asyncio.to_thread(
                build_timeline, retriever.corpus.articles, retriever.pipeline
            )
            state.version = retriever.info.version
            state.by_topic = LruCache(state.by_topic.capacity)
        events = state.events
        if not topic:
            return events
        found = state.by_topic.get(topic)
        if found is None:  # every page press asks again: keep the recent topics' events
            found = await asyncio.to_thread(filter_topic, events, topic, retriever.pipeline)
            state.by_topic.put(topic, found)
        return found


async def timeline_page(
    context: SanadContext, topic: str, start: int
) -> tuple[TimelinePage, tuple[Event, ...]]:
    retriever = context.services.require_retriever()
    events = await events_for(context, retriever, topic)
    size = timeline_state(context.application).page_events
    page = await asyncio.to_thread(
        render_timeline_html, events, topic=topic or None, start=start, page_events=size
    )
    return page, events


def _topic_of(message: Message) -> str:
    return clean_text(command_argument(message)).strip()[:MAX_TOPIC_CHARS]


async def timeline_command(update: Update, context: SanadContext) -> None:
    """/timeline [TOPIC]: the first page of the (topic's) timeline, with «السابق» / «التالي»."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return
    topic = _topic_of(message)
    try:
        page, events = await timeline_page(context, topic, 0)
    except EmptyQuestionError:
        await reply_notice(context, update, message, phrases.TIMELINE_NO_WORDS, "empty", None)
        return
    sent = await reply_logged(context, update, message, page.text, reply_markup=timeline_keyboard(page))
    if sent is not None and topic:
        timeline_state(context.application).topics.put((chat.id, sent.message_id), topic)
    if events:
        context.services.last_citations.put(chat.id, timeline_citations(events))


async def page_button(update: Update, context: SanadContext) -> None:
    """«السابق» / «التالي» under a timeline page: edit the message to the requested page."""
    if (press := await pressed(update)) is None:
        return
    callback_query, message = press
    start = int(context.matched())
    topic = timeline_state(context.application).topics.get((message.chat.id, message.message_id))
    if topic is None:
        original = message.reply_to_message
        topic = _topic_of(original) if original is not None else ""
    try:
        page, _ = await timeline_page(context, topic, start)
    except EmptyQuestionError:
        await acknowledge(callback_query, phrases.EXPIRED, alert=True)
        return
    await acknowledge(callback_query)
    try:
        await callback_query.edit_message_text(page.text, reply_markup=timeline_keyboard(page))
    except BadRequest as error:  # a double press: the page is already shown
        if "not modified" not in str(error).lower():
            raise
