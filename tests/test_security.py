"""Security: admin-only features, upload names and limits, /forget, pseudonymous log ids, the token kept out
of logs, exceptions and the database, and SQL built only with parameters.

End-to-end cases run the real Application against the fake Bot API, like ``tests/test_e2e_bot.py``.
"""

from __future__ import annotations

import ast
import contextlib
import logging
import re
import sqlite3
import traceback
from dataclasses import replace
from pathlib import Path

import pytest

from bot import phrases
from bot.admin import article_path
from bot.app import build_application, serving
from bot.log import Exchange, Store
from bot.log.privacy import Pseudonymizer
from bot.settings import ConfigError, load_settings
from retrieval.corpus import ARTICLES_DIR
from tests.conftest import REPO, MakeSettings
from tests.fakes.bot_api import Call, running_fake_api
from tests.test_e2e_bot import (
    ADMIN,
    CHINA,
    CHINA_PARAGRAPHS,
    GROUP,
    OTHER,
    STARTED,
    USER,
    Bot,
    buttons,
    rows,
    running_bot,
    visible,
)

LOG_SECRET = "a-test-secret-for-pseudonyms-0123456789"
RAW_ARTICLE = "\n".join(["الصين تدعم كازاخستان", "11 يناير 2022", *CHINA_PARAGRAPHS]).encode()


def dump(database: Path) -> str:
    """Every row of every table as SQL text (what someone holding the file would see)."""
    with contextlib.closing(sqlite3.connect(database)) as connection:
        return "\n".join(connection.iterdump())


