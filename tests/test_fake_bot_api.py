"""The fake Bot API server, driven by python-telegram-bot's real Bot and Application."""

from __future__ import annotations

import asyncio
import datetime as dtm
import html
import time
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qsl, urlencode

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from telegram import (
    Bot,
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    ReplyParameters,
    Update,
)
from telegram.error import BadRequest, Conflict, Forbidden, InvalidToken, NetworkError, RetryAfter, TimedOut
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from tests.fakes._http import _parse_urlencoded
from tests.fakes.bot_api import FakeBotAPI, running_fake_api, running_polling, running_webhook
from tests.fakes.remote import spawn_fake_api
from tests.fakes.tg_html import EntityParseError, parse_html, utf16_len

CHAT = 1001
USER = 1001

App = Application[Any, Any, Any, Any, Any, Any]


@pytest.fixture
async def api() -> AsyncIterator[FakeBotAPI]:
    async with running_fake_api() as server:
        yield server


@pytest.fixture
async def bot(api: FakeBotAPI) -> AsyncIterator[Bot]:
    async with api.make_bot() as client:
        yield client


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    assert update.effective_message.text is not None
    await update.effective_message.reply_text(
        f"<b>echo:</b> {html.escape(update.effective_message.text)}", do_quote=True
    )


def _echo_app(api: FakeBotAPI) -> App:
    from telegram.constants import ParseMode
    from telegram.ext import Defaults

    app = api.application_builder().defaults(Defaults(parse_mode=ParseMode.HTML)).build()
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, _echo))
    return app


def _keyboard(*data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(f"زر {d}", callback_data=d) for d in data]])


# ---------------------------------------------------------------- basics


async def test_get_me_returns_the_bot_user(api: FakeBotAPI, bot: Bot) -> None:
    me = await bot.get_me()
    assert me.is_bot
    assert me.username == api.bot_username
    assert me.id == 123456789
    assert api.sent[0].method == "getMe"


async def test_a_wrong_token_is_unauthorized(api: FakeBotAPI) -> None:
    with pytest.raises(InvalidToken):
        async with Bot("42:not-the-token", base_url=api.base_url, base_file_url=api.base_file_url):
            pass
    assert api.sent == []


async def test_application_long_polling_answers_a_pushed_text(api: FakeBotAPI) -> None:
    app = _echo_app(api)
    async with running_polling(app):
        question = api.push_text(CHAT, USER, "ما الذي حدث في <ألماتي> & أين؟")
        reply = await api.wait_for_reply(CHAT, timeout=3)
    assert reply.params["text"] == "<b>echo:</b> ما الذي حدث في &lt;ألماتي&gt; &amp; أين؟"
    shown = api.messages(CHAT)
    assert [m["text"] for m in shown] == [
        "ما الذي حدث في <ألماتي> & أين؟",
        "echo: ما الذي حدث في <ألماتي> & أين؟",
    ]
    assert shown[1]["entities"] == [{"type": "bold", "offset": 0, "length": 5}]
    assert shown[1]["reply_to_message"]["message_id"] == question["message"]["message_id"]
    assert [m["message_id"] for m in shown] == [1, 2]
    assert api.messages(CHAT, from_bot=True) == [shown[1]]
    assert api.rejected == []


async def test_updates_pushed_before_and_during_polling_all_arrive_in_order(api: FakeBotAPI) -> None:
    app = _echo_app(api)
    api.push_text(CHAT, USER, "قبل")
    async with running_polling(app):
        for i in range(5):
            api.push_text(CHAT + i, USER + i, f"سؤال {i}")
        replies = await api.wait_for(6, timeout=3)
    assert {c.params["chat_id"] for c in replies} == {CHAT + i for i in range(5)}
    assert len(api.latencies) == 6
    assert all(0 <= s < 3 for s in api.latencies)


# ---------------------------------------------------------------- getUpdates semantics


async def test_offset_confirms_and_drops_updates(api: FakeBotAPI, bot: Bot) -> None:
    first = api.push_text(CHAT, USER, "1")
    second = api.push_text(CHAT, USER, "2")
    got = await bot.get_updates()
    assert [u.update_id for u in got] == [first["update_id"], second["update_id"]]
    assert len(await bot.get_updates()) == 2  # not confirmed yet
    assert [u.update_id for u in await bot.get_updates(offset=second["update_id"])] == [second["update_id"]]
    assert await bot.get_updates(offset=second["update_id"] + 1) == ()
    assert await bot.get_updates() == ()  # dropped for good


