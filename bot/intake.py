"""Where updates come from: Sanad's own long-polling loop and webhook server, both writing every update to
the durable inbox (``bot.inbox``) before Telegram is told it arrived.

PTB's ``Updater`` confirms a ``getUpdates`` batch by asking for the next one while the current batch is
still being handled, and its webhook answers 200 before anything is stored; either way an update in
flight is gone when the process dies. Here the next ``getUpdates`` (whose offset confirms the batch) is
only sent once the batch is in the inbox, and the webhook answers 200 only once the update is. Both then
put the updates on PTB's ``Application.update_queue``, where PTB's handlers, rate limiter and error
handling take them.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

import tornado.httpserver
import tornado.web
from telegram import Update
from telegram.error import InvalidToken, RetryAfter, TelegramError, TimedOut
from telegram.request import HTTPXRequest, RequestData

from bot.delivery import retry_after_seconds
from bot.inbox import AnyApplication, Inbox

logger = logging.getLogger(__name__)

MAX_POLL_BACKOFF_SECONDS = 30.0
MAX_UPDATE_BYTES = 1_000_000  # a webhook request larger than this is refused (updates are a few kB)
RAW_UPDATES_KEY = "sanad.raw_updates"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name


class RawUpdatesRequest(HTTPXRequest):
    """The getUpdates connection, keeping the last answer's bytes so the inbox stores every update as
    Telegram sent it: decoding that JSON again and dumping each update costs a fraction of serialising
    PTB's objects (``Update.to_json``, ~90 µs an update; see bench/load.py)."""

    def __init__(self) -> None:
        super().__init__(connection_pool_size=1)  # as PTB's ApplicationBuilder builds it
        self._body = b""

    async def do_request(
        self, url: str, method: str, request_data: RequestData | None = None, *args: Any, **kwargs: Any
    ) -> tuple[int, bytes]:
        code, body = await super().do_request(url, method, request_data, *args, **kwargs)
        self._body = body if url.endswith("/getUpdates") else b""
        return code, body

    def payloads(self, updates: Sequence[Update]) -> list[str]:
        """The JSON of ``updates`` (the last getUpdates answer) as received; re-serialised if missing."""
        body, self._body = self._body, b""
        raw: dict[Any, Any] = {}
        with contextlib.suppress(ValueError, TypeError, AttributeError, KeyError):
            raw = {item.get("update_id"): item for item in json.loads(body)["result"]}
        return [
            json.dumps(raw[update.update_id], ensure_ascii=False)
            if update.update_id in raw
            else update.to_json()
            for update in updates
        ]


def raw_updates_of(application: AnyApplication) -> RawUpdatesRequest | None:
    raw = application.bot_data.get(RAW_UPDATES_KEY)
    return raw if isinstance(raw, RawUpdatesRequest) else None


