"""Build the PTB Application, register handlers and lifecycle hooks, and run it (polling or webhook).

Wiring only: handlers live in ``bot.handlers`` and ``bot.admin``, services in ``bot.context``. Updates
come from ``bot.intake`` (Sanad's own polling loop or webhook server, not PTB's ``Updater``) through the
durable inbox, ``bot.inbox``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import signal
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlparse

from telegram import BotCommand, BotCommandScopeChat, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    Defaults,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.request import HTTPXRequest

from bot import admin, handlers, inline, phrases, timeline
from bot.context import CONTEXT_TYPES, SERVICES_KEY, Services, services_of
from bot.inbox import CURRENT_UPDATE, Inbox, inbox_of
from bot.intake import RAW_UPDATES_KEY, Poller, RawUpdatesRequest, Webhook, WebhookServer, raw_updates_of
from bot.keyboards import FEEDBACK_PATTERN, MORE_PATTERN, SOURCES_PATTERN, TIMELINE_PATTERN, UPLOAD_PATTERN
from bot.log import Pseudonymizer, Store, StoreError, retention
from bot.loghygiene import guard_secrets
from bot.settings import Settings
from retrieval.answer import load_retriever

logger = logging.getLogger(__name__)

AnyApplication = Application[Any, Any, Any, Any, Any, Any]

ALLOWED_UPDATES = [Update.MESSAGE, Update.EDITED_MESSAGE, Update.CALLBACK_QUERY, Update.INLINE_QUERY]
RATE_LIMITER_RETRIES = 3
CONCURRENT_UPDATES = 32
CONNECTION_POOL_SIZE = 8
POLL_TIMEOUT_SECONDS = 10  # getUpdates long polling, as PTB's run_polling
SHUTDOWN_FLUSH_SECONDS = 10.0  # how long stopping waits for queued log writes before counting them lost


class MissingTokenError(RuntimeError):
    """TELEGRAM_BOT_TOKEN is not set."""


class TracingApplication(Application[Any, Any, Any, Any, Any, Any]):
    """PTB's Application, telling ``bot.inbox`` which update each reply belongs to."""

    async def process_update(self, update: object) -> None:
        token = CURRENT_UPDATE.set(update.update_id if isinstance(update, Update) else None)
        try:
            await super().process_update(update)
        finally:
            CURRENT_UPDATE.reset(token)


def build_application(settings: Settings) -> AnyApplication:
    """The Application with defaults, rate limiter, handlers and its inbox (nothing started yet)."""
    token = settings.bot.token
    if not token:
        raise MissingTokenError("TELEGRAM_BOT_TOKEN is not set; create a bot with @BotFather and export it")
    guard_secrets([token, settings.log_secret])  # before PTB logs its API URL (token included) at DEBUG
    inbox = Inbox(concurrency=CONCURRENT_UPDATES)
    raw_updates = RawUpdatesRequest()  # getUpdates results as received, for the inbox
    request = HTTPXRequest(
        # httpcore walks every pooled connection on each request: 8 measured fastest with bench/load.py,
        # far ahead of 32 and of PTB's default 256 (README, Benchmarks).
        connection_pool_size=CONNECTION_POOL_SIZE,
        read_timeout=settings.bot.request_timeout_seconds,  # a read timeout is never resent: bot.delivery
        httpx_kwargs={"event_hooks": {"request": [inbox.on_request]}},  # the sent-replies journal
    )
    builder: ApplicationBuilder[Any, Any, Any, Any, Any, Any] = (
        ApplicationBuilder()
        .application_class(TracingApplication)
        .token(token)
        .context_types(CONTEXT_TYPES)
        .defaults(
            Defaults(parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True))
        )
        .concurrent_updates(CONCURRENT_UPDATES)
        .request(request)
        .get_updates_request(raw_updates)
        .updater(None)  # updates come from bot.intake, through the inbox
    )
    if settings.bot.rate_limiter:
        builder = builder.rate_limiter(AIORateLimiter(max_retries=RATE_LIMITER_RETRIES))
    if settings.bot.base_url:
        builder = builder.base_url(settings.bot.base_url)
    if settings.bot.base_file_url:
        builder = builder.base_file_url(settings.bot.base_file_url)
    application: AnyApplication = builder.build()
    application.bot_data[SERVICES_KEY] = Services.create(settings)
    inbox.bind(application)
    application.bot_data[RAW_UPDATES_KEY] = raw_updates
    register_handlers(application)
    return application


