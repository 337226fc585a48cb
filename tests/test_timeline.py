"""The timeline: dates in sentences (retrieval.timeline), rendering and paging (bot.render), /timeline end to
end against the fake Bot API, and `sanad timeline`."""

from __future__ import annotations

import re
from datetime import date

import pytest

from bot import phrases
from bot.cli import main
from bot.render import TIMELINE_PAGE_EVENTS, render_timeline_html, render_timeline_text
from bot.timeline import timeline_state
from retrieval.answer import Retriever, load_retriever
from retrieval.config import RetrievalConfig
from retrieval.errors import EmptyQuestionError
from retrieval.models import Article
from retrieval.text import Pipeline
from retrieval.timeline import build_timeline, dates_in, filter_topic
from tests.conftest import REPO, MakeSettings
from tests.fakes.tg_html import parse_html
from tests.test_e2e_bot import USER, buttons, running_bot, visible

CONFIG = RetrievalConfig()
THURSDAY = date(2022, 1, 6)


# --- dates in a sentence -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("وفي 2 كانون الثاني/ يناير، اندلعت احتجاجات.", date(2022, 1, 2)),
        ("وفى 5 يناير ، وافق رئيس الدولة على استقالة الحكومة.", date(2022, 1, 5)),
        ("يوم الأحد 9 يناير/كانون الثاني 2022، رداً على أسئلة الصحفيين.", date(2022, 1, 9)),
        ("وأعلن الرئيس في العاشر من يناير يوم حداد وطني.", date(2022, 1, 10)),
        ("في ٣ يناير خرجت مظاهرات.", date(2022, 1, 3)),
    ],
)
def test_explicit_dates(text: str, expected: date) -> None:
    assert dates_in(text, THURSDAY) == [(expected, False)]


def test_a_date_without_a_year_takes_the_article_year_or_the_year_before() -> None:
    assert dates_in("في 28 ديسمبر بدأت الأزمة.", THURSDAY) == [(date(2021, 12, 28), False)]
    assert dates_in("في 2 يناير بدأت الاحتجاجات.", None, 2022) == [(date(2022, 1, 2), False)]
    assert dates_in("في 2 يناير بدأت الاحتجاجات.", None) == []  # no year to be had


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ومثّل وصول المتظاهرين الأربعاء إلى المطار تصعيداً.", date(2022, 1, 5)),
        ("وقال في خطاب متلفز في الساعات الأولى من يوم الخميس إنه طلب المساعدة.", THURSDAY),
        ("والأحد الماضي، انطلقت احتجاجات في كازاخستان.", date(2022, 1, 2)),
        ("وقال المتحدث أمس الجمعة إن الوضع مستقر.", date(2022, 1, 5)),  # «أمس» wins: it comes first
    ],
)
def test_relative_days_resolve_against_the_publication_date(text: str, expected: date) -> None:
    assert dates_in(text, THURSDAY)[0] == (expected, True)


def test_relative_days_need_a_publication_date_and_yield_to_explicit_dates() -> None:
    assert dates_in("والأحد الماضي، انطلقت احتجاجات.", None, 2022) == []
    assert dates_in("يوم الأحد 9 يناير 2022 قال السفير.", THURSDAY) == [(date(2022, 1, 9), False)]
    assert dates_in("وقعت الأحداث قبل عام، في 2019.", THURSDAY) == []


# --- building the timeline ---------------------------------------------------------------------------------


def article(doc_id: str, *paragraphs: str, published: date | None = THURSDAY) -> Article:
    return Article(doc_id, f"عنوان {doc_id}", paragraphs, outlet=f"وكالة {doc_id}", published=published)


def test_the_same_event_from_several_outlets_is_one_entry_citing_all() -> None:
    events = build_timeline(
        (
            article("a", "وفي 5 يناير، أعلنت الحكومة استقالتها على خلفية الاحتجاجات."),
            article("b", "وأعلنت الحكومة استقالتها الأربعاء على خلفية الاحتجاجات الواسعة."),
            article("c", "وفي 5 يناير، وصل المتظاهرون إلى مطار المدينة."),
            article("d", "وفي 2 يناير، أعلنت الحكومة استقالتها على خلفية الاحتجاجات.", published=None),
        ),
        Pipeline(),
    )
    assert [(e.day, [c.doc_id for c in e.citations]) for e in events] == [
        (date(2022, 1, 2), ["d"]),  # another day: not merged, however similar
        (date(2022, 1, 5), ["a", "b"]),
        (date(2022, 1, 5), ["c"]),
    ]
    assert events[1].text.startswith("وفي 5 يناير")


def test_topic_filter_matches_stems_and_lexicon_variants(bundled: Retriever) -> None:
    events = build_timeline(bundled.corpus.articles, bundled.pipeline)
    airport = filter_topic(events, "المطار", bundled.pipeline)
    assert [e.day for e in airport] == [date(2022, 1, 5)]
    assert "المطار" in airport[0].text
    almaty = filter_topic(events, "ألماتي", bundled.pipeline)
    assert any("ألما آتا" in e.text for e in almaty)  # «ألماتي» / «ألما آتا» share a lexicon group
    with pytest.raises(EmptyQuestionError):
        filter_topic(events, "في من", bundled.pipeline)


@pytest.fixture(scope="module")
def bundled() -> Retriever:
    return load_retriever(REPO / "corpus", CONFIG, cache=False)


def test_bundled_timeline_is_in_order_with_the_start_merged(bundled: Retriever) -> None:
    events = build_timeline(bundled.corpus.articles, bundled.pipeline)
    days = [e.day for e in events]
    assert days == sorted(days)
    assert days[0] == date(2022, 1, 2)
    start = events[0]
    assert len(start.citations) == 3  # three outlets report that the protests began on 2 January
    # 003 has no publication date: its «الأحد الماضي» is not resolved
    assert all(c.doc_id != "003_deac851cec9a8270" for e in events for c in e.citations)


