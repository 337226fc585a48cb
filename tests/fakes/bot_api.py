"""A fake Telegram Bot API server on 127.0.0.1, for end-to-end tests and the load benchmark.

The real python-telegram-bot ``Bot``/``Application`` talks to it over HTTP exactly as it talks to
Telegram; nothing in the bot is patched. Point PTB at it with::

    async with running_fake_api() as api:
        app = (
            ApplicationBuilder().token(api.token)
            .base_url(api.base_url)            # f"{api.url}/bot"
            .base_file_url(api.base_file_url)  # f"{api.url}/file/bot"
            .build()
        )
        async with running_polling(app):      # initialize, start, poll; stop and shut down after
            api.push_text(chat_id=10, user_id=10, text="ما الذي حدث في ألماتي؟")
            reply = await api.wait_for_reply(10)
            assert "ألماتي" in reply.params["text"]

Use it from the event loop that started it (one pytest-asyncio loop per test): it is not
thread-safe. In another process, run ``python -m tests.fakes.bot_api --port 0``: it prints its
URL (``http://127.0.0.1:PORT``) as the first line of stdout and serves until SIGINT/SIGTERM; it is
then driven over the HTTP control API below (``tests.fakes.remote`` is a client for it).

Construction and lifecycle
    ``FakeBotAPI(token=DEFAULT_TOKEN, bot_user=None, *, host="127.0.0.1", port=0, clock=time.time,
    strict_methods=False)``; ``await api.start()`` / ``await api.stop()`` or ``async with api``.
    ``api.url``, ``api.base_url``, ``api.base_file_url``, ``api.token``, ``api.bot_user``,
    ``api.bot_username``; ``api.make_bot(**kwargs) -> telegram.Bot`` and
    ``api.application_builder() -> ApplicationBuilder`` come pre-pointed at the fake.
    ``running_fake_api(**kwargs)`` (async context manager) is the fixture body to use;
    ``running_polling(app, poll_timeout=1, allowed_updates=None)`` runs an Application with long
    polling, ``running_webhook(app, secret_token=..., url_path="telegram")`` in webhook mode (PTB's
    own server on a free 127.0.0.1 port; the fake POSTs updates to it); both stop and shut the
    app down cleanly on exit.

Injecting updates (synchronous; each returns the Update as a dict and wakes a waiting getUpdates)
    ``push_text(chat_id, user_id, text, *, chat_type="private", username=None, first_name=None,
    reply_to_message=None, entities=None, ...)``; ``push_command(chat_id, user_id, command,
    args="", *, mention_bot=False, ...)`` (adds the ``bot_command`` entity);
    ``push_mention(chat_id, user_id, text, *, chat_type="supergroup", ...)`` (prefixes
    ``@botusername`` unless present, adds the ``mention`` entity); ``push_edited_text(chat_id,
    user_id, message_id, text, ...)``; ``push_callback(chat_id, user_id, message, data)`` (message:
    a Message dict the bot sent, or its message_id); ``push_document(chat_id, user_id, file_name,
    content, *, mime_type="application/octet-stream", caption=None, ...)`` (the file is then
    served by getFile and ``GET /file/bot<token>/<file_path>``); ``push_inline_query(user_id, query, *,
    chat_type="sender", offset="", ...)`` (only for a bot with inline mode on, as BotFather's /setinline
    does: ``FakeBotAPI(bot_user={"supports_inline_queries": True})``); ``push_update(update)`` (raw; an
    ``update_id`` is assigned when missing). ``add_chat(chat_id, chat_type=..., title=...)``
    makes a chat known without a message (sending to an unknown chat fails: "chat not found").

Inspecting (all in call order)
    ``api.sent`` -> ``list[Call]``: every accepted call except getUpdates (``Call.method``,
    ``.params`` decoded, ``.result`` returned, ``.at`` clock time, ``.index``);
    ``api.calls(method=None, *, chat_id=None)`` filters it; ``api.replies(chat_id=None)`` the
    sendMessage/editMessageText calls; ``api.rejected`` -> ``list[Rejection]`` (method, params,
    error_code, description, injected); ``api.messages(chat_id, *, from_bot=None)`` the chat as
    it now shows (user and bot messages, edits applied, deletions removed, plain text + entities);
    ``api.callback_answers`` (answerCallbackQuery params); ``api.inline_answers`` (answerInlineQuery
    params, results decoded; each article's message text as Telegram would post it is in
    ``result["input_message_content"]["parsed_text"]``); ``api.commands`` (default scope and
    language), ``api.commands_for(scope=None, language_code="")``; ``api.webhook``;
    ``api.latencies`` (seconds from each pushed message to the next sendMessage in its chat);
    ``api.get_updates_calls`` (count); ``api.webhook_deliveries`` (update_ids POSTed and
    accepted); ``api.files()``; ``api.stats()`` (the counters the control API reports).

Waiting (no sleeping loops: futures resolved as calls are recorded)
    ``await api.wait_for(condition=1, *, timeout=5.0)``: ``int`` N waits until N
    sendMessage/editMessageText calls were made in total and returns them; a callable gets the
    call log (``list[Call]``) after every call and returns the log once it is true.
    ``await api.wait_for_reply(chat_id, *, since=None, timeout=5.0) -> Call``: the first
    sendMessage/editMessageText for that chat made at or after ``since`` (an index into
    ``sent``; default: where the log stood when the chat's latest update was pushed, so a reply
    that already came is still found). ``await api.wait_until(check, *, timeout=5.0)``: any
    condition, re-checked after every call, rejection, pushed update and webhook attempt.
    All raise ``TimeoutError`` describing what was seen (``RuntimeError`` if the server stops).

Fault injection
    ``fail_next(method, error_code=429, *, retry_after=None, description=None, count=1)``:
    the next ``count`` calls of ``method`` (``"*"`` = any method but getUpdates) fail; 429
    carries ``parameters.retry_after`` (default 1) so PTB raises ``RetryAfter``; 5xx give PTB's
    ``NetworkError``; 400 ``BadRequest``; 403 ``Forbidden``. ``disconnect_next(method,
    count=1)`` closes the connection without an answer. ``delay(method, seconds, count=None)``
    holds every (or the next ``count``) answer for ``seconds`` -- the call still takes effect, as
    on Telegram when the client times out; ``held(method)`` counts the calls being held.
    ``block(chat_id)``: sends to it fail with 403 "bot was blocked by the user". ``clear_faults()``.

Methods: getMe, logOut, close, setWebhook (then updates are POSTed to the URL in order, with
the ``X-Telegram-Bot-Api-Secret-Token`` header, retried while the bot does not answer 2xx; plain
http is accepted, and ``api.webhook_tls_proxy = True`` posts to an ``https://`` URL over plain http, as
a TLS-terminating proxy would), deleteWebhook, getWebhookInfo (with last_error_*), getUpdates (offset
confirms and drops earlier updates, negative offsets, limit, long polling on ``timeout`` that
returns as soon as an update arrives, persistent ``allowed_updates``, 409 while a webhook is set,
409 for a getUpdates superseded by a newer one), sendMessage, editMessageText,
editMessageReplyMarkup, deleteMessage, deleteMessages, answerCallbackQuery, answerInlineQuery
(results: at most 50, ids 1-64 bytes and unique, article titles, every input_message_content
validated like sendMessage text, reply_markup like sendMessage's, the results button's
start_parameter; one answer per query),
setMyCommands/getMyCommands/deleteMyCommands (per scope and language), sendChatAction, getChat,
getFile, sendDocument; any other method returns ``true`` and is recorded (with
``strict_methods=True`` it gets Telegram's 404 "Not Found" instead). A wrong token gets 401.
Validation follows Telegram: HTML ``parse_mode`` (see ``tg_html``: unsupported/misnested/unclosed
tags, unknown entities and bare ``<``/``&`` are refused with "can't parse entities"), text
length counted in UTF-16 after parsing and trimming (> 4096: "message is too long"; captions >
1024), empty text, inline buttons (callback_data 1-64 bytes: BUTTON_DATA_INVALID), unknown
reply targets, "message is not modified", unknown callback queries.

HTTP control API (standalone use; JSON in and out, ``{"ok": true, "result": ...}``)
    ``POST /_fake/push/<kind>`` with the keyword arguments of ``push_<kind>`` as an object, or a
    list of them for a batch (``document`` takes ``content_b64``); ``GET /_fake/stats``;
    ``GET /_fake/wait?replies=N&timeout=T`` (408 on timeout); ``GET /_fake/calls?since=K``;
    ``GET /_fake/rejected``; ``POST /_fake/fail_next``, ``/_fake/delay``, ``/_fake/reset``.

Notes: use int chat ids (Telegram's are; PTB sends them as JSON numbers). PTB 22.8 builds
``RetryAfter`` through a property that emits PTBDeprecationWarning unless ``PTB_TIMEDELTA=1`` is
set, which ``filterwarnings = error`` turns into a failure wherever a 429 reaches PTB (its rate
limiter included): set that variable for the test session.

Known gaps: Markdown/MarkdownV2 text is not validated; no flood control unless injected;
nesting rules between entities are not enforced (Telegram silently fixes them); URLs, mentions
and hashtags in text are not auto-detected into entities; inline_message_id edits are accepted
but not tracked; media other than documents go to the generic fallback; webhook updates are
delivered one at a time (no max_connections parallelism).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import itertools
import json
import logging
import re
import signal
import socket
import statistics
import time
from collections import defaultdict, deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from tests.fakes._http import CloseConnection, HttpServer, Request, Response, UploadedFile
from tests.fakes.tg_html import EntityParseError, parse_html, strip_formatted, utf16_len

if TYPE_CHECKING:
    from telegram import Bot
    from telegram.ext import Application, ApplicationBuilder

__all__ = [
    "DEFAULT_TOKEN",
    "ApiError",
    "Call",
    "FakeBotAPI",
    "Rejection",
    "StoredFile",
    "running_fake_api",
    "running_polling",
    "running_webhook",
]

_LOGGER = logging.getLogger(__name__)

DEFAULT_TOKEN = "123456789:AAFakeTokenForSanadTestsOnly-000000000"
MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64
MAX_INLINE_RESULTS = 50
MAX_INLINE_ID_BYTES = 64
REPLY_METHODS = frozenset({"sendMessage", "editMessageText"})
_DEFAULT_ALLOWED = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "business_connection",
        "business_message",
        "edited_business_message",
        "deleted_business_messages",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "purchased_paid_media",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_join_request",
        "chat_boost",
        "removed_chat_boost",
    }
)
_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
# Parameters that Telegram reads as strings: never JSON-decoded ("123" stays "123").
_STRING_FIELDS = frozenset(
    {
        "text",
        "caption",
        "parse_mode",
        "caption_parse_mode",
        "callback_query_id",
        "inline_query_id",
        "next_offset",
        "inline_message_id",
        "url",
        "secret_token",
        "ip_address",
        "file_id",
        "action",
        "language_code",
        "description",
        "short_description",
        "name",
        "title",
        "emoji",
        "business_connection_id",
        "message_effect_id",
        "query",
        "document",
        "photo",
        "audio",
        "video",
        "voice",
        "animation",
        "sticker",
        "thumbnail",
        "video_note",
        "certificate",
    }
)
_COMMAND_RE = re.compile(r"[a-z0-9_]{1,32}")
_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
_QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"

ChatId = int | str
Json = dict[str, Any]


class ApiError(Exception):
    """A Bot API error answer: ``{"ok": false, "error_code": ..., "description": ...}``."""

    def __init__(self, error_code: int, description: str, parameters: Json | None = None) -> None:
        super().__init__(f"{error_code} {description}")
        self.error_code = error_code
        self.description = description
        self.parameters = parameters

    def payload(self) -> Json:
        body: Json = {"ok": False, "error_code": self.error_code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


@dataclass(frozen=True)
class Call:
    """One accepted Bot API call, as recorded in ``FakeBotAPI.sent``."""

    index: int
    method: str
    params: Json
    result: Any
    at: float


@dataclass(frozen=True)
class Rejection:
    """A call that got an error answer, and why (``injected``: by ``fail_next``/``block``)."""

    method: str
    params: Json
    error_code: int
    description: str
    injected: bool = False


@dataclass(frozen=True)
class StoredFile:
    file_id: str
    file_unique_id: str
    file_path: str
    file_name: str
    mime_type: str
    data: bytes = field(repr=False)

    def as_document(self) -> Json:
        return {
            "file_name": self.file_name,
            "mime_type": self.mime_type,
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.data),
        }


@dataclass
class _Fault:
    error_code: int
    description: str
    parameters: Json | None
    remaining: int
    disconnect: bool = False


@dataclass
class _Delay:
    seconds: float
    remaining: int | None


@dataclass
class _Waiter:
    check: Callable[[], bool]
    future: asyncio.Future[None]


_Handler = Callable[[Json, dict[str, UploadedFile]], Any]


def _decode_params(params: Mapping[str, Any]) -> Json:
    """Form values are strings, with JSON for numbers, booleans and objects (how PTB encodes them)."""
    decoded: Json = {}
    for key, value in params.items():
        if isinstance(value, str) and key not in _STRING_FIELDS and value:
            try:
                decoded[key] = json.loads(value)
            except ValueError:
                decoded[key] = value
        else:
            decoded[key] = value
    return decoded


def _as_int(value: Any, name: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ApiError(400, f'Bad Request: invalid parameter "{name}"') from None


class FakeBotAPI:
    """The fake server and its state; see the module docstring for the whole API."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        bot_user: Mapping[str, Any] | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        clock: Callable[[], float] = time.time,
        strict_methods: bool = False,
    ) -> None:
        bot_id, _, secret = token.partition(":")
        if not bot_id.isdigit() or not secret:
            raise ValueError("a bot token looks like '123456:ABC-secret'")
        self._token = token
        self._bot_user: Json = {
            "id": int(bot_id),
            "is_bot": True,
            "first_name": "Sanad",
            "username": "sanad_test_bot",
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
        if bot_user:
            self._bot_user.update(bot_user)
        self._clock = clock
        self._strict_methods = strict_methods
        self._server = HttpServer(self._handle, host, port)
        self._host = host
        self._url: str | None = None

        self._updates: deque[Json] = deque()
        self._update_ids = itertools.count(1)
        self._allowed_updates: frozenset[str] = _DEFAULT_ALLOWED
        self._poll_generation = 0
        self._update_event = asyncio.Event()
        self.get_updates_calls = 0

        self._chats: dict[ChatId, Json] = {}
        self._chat_messages: dict[ChatId, dict[int, Json]] = defaultdict(dict)
        self._message_ids: dict[ChatId, itertools.count[int]] = defaultdict(lambda: itertools.count(1))
        self._chat_marks: dict[ChatId, int] = {}
        self._blocked: set[ChatId] = set()

        self._calls: list[Call] = []
        self._rejected: list[Rejection] = []
        self._reply_count = 0
        self._waiters: list[_Waiter] = []
        self._pending_since: dict[ChatId, deque[float]] = defaultdict(deque)
        self.latencies: list[float] = []

        self._callback_queries: dict[str, bool] = {}
        self._callback_ids = itertools.count(1)
        self.callback_answers: list[Json] = []
        self._inline_queries: dict[str, bool] = {}
        self._inline_ids = itertools.count(1)
        self.inline_answers: list[Json] = []
        self._commands: dict[tuple[str, str], list[Json]] = {}
        self._files: dict[str, StoredFile] = {}
        self._files_by_path: dict[str, StoredFile] = {}
        self._file_ids = itertools.count(1)
        self.webhook: Json = {"url": ""}
        self.webhook_deliveries: list[int] = []
        # Deliver to an https:// webhook URL over plain http, as a TLS-terminating proxy in front of the
        # bot would (the bot only accepts https webhook URLs, and tests have no certificate).
        self.webhook_tls_proxy = False
        self._webhook_task: asyncio.Task[None] | None = None
        self._webhook_tasks: set[asyncio.Task[None]] = set()

        self._faults: dict[str, deque[_Fault]] = defaultdict(deque)
        self._delays: dict[str, _Delay] = {}
        self._held: defaultdict[str, int] = defaultdict(int)  # calls being held by a delay, per method

        self._methods: dict[str, tuple[str, _Handler]] = {}
        for name, handler in {
            "getMe": self._get_me,
            "logOut": self._true,
            "close": self._true,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "deleteMessages": self._delete_messages,
            "answerCallbackQuery": self._answer_callback_query,
            "answerInlineQuery": self._answer_inline_query,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "sendChatAction": self._send_chat_action,
            "getChat": self._get_chat,
            "getFile": self._get_file,
            "sendDocument": self._send_document,
        }.items():
            self._methods[name.lower()] = (name, handler)

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Listen on the host and (ephemeral by default) port; idempotent."""
        if self._url is not None:
            return
        await self._server.start()
        self._url = f"http://{self._host}:{self._server.port}"
        _LOGGER.debug("fake Bot API listening on %s", self._url)

    async def stop(self) -> None:
        """Close every connection (a pending long poll included) and stop listening."""
        if self._url is None:
            return
        self._url = None
        self._stop_webhook_delivery()
        await self._server.close()
        await asyncio.gather(*self._webhook_tasks, return_exceptions=True)
        for waiter in self._waiters:
            if not waiter.future.done():
                waiter.future.set_exception(RuntimeError("the fake Bot API was stopped"))
        self._waiters.clear()

    async def __aenter__(self) -> FakeBotAPI:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT`` (the server must be started)."""
        if self._url is None:
            raise RuntimeError("start the FakeBotAPI first (await api.start() or async with api)")
        return self._url

    @property
    def base_url(self) -> str:
        """For ``ApplicationBuilder.base_url`` / ``Bot(base_url=...)``: PTB appends the token."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        """For ``ApplicationBuilder.base_file_url`` / ``Bot(base_file_url=...)``."""
        return f"{self.url}/file/bot"

    @property
    def token(self) -> str:
        return self._token

    @property
    def bot_user(self) -> Json:
        return dict(self._bot_user)

    @property
    def bot_username(self) -> str:
        return str(self._bot_user["username"])

    def make_bot(self, **kwargs: Any) -> Bot:
        """A ``telegram.Bot`` pointed at this server (use it as ``async with api.make_bot() as bot``)."""
        from telegram import Bot

        return Bot(self._token, base_url=self.base_url, base_file_url=self.base_file_url, **kwargs)

    def application_builder(self) -> ApplicationBuilder:  # type: ignore[type-arg]
        """An ``ApplicationBuilder`` with token and URLs set; add handlers after ``.build()``."""
        from telegram.ext import ApplicationBuilder

        builder = ApplicationBuilder().token(self._token)
        return builder.base_url(self.base_url).base_file_url(self.base_file_url)

    # ------------------------------------------------------------------ inspecting

    @property
    def sent(self) -> list[Call]:
        """Every accepted call but getUpdates, in order (a copy)."""
        return list(self._calls)

    @property
    def rejected(self) -> list[Rejection]:
        return list(self._rejected)

    def calls(self, method: str | None = None, *, chat_id: ChatId | None = None) -> list[Call]:
        """The accepted calls of ``method`` (any, if None) whose ``chat_id`` is ``chat_id`` (if given)."""
        return [
            call
            for call in self._calls
            if (method is None or call.method == method)
            and (chat_id is None or call.params.get("chat_id") == chat_id)
        ]

    def replies(self, chat_id: ChatId | None = None) -> list[Call]:
        """The sendMessage and editMessageText calls (to ``chat_id``, if given)."""
        return [
            call
            for call in self._calls
            if call.method in REPLY_METHODS and (chat_id is None or call.params.get("chat_id") == chat_id)
        ]

    def messages(self, chat_id: ChatId, *, from_bot: bool | None = None) -> list[Json]:
        """The chat as it shows now, oldest first: Message dicts with edits applied (copies)."""
        bot_id = self._bot_user["id"]
        return [
            dict(message)
            for message in self._chat_messages.get(chat_id, {}).values()
            if from_bot is None or (message.get("from", {}).get("id") == bot_id) == from_bot
        ]

    @property
    def commands(self) -> list[Json]:
        """The bot's commands for the default scope and no language (setMyCommands)."""
        return self.commands_for()

    def commands_for(self, scope: Mapping[str, Any] | None = None, language_code: str = "") -> list[Json]:
        return [dict(c) for c in self._commands.get((self._scope_key(scope), language_code), [])]

    def files(self) -> list[StoredFile]:
        return list(self._files.values())

    # ------------------------------------------------------------------ waiting

    async def wait_for(
        self,
        condition: int | Callable[[list[Call]], bool] = 1,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109 - the documented test API; asyncio.timeout inside
    ) -> list[Call]:
        """Wait until ``condition`` replies (sendMessage/editMessageText) were made, or a predicate
        over the call log holds; return those replies, or the log. ``TimeoutError`` otherwise."""
        if isinstance(condition, int):
            wanted = condition

            def check() -> bool:
                return self._reply_count >= wanted

            await self._wait(check, timeout, lambda: f"{wanted} replies, got {self._reply_count}")
            return self.replies()
        predicate = condition
        await self._wait(lambda: predicate(self._calls), timeout, lambda: "the predicate to hold")
        return self.sent

    async def wait_for_reply(
        self,
        chat_id: ChatId,
        *,
        since: int | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109 - the documented test API; asyncio.timeout inside
    ) -> Call:
        """The first sendMessage/editMessageText to ``chat_id`` at log index ``since`` or later
        (default: where the log stood when this chat's latest update was pushed)."""
        start = self._chat_marks.get(chat_id, 0) if since is None else since

        def find() -> Call | None:
            for call in itertools.islice(self._calls, start, None):
                if call.method in REPLY_METHODS and call.params.get("chat_id") == chat_id:
                    return call
            return None

        await self._wait(lambda: find() is not None, timeout, lambda: f"a reply in chat {chat_id}")
        found = find()
        assert found is not None
        return found

    async def wait_until(
        self,
        check: Callable[[], bool],
        *,
        timeout: float = 5.0,  # noqa: ASYNC109 - the documented test API; asyncio.timeout inside
    ) -> None:
        """Wait until ``check()`` is true; it is re-evaluated after every recorded call or
        rejection, pushed update and webhook delivery attempt (no polling loop)."""
        await self._wait(check, timeout, lambda: "the condition to hold")

    async def _wait(self, check: Callable[[], bool], seconds: float, what: Callable[[], str]) -> None:
        if check():
            return
        waiter = _Waiter(check, asyncio.get_running_loop().create_future())
        self._waiters.append(waiter)
        try:
            async with asyncio.timeout(seconds):
                await waiter.future
        except TimeoutError:
            recent = ", ".join(f"{c.method}({c.params.get('chat_id', '')})" for c in self._calls[-8:])
            rejected = "; ".join(f"{r.method}: {r.description}" for r in self._rejected[-3:])
            raise TimeoutError(
                f"waited {seconds}s for {what()}; last calls: [{recent}]"
                + (f"; last rejections: {rejected}" if rejected else "")
            ) from None
        finally:
            with contextlib.suppress(ValueError):
                self._waiters.remove(waiter)

    def _notify(self) -> None:
        for waiter in self._waiters:
            if not waiter.future.done() and waiter.check():
                waiter.future.set_result(None)

    # ------------------------------------------------------------------ fault injection

    def fail_next(
        self,
        method: str,
        error_code: int = 429,
        *,
        retry_after: int | None = None,
        description: str | None = None,
        count: int = 1,
    ) -> None:
        """Make the next ``count`` calls of ``method`` ("*": any but getUpdates) fail like Telegram."""
        parameters: Json | None = None
        if error_code == 429:
            retry_after = 1 if retry_after is None else retry_after
            parameters = {"retry_after": retry_after}
            description = description or f"Too Many Requests: retry after {retry_after}"
        elif retry_after is not None:
            parameters = {"retry_after": retry_after}
        if description is None:
            description = {
                400: "Bad Request",
                401: "Unauthorized",
                403: "Forbidden: bot was blocked by the user",
                404: "Not Found",
                409: "Conflict",
                500: "Internal Server Error",
                502: "Bad Gateway",
                503: "Service Unavailable",
                504: "Gateway Timeout",
            }.get(error_code, "Error")
        self._faults[method.lower()].append(_Fault(error_code, description, parameters, count))

    def disconnect_next(self, method: str, count: int = 1) -> None:
        """Close the connection instead of answering the next ``count`` calls (PTB: NetworkError)."""
        self._faults[method.lower()].append(_Fault(0, "connection closed", None, count, disconnect=True))

    def delay(self, method: str, seconds: float, count: int | None = None) -> None:
        """Hold the answers to ``method`` ("*": any) for ``seconds``; ``seconds=0`` removes the delay."""
        if seconds <= 0:
            self._delays.pop(method.lower(), None)
        else:
            self._delays[method.lower()] = _Delay(seconds, count)

    def held(self, method: str) -> int:
        """How many calls of ``method`` are being held by ``delay`` right now (received, not yet
        answered or applied); ``wait_until`` re-checks its condition when one arrives."""
        return self._held[method.lower()]

    def block(self, chat_id: ChatId) -> None:
        """From now on, messages to ``chat_id`` fail with 403 as if the user blocked the bot."""
        self._blocked.add(chat_id)

    def clear_faults(self) -> None:
        self._faults.clear()
        self._delays.clear()
        self._blocked.clear()

    def _take_fault(self, key: str) -> _Fault | None:
        for name in (key, "*") if key != "getupdates" else (key,):
            queue = self._faults.get(name)
            if queue:
                fault = queue[0]
                fault.remaining -= 1
                if fault.remaining <= 0:
                    queue.popleft()
                return fault
        return None

    async def _apply_delay(self, key: str) -> None:
        for name in (key, "*") if key != "getupdates" else (key,):
            pending = self._delays.get(name)
            if pending is not None:
                if pending.remaining is not None:
                    pending.remaining -= 1
                    if pending.remaining <= 0:
                        del self._delays[name]
                self._held[key] += 1
                if self._waiters:
                    self._notify()
                try:
                    await asyncio.sleep(pending.seconds)
                finally:
                    self._held[key] -= 1
                return

    # ------------------------------------------------------------------ injecting updates

    def _now(self) -> int:
        return int(self._clock())

    def _user(
        self,
        user_id: int,
        username: str | None,
        first_name: str | None,
        last_name: str | None = None,
        language_code: str | None = "ar",
    ) -> Json:
        user: Json = {"id": user_id, "is_bot": False, "first_name": first_name or f"User{user_id}"}
        if last_name:
            user["last_name"] = last_name
        if username:
            user["username"] = username
        if language_code:
            user["language_code"] = language_code
        return user

    def add_chat(
        self,
        chat_id: ChatId,
        chat_type: str = "private",
        *,
        title: str | None = None,
        username: str | None = None,
        first_name: str | None = None,
    ) -> Json:
        """Make a chat known (pushing an update does this too) and return its Chat dict."""
        chat: Json = {"id": chat_id, "type": chat_type}
        if chat_type == "private":
            chat["first_name"] = first_name or f"User{chat_id}"
            if username:
                chat["username"] = username
        else:
            chat["title"] = title or f"Group {chat_id}"
            if username:
                chat["username"] = username
        self._chats[chat_id] = chat
        return dict(chat)

    def _chat_for_push(
        self, chat_id: ChatId, chat_type: str, username: str | None, first_name: str | None, title: str | None
    ) -> Json:
        known = self._chats.get(chat_id)
        if known is not None and known["type"] == chat_type and title is None:
            return known
        return self.add_chat(chat_id, chat_type, title=title, username=username, first_name=first_name)

    def _store(self, message: Json) -> None:
        self._chat_messages[message["chat"]["id"]][message["message_id"]] = dict(message)

    def _resolve_message(self, chat_id: ChatId, message: Mapping[str, Any] | int) -> Json:
        if isinstance(message, int):
            stored = self._chat_messages.get(chat_id, {}).get(message)
            if stored is None:
                raise KeyError(f"chat {chat_id} has no message {message}")
            return dict(stored)
        return dict(message)

    def _user_message(
        self,
        chat_id: ChatId,
        user_id: int,
        *,
        chat_type: str,
        username: str | None,
        first_name: str | None,
        last_name: str | None,
        language_code: str | None,
        chat_title: str | None,
        reply_to_message: Mapping[str, Any] | int | None,
    ) -> Json:
        chat = self._chat_for_push(chat_id, chat_type, username, first_name, chat_title)
        message: Json = {
            "message_id": next(self._message_ids[chat_id]),
            "from": self._user(user_id, username, first_name, last_name, language_code),
            "chat": chat,
            "date": self._now(),
        }
        if reply_to_message is not None:
            target = self._resolve_message(chat_id, reply_to_message)
            target.pop("reply_to_message", None)
            message["reply_to_message"] = target
        return message

    def push_update(self, update: Mapping[str, Any]) -> Json:
        """Queue a raw Update dict for getUpdates (``update_id`` assigned when missing)."""
        queued = dict(update)
        if "update_id" in queued:
            given = int(queued["update_id"])
            self._update_ids = itertools.count(max(given + 1, next(self._update_ids)))
        else:
            queued["update_id"] = next(self._update_ids)
        self._updates.append(queued)
        kind = next((key for key in queued if key != "update_id"), "")
        payload = queued.get(kind)
        if isinstance(payload, dict):
            chat = payload.get("chat") or (payload.get("message") or {}).get("chat")
            if isinstance(chat, dict) and "id" in chat:
                self._chats.setdefault(chat["id"], dict(chat))
                self._chat_marks[chat["id"]] = len(self._calls)
                if kind == "message":
                    self._pending_since[chat["id"]].append(time.perf_counter())
        self._wake_pollers()
        if self._waiters:
            self._notify()
        return queued

    def push_text(
        self,
        chat_id: ChatId,
        user_id: int,
        text: str,
        *,
        chat_type: str = "private",
        username: str | None = None,
        first_name: str | None = None,
        last_name: str | None = None,
        language_code: str | None = "ar",
        chat_title: str | None = None,
        reply_to_message: Mapping[str, Any] | int | None = None,
        entities: list[Json] | None = None,
    ) -> Json:
        """A user's text message; ``reply_to_message`` is a Message dict or a message_id in the chat."""
        message = self._user_message(
            chat_id,
            user_id,
            chat_type=chat_type,
            username=username,
            first_name=first_name,
            last_name=last_name,
            language_code=language_code,
            chat_title=chat_title,
            reply_to_message=reply_to_message,
        )
        message["text"] = text
        if entities:
            message["entities"] = [dict(e) for e in entities]
        self._store(message)
        return self.push_update({"message": message})

    def push_command(
        self,
        chat_id: ChatId,
        user_id: int,
        command: str,
        args: str = "",
        *,
        mention_bot: bool = False,
        chat_type: str = "private",
        username: str | None = None,
        first_name: str | None = None,
        language_code: str | None = "ar",
        chat_title: str | None = None,
    ) -> Json:
        """``/command args`` with its ``bot_command`` entity (``/command@botname`` if ``mention_bot``)."""
        head = "/" + command.lstrip("/")
        if mention_bot:
            head += f"@{self.bot_username}"
        text = f"{head} {args}" if args else head
        return self.push_text(
            chat_id,
            user_id,
            text,
            chat_type=chat_type,
            username=username,
            first_name=first_name,
            language_code=language_code,
            chat_title=chat_title,
            entities=[{"type": "bot_command", "offset": 0, "length": utf16_len(head)}],
        )

    def push_mention(
        self,
        chat_id: ChatId,
        user_id: int,
        text: str,
        *,
        chat_type: str = "supergroup",
        username: str | None = None,
        first_name: str | None = None,
        language_code: str | None = "ar",
        chat_title: str | None = None,
        reply_to_message: Mapping[str, Any] | int | None = None,
    ) -> Json:
        """A group message addressing the bot: ``@botusername`` (added in front unless present)."""
        mention = f"@{self.bot_username}"
        if mention not in text:
            text = f"{mention} {text}"
        offset = utf16_len(text[: text.index(mention)])
        return self.push_text(
            chat_id,
            user_id,
            text,
            chat_type=chat_type,
            username=username,
            first_name=first_name,
            language_code=language_code,
            chat_title=chat_title,
            reply_to_message=reply_to_message,
            entities=[{"type": "mention", "offset": offset, "length": utf16_len(mention)}],
        )

    def push_edited_text(
        self,
        chat_id: ChatId,
        user_id: int,
        message_id: int,
        text: str,
        *,
        username: str | None = None,
        first_name: str | None = None,
        language_code: str | None = "ar",
    ) -> Json:
        """The user edits their message ``message_id`` to ``text`` (an ``edited_message`` update)."""
        stored = self._chat_messages.get(chat_id, {}).get(message_id)
        if stored is None:
            raise KeyError(f"chat {chat_id} has no message {message_id}")
        edited = dict(stored)
        edited["from"] = self._user(user_id, username, first_name, language_code=language_code)
        edited["text"] = text
        edited["edit_date"] = self._now()
        edited.pop("entities", None)
        self._store(edited)
        return self.push_update({"edited_message": edited})

    def push_callback(
        self,
        chat_id: ChatId,
        user_id: int,
        message: Mapping[str, Any] | int,
        data: str,
        *,
        username: str | None = None,
        first_name: str | None = None,
        language_code: str | None = "ar",
    ) -> Json:
        """The user presses an inline button with ``data`` under ``message`` (dict or message_id)."""
        query_id = f"{self._bot_user['id']}{next(self._callback_ids):08d}"
        self._callback_queries[query_id] = False
        query: Json = {
            "id": query_id,
            "from": self._user(user_id, username, first_name, language_code=language_code),
            "message": self._resolve_message(chat_id, message),
            "chat_instance": f"ci{chat_id}",
            "data": data,
        }
        return self.push_update({"callback_query": query})

    def push_inline_query(
        self,
        user_id: int,
        query: str,
        *,
        chat_type: str | None = "sender",
        offset: str = "",
        username: str | None = None,
        first_name: str | None = None,
        language_code: str | None = "ar",
    ) -> Json:
        """The user types ``@bot query`` in a chat of ``chat_type`` (None: Telegram does not say)."""
        if not self._bot_user.get("supports_inline_queries"):
            raise ValueError(
                "this bot has no inline mode (BotFather /setinline): "
                "FakeBotAPI(bot_user={'supports_inline_queries': True})"
            )
        query_id = f"{self._bot_user['id']}{next(self._inline_ids):09d}"
        self._inline_queries[query_id] = False
        inline: Json = {
            "id": query_id,
            "from": self._user(user_id, username, first_name, language_code=language_code),
            "query": query,
            "offset": offset,
        }
        if chat_type is not None:
            inline["chat_type"] = chat_type
        return self.push_update({"inline_query": inline})

    def push_document(
        self,
        chat_id: ChatId,
        user_id: int,
        file_name: str,
        content: bytes,
        *,
        mime_type: str = "application/octet-stream",
        caption: str | None = None,
        chat_type: str = "private",
        username: str | None = None,
        first_name: str | None = None,
        language_code: str | None = "ar",
        chat_title: str | None = None,
    ) -> Json:
        """The user sends a file; it is then served by getFile and the file download URL."""
        stored = self._store_file(file_name, mime_type, content)
        message = self._user_message(
            chat_id,
            user_id,
            chat_type=chat_type,
            username=username,
            first_name=first_name,
            last_name=None,
            language_code=language_code,
            chat_title=chat_title,
            reply_to_message=None,
        )
        message["document"] = stored.as_document()
        if caption:
            message["caption"] = caption
        self._store(message)
        return self.push_update({"message": message})

    def _store_file(self, file_name: str, mime_type: str, data: bytes) -> StoredFile:
        number = next(self._file_ids)
        stored = StoredFile(
            file_id=f"BQACAgIAAxkBAAIB{number:06d}",
            file_unique_id=f"AgADfake{number:06d}",
            file_path=f"documents/file_{number}{_suffix(file_name)}",
            file_name=file_name,
            mime_type=mime_type,
            data=bytes(data),
        )
        self._files[stored.file_id] = stored
        self._files_by_path[stored.file_path] = stored
        return stored

    def _wake_pollers(self) -> None:
        self._update_event.set()
        self._update_event = asyncio.Event()

    # ------------------------------------------------------------------ HTTP dispatch

    async def _handle(self, request: Request) -> Response:
        path = request.path
        if path.startswith("/bot"):
            token, _, method = path[4:].partition("/")
            if token != self._token:
                return Response.json({"ok": False, "error_code": 401, "description": "Unauthorized"}, 401)
            if not method or "/" in method:
                return Response.json({"ok": False, "error_code": 404, "description": "Not Found"}, 404)
            try:
                raw, files = request.form()
            except (ValueError, UnicodeDecodeError):
                return Response.json(
                    {"ok": False, "error_code": 400, "description": "Bad Request: can't parse request"}, 400
                )
            return await self._api_call(method, raw, files, request.client_gone)
        if path.startswith("/file/bot"):
            token, _, file_path = path[9:].partition("/")
            stored = self._files_by_path.get(file_path) if token == self._token else None
            if stored is None:
                return Response.json({"ok": False, "error_code": 404, "description": "Not Found"}, 404)
            return Response(200, stored.data, stored.mime_type)
        if path.startswith("/_fake/"):
            return await self._control(request, path[len("/_fake/") :])
        return Response.json({"ok": False, "error_code": 404, "description": "Not Found"}, 404)

    async def _api_call(
        self,
        method: str,
        raw: Mapping[str, Any],
        files: dict[str, UploadedFile],
        client_gone: Callable[[], bool] = lambda: False,
    ) -> Response:
        key = method.lower()
        canonical, handler = self._methods.get(key, (method, None))
        params = _decode_params(raw)
        await self._apply_delay(key)
        fault = self._take_fault(key)
        if fault is not None:
            self._reject(Rejection(canonical, params, fault.error_code, fault.description, True))
            if fault.disconnect:
                raise CloseConnection
            error = ApiError(fault.error_code, fault.description, fault.parameters)
            return Response.json(error.payload(), fault.error_code)
        try:
            if key == "getupdates":
                result: Any = await self._get_updates(params, client_gone)
                return Response.json({"ok": True, "result": result})
            if handler is None:
                if self._strict_methods:
                    raise ApiError(404, "Not Found")
                result = True
            else:
                result = handler(params, files)
        except ApiError as error:
            self._reject(Rejection(canonical, params, error.error_code, error.description))
            return Response.json(error.payload(), error.error_code)
        self._record(canonical, params, result)
        return Response.json({"ok": True, "result": result})

    def _reject(self, rejection: Rejection) -> None:
        self._rejected.append(rejection)
        if self._waiters:
            self._notify()

    def _record(self, method: str, params: Json, result: Any) -> None:
        self._calls.append(Call(len(self._calls), method, params, result, self._clock()))
        if method in REPLY_METHODS:
            self._reply_count += 1
        if method == "sendMessage":
            pending = self._pending_since.get(params.get("chat_id", ""))
            if pending:
                self.latencies.append(time.perf_counter() - pending.popleft())
        if self._waiters:
            self._notify()

    # ------------------------------------------------------------------ validation helpers

    def _chat(self, params: Json) -> Json:
        if "chat_id" not in params:
            raise ApiError(400, "Bad Request: chat_id is empty")
        chat_id = params["chat_id"]
        chat = self._chats.get(chat_id)
        if chat is None:
            raise ApiError(400, "Bad Request: chat not found")
        if chat_id in self._blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        return chat

    def _format(
        self, text: Any, parse_mode: Any, entities: Any, *, limit: int, caption: bool
    ) -> tuple[str, Any]:
        text = "" if text is None else str(text)
        mode = str(parse_mode or "").lower()
        if mode == "html":
            try:
                text, parsed = parse_html(text)
            except EntityParseError as error:
                raise ApiError(400, f"Bad Request: can't parse entities: {error}") from None
        elif mode in ("", "markdown", "markdownv2"):
            parsed = list(entities) if isinstance(entities, list) else []
        else:
            raise ApiError(400, "Bad Request: unsupported parse_mode")
        text, parsed = strip_formatted(text, parsed)
        if not text and not caption:
            raise ApiError(400, "Bad Request: message text is empty")
        if utf16_len(text) > limit:
            too_long = "message caption is too long" if caption else "message is too long"
            raise ApiError(400, f"Bad Request: {too_long}")
        return text, parsed

    @staticmethod
    def _check_markup(markup: Any) -> Json | None:
        """Validate ``reply_markup``; return it if Telegram would echo it (inline keyboards only)."""
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
        if "inline_keyboard" not in markup:
            return None
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise ApiError(400, "Bad Request: can't parse inline keyboard button: must be an Object")
        for row in rows:
            for button in row:
                if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                    raise ApiError(
                        400,
                        'Bad Request: can\'t parse inline keyboard button: Field "text" must be a String',
                    )
                if "callback_data" in button:
                    size = len(str(button["callback_data"]).encode("utf-8"))
                    if not 1 <= size <= MAX_CALLBACK_DATA_BYTES:
                        raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
                elif "url" in button:
                    if not re.match(r"(https?|tg)://\S+$", str(button["url"])):
                        raise ApiError(400, "Bad Request: BUTTON_URL_INVALID")
                elif not set(button) - {"text"}:
                    raise ApiError(400, "Bad Request: text buttons are unallowed in the inline keyboard")
        return markup

    def _reply_target(self, chat_id: ChatId, params: Json) -> Json | None:
        reply = params.get("reply_parameters")
        if isinstance(reply, dict):
            message_id = reply.get("message_id")
            allow = bool(reply.get("allow_sending_without_reply", False))
            target_chat = reply.get("chat_id", chat_id)
        elif "reply_to_message_id" in params:
            message_id = params["reply_to_message_id"]
            allow = bool(params.get("allow_sending_without_reply", False))
            target_chat = chat_id
        else:
            return None
        target = self._chat_messages.get(target_chat, {}).get(_as_int(message_id, "message_id"))
        if target is None:
            if allow:
                return None
            raise ApiError(400, "Bad Request: message to be replied not found")
        target = dict(target)
        target.pop("reply_to_message", None)
        return target

    def _bot_message(self, chat: Json, params: Json) -> Json:
        chat_id = chat["id"]
        message: Json = {
            "message_id": next(self._message_ids[chat_id]),
            "from": {k: self._bot_user[k] for k in ("id", "is_bot", "first_name", "username")},
            "chat": chat,
            "date": self._now(),
        }
        reply_to = self._reply_target(chat_id, params)
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        return message

    def _editable(self, params: Json) -> Json | None:
        """The stored message an edit targets, or None for inline messages."""
        if params.get("inline_message_id"):
            return None
        chat_id = params.get("chat_id")
        if chat_id not in self._chats:
            raise ApiError(400, "Bad Request: chat not found")
        message = self._chat_messages.get(chat_id, {}).get(_as_int(params.get("message_id"), "message_id"))
        if message is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        if message.get("from", {}).get("id") != self._bot_user["id"]:
            raise ApiError(400, "Bad Request: message can't be edited")
        return message

    @staticmethod
    def _scope_key(scope: Any) -> str:
        if not scope:
            scope = {"type": "default"}
        return json.dumps(scope, sort_keys=True)

    # ------------------------------------------------------------------ methods

    def _true(self, params: Json, files: dict[str, UploadedFile]) -> bool:
        return True

    def _get_me(self, params: Json, files: dict[str, UploadedFile]) -> Json:
        return dict(self._bot_user)

    def _set_webhook(self, params: Json, files: dict[str, UploadedFile]) -> bool:
        url = str(params.get("url", ""))
        if url and not re.match(r"https?://", url):
            raise ApiError(400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
        secret = params.get("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", str(secret)):
            raise ApiError(400, "Bad Request: secret token contains unallowed characters")
        self.webhook = {"url": url, **{k: v for k, v in params.items() if k not in ("url", "certificate")}}
        if "allowed_updates" in params:
            self._set_allowed(params["allowed_updates"])
        if params.get("drop_pending_updates"):
            self._updates.clear()
        self._wake_pollers()
        if url and self._webhook_task is None:
            task = asyncio.get_running_loop().create_task(self._deliver_to_webhook())
            self._webhook_task = task
            self._webhook_tasks.add(task)
            task.add_done_callback(self._webhook_tasks.discard)
        elif not url:
            self._stop_webhook_delivery()
        return True

    def _delete_webhook(self, params: Json, files: dict[str, UploadedFile]) -> bool:
        self.webhook = {"url": ""}
        self._stop_webhook_delivery()
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    def _stop_webhook_delivery(self) -> None:
        if self._webhook_task is not None:
            self._webhook_task.cancel()
            self._webhook_task = None

    async def _deliver_to_webhook(self) -> None:
        """POST pending updates one at a time, in order, to the webhook URL, as Telegram does
        (plain http is accepted here); an update is dropped once the bot answers 2xx, retried
        with a growing pause otherwise (``getWebhookInfo`` shows the last error)."""
        import httpx

        backoff = 0.05
        async with httpx.AsyncClient(timeout=httpx.Timeout(10.0)) as client:
            while True:
                while self._updates and not self._is_allowed(self._updates[0]):
                    self._updates.popleft()
                if not self._updates:
                    event = self._update_event
                    await event.wait()
                    continue
                update = self._updates[0]
                headers = {"Content-Type": "application/json"}
                if self.webhook.get("secret_token"):
                    headers["X-Telegram-Bot-Api-Secret-Token"] = str(self.webhook["secret_token"])
                body = json.dumps(update, ensure_ascii=False).encode()
                url = str(self.webhook["url"])
                if self.webhook_tls_proxy and url.startswith("https://"):
                    url = "http://" + url.removeprefix("https://")
                try:
                    response = await client.post(url, content=body, headers=headers)
                except httpx.HTTPError as error:
                    failure: str | None = f"Connection failed: {type(error).__name__}"
                else:
                    failure = None
                    if not 200 <= response.status_code < 300:
                        status = f"{response.status_code} {response.reason_phrase}"
                        failure = f"Wrong response from the webhook: {status}"
                if failure is None:
                    backoff = 0.05
                    if self._updates and self._updates[0] is update:
                        self._updates.popleft()
                    self.webhook_deliveries.append(int(update["update_id"]))
                    self._notify()
                    continue
                self.webhook["last_error_date"] = self._now()
                self.webhook["last_error_message"] = failure
                self._notify()
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 1.0)

    def _get_webhook_info(self, params: Json, files: dict[str, UploadedFile]) -> Json:
        info: Json = {
            "url": self.webhook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        for key in ("max_connections", "last_error_date", "last_error_message", "allowed_updates"):
            if key in self.webhook:
                info[key] = self.webhook[key]
        return info

    def _set_allowed(self, allowed: Any) -> None:
        if isinstance(allowed, list):
            self._allowed_updates = frozenset(map(str, allowed)) if allowed else _DEFAULT_ALLOWED

    def _is_allowed(self, update: Json) -> bool:
        return any(key in self._allowed_updates for key in update if key != "update_id")

    def _deliverable(self, limit: int) -> list[Json]:
        batch: list[Json] = []
        for update in self._updates:
            if self._is_allowed(update):
                batch.append(update)
                if len(batch) >= limit:
                    break
        return batch

    async def _get_updates(self, params: Json, client_gone: Callable[[], bool]) -> list[Json]:
        self.get_updates_calls += 1
        if self.webhook.get("url"):
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = _as_int(params.get("offset", 0), "offset")
        limit = min(max(_as_int(params.get("limit", 100), "limit"), 1), 100)
        try:
            timeout = max(float(params.get("timeout", 0)), 0.0)
        except (TypeError, ValueError):
            raise ApiError(400, 'Bad Request: invalid parameter "timeout"') from None
        if "allowed_updates" in params:
            self._set_allowed(params["allowed_updates"])
        if offset < 0:
            keep = -offset
            while len(self._updates) > keep:
                self._updates.popleft()
        else:
            while self._updates and self._updates[0]["update_id"] < offset:
                self._updates.popleft()
        self._poll_generation += 1
        generation = self._poll_generation
        self._wake_pollers()  # a poll still waiting is now superseded
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            batch = self._deliverable(limit)
            if batch:
                return batch
            remaining = deadline - loop.time()
            if remaining <= 0:
                return []
            event = self._update_event
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(remaining):
                    await event.wait()
            if generation != self._poll_generation:
                if client_gone():
                    raise CloseConnection  # nobody to tell: PTB cancelled this poll
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )

    def _send_message(self, params: Json, files: dict[str, UploadedFile]) -> Json:
        chat = self._chat(params)
        text, entities = self._format(
            params.get("text"),
            params.get("parse_mode"),
            params.get("entities"),
            limit=MAX_TEXT_LENGTH,
            caption=False,
        )
        markup = self._check_markup(params.get("reply_markup"))
        message = self._bot_message(chat, params)
        message["text"] = text
        if entities:
            message["entities"] = entities
        if isinstance(params.get("link_preview_options"), dict):
            message["link_preview_options"] = params["link_preview_options"]
        if markup is not None:
            message["reply_markup"] = markup
        self._store(message)
        return message

    def _edit_message_text(self, params: Json, files: dict[str, UploadedFile]) -> Json | bool:
        text, entities = self._format(
            params.get("text"),
            params.get("parse_mode"),
            params.get("entities"),
            limit=MAX_TEXT_LENGTH,
            caption=False,
        )
        markup = self._check_markup(params.get("reply_markup"))
        message = self._editable(params)
        if message is None:
            return True
        if "text" not in message:
            raise ApiError(400, "Bad Request: there is no text in the message to edit")
        if (
            message.get("text") == text
            and message.get("entities", []) == entities
            and message.get("reply_markup") == markup
        ):
            raise ApiError(400, _NOT_MODIFIED)
        message["text"] = text
        message["edit_date"] = self._now()
        _set_or_drop(message, "entities", entities or None)
        _set_or_drop(message, "reply_markup", markup)
        if isinstance(params.get("link_preview_options"), dict):
            message["link_preview_options"] = params["link_preview_options"]
        return dict(message)

    def _edit_message_reply_markup(self, params: Json, files: dict[str, UploadedFile]) -> Json | bool:
        markup = self._check_markup(params.get("reply_markup"))
        message = self._editable(params)
        if message is None:
            return True
        if message.get("reply_markup") == markup:
            raise ApiError(400, _NOT_MODIFIED)
        message["edit_date"] = self._now()
        _set_or_drop(message, "reply_markup", markup)
        return dict(message)

    def _delete_message(self, params: Json, files: dict[str, UploadedFile]) -> bool:
        self._chat(params)
        messages = self._chat_messages.get(params["chat_id"], {})
        if messages.pop(_as_int(params.get("message_id"), "message_id"), None) is None:
            raise ApiError(400, "Bad Request: message to delete not found")
        return True

    def _delete_messages(self, params: Json, files: dict[str, UploadedFile]) -> bool:
        self._chat(params)
        ids = params.get("message_ids")
        if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
            raise ApiError(400, "Bad Request: message identifiers are not specified")
        messages = self._chat_messages.get(params["chat_id"], {})
        for message_id in ids:
            messages.pop(_as_int(message_id, "message_ids"), None)
        return True

    def _answer_callback_query(self, params: Json, files: dict[str, UploadedFile]) -> bool:
        query_id = str(params.get("callback_query_id", ""))
        if self._callback_queries.get(query_id, True):
            raise ApiError(400, _QUERY_TOO_OLD)
        if len(str(params.get("text", ""))) > 200:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        self._callback_queries[query_id] = True
        self.callback_answers.append(dict(params))
        return True

    def _answer_inline_query(self, params: Json, files: dict[str, UploadedFile]) -> bool:
        query_id = str(params.get("inline_query_id", ""))
        if self._inline_queries.get(query_id, True):
            raise ApiError(400, _QUERY_TOO_OLD)
        results = params.get("results")
        if not isinstance(results, list):
            raise ApiError(400, "Bad Request: can't parse inline query results JSON object")
        if len(results) > MAX_INLINE_RESULTS:
            raise ApiError(400, "Bad Request: RESULTS_TOO_MUCH")
        seen: set[str] = set()
        checked = []
        for result in results:
            if not isinstance(result, dict):
                raise ApiError(400, "Bad Request: can't parse inline query result")
            result_id = str(result.get("id", ""))
            if not 1 <= len(result_id.encode("utf-8")) <= MAX_INLINE_ID_BYTES:
                raise ApiError(400, "Bad Request: RESULT_ID_INVALID")
            if result_id in seen:
                raise ApiError(400, "Bad Request: RESULT_ID_DUPLICATE")
            seen.add(result_id)
            checked.append(self._inline_result(result))
        if len(str(params.get("next_offset", "")).encode("utf-8")) > MAX_INLINE_ID_BYTES:
            raise ApiError(400, "Bad Request: NEXT_OFFSET_INVALID")
        button = params.get("button")
        if button is not None:
            if not isinstance(button, dict) or not str(button.get("text", "")).strip():
                raise ApiError(400, "Bad Request: BUTTON_TEXT_INVALID")
            start = button.get("start_parameter")
            if start is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", str(start)):
                raise ApiError(400, "Bad Request: START_PARAM_INVALID")
        self._inline_queries[query_id] = True
        self.inline_answers.append({**params, "results": checked})
        return True

    def _inline_result(self, result: Json) -> Json:
        """Validate one InlineQueryResult; articles' message text is parsed as Telegram would post it."""
        kind = result.get("type")
        if kind != "article":
            return dict(result)  # other result types are not modelled
        if not str(result.get("title", "")).strip():
            raise ApiError(400, "Bad Request: RESULT_TITLE_EMPTY")
        content = result.get("input_message_content")
        if not isinstance(content, dict) or "message_text" not in content:
            raise ApiError(400, "Bad Request: MESSAGE_EMPTY")
        text, entities = self._format(
            content.get("message_text"),
            content.get("parse_mode"),
            content.get("entities"),
            limit=MAX_TEXT_LENGTH,
            caption=False,
        )
        self._check_markup(result.get("reply_markup"))
        posted = {**content, "parsed_text": text, "parsed_entities": entities}
        return {**result, "input_message_content": posted}

    def _set_my_commands(self, params: Json, files: dict[str, UploadedFile]) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise ApiError(400, "Bad Request: can't parse commands JSON object")
        if len(commands) > 100:
            raise ApiError(400, "Bad Request: too many commands")
        cleaned: list[Json] = []
        for command in commands:
            if not isinstance(command, dict) or not _COMMAND_RE.fullmatch(str(command.get("command", ""))):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            description = str(command.get("description", "")).strip()
            if not 1 <= len(description) <= 256:
                raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
            cleaned.append({"command": command["command"], "description": description})
        key = (self._scope_key(params.get("scope")), str(params.get("language_code", "")))
        if cleaned:
            self._commands[key] = cleaned
        else:
            self._commands.pop(key, None)
        return True

    def _get_my_commands(self, params: Json, files: dict[str, UploadedFile]) -> list[Json]:
        return self.commands_for(params.get("scope"), str(params.get("language_code", "")))

    def _delete_my_commands(self, params: Json, files: dict[str, UploadedFile]) -> bool:
        self._commands.pop((self._scope_key(params.get("scope")), str(params.get("language_code", ""))), None)
        return True

    def _send_chat_action(self, params: Json, files: dict[str, UploadedFile]) -> bool:
        self._chat(params)
        if params.get("action") not in _CHAT_ACTIONS:
            raise ApiError(400, "Bad Request: wrong parameter action in request")
        return True

    def _get_chat(self, params: Json, files: dict[str, UploadedFile]) -> Json:
        chat = self._chats.get(params.get("chat_id", ""))
        if chat is None:
            raise ApiError(400, "Bad Request: chat not found")
        return {
            **chat,
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
            },
        }

    def _get_file(self, params: Json, files: dict[str, UploadedFile]) -> Json:
        stored = self._files.get(str(params.get("file_id", "")))
        if stored is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
            "file_path": stored.file_path,
        }

    def _send_document(self, params: Json, files: dict[str, UploadedFile]) -> Json:
        chat = self._chat(params)
        document = params.get("document")
        upload: UploadedFile | None = files.get("document")
        if isinstance(document, str) and document.startswith("attach://"):
            upload = files.get(document[len("attach://") :])
        if upload is not None:
            stored = self._store_file(upload.filename, upload.content_type, upload.data)
            params["document"] = {"file_name": upload.filename, "size": len(upload.data)}
        elif isinstance(document, str) and document in self._files:
            stored = self._files[document]
        elif isinstance(document, str) and re.match(r"https?://", document):
            raise ApiError(400, "Bad Request: failed to get HTTP URL content")
        else:
            raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
        caption, entities = self._format(
            params.get("caption"),
            params.get("parse_mode"),
            params.get("caption_entities"),
            limit=MAX_CAPTION_LENGTH,
            caption=True,
        )
        markup = self._check_markup(params.get("reply_markup"))
        message = self._bot_message(chat, params)
        message["document"] = stored.as_document()
        if caption:
            message["caption"] = caption
        if entities:
            message["caption_entities"] = entities
        if markup is not None:
            message["reply_markup"] = markup
        self._store(message)
        return message

    # ------------------------------------------------------------------ control API

    def stats(self) -> Json:
        """Counters for the benchmark: calls per method, replies, rejections, pending updates, latency."""
        per_method: dict[str, int] = defaultdict(int)
        for call in self._calls:
            per_method[call.method] += 1
        latency: Json = {"count": len(self.latencies)}
        if self.latencies:
            ordered = sorted(self.latencies)
            latency.update(
                mean=statistics.fmean(ordered),
                p50=ordered[len(ordered) // 2],
                p95=ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))],
                max=ordered[-1],
            )
        return {
            "calls": dict(per_method),
            "replies": self._reply_count,
            "rejected": len(self._rejected),
            "get_updates_calls": self.get_updates_calls,
            "pending_updates": len(self._updates),
            "latency": latency,
        }

    def reset(self) -> None:
        """Forget the call log, rejections, answers, latencies and faults (chats and messages stay)."""
        self._calls.clear()
        self._rejected.clear()
        self.callback_answers.clear()
        self.inline_answers.clear()
        self.latencies.clear()
        self._pending_since.clear()
        self._chat_marks.clear()
        self._reply_count = 0
        self.clear_faults()

    async def _control(self, request: Request, action: str) -> Response:
        try:
            body: Any = json.loads(request.body) if request.body else {}
            query = {k: v[-1] for k, v in parse_qs(request.query).items()}
            result = await self._control_action(action, body, query)
        except TimeoutError as error:
            return Response.json({"ok": False, "error_code": 408, "description": str(error)}, 408)
        except (KeyError, TypeError, ValueError) as error:
            return Response.json({"ok": False, "error_code": 400, "description": repr(error)}, 400)
        return Response.json({"ok": True, "result": result})

    async def _control_action(self, action: str, body: Any, query: dict[str, str]) -> Any:
        if action.startswith("push/"):
            kind = action[len("push/") :]
            pushers: dict[str, Callable[..., Json]] = {
                "text": self.push_text,
                "command": self.push_command,
                "mention": self.push_mention,
                "edited_text": self.push_edited_text,
                "callback": self.push_callback,
                "inline_query": self.push_inline_query,
                "document": self._push_document_b64,
                "update": self.push_update,
            }
            push = pushers[kind]
            items = body if isinstance(body, list) else [body]
            if kind == "update":
                return [push(item) for item in items]
            return [push(**item) for item in items]
        if action == "stats":
            return self.stats()
        if action == "wait":
            wanted = int(query.get("replies", "1"))
            await self.wait_for(wanted, timeout=float(query.get("timeout", "30")))
            return self.stats()
        if action == "calls":
            since = int(query.get("since", "0"))
            return [asdict(call) for call in self._calls[since:]]
        if action == "rejected":
            return [asdict(rejection) for rejection in self._rejected]
        if action == "fail_next":
            self.fail_next(**body)
            return True
        if action == "delay":
            self.delay(**body)
            return True
        if action == "reset":
            self.reset()
            return True
        raise KeyError(action)

    def _push_document_b64(self, *, content_b64: str, **kwargs: Any) -> Json:
        return self.push_document(content=base64.b64decode(content_b64), **kwargs)


