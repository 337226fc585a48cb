"""Writing the conversation log from handlers: every message that got a reply becomes one exchange row,
written in the background *after* the reply has gone, so SQLite never delays an answer."""

from __future__ import annotations

import logging
import time

from telegram import Message, Update

from bot.context import MessageKey, SanadContext
from bot.sanitize import clean_text
from bot.store import Exchange, StoreError

logger = logging.getLogger(__name__)


def log_reply(
    context: SanadContext,
    update: Update,
    outcome: str,
    question: str | None,
    sent: Message | None,
    started: float,
) -> None:
    """Log a message that got a notice rather than an answer (``outcome`` from ``bot.store.OUTCOMES``).

    ``question`` is what the user sent, cleaned; ``None`` takes the message's own text (or caption)."""
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    if message is None or chat is None:
        return
    if question is None:
        question = clean_text(message.text or message.caption or "").strip()
    retriever = context.services.retriever
    exchange = Exchange(
        chat_id=chat.id,
        user_id=user.id if user is not None else None,
        chat_type=chat.type,
        message_id=message.message_id,
        question=question,
        normalized_query="",
        results=(),
        citations=(),
        declined=False,
        missing_terms=(),
        latency_ms=(time.monotonic() - started) * 1000,
        corpus_version=retriever.info.version if retriever is not None else "",
        reply_message_id=sent.message_id if sent is not None else None,
        outcome=outcome,
    )
    log_exchange_later(context, (chat.id, exchange.reply_message_id or -message.message_id), exchange)


def log_exchange_later(context: SanadContext, key: MessageKey, exchange: Exchange) -> None:
    """Write the exchange in the background; a failing store is logged and the bot keeps answering."""
    services = context.services
    store = services.store
    if store is None:
        return

    async def write() -> int | None:
        try:
            return await store.log_exchange(exchange)
        except StoreError:
            logger.exception("could not log an exchange in chat %s", exchange.chat_id)
            return None
        finally:
            services.pending_logs.pop(key, None)

    task = context.application.create_task(write(), name=f"log-exchange-{key}")
    services.pending_logs[key] = task
    services.track_log(task)
