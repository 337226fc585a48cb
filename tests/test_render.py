"""bot.render: escaping, the 4096 limit, bold spans, [n] markers, bidi isolates and the CLI's plain text."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from bot import phrases
from bot.render.admin import removed_lines, render_help_html, render_stats_html
from bot.render.answer import (
    from_articles,
    hit_markers,
    render_answer_html,
    render_answer_text,
    render_decline_html,
    render_decline_text,
)
from bot.render.html import (
    FSI,
    PDI,
    RLM,
    count_noun,
    format_date,
    truncate_words,
    truncate_words_start,
    utf16_len,
)
from bot.render.sources import render_sources_html, render_sources_text
from retrieval.models import Answer, Citation, Hit, Sentence
from tests.fakes.tg_html import parse_html

# --- a strict validator of Telegram's HTML parse mode ---------------------------------------------------

_ALLOWED_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "code", "pre", "a", "blockquote"}
_TOKEN = re.compile(
    r"<(/?)([a-z-]+)((?:\s+[a-z-]+=\"[^\"<>]*\")*)\s*>|&(?:lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);"
)


def telegram_html_text(markup: str) -> str:
    """Parse like Telegram's HTML mode; return the visible text or raise ValueError.

    Only Telegram's tags, properly nested; ``<``, ``>`` and ``&`` only as part of a tag or an entity;
    ``<a>`` needs an http(s) ``href``.
    """
    stack: list[str] = []
    visible: list[str] = []
    position = 0
    while position < len(markup):
        char = markup[position]
        if char not in "<>&":
            visible.append(char)
            position += 1
            continue
        match = _TOKEN.match(markup, position)
        if match is None:
            raise ValueError(
                f"bare {char!r} at {position}: {markup[max(0, position - 20) : position + 20]!r}"
            )
        token = match.group(0)
        if token.startswith("&"):
            import html

            visible.append(html.unescape(token))
        else:
            closing, name, attributes = match.group(1), match.group(2), match.group(3)
            if name not in _ALLOWED_TAGS:
                raise ValueError(f"tag <{name}> is not supported by Telegram")
            if closing:
                if not stack or stack.pop() != name:
                    raise ValueError(f"</{name}> closes nothing at {position}")
            else:
                if name == "a" and not re.fullmatch(r'\s+href="https?://[^"]+"', attributes):
                    raise ValueError(f"<a> needs an http(s) href: {token!r}")
                if name != "a" and attributes:
                    raise ValueError(f"<{name}> takes no attributes")
                stack.append(name)
        position = match.end()
    if stack:
        raise ValueError(f"unclosed tags: {stack}")
    return "".join(visible)


def visible(markup: str) -> str:
    """The text a reader sees, without the invisible bidi controls."""
    text = telegram_html_text(markup)
    for control in (FSI, PDI, RLM):
        text = text.replace(control, "")
    return text


def test_validator_rejects_broken_markup() -> None:
    for bad in [
        "a < b",
        "x & y",
        "<b>open",
        "<b><i>x</b></i>",
        "<script>x</script>",
        '<a href="javascript:x">x</a>',
    ]:
        try:
            telegram_html_text(bad)
        except ValueError:
            continue
        raise AssertionError(f"accepted {bad!r}")
    assert telegram_html_text('<b>a</b> &lt;&amp;&quot;&#x27; <a href="https://x.y/?a=1&amp;b">t</a>') == (
        "a <&\"' t"
    )


# --- builders -------------------------------------------------------------------------------------------

AJ = Citation("aj", "احتجاجات كازاخستان", "الجزيرة نت", date(2022, 1, 8), "https://example.org/aj?a=1&b=2")
RT = Citation("rt", 'Reuters: <Kazakhstan> & "unrest"', "Reuters", None, None)
BBC = Citation("bbc", "بي بي سي", None, date(2022, 1, 10), "javascript:alert(1)")


def sentence(text: str, doc_id: str = "aj", paragraph: int = 1, position: int = 0) -> Sentence:
    return Sentence(doc_id, paragraph, position, text)


def hit(
    text: str,
    *citations: Citation,
    before: str | None = None,
    after: str | None = None,
) -> Hit:
    return Hit(
        sentence=sentence(text, position=1),
        score=1.0,
        citations=citations or (AJ,),
        before=sentence(before, position=0) if before else None,
        after=sentence(after, position=2) if after else None,
    )


def answer(*hits: Hit, question: str = "متى بدأت الاحتجاجات؟") -> Answer:
    return Answer(question=question, query_terms=("احتجاج",), hits=hits, declined=False)


def decline(*missing: str) -> Answer:
    return Answer("ما موقف الصين من أحداث كازاخستان؟", ("صين",), (), True, missing, "missing")


LONG = "اندلعت الاحتجاجات في مدينة جاناوزن غرب البلاد بعد رفع أسعار الغاز المسال إلى الضعف تقريبا."


# --- escaping -------------------------------------------------------------------------------------------


def test_news_text_is_escaped() -> None:
    page = render_answer_html(
        answer(hit('قال "المحتج" إن <السعر> & الضريبة ارتفعا كثيرا في البلاد.')), snippets=3
    )
    assert "&lt;السعر&gt; &amp; الضريبة" in page.text
    assert "&quot;المحتج&quot;" in page.text
    assert 'قال "المحتج" إن <السعر> & الضريبة' in telegram_html_text(page.text)


def test_titles_outlets_and_urls_are_escaped_in_sources() -> None:
    markup = render_sources_html([AJ, RT])
    text = telegram_html_text(markup)
    assert 'href="https://example.org/aj?a=1&amp;b=2"' in markup
    assert 'Reuters: <Kazakhstan> & "unrest"' in text.replace(FSI, "").replace(PDI, "")


def test_echoed_questions_are_escaped_in_stats() -> None:
    @dataclass(frozen=True)
    class Stats:
        questions_today: int = 2
        questions_7d: int = 5
        answered_7d: int = 3
        declined_7d: int = 2
        top_declined: tuple[tuple[str, int], ...] = (("<b>الصين</b> & روسيا", 2),)
        feedback_up: int = 1
        feedback_down: int = 0
        denied_admin_attempts_7d: int = 1

    recent = [(datetime(2022, 1, 9, 10, 5, tzinfo=UTC), 'ما "موقف" <الصين>؟', True)]
    markup = render_stats_html(Stats(), recent)
    text = visible(markup)
    assert "<b>الصين</b> & روسيا (2)" in text
    assert 'ما "موقف" <الصين>؟' in text
    assert f"&lt;{FSI}b{PDI}&gt;الصين" in markup


def test_decline_escapes_missing_words_and_examples() -> None:
    markup = render_decline_html(decline("<الصين>"), ["سؤال & جواب؟"])
    text = telegram_html_text(markup)
    assert "<الصين>" in text
    assert "سؤال & جواب؟" in text


# --- markers, bold, context -----------------------------------------------------------------------------


def test_markers_index_the_answer_citations_and_a_wire_copy_cites_several() -> None:
    first = hit(LONG, AJ)
    wire = hit("وأعلنت الحكومة حالة الطوارئ في ألماتي ومنطقة مانغيستاو لمدة أسبوعين كاملين.", BBC, AJ, RT)
    a = answer(first, wire)
    assert a.citations == (AJ, BBC, RT)
    assert hit_markers(a, first) == (1,)
    assert hit_markers(a, wire) == (1, 2, 3)
    page = render_answer_html(a, snippets=3)
    assert f"{FSI}[1]{PDI}{FSI}[2]{PDI}{FSI}[3]{PDI}" in page.text
    assert "[1][2][3]" in render_answer_text(a, snippets=3)


def test_query_words_are_bold() -> None:
    text = "اندلعت الاحتجاجات في كازاخستان مطلع يناير بسبب أسعار الغاز."

    def spans(value: str, terms: Sequence[str]) -> list[tuple[int, int]]:
        start = value.index("الاحتجاجات")
        return [(start, start + len("الاحتجاجات")), (start + 2, start + 5), (999, 1000)]

    page = render_answer_html(answer(hit(text)), snippets=3, highlight=spans)
    assert "<b>الاحتجاجات</b>" in page.text
    assert page.text.count("<b>") == 1  # overlapping spans merged, out-of-range spans dropped
    telegram_html_text(page.text)


def test_bold_span_over_escaped_text_stays_balanced() -> None:
    text = "قال إن <الغاز> & النفط ارتفعا في البلاد كلها خلال الأسبوع الأول."
    page = render_answer_html(answer(hit(text)), snippets=1, highlight=lambda v, t: [(7, 14)])
    assert "<b>&lt;الغاز&gt;</b>" in page.text
    telegram_html_text(page.text)


def test_referential_hit_shows_the_sentence_before_in_italics() -> None:
    h = hit(
        "وأضاف أن الوضع بات تحت السيطرة الكاملة في المدينة.", before="قال الرئيس توكاييف إن القوات انتشرت."
    )
    page = render_answer_html(answer(h), snippets=3)
    assert "<i>قال الرئيس توكاييف إن القوات انتشرت.</i> وأضاف" in page.text
    assert "(قال الرئيس توكاييف إن القوات انتشرت.) وأضاف" in render_answer_text(answer(h), snippets=3)


def test_short_hit_shows_the_sentence_after() -> None:
    h = hit("احتجاجات واسعة.", before="قبلها.", after="امتدت الاحتجاجات من جاناوزن إلى ألماتي.")
    assert "<i>امتدت الاحتجاجات" in render_answer_html(answer(h), snippets=1).text


def test_clear_hit_stands_alone() -> None:
    h = hit(LONG, before="قبلها جملة.", after="بعدها جملة.")
    assert "<i>" not in render_answer_html(answer(h), snippets=1).text


# --- right-to-left --------------------------------------------------------------------------------------


def _first_strong(line: str) -> str | None:
    for char in line:
        kind = unicodedata.bidirectional(char)
        if kind in {"L", "R", "AL"}:
            return kind
    return None


def test_markers_and_latin_runs_are_isolated() -> None:
    text = "قالت وكالة Reuters إن منظمة CSTO أرسلت 2500 جندي إلى كازاخستان بعد COVID-19 بعام."
    page = render_answer_html(answer(hit(text, AJ, RT)), snippets=1)
    assert f"{FSI}Reuters{PDI}" in page.text
    assert f"{FSI}CSTO{PDI}" in page.text
    assert f"{FSI}COVID-19{PDI}" in page.text
    assert f"{FSI}[1]{PDI}{FSI}[2]{PDI}" in page.text
    visible = telegram_html_text(page.text)
    # Every Latin letter sits inside an isolate.
    depth = 0
    for char in visible:
        depth += char == FSI
        depth -= char == PDI
        if unicodedata.bidirectional(char) == "L":
            assert depth == 1, visible
    assert visible.count(FSI) == visible.count(PDI)


def test_every_line_starts_right_to_left() -> None:
    latin_first = hit("Tokayev said the order was restored in Almaty after days of unrest.", RT)
    digit_first = hit("2 يناير كان بداية الاحتجاجات في غرب كازاخستان بحسب الروايات الرسمية.", AJ)
    page = render_answer_html(answer(latin_first, digit_first), snippets=3)
    for line in telegram_html_text(page.text).split("\n"):
        if line.strip():
            assert line.startswith(RLM) or _first_strong(line) in {"R", "AL"}, line
    assert telegram_html_text(page.text).split("\n")[0].startswith(RLM)
    for line in telegram_html_text(render_sources_html([RT, AJ])).split("\n"):
        assert line.startswith(RLM) or _first_strong(line) in {"R", "AL"}, line


def test_plain_text_has_no_bidi_controls_or_markup() -> None:
    a = answer(hit("قالت وكالة Reuters إن <الوضع> & الأمن تحسّنا في ألماتي بعد أيام.", AJ, RT))
    text = render_answer_text(a, snippets=3)
    assert not set(text) & {FSI, PDI, RLM, "\u2066", "\u2067"}
    assert "<الوضع> & الأمن" in text
    assert "<b>" not in text


# --- limits ---------------------------------------------------------------------------------------------


def test_long_answers_drop_whole_snippets_and_report_how_many_were_shown() -> None:
    hits = tuple(hit(f"{LONG} " * 12 + f"رقم {n}.") for n in range(5))
    page = render_answer_html(answer(*hits), snippets=5)
    assert utf16_len(page.text) <= 4096
    assert 1 <= page.shown < 5
    assert page.has_more
    assert page.next_start == page.shown
    assert page.text.count("•") == page.shown
    telegram_html_text(page.text)


def test_one_huge_snippet_is_cut_at_a_word_with_an_ellipsis() -> None:
    huge = "<كلمة> & " * 2000
    page = render_answer_html(answer(hit(huge, before="قبل.")), snippets=3, highlight=lambda v, t: [(0, 7)])
    assert page.shown == 1
    assert utf16_len(page.text) <= 4096
    assert "…" in page.text
    visible = telegram_html_text(page.text)
    assert "<كلمة> &" in visible
    assert "&amp" not in visible  # no entity was cut in half
    assert utf16_len(page.text) > 3000  # trimmed, not gutted


def test_paging_continues_where_the_last_page_stopped() -> None:
    hits = tuple(hit(f"{LONG} الجملة رقم {n}.", AJ if n % 2 else RT) for n in range(7))
    a = answer(*hits)
    first = render_answer_html(a, snippets=3)
    assert (first.start, first.shown, first.total, first.has_more) == (0, 3, 7, True)
    assert phrases.MORE_HEADING.split("(")[0].strip() not in first.text
    second = render_answer_html(a, snippets=3, start=first.next_start)
    assert second.shown == 3
    assert second.has_more
    assert "(4–6 من 7)" in second.text
    last = render_answer_html(a, snippets=3, start=6)
    assert last.shown == 1
    assert not last.has_more
    beyond = render_answer_html(a, snippets=3, start=7)
    assert beyond.shown == 0
    assert not beyond.has_more
    assert phrases.NO_MORE_RESULTS in beyond.text


_text = st.text(
    alphabet=st.sampled_from(list("كازخستان الاحتجاجات <>&\"' abcXYZ 0123456789.،؟\n😀\u064e")), max_size=1500
)


@settings(max_examples=60, deadline=None)
@given(
    texts=st.lists(_text.filter(str.strip), min_size=1, max_size=8),
    title=_text,
    snippets=st.integers(1, 6),
    start=st.integers(0, 8),
    limit=st.sampled_from([4096, 600, 250]),
)
def test_property_answer_pages_fit_and_parse(
    texts: list[str], title: str, snippets: int, start: int, limit: int
) -> None:
    citation = Citation("x", title or "عنوان", title or None, date(2022, 1, 5), "https://e.org/?q=<&>")
    hits = tuple(
        hit(text, citation, AJ, before=text[:50] or None, after=text[-50:] or None) for text in texts
    )

    def spans(value: str, terms: Sequence[str]) -> list[tuple[int, int]]:
        return [(i, i + 3) for i in range(0, len(value), 7)]

    page = render_answer_html(answer(*hits), snippets=snippets, start=start, highlight=spans, limit=limit)
    assert utf16_len(page.text) <= limit
    assert telegram_html_text(page.text) == parse_html(page.text)[0]  # the fake Bot API's parser agrees
    if start < len(hits):
        assert page.shown >= 1
    assert utf16_len(render_sources_html([citation] * 200, limit=limit)) <= limit
    telegram_html_text(render_sources_html([citation] * 200, limit=limit))


@settings(max_examples=30, deadline=None)
@given(
    missing=st.lists(_text.filter(str.strip), min_size=1, max_size=400), examples=st.lists(_text, max_size=5)
)
def test_property_declines_fit_and_parse(missing: list[str], examples: list[str]) -> None:
    markup = render_decline_html(decline(*missing), examples)
    assert utf16_len(markup) <= 4096
    telegram_html_text(markup)


# --- declines, sources, help, plain text ----------------------------------------------------------------


def test_decline_names_missing_words_and_suggests_three_examples() -> None:
    examples = ["متى بدأت الاحتجاجات؟", "من هو رئيس كازاخستان؟", "لماذا ارتفع سعر الغاز؟", "رابع؟"]
    text = render_decline_text(decline("الصين", "بكين"), examples)
    assert "لا تذكر المصادر المتاحة: الصين، بكين" in text
    assert all(example in text for example in examples[:3])
    assert "رابع؟" not in text
    markup = render_decline_html(decline("الصين"), examples)
    assert "لا تذكر المصادر المتاحة: الصين" in telegram_html_text(markup)
    page = render_answer_html(decline("الصين"), snippets=3, examples=examples)
    assert page.declined
    assert not page.has_more
    assert page.text == markup


def test_decline_without_missing_words_says_nothing_was_found() -> None:
    text = render_decline_text(decline(), [])
    assert text.startswith(phrases.DECLINE_GENERIC)
    assert phrases.DECLINE_EXAMPLES not in text


def test_sources_list_every_citation_with_links_only_for_http_urls() -> None:
    markup = render_sources_html([AJ, RT, BBC])
    text = telegram_html_text(markup)
    assert text.startswith(phrases.SOURCES_HEADING)
    assert "احتجاجات كازاخستان — الجزيرة نت — 8 يناير 2022" in text
    assert f"بي بي سي — {phrases.UNKNOWN_OUTLET} — 10 يناير 2022" in text
    assert markup.count("<a ") == 1
    assert "javascript" not in markup
    assert render_sources_html([]) == phrases.NO_SOURCES.replace('"', "&quot;")
    assert render_sources_html(None) == render_sources_html([])


def test_plain_sources_and_answer_text_for_the_cli() -> None:
    assert render_sources_text([]) == ""
    assert render_sources_text([AJ, RT]).split("\n") == [
        "المصادر:",
        "[1] احتجاجات كازاخستان — الجزيرة نت — 8 يناير 2022 — https://example.org/aj?a=1&b=2",
        f'[2] Reuters: <Kazakhstan> & "unrest" — Reuters — {phrases.UNKNOWN_DATE}',
    ]
    a = answer(hit(LONG, AJ), hit(LONG + " ثانية", RT), hit(LONG + " ثالثة", BBC))
    text = render_answer_text(a, snippets=2)
    lines = text.split("\n")
    assert lines[0] == f"• {LONG} [1]"
    assert lines[1] == f"• {LONG} ثانية [2]"
    assert from_articles(2) in lines
    assert lines[lines.index("المصادر:") + 1].startswith("[1] احتجاجات كازاخستان")
    assert "[3]" not in text  # only the sources of the shown snippets


def test_html_and_plain_text_share_the_wording() -> None:
    a = answer(hit(LONG, AJ), hit(LONG, RT))
    plain = render_answer_text(a, snippets=3)
    visible = telegram_html_text(render_answer_html(a, snippets=3).text)
    for char in (FSI, PDI, RLM):
        visible = visible.replace(char, "")
    assert plain.startswith(visible)


def test_help_lists_corpus_facts_and_commands() -> None:
    @dataclass(frozen=True)
    class Info:
        articles: int = 5
        sentences: int = 120
        outlets: tuple[str, ...] = ("الجزيرة نت", "RT Arabic")
        first_published: date | None = date(2022, 1, 5)
        last_published: date | None = date(2022, 1, 12)

    markup = render_help_html(
        Info(),
        username="sanad_bot",
        examples=["متى بدأت الاحتجاجات؟"],
        commands=phrases.USER_COMMANDS + phrases.ADMIN_COMMANDS,
    )
    text = telegram_html_text(markup).replace(FSI, "").replace(PDI, "")
    assert "5 مقالات (120 جملة)" in text
    assert "الجزيرة نت، RT Arabic" in text
    assert "من 5 يناير 2022 إلى 12 يناير 2022" in text
    assert "@sanad_bot" in text
    for name, _ in phrases.USER_COMMANDS + phrases.ADMIN_COMMANDS:
        assert f"/{name}" in text


# --- Arabic numbers and dates ---------------------------------------------------------------------------


def test_dates_and_counted_nouns() -> None:
    assert format_date(date(2022, 1, 8)) == "8 يناير 2022"
    assert format_date(None) == phrases.UNKNOWN_DATE
    assert from_articles(1) == "من مقال واحد"
    assert from_articles(2) == "من مقالين"
    assert from_articles(3) == "من 3 مقالات"
    assert from_articles(11) == "من 11 مقالًا"
    assert count_noun(100, phrases.ARTICLES_ACC) == "100 مقال"
    assert count_noun(103, phrases.ARTICLES_ACC) == "103 مقالات"


def test_long_context_sentences_are_shortened_near_the_hit() -> None:
    long_before = "بداية بعيدة " + "كلمة " * 60 + "نهاية قريبة."
    h = hit("وأضاف أن الوضع بات تحت السيطرة الكاملة في المدينة.", before=long_before)
    text = render_answer_text(answer(h), snippets=1)
    assert "(…" in text
    assert "نهاية قريبة.) وأضاف" in text
    assert "بداية بعيدة" not in text
    assert truncate_words_start("أ ب ج د", 4) == "…ج د"


def test_truncate_words() -> None:
    assert truncate_words("قصير", 10) == "قصير"
    assert truncate_words("كلمة أولى وكلمة ثانية", 12) == "كلمة أولى…"
    assert len(truncate_words("ا" * 50, 10)) == 10


# --- declines that say what is known, and show related sentences as related -----------------------


def _related_answer(**changes: object) -> Answer:
    hit = Hit(Sentence("a", 1, 0, "أعلنت الحكومة استقالتها الأربعاء."), 2.0, (AJ,))
    fields: dict[str, object] = {
        "question": "ما اسم رئيس الوزراء الجديد؟",
        "query_terms": (),
        "hits": (),
        "declined": True,
        "missing_terms": ("الجديد",),
        "related": (hit,),
        "known_terms": ("رئيس", "الوزراء"),
    }
    fields.update(changes)
    return Answer(**fields)  # type: ignore[arg-type]


def test_a_decline_names_what_the_sources_mention_and_lack() -> None:
    text = render_decline_text(_related_answer())
    first = text.splitlines()[0]
    assert first == "تذكر المصادر رئيس، الوزراء، لكنها لا تذكر الجديد"
    assert phrases.DECLINE_RELATED in text
    assert "أعلنت الحكومة استقالتها الأربعاء." in text
    assert "[1]" not in text  # related sentences are never numbered as an answer


def test_a_decline_for_a_missing_kind_of_answer() -> None:
    text = render_decline_text(_related_answer(missing_terms=(), asks="number"))
    assert text.splitlines()[0] == "تذكر المصادر رئيس، الوزراء، لكنها لا تذكر رقمًا يجيب عن سؤالك."
    amount = render_decline_text(_related_answer(missing_terms=(), asks="amount"))
    assert amount.splitlines()[0] == "تذكر المصادر رئيس، الوزراء، لكنها لا تذكر مبلغًا يجيب عن سؤالك."
    stance = render_decline_text(_related_answer(missing_terms=(), asks="stance"))
    assert stance.splitlines()[0] == "تذكر المصادر رئيس، الوزراء، لكنها لا تذكر موقفًا يجيب عن سؤالك."


def test_a_question_set_after_the_events_is_told_the_sources_end_with_them() -> None:
    answer = _related_answer(missing_terms=(), reason="later events")
    text = render_decline_text(answer)
    assert text.splitlines()[0] == phrases.DECLINE_LATER
    assert "أعلنت الحكومة استقالتها الأربعاء." in text  # what the sources do say, as related
    parse_html(render_decline_html(answer))


def test_a_country_the_sources_do_not_tell_of_is_named_as_such() -> None:
    # «هل أرسلت بيلاروسيا جنودًا…؟»: the sources mention Belarus elsewhere, never as doing this
    answer = _related_answer(missing_terms=("بيلاروسيا",), reason="unstated act")
    text = render_decline_text(answer)
    assert text.splitlines()[0] == "لا تقول المصادر ذلك عن بيلاروسيا."
    assert "أعلنت الحكومة استقالتها الأربعاء." in text  # the closest sentences, as related
    html = render_decline_html(answer)
    assert "<b>بيلاروسيا</b>" in html
    parse_html(html)


def test_a_decline_with_related_sentences_is_valid_html() -> None:
    html = render_decline_html(_related_answer())
    assert "<b>الجديد</b>" in html
    parse_html(html)  # the fake Bot API accepts it


def test_an_english_question_gets_a_bilingual_note() -> None:
    answer = Answer("How many died?", (), (), True, (), "english")
    text = render_decline_text(answer, ["متى بدأت الاحتجاجات؟"])
    assert "Arabic" in text
    assert "بالعربية" in text


def test_an_english_question_naming_an_absent_country_says_so_in_both_languages() -> None:
    answer = Answer("What did China say?", (), (), True, ("China",), "english")
    text = render_decline_text(answer, [])
    assert "لا تذكر المصادر المتاحة: China" in text
    assert "The sources do not mention China." in text
    markup = render_decline_html(answer, [])
    assert "<b>\u2068China\u2069</b>" in markup  # isolated: a Latin name in a right-to-left line
    parse_html(markup)


def test_removed_lines_agree_with_their_number() -> None:
    assert removed_lines(1).startswith("حُذف سطر واحد")
    assert removed_lines(2).startswith("حُذف سطران")
    assert removed_lines(3).startswith("حُذفت 3 أسطر")
    assert removed_lines(11).startswith("حُذف 11 سطرًا")
    assert removed_lines(100).startswith("حُذف 100 سطر ")