def all_values(database: Path) -> list[object]:
    values: list[object] = []
    with contextlib.closing(sqlite3.connect(database)) as connection:
        tables = [r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            for row in connection.execute(f'SELECT * FROM "{table}"'):  # noqa: S608 - names from the schema
                values.extend(row)
    return values


def rows_of(database: Path, sql: str) -> list[sqlite3.Row]:
    with contextlib.closing(sqlite3.connect(database)) as connection:
        connection.row_factory = sqlite3.Row
        return connection.execute(sql).fetchall()


def files_under(root: Path) -> set[Path]:
    return {path for path in root.rglob("*") if path.is_file()}


async def upload(bot: Bot, user_id: int, name: str, content: bytes) -> str:
    bot.api.push_document(user_id, user_id, name, content)
    return visible(await bot.api.wait_for_reply(user_id))


async def confirm(bot: Bot, user_id: int, preview: Call, data: str) -> str:
    """Press an upload button as ``user_id`` and return the callback answer's text or the edited message."""
    preview_chat = preview.params["chat_id"]
    since = len(bot.api.sent)
    answered = len(bot.api.callback_answers)
    bot.api.push_callback(preview_chat, user_id, preview.result, data)
    await bot.api.wait_for(lambda calls: len(bot.api.callback_answers) > answered)
    text = bot.api.callback_answers[-1].get("text")
    if text:
        return str(text)
    return visible(await bot.api.wait_for_reply(preview_chat, since=since))


# --- admin-only features ----------------------------------------------------------------------------------


@pytest.mark.parametrize("command", [name for name, _ in phrases.ADMIN_COMMANDS])
@pytest.mark.parametrize("where", ["private", "group"])
async def test_every_admin_command_refuses_non_admins_and_is_recorded(
    make_settings: MakeSettings, command: str, where: str
) -> None:
    async with running_bot(make_settings) as bot:
        old = bot.services.retriever
        if where == "private":
            reply = await bot.command(USER, USER, command)
        else:
            reply = await bot.command(GROUP, USER, command, chat_type="supergroup", chat_title="نقاش")
        assert visible(reply) == phrases.NOT_ALLOWED
        assert bot.services.retriever is old
        assert not bot.api.rejected
    chat = USER if where == "private" else GROUP
    denied = rows(bot.settings, "SELECT user_id, chat_id, command FROM denied")
    assert [(r["user_id"], r["chat_id"], r["command"]) for r in denied] == [(USER, chat, command)]
    assert rows(bot.settings, "SELECT COUNT(*) AS n FROM reloads")[0]["n"] == 0


@pytest.mark.parametrize("choice", ["add", "no"])
async def test_upload_buttons_refuse_non_admins_and_keep_the_preview(
    make_settings: MakeSettings, choice: str
) -> None:
    async with running_bot(make_settings) as bot:
        await upload(bot, ADMIN, "china.txt", RAW_ARTICLE)
        preview = bot.api.replies(ADMIN)[-1]
        add, cancel = buttons(preview)
        pressed = add if choice == "add" else cancel
        # A non-admin pressing the button (or forging its callback data) is refused, the preview stays.
        assert await confirm(bot, USER, preview, pressed) == phrases.NOT_ALLOWED
        assert await confirm(bot, OTHER, preview, pressed) == phrases.NOT_ALLOWED
        assert not (bot.settings.corpus_path / ARTICLES_DIR / "china.md").exists()
        assert bot.services.require_retriever().info.articles == 5
        # The admin can still use it afterwards.
        done = await confirm(bot, ADMIN, preview, pressed)
        if choice == "add":
            assert "حُفظ المقال china" in done
        else:
            assert done == phrases.UPLOAD_CANCELLED
    denied = rows(bot.settings, "SELECT user_id, command FROM denied ORDER BY id")
    assert [(r["user_id"], r["command"]) for r in denied] == [(USER, "upload"), (OTHER, "upload")]


async def test_non_admin_uploads_are_refused_unread_and_recorded(make_settings: MakeSettings) -> None:
    async with running_bot(make_settings) as bot:
        assert await upload(bot, USER, "article.md", RAW_ARTICLE) == phrases.DOCUMENT_NOT_ALLOWED
        assert await upload(bot, OTHER, "../../etc/passwd.txt", b"x") == phrases.DOCUMENT_NOT_ALLOWED
        assert bot.api.calls("getFile") == []  # never downloaded
    denied = rows(bot.settings, "SELECT user_id, chat_id, command FROM denied ORDER BY id")
    assert [(r["user_id"], r["chat_id"], r["command"]) for r in denied] == [
        (USER, USER, "upload"),
        (OTHER, OTHER, "upload"),
    ]


# --- upload names cannot escape corpus/ -------------------------------------------------------------------

HOSTILE_NAMES = [
    "../../etc/passwd.txt",
    "..\\..\\windows\\win.ini.txt",
    "/etc/cron.d/evil.txt",
    "C:\\evil.txt",
    "a\x00b.txt",
    "..\x00/x.txt",
    "..／..／escape.txt",  # fullwidth solidus
    "․․/escape.txt",  # one-dot leaders (NFKC: "..")
    "\u202eevil\u202c.txt",  # right-to-left override
    "%2e%2e%2fescape.txt",
    "....txt",
    ".hidden.md",
    "CON.txt",
    "ملف عربي (1).txt",
]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
async def test_uploaded_file_names_cannot_escape_the_articles_directory(
    make_settings: MakeSettings, name: str, tmp_path: Path
) -> None:
    async with running_bot(make_settings) as bot:
        before = files_under(tmp_path)
        articles = (bot.settings.corpus_path / ARTICLES_DIR).resolve()
        preview = await upload(bot, ADMIN, name, RAW_ARTICLE)
        shown = bot.api.replies(ADMIN)[-1]
        if buttons(shown):
            assert "العنوان: الصين تدعم كازاخستان" in preview
            result = await confirm(bot, ADMIN, shown, buttons(shown)[0])
            assert result.startswith(("حُفظ المقال", "يوجد مقال"))
        else:
            assert preview.startswith("تعذّر")  # a clear Arabic refusal
        assert not bot.api.rejected
    created = files_under(tmp_path) - before
    # Only new articles (and the log) appear, each a plain file name directly inside corpus/articles.
    for path in created:
        if path.parent.resolve() == articles:
            assert re.fullmatch(r"[^\W_][\w.\-]*\.md", path.name), path.name
            assert "\x00" not in path.name
        else:
            assert path.is_relative_to(bot.settings.database_path.parent), path


HOSTILE_IDS = [
    "../../etc/passwd",
    "/etc/passwd",
    "..",
    "a/b",
    "a\\\\b",
    "a\\u0000b",
    "c:evil",
    "ab\u2215cd",  # division slash
    "\u202eevil",
    "",
]


@pytest.mark.parametrize("doc_id", HOSTILE_IDS)
async def test_front_matter_ids_cannot_escape_the_articles_directory(
    make_settings: MakeSettings, doc_id: str, tmp_path: Path
) -> None:
    content = f'+++\nid = "{doc_id}"\ntitle = "عنوان"\n+++\n\n{CHINA_PARAGRAPHS[0]}\n'.encode()
    async with running_bot(make_settings) as bot:
        before = files_under(tmp_path)
        reply = await upload(bot, ADMIN, "front.md", content)
        assert reply.startswith("تعذّر استخراج مقال")
        assert buttons(bot.api.replies(ADMIN)[-1]) == []
    assert {p for p in files_under(tmp_path) - before if "sanad.sqlite3" not in p.name} == set()


def test_article_path_refuses_every_unsafe_id(tmp_path: Path) -> None:
    (tmp_path / ARTICLES_DIR).mkdir()
    for unsafe in ["../x", "/abs", "a/b", "a\\b", "a\x00b", "..", ".", "x:y", "ab\u2215cd", "\u202ex", ""]:
        with pytest.raises(ValueError, match="id"):
            article_path(tmp_path, unsafe)
    assert article_path(tmp_path, "ok_id-1.2").parent == (tmp_path / ARTICLES_DIR).resolve()


async def test_an_id_too_long_for_the_file_system_is_refused_in_arabic(make_settings: MakeSettings) -> None:
    doc_id = "ب" * 128  # a valid id, but 256 bytes of UTF-8: longer than a file name may be
    content = f'+++\nid = "{doc_id}"\ntitle = "عنوان"\n+++\n\n{CHINA_PARAGRAPHS[0]}\n'.encode()
    async with running_bot(make_settings) as bot:
        await upload(bot, ADMIN, "long.md", content)
        preview = bot.api.replies(ADMIN)[-1]
        result = await confirm(bot, ADMIN, preview, buttons(preview)[0])
        assert result.startswith("تعذّر حفظ المقال")
        assert bot.services.require_retriever().info.articles == 5
        assert "[1]" in visible(await bot.ask(USER, USER, STARTED))
        assert not bot.api.rejected


# --- upload limits ----------------------------------------------------------------------------------------


async def test_pending_uploads_per_admin_are_capped(make_settings: MakeSettings) -> None:
    async with running_bot(make_settings, admin_ids=f"{ADMIN},{OTHER}") as bot:
        limit = bot.settings.bot.max_pending_uploads
        for number in range(limit):
            assert "معاينة" in await upload(bot, ADMIN, f"a{number}.txt", RAW_ARTICLE)
        refused = await upload(bot, ADMIN, "one-more.txt", RAW_ARTICLE)
        assert refused == phrases.UPLOAD_PENDING_LIMIT.format(limit=limit)
        assert "معاينة" in await upload(bot, OTHER, "b.txt", RAW_ARTICLE)  # per admin, not global
        last_preview = bot.api.replies(ADMIN)[-2]
        assert await confirm(bot, ADMIN, last_preview, buttons(last_preview)[1]) == phrases.UPLOAD_CANCELLED
        assert "معاينة" in await upload(bot, ADMIN, "now-fits.txt", RAW_ARTICLE)


async def test_the_corpus_file_count_is_capped(make_settings: MakeSettings) -> None:
    cap = {"max_corpus_files = 500": "max_corpus_files = 6"}
    async with running_bot(make_settings, config_replace=cap) as bot:
        assert "معاينة" in await upload(bot, ADMIN, "first.txt", RAW_ARTICLE)
        # previewed while there is still room
        assert "معاينة" in await upload(bot, ADMIN, "second.txt", RAW_ARTICLE.replace(b"11", b"12"))
        first_preview, second_preview = bot.api.replies(ADMIN)[-2:]
        since = len(bot.api.sent)
        bot.api.push_callback(ADMIN, ADMIN, first_preview.result, buttons(first_preview)[0])
        assert "حُفظ المقال first" in visible(await bot.api.wait_for_reply(ADMIN, since=since))
        since = len(bot.api.sent)
        bot.api.push_callback(ADMIN, ADMIN, second_preview.result, buttons(second_preview)[0])
        full = phrases.UPLOAD_CORPUS_FULL.format(limit=6)
        assert visible(await bot.api.wait_for_reply(ADMIN, since=since)) == full
        assert await upload(bot, ADMIN, "third.txt", RAW_ARTICLE) == full
        assert bot.services.require_retriever().info.articles == 6


# --- /forget ----------------------------------------------------------------------------------------------


async def test_forget_deletes_only_the_senders_rows_and_confirms_in_arabic(
    make_settings: MakeSettings,
) -> None:
    async with running_bot(make_settings) as bot:
        mine = await bot.ask(USER, USER, STARTED)
        await bot.ask(USER, USER, CHINA)
        await bot.press(USER, USER, mine, "fb:+")
        theirs = await bot.ask(OTHER, OTHER, STARTED)
        await bot.press(OTHER, USER, theirs, "fb:-")  # my vote on someone else's answer goes too
        await bot.press(OTHER, OTHER, theirs, "fb:+")
        await bot.command(USER, USER, "stats")  # a refused admin attempt
        reply = await bot.command(USER, USER, "forget")
        assert visible(reply) == phrases.FORGET_DONE
        assert visible(await bot.command(USER, USER, "forget")) == phrases.FORGET_NOTHING  # not logged
        assert visible(await bot.command(USER, USER, "sources")) == phrases.NO_SOURCES
        assert "[1]" in visible(await bot.command(OTHER, OTHER, "sources"))
        assert "forget" in {c["command"] for c in bot.api.commands}
        assert "/forget" in visible(await bot.command(OTHER, OTHER, "help"))
        assert not bot.api.rejected
    # Only what came after /forget is logged again (here the /sources command).
    after = rows(bot.settings, "SELECT question, outcome FROM exchanges WHERE user_id = ?", USER)
    assert [(r["question"], r["outcome"]) for r in after] == [("/sources", "command")]
    assert rows(bot.settings, "SELECT COUNT(*) AS n FROM feedback WHERE user_id = ?", USER)[0]["n"] == 0
    assert rows(bot.settings, "SELECT COUNT(*) AS n FROM denied WHERE user_id = ?", USER)[0]["n"] == 0
    others = rows(bot.settings, "SELECT user_id FROM exchanges WHERE question = ?", STARTED)
    assert [r["user_id"] for r in others] == [OTHER]
    votes = rows(bot.settings, "SELECT user_id, value FROM feedback")
    assert [(r["user_id"], r["value"]) for r in votes] == [(OTHER, 1)]


# --- pseudonymous ids -------------------------------------------------------------------------------------


def is_pseudonym(value: int) -> bool:
    """In the pseudonym range, [2**62, 2**63): never a real Telegram user or chat id (bot.log.privacy)."""
    return 2**62 <= value < 2**63


def test_pseudonyms_are_stable_keyed_and_never_real_ids() -> None:
    one = Pseudonymizer.from_secret(LOG_SECRET)
    other = Pseudonymizer.from_secret(LOG_SECRET + "!")
    ids = [0, 1, USER, -100500, 2**52, -(2**52)]
    assert [one(i) for i in ids] == [one(i) for i in ids]
    assert len({one(i) for i in ids}) == len(ids)
    assert all(one(i) != other(i) for i in ids)
    assert all(is_pseudonym(one(i)) and one(i) not in ids for i in ids)
    assert LOG_SECRET not in repr(one)
    with pytest.raises(ValueError, match="16"):
        Pseudonymizer.from_secret("short")


async def test_forget_with_pseudonyms_also_removes_rows_written_before_they_were_on(tmp_path: Path) -> None:
    database = tmp_path / "log.sqlite3"
    pseudonym = Pseudonymizer.from_secret(LOG_SECRET)
    before = Exchange(USER, USER, "private", 1, "سؤال", "سءال", (), (), True, (), 1.0, "v")
    async with await Store.open(database) as plain:
        await plain.log_exchange(before)
        await plain.log_exchange(replace(before, user_id=OTHER, chat_id=OTHER))
    async with await Store.open(database, pseudonymizer=pseudonym) as store:
        assert store.pseudonymous
        await store.log_exchange(before)
        stored = [(r["user_id"], r["chat_id"]) for r in rows_of(database, "SELECT * FROM exchanges")]
        assert stored == [(USER, USER), (OTHER, OTHER), (pseudonym(USER), pseudonym(USER))]
        assert await store.forget_user(USER) == 2
        assert [r["user_id"] for r in rows_of(database, "SELECT * FROM exchanges")] == [OTHER]


def test_the_log_secret_comes_only_from_the_environment(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("", encoding="utf-8")
    settings = load_settings(config, environ={"SANAD_LOG_SECRET": LOG_SECRET})
    assert settings.log_secret == LOG_SECRET
    assert LOG_SECRET not in repr(settings)
    assert load_settings(config, environ={}).log_secret is None
    with pytest.raises(ConfigError, match="SANAD_LOG_SECRET"):
        load_settings(config, environ={"SANAD_LOG_SECRET": "too-short"})
    assert "SANAD_LOG_SECRET" in (REPO / "config.toml").read_text(encoding="utf-8")


async def test_with_a_log_secret_raw_ids_never_reach_the_database(make_settings: MakeSettings) -> None:
    env = {"SANAD_LOG_SECRET": LOG_SECRET}
    pseudonym = Pseudonymizer.from_secret(LOG_SECRET)
    group = {"chat_type": "supergroup", "chat_title": "نقاش"}
    async with running_bot(make_settings, env=env) as bot:
        answer = await bot.ask(USER, USER, STARTED)
        await bot.press(USER, USER, answer, "fb:+")
        await bot.ask(OTHER, OTHER, CHINA)
        bot.api.push_mention(GROUP, OTHER, STARTED, chat_title="نقاش")
        await bot.api.wait_for_reply(GROUP)
        await bot.command(GROUP, USER, "stats", **group)  # refused, recorded
        await upload(bot, USER, "x.txt", b"text")  # refused, recorded
        await bot.command(ADMIN, ADMIN, "reload")
        assert "[1]" in visible(await bot.command(USER, USER, "sources"))  # lookups use the pseudonym
        assert visible(await bot.command(OTHER, OTHER, "forget")) == phrases.FORGET_DONE
        assert not bot.api.rejected
    database = bot.settings.database_path
    raw_ids = {USER, OTHER, ADMIN, GROUP}
    values = all_values(database)
    assert not raw_ids & {v for v in values if isinstance(v, int)}
    text = dump(database)
    for raw in raw_ids:
        assert not re.search(rf"(?<![\w.\-]){raw}(?![\w.])", text), raw
    ids = rows(bot.settings, "SELECT chat_id, user_id FROM exchanges")
    assert ids
    assert all(is_pseudonym(r["chat_id"]) and is_pseudonym(r["user_id"]) for r in ids)
    assert {r["user_id"] for r in ids} == {pseudonym(USER), pseudonym(ADMIN)}  # OTHER was forgotten
    (vote,) = rows(bot.settings, "SELECT user_id FROM feedback")
    assert vote["user_id"] == pseudonym(USER)
    denied = rows(bot.settings, "SELECT user_id, chat_id FROM denied ORDER BY id")
    assert [(r["user_id"], r["chat_id"]) for r in denied] == [
        (pseudonym(USER), pseudonym(GROUP)),
        (pseudonym(USER), pseudonym(USER)),
    ]
    (reload,) = rows(bot.settings, "SELECT user_id FROM reloads")
    assert reload["user_id"] == pseudonym(ADMIN)
    assert LOG_SECRET not in text


# --- the token --------------------------------------------------------------------------------------------

CANARY_TOKEN = "918273645:SANADcanary-Token_do-not-leak-7f3a9c"


async def test_the_token_never_reaches_logs_exceptions_replies_or_the_database(
    make_settings: MakeSettings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    env = {"SANAD_LOG_SECRET": LOG_SECRET}
    async with running_fake_api(token=CANARY_TOKEN) as api:
        urls = {"base_url": api.base_url, "base_file_url": api.base_file_url}
        settings = make_settings(token=api.token, admin_ids=str(ADMIN), env=env, **urls)
        application = build_application(settings)
        loud = ("httpx", "httpcore", "telegram", "telegram.ext", "bot", "aiosqlite")
        for name in loud:  # listen to everything, the HTTP clients too (levels restored after the test)
            caplog.set_level(logging.DEBUG, logger=name)
        async with serving(application):
            bot = Bot(api, application, settings)
            answer = await bot.ask(USER, USER, STARTED)
            await bot.press(USER, USER, answer, "src")
            await bot.ask(USER, USER, CHINA)
            await bot.ask(USER, USER, CANARY_TOKEN.split(":")[0])  # the bot id, as a question
            api.fail_next("sendMessage", 400, description="Bad Request: something odd")
            await bot.ask(USER, USER, STARTED)  # an error: logged with its traceback
            api.fail_next("sendMessage", 502)
            await bot.ask(USER, USER, STARTED)
            api.disconnect_next("sendMessage")
            bot.api.push_text(USER, USER, STARTED)
            await bot.command(ADMIN, ADMIN, "stats")
            await upload(bot, ADMIN, "a.txt", RAW_ARTICLE)
    records = caplog.records
    assert any(r.name.startswith("httpx") for r in records)  # the request log was on and captured
    assert any(r.exc_info for r in records)  # and at least one traceback
    secrets = [CANARY_TOKEN, CANARY_TOKEN.split(":")[1], CANARY_TOKEN.replace(":", "%3A"), LOG_SECRET]
    texts = [caplog.text]
    for record in records:
        texts.append(record.getMessage())
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            texts += [str(error), repr(error), "".join(traceback.format_exception(error))]
        texts += [str(value) for value in vars(record).values()]
    texts += [repr(call.params) + repr(call.result) for call in api.sent]
    texts.append(dump(settings.database_path))
    blob = "\n".join(texts)
    for secret in secrets:
        assert secret not in blob
    for path in settings.database_path.parent.iterdir():
        data = path.read_bytes()
        assert all(secret.encode() not in data for secret in secrets), path.name


# --- SQL only with parameters -----------------------------------------------------------------------------

_SQL_CALLS = {"execute", "executemany", "executescript", "execute_fetchall", "_fetchall", "_fetchone"}
# Upper case, as bot/log writes SQL (so "cannot create the directory" is not SQL).
_SQL_WORDS = re.compile(r"\b(SELECT|INSERT|UPDATE|DELETE|CREATE|DROP|ALTER|PRAGMA|WHERE)\b")


def _built(node: ast.AST) -> bool:
    """True when ``node`` builds a string at run time (f-string, % or + formatting, .format, join)."""
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod | ast.Add):
        return True
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in {"format", "join", "replace", "format_map"}
    )


def test_the_log_builds_sql_only_from_constants_with_parameters() -> None:
    modules = sorted((REPO / "bot" / "log").glob("*.py"))
    assert {m.stem for m in modules} >= {"schema", "store", "export"}
    offences: list[str] = []
    nodes = [(m.name, node) for m in modules for node in ast.walk(ast.parse(m.read_text(encoding="utf-8")))]
    for module, node in nodes:
        called = node.func.attr if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) else ""
        if isinstance(node, ast.Call) and called in _SQL_CALLS:
            sql = node.args[1] if called in {"_fetchall", "_fetchone"} else node.args[0]
            if any(_built(part) for part in ast.walk(sql)):
                offences.append(f"{module} line {node.lineno}: {ast.unparse(sql)[:80]}")
        if isinstance(node, ast.JoinedStr) and _SQL_WORDS.search(ast.unparse(node)):
            offences.append(f"{module} line {node.lineno}: f-string with SQL {ast.unparse(node)[:80]}")
        if (
            isinstance(node, ast.BinOp)
            and isinstance(node.op, ast.Mod)
            and isinstance(node.left, ast.Constant)
            and isinstance(node.left.value, str)
            and _SQL_WORDS.search(node.left.value)
        ):
            offences.append(f"{module} line {node.lineno}: %-formatted SQL")
    assert offences == []
    # The checker itself catches the patterns it is meant to catch.
    bad = ast.parse(
        'c.execute(f"SELECT * FROM t WHERE id = {x}")\nc.execute("DELETE FROM t WHERE id = %s" % x)'
    )
    calls = [n for n in ast.walk(bad) if isinstance(n, ast.Call) and getattr(n.func, "attr", "") == "execute"]
    assert all(any(_built(part) for part in ast.walk(call.args[0])) for call in calls)