def _set_or_drop(message: Json, key: str, value: Any) -> None:
    if value is None:
        message.pop(key, None)
    else:
        message[key] = value


def _suffix(file_name: str) -> str:
    dot = file_name.rfind(".")
    suffix = file_name[dot:] if dot > 0 else ""
    return suffix if re.fullmatch(r"\.[A-Za-z0-9]{1,8}", suffix) else ""


@contextlib.asynccontextmanager
async def running_fake_api(**kwargs: Any) -> AsyncIterator[FakeBotAPI]:
    """Start a ``FakeBotAPI(**kwargs)`` on an ephemeral port for the duration of the block."""
    api = FakeBotAPI(**kwargs)
    async with api:
        yield api


@contextlib.asynccontextmanager
async def running_polling(
    app: Application,  # type: ignore[type-arg]
    *,
    poll_timeout: int = 1,
    allowed_updates: Iterable[str] | None = None,
) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    """Initialize and start ``app`` with long polling; stop and shut it down after, in order."""
    await app.initialize()
    try:
        await app.start()
        try:
            assert app.updater is not None, "build the Application with an Updater"
            await app.updater.start_polling(
                poll_interval=0,
                timeout=poll_timeout,
                allowed_updates=list(allowed_updates) if allowed_updates is not None else None,
            )
            try:
                yield app
            finally:
                await app.updater.stop()
        finally:
            await app.stop()
    finally:
        await app.shutdown()


