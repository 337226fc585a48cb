"""Figures the sources disagree on (retrieval.figures) and the line that says so (bot.render)."""

from __future__ import annotations

from datetime import date

import pytest

from bot.render import disagreement_line, render_answer_html, render_answer_text
from retrieval.answer import Retriever
from retrieval.config import RetrievalConfig
from retrieval.families import count_keys
from retrieval.figures import (
    Quantity,
    counted_words,
    figures_in,
    find_disagreement,
    is_quantity_question,
    question_quantity,
)
from retrieval.models import Answer, Article, Corpus
from retrieval.text import normalize
from tests.fakes.tg_html import parse_html

CONFIG = RetrievalConfig()


def retriever(*articles: tuple[str, str]) -> Retriever:
    """A corpus of one-paragraph articles: (id, paragraph), each from its own outlet."""
    built = tuple(
        Article(doc_id, f"عنوان {doc_id}", (text,), outlet=f"وكالة {doc_id}", published=date(2022, 1, 8))
        for doc_id, text in articles
    )
    return Retriever(Corpus(built), CONFIG)


def visible(html: str) -> str:
    text, _ = parse_html(html)
    for control in ("\u2068", "\u2069", "\u200f"):
        text = text.replace(control, "")
    return text


# --- reading figures ---------------------------------------------------------------------------------------


def test_numbers_are_read_with_what_they_count() -> None:
    figures = figures_in("أعلن بيان الداخلية ارتفاع عدد ضحايا قوات الأمن إلى 18 قتيلًا و748 مصابا.")
    assert [(f.value, f.quantity) for f in figures] == [
        (18, Quantity("killed", "security")),
        (748, Quantity("injured", "security")),
    ]


def test_number_words_and_qualifiers() -> None:
    (figure,) = figures_in(
        "وقالت الحكومة إن ثمانية على الأقل من أفراد قوات الأمن قتلوا، بينما جرح المئات غيرهم."
    )
    assert (figure.value, figure.qualifier, figure.quantity) == (
        8,
        "at_least",
        Quantity("killed", "security"),
    )
    (more,) = figures_in("قُتل أكثر من ١٠٠ شخص في المدينة.")
    assert (more.value, more.qualifier) == (100, "more_than")


def test_a_city_is_a_different_quantity_from_the_whole_country() -> None:
    (all_killed,) = figures_in("وأعلنت وزارة الداخلية مقتل 164 شخصا في الاحتجاجات المندلعة في البلاد.")
    (city,) = figures_in("وقالت الوزارة؛ إن 103 من القتلى سقطوا في مدينة ألماتي، كبرى مدن البلاد.")
    assert all_killed.quantity == Quantity("killed")
    assert city.quantity == Quantity("killed", "", "الماتي")


def test_dates_and_years_are_not_figures() -> None:
    assert figures_in("وفي 2 كانون الثاني/ يناير 2022 اندلعت احتجاجات، بعد استقلال البلاد في 1991.") == []


def test_a_counted_noun_without_a_known_kind_is_its_own_measure() -> None:
    (planes,) = figures_in("أعلنت الوزارة هبوط 9 طائرات عسكرية في المطار.")
    assert planes.quantity.measure == question_quantity("كم طائرة هبطت؟").measure  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("كم عدد قتلى قوات الأمن؟", True),
        ("ما حصيلة القتلى؟", True),
        ("وكم قتيلًا سقط؟", True),
        ("متى بدأت الاحتجاجات؟", False),
    ],
)
def test_quantity_questions(question: str, expected: bool) -> None:
    assert is_quantity_question(question) is expected


# --- disagreements -----------------------------------------------------------------------------------------

DISAGREE = (
    ("a", "أعلنت الداخلية ارتفاع عدد قتلى قوات الأمن في الاحتجاجات إلى 18 قتيلًا."),
    ("b", "وقالت الحكومة إن ثمانية على الأقل من أفراد قوات الأمن قتلوا في الاحتجاجات."),
    ("c", "وأكدت الشرطة أن 18 من عناصر قوات الأمن قتلوا خلال الاحتجاجات."),
)


def test_a_corpus_built_to_disagree_shows_each_figure_with_its_sources() -> None:
    answer = retriever(*DISAGREE).answer("كم عدد قتلى قوات الأمن في الاحتجاجات؟")
    disagreement = find_disagreement(answer)
    assert disagreement is not None
    assert sorted((f.value, f.qualifier) for f in disagreement.figures) == [(8, "at_least"), (18, "")]
    line = disagreement_line(answer, markup=False)
    assert line is not None
    assert line.startswith("تختلف المصادر: ")
    numbers = {c.doc_id: n for n, c in enumerate(answer.citations, 1)}
    eighteen = "".join(f"[{n}]" for n in sorted((numbers["a"], numbers["c"])))
    assert f"18 {eighteen}" in line
    assert f"8 على الأقل [{numbers['b']}]" in line


def test_the_disagreement_line_is_valid_html_on_the_first_page_only() -> None:
    answer = retriever(*DISAGREE).answer("كم عدد قتلى قوات الأمن في الاحتجاجات؟")
    first = render_answer_html(answer, snippets=1)
    assert visible(first.text).startswith("تختلف المصادر: ")
    assert "تختلف المصادر" not in visible(render_answer_html(answer, snippets=1, start=1).text)
    text = render_answer_text(answer, snippets=1)
    assert text.startswith("تختلف المصادر: ")
    # every figure's article is listed under «المصادر:», even those of hits not shown
    assert all(f"[{n}]" in text.split("المصادر:")[1] for n in range(1, len(answer.citations) + 1))


