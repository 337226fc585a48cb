"""Hostile and odd input through the real handler path: the Application from ``build_application`` with
long polling against the fake Bot API, as in ``tests/test_e2e_bot.py``.

One bot serves the whole module from an event loop in a background thread (``LiveBot``), so the named cases
and hypothesis's property tests (synchronous) share it and stay fast. Every case checks the same things:
no crash (no error logged, no error notice), exactly one clear Arabic reply, HTML that Telegram's parser
accepts (the fake rejects anything else: ``api.rejected`` stays empty), and the exchange logged with the
right ``outcome``. The fake is made to deliver lone surrogates as JSON ``\\ud800`` escapes.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import re
import shutil
import sqlite3
import threading
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from telegram import Update
from telegram.ext import TypeHandler

from bot import phrases
from bot.app import AnyApplication, build_application, serving
from bot.context import services_of
from bot.handlers import answer_and_render
from bot.sanitize import clean_text, utf16_slice
from bot.settings import Settings, load_settings
from retrieval.answer import Retriever, load_retriever
from retrieval.corpus import ARTICLES_DIR, parse_article
from retrieval.errors import EmptyQuestionError
from tests.conftest import REPO
from tests.fakes import _http
from tests.fakes.bot_api import Call, FakeBotAPI, running_fake_api
from tests.fakes.tg_html import parse_html

T = TypeVar("T")

ADMIN = 1001
ARABIC = re.compile("[\u0600-\u06ff]")
# Bidi embeddings, overrides and the isolates a user could send; the bot's own replies use FSI/PDI (U+2068,
# U+2069) and RLM around its markers, so only these may never appear in a reply.
FOREIGN_BIDI = re.compile("[\u202a-\u202e\u2066\u2067]")
QUESTION_OUTCOMES = {"answered", "declined"}
STARTED = "متى بدأت الاحتجاجات في كازاخستان؟"


def _json_any_text(cls: type[_http.Response], payload: Any, status: int = 200) -> _http.Response:
    """The fake's JSON encoder, falling back to ``\\u`` escapes for text UTF-8 cannot hold (lone
    surrogates), so the bot receives them exactly as Telegram would send them."""
    try:
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    except UnicodeEncodeError:
        body = json.dumps(payload, ensure_ascii=True, separators=(",", ":")).encode()
    return cls(status, body)


class _Errors(logging.Handler):
    """Collects ERROR records from the bot and PTB (a crash in a handler is logged by ``on_error``)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.startswith(("bot", "telegram")):
            self.records.append(record)


@dataclass
class Outcome:
    reply: Call
    replies: list[Call]
    row: sqlite3.Row | None


