"""The bot's services (retriever, store, limits, caches) and the typed CallbackContext that carries them.

Handlers reach everything through ``context.services``; nothing lives in module globals. The retriever
is swapped by assigning ``services.retriever`` (one attribute store, atomic for the event loop): a
question that already took a reference keeps using the old index until it is done.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from telegram import InlineKeyboardMarkup, Message
from telegram.ext import Application, CallbackContext, ContextTypes, ExtBot

from bot.delivery import RetryPolicy, send_reply
from bot.log import LogWriter, Store, UpdateLedger
from bot.ratelimit import SlidingWindowLimiter
from bot.settings import Settings
from retrieval.answer import Retriever
from retrieval.models import Answer, Article, Citation

logger = logging.getLogger(__name__)

SERVICES_KEY = "sanad.services"

MessageKey = tuple[int, int]  # (chat_id, message_id) of a bot answer


class NotReadyError(RuntimeError):
    """A handler ran before post_init loaded the corpus and opened the store."""


K = TypeVar("K")
V = TypeVar("V")


class LruCache(Generic[K, V]):
    """A small bounded mapping: the least recently used entry goes first."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._items: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        value = self._items.get(key)
        if value is not None:
            self._items.move_to_end(key)
        return value

    def put(self, key: K, value: V) -> None:
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self.capacity:
            self._items.popitem(last=False)

    def pop(self, key: K) -> V | None:
        return self._items.pop(key, None)

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def items(self) -> list[tuple[K, V]]:
        """A snapshot, least recently used first (does not change the order)."""
        return list(self._items.items())

    def __len__(self) -> int:
        return len(self._items)


@dataclass(frozen=True)
class PendingUpload:
    """An admin's uploaded article waiting for «إضافة» or «إلغاء»."""

    article: Article
    content: str  # the .md file text to write
    user_id: int
    created: float


class PendingUploads:
    """Uploads awaiting confirmation, keyed by a short random token; bounded and expiring."""

    def __init__(self, capacity: int = 32, ttl_seconds: float = 3600.0) -> None:
        self._items: LruCache[str, PendingUpload] = LruCache(capacity)
        self.ttl_seconds = ttl_seconds

    def add(self, upload: PendingUpload) -> str:
        token = secrets.token_urlsafe(6)
        self._items.put(token, upload)
        return token

    def restore(self, token: str, upload: PendingUpload) -> None:
        self._items.put(token, upload)

    def pop(self, token: str, now: float | None = None) -> PendingUpload | None:
        upload = self._items.pop(token)
        if upload is None:
            return None
        if (now if now is not None else time.monotonic()) - upload.created > self.ttl_seconds:
            return None
        return upload

    def count_for(self, user_id: int, now: float | None = None) -> int:
        """How many unexpired uploads ``user_id`` has waiting (expired ones are dropped on the way)."""
        moment = now if now is not None else time.monotonic()
        expired = [t for t, u in self._items.items() if moment - u.created > self.ttl_seconds]
        for token in expired:
            self._items.pop(token)
        return sum(1 for _, upload in self._items.items() if upload.user_id == user_id)


@dataclass
class Services:
    """Everything handlers need. Built in ``build_application``; filled in ``post_init``."""

    settings: Settings
    limiter: SlidingWindowLimiter
    retry_policy: RetryPolicy = field(default_factory=RetryPolicy)
    log_writer: LogWriter = field(default_factory=LogWriter)
    retriever: Retriever | None = None
    store: Store | None = None
    reload_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    # Answers shown recently, for «المزيد» without re-running the search (keyed by the answer message).
    answers: LruCache[MessageKey, Answer] = field(default_factory=lambda: LruCache(1024))
    # Each chat's latest answered citations, so /sources works even while the log is slow or failing.
    last_citations: LruCache[int, tuple[Citation, ...]] = field(default_factory=lambda: LruCache(4096))
    # Exchange-log writes still queued, so a button pressed at once can wait for its exchange id.
    pending_logs: dict[MessageKey, asyncio.Future[int | None]] = field(default_factory=dict)
    uploads: PendingUploads = field(default_factory=PendingUploads)
    background: set[asyncio.Task[Any]] = field(default_factory=set)

    @classmethod
    def create(cls, settings: Settings) -> Services:
        limiter = SlidingWindowLimiter(settings.bot.rate_limit_count, settings.bot.rate_limit_seconds)
        policy = RetryPolicy(
            attempts=settings.bot.reply_attempts, backoff_seconds=settings.bot.reply_retry_seconds
        )
        writer = LogWriter(
            attempts=settings.write_attempts,
            backoff_seconds=settings.write_retry_seconds,
            capacity=settings.write_queue_limit,
        )
        return cls(settings=settings, limiter=limiter, retry_policy=policy, log_writer=writer)

    @property
    def updates(self) -> UpdateLedger:
        """Update ids already handled (and being handled); the log writer owns and saves them."""
        return self.log_writer.updates

    def require_retriever(self) -> Retriever:
        if self.retriever is None:
            raise NotReadyError("the corpus is not loaded yet")
        return self.retriever

    def is_admin(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in self.settings.bot.admin_ids


class SanadContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """CallbackContext with a typed ``services`` accessor over ``bot_data``, and ``arrived``: the
    ``time.monotonic()`` at which the application took up the update (one context serves every handler
    group of an update; the error handler gets its own, made when the error is handled). Handlers time
    their reply from it (the exchange's ``latency_ms``)."""

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> None:
        super().__init__(application, chat_id=chat_id, user_id=user_id)
        self.arrived = time.monotonic()

    @property
    def services(self) -> Services:
        return services_of(self.application)

    def matched(self, group: int = 1) -> str:
        """Group ``group`` of the callback data, as matched by the pattern that routed the press to this
        handler (``bot.keyboards``)."""
        if self.match is None:
            raise LookupError("this handler was registered without a pattern")
        return str(self.match.group(group))

    async def reply_html(
        self, message: Message, text: str, reply_markup: InlineKeyboardMarkup | None = None
    ) -> Message | None:
        """Reply to ``message`` with HTML, retried when Telegram certainly did not take it
        (``bot.delivery``); ``None`` when it is unknown whether the reply arrived (then it is not sent
        again)."""
        return await send_reply(message, text, self.services.retry_policy, reply_markup=reply_markup)


CONTEXT_TYPES = ContextTypes(context=SanadContext)


S = TypeVar("S")


def feature_state(application: Application[Any, Any, Any, Any, Any, Any], key: str, kind: type[S]) -> S:
    """A feature's own state object in ``bot_data[key]`` (inline mode, the timeline), made on first use."""
    state = application.bot_data.get(key)
    if not isinstance(state, kind):
        state = kind()
        application.bot_data[key] = state
    return state


def services_of(application: Application[Any, Any, Any, Any, Any, Any]) -> Services:
    services = application.bot_data.get(SERVICES_KEY)
    if not isinstance(services, Services):
        raise NotReadyError("the application was not built by bot.app.build_application")
    return services
