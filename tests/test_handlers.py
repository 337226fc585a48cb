"""Unit tests of the bot's handler helpers, with PTB objects built by hand (no network, no server)."""

from __future__ import annotations

import re
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from telegram import Chat, Message, MessageEntity, Update, User
from telegram.constants import ParseMode
from telegram.ext import AIORateLimiter

from bot import app as bot_app
from bot import phrases
from bot.app import MissingTokenError, build_application, run_bot
from bot.context import SERVICES_KEY, LruCache, PendingUpload, PendingUploads, SanadContext, Services
from bot.handlers import addressed_text, answer_and_render, command_argument, example_question
from bot.intake import Webhook
from bot.keyboards import (
    FEEDBACK_PATTERN,
    MORE_PATTERN,
    SOURCES_PATTERN,
    TIMELINE_PATTERN,
    UPLOAD_PATTERN,
    answer_keyboard,
    timeline_keyboard,
    upload_keyboard,
)
from bot.render import Page, TimelinePage
from retrieval.errors import EmptyQuestionError
from retrieval.models import Answer, Article, Citation, Hit, Sentence
from tests.conftest import MakeSettings

BOT = User(id=42, first_name="Sanad", is_bot=True, username="sanad_test_bot")
ALICE = User(id=7, first_name="Alice", is_bot=False)
GROUP = Chat(id=-100, type=Chat.SUPERGROUP, title="نقاش")
WHEN = datetime(2022, 1, 8, tzinfo=UTC)


def group_message(
    text: str,
    *,
    entities: tuple[MessageEntity, ...] = (),
    reply_to: Message | None = None,
    message_id: int = 10,
) -> Message:
    return Message(
        message_id=message_id,
        date=WHEN,
        chat=GROUP,
        from_user=ALICE,
        text=text,
        entities=entities,
        reply_to_message=reply_to,
    )


