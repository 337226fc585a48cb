"""Sending a reply so that it arrives exactly once when Telegram or the network misbehaves.

PTB's ``AIORateLimiter`` already waits out ``429 Too Many Requests`` (``RetryAfter``) a few times. Around
that, ``send_reply`` retries a *bounded* number of times, with exponential backoff, the failures after
which Telegram certainly did not deliver the message:

- Telegram answered with an error status (5xx: the Bot API did not take the message);
- the request never left: the connection could not be opened (``ConnectError``, ``ConnectTimeout``), no
  pooled connection was free (``PoolTimeout``), or the request could not be written (``WriteTimeout``);
- ``RetryAfter`` that is still raised (the rate limiter is off or gave up), when the wait is short.

It never resends after a failure that leaves it unknown whether Telegram accepted the message: a read
timeout (the request was sent, the answer did not come in time) or a connection dropped after the request
was sent. Telegram may well have delivered it (the fake Bot API applies a delayed call after the client
gave up, as Telegram does), and the Bot API has no idempotency key to make a second send safe, so
resending could show the user the same answer twice. Those replies count as *possibly delivered*:
``send_reply`` logs a warning and returns ``None``; the handler then does not send the error notice either
(which would be a second reply), and the exchange is logged without its reply message id.

Bad requests, ``Forbidden`` (the user blocked the bot) and other errors are raised at once.
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