class LiveBot:
    """The real bot and the fake Bot API on their own event loop in a thread, driven synchronously."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self._run, name="live-bot", daemon=True)
        self.ready = threading.Event()
        self.failure: BaseException | None = None
        self._stop: asyncio.Future[None] | None = None
        self.api: FakeBotAPI
        self.app: AnyApplication
        self.settings: Settings
        self.chats = itertools.count(50_000)
        self.errors = _Errors()
        self.done: set[int] = set()
        self.waiters: list[tuple[int, asyncio.Event]] = []

    # --- lifecycle ---------------------------------------------------------------------------------

    def start(self) -> None:
        logging.getLogger().addHandler(self.errors)
        self.thread.start()
        if not self.ready.wait(30) or self.failure is not None:
            raise RuntimeError(f"the live bot did not start: {self.failure!r}")

    def stop(self) -> None:
        if self._stop is not None:
            self.loop.call_soon_threadsafe(self._stop.set_result, None)
        self.thread.join(30)
        logging.getLogger().removeHandler(self.errors)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        try:
            self.loop.run_until_complete(self._main())
        except BaseException as exc:  # reported by start()
            self.failure = exc
            self.ready.set()
        finally:
            self.loop.close()

    async def _main(self) -> None:
        async with running_fake_api() as api:
            config = self.root / "config.toml"
            text = (REPO / "config.toml").read_text(encoding="utf-8")
            text = text.replace("max_pending_uploads = 3", "max_pending_uploads = 1000")
            config.write_text(text, encoding="utf-8")
            environ = {
                "TELEGRAM_BOT_TOKEN": api.token,
                "SANAD_TELEGRAM_BASE_URL": api.base_url,
                "SANAD_TELEGRAM_BASE_FILE_URL": api.base_file_url,
                "SANAD_ADMIN_IDS": str(ADMIN),
            }
            self.settings = load_settings(config, environ=environ)
            self.api, self.app = api, build_application(self.settings)
            # Instrumentation: a last handler group that notes each update once every handler is done.
            self.app.add_handler(TypeHandler(Update, self._processed), group=99)
            self._stop = asyncio.get_running_loop().create_future()
            async with serving(self.app):
                self.ready.set()
                await self._stop

    async def _processed(self, update: Update, context: object) -> None:
        self.done.add(update.update_id)
        for waiter in [w for uid, w in self.waiters if uid == update.update_id]:
            waiter.set()

    async def _until_processed(self, update_id: int) -> None:
        if update_id in self.done:
            return
        event = asyncio.Event()
        self.waiters.append((update_id, event))
        async with asyncio.timeout(10):
            await event.wait()

    # --- driving -----------------------------------------------------------------------------------

    def call(self, factory: Callable[[], Awaitable[T]], timeout: float = 20.0) -> T:
        async def run() -> T:
            return await factory()

        future: Future[T] = asyncio.run_coroutine_threadsafe(run(), self.loop)
        return future.result(timeout)

    async def _flush(self) -> None:
        assert await services_of(self.app).log_writer.flush(10)

    def exchange(self, chat_id: int, push: Callable[[FakeBotAPI], dict[str, Any]]) -> Outcome:
        """Push one update, wait for the reply in ``chat_id`` and for the log write, read the row."""

        async def go() -> tuple[Call, dict[str, Any]]:
            since = len(self.api.sent)
            pushed = push(self.api)
            reply = await self.api.wait_for_reply(chat_id, since=since)
            await self._until_processed(pushed["update_id"])
            await self._flush()
            return reply, pushed

        errors_before = len(self.errors.records)
        reply, pushed = self.call(go)
        message = pushed.get("message") or pushed.get("edited_message") or {}
        row = self.row(chat_id, message.get("message_id"))
        replies = [c for c in self.api.replies(chat_id) if c.index >= reply.index]
        assert self.errors.records[errors_before:] == [], [r.getMessage() for r in self.errors.records]
        return Outcome(reply, replies, row)

    def row(self, chat_id: int, message_id: int | None) -> sqlite3.Row | None:
        with contextlib.closing(sqlite3.connect(self.settings.database_path)) as connection:
            connection.row_factory = sqlite3.Row
            found: sqlite3.Row | None = connection.execute(
                "SELECT * FROM exchanges WHERE chat_id = ? AND message_id = ? ORDER BY id DESC",
                (chat_id, message_id),
            ).fetchone()
            return found

    def ask(self, text: str) -> tuple[int, Outcome]:
        chat = next(self.chats)  # a new user each time: the per-user rate limit never interferes
        return chat, self.exchange(chat, lambda api: api.push_text(chat, chat, text))


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveBot]:
    root = tmp_path_factory.mktemp("live")
    shutil.copytree(REPO / "corpus", root / "corpus", ignore=shutil.ignore_patterns("raw"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_http.Response, "json", classmethod(_json_any_text))
        bot = LiveBot(root)
        bot.start()
        try:
            yield bot
        finally:
            bot.stop()
    assert bot.failure is None


def visible(call: Call) -> str:
    text, _ = parse_html(call.params["text"])
    return text


def check_reply(live: LiveBot, outcome: Outcome) -> str:
    """The checks every case shares; returns the text the user sees."""
    assert len(outcome.replies) == 1, [visible(c) for c in outcome.replies]
    assert not live.api.rejected, live.api.rejected[-1]
    text = visible(outcome.reply)
    assert ARABIC.search(text), text
    assert text != phrases.ERROR
    assert not FOREIGN_BIDI.search(outcome.reply.params["text"])
    assert "\x00" not in outcome.reply.params["text"]
    assert outcome.row is not None, "the exchange was not logged"
    assert outcome.row["reply_message_id"] == outcome.reply.result["message_id"]
    return text


# --- named text cases --------------------------------------------------------------------------------

EMPTY = phrases.EMPTY_QUESTION.split("{")[0]
TOO_LONG = "السؤال طويل جدًا"
DECLINE = "لا تذكر المصادر المتاحة"


@dataclass(frozen=True)
class Case:
    text: str
    outcomes: frozenset[str]
    says: str = ""  # the reply must contain this


def case(text: str, *outcomes: str, says: str = "") -> Case:
    return Case(text, frozenset(outcomes), says)


TEXT_CASES = {
    "whitespace only": case("   \n\t \u3000 ", "empty", says=EMPTY),
    "punctuation only": case("؟!،.…«»()[]{}—–-", "empty", says=EMPTY),
    "emoji only": case("😀🇰🇿👍🏽👨‍👩‍👧", "empty", says=EMPTY),
    "stop words only": case("من هو ما هي في على عن", "empty", says=EMPTY),
    "4096 characters": case("ك" * 4096, "too_long", says=TOO_LONG),
    "4096 UTF-16 units of emoji": case("😀" * 2048, "too_long", says=TOO_LONG),
    "just over the limit": case("كازاخستان " * 51, "too_long", says=TOO_LONG),
    "mixed Arabic and Latin": case("ما دور CSTO و Tokayev في Almaty؟", "answered", "declined"),
    "Latin only": case("What happened in Almaty in January 2022?", "answered", "declined"),
    "right-to-left override": case("\u202e" + STARTED, "answered", says="[1]"),
    "override inside a word": case("ما موقف الص\u202eين من أحداث كازاخستان؟", "declined", says="الصين"),
    "isolates around words": case(
        "\u2066متى\u2069 \u2067بدأت\u2069 \u2068الاحتجاجات\u2069 في كازاخستان؟", "answered", says="[1]"
    ),
    "unbalanced embeddings": case("\u202a\u202b\u202d" + STARTED + "\u2066\u2067", "answered"),
    "zero-width inside words": case(
        "ما موقف ال\u200bصين\u200c من أحداث كازاخستان\u200d؟", "declined", says="الصين"
    ),
    "zero-width only": case("\u200b\u200c\u200d\ufeff\u2060", "empty", says=EMPTY),
    "HTML tags": case("<b>الصين</b> <a href='x'>كازاخستان</a> </i>", "declined", says="الصين"),
    "HTML entities": case("&amp; &lt;script&gt; الصين &#x202e; &nbsp;", "declined", says="الصين"),
    "Markdown": case("*متى* _بدأت_ [الاحتجاجات](http://x) `في` ~كازاخستان~ ||؟||", "answered"),
    "Markdown only": case("*_[]()~`>#+-=|{}.!\\", "empty", says=EMPTY),
    "null bytes": case("متى\x00 بدأت\x00الاحتجاجات في كازاخستان؟\x00", "answered", "declined"),
    "control characters": case("\x01\x02\x1b[31mالصين\x7f\x85 في كازاخستان", "declined", says="الصين"),
    "lone surrogate alone": case("\ud800", "empty", says=EMPTY),
    "lone surrogates in a question": case(
        "ما موقف \udfffالصين من أحداث كازاخستان\ud83d؟", "declined", says="الصين"
    ),
    "Arabic-Indic digits": case("ماذا حدث في ٥ يناير ٢٠٢٢ في ألماتي؟", "answered", "declined"),
    "one very long word": case("ا" * 490, "declined", "empty"),
    "diacritics and tatweel only": case("ـــَُِّْـــ", "empty", says=EMPTY),
    "a newline flood": case("\n" * 300 + STARTED, "answered"),
}


@pytest.mark.parametrize("name", list(TEXT_CASES))
def test_named_text_case(live: LiveBot, name: str) -> None:
    hostile = TEXT_CASES[name]
    _, outcome = live.ask(hostile.text)
    text = check_reply(live, outcome)
    assert outcome.row is not None
    assert outcome.row["outcome"] in hostile.outcomes, (outcome.row["outcome"], text)
    assert hostile.says in text
    assert outcome.row["question"] == clean_text(hostile.text).strip()


def test_empty_text_is_not_text(live: LiveBot) -> None:
    chat = next(live.chats)
    outcome = live.exchange(chat, lambda api: api.push_text(chat, chat, ""))
    assert check_reply(live, outcome) == phrases.NOT_TEXT
    assert outcome.row is not None
    assert outcome.row["outcome"] == "non_text"


def test_a_sticker_and_a_location_are_not_text(live: LiveBot) -> None:
    for extra in ({"sticker": {"file_id": "s", "file_unique_id": "s", "type": "regular", "width": 1,
                               "height": 1, "is_animated": False, "is_video": False}},
                  {"location": {"latitude": 43.2, "longitude": 76.9}}):  # fmt: skip
        chat = next(live.chats)
        message = {
            "message_id": 1,
            "date": 1641600000,
            "chat": {"id": chat, "type": "private", "first_name": "u"},
            "from": {"id": chat, "is_bot": False, "first_name": "u"},
            **extra,
        }
        outcome = live.exchange(chat, lambda api, m=message: api.push_update({"message": m}))
        assert check_reply(live, outcome) == phrases.NOT_TEXT
        assert outcome.row is not None
        assert outcome.row["outcome"] == "non_text"


def test_a_group_mention_with_surrogates_and_bidi_controls(live: LiveBot) -> None:
    chat = -next(live.chats)
    user = next(live.chats)
    mention = f"@{live.api.bot_username}"
    text = f"\ud800\u202e {mention} ما موقف الصين من أحداث كازاخستان؟"
    offset = len(text[: text.index(mention)].encode("utf-16-le", "surrogatepass")) // 2
    entity = {"type": "mention", "offset": offset, "length": len(mention)}

    def push(api: FakeBotAPI) -> dict[str, Any]:
        title = "\u202eنقاش"
        return api.push_text(chat, user, text, chat_type="supergroup", chat_title=title, entities=[entity])

    outcome = live.exchange(chat, push)
    assert DECLINE in check_reply(live, outcome)
    assert outcome.row is not None
    assert outcome.row["outcome"] == "declined"
    assert utf16_slice(text, offset, len(mention)) == mention


@pytest.mark.parametrize("argument", ["", "   ", "\u202e\x00", "\ud800", "😀", "<b></b>"])
def test_ask_with_nothing_to_search(live: LiveBot, argument: str) -> None:
    chat = next(live.chats)
    outcome = live.exchange(chat, lambda api: api.push_command(chat, chat, "ask", argument))
    text = check_reply(live, outcome)
    assert outcome.row is not None
    if clean_text(argument).strip():  # something is left, searched like any question
        assert outcome.row["outcome"] in {"empty", "declined"}
    else:
        assert (outcome.row["outcome"], "/ask" in text) == ("empty", True)


def test_an_edit_to_hostile_text_is_answered_once_more(live: LiveBot) -> None:
    chat, first = live.ask(STARTED)
    check_reply(live, first)
    question_id = first.reply.params["reply_parameters"]["message_id"]
    outcome = live.exchange(chat, lambda api: api.push_edited_text(chat, chat, question_id, "\ud800<>&"))
    assert EMPTY in check_reply(live, outcome)


@pytest.mark.parametrize("command", ["/\u202ehelp", "/help\x00", "/" + "a" * 64, "/sources@other_bot"])
def test_odd_commands(live: LiveBot, command: str) -> None:
    chat = next(live.chats)
    entity = [{"type": "bot_command", "offset": 0, "length": len(command.encode("utf-16-le")) // 2}]
    outcome = live.exchange(chat, lambda api: api.push_text(chat, chat, command, entities=entity))
    check_reply(live, outcome)
    assert outcome.row is not None
    assert outcome.row["outcome"] == "command"


# --- hostile uploads (by an admin: non-admin uploads are refused unread, see test_security.py) --------

PARAGRAPH = "أعلنت الصين دعمها للإجراءات التي اتخذها الرئيس توكاييف لاستعادة النظام في كازاخستان."


def front(*lines: str) -> bytes:
    return ("+++\n" + "\n".join(lines) + f"\n+++\n\n{PARAGRAPH}\n").encode()


UPLOAD_CASES: dict[str, tuple[str, bytes, str]] = {
    "empty": ("empty.txt", b"", phrases.UPLOAD_EMPTY),
    "blank": ("blank.txt", b" \n\r\n\t", phrases.UPLOAD_EMPTY),
    "huge": ("huge.txt", "ك".encode() * 100_001, "أكبر من الحد"),
    "latin-1": ("latin1.txt", "café تجربة".encode("latin-1", "replace"), phrases.UPLOAD_NOT_UTF8),
    "utf-16": ("utf16.txt", PARAGRAPH.encode("utf-16"), phrases.UPLOAD_NOT_UTF8),
    "png named .txt": ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "تعذّر"),
    "NUL bytes in UTF-8": ("nul.md", b"\x00\x01\x02" + PARAGRAPH.encode(), phrases.UPLOAD_BINARY),
    "executable named .md": ("x.md", b"\x7fELF\x02\x01\x01" + b"\x00" * 64, phrases.UPLOAD_BINARY),
    "front matter id escapes": (
        "a.md", front('id = "../../etc/passwd"', 'title = "عنوان"'), "تعذّر استخراج مقال"
    ),
    "front matter absolute id": ("a.md", front('id = "/etc/passwd"', 'title = "عنوان"'), "تعذّر استخراج"),
    "front matter never closed": ("a.md", b'+++\nid = "x"\ntitle = "t"\n\n' + PARAGRAPH.encode(), "تعذّر"),
    "TOML duplicate key": ("a.md", front('id = "a"', 'id = "b"', 'title = "t"'), "تعذّر استخراج"),
    "TOML table injection": (
        "a.md", front('id = "a"', 'title = "t"', "[bot]", "admin_ids = [1]"), "تعذّر استخراج"
    ),
    "TOML huge inline array": ("a.md", front('id = "a"', 'title = "t"', "x = [" + "1," * 5000 + "]"), ""),
    "not a .txt or .md": ("evil.exe", b"MZ\x90\x00", phrases.UPLOAD_WRONG_TYPE),
    "no extension": ("README", PARAGRAPH.encode(), phrases.UPLOAD_WRONG_TYPE),
}


@pytest.mark.parametrize("name", list(UPLOAD_CASES))
def test_hostile_upload(live: LiveBot, name: str) -> None:
    file_name, content, says = UPLOAD_CASES[name]
    outcome = live.exchange(ADMIN, lambda api: api.push_document(ADMIN, ADMIN, file_name, content))
    text = check_reply(live, outcome)
    assert says in text
    assert outcome.row is not None
    assert outcome.row["outcome"] in {"upload", "upload_rejected"}
    assert outcome.row["question"] == file_name
    assert (outcome.row["outcome"] == "upload") == bool(outcome.reply.params.get("reply_markup"))


@pytest.mark.parametrize(
    ("file_name", "content", "doc_id"),
    [
        ("html.md", front('id = "html_title"', 'title = "<b>عنوان</b> & <script>x</script> \u202eمقلوب"'),
         "html_title"),
        ("quotes.md", front('id = "quoted"', 'title = "عنوان \\"مقتبس\\" +++ \\n id = \\"evil\\""'),
         "quoted"),
        ("raw injection.txt", (
            'عنوان""" +++ [bot] id = "../../evil" <b>&amp;\n11 يناير 2022\n' + PARAGRAPH + "\n"
        ).encode(), "raw_injection"),
    ],
)  # fmt: skip
def test_hostile_titles_are_escaped_in_the_preview_and_saved_verbatim(
    live: LiveBot, file_name: str, content: bytes, doc_id: str
) -> None:
    preview = live.exchange(ADMIN, lambda api: api.push_document(ADMIN, ADMIN, file_name, content))
    shown = check_reply(live, preview)
    add = preview.reply.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    articles = live.settings.corpus_path / ARTICLES_DIR
    before = set(articles.iterdir())

    async def press() -> Call:
        since = len(live.api.sent)
        live.api.push_callback(ADMIN, ADMIN, preview.reply.result, add)
        return await live.api.wait_for_reply(ADMIN, since=since)

    done = live.call(press)
    assert "حُفظ المقال" in visible(done), visible(done)
    assert not live.api.rejected
    (saved,) = set(articles.iterdir()) - before
    assert saved.parent == articles
    # The file reads back as one article with the id it was meant to have: nothing was injected.
    article = parse_article(saved.read_text(encoding="utf-8"), path=str(saved))
    assert (saved.name, article.id) == (f"{doc_id}.md", doc_id)
    assert article.paragraphs[-1] == PARAGRAPH
    # The preview showed the title as text (escaped, its bidi controls dropped), never as markup.
    first_line = re.sub("[\u202a-\u202e\u2066-\u2069]", "", article.title).splitlines()[0]
    assert first_line.strip() in shown.replace("\u2068", "").replace("\u2069", "")