@pytest.mark.parametrize(
    "articles",
    [
        pytest.param(
            (
                ("a", "وأعلنت وزارة الداخلية مقتل 164 شخصا في الاحتجاجات المندلعة في البلاد."),
                ("b", "وقالت الوزارة إن 103 من القتلى سقطوا في مدينة ألماتي، كبرى مدن البلاد."),
                ("c", "وأعلنت الداخلية أن 18 من أفراد قوات الأمن قتلوا في الاحتجاجات."),
            ),
            id="all, one city, security forces",
        ),
        pytest.param(
            (
                ("a", "وأعلنت وزارة الداخلية مقتل 164 شخصا في الاحتجاجات وإصابة 2000 آخرين."),
                ("b", "وقالت الوزارة إن القتلى في الاحتجاجات بلغوا 164 قتيلا."),
            ),
            id="the same figure twice, injured apart",
        ),
        pytest.param(
            (
                (
                    "a",
                    "أعلنت الوزارة أن عدد القتلى في الاحتجاجات بلغ 164. "
                    "ثم عدّلت عدد القتلى في الاحتجاجات إلى 160.",
                ),
                ("b", "وتحدث الرئيس عن الاحتجاجات في خطاب متلفز."),
            ),
            id="one article revising itself",
        ),
    ],
)
def test_similar_numbers_that_are_not_a_conflict(articles: tuple[tuple[str, str], ...]) -> None:
    answer = retriever(*articles).answer("كم عدد القتلى في الاحتجاجات؟")
    assert not answer.declined
    assert find_disagreement(answer) is None
    assert disagreement_line(answer, markup=True) is None


def test_a_question_that_is_not_about_a_quantity_gets_no_figures_line() -> None:
    answer = retriever(*DISAGREE).answer("ماذا حدث لقوات الأمن في الاحتجاجات؟")
    assert find_disagreement(answer) is None


def test_a_declined_answer_has_no_disagreement() -> None:
    answer = Answer("كم عدد القتلى؟", ("قتل",), (), True)
    assert find_disagreement(answer) is None


# --- the bundled corpus ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bundled() -> Retriever:
    from retrieval.answer import load_retriever
    from tests.conftest import REPO

    return load_retriever(REPO / "corpus", CONFIG, cache=False)


def test_bundled_security_forces_killed_18_or_at_least_eight(bundled: Retriever) -> None:
    answer = bundled.answer("كم عدد قتلى قوات الأمن؟")
    line = disagreement_line(answer, markup=False)
    assert line is not None
    numbers = {c.doc_id: n for n, c in enumerate(answer.citations, 1)}
    assert f"18 [{numbers['003_deac851cec9a8270']}]" in line
    assert f"8 على الأقل [{numbers['004_fbdcdcff0f628acc']}]" in line


@pytest.mark.parametrize("question", ["كم عدد القتلى؟", "كم عدد القتلى في ألماتي؟", "كم عدد المصابين؟"])
def test_bundled_killed_in_all_and_in_almaty_are_not_a_conflict(bundled: Retriever, question: str) -> None:
    answer = bundled.answer(question)
    assert not answer.declined
    assert find_disagreement(answer) is None


def test_counted_words_are_the_words_near_a_figure_but_not_near_a_date() -> None:
    words = counted_words("قتل 164 شخصا في الاحتجاجات التي بدأت في 2 يناير 2022 بعد رفع أسعار الغاز")
    assert normalize("شخصا") in words
    assert normalize("أسعار") not in words  # only a date and a year stand near it
    assert normalize("عناصر") in counted_words("مقتل عناصر من قوات الأمن وإصابة المئات")  # a vague amount
    assert normalize("بجنود") not in counted_words('طائرات من طراز "إل-76" محملة بجنود')  # a designation
    assert normalize("شخصا") in counted_words("عدد القتلى - 164 شخصا")  # spaced dash: no designation


@pytest.mark.parametrize(
    ("plural", "singular"), [("الضيوف", "ضيف"), ("عناصر", "عنصرا"), ("السكك", "السكة"), ("تغريدات", "تغريدة")]
)
def test_count_keys_meet_a_plural_and_its_singular(plural: str, singular: str) -> None:
    assert count_keys(normalize(plural)) & count_keys(normalize(singular))


def test_a_number_followed_by_a_noun_counts_that_noun() -> None:
    planes = counted_words("أعلنت وزارة الدفاع عن هبوط 9 طائرات عسكرية من طراز كبير محملة بجنود ومعدات")
    assert normalize("طائرات") in planes
    assert normalize("بجنود") not in planes  # the planes carry soldiers; 9 counts the planes
    assert normalize("هبوط") in planes  # the words before the figure are still near it
    assert normalize("جنديا") in counted_words("أرسلت 5 آلاف جنديا")  # past «آلاف» to the noun
    assert normalize("القتلى") in counted_words("إن 103 من القتلى سقطوا في مدينة ألماتي")  # a preposition
    assert normalize("أفراد") in counted_words("قتل ثمانية على الأقل من أفراد قوات الأمن")
    assert normalize("عسكرية") not in planes  # a relative adjective says which planes: no soldiers counted
    assert normalize("شرطة") in counted_words("أصيب 12 عنصر شرطة")  # a noun after the noun still is



def test_a_figure_counts_nothing_of_itself() -> None:
    # «ثمانية» is the figure, not a thing counted: «ثمن» (price) of the same letters finds no figure in it.
    words = counted_words("وقالت الحكومة إن ثمانية على الأقل من أفراد قوات الأمن قتلوا")
    assert normalize("ثمانية") not in words
    assert normalize("أفراد") in words