def register_handlers(application: AnyApplication) -> None:
    # Around every update: skip one already handled (a redelivery after a crash), record it when done.
    application.add_handler(TypeHandler(Update, handlers.claim_update), group=-1)
    application.add_handler(TypeHandler(Update, handlers.finish_update), group=1)
    new_only = filters.UpdateType.MESSAGE  # admin commands are not re-run when edited
    text = filters.UpdateType.MESSAGES & filters.TEXT & ~filters.COMMAND
    private = filters.ChatType.PRIVATE
    application.add_handler(CommandHandler(["start", "help"], handlers.help_command, filters=new_only))
    application.add_handler(CommandHandler("ask", handlers.ask))  # edits of /ask are answered again
    application.add_handler(CommandHandler("sources", handlers.sources, filters=new_only))
    application.add_handler(CommandHandler("forget", handlers.forget, filters=new_only))
    application.add_handler(CommandHandler("new", handlers.new_topic, filters=new_only))
    application.add_handler(CommandHandler("timeline", timeline.timeline_command, filters=new_only))
    application.add_handler(CommandHandler("reload", admin.reload_command, filters=new_only))
    application.add_handler(CommandHandler("stats", admin.stats_command, filters=new_only))
    application.add_handler(MessageHandler(text & private, handlers.private_text))
    application.add_handler(MessageHandler(text & filters.ChatType.GROUPS, handlers.group_text))
    application.add_handler(MessageHandler(new_only & private & filters.Document.ALL, handlers.document))
    application.add_handler(MessageHandler(new_only & private & filters.COMMAND, handlers.unknown_command))
    application.add_handler(
        MessageHandler(new_only & private & ~filters.TEXT & ~filters.StatusUpdate.ALL, handlers.non_text)
    )
    application.add_handler(CallbackQueryHandler(handlers.sources_button, pattern=SOURCES_PATTERN))
    application.add_handler(CallbackQueryHandler(handlers.feedback_button, pattern=FEEDBACK_PATTERN))
    application.add_handler(CallbackQueryHandler(handlers.more_button, pattern=MORE_PATTERN))
    application.add_handler(CallbackQueryHandler(admin.upload_button, pattern=UPLOAD_PATTERN))
    application.add_handler(CallbackQueryHandler(timeline.page_button, pattern=TIMELINE_PATTERN))
    application.add_handler(InlineQueryHandler(inline.inline_query))
    application.add_handler(CallbackQueryHandler(handlers.stale_button))  # any other data: "expired"
    application.add_error_handler(handlers.on_error)


# --- lifecycle -------------------------------------------------------------------------------------------


async def post_init(application: AnyApplication) -> None:
    """Load the corpus off the loop, open the log, purge old rows, register commands and SIGHUP."""
    services = services_of(application)
    settings = services.settings
    retriever = await asyncio.to_thread(load_retriever, settings.corpus_path, settings.retrieval)
    for issue in retriever.corpus.issues:
        logger.warning("corpus issue: %s", issue)
    services.retriever = retriever
    logger.info("corpus loaded: %d articles, %d sentences", retriever.info.articles, retriever.info.sentences)
    # The morphological analyser loads its lexicon and analyses the corpus's frequent words in the
    # background: no question waits for either.
    _track(services, asyncio.create_task(asyncio.to_thread(retriever.warm_up), name="sanad-warm-up"))
    services.store = await open_store(settings)
    services.log_writer.start(services.store)
    await retention.purge_once(services.store, settings.retention_days)
    await services.log_writer.load_processed(application.bot.id)
    if settings.retention_days > 0:
        purge = retention.purge_daily(services.log_writer, settings.retention_days)
        _track(services, asyncio.create_task(purge, name="sanad-purge"))
    await register_commands(application)
    _install_sighup(application)


async def open_store(settings: Settings) -> Store | None:
    """The conversation log, or None when it cannot be opened (unwritable, read-only, not a database):
    then the bot answers anyway and counts every row it could not write as lost (/stats shows it)."""
    pseudonymizer = Pseudonymizer.from_secret(settings.log_secret) if settings.log_secret else None
    try:
        store = await Store.open(
            settings.database_path, busy_timeout_ms=settings.busy_timeout_ms, pseudonymizer=pseudonymizer
        )
    except StoreError as exc:
        logger.error("the conversation log is unavailable, answering without it: %s", exc)
        return None
    if pseudonymizer is not None:
        logger.info("conversation log: user and chat ids are stored as pseudonyms")
    return store