async def test_long_poll_returns_as_soon_as_an_update_arrives(api: FakeBotAPI, bot: Bot) -> None:
    loop = asyncio.get_running_loop()
    loop.call_later(0.1, api.push_text, CHAT, USER, "الآن")
    started = time.perf_counter()
    got = await bot.get_updates(timeout=5)
    assert time.perf_counter() - started < 1
    assert got[0].message is not None
    assert got[0].message.text == "الآن"


async def test_long_poll_times_out_empty(bot: Bot) -> None:
    started = time.perf_counter()
    assert await bot.get_updates(timeout=dtm.timedelta(seconds=0.2)) == ()
    assert 0.15 < time.perf_counter() - started < 1


async def test_allowed_updates_filter_and_persist(api: FakeBotAPI, bot: Bot) -> None:
    api.push_text(CHAT, USER, "نص")
    sent = await bot.send_message(CHAT, "زر", reply_markup=_keyboard("x"))
    api.push_callback(CHAT, USER, sent.message_id, "x")
    only_callbacks = await bot.get_updates(allowed_updates=["callback_query"])
    assert [u.callback_query is not None for u in only_callbacks] == [True]
    assert len(await bot.get_updates()) == 1  # the setting persists
    assert len(await bot.get_updates(allowed_updates=[])) == 2  # empty list: the default set


async def test_a_newer_get_updates_terminates_the_waiting_one(api: FakeBotAPI, bot: Bot) -> None:
    waiting = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.05)
    async with api.make_bot() as other:
        assert await other.get_updates() == ()
    with pytest.raises(Conflict, match=r"(?i)terminated by other getUpdates"):
        await waiting


async def test_get_updates_conflicts_with_a_webhook(api: FakeBotAPI, bot: Bot) -> None:
    assert await bot.set_webhook("https://example.invalid/hook", secret_token="s3")
    assert api.webhook["url"] == "https://example.invalid/hook"
    assert (await bot.get_webhook_info()).url == "https://example.invalid/hook"
    with pytest.raises(Conflict, match=r"(?i)webhook is active"):
        await bot.get_updates()
    assert await bot.delete_webhook(drop_pending_updates=True)
    assert await bot.get_updates() == ()


# ---------------------------------------------------------------- sendMessage validation

VALID_HTML = (
    "<b>bold</b>, <strong>bold</strong> <i>italic</i>, <em>italic</em> <u>u</u>, <ins>u</ins> "
    '<s>s</s>, <strike>s</strike>, <del>s</del> <span class="tg-spoiler">spoiler</span>, '
    "<tg-spoiler>spoiler</tg-spoiler> <b>bold <i>italic bold <s>italic bold strikethrough "
    '<span class="tg-spoiler">spoiler</span></s> <u>underline italic bold</u></i> bold</b> '
    '<a href="http://www.example.com/?a=1&amp;b=2">inline URL</a> <code>inline code</code> '
    '<pre>pre-formatted</pre> <pre><code class="language-python">print("x")</code></pre> '
    "<blockquote>Block quotation</blockquote> <blockquote expandable>hidden</blockquote> "
    '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji> &lt;&gt;&amp;&quot;&#1587;&#x646;'
)


async def test_valid_telegram_html_is_accepted_with_entities(api: FakeBotAPI, bot: Bot) -> None:
    api.add_chat(CHAT)
    message = await bot.send_message(CHAT, VALID_HTML, parse_mode="HTML")
    assert message.text is not None
    assert message.text.endswith('👍 <>&"سن')
    types = {e.type for e in message.entities}
    assert {"bold", "italic", "underline", "strikethrough", "spoiler", "text_link", "code", "pre"} <= types
    assert {"blockquote", "expandable_blockquote", "custom_emoji"} <= types
    pre = [e for e in message.entities if e.type == "pre" and e.language]
    assert [e.language for e in pre] == ["python"]
    link = next(e for e in message.entities if e.type == "text_link")
    assert link.url == "http://www.example.com/?a=1&b=2"
    assert message.parse_entity(link) == "inline URL"


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("a < b", 'unsupported start tag ""'),
        ("a & b", "character entity expected"),
        ("&nbsp;", "character entity expected"),
        ("<br>", 'unsupported start tag "br"'),
        ("<div>x</div>", 'unsupported start tag "div"'),
        ("<b>x", 'can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>x</b></i>", 'expected "</i>", found "</b>"'),
        ("x</b>", "unexpected end tag"),
        ('<span class="x">s</span>', 'must have class "tg-spoiler"'),
        ('<a href="x>y</a>', "unclosed start tag"),
    ],
)
async def test_bad_html_is_refused_like_telegram(api: FakeBotAPI, bot: Bot, text: str, why: str) -> None:
    api.add_chat(CHAT)
    with pytest.raises(BadRequest, match=r"(?i)parse entities") as raised:
        await bot.send_message(CHAT, text, parse_mode="HTML")
    assert why in raised.value.message.lower()
    assert api.rejected[-1].description.startswith("Bad Request: can't parse entities: ")
    assert api.calls("sendMessage") == []


