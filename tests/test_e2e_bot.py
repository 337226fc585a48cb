"""End to end: the real Application from ``build_application`` against the fake Bot API (long polling).

Each test gets its own fake server, temp copy of corpus/ and temp SQLite file; the log rows are read
after the application has stopped (``Application.stop`` waits for the background log writes).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sqlite3
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot import phrases
from bot.app import AnyApplication, build_application, serving
from bot.context import Services, services_of
from bot.log import Exchange, Store
from bot.settings import Settings
from retrieval.ingest import render_article
from retrieval.models import Article
from tests.conftest import REPO, MakeSettings
from tests.fakes.bot_api import Call, FakeBotAPI, running_fake_api
from tests.fakes.tg_html import parse_html

ADMIN = 1001
USER = 2002
OTHER = 3003
GROUP = -100500

STARTED = "متى بدأت الاحتجاجات في كازاخستان؟"
CHINA = "ما موقف الصين من أحداث كازاخستان؟"


@dataclass
class Bot:
    api: FakeBotAPI
    app: AnyApplication
    settings: Settings

    @property
    def services(self) -> Services:
        return services_of(self.app)

    async def ask(self, chat_id: int, user_id: int, text: str, **kwargs: Any) -> Call:
        self.api.push_text(chat_id, user_id, text, **kwargs)
        return await self.api.wait_for_reply(chat_id)

    async def command(self, chat_id: int, user_id: int, command: str, args: str = "", **kwargs: Any) -> Call:
        self.api.push_command(chat_id, user_id, command, args, **kwargs)
        return await self.api.wait_for_reply(chat_id)

    async def press(self, chat_id: int, user_id: int, reply: Call, data: str) -> None:
        """Press a button under ``reply`` and wait until the bot answered the callback query."""
        answered = len(self.api.callback_answers)
        self.api.push_callback(chat_id, user_id, reply.result, data)
        await self.api.wait_for(lambda calls: len(self.api.callback_answers) > answered)


@contextlib.asynccontextmanager
async def running_bot(make_settings: MakeSettings, **overrides: Any) -> AsyncIterator[Bot]:
    async with running_fake_api() as api:
        overrides.setdefault("admin_ids", str(ADMIN))
        settings = make_settings(
            token=api.token, base_url=api.base_url, base_file_url=api.base_file_url, **overrides
        )
        app = build_application(settings)
        async with serving(app):
            yield Bot(api, app, settings)


def rows(settings: Settings, sql: str, *parameters: Any) -> list[sqlite3.Row]:
    with contextlib.closing(sqlite3.connect(settings.database_path)) as connection:
        connection.row_factory = sqlite3.Row
        return connection.execute(sql, parameters).fetchall()


def visible(call: Call) -> str:
    """The text the user sees (after Telegram's HTML parsing), without the bidi isolates."""
    text, _ = parse_html(call.params["text"])
    for control in ("\u2068", "\u2069", "\u200f"):
        text = text.replace(control, "")
    return text


def buttons(call: Call) -> list[str]:
    markup = call.params.get("reply_markup") or {}
    return [button["callback_data"] for row in markup.get("inline_keyboard", []) for button in row]


async def until(condition: Callable[[], bool], seconds: float = 5.0) -> None:
    """Wait for a condition of the bot's own state (not of the API log), failing after ``seconds``."""
    async with asyncio.timeout(seconds):
        while not condition():  # noqa: ASYNC110 - internal state changes have no event to wait on
            await asyncio.sleep(0.01)


def new_article(corpus: Path, doc_id: str, paragraphs: tuple[str, ...], title: str) -> Path:
    article = Article(doc_id, title, paragraphs, outlet="وكالة الاختبار", published=date(2022, 1, 11))
    path = corpus / "articles" / f"{doc_id}.md"
    path.write_text(render_article(article), encoding="utf-8")
    return path


CHINA_PARAGRAPHS = (
    "أعلنت الصين دعمها للإجراءات التي اتخذها الرئيس توكاييف لاستعادة النظام في كازاخستان بعد الاحتجاجات.",
    "وقال الرئيس الصيني إن بكين تعارض أي محاولة لزعزعة استقرار كازاخستان من الخارج.",
)


# --- questions and answers -------------------------------------------------------------------------------


async def test_question_gets_a_cited_html_answer_with_buttons_and_is_logged(
    make_settings: MakeSettings,
) -> None:
    async with running_bot(make_settings) as bot:
        pushed = bot.api.push_text(USER, USER, STARTED)
        reply = await bot.api.wait_for_reply(USER)
        params = reply.params
        assert params["parse_mode"] == "HTML"
        assert params["link_preview_options"] == {"is_disabled": True}
        assert params["reply_parameters"]["message_id"] == pushed["message"]["message_id"]
        text = visible(reply)
        assert "[1]" in text
        assert "2 يناير" in text
        assert "<b>" in params["text"]
        assert text.rstrip().endswith(("مقال واحد", "مقالين", "مقالات", "مقالًا"))
        assert buttons(reply) == ["src", "fb:+", "fb:-", f"more:{bot.settings.bot.snippets}"]
        assert all(len(data.encode()) <= 64 for data in buttons(reply))
        # Commands were registered at start-up: user commands for everyone, all of them for the admin.
        names = [c["command"] for c in bot.api.commands]
        assert names == [name for name, _ in phrases.USER_COMMANDS]
        admin_scope = {"type": "chat", "chat_id": ADMIN}
        assert [c["command"] for c in bot.api.commands_for(admin_scope)] == [
            name for name, _ in phrases.USER_COMMANDS + phrases.ADMIN_COMMANDS
        ]
        assert all(c["description"] for c in bot.api.commands)
        version = bot.services.require_retriever().info.version
    (row,) = rows(bot.settings, "SELECT * FROM exchanges")
    assert row["question"] == STARTED
    assert row["chat_id"] == USER
    assert row["user_id"] == USER
    assert row["chat_type"] == "private"
    assert row["declined"] == 0
    assert row["message_id"] == pushed["message"]["message_id"]
    assert row["reply_message_id"] == reply.result["message_id"]
    assert row["corpus_version"] == version
    assert row["normalized_query"]
    assert row["latency_ms"] > 0
    assert 1 <= len(json.loads(row["results"])) <= 10  # far weaker sentences are not shown (nor logged)
    assert json.loads(row["citations"])[0]["title"]
    assert not bot.api.rejected


async def test_decline_names_the_missing_word_and_suggests_examples(make_settings: MakeSettings) -> None:
    async with running_bot(make_settings) as bot:
        reply = await bot.ask(USER, USER, CHINA)
        text = visible(reply)
        assert "لا تذكر المصادر المتاحة: الصين" in text
        assert phrases.DECLINE_EXAMPLES in text
        assert STARTED in text  # the first example question
        assert buttons(reply) == []
        sources = await bot.command(USER, USER, "sources")
        assert visible(sources) == phrases.NO_SOURCES
    (row, command) = rows(bot.settings, "SELECT * FROM exchanges ORDER BY id")
    assert (row["outcome"], command["outcome"], command["question"]) == ("declined", "command", "/sources")
    assert row["declined"] == 1
    assert "الصين" in json.loads(row["missing_terms"])


async def test_sources_command_and_button(make_settings: MakeSettings) -> None:
    async with running_bot(make_settings) as bot:
        answer = await bot.ask(USER, USER, STARTED)
        listed = await bot.command(USER, USER, "sources")
        text = visible(listed)
        assert text.startswith("المصادر:")
        assert "[1] " in text
        assert " — " in text
        assert "يناير 2022" in text
        key = (USER, answer.result["message_id"])
        await until(lambda: bot.services.answers.get(key) is not None)  # cached right after the reply
        citations = bot.services.answers.get(key)
        assert citations is not None
        assert all(c.title in text for c in citations.citations)
        since = len(bot.api.sent)
        await bot.press(USER, USER, answer, "src")
        by_button = await bot.api.wait_for_reply(USER, since=since)
        assert visible(by_button) == text
        assert by_button.params["reply_parameters"]["message_id"] == answer.result["message_id"]


async def test_old_log_rows_are_purged_at_start_up(make_settings: MakeSettings) -> None:
    settings = make_settings()
    store = await Store.open(settings.database_path)
    old = datetime.now(UTC) - timedelta(days=settings.retention_days + 1)
    for created_at in (old, None):
        exchange = Exchange(
            USER, USER, "private", 1, "سؤال", "سءال", (), (), True, (), 1.0, "v", 2, created_at
        )
        await store.log_exchange(exchange)
    await store.close()
    async with running_bot(make_settings):
        pass
    assert rows(settings, "SELECT COUNT(*) AS n FROM exchanges")[0]["n"] == 1  # only the recent one is left


async def test_sources_survive_a_restart(make_settings: MakeSettings) -> None:
    async with running_fake_api() as api:  # one Telegram, two runs of the bot (update ids go on)
        urls = {"base_url": api.base_url, "base_file_url": api.base_file_url}
        settings = make_settings(token=api.token, **urls)
        async with serving(build_application(settings)):
            api.push_text(USER, USER, STARTED)
            await api.wait_for_reply(USER)
        async with serving(build_application(settings)):
            api.push_command(USER, USER, "sources")
            listed = await api.wait_for_reply(USER)
            assert visible(listed).startswith("المصادر:")


async def test_feedback_buttons_are_stored_and_thanked(make_settings: MakeSettings) -> None:
    async with running_bot(make_settings) as bot:
        answer = await bot.ask(USER, USER, STARTED)
        await bot.press(USER, USER, answer, "fb:+")  # at once: may race the background log write
        await bot.press(USER, OTHER, answer, "fb:-")
        await bot.press(USER, USER, answer, "fb:-")  # a user's second vote replaces the first
        texts = [a.get("text") for a in bot.api.callback_answers]
        assert texts == [
            phrases.FEEDBACK_THANKS_UP,
            phrases.FEEDBACK_THANKS_DOWN,
            phrases.FEEDBACK_THANKS_DOWN,
        ]
    feedback = rows(bot.settings, "SELECT user_id, value FROM feedback ORDER BY user_id")
    assert [(r["user_id"], r["value"]) for r in feedback] == [(USER, -1), (OTHER, -1)]


async def test_stale_or_foreign_buttons_are_answered_expired(make_settings: MakeSettings) -> None:
    async with running_bot(make_settings) as bot:
        answer = await bot.ask(USER, USER, STARTED)
        for data in ("old:1", "more:x", "src:1", "up:delete:abc", "tl:123456"):
            await bot.press(USER, USER, answer, data)
        assert [a.get("text") for a in bot.api.callback_answers] == [phrases.EXPIRED] * 5
        assert [call.method for call in bot.api.calls(chat_id=USER)] == ["sendMessage"]  # the answer only


async def test_more_pages_through_the_results_and_hides_when_done(make_settings: MakeSettings) -> None:
    async with running_bot(make_settings) as bot:
        answer = await bot.ask(USER, USER, STARTED)
        key = (USER, answer.result["message_id"])
        await until(lambda: bot.services.answers.get(key) is not None)  # cached right after the reply
        total = len(bot.services.answers.get(key).hits)  # type: ignore[union-attr]
        snippets = bot.settings.bot.snippets
        start, pages = snippets, 1
        current = answer
        while f"more:{start}" in buttons(current):
            if pages == 2:  # forget the cached answer: the next page is recomputed from the log
                bot.services.answers.pop((USER, answer.result["message_id"]))
            since = len(bot.api.sent)
            await bot.press(USER, USER, answer, f"more:{start}")
            current = await bot.api.wait_for_reply(USER, since=since)
            assert current.method == "editMessageText"
            assert current.params["message_id"] == answer.result["message_id"]
            last = min(start + snippets, total)
            assert f"({start + 1}–{last} من {total})" in visible(current)
            start, pages = last, pages + 1
        assert pages == -(-total // snippets)
        assert buttons(current) == ["src", "fb:+", "fb:-"]
        assert not bot.api.rejected


async def test_edited_question_is_answered_again(make_settings: MakeSettings) -> None:
    async with running_bot(make_settings) as bot:
        first = await bot.ask(USER, USER, CHINA)
        assert "الصين" in visible(first)
        question_id = first.params["reply_parameters"]["message_id"]
        since = len(bot.api.sent)
        bot.api.push_edited_text(USER, USER, question_id, STARTED)
        second = await bot.api.wait_for_reply(USER, since=since)
        assert "[1]" in visible(second)
        assert second.params["reply_parameters"]["message_id"] == question_id


async def test_non_text_long_and_empty_messages_get_an_explanation(make_settings: MakeSettings) -> None:
    async with running_bot(make_settings) as bot:
        location = {
            "message_id": 900,
            "date": 1641600000,
            "chat": {"id": USER, "type": "private", "first_name": "u"},
            "from": {"id": USER, "is_bot": False, "first_name": "u"},
            "location": {"latitude": 43.2, "longitude": 76.9},
        }
        bot.api.push_update({"message": location})
        assert visible(await bot.api.wait_for_reply(USER)) == phrases.NOT_TEXT
        too_long = "كازاخستان " * 60
        assert "طويل جدًا" in visible(await bot.ask(USER, USER, too_long))
        assert "لم أجد في رسالتك كلمات" in visible(await bot.ask(USER, USER, "؟؟؟ !!!"))
        assert visible(await bot.command(USER, USER, "foo")) == phrases.UNKNOWN_COMMAND
        bot.api.push_document(USER, USER, "article.txt", "نص".encode())
        assert visible(await bot.api.wait_for_reply(USER)) == phrases.DOCUMENT_NOT_ALLOWED
        usage = await bot.command(USER, USER, "ask")
        assert "/ask" in visible(usage)


async def test_help_describes_the_corpus_and_lists_every_registered_command(
    make_settings: MakeSettings,
) -> None:
    async with running_bot(make_settings) as bot:
        text = visible(await bot.command(USER, USER, "help"))
        start = visible(await bot.command(USER, USER, "start"))
        registered = {c["command"] for c in bot.api.commands_for({"type": "chat", "chat_id": ADMIN})}
        info = bot.services.require_retriever().info
    assert start == text
    assert "5 مقالات" in text
    assert f"{info.sentences} جملة" in text
    assert all(outlet in text for outlet in info.outlets)
    assert "من 6 يناير 2022 إلى 10 يناير 2022" in text
    assert f"@{bot.api.bot_username}" in text
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert registered == {"start", "help", "ask", "sources", "forget", "new", "timeline", "reload", "stats"}
    for command in registered:
        assert f"/{command}" in text, command
        assert f"`/{command}`" in readme, f"/{command} is missing from README.md's command table"


# --- groups ----------------------------------------------------------------------------------------------


async def test_groups_answer_only_mentions_replies_to_the_bot_and_ask(make_settings: MakeSettings) -> None:
    group = {"chat_type": "supergroup", "chat_title": "نقاش"}
    async with running_bot(make_settings) as bot:
        ignored = bot.api.push_text(GROUP, USER, STARTED, **group)
        mentioned = bot.api.push_mention(GROUP, USER, STARTED, chat_title="نقاش")
        answer = await bot.api.wait_for_reply(GROUP)
        assert answer.params["reply_parameters"]["message_id"] == mentioned["message"]["message_id"]
        assert "[1]" in visible(answer)

        since = len(bot.api.sent)
        bot.api.push_text(GROUP, OTHER, CHINA, reply_to_message=answer.result["message_id"], **group)
        reply_to_bot = await bot.api.wait_for_reply(GROUP, since=since)
        assert "الصين" in visible(reply_to_bot)

        since = len(bot.api.sent)
        bot.api.push_command(GROUP, OTHER, "ask", STARTED, **group)
        assert "[1]" in visible(await bot.api.wait_for_reply(GROUP, since=since))
        since = len(bot.api.sent)
        bot.api.push_command(GROUP, OTHER, "ask", STARTED, mention_bot=True, **group)
        assert "[1]" in visible(await bot.api.wait_for_reply(GROUP, since=since))

        # A reply to another user's message is not addressed to the bot.
        bot.api.push_text(GROUP, OTHER, STARTED, reply_to_message=ignored["message"]["message_id"], **group)
    replied_to = [call.params["reply_parameters"]["message_id"] for call in bot.api.replies(GROUP)]
    assert ignored["message"]["message_id"] not in replied_to
    assert len(replied_to) == 4  # mention, reply to the bot, /ask, /ask@bot — nothing else
    logged = rows(bot.settings, "SELECT question, chat_type FROM exchanges WHERE chat_id = ?", GROUP)
    assert {r["question"] for r in logged} == {STARTED, CHINA}  # the @mention was stripped
    assert {r["chat_type"] for r in logged} == {"supergroup"}


# --- limits and errors -----------------------------------------------------------------------------------


async def test_rate_limit_sends_one_gentle_notice_per_window(make_settings: MakeSettings) -> None:
    limits = {
        "rate_limit_count = 5": "rate_limit_count = 2",
        "rate_limit_seconds = 30": "rate_limit_seconds = 600",
    }
    async with running_bot(make_settings, config_replace=limits) as bot:
        for _ in range(5):
            bot.api.push_text(USER, USER, STARTED)
        await bot.api.wait_for(lambda calls: len(bot.api.replies(USER)) >= 3)
        other = await bot.ask(OTHER, OTHER, STARTED)  # other users are not affected
        assert "[1]" in visible(other)
    texts = [visible(call) for call in bot.api.replies(USER)]
    assert len(texts) == 3
    notices = [t for t in texts if t.startswith("تمهّل")]
    assert len(notices) == 1
    assert "2 أسئلة كل 600 ثانية" in notices[0]


async def test_errors_are_reported_in_arabic_and_the_bot_keeps_going(make_settings: MakeSettings) -> None:
    async with running_bot(make_settings) as bot:
        bot.api.fail_next("sendMessage", 400, description="Bad Request: something odd")
        error_reply = await bot.ask(USER, USER, STARTED)
        assert visible(error_reply) == phrases.ERROR
        assert "[1]" in visible(await bot.ask(USER, USER, STARTED))


async def test_store_failures_do_not_stop_answers(make_settings: MakeSettings) -> None:
    async with running_bot(make_settings) as bot:
        store = bot.services.store
        assert store is not None
        await store.close()  # every later write raises StoreError
        assert "[1]" in visible(await bot.ask(USER, USER, STARTED))
        # /sources answers from memory; the rows that could not be written are counted as lost.
        assert visible(await bot.command(USER, USER, "sources")).startswith("المصادر:")
        assert visible(await bot.command(OTHER, OTHER, "sources")) == phrases.NO_SOURCES
        await until(lambda: bot.services.log_writer.lost >= 3)  # the answer and both /sources


# --- admin -----------------------------------------------------------------------------------------------


async def test_non_admins_are_refused_and_recorded(make_settings: MakeSettings) -> None:
    async with running_bot(make_settings) as bot:
        assert visible(await bot.command(USER, USER, "reload")) == phrases.NOT_ALLOWED
        assert visible(await bot.command(USER, USER, "stats")) == phrases.NOT_ALLOWED
        before = bot.services.retriever
    assert before is not None
    denied = rows(bot.settings, "SELECT user_id, chat_id, command FROM denied ORDER BY id")
    assert [(r["user_id"], r["command"]) for r in denied] == [(USER, "reload"), (USER, "stats")]
    assert rows(bot.settings, "SELECT COUNT(*) AS n FROM reloads")[0]["n"] == 0


async def test_admin_reload_picks_up_a_new_article(make_settings: MakeSettings) -> None:
    async with running_bot(make_settings) as bot:
        assert "الصين" in visible(await bot.ask(ADMIN, ADMIN, CHINA))
        new_article(bot.settings.corpus_path, "china_support", CHINA_PARAGRAPHS, "الصين تدعم كازاخستان")
        report = visible(await bot.command(ADMIN, ADMIN, "reload"))
        assert report.startswith("أُعيد تحميل المقالات في")
        assert "المقالات: 5 ← 6" in report
        answer = await bot.ask(ADMIN, ADMIN, CHINA)
        assert "أعلنت الصين دعمها" in visible(answer)
    (reload,) = rows(bot.settings, "SELECT * FROM reloads")
    assert (reload["ok"], reload["user_id"], reload["articles_before"], reload["articles_after"]) == (
        1,
        ADMIN,
        5,
        6,
    )
    assert reload["sentences_after"] > reload["sentences_before"]


async def test_reload_with_a_broken_file_keeps_the_old_corpus(make_settings: MakeSettings) -> None:
    async with running_bot(make_settings) as bot:
        old = bot.services.retriever
        (bot.settings.corpus_path / "articles" / "broken.md").write_text(
            "no front matter\n", encoding="utf-8"
        )
        report = visible(await bot.command(ADMIN, ADMIN, "reload"))
        assert report.startswith("فشلت إعادة التحميل")
        assert "articles/broken.md:1" in report
        assert bot.services.retriever is old
        assert "[1]" in visible(await bot.ask(ADMIN, ADMIN, STARTED))
    (reload,) = rows(bot.settings, "SELECT ok, error FROM reloads")
    assert reload["ok"] == 0
    assert reload["error"]


async def test_sighup_reloads_the_corpus(make_settings: MakeSettings) -> None:
    if not hasattr(signal, "SIGHUP"):
        pytest.skip("no SIGHUP on this platform")
    async with running_bot(make_settings) as bot:
        old = bot.services.retriever
        new_article(bot.settings.corpus_path, "china_support", CHINA_PARAGRAPHS, "الصين تدعم كازاخستان")
        os.kill(os.getpid(), signal.SIGHUP)
        await until(lambda: bot.services.retriever is not old)
        assert bot.services.require_retriever().info.articles == 6
    (reload,) = rows(bot.settings, "SELECT ok, user_id FROM reloads")
    assert (reload["ok"], reload["user_id"]) == (1, None)


async def test_admin_stats(make_settings: MakeSettings) -> None:
    async with running_bot(make_settings) as bot:
        await bot.ask(USER, USER, STARTED)
        await bot.ask(USER, USER, CHINA)
        await bot.command(OTHER, OTHER, "stats")  # refused
        await bot.ask(USER, USER, "؟؟")  # no words to search for
        await until(lambda: len(rows(bot.settings, "SELECT id FROM exchanges")) == 4)
        text = visible(await bot.command(ADMIN, ADMIN, "stats"))
    assert "الأسئلة اليوم: 2" in text  # questions only: notices are counted apart
    assert "أُجيب عنها: 1 — اعتُذر عنها: 1" in text
    assert "رسائل أخرى (7 أيام): " in text
    assert "مرفوضة 1" in text
    assert "بلا كلمات للبحث 1" in text
    assert "محاولات أوامر المشرفين المرفوضة (7 أيام): 1" in text
    assert CHINA in text  # the latest unanswered question


async def test_admin_uploads_an_article_and_it_becomes_answerable(make_settings: MakeSettings) -> None:
    raw = "\n".join(["الصين تدعم كازاخستان", "11 يناير 2022", *CHINA_PARAGRAPHS]).encode()
    async with running_bot(make_settings) as bot:
        bot.api.push_document(ADMIN, ADMIN, "China Support.txt", raw)
        preview = await bot.api.wait_for_reply(ADMIN)
        text = visible(preview)
        assert "العنوان: الصين تدعم كازاخستان" in text
        assert "11 يناير 2022" in text
        assert "china_support" in text
        assert "أعلنت الصين دعمها" in text
        add, cancel = buttons(preview)
        assert add.startswith("up:add:")
        assert cancel.startswith("up:no:")

        # Another user cannot confirm it.
        await bot.press(ADMIN, USER, preview, add)
        assert bot.api.callback_answers[-1]["text"] == phrases.NOT_ALLOWED

        since = len(bot.api.sent)
        await bot.press(ADMIN, ADMIN, preview, add)
        done = visible(await bot.api.wait_for_reply(ADMIN, since=since))
        assert "حُفظ المقال china_support" in done
        assert "المقالات: 5 ← 6" in done
        saved = bot.settings.corpus_path / "articles" / "china_support.md"
        assert saved.is_file()
        assert "أعلنت الصين دعمها" in visible(await bot.ask(USER, USER, CHINA))

        # The same upload again: same content, nothing overwritten.
        bot.api.push_document(ADMIN, ADMIN, "China Support.txt", raw)
        again = await bot.api.wait_for_reply(ADMIN)
        since = len(bot.api.sent)
        await bot.press(ADMIN, ADMIN, again, buttons(again)[0])
        assert "موجود بالمحتوى نفسه" in visible(await bot.api.wait_for_reply(ADMIN, since=since))
    reloads = rows(bot.settings, "SELECT ok, user_id FROM reloads")
    assert [(r["ok"], r["user_id"]) for r in reloads] == [(1, ADMIN)]


async def test_admin_upload_cancel_and_bad_files(make_settings: MakeSettings) -> None:
    async with running_bot(make_settings) as bot:
        bot.api.push_document(ADMIN, ADMIN, "x.txt", "\n".join(CHINA_PARAGRAPHS).encode())
        preview = await bot.api.wait_for_reply(ADMIN)
        since = len(bot.api.sent)
        await bot.press(ADMIN, ADMIN, preview, buttons(preview)[1])
        assert visible(await bot.api.wait_for_reply(ADMIN, since=since)) == phrases.UPLOAD_CANCELLED
        assert not (bot.settings.corpus_path / "articles" / "x.md").exists()

        bot.api.push_document(ADMIN, ADMIN, "photo.jpg", b"\xff\xd8")
        assert visible(await bot.api.wait_for_reply(ADMIN)) == phrases.UPLOAD_WRONG_TYPE
        bot.api.push_document(ADMIN, ADMIN, "latin1.txt", "café".encode("latin-1"))
        assert visible(await bot.api.wait_for_reply(ADMIN)) == phrases.UPLOAD_NOT_UTF8
        big = b"a" * (bot.settings.bot.max_upload_bytes + 1)
        bot.api.push_document(ADMIN, ADMIN, "big.txt", big)
        assert "أكبر من الحد" in visible(await bot.api.wait_for_reply(ADMIN))
        bot.api.push_document(ADMIN, ADMIN, "english.txt", b"Only English text here.\nNo Arabic at all.")
        assert visible(await bot.api.wait_for_reply(ADMIN)).startswith("تعذّر استخراج مقال")