async def post_shutdown(application: AnyApplication) -> None:
    """Let queued log writes land (bounded), stop background work and close the log."""
    services = services_of(application)
    _remove_sighup()
    await services.log_writer.close(timeout=SHUTDOWN_FLUSH_SECONDS)
    inbox = inbox_of(application)
    if inbox is not None:
        await inbox.close()
    for task in list(services.background):
        task.cancel()
    await asyncio.gather(*services.background, return_exceptions=True)
    if services.store is not None:
        try:
            await services.store.close()
        except StoreError:
            logger.exception("could not close the conversation log")
        services.store = None


def _track(services: Services, task: asyncio.Task[Any]) -> None:
    services.background.add(task)
    task.add_done_callback(services.background.discard)


async def register_commands(application: AnyApplication) -> None:
    """setMyCommands: user commands for everyone; admins also see /reload and /stats in their chat."""
    bot = application.bot
    everyone = [BotCommand(name, description) for name, description in phrases.USER_COMMANDS]
    await bot.set_my_commands(everyone)
    admin_commands = everyone + [
        BotCommand(name, description) for name, description in phrases.ADMIN_COMMANDS
    ]
    for admin_id in sorted(services_of(application).settings.bot.admin_ids):
        try:
            await bot.set_my_commands(admin_commands, scope=BotCommandScopeChat(admin_id))
        except TelegramError as exc:  # the admin has not started a chat with the bot yet
            logger.warning("could not set admin commands for user %s: %s", admin_id, exc)


def _install_sighup(application: AnyApplication) -> None:
    hup = getattr(signal, "SIGHUP", None)
    if hup is None:
        return

    def on_hup() -> None:
        logger.info("SIGHUP received: reloading the corpus")
        application.create_task(admin.reload_from_signal(application), name="sanad-sighup-reload")

    try:
        asyncio.get_running_loop().add_signal_handler(hup, on_hup)
    except (NotImplementedError, RuntimeError, ValueError):  # no signals here (Windows, non-main thread)
        logger.info("SIGHUP reload is not available on this platform")


def _remove_sighup() -> None:
    hup = getattr(signal, "SIGHUP", None)
    if hup is not None:
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            asyncio.get_running_loop().remove_signal_handler(hup)


# --- running ---------------------------------------------------------------------------------------------


@contextlib.asynccontextmanager
async def serving(
    application: AnyApplication,
    *,
    poll_interval: float = 0.0,
    poll_timeout: int = 1,
    webhook: Webhook | None = None,
) -> AsyncIterator[None]:
    """Run ``application`` inside an existing event loop: long polling, or ``webhook``.

    initialize → post_init → read the inbox's journal back → start → replay the inbox → poll (or listen)
    … stop polling → stop (pending updates are handled) → shutdown → post_shutdown.
    """
    inbox = inbox_of(application)
    if inbox is None:
        raise RuntimeError("the application was not built by bot.app.build_application")
    await application.initialize()
    try:
        await post_init(application)
        await inbox.recover()
        await application.start()
        source: Poller | WebhookServer
        if webhook is None:
            source = Poller(
                application,
                inbox,
                timeout=poll_timeout,
                interval=poll_interval,
                allowed_updates=ALLOWED_UPDATES,
                raw=raw_updates_of(application),
            )
        else:
            source = WebhookServer(application, inbox, webhook)
        try:
            await inbox.replay()  # what the last process left unhandled, before anything new
            await source.start()
            yield
        finally:
            await source.stop()
            await application.stop()
    finally:
        await application.shutdown()
        await post_shutdown(application)


async def run_until_stopped(application: AnyApplication, *, webhook: Webhook | None = None) -> None:
    """Serve until SIGINT or SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for name in ("SIGINT", "SIGTERM"):
        number = getattr(signal, name, None)
        if number is not None:
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(number, stop.set)
    async with serving(application, poll_timeout=POLL_TIMEOUT_SECONDS, webhook=webhook):
        await stop.wait()
        logger.info("stopping")


def run_bot(settings: Settings) -> None:
    """Run the bot until interrupted: long polling by default, a webhook when ``bot.mode = "webhook"``."""
    application = build_application(settings)
    webhook = None
    if settings.bot.mode == "webhook":
        url = settings.bot.webhook_url
        webhook = Webhook(
            url=url,
            listen=settings.bot.webhook_listen,
            port=settings.bot.webhook_port,
            url_path=urlparse(url).path,
            secret_token=secrets.token_urlsafe(32),  # Telegram echoes it; requests without it get 403
            allowed_updates=tuple(ALLOWED_UPDATES),
        )
    asyncio.run(run_until_stopped(application, webhook=webhook))
