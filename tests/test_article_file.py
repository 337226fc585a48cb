"""The article file: what render_article writes, parse_article reads back; file names become safe ids."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retrieval.article_file import render_article, slugify_id
from retrieval.corpus import parse_article
from retrieval.errors import IngestError
from retrieval.models import Article


def test_render_escapes_quotes_and_backslashes_in_front_matter() -> None:
    article = Article(
        id="a-1",
        title='عنوان "مقتبس" \\ مائل',
        paragraphs=("فقرة أولى.", "## عنوان فرعي", "فقرة ثانية."),
        outlet="موقع 'س'",
        published=date(2022, 1, 8),
        url="https://example.com/a?b=1&c=2",
        byline="فلان",
    )
    text = render_article(article)
    assert text.startswith('+++\nid = "a-1"\n')
    assert "published = 2022-01-08\n" in text
    assert parse_article(text, "") == article


single_line = st.text(min_size=1).filter(lambda s: "\n" not in s and s.strip() == s and s != "")


@given(
    title=single_line,
    paragraphs=st.lists(single_line, min_size=1, max_size=5),
    outlet=st.none() | single_line,
    published=st.none() | st.dates(),
)
def test_render_then_parse_round_trips_any_article(
    title: str, paragraphs: list[str], outlet: str | None, published: date | None
) -> None:
    article = Article("doc-1", title, tuple(paragraphs), outlet=outlet, published=published)
    assert parse_article(render_article(article), "") == article


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("000_562716bbd30af7a0.txt", "000_562716bbd30af7a0"),
        ("corpus/raw/003_deac851cec9a8270.txt", "003_deac851cec9a8270"),
        ("C:\\pages\\My Page (2).txt", "my_page_2"),
        ("../../etc/passwd", "passwd"),
        ("a..b.txt", "a.b"),
        ("خبر ألماتي.txt", "خبر_ألماتي"),
    ],
)
def test_slugify_id(name: str, expected: str) -> None:
    assert slugify_id(name) == expected


@pytest.mark.parametrize("name", ["", "..", "/", "....", "---", "?.txt"])
def test_slugify_id_refuses_names_without_usable_characters(name: str) -> None:
    with pytest.raises(IngestError):
        slugify_id(name)
