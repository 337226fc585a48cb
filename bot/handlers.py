"""Thin Telegram handlers: pick the question out of the update, ask the retriever off the loop, reply.

Rendering lives in ``bot.render``, wording in ``bot.phrases``, admin features in ``bot.admin``. Incoming
text is cleaned first (``bot.sanitize``). Every message that gets a reply is written to SQLite *after* the
reply has been sent, with its ``outcome`` (answered, declined, empty, too_long, rate_limited, non_text,
command, refused, upload, upload_rejected, error: see ``bot.log.OUTCOMES``); /forget is the one reply
that is not logged.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time

from telegram import InlineKeyboardMarkup, Message, MessageEntity, Update
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop

from bot import admin, phrases
from bot.context import MessageKey, NotReadyError, SanadContext, Services
from bot.conversation import conversations_of
from bot.fetch import link_in
from bot.keyboards import acknowledge, answer_keyboard, pressed
from bot.log import Exchange, Origin, Store, StoreError, journal
from bot.log.journal import log_exchange_later, log_reply
from bot.render import (
    MAX_TEXT_LENGTH,
    Page,
    escape,
    render_answer_html,
    render_help_html,
    render_sources_html,
    utf16_len,
)
from bot.sanitize import clean_text, utf16_slice
from retrieval import followup
from retrieval.answer import Retriever
from retrieval.errors import EmptyQuestionError
from retrieval.followup import Resolution, Turn
from retrieval.models import Answer, Citation, Hit

logger = logging.getLogger(__name__)

ALL_COMMANDS = phrases.USER_COMMANDS + phrases.ADMIN_COMMANDS
# How long a button waits for the log write of its answer (Telegram wants callback answers within seconds).
BUTTON_WAIT_SECONDS = 3.0


# --- helpers -----------------------------------------------------------------------------------------


async def reply_logged(
    context: SanadContext,
    update: Update,
    message: Message,
    text: str,
    outcome: str = "command",
    question: str | None = None,
    reply_markup: InlineKeyboardMarkup | None = None,
) -> Message | None:
    """Reply with HTML that is not an answer (a command's reply, a notice) and log the exchange with its
    outcome (``bot.log.journal.log_reply``: ``question`` None takes the message's own text)."""
    sent = await context.reply_html(message, text, reply_markup)
    log_reply(context, update, outcome, question, sent, context.arrived)
    return sent


async def reply_notice(
    context: SanadContext,
    update: Update,
    message: Message,
    notice: str,
    outcome: str,
    question: str | None,
) -> None:
    """Reply with a plain-text Arabic notice (escaped here) and log the exchange with its outcome."""
    await reply_logged(context, update, message, escape(notice), outcome, question)


def example_question(retriever: Retriever | None) -> str:
    if retriever is not None and retriever.examples:
        return retriever.examples[0]
    return phrases.EMPTY_QUESTION_DEFAULT_EXAMPLE


def answer_and_render(retriever: Retriever, question: str, snippets: int) -> tuple[Answer, Page]:
    """Blocking: rank and render (run it with ``asyncio.to_thread``)."""
    answer = retriever.answer(question)
    examples = retriever.examples_for(question) if answer.declined else ()
    highlight = retriever.highlight_spans
    page = render_answer_html(answer, snippets=snippets, highlight=highlight, examples=examples)
    return answer, page


def resolution_line(resolution: Resolution) -> str:
    """The one line that shows how a follow-up was read («(عن: مطار ألماتي)»), or ""."""
    if resolution.kind == "followup":
        return phrases.FOLLOWUP_ABOUT.format(topic=followup.topic_label(resolution.context))
    if resolution.kind == "source":
        return phrases.FOLLOWUP_SOURCE
    return ""


def resolved_question(resolution: Resolution) -> str | None:
    """What the log records beside the raw question for a follow-up, else None."""
    line = resolution_line(resolution)
    return f"{resolution.question} {line}" if line else None


def source_html(resolution: Resolution) -> str:
    """The reply to «مين قال هالكلام؟»: the sentence last shown and its full source."""
    shown = resolution.source
    if shown is None:
        return escape(phrases.FOLLOWUP_NO_SOURCE)
    quote = escape(f"«{shown.sentence.text}»")
    head = f"{escape(phrases.FOLLOWUP_SOURCE)}\n\n{quote}\n\n"
    return head + render_sources_html(shown.citations, limit=MAX_TEXT_LENGTH - utf16_len(head))


def shown_answer(resolution: Resolution) -> Answer | None:
    """A question about the source, as the log records it: the sentence last shown and its citations."""
    shown = resolution.source
    if shown is None:
        return None
    return Answer(resolution.question, (), (Hit(shown.sentence, 0.0, shown.citations),), False)


def converse(
    retriever: Retriever, question: str, previous: Turn | None, window: float, snippets: int
) -> tuple[Resolution, Answer | None, Page, Turn | None]:
    """Blocking: read the message against the previous turn, answer it and render (``asyncio.to_thread``).

    Returns the reading, the answer (None for a question about the source), the page and the next turn.
    """
    now = time.monotonic()
    resolution = followup.resolve(retriever, question, previous, now, window)
    if resolution.kind == "source":
        page = Page(source_html(resolution), 0, 0, 0, declined=True)
        return resolution, None, page, followup.next_turn(retriever, resolution, None, now, previous)
    answer = followup.answer(retriever, resolution)
    line = resolution_line(resolution)
    head = f"{escape(line)}\n\n" if line else ""
    page = render_answer_html(
        answer,
        snippets=snippets,
        highlight=retriever.highlight_spans,
        examples=retriever.examples,
        limit=MAX_TEXT_LENGTH - utf16_len(head),
    )
    page = Page(head + page.text, page.start, page.shown, page.total, page.declined)
    return resolution, answer, page, followup.next_turn(retriever, resolution, answer, now, previous)


def render_page(retriever: Retriever | None, answer: Answer, snippets: int, start: int) -> Page:
    """Blocking: one page of an answer already computed."""
    highlight = retriever.highlight_spans if retriever is not None else None
    examples = retriever.examples_for(answer.question) if retriever is not None and answer.declined else ()
    return render_answer_html(answer, snippets=snippets, start=start, highlight=highlight, examples=examples)


def addressed_text(message: Message, username: str, bot_id: int) -> str | None:
    """In a group: the question when the message mentions the bot or replies to it, else None."""
    text = message.text or ""
    mention = f"@{username}".lower()
    mentioned = any(
        (
            entity.type == MessageEntity.MENTION
            and utf16_slice(text, entity.offset, entity.length).lower() == mention
        )
        or (
            entity.type == MessageEntity.TEXT_MENTION and entity.user is not None and entity.user.id == bot_id
        )
        for entity in message.entities
    )
    if mentioned:
        return re.sub(rf"@{re.escape(username)}\b", " ", text, flags=re.IGNORECASE).strip()
    replied = message.reply_to_message
    if replied is not None and replied.from_user is not None and replied.from_user.id == bot_id:
        return text
    return None


def command_argument(message: Message) -> str:
    """Text after ``/ask`` (or ``/ask@bot``), punctuation kept."""
    parts = (message.text or "").split(maxsplit=1)
    return parts[1].strip() if len(parts) > 1 else ""


# --- answering -----------------------------------------------------------------------------------------


async def answer_question(update: Update, context: SanadContext, question: str) -> None:
    """The whole question flow: limits, retrieval off the loop, HTML reply, then the log write.
    ``question`` comes cleaned (``bot.sanitize``) by the handler that took it from the update."""
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    if message is None or chat is None:
        return
    services = context.services
    settings = services.settings.bot
    if user is not None:
        decision = services.limiter.check(user.id)
        if not decision.allowed:
            if decision.notify:  # only the message that got the notice is logged, not the silent ones
                notice = phrases.RATE_LIMITED.format(
                    count=settings.rate_limit_count,
                    seconds=f"{settings.rate_limit_seconds:g}",
                    wait=decision.retry_after_seconds,
                )
                await reply_notice(context, update, message, notice, "rate_limited", question)
            return
    if len(question) > settings.max_question_chars:
        notice = phrases.TOO_LONG.format(length=len(question), limit=settings.max_question_chars)
        await reply_notice(context, update, message, notice, "too_long", question)
        return
    retriever = services.require_retriever()  # one reference: a /reload swap does not affect this question
    conversations = conversations_of(context.application)
    replied = message.reply_to_message
    previous = None
    if user is not None and settings.followup_window_seconds > 0:
        previous = conversations.previous(chat.id, user.id, replied.message_id if replied else None)
    try:
        resolution, result, page, turn = await asyncio.to_thread(
            converse, retriever, question, previous, settings.followup_window_seconds, settings.snippets
        )
    except EmptyQuestionError:
        notice = phrases.EMPTY_QUESTION.format(example=example_question(retriever))
        await reply_notice(context, update, message, notice, "empty", question)
        return
    answer = result if result is not None else shown_answer(resolution)
    if answer is None:  # «مين قال هالكلام؟» before any sentence was shown
        await reply_logged(context, update, message, page.text, "command", question)
        return
    markup = answer_keyboard(page) if result is not None else None
    sent = await context.reply_html(message, page.text, markup)
    latency_ms = (time.monotonic() - context.arrived) * 1000
    key = (chat.id, sent.message_id) if sent is not None and result is not None else None
    if user is not None and turn is not None:
        conversations.remember(chat.id, user.id, turn, sent.message_id if sent is not None else None)
    if not answer.declined:
        services.last_citations.put(chat.id, answer.citations)
        if key is not None:
            services.answers.put(key, answer)
    exchange = Exchange.for_answer(
        Origin(chat.id, user.id if user is not None else None, chat.type, message.message_id),
        question,
        answer,
        latency_ms=latency_ms,
        corpus_version=retriever.info.version,
        reply_message_id=sent.message_id if sent is not None else None,
        resolved_question=resolved_question(resolution),
    )
    log_exchange_later(context, key, exchange)


async def exchange_id_for(services: Services, key: MessageKey) -> int | None:
    """The logged exchange behind an answer message (waiting a little for its write if still queued)."""
    pending = services.pending_logs.get(key)
    if pending is not None:
        try:
            async with asyncio.timeout(BUTTON_WAIT_SECONDS):
                return await asyncio.shield(pending)
        except TimeoutError:
            logger.warning("the log write of an answer is still waiting; the button cannot use it yet")
            return None
    if services.store is None:
        return None
    try:
        return await services.store.exchange_for_reply(*key)
    except StoreError:
        logger.exception("could not look up the exchange of an answer")
        return None


# --- every update: no repeats ----------------------------------------------------------------------------


async def claim_update(update: Update, context: SanadContext) -> None:
    """Group -1, before any other handler: stop an update that was already handled (``bot.log.ledger``)."""
    if not context.services.updates.claim(update.update_id):
        logger.info("update %d was already handled; not answering it again", update.update_id)
        raise ApplicationHandlerStop


async def finish_update(update: Update, context: SanadContext) -> None:
    """Group 1, after the handler replied (or failed and the error handler replied): record the update."""
    context.services.updates.finish(update.update_id)
    journal.save_processed_later(context)


# --- message handlers ------------------------------------------------------------------------------------


async def private_text(update: Update, context: SanadContext) -> None:
    """Private chat: every text message (and every edit of one) is a question, except a new message from
    an admin that is just a link: that page is fetched and previewed as a new article (``bot.admin``)."""
    message, user = update.effective_message, update.effective_user
    if message is not None and message.text is not None:
        link = link_in(message.text) if update.message is not None else None
        if link is not None and context.services.is_admin(user.id if user is not None else None):
            sent, outcome = await admin.receive_link(update, context, link)
            log_reply(context, update, outcome, link, sent, context.arrived)
            return
        await answer_question(update, context, clean_text(message.text).strip())


async def group_text(update: Update, context: SanadContext) -> None:
    """Groups: answer only when mentioned by @username or when the message replies to the bot."""
    message = update.effective_message
    if message is None:
        return
    question = addressed_text(message, context.bot.username, context.bot.id)
    if question is not None:
        await answer_question(update, context, clean_text(question).strip())


async def ask(update: Update, context: SanadContext) -> None:
    """/ask QUESTION — works in groups with privacy mode on."""
    message = update.effective_message
    if message is None:
        return
    question = clean_text(command_argument(message)).strip()
    if not question:
        example = example_question(context.services.retriever)
        usage = phrases.ASK_USAGE.format(example=example)
        await reply_notice(context, update, message, usage, "empty", None)
        return
    await answer_question(update, context, question)


async def non_text(update: Update, context: SanadContext) -> None:
    """Photos, stickers, voice… in a private chat: explain that only text questions are understood."""
    if (message := update.effective_message) is not None:
        await reply_notice(context, update, message, phrases.NOT_TEXT, "non_text", None)


async def document(update: Update, context: SanadContext) -> None:
    """A file in a private chat: an admin's article upload, anyone else's gets an explanation."""
    message, user, chat = update.effective_message, update.effective_user, update.effective_chat
    if message is None:
        return
    name = clean_text(message.document.file_name or "") if message.document is not None else ""
    user_id = user.id if user is not None else None
    if context.services.is_admin(user_id):
        sent, outcome = await admin.receive_upload(update, context)
        log_reply(context, update, outcome, name, sent, context.arrived)
        return
    await reply_notice(context, update, message, phrases.DOCUMENT_NOT_ALLOWED, "refused", name)
    if chat is not None:
        journal.record_denied_later(context, user_id, chat.id, "upload")


async def unknown_command(update: Update, context: SanadContext) -> None:
    if (message := update.effective_message) is not None:
        await reply_notice(context, update, message, phrases.UNKNOWN_COMMAND, "command", None)


# --- commands --------------------------------------------------------------------------------------------


async def help_command(update: Update, context: SanadContext) -> None:
    """/start and /help: what the bot knows (from the loaded corpus), how to ask, the commands."""
    message = update.effective_message
    if message is None:
        return
    retriever = context.services.require_retriever()
    text = render_help_html(
        retriever.info, username=context.bot.username, examples=retriever.examples, commands=ALL_COMMANDS
    )
    await reply_logged(context, update, message, text)


async def sources(update: Update, context: SanadContext) -> None:
    """/sources: full citations of this chat's last answer, read from the log (survives restarts)."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return
    citations: tuple[Citation, ...] | None = context.services.last_citations.get(chat.id)
    store = context.services.store
    if citations is None and store is not None:
        try:
            citations = await store.last_citations(chat.id)
        except StoreError:
            logger.exception("could not read the last citations of a chat")
    await reply_logged(context, update, message, render_sources_html(citations))


async def new_topic(update: Update, context: SanadContext) -> None:
    """/new: forget the sender's previous question in this chat; the next message starts fresh."""
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    if message is None or chat is None:
        return
    if user is not None:
        conversations_of(context.application).forget(chat.id, user.id)
    await reply_logged(context, update, message, escape(phrases.NEW_TOPIC))


async def forget(update: Update, context: SanadContext) -> None:
    """/forget: delete the sender's exchanges, votes and refused attempts from the log (by pseudonym when
    pseudonyms are on), drop what memory holds about their private chat, and confirm in Arabic.

    The deletion goes through the log writer's queue, after every row already waiting there, so nothing
    the user sent before /forget lands afterwards. The /forget message itself is not logged."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    services = context.services
    user_id = user.id
    deleted = await services.log_writer.submit("forgetting a user", lambda store: store.forget_user(user_id))
    if deleted is None:
        await context.reply_html(message, escape(phrases.FORGET_FAILED))
        return
    for key, _answer in services.answers.items():
        if key[0] == user_id:  # the user's private chat
            services.answers.pop(key)
    services.last_citations.pop(user_id)
    conversations_of(context.application).forget_user(user_id)
    await context.reply_html(message, escape(phrases.FORGET_DONE if deleted else phrases.FORGET_NOTHING))


# --- buttons ---------------------------------------------------------------------------------------------


async def stale_button(update: Update, context: SanadContext) -> None:
    """Callback data no button pattern matches (a button of an older version, or forged): «expired»."""
    if update.callback_query is not None:
        await acknowledge(update.callback_query, phrases.EXPIRED)


async def sources_button(update: Update, context: SanadContext) -> None:
    """«المصادر» under an answer: its full citations (from memory, else from the log) as a new message."""
    if (press := await pressed(update)) is None:
        return
    callback_query, message = press
    key = (message.chat.id, message.message_id)
    services = context.services
    cached = services.answers.get(key)
    citations: tuple[Citation, ...] = cached.citations if cached is not None else ()
    if not citations and services.store is not None:
        exchange_id = await exchange_id_for(services, key)
        if exchange_id is not None:
            try:
                citations = await services.store.citations_for(exchange_id)
            except StoreError:
                logger.exception("could not read the citations of exchange %s", exchange_id)
    await acknowledge(callback_query)
    text = render_sources_html(citations) if citations else escape(phrases.EXPIRED)
    await context.reply_html(message, text)


async def feedback_button(update: Update, context: SanadContext) -> None:
    """👍 / 👎 under an answer: record the vote on its exchange and thank the user."""
    if (press := await pressed(update)) is None:
        return
    callback_query, message = press
    services = context.services
    value = 1 if context.matched() == "+" else -1
    exchange_id = await exchange_id_for(services, (message.chat.id, message.message_id))
    if exchange_id is None:
        await acknowledge(callback_query, phrases.FEEDBACK_FAILED)
        return
    user_id = callback_query.from_user.id

    async def vote(store: Store) -> bool:
        await store.record_feedback(exchange_id, user_id, value)
        return True

    written = services.log_writer.submit("a vote", vote)
    try:  # a working log answers at once; one that is retrying is not waited for
        async with asyncio.timeout(BUTTON_WAIT_SECONDS):
            recorded = await asyncio.shield(written)
    except TimeoutError:
        recorded = True  # still queued: it will be written, or counted as lost
    if not recorded:
        await acknowledge(callback_query, phrases.FEEDBACK_FAILED)
        return
    thanks = phrases.FEEDBACK_THANKS_UP if value > 0 else phrases.FEEDBACK_THANKS_DOWN
    await acknowledge(callback_query, thanks)


async def _stored_answer(services: Services, key: MessageKey) -> Answer | None:
    """The answer behind a message: from the cache, else re-run on the logged question."""
    cached = services.answers.get(key)
    if cached is not None:
        return cached
    exchange_id = await exchange_id_for(services, key)
    if exchange_id is None or services.store is None:
        return None
    try:
        exchange = await services.store.exchange(exchange_id)
    except StoreError:
        logger.exception("could not read exchange %s", exchange_id)
        return None
    if exchange is None or exchange.declined:
        return None
    retriever = services.require_retriever()
    try:
        answer = await asyncio.to_thread(retriever.answer, exchange.question)
    except EmptyQuestionError:
        return None
    if answer.declined:
        return None
    services.answers.put(key, answer)
    return answer


async def more_button(update: Update, context: SanadContext) -> None:
    """«المزيد» under an answer: edit the message to the answer's next page."""
    if (press := await pressed(update)) is None:
        return
    callback_query, message = press
    start = int(context.matched())
    services = context.services
    answer = await _stored_answer(services, (message.chat.id, message.message_id))
    if answer is None:
        await acknowledge(callback_query, phrases.EXPIRED, alert=True)
        return
    page = await asyncio.to_thread(
        render_page, services.retriever, answer, services.settings.bot.snippets, start
    )
    await acknowledge(callback_query)
    if page.shown == 0:
        await callback_query.edit_message_reply_markup(reply_markup=answer_keyboard(page))
        return
    await callback_query.edit_message_text(page.text, reply_markup=answer_keyboard(page))


# --- errors ----------------------------------------------------------------------------------------------


async def on_error(update: object, context: SanadContext) -> None:
    """Log the failure (traceback, never the token: see ``bot.loghygiene``) and tell the user in Arabic
    (that the corpus is still loading, when it is)."""
    logger.error("error while handling an update", exc_info=context.error)
    if not isinstance(update, Update):
        return
    notice = phrases.NOT_READY if isinstance(context.error, NotReadyError) else phrases.ERROR
    try:
        if update.callback_query is not None:
            await acknowledge(update.callback_query, notice, alert=True)
        elif (message := update.effective_message) is not None:
            await reply_notice(context, update, message, notice, "error", None)
    except TelegramError:
        logger.warning("could not tell the user about the error", exc_info=True)