class Poller:
    """Long polling: fetch a batch, write it to the inbox, queue it, and only then ask for the next."""

    def __init__(
        self,
        application: AnyApplication,
        inbox: Inbox,
        *,
        timeout: int,
        interval: float = 0.0,
        allowed_updates: Sequence[str] | None = None,
        raw: RawUpdatesRequest | None = None,
    ) -> None:
        self._application = application
        self._inbox = inbox
        self._raw = raw
        self.timeout = timeout
        self.interval = interval
        self.allowed_updates = list(allowed_updates) if allowed_updates is not None else None
        self.offset = 0
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        # As PTB's updater does: getUpdates fails while a webhook is set.
        await self._application.bot.delete_webhook()
        self._task = asyncio.create_task(self._run(), name="sanad-polling")

    async def stop(self) -> None:
        """Stop polling, then confirm what was fetched (it is in the inbox, or handled) without waiting."""
        task, self._task = self._task, None
        if task is None:
            return
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        if self.offset:
            try:
                await self._application.bot.get_updates(
                    offset=self.offset, timeout=0, limit=1, allowed_updates=self.allowed_updates
                )
            except TelegramError as error:  # they will come again and be skipped by the ledger
                logger.info("could not confirm the last updates at shutdown: %s", error)

    async def _run(self) -> None:
        backoff = 0.0
        while True:
            try:
                updates = await self._application.bot.get_updates(
                    offset=self.offset, timeout=self.timeout, allowed_updates=self.allowed_updates
                )
            except InvalidToken:
                logger.critical("Telegram refused the token; polling stops")
                return
            except RetryAfter as error:
                await asyncio.sleep(retry_after_seconds(error))
                continue
            except TimedOut:
                continue
            except TelegramError as error:
                backoff = min(max(2 * backoff, 0.5), MAX_POLL_BACKOFF_SECONDS)
                logger.warning("getUpdates failed (%s); trying again in %.1f s", error, backoff)
                await asyncio.sleep(backoff)
                continue
            except Exception:  # bad data from the server: log it and keep polling
                backoff = min(max(2 * backoff, 0.5), MAX_POLL_BACKOFF_SECONDS)
                logger.exception("could not read the updates from Telegram; trying again in %.1f s", backoff)
                await asyncio.sleep(backoff)
                continue
            backoff = 0.0
            if updates:
                await self._inbox.accept(updates, self._raw.payloads(updates) if self._raw else None)
                self.offset = updates[-1].update_id + 1  # confirmed by the next getUpdates
            if self.interval:
                await asyncio.sleep(self.interval)


@dataclass(frozen=True)
class Webhook:
    """Where Telegram posts updates (``url``) and where this process listens for them."""

    url: str
    listen: str
    port: int
    url_path: str
    secret_token: str  # Telegram sends it back with every update; requests without it get 403
    allowed_updates: tuple[str, ...] | None = None


class WebhookServer:
    """A webhook endpoint that answers Telegram 200 only once the update is in the inbox."""

    def __init__(self, application: AnyApplication, inbox: Inbox, webhook: Webhook) -> None:
        self._application = application
        self._inbox = inbox
        self.webhook = webhook
        self.secret_token = webhook.secret_token
        path = "/" + webhook.url_path.strip("/")
        app = tornado.web.Application(
            [(rf"{re.escape(path)}/?", _WebhookHandler, {"server": self})], log_function=lambda _handler: None
        )
        self._http = tornado.httpserver.HTTPServer(app, max_body_size=MAX_UPDATE_BYTES)
        self._running = False

    async def start(self) -> None:
        """Listen, then (re)register the webhook with Telegram, which then delivers what is waiting."""
        self._http.listen(self.webhook.port, address=self.webhook.listen)
        self._running = True
        allowed = list(self.webhook.allowed_updates) if self.webhook.allowed_updates is not None else None
        await self._application.bot.set_webhook(
            url=self.webhook.url, secret_token=self.secret_token, allowed_updates=allowed
        )

    async def stop(self) -> None:
        if not self._running:
            return
        self._running = False
        self._http.stop()
        await self._http.close_all_connections()

    def authorised(self, token: str | None) -> bool:
        return token is not None and hmac.compare_digest(token.encode(), self.secret_token.encode())

    async def receive(self, body: bytes) -> HTTPStatus:
        """One POSTed update: parse, write to the inbox, queue; the status to answer Telegram with."""
        try:
            text = body.decode("utf-8")
            update = Update.de_json(json.loads(text), self._application.bot)
        except Exception:  # not an update: Telegram never sends such a request
            logger.warning("the webhook received a request that is not an update", exc_info=True)
            return HTTPStatus.BAD_REQUEST
        await self._inbox.accept([update], [text])
        return HTTPStatus.OK


class _WebhookHandler(tornado.web.RequestHandler):
    SUPPORTED_METHODS = ("POST",)

    def initialize(self, server: WebhookServer) -> None:
        self.server = server

    async def post(self) -> None:
        if not self.server.authorised(self.request.headers.get(SECRET_HEADER)):
            self.set_status(HTTPStatus.FORBIDDEN)
            return
        self.set_status(await self.server.receive(self.request.body))