def mention(text: str, word: str) -> MessageEntity:
    offset = len(text[: text.index(word)].encode("utf-16-le")) // 2
    return MessageEntity(MessageEntity.MENTION, offset, len(word.encode("utf-16-le")) // 2)


# --- group addressing ------------------------------------------------------------------------------------


def test_a_mention_addresses_the_bot_and_is_stripped_from_the_question() -> None:
    text = "@Sanad_Test_Bot متى بدأت الاحتجاجات؟"
    message = group_message(text, entities=(mention(text, "@Sanad_Test_Bot"),))
    assert addressed_text(message, "sanad_test_bot", BOT.id) == "متى بدأت الاحتجاجات؟"


def test_a_mention_in_the_middle_after_emoji_is_found() -> None:
    text = "😀 سؤال للبوت @sanad_test_bot: متى بدأت؟"
    message = group_message(text, entities=(mention(text, "@sanad_test_bot"),))
    assert addressed_text(message, "sanad_test_bot", BOT.id) == "😀 سؤال للبوت  : متى بدأت؟"


def test_mentioning_another_bot_or_no_one_is_ignored() -> None:
    text = "@other_bot متى بدأت الاحتجاجات؟"
    assert (
        addressed_text(group_message(text, entities=(mention(text, "@other_bot"),)), "sanad_test_bot", 42)
        is None
    )
    assert addressed_text(group_message("متى بدأت الاحتجاجات؟"), "sanad_test_bot", 42) is None
    # Text that merely contains the username without a mention entity is not a mention.
    assert addressed_text(group_message("sanad_test_bot متى؟"), "sanad_test_bot", 42) is None


def test_a_text_mention_of_the_bot_addresses_it() -> None:
    text = "سند متى بدأت الاحتجاجات؟"
    entity = MessageEntity(MessageEntity.TEXT_MENTION, 0, 3, user=BOT)
    assert addressed_text(group_message(text, entities=(entity,)), "sanad_test_bot", BOT.id) == text


def test_a_reply_to_the_bot_addresses_it_but_a_reply_to_a_user_does_not() -> None:
    from_bot = Message(message_id=5, date=WHEN, chat=GROUP, from_user=BOT, text="إجابة")
    from_user = Message(message_id=6, date=WHEN, chat=GROUP, from_user=ALICE, text="سؤال")
    question = "وماذا عن ألماتي؟"
    assert addressed_text(group_message(question, reply_to=from_bot), "sanad_test_bot", BOT.id) == question
    assert addressed_text(group_message(question, reply_to=from_user), "sanad_test_bot", BOT.id) is None


def test_command_argument_keeps_punctuation() -> None:
    assert command_argument(group_message("/ask@sanad_test_bot   متى بدأت؟ ")) == "متى بدأت؟"
    assert command_argument(group_message("/ask")) == ""
    assert command_argument(group_message("/ask\nسؤال على سطر جديد")) == "سؤال على سطر جديد"


# --- answering with a stand-in retriever -----------------------------------------------------------------

CITATION = Citation("a", "عنوان", "منفذ", date(2022, 1, 8), None)


class FakeRetriever:
    examples = ("متى بدأت الاحتجاجات في كازاخستان؟",)

    def examples_for(self, question: str, count: int = 3) -> tuple[str, ...]:
        return self.examples[:count]

    def __init__(self, hits: int = 5) -> None:
        self.hits = tuple(
            Hit(
                Sentence("a", 1, n, f"بدأت الاحتجاجات في اليوم رقم {n} من يناير في غرب البلاد."),
                1.0,
                (CITATION,),
            )
            for n in range(hits)
        )

    def answer(self, question: str, top_k: int | None = None) -> Answer:
        if not question.strip("؟ "):
            raise EmptyQuestionError("empty")
        if "الصين" in question:
            return Answer(question, ("صين",), (), True, ("الصين",))
        return Answer(question, ("بدا", "احتجاج"), self.hits, False)

    def highlight_spans(self, text: str, query_terms: Any) -> list[tuple[int, int]]:
        return [(0, 4)]


def test_answer_and_render_pages_and_bolds() -> None:
    answer, page = answer_and_render(FakeRetriever(), "متى بدأت؟", 3)  # type: ignore[arg-type]
    assert not answer.declined
    assert (page.shown, page.total, page.has_more) == (3, 5, True)
    assert page.text.count("<b>بدأت</b>") == 3


def test_answer_and_render_declines_and_raises_on_empty() -> None:
    answer, page = answer_and_render(FakeRetriever(), "ما موقف الصين؟", 3)  # type: ignore[arg-type]
    assert answer.declined
    assert page.declined
    assert "الصين" in page.text
    assert FakeRetriever.examples[0] in page.text
    with pytest.raises(EmptyQuestionError):
        answer_and_render(FakeRetriever(), "؟؟", 3)  # type: ignore[arg-type]


def test_example_question_falls_back_when_there_is_no_retriever() -> None:
    assert example_question(None) == phrases.EMPTY_QUESTION_DEFAULT_EXAMPLE
    assert example_question(FakeRetriever()) == FakeRetriever.examples[0]  # type: ignore[arg-type]


# --- keyboards -------------------------------------------------------------------------------------------


def test_answer_keyboard_has_sources_feedback_and_more_only_when_there_is_more() -> None:
    with_more = answer_keyboard(Page("x", 0, 3, 10))
    assert with_more is not None
    data = [b.callback_data for row in with_more.inline_keyboard for b in row]
    assert data == ["src", "fb:+", "fb:-", "more:3"]
    labels = [b.text for row in with_more.inline_keyboard for b in row]
    assert labels == [phrases.BUTTON_SOURCES, "👍", "👎", phrases.BUTTON_MORE]
    last = answer_keyboard(Page("x", 9, 1, 10))
    assert last is not None
    assert [b.callback_data for row in last.inline_keyboard for b in row] == ["src", "fb:+", "fb:-"]
    assert answer_keyboard(Page("x", 0, 0, 0, declined=True)) is None


BUTTON_PATTERNS = (SOURCES_PATTERN, FEEDBACK_PATTERN, MORE_PATTERN, UPLOAD_PATTERN, TIMELINE_PATTERN)


def test_each_button_kind_has_one_pattern_and_its_data_fits_64_bytes() -> None:
    token = PendingUploads().add(PendingUpload(Article("a", "t", ("p",)), "", 1, 0.0))
    answer = answer_keyboard(Page("x", 0, 3, 10))
    assert answer is not None
    pages = timeline_keyboard(TimelinePage("x", 5, 5, 20))
    assert pages is not None
    markups = (answer, upload_keyboard(token), pages)
    data = [b.callback_data for markup in markups for row in markup.inline_keyboard for b in row]
    assert all(isinstance(d, str) and len(d.encode()) <= 64 for d in data)
    kinds = [[p for p in BUTTON_PATTERNS if re.match(p, str(d))] for d in data]
    assert kinds == [
        [SOURCES_PATTERN],
        [FEEDBACK_PATTERN],
        [FEEDBACK_PATTERN],
        [MORE_PATTERN],
        [UPLOAD_PATTERN],
        [UPLOAD_PATTERN],
        [TIMELINE_PATTERN],
        [TIMELINE_PATTERN],
    ]
    groups = [match.groups() for d in data if (match := re.match(UPLOAD_PATTERN, str(d)))]
    assert groups == [("add", token), ("no", token)]
    assert re.match(MORE_PATTERN, "more:9999").group(1) == "9999"  # type: ignore[union-attr]
    assert re.match(FEEDBACK_PATTERN, "fb:-").group(1) == "-"  # type: ignore[union-attr]
    for bad in ("", "fb:0", "more:-1", "more:x", "src:1", "up:add:../../x", "up:delete:abc", "tl:123456"):
        assert not any(re.match(pattern, bad) for pattern in BUTTON_PATTERNS), bad


# --- caches ----------------------------------------------------------------------------------------------


def test_lru_cache_is_bounded_and_keeps_recent_use() -> None:
    cache: LruCache[int, str] = LruCache(2)
    cache.put(1, "a")
    cache.put(2, "b")
    assert cache.get(1) == "a"  # 1 is now the most recent
    cache.put(3, "c")
    assert cache.get(2) is None
    assert (cache.get(1), cache.get(3), len(cache)) == ("a", "c", 2)


def test_pending_uploads_expire_and_can_be_restored() -> None:
    uploads = PendingUploads(capacity=2, ttl_seconds=60)
    upload = PendingUpload(Article("a", "t", ("p",)), "content", 1, created=100.0)
    token = uploads.add(upload)
    assert uploads.pop(token, now=130.0) == upload
    assert uploads.pop(token, now=130.0) is None  # popped once
    uploads.restore(token, upload)
    assert uploads.pop(token, now=200.0) is None  # expired
    tokens = [uploads.add(upload) for _ in range(3)]
    assert uploads.pop(tokens[0], now=100.0) is None  # evicted: capacity 2
    assert len(set(tokens)) == 3


# --- building and running ----------------------------------------------------------------------------------


def test_build_application_applies_the_settings(make_settings: MakeSettings) -> None:
    settings = make_settings(base_url="http://127.0.0.1:9/bot", base_file_url="http://127.0.0.1:9/file/bot")
    application = build_application(settings)
    bot = application.bot
    assert bot.defaults is not None
    assert bot.defaults.parse_mode == ParseMode.HTML
    assert bot.defaults.link_preview_options is not None
    assert bot.defaults.link_preview_options.is_disabled is True
    assert isinstance(bot.rate_limiter, AIORateLimiter)
    assert bot.base_url.startswith("http://127.0.0.1:9/bot")
    assert bot.base_file_url.startswith("http://127.0.0.1:9/file/bot")
    assert isinstance(application.bot_data[SERVICES_KEY], Services)
    assert application.concurrent_updates > 1
    assert application.error_handlers
    without = build_application(make_settings(rate_limiter="off"))
    assert without.bot.rate_limiter is None


def test_the_context_records_when_its_update_arrived(make_settings: MakeSettings) -> None:
    application = build_application(make_settings())
    before = time.monotonic()
    context = SanadContext.from_update(Update(1, message=group_message("سؤال")), application)
    assert before <= context.arrived <= time.monotonic()  # handlers time their reply from here


def test_build_application_needs_a_token(make_settings: MakeSettings) -> None:
    with pytest.raises(MissingTokenError, match="TELEGRAM_BOT_TOKEN"):
        build_application(make_settings(token=None))


def test_run_bot_polls_by_default_and_uses_a_webhook_when_configured(
    make_settings: MakeSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[Webhook | None] = []

    async def run(application: Any, *, webhook: Webhook | None = None) -> None:
        seen.append(webhook)

    monkeypatch.setattr(bot_app, "run_until_stopped", run)
    run_bot(make_settings())
    webhook = {
        'mode = "polling"': 'mode = "webhook"',
        'webhook_url = ""': 'webhook_url = "https://example.org/sanad/hook"',
    }
    run_bot(make_settings(config_replace=webhook))
    polling, hook = seen
    assert polling is None
    assert hook is not None
    assert hook.url == "https://example.org/sanad/hook"
    assert hook.url_path == "/sanad/hook"
    assert hook.listen == "127.0.0.1"
    assert hook.allowed_updates == tuple(bot_app.ALLOWED_UPDATES)
    assert len(hook.secret_token) >= 32


def test_settings_fixture_uses_a_temp_corpus(make_settings: MakeSettings, tmp_path: Path) -> None:
    settings = make_settings()
    assert settings.corpus_path == tmp_path / "corpus"
    assert (settings.corpus_path / "articles").is_dir()