async def test_length_is_counted_in_utf16_after_parsing(api: FakeBotAPI, bot: Bot) -> None:
    api.add_chat(CHAT)
    await bot.send_message(CHAT, "<b>" + "س" * 4096 + "</b>", parse_mode="HTML")  # tags do not count
    await bot.send_message(CHAT, "&amp;" * 4096, parse_mode="HTML")  # one character each
    await bot.send_message(CHAT, "😀" * 2048)  # 4096 UTF-16 code units
    for too_long in ("س" * 4097, "😀" * 2048 + "x"):
        with pytest.raises(BadRequest, match=r"(?i)message is too long"):
            await bot.send_message(CHAT, too_long)
    assert len(api.calls("sendMessage")) == 3


@pytest.mark.parametrize("text", ["", "   \n ", "<b></b>", "<b> </b>"])
async def test_empty_text_is_refused(api: FakeBotAPI, bot: Bot, text: str) -> None:
    api.add_chat(CHAT)
    with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
        await bot.send_message(CHAT, text, parse_mode="HTML")


async def test_unknown_chat_and_reply_target_are_refused(api: FakeBotAPI, bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(999, "x")
    api.add_chat(CHAT)
    with pytest.raises(BadRequest, match=r"(?i)replied not found"):
        await bot.send_message(CHAT, "x", reply_parameters=ReplyParameters(message_id=77))
    sent = await bot.send_message(
        CHAT, "x", reply_parameters=ReplyParameters(message_id=77, allow_sending_without_reply=True)
    )
    assert sent.reply_to_message is None


async def test_send_message_echoes_markup_and_link_preview(api: FakeBotAPI, bot: Bot) -> None:
    api.add_chat(CHAT)
    sent = await bot.send_message(
        CHAT,
        "https://example.invalid",
        reply_markup=_keyboard("one", "two"),
        link_preview_options=LinkPreviewOptions(is_disabled=True),
    )
    assert sent.reply_markup == _keyboard("one", "two")
    assert sent.link_preview_options == LinkPreviewOptions(is_disabled=True)
    assert api.sent[-1].params["link_preview_options"] == {"is_disabled": True}


async def test_callback_data_over_64_bytes_is_refused(api: FakeBotAPI, bot: Bot) -> None:
    api.add_chat(CHAT)
    await bot.send_message(CHAT, "ok", reply_markup=_keyboard("س" * 32))  # 64 bytes
    with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
        await bot.send_message(CHAT, "too long", reply_markup=_keyboard("س" * 32 + "x"))


# ---------------------------------------------------------------- faults


async def test_injected_429_makes_ptb_raise_retry_after(
    api: FakeBotAPI, bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Without PTB_TIMEDELTA, PTB warns (PTBDeprecationWarning) when it builds RetryAfter.
    monkeypatch.setenv("PTB_TIMEDELTA", "1")
    api.add_chat(CHAT)
    api.fail_next("sendMessage", 429, retry_after=7)
    with pytest.raises(RetryAfter) as raised:
        await bot.send_message(CHAT, "x")
    assert raised.value.retry_after == dtm.timedelta(seconds=7)
    await bot.send_message(CHAT, "x")  # only the next call failed
    assert [(r.method, r.error_code, r.injected) for r in api.rejected] == [("sendMessage", 429, True)]
    assert len(api.calls("sendMessage")) == 1


async def test_injected_server_errors_and_disconnects(api: FakeBotAPI, bot: Bot) -> None:
    api.add_chat(CHAT)
    api.fail_next("*", 502, count=2)
    for _ in range(2):
        with pytest.raises(NetworkError, match=r"(?i)Bad Gateway"):
            await bot.send_chat_action(CHAT, "typing")
    api.fail_next("sendMessage", 400, description="Bad Request: custom")
    with pytest.raises(BadRequest, match=r"(?i)custom"):
        await bot.send_message(CHAT, "x")
    api.disconnect_next("sendMessage")
    with pytest.raises(NetworkError):
        await bot.send_message(CHAT, "x")
    api.block(CHAT)
    with pytest.raises(Forbidden, match=r"(?i)blocked by the user"):
        await bot.send_message(CHAT, "x")
    api.clear_faults()
    await bot.send_message(CHAT, "x")


async def test_delay_makes_ptb_time_out_but_the_call_still_lands(api: FakeBotAPI, bot: Bot) -> None:
    api.add_chat(CHAT)
    api.delay("sendMessage", 0.5, count=1)
    with pytest.raises(TimedOut):
        await bot.send_message(CHAT, "بطيء", read_timeout=0.1)
    await api.wait_for(1, timeout=2)
    assert [m["text"] for m in api.messages(CHAT)] == ["بطيء"]


# ---------------------------------------------------------------- callbacks and edits


async def _on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    assert query.data is not None
    await query.answer(f"تم {query.data}")
    await query.edit_message_text(f"اخترت {query.data}")


async def _on_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_text("اختر", reply_markup=_keyboard("أ", "ب"))


async def test_callback_is_answered_and_the_edit_is_tracked(api: FakeBotAPI) -> None:
    app = api.application_builder().build()
    app.add_handler(CommandHandler("start", _on_start))
    app.add_handler(CallbackQueryHandler(_on_button))
    async with running_polling(app):
        api.push_command(CHAT, USER, "start")
        menu = await api.wait_for_reply(CHAT)
        api.push_callback(CHAT, USER, menu.result, "ب")
        edit = await api.wait_for_reply(CHAT)
    assert edit.method == "editMessageText"
    assert [a["text"] for a in api.callback_answers] == ["تم ب"]
    shown = api.messages(CHAT, from_bot=True)
    assert len(shown) == 1
    assert shown[0]["text"] == "اخترت ب"
    assert "edit_date" in shown[0]
    assert "reply_markup" not in shown[0]  # editMessageText without a markup drops the keyboard


async def test_edit_rules(api: FakeBotAPI, bot: Bot) -> None:
    question = api.push_text(CHAT, USER, "سؤال")
    sent = await bot.send_message(CHAT, "<b>نص</b>", parse_mode="HTML", reply_markup=_keyboard("x"))
    with pytest.raises(BadRequest, match=r"(?i)not modified"):
        await bot.edit_message_text(
            "<b>نص</b>", CHAT, sent.message_id, parse_mode="HTML", reply_markup=_keyboard("x")
        )
    edited = await bot.edit_message_text("نص", CHAT, sent.message_id, reply_markup=_keyboard("x"))
    assert not isinstance(edited, bool)
    assert edited.text == "نص"
    assert edited.entities == ()
    assert api.messages(CHAT)[1]["text"] == "نص"
    await bot.edit_message_reply_markup(CHAT, sent.message_id, reply_markup=_keyboard("y"))
    assert api.messages(CHAT)[1]["reply_markup"] == _keyboard("y").to_dict()
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", CHAT, 999)
    with pytest.raises(BadRequest, match=r"(?i)can't be edited"):
        await bot.edit_message_text("x", CHAT, question["message"]["message_id"])
    assert await bot.delete_message(CHAT, sent.message_id)
    assert [m["text"] for m in api.messages(CHAT)] == ["سؤال"]


async def test_a_callback_query_can_be_answered_once(api: FakeBotAPI, bot: Bot) -> None:
    sent = await bot.send_message(api.push_text(CHAT, USER, "x")["message"]["chat"]["id"], "y")
    query = api.push_callback(CHAT, USER, sent.to_dict(), "d")["callback_query"]
    assert await bot.answer_callback_query(query["id"], text="ok", show_alert=True)
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query(query["id"])
    assert api.callback_answers == [{"callback_query_id": query["id"], "text": "ok", "show_alert": True}]


async def test_user_edits_and_group_mentions_reach_handlers(api: FakeBotAPI) -> None:
    seen: list[tuple[str, str, list[str]]] = []
    all_seen = asyncio.Event()

    async def record(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        assert message is not None
        assert message.text is not None
        kinds = [e.type for e in message.entities]
        seen.append(("edit" if update.edited_message else "new", message.text, kinds))
        if len(seen) == 4:
            all_seen.set()

    app = api.application_builder().build()
    app.add_handler(MessageHandler(filters.ALL, record))
    async with running_polling(app, allowed_updates=Update.ALL_TYPES):
        original = api.push_text(CHAT, USER, "قبل")
        api.push_edited_text(CHAT, USER, original["message"]["message_id"], "بعد")
        api.push_mention(-100, USER, "سؤال", chat_title="مجموعة")
        api.push_command(-100, USER, "help", "الآن", chat_type="supergroup", mention_bot=True)
        async with asyncio.timeout(3):
            await all_seen.wait()
    bot_name = api.bot_username
    assert seen == [
        ("new", "قبل", []),
        ("edit", "بعد", []),
        ("new", f"@{bot_name} سؤال", ["mention"]),
        ("new", f"/help@{bot_name} الآن", ["bot_command"]),
    ]
    assert api.messages(CHAT)[0]["text"] == "بعد"


# ---------------------------------------------------------------- files, commands, fallback


async def test_document_round_trip_through_get_file(api: FakeBotAPI) -> None:
    content = "مقال عن أحداث يناير\n".encode() * 50
    received: list[bytes] = []

    async def on_document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        assert update.effective_message.document is not None
        file = await update.effective_message.document.get_file()
        data = bytes(await file.download_as_bytearray())
        received.append(data)
        await update.effective_message.reply_document(data, filename="echo.txt", caption=f"{len(data)} bytes")

    app = api.application_builder().build()
    app.add_handler(MessageHandler(filters.Document.ALL, on_document))
    async with running_polling(app):
        api.push_document(CHAT, USER, "مقال.md", content, mime_type="text/markdown")
        await api.wait_for(lambda calls: any(c.method == "sendDocument" for c in calls), timeout=3)
    assert received == [content]
    echoed = api.calls("sendDocument")[0].result["document"]
    assert echoed["file_name"] == "echo.txt"
    assert echoed["file_size"] == len(content)
    assert [f.data for f in api.files()] == [content, content]
    async with api.make_bot() as bot:
        again = await bot.get_file(echoed["file_id"])
        assert bytes(await again.download_as_bytearray()) == content
        with pytest.raises(BadRequest, match=r"(?i)invalid file_id"):
            await bot.get_file("nope")


async def test_commands_are_recorded_per_scope(api: FakeBotAPI, bot: Bot) -> None:
    from telegram import BotCommandScopeAllGroupChats

    await bot.set_my_commands([BotCommand("start", "البداية"), BotCommand("help", "مساعدة")])
    await bot.set_my_commands([BotCommand("ask", "سؤال")], scope=BotCommandScopeAllGroupChats())
    assert api.commands == [
        {"command": "start", "description": "البداية"},
        {"command": "help", "description": "مساعدة"},
    ]
    assert [c.command for c in await bot.get_my_commands()] == ["start", "help"]
    assert [c.command for c in await bot.get_my_commands(scope=BotCommandScopeAllGroupChats())] == ["ask"]
    with pytest.raises(BadRequest, match=r"(?i)BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand("Start", "x")])
    await bot.delete_my_commands()
    assert api.commands == []


async def test_chat_action_and_unknown_methods(bot: Bot, api: FakeBotAPI) -> None:
    api.add_chat(CHAT)
    assert await bot.send_chat_action(CHAT, "typing")
    with pytest.raises(BadRequest, match=r"(?i)wrong parameter action"):
        await bot.send_chat_action(CHAT, "dancing")
    assert await bot.set_my_description("وصف")
    assert api.sent[-1].method == "setMyDescription"
    assert api.sent[-1].params == {"description": "وصف"}


async def test_strict_methods_answer_not_found() -> None:
    from telegram.error import EndPointNotFound

    async with running_fake_api(strict_methods=True) as api, api.make_bot() as bot:
        with pytest.raises(EndPointNotFound):
            await bot.do_api_request("noSuchMethod")


# ---------------------------------------------------------------- waiting


async def test_wait_for_times_out_with_a_useful_message(api: FakeBotAPI) -> None:
    with pytest.raises(TimeoutError, match=r"(?i)2 replies, got 0"):
        await api.wait_for(2, timeout=0.05)


async def test_wait_for_reply_finds_a_reply_that_already_came(api: FakeBotAPI, bot: Bot) -> None:
    api.push_text(CHAT, USER, "x")
    await bot.send_message(CHAT, "y")
    assert (await api.wait_for_reply(CHAT, timeout=0.1)).params["text"] == "y"
    api.push_text(CHAT, USER, "again")  # moves the mark past the old reply
    with pytest.raises(TimeoutError):
        await api.wait_for_reply(CHAT, timeout=0.05)


# ---------------------------------------------------------------- standalone process and control API


async def test_standalone_process_and_control_api() -> None:
    async with spawn_fake_api() as remote:
        [update] = await remote.push("text", [{"chat_id": CHAT, "user_id": USER, "text": "سلام"}])
        async with Bot(remote.token, base_url=remote.base_url, base_file_url=remote.base_file_url) as bot:
            got = await bot.get_updates()
            assert got[0].update_id == update["update_id"]
            await bot.send_message(CHAT, "وعليكم")
            stats = await remote.wait_replies(1, timeout=2)
        assert stats["replies"] == 1
        assert stats["calls"]["sendMessage"] == 1
        assert (await remote.calls())[-1]["params"]["text"] == "وعليكم"
        with pytest.raises(TimeoutError):
            await remote.wait_replies(2, timeout=0.05)


async def test_plain_http_clients_may_send_json(api: FakeBotAPI) -> None:
    api.add_chat(CHAT)
    async with httpx.AsyncClient(base_url=f"{api.base_url}{api.token}/") as client:
        response = await client.post("sendMessage", json={"chat_id": CHAT, "text": "123"})
        assert response.json()["result"]["text"] == "123"
        response = await client.get("getMe")
        assert response.json()["ok"] is True
        response = await client.post(
            "sendMessage", data={"chat_id": str(CHAT), "text": "<b>", "parse_mode": "HTML"}
        )
        assert response.status_code == 400
        assert response.json()["error_code"] == 400


# ---------------------------------------------------------------- the HTML parser itself


@given(st.text())
def test_escaped_text_parses_back_to_itself(text: str) -> None:
    plain, entities = parse_html(html.escape(text))
    assert plain == text
    assert entities == []


@given(st.text(min_size=1), st.sampled_from(["b", "i", "u", "s", "code", "tg-spoiler"]))
def test_one_tag_gives_one_entity_in_utf16(text: str, tag: str) -> None:
    plain, entities = parse_html(f"x<{tag}>{html.escape(text)}</{tag}>")
    assert plain == "x" + text
    assert [(e["offset"], e["length"]) for e in entities] == [(1, utf16_len(text))]


def test_byte_offsets_are_utf8() -> None:
    with pytest.raises(EntityParseError, match=r"(?i)byte offset 8"):
        parse_html("سلام<x>")  # four Arabic letters of two bytes each


@given(st.lists(st.tuples(st.text(), st.text())))
def test_fast_form_decoding_matches_the_stdlib(pairs: list[tuple[str, str]]) -> None:
    body = urlencode(pairs).encode()
    assert _parse_urlencoded(body) == parse_qsl(body.decode(), keep_blank_values=True)


@given(st.text(alphabet="ab=&+%0Fz\u0631 "))
def test_fast_form_decoding_matches_the_stdlib_on_malformed_input(raw: str) -> None:
    assert _parse_urlencoded(raw.encode()) == parse_qsl(raw, keep_blank_values=True)


# ---------------------------------------------------------------- webhook mode


async def test_webhook_mode_delivers_updates_to_ptb(api: FakeBotAPI) -> None:
    app = _echo_app(api)
    async with running_webhook(app, secret_token="s3cr3t"):
        assert api.webhook["secret_token"] == "s3cr3t"
        update = api.push_text(CHAT, USER, "عبر الخطاف")
        reply = await api.wait_for_reply(CHAT, timeout=3)
    assert reply.params["text"] == "<b>echo:</b> عبر الخطاف"
    assert api.webhook_deliveries == [update["update_id"]]
    async with api.make_bot() as bot:
        with pytest.raises(Conflict):
            await bot.get_updates()
        info = await bot.get_webhook_info()
        assert info.url.startswith("http://127.0.0.1:")
        assert info.pending_update_count == 0


async def test_webhook_failures_are_retried_and_reported(api: FakeBotAPI, bot: Bot) -> None:
    app = _echo_app(api)
    async with running_webhook(app, secret_token="right"):
        url = api.webhook["url"]
        await bot.set_webhook(url, secret_token="wrong")  # PTB now answers 403 to every delivery
        api.push_text(CHAT, USER, "مرفوض أولا")
        await api.wait_until(lambda: "last_error_message" in api.webhook, timeout=3)
        info = await bot.get_webhook_info()
        assert info.last_error_message is not None
        assert "403" in info.last_error_message
        await bot.set_webhook(url, secret_token="right")
        await api.wait_for_reply(CHAT, timeout=3)
    assert len(api.webhook_deliveries) == 1