# --- property tests ----------------------------------------------------------------------------------

HOSTILE_CHARS = (
    "متىبدأتالاحتجاجاتفيكازاخستانالصينروسياألماتي ؟،"
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
    "\u200b\u200c\u200d\u2060\ufeff\u00ad"
    "\x00\x01\x1b\x7f\x85\t\n\r "
    "<>&\"'*_[]()~`|#\\/"
    "😀🇰🇿👍🏽"
    "abcXYZ019٠١٩"
    "\ud800\udbff\udc00\udfff"
)
hostile_text = st.one_of(
    st.text(st.sampled_from(HOSTILE_CHARS), min_size=1, max_size=80),
    st.text(min_size=1, max_size=80),
    st.builds(lambda a, b: a + STARTED + b, st.text(st.sampled_from(HOSTILE_CHARS), max_size=20), st.text()),
    st.text(st.sampled_from(HOSTILE_CHARS), min_size=490, max_size=620),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=hostile_text)
def test_any_text_gets_exactly_one_clear_reply_and_is_logged(live: LiveBot, text: str) -> None:
    _, outcome = live.ask(text)
    check_reply(live, outcome)
    assert outcome.row is not None
    delivered = json.loads(json.dumps(text))  # JSON joins a high and a low surrogate escape into one char
    cleaned = clean_text(delivered).strip()
    if not text:
        assert outcome.row["outcome"] == "non_text"
    elif len(cleaned) > live.settings.bot.max_question_chars:
        assert outcome.row["outcome"] == "too_long"
    else:
        assert outcome.row["outcome"] in QUESTION_OUTCOMES | {"empty"}
        assert outcome.row["question"] == cleaned


