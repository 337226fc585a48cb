"""Admin features: /reload (also on SIGHUP), /stats and new articles (an uploaded .txt/.md/.html file or a
link → preview → «إضافة»).

Only user ids in ``settings.bot.admin_ids`` may use them; anyone else is told so in Arabic and the
attempt is recorded with ``Store.record_denied``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from telegram import Message, Update
from telegram.ext import Application

from bot import phrases
from bot.context import PendingUpload, SanadContext, Services, services_of
from bot.fetch import FetchPolicy, fetch_page
from bot.keyboards import acknowledge, pressed, upload_keyboard
from bot.log import StoreError
from bot.log.journal import log_reply, record_denied_later
from bot.render import escape, render_reload_html, render_stats_html, render_upload_preview_html
from retrieval.answer import Retriever, load_retriever
from retrieval.corpus import ARTICLES_DIR, CorpusFormatError, is_valid_id, parse_article
from retrieval.errors import SanadError
from retrieval.ingest import ingest, render_article, slugify_id
from retrieval.models import Article
from retrieval.webpage import PAGE_SUFFIXES, ingest_page_bytes, url_id

logger = logging.getLogger(__name__)

UPLOAD_SUFFIXES = (".txt", ".md", *PAGE_SUFFIXES)
# A decoded upload with more than this share of control characters (other than tab and line breaks) is
# treated as binary, not as an article.
MAX_CONTROL_SHARE = 0.01
_TEXT_CONTROLS = frozenset("\t\n\r\f")


# --- permission ------------------------------------------------------------------------------------------


async def require_admin(update: Update, context: SanadContext, command: str) -> bool:
    """True for admins; anyone else gets a polite refusal and the attempt is logged after the reply."""
    services = context.services
    user, chat, message = update.effective_user, update.effective_chat, update.effective_message
    user_id = user.id if user is not None else None
    if services.is_admin(user_id):
        return True
    if update.callback_query is not None:
        await acknowledge(update.callback_query, phrases.NOT_ALLOWED, alert=True)
    elif message is not None:
        sent = await context.reply_html(message, escape(phrases.NOT_ALLOWED))
        log_reply(context, update, "refused", None, sent, context.arrived)
    if chat is not None:
        record_denied_later(context, user_id, chat.id, command)
    return False


# --- reload ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReloadReport:
    """What a reload did. ``ok``: the new corpus is in use; otherwise the old one still is."""

    ok: bool
    busy: bool
    before: tuple[int, int]  # (articles, sentences)
    after: tuple[int, int]
    seconds: float
    issues: tuple[str, ...] = ()
    error: str | None = None
    content_hash: str = ""

    def html(self) -> str:
        return render_reload_html(self)


def _counts(retriever: Retriever | None) -> tuple[int, int]:
    return (retriever.info.articles, retriever.info.sentences) if retriever is not None else (0, 0)


async def reload_locked(services: Services) -> ReloadReport:
    """Load the corpus again off the loop and swap it in, unless anything is wrong (caller holds the lock).

    A corpus with any issue, or one that cannot be loaded at all, is reported and the old retriever kept.
    """
    old = services.retriever
    before = _counts(old)
    started = time.monotonic()
    settings = services.settings
    error: str | None = None
    try:
        new: Retriever | None = await asyncio.to_thread(
            load_retriever, settings.corpus_path, settings.retrieval
        )
    except (SanadError, OSError) as exc:  # a corpus that cannot be read: say why
        logger.warning("reload failed: %s", exc)
        new, error = None, str(exc)
    except Exception as exc:  # anything else while loading or indexing: the old index keeps serving
        logger.exception("reload failed while building the index")
        new, error = None, f"{type(exc).__name__}: {exc}"
    seconds = time.monotonic() - started
    issues = tuple(str(issue) for issue in new.corpus.issues) if new is not None else ()
    if issues:
        error = f"{len(issues)} problem(s) in the corpus files"
        logger.warning("reload refused: %s", "; ".join(issues))
    ok = new is not None and not issues
    if ok and new is not None:
        services.retriever = new  # atomic swap: questions already running keep their old reference
        logger.info("corpus reloaded: %d articles, %d sentences", new.info.articles, new.info.sentences)
    return ReloadReport(
        ok=ok,
        busy=False,
        before=before,
        after=_counts(new) if new is not None else before,
        seconds=seconds,
        issues=issues,
        error=error,
        content_hash=new.info.version if new is not None else "",
    )


async def reload_corpus(services: Services) -> ReloadReport:
    """One reload at a time: a second request while one runs is told so instead of queueing."""
    if services.reload_lock.locked():
        return ReloadReport(ok=False, busy=True, before=_counts(services.retriever), after=(0, 0), seconds=0)
    async with services.reload_lock:
        return await reload_locked(services)


def record_reload(services: Services, user_id: int | None, report: ReloadReport) -> None:
    """Queue the reload's audit row for the log writer (nothing for a refused "busy" request)."""
    if report.busy:
        return
    services.log_writer.submit(
        "a reload record",
        lambda store: store.record_reload(
            user_id,
            report.ok,
            report.before[0],
            report.after[0],
            report.before[1],
            report.after[1],
            report.content_hash,
            report.seconds * 1000,
            report.error,
        ),
    )