@contextlib.asynccontextmanager
async def running_webhook(
    app: Application,  # type: ignore[type-arg]
    *,
    secret_token: str | None = "fake-webhook-secret",  # noqa: S107 - a test value, not a secret
    url_path: str = "telegram",
) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    """Run ``app`` in webhook mode on a free 127.0.0.1 port (PTB's own tornado server); the fake
    then POSTs updates to it. Stops and shuts the app down after the block."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    await app.initialize()
    try:
        await app.start()
        try:
            assert app.updater is not None, "build the Application with an Updater"
            await app.updater.start_webhook(
                listen="127.0.0.1",
                port=port,
                url_path=url_path,
                webhook_url=f"http://127.0.0.1:{port}/{url_path}",
                secret_token=secret_token,
            )
            try:
                yield app
            finally:
                await app.updater.stop()
        finally:
            await app.stop()
    finally:
        await app.shutdown()


async def _serve_forever(api: FakeBotAPI, stop: Awaitable[None]) -> None:
    async with api:
        print(api.url, flush=True)  # the benchmark reads this line
        await stop


def main(argv: list[str] | None = None) -> None:
    """``python -m tests.fakes.bot_api --port N``: serve until SIGINT/SIGTERM, URL on stdout."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0] if __doc__ else None)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 (default) picks a free port")
    parser.add_argument("--token", default=DEFAULT_TOKEN)
    parser.add_argument("--strict-methods", action="store_true")
    args = parser.parse_args(argv)

    async def run() -> None:
        loop = asyncio.get_running_loop()
        stopped: asyncio.Future[None] = loop.create_future()

        def stop() -> None:
            if not stopped.done():
                stopped.set_result(None)

        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop)
        api = FakeBotAPI(args.token, host=args.host, port=args.port, strict_methods=args.strict_methods)
        await _serve_forever(api, stopped)

    asyncio.run(run())


if __name__ == "__main__":
    main()