@pytest.fixture(scope="module")
def retriever() -> Retriever:
    # BM25 alone: rendering is what is checked here; tests/test_encoder.py feeds the encoder odd text.
    config = load_settings(REPO / "config.toml", environ={}).retrieval
    return load_retriever(REPO / "corpus", replace(config, encoder="none"))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.one_of(hostile_text, st.text()))
def test_cleaned_text_renders_html_telegram_accepts(retriever: Retriever, text: str) -> None:
    cleaned = clean_text(text)
    cleaned.encode("utf-8")  # no lone surrogates left
    assert clean_text(cleaned) == cleaned
    invisible = "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]"
    assert not re.search(invisible, cleaned)
    try:
        _, page = answer_and_render(retriever, cleaned.strip(), 3)
    except EmptyQuestionError:
        return
    parse_html(page.text)  # raises EntityParseError when Telegram would refuse it
    assert not FOREIGN_BIDI.search(page.text)


@given(text=st.text(st.sampled_from(HOSTILE_CHARS)), start=st.integers(0, 40), length=st.integers(0, 40))
def test_utf16_slice_matches_telegram_offsets(text: str, start: int, length: int) -> None:
    units = text.encode("utf-16-le", "surrogatepass")
    piece = utf16_slice(text, start, length)
    assert piece.encode("utf-16-le", "surrogatepass") == units[2 * start : 2 * (start + length)]
