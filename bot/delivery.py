"""Sending a reply so that it arrives exactly once when Telegram or the network misbehaves.

``send_with_retry`` resends, a bounded number of times with exponential backoff, only when Telegram
certainly did not take the message: an error status (5xx) or a request that never left (``_NOT_SENT``),
which ``classify`` calls "retry", or a ``RetryAfter`` with a short wait (PTB's ``AIORateLimiter`` off or
given up). When it may have been delivered ("unknown": a read timeout, a connection dropped after
sending) it never resends, since the Bot API has no idempotency key, and returns ``None``: the handler
then sends no error notice either, and logs the exchange without a reply message id. Bad requests,
``Forbidden`` (the user blocked the bot) and anything else ("fatal") are raised at once.
"""

from __future__ import annotations

import asyncio
import datetime as dtm
import logging
import warnings
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import httpx
from telegram import InlineKeyboardMarkup, Message, ReplyParameters
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut
from telegram.warnings import PTBDeprecationWarning

logger = logging.getLogger(__name__)

# httpx failures raised before any byte of the request reached Telegram.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.WriteTimeout)


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try: ``attempts`` in all, waiting ``backoff_seconds`` × 2ⁿ between them; a ``RetryAfter``
    longer than ``max_retry_after`` seconds is not waited for."""

    attempts: int = 3
    backoff_seconds: float = 1.0
    max_retry_after: float = 30.0

    def backoff(self, attempt: int) -> float:
        return float(self.backoff_seconds * 2 ** (attempt - 1))


def retry_after_seconds(error: RetryAfter) -> float:
    with warnings.catch_warnings():  # PTB 22 warns that the type will become timedelta
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = error.retry_after
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


def classify(error: BaseException) -> str:
    """``"retry"``: Telegram certainly did not take the request; ``"unknown"``: it may have;
    ``"fatal"``: resending cannot help (bad request, blocked, anything else)."""
    if isinstance(error, BadRequest) or not isinstance(error, NetworkError):
        return "fatal"
    cause = error.__cause__
    if isinstance(error, TimedOut):
        return "retry" if isinstance(cause, _NOT_SENT) else "unknown"
    if cause is None:  # PTB raises NetworkError without a cause for an HTTP error status (5xx, 429 …)
        return "retry"
    if isinstance(cause, _NOT_SENT):
        return "retry"
    return "unknown"  # connection dropped after sending, protocol errors, anything else from httpx


async def send_with_retry(
    send: Callable[[], Awaitable[Message]], policy: RetryPolicy, *, what: str = "a reply"
) -> Message | None:
    """``await send()`` under ``policy``; ``None`` when the message may or may not have arrived."""
    attempt = 1
    while True:
        try:
            return await send()
        except RetryAfter as error:
            wait = retry_after_seconds(error)
            if attempt >= policy.attempts or wait > policy.max_retry_after:
                raise
            logger.info("Telegram asked to wait %.1f s before %s (attempt %d)", wait, what, attempt)
            await asyncio.sleep(wait)
        except NetworkError as error:
            kind = classify(error)
            if kind == "unknown":
                logger.warning("%s may or may not have arrived (%s); not sending it again", what, error)
                return None
            if kind == "fatal" or attempt >= policy.attempts:
                raise
            delay = policy.backoff(attempt)
            logger.warning("sending %s failed (%s); retrying in %.1f s", what, error, delay)
            await asyncio.sleep(delay)
        attempt += 1


async def send_reply(
    message: Message,
    text: str,
    policy: RetryPolicy,
    *,
    reply_markup: InlineKeyboardMarkup | None = None,
) -> Message | None:
    """Reply to ``message`` with HTML ``text`` (as a reply when it still exists), retried under ``policy``."""
    parameters = ReplyParameters(message_id=message.message_id, allow_sending_without_reply=True)

    async def send() -> Message:
        return await message.reply_text(text, reply_parameters=parameters, reply_markup=reply_markup)

    return await send_with_retry(send, policy, what=f"the reply in chat {message.chat_id}")