# --- rendering --------------------------------------------------------------------------------------------


def test_pages_keep_one_numbering_and_list_their_sources(bundled: Retriever) -> None:
    events = build_timeline(bundled.corpus.articles, bundled.pipeline)
    assert len(events) > TIMELINE_PAGE_EVENTS
    first = render_timeline_html(events)
    second = render_timeline_html(events, start=first.next_start or 0)
    assert (first.shown, first.previous_start, first.next_start) == (TIMELINE_PAGE_EVENTS, None, 6)
    assert (second.previous_start, second.next_start) == (0, None)
    for page in (first, second):
        text, _ = parse_html(page.text)  # Telegram's parser accepts it
        cited = set(re.findall(r"\[(\d+)\]", text.split(phrases.SOURCES_HEADING)[0]))
        listed = set(re.findall(r"\[(\d+)\]", text.split(phrases.SOURCES_HEADING)[1]))
        assert cited == listed


def test_a_page_never_exceeds_the_limit(bundled: Retriever) -> None:
    events = build_timeline(bundled.corpus.articles, bundled.pipeline)
    page = render_timeline_html(events, limit=900)
    assert 1 <= page.shown < TIMELINE_PAGE_EVENTS
    assert len(page.text.encode("utf-16-le")) // 2 <= 900
    tiny = render_timeline_html(events, limit=500)  # three sources' lines alone are longer than that
    assert tiny.shown == 1
    assert "…" in tiny.text
    assert len(tiny.text.encode("utf-16-le")) // 2 <= 500


def test_empty_timelines_say_so() -> None:
    assert visible_text(render_timeline_html(()).text) == phrases.TIMELINE_EMPTY
    topic = render_timeline_text((), topic="الصين")
    assert topic == phrases.TIMELINE_TOPIC_EMPTY.format(topic="الصين")


def visible_text(html: str) -> str:
    return parse_html(html)[0]


# --- the command line ---------------------------------------------------------------------------------------


def test_sanad_timeline_prints_the_plain_text_timeline(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--config", str(REPO / "config.toml"), "timeline"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(phrases.TIMELINE_TITLE)
    assert out.index("2 يناير 2022") < out.index("5 يناير 2022") < out.index("10 يناير 2022")
    assert "[1][2][3]" in out
    assert phrases.SOURCES_HEADING in out
    assert "\u2068" not in out  # no bidi controls in plain text


def test_sanad_timeline_topic(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--config", str(REPO / "config.toml"), "timeline", "المطار"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(phrases.TIMELINE_TOPIC_TITLE.format(topic="المطار"))
    assert out.count("• ") == 1
    assert main(["--config", str(REPO / "config.toml"), "timeline", "في"]) == 2


# --- /timeline end to end ---------------------------------------------------------------------------------


async def test_timeline_command_pages_with_buttons(make_settings: MakeSettings) -> None:
    async with running_bot(make_settings) as bot:
        bot.api.push_command(USER, USER, "timeline")
        reply = await bot.api.wait_for_reply(USER)
        text = visible(reply)
        assert text.startswith(phrases.TIMELINE_TITLE)
        assert text.index("2 يناير 2022") < text.index("5 يناير 2022")
        assert buttons(reply) == [f"tl:{TIMELINE_PAGE_EVENTS}"]
        await bot.press(USER, USER, reply, f"tl:{TIMELINE_PAGE_EVENTS}")
        edited = await bot.api.wait_for(lambda calls: calls[-1].method == "editMessageText")
        page = edited[-1]
        assert "10 يناير 2022" in visible(page)
        assert buttons(page) == ["tl:0"]
        assert bot.api.rejected == []


async def test_timeline_topic_survives_a_restart_through_the_replied_message(
    make_settings: MakeSettings,
) -> None:
    async with running_bot(make_settings) as bot:
        timeline_state(bot.app).page_events = 1
        bot.api.push_command(USER, USER, "timeline", "منظمة")
        reply = await bot.api.wait_for_reply(USER)
        title = phrases.TIMELINE_TOPIC_TITLE.format(topic="منظمة")
        assert visible(reply).startswith(title)
        assert buttons(reply) == ["tl:1"]
        timeline_state(bot.app).topics.pop((USER, reply.result["message_id"]))  # as after a restart
        await bot.press(USER, USER, reply, "tl:1")
        edited = await bot.api.wait_for(lambda calls: calls[-1].method == "editMessageText")
        page = visible(edited[-1])
        assert page.startswith(title)  # the topic was read again from the /timeline message
        assert phrases.TIMELINE_PAGE.format(first=2, last=2, total=3) in page
        assert buttons(edited[-1]) == ["tl:0", "tl:2"]
        bot.api.push_command(USER, USER, "timeline", "؟؟")
        notice = await bot.api.wait_for_reply(USER, since=len(bot.api.sent))
        assert visible(notice) == phrases.TIMELINE_NO_WORDS
        assert bot.api.rejected == []


def test_an_event_told_by_many_articles_shows_a_few_markers_and_a_count() -> None:
    same = "وفي 2 يناير، اندلعت احتجاجات في كازاخستان بسبب زيادة أسعار الغاز."
    events = build_timeline(tuple(article(f"a{n:02d}", same) for n in range(12)), Pipeline())
    assert len(events) == 1
    assert len(events[0].citations) == 12
    text = visible_text(render_timeline_html(events).text).replace("\u2068", "").replace("\u2069", "")
    assert "[1][2][3][4][5][6][7][8] +4" in text
    assert text.split(phrases.SOURCES_HEADING)[1].count("عنوان a") == 8
