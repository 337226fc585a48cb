"""A sentence referring back to a name («وأكدت المنظمة…») is credited with the name's words."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval.anaphora import LOOK_BACK, NAME_WORDS, SUBJECT_WORDS, antecedent, referring
from retrieval.answer import Retriever, load_retriever
from retrieval.config import RetrievalConfig
from retrieval.models import Article, Corpus

REPO = Path(__file__).resolve().parents[1]


def words(*normals: str) -> tuple[list[str], list[str], list[tuple[int, int, str]]]:
    """A sentence's words as the retriever gives them; here each word is its own token."""
    return list(normals), list(normals), []


# --- the pure rules ------------------------------------------------------------------------------------


def test_a_definite_noun_among_the_opening_words_refers_back() -> None:
    normals = ["واكدت", "المنظمه", "تضامنها", "التام"]
    assert referring(normals, ["اكد", "منظم", "تضامن", "تام"]) == {"منظم", "تام"}
    assert referring(["للامانه", "العامه"], ["امان", "عام"]) == {"امان", "عام"}  # «لل» is the article too


def test_a_definite_noun_late_in_the_sentence_is_no_subject() -> None:
    normals = ["قال", "متحدث", "باسم", "وزاره", "الخارجيه", "الامريكيه"]
    assert referring(normals, normals) == {"الخارجيه", "الامريكيه"}  # the sixth word is still read
    late = ["a", "b", "c", "d", "e", "f", "المنظمه"]
    assert SUBJECT_WORDS == 6
    assert referring(late, late) == frozenset()
    assert referring(["منظمه", "التعاون"], ["منظم", "تعاون"]) == {"تعاون"}  # a name's head is no anaphor


def test_the_name_follows_the_head_noun_written_without_the_article() -> None:
    named = words("اعربت", "منظم", "تعاون", "اسلامي", "الخميس", "قلقها")
    assert antecedent({"منظم"}, [named]) == {"تعاون", "اسلامي", "الخميس"}
    assert NAME_WORDS == 3


def test_the_nearest_name_counts_and_a_repeated_anaphor_is_looked_past() -> None:
    again = (["وقالت", "المنظمه", "انها"], ["قال", "منظم", "انها"], [])  # refers back itself
    nearest = words("منظم", "صحه", "عالميه")
    farther = words("منظم", "تعاون", "اسلامي")
    assert antecedent({"منظم"}, [again, nearest, farther]) == {"صحه", "عالميه"}


def test_a_variant_phrase_starting_in_the_name_is_inherited() -> None:
    sentence = (["منظمه", "معاهده", "الامن", "الجماعي"], ["منظم", "معاهد", "امن", "جماع"], [(0, 4, "~15")])
    assert antecedent({"منظم"}, [sentence]) == {"معاهد", "امن", "جماع", "~15"}


def test_nothing_is_inherited_without_a_head_or_a_name() -> None:
    assert antecedent(set(), [words("منظم", "تعاون")]) == frozenset()
    assert antecedent({"منظم"}, [words("قال", "الرئيس")]) == frozenset()
    assert antecedent({"منظم"}, []) == frozenset()


# --- in the retriever -----------------------------------------------------------------------------------

NAMED = "أعربت منظمة التعاون الإسلامي عن قلقها إزاء العنف في البلاد."
OTHER = "وقالت الحكومة إن الشرطة أعادت النظام في المدينة."
REFERRING = "وأكدت المنظمة تضامنها التام مع الحكومة في حفظ الأمن."
FAR = "ودعت إلى ضبط النفس."


def statement_corpus(*paragraphs: str) -> Corpus:
    article = Article("oic", "بيان", paragraphs, outlet="وكالة")
    distractor = Article("other", "خبر", ("تضامن الجيران مع الحكومة في الأزمة.", "زارت الحكومة المدينة."))
    return Corpus((article, distractor))


def test_a_sentence_referring_back_ranks_by_the_name_it_refers_to() -> None:
    retriever = Retriever(statement_corpus(f"{NAMED} {OTHER}", REFERRING), RetrievalConfig(encoder="none"))
    answer = retriever.answer("هل تضامنت منظمة التعاون الإسلامي مع الحكومة؟")
    assert answer.hits[0].sentence.text == REFERRING
    assert answer.hits[0].matched_terms  # credited, not matched: the sentence's own words stay its own


def test_a_name_farther_back_than_the_look_back_is_not_inherited() -> None:
    filler = " ".join(f"ودعت إلى الهدوء رقم {n}." for n in range(LOOK_BACK))
    retriever = Retriever(statement_corpus(NAMED, filler, REFERRING), RetrievalConfig(encoder="none"))
    entry = next(i for i, e in enumerate(retriever.index.entries) if e.sentence.text == REFERRING)
    assert retriever._antecedents(entry) == frozenset()
    near = Retriever(statement_corpus(NAMED, FAR, REFERRING), RetrievalConfig(encoder="none"))
    entry = next(i for i, e in enumerate(near.index.entries) if e.sentence.text == REFERRING)
    assert near._antecedents(entry) & set(near.parse("التعاون الإسلامي").tokens)


@pytest.fixture(scope="module")
def bundled() -> Retriever:
    return load_retriever(REPO / "corpus", RetrievalConfig(encoder="none"))


@pytest.mark.parametrize(
    "question",
    ["التعاون الإسلامي تضامن حكومة كازاخستان", "منظمة التعاون الإسلامي أكدت تضامنها مع مين؟"],
)
def test_the_organisations_solidarity_is_found_in_the_sentence_that_refers_to_it(
    bundled: Retriever, question: str
) -> None:
    answer = bundled.answer(question)
    assert "تضامنها التام" in answer.hits[0].sentence.text
