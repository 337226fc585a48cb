"""What pages state is kept and shown: the credited agency, derived titles, tweets with their author."""

from __future__ import annotations

from datetime import date

import pytest

from bot.log.codec import citation_to_json, citations_from_json
from bot.render import render_sources_html, render_sources_text
from retrieval.answer import load_retriever
from retrieval.config import RetrievalConfig
from retrieval.models import Citation
from tests.conftest import REPO
from tests.fakes.tg_html import parse_html

CREDITED = Citation("a", "عنوان الخبر", "عربي21", date(2022, 1, 9), "https://example.com/a", source="تاس")
DERIVED = Citation(
    "b", "قال رئيس الوزراء السابق إن ما يجري يصب في مصلحة روسيا", None, None, None, title_derived=True
)


def test_sources_show_the_outlet_and_the_agency_it_credits() -> None:
    text, _ = parse_html(render_sources_html([CREDITED]))
    assert "عربي21 نقلًا عن تاس" in text
    assert "عربي21 نقلًا عن تاس" in render_sources_text([CREDITED])
    no_outlet = Citation("c", "عنوان", None, None, None, source="بي بي سي")
    assert "نقلًا عن بي بي سي" in render_sources_text([no_outlet])
    assert "مصدر غير مذكور" not in render_sources_text([no_outlet])


def test_sources_say_when_a_title_is_not_the_pages_headline() -> None:
    text, _ = parse_html(render_sources_html([DERIVED]))
    assert (
        "«قال رئيس الوزراء السابق إن ما يجري يصب في مصلحة روسيا» (لا عنوان للصفحة؛ هذه أول جملة في المقال)"
        in text
    )
    assert "لا عنوان للصفحة" in render_sources_text([DERIVED])
    assert "لا عنوان للصفحة" not in render_sources_text([CREDITED])


def test_the_log_keeps_source_and_derived_title_for_sources_after_a_restart() -> None:
    import json

    stored = json.dumps([citation_to_json(c) for c in (CREDITED, DERIVED)], ensure_ascii=False)
    assert citations_from_json(stored) == (CREDITED, DERIVED)
    plain = Citation("d", "عنوان", "منفذ", None, None)
    assert set(citation_to_json(plain)) == {"doc_id", "title", "outlet", "published", "url"}


@pytest.fixture(scope="module")
def bundled() -> dict[str, Citation]:
    retriever = load_retriever(REPO / "corpus", RetrievalConfig())
    return {article.id[:3]: Citation.of(article) for article in retriever.corpus.articles}


def test_bundled_articles_carry_their_credited_agencies(bundled: dict[str, Citation]) -> None:
    assert bundled["001"].source == "تاس"
    assert "المغرب تحت المجهر نقلًا عن بي بي سي" in render_sources_text([bundled["004"]])
    assert bundled["000"].title_derived
    assert not any(bundled[key].title_derived for key in ("001", "002", "003", "004"))


def test_a_quoted_tweet_is_answered_with_its_authors_name() -> None:
    retriever = load_retriever(REPO / "corpus", RetrievalConfig())
    answer = retriever.answer("هل يعيد بوتين لروسيا هيبتها؟")
    tweets = [hit.sentence.text for hit in answer.hits if "هيبتها" in hit.sentence.text]
    assert tweets
    assert any(text.startswith("حمد بن جاسم بن جبر في تغريدة: «") for text in tweets)
