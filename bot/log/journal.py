"""Writing the conversation log from handlers: every message that got a reply becomes one exchange row,
written in the background *after* the reply has gone, so SQLite never delays an answer."""

from __future__ import annotations

import asyncio
import logging
import time

from telegram import Message, Update

from bot.context import MessageKey, SanadContext
from bot.inbox import inbox_of
from bot.log.records import Exchange, Origin
from bot.sanitize import clean_text

logger = logging.getLogger(__name__)


def log_reply(
    context: SanadContext,
    update: Update,
    outcome: str,
    question: str | None,
    sent: Message | None,
    started: float,
) -> None:
    """Log a message that got a notice rather than an answer (``outcome`` from ``bot.log.schema.OUTCOMES``).

    ``question`` is what the user sent, cleaned; ``None`` takes the message's own text (or caption)."""
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    if message is None or chat is None:
        return
    if question is None:
        question = clean_text(message.text or message.caption or "").strip()
    retriever = context.services.retriever
    exchange = Exchange.notice(
        Origin(chat.id, user.id if user is not None else None, chat.type, message.message_id),
        question,
        outcome,
        latency_ms=(time.monotonic() - started) * 1000,
        corpus_version=retriever.info.version if retriever is not None else "",
        reply_message_id=sent.message_id if sent is not None else None,
    )
    log_exchange_later(context, None, exchange)


def log_exchange_later(context: SanadContext, key: MessageKey | None, exchange: Exchange) -> None:
    """Queue the exchange for the log writer (``bot.log.writer``); a button pressed under the reply at once
    can wait for its id through ``services.pending_logs[key]``."""
    services = context.services
    future = services.log_writer.submit(
        f"an exchange ({exchange.effective_outcome})", lambda store: store.log_exchange(exchange)
    )
    if key is None or future.done():
        return
    services.pending_logs[key] = future

    def forget_key(done: asyncio.Future[int | None]) -> None:
        if services.pending_logs.get(key) is done:
            del services.pending_logs[key]

    future.add_done_callback(forget_key)


def record_denied_later(context: SanadContext, user_id: int | None, chat_id: int, command: str) -> None:
    """Record a refused admin attempt (a command, a button or an upload) after the reply has gone."""
    context.services.log_writer.submit(
        f"a refused /{command}", lambda store: store.record_denied(user_id, chat_id, command)
    )


def save_processed_later(context: SanadContext) -> None:
    """Queue the save of the update ids finished since the last save (``LogWriter.save_processed``); once
    they are written, the journal of sent replies (``bot.inbox``) forgets them."""
    inbox = inbox_of(context.application)
    on_saved = inbox.sent.committed if inbox is not None else None
    context.services.log_writer.save_processed(context.bot.id, on_saved)
