"""End to end against the fake Bot API: an admin adds a news page by link or as an .html file.

The pages come from the 127.0.0.1 test site (tests/fakes/pages.py); the bot may fetch it only because
these tests turn ``bot.fetch_private_addresses`` on, except where the refusal itself is tested.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot import phrases
from retrieval.corpus import parse_article
from retrieval.webpage import url_id
from tests.conftest import MakeSettings
from tests.fakes.pages import PAGES, serving_pages
from tests.test_e2e_bot import ADMIN, USER, buttons, rows, running_bot, visible

ALLOW_LOCAL = {"fetch_private_addresses = false": "fetch_private_addresses = true"}
PRIME_MINISTER = "من هو عليخان إسماعيلوف؟"


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    with serving_pages() as base:
        yield base


async def test_admin_link_is_previewed_added_and_answers(make_settings: MakeSettings, site: str) -> None:
    link = f"{site}/jsonld_news.html"
    async with running_bot(make_settings, config_replace=ALLOW_LOCAL) as bot:
        before = visible(await bot.ask(USER, USER, PRIME_MINISTER))
        assert before.startswith("لا تذكر المصادر المتاحة")

        bot.api.push_text(ADMIN, ADMIN, link)
        preview = await bot.api.wait_for_reply(ADMIN)
        text = visible(preview)
        assert "العنوان: توكاييف يعلن انتهاء مهمة قوات منظمة معاهدة الأمن الجماعي في كازاخستان" in text
        assert "المصدر: أخبار السهوب" in text
        assert "11 يناير 2022" in text
        assert "أعلن رئيس كازاخستان قاسم جومارت توكاييف" in text
        assert "خطوة جيدة" not in text  # a reader's comment
        add, cancel = buttons(preview)
        assert add.startswith("up:add:")
        assert cancel.startswith("up:no:")

        since = len(bot.api.sent)
        await bot.press(ADMIN, ADMIN, preview, add)
        doc_id = url_id(link)
        done = visible(await bot.api.wait_for_reply(ADMIN, since=since))
        assert f"حُفظ المقال {doc_id}" in done
        saved = bot.settings.corpus_path / "articles" / f"{doc_id}.md"
        article = parse_article(saved.read_text(encoding="utf-8"), "x")
        assert article.url == "https://steppe-news.example/ar/world/2022/01/11/tokayev-csto"
        assert article.outlet == "أخبار السهوب"

        answer = visible(await bot.ask(USER, USER, PRIME_MINISTER))
        assert "عليخان إسماعيلوف" in answer
    outcomes = [
        r["outcome"] for r in rows(bot.settings, "SELECT outcome FROM exchanges WHERE user_id = ?", ADMIN)
    ]
    assert outcomes == ["upload"]


async def test_a_non_admins_link_is_a_question(make_settings: MakeSettings, site: str) -> None:
    async with running_bot(make_settings, config_replace=ALLOW_LOCAL) as bot:
        reply = await bot.ask(USER, USER, f"{site}/jsonld_news.html")
        assert not any(data.startswith("up:") for data in buttons(reply))
        assert "العنوان:" not in visible(reply)
        assert not bot.services.uploads.count_for(USER)


async def test_links_to_private_addresses_are_refused_by_default(
    make_settings: MakeSettings, site: str
) -> None:
    async with running_bot(make_settings) as bot:
        bot.api.push_text(ADMIN, ADMIN, f"{site}/jsonld_news.html")
        text = visible(await bot.api.wait_for_reply(ADMIN))
        assert text.startswith("تعذّر جلب الرابط")
        assert "private, loopback or link-local" in text
        assert bot.services.uploads.count_for(ADMIN) == 0
    assert not list((bot.settings.corpus_path / "articles").glob("jsonld_news*"))


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/home.html", "تعذّر استخراج مقال من الصفحة"),
        ("/report.pdf", "تعذّر جلب الرابط: not a web page"),
        ("/gone", "تعذّر جلب الرابط: the server answered HTTP 404"),
    ],
)
async def test_bad_links_get_one_clear_reason(
    make_settings: MakeSettings, site: str, path: str, expected: str
) -> None:
    async with running_bot(make_settings, config_replace=ALLOW_LOCAL) as bot:
        bot.api.push_text(ADMIN, ADMIN, f"{site}{path}")
        reply = await bot.api.wait_for_reply(ADMIN)
        assert visible(reply).startswith(expected)
        assert not buttons(reply)


async def test_admin_uploads_a_saved_html_page(make_settings: MakeSettings) -> None:
    async with running_bot(make_settings) as bot:
        bot.api.push_document(ADMIN, ADMIN, "wordpress.html", (PAGES / "wordpress.html").read_bytes())
        preview = await bot.api.wait_for_reply(ADMIN)
        text = visible(preview)
        assert "العنوان: ألماتي تستعيد الإنترنت بعد أسبوع من الانقطاع" in text
        assert "المصدر: موقع الواحة الإخباري" in text
        since = len(bot.api.sent)
        await bot.press(ADMIN, ADMIN, preview, buttons(preview)[1])
        assert visible(await bot.api.wait_for_reply(ADMIN, since=since)) == phrases.UPLOAD_CANCELLED
        assert not (bot.settings.corpus_path / "articles" / "wordpress.md").exists()


def test_fetch_settings_default_to_public_addresses_only(make_settings: MakeSettings) -> None:
    settings = make_settings()
    assert settings.bot.fetch_private_addresses is False
    assert settings.bot.max_page_bytes == 3_000_000
    assert settings.bot.fetch_timeout_seconds == 15.0
    assert make_settings(config_replace=ALLOW_LOCAL).bot.fetch_private_addresses is True


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("fetch_private_addresses = false", 'fetch_private_addresses = "yes"', "must be bool"),
        ("fetch_timeout_seconds = 15", "fetch_timeout_seconds = 0", "must be more than 0"),
        ("max_page_bytes = 3000000", "max_page_bytes = 0", "must be at least 1"),
    ],
)
def test_bad_fetch_settings_are_named(make_settings: MakeSettings, old: str, new: str, message: str) -> None:
    from bot.settings import ConfigError

    with pytest.raises(ConfigError, match=message):
        make_settings(config_replace={old: new})