async def reload_command(update: Update, context: SanadContext) -> None:
    """/reload (admins): re-read corpus/, report articles and sentences before → after."""
    message, user = update.effective_message, update.effective_user
    if message is None or not await require_admin(update, context, "reload"):
        return
    report = await reload_corpus(context.services)
    sent = await context.reply_html(message, report.html())
    log_reply(context, update, "command", None, sent, context.arrived)
    record_reload(context.services, user.id if user is not None else None, report)


async def reload_from_signal(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """SIGHUP: the same reload as /reload, recorded with no user."""
    services = services_of(application)
    report = await reload_corpus(services)
    if report.busy:
        logger.info("SIGHUP ignored: a reload is already running")
        return
    record_reload(services, None, report)


# --- stats -----------------------------------------------------------------------------------------------


async def stats_command(update: Update, context: SanadContext) -> None:
    """/stats (admins): question counts, other replies, feedback, refused attempts, unanswered questions."""
    message = update.effective_message
    if message is None or not await require_admin(update, context, "stats"):
        return
    services = context.services
    store = services.store
    lost = services.log_writer.lost
    text = escape(phrases.STATS_UNAVAILABLE + "\n" + phrases.STATS_LOST.format(lost=lost))
    if store is not None:
        try:
            stats = await store.stats()
            recent = await store.recent_questions(50)
            text = render_stats_html(stats, recent, other=stats.other_7d, lost_rows=lost)
        except StoreError:
            logger.exception("could not compute stats")
    sent = await context.reply_html(message, text)
    log_reply(context, update, "command", None, sent, context.arrived)


# --- uploads ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PreparedUpload:
    article: Article
    content: str
    removed: int


def prepare_upload(file_name: str, text: str) -> PreparedUpload:
    """Blocking: a curated article from an uploaded file.

    ``.md`` with TOML front matter is parsed as a corpus file (its ``id`` names it); anything else is
    raw page text, cleaned by ``retrieval.ingest`` with an id from the file name.
    Raises ``SanadError`` (``IngestError``/``CorpusFormatError``) with the reason.
    """
    text = text.removeprefix("\ufeff")
    if file_name.lower().endswith(".md") and text.lstrip().startswith("+++"):
        article = parse_article(text.lstrip(), path=f"{ARTICLES_DIR}/{slugify_id(file_name)}.md")
        content = text.lstrip() if text.lstrip().endswith("\n") else text.lstrip() + "\n"
        return PreparedUpload(article, content, 0)
    result = ingest(text, slugify_id(file_name))
    return PreparedUpload(result.article, render_article(result.article), len(result.removed))


def prepare_page(
    doc_id: str, data: bytes, url: str | None = None, charset: str | None = None
) -> PreparedUpload:
    """Blocking: a curated article from a web page's bytes (an uploaded .html file or a fetched link)."""
    result = ingest_page_bytes(data, doc_id, url=url, charset=charset)
    return PreparedUpload(result.article, render_article(result.article), len(result.removed))


def fetch_policy(services: Services) -> FetchPolicy:
    bot = services.settings.bot
    return FetchPolicy(
        timeout_seconds=bot.fetch_timeout_seconds,
        max_bytes=bot.max_page_bytes,
        allow_private=bot.fetch_private_addresses,
    )


SaveOutcome = Literal["saved", "same", "exists"]


def looks_binary(text: str) -> bool:
    """True for decoded file content that is not plain text (NUL bytes, many control characters)."""
    if "\x00" in text:
        return True
    controls = sum(1 for char in text if ord(char) < 32 and char not in _TEXT_CONTROLS)
    return controls > MAX_CONTROL_SHARE * len(text)


def count_articles(corpus_path: Path) -> int:
    """Blocking: how many article files ``corpus/articles`` holds."""
    directory = corpus_path / ARTICLES_DIR
    return sum(1 for _ in directory.glob("*.md")) if directory.is_dir() else 0


def article_path(corpus_path: Path, doc_id: str) -> Path:
    """``corpus/articles/<doc_id>.md``, refusing any id that would land elsewhere."""
    if not is_valid_id(doc_id):
        raise ValueError(f"unsafe document id {doc_id!r}")
    directory = (corpus_path / ARTICLES_DIR).resolve()
    target = (directory / f"{doc_id}.md").resolve()
    if target.parent != directory:
        raise ValueError(f"document id {doc_id!r} points outside the articles directory")
    return target


def save_article(corpus_path: Path, doc_id: str, content: str) -> SaveOutcome:
    """Blocking: write a new article file; never overwrite one (same content is reported as such)."""
    target = article_path(corpus_path, doc_id)
    try:
        with target.open("x", encoding="utf-8", newline="\n") as handle:
            handle.write(content)
    except FileExistsError:
        existing = target.read_text(encoding="utf-8")
        return "same" if existing == content else "exists"
    return "saved"


# The reply sent, and the outcome to log: "upload" (a preview) or "upload_rejected".
UploadReply = tuple[Message | None, str]


async def _room_for_one_more(context: SanadContext, message: Message, user_id: int) -> UploadReply | None:
    """A refusal when this admin has too many previews waiting or the corpus is full, else None."""
    services = context.services
    bot_settings = services.settings.bot
    if services.uploads.count_for(user_id) >= bot_settings.max_pending_uploads:
        text = phrases.UPLOAD_PENDING_LIMIT.format(limit=bot_settings.max_pending_uploads)
        return await context.reply_html(message, escape(text)), "upload_rejected"
    articles = await asyncio.to_thread(count_articles, services.settings.corpus_path)
    if articles >= bot_settings.max_corpus_files:
        text = phrases.UPLOAD_CORPUS_FULL.format(limit=bot_settings.max_corpus_files)
        return await context.reply_html(message, escape(text)), "upload_rejected"
    return None


async def _preview(
    context: SanadContext, message: Message, user_id: int, prepared: PreparedUpload
) -> UploadReply:
    """Keep the article pending and show it with «إضافة» / «إلغاء»."""
    article = prepared.article
    upload = PendingUpload(article, prepared.content, user_id, time.monotonic())
    token = context.services.uploads.add(upload)
    preview = render_upload_preview_html(article, removed=prepared.removed)
    sent = await context.reply_html(message, preview, upload_keyboard(token))
    return sent, "upload"


async def receive_upload(update: Update, context: SanadContext) -> UploadReply:
    """An admin sent a document: check it, build the article, show a preview with «إضافة» / «إلغاء»."""
    message, user = update.effective_message, update.effective_user
    if message is None or message.document is None or user is None:
        return None, "upload_rejected"
    services = context.services
    document = message.document
    name = document.file_name or ""
    is_page = name.lower().endswith(PAGE_SUFFIXES)
    limit = services.settings.bot.max_page_bytes if is_page else services.settings.bot.max_upload_bytes

    async def say(text: str) -> UploadReply:
        return await context.reply_html(message, text), "upload_rejected"

    if not name.lower().endswith(UPLOAD_SUFFIXES):
        return await say(escape(phrases.UPLOAD_WRONG_TYPE))
    if document.file_size is not None and document.file_size > limit:
        return await say(escape(phrases.UPLOAD_TOO_BIG.format(limit=limit)))
    refused = await _room_for_one_more(context, message, user.id)
    if refused is not None:
        return refused
    telegram_file = await document.get_file()
    data = bytes(await telegram_file.download_as_bytearray())
    if len(data) > limit:
        return await say(escape(phrases.UPLOAD_TOO_BIG.format(limit=limit)))
    if not data.strip():
        return await say(escape(phrases.UPLOAD_EMPTY))
    if is_page:
        try:
            prepared = await asyncio.to_thread(prepare_page, slugify_id(name), data)
        except SanadError as exc:
            return await say(escape(phrases.UPLOAD_INVALID.format(error=exc)))
        return await _preview(context, message, user.id, prepared)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return await say(escape(phrases.UPLOAD_NOT_UTF8))
    if looks_binary(text):
        return await say(escape(phrases.UPLOAD_BINARY))
    try:
        prepared = await asyncio.to_thread(prepare_upload, name, text)
    except (SanadError, CorpusFormatError) as exc:
        return await say(escape(phrases.UPLOAD_INVALID.format(error=exc)))
    return await _preview(context, message, user.id, prepared)


async def receive_link(update: Update, context: SanadContext, url: str) -> UploadReply:
    """An admin sent a link: fetch it (bot.fetch rules), build the article, preview it like an upload."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return None, "upload_rejected"
    refused = await _room_for_one_more(context, message, user.id)
    if refused is not None:
        return refused
    try:
        page = await fetch_page(url, fetch_policy(context.services))
    except SanadError as exc:
        logger.info("an admin's link was not fetched: %s", exc)
        text = escape(phrases.LINK_FAILED.format(error=exc))
        return await context.reply_html(message, text), "upload_rejected"
    try:
        prepared = await asyncio.to_thread(prepare_page, url_id(page.url), page.data, page.url, page.charset)
    except SanadError as exc:
        text = escape(phrases.LINK_INVALID.format(error=exc))
        return await context.reply_html(message, text), "upload_rejected"
    return await _preview(context, message, user.id, prepared)


async def upload_button(update: Update, context: SanadContext) -> None:
    """«إضافة»: save to corpus/articles/<id>.md and reload (removing the file again if the reload fails).
    «إلغاء»: forget the pending upload."""
    if (press := await pressed(update)) is None or not await require_admin(update, context, "upload"):
        return
    callback_query = press.callback_query
    choice, token = context.matched(1), context.matched(2)
    services = context.services
    upload = services.uploads.pop(token)
    if upload is None:
        await acknowledge(callback_query, phrases.UPLOAD_EXPIRED, alert=True)
        await callback_query.edit_message_reply_markup(reply_markup=None)
        return
    if choice == "no":
        await acknowledge(callback_query)
        await callback_query.edit_message_text(escape(phrases.UPLOAD_CANCELLED))
        return
    doc_id = upload.article.id
    if services.reload_lock.locked():
        services.uploads.restore(token, upload)  # the admin can press «إضافة» again
        await acknowledge(callback_query, phrases.RELOAD_BUSY, alert=True)
        return
    corpus_path = services.settings.corpus_path
    limit = services.settings.bot.max_corpus_files
    if await asyncio.to_thread(count_articles, corpus_path) >= limit:
        await acknowledge(callback_query)
        await callback_query.edit_message_text(escape(phrases.UPLOAD_CORPUS_FULL.format(limit=limit)))
        return
    await acknowledge(callback_query)
    async with services.reload_lock:
        try:
            outcome = await asyncio.to_thread(save_article, corpus_path, doc_id, upload.content)
        except (OSError, ValueError) as exc:
            logger.warning("could not save uploaded article %r: %s", doc_id, exc)
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            await callback_query.edit_message_text(
                escape(phrases.UPLOAD_SAVE_FAILED.format(doc_id=doc_id, error=reason))
            )
            return
        if outcome != "saved":
            template = phrases.UPLOAD_SAME if outcome == "same" else phrases.UPLOAD_EXISTS
            await callback_query.edit_message_text(escape(template.format(doc_id=doc_id)))
            return
        report = await reload_locked(services)
        if not report.ok:
            try:
                await asyncio.to_thread(article_path(corpus_path, doc_id).unlink, missing_ok=True)
            except OSError:
                logger.exception("could not remove the uploaded article %r after a failed reload", doc_id)
    if report.ok:
        saved = escape(phrases.UPLOAD_SAVED.format(doc_id=doc_id))
    else:
        saved = escape(phrases.UPLOAD_ROLLED_BACK.format(doc_id=doc_id))
    await callback_query.edit_message_text(f"{saved}\n{report.html()}")
    record_reload(services, callback_query.from_user.id, report)
