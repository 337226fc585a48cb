"""Inflected function words are never a question's missing content."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval.answer import Retriever, load_retriever
from retrieval.config import RetrievalConfig
from retrieval.function_words import is_function_form
from retrieval.text import normalize

CORPUS = Path(__file__).resolve().parents[1] / "corpus"


@pytest.fixture(scope="module")
def retriever() -> Retriever:
    return load_retriever(CORPUS, RetrievalConfig())


@pytest.mark.parametrize("word", ["عندي", "بكل", "معهن", "فلو", "لذوي", "وأنا", "بهذا", "عندك", "كلها", "بس"])
def test_inflected_function_words_are_recognised(word: str) -> None:
    assert is_function_form(normalize(word))


@pytest.mark.parametrize(
    "word",
    [
        "رجع",  # a verb of the «كان» family, and a content verb in our questions
        "ظل",
        "عاد",
        "بن",  # in names: «حمد بن جاسم»
        "كيت",  # «كيت مالينسون»
        "أمس",  # time adverbs answer «متى»
        "جنوب",
        "أكثر",
        "عين",  # «عيّن»: appointed
        "عامة",
        "عدد",
        "البلاد",
    ],
)
def test_content_words_of_the_lexicon_are_left_to_the_question(word: str) -> None:
    assert not is_function_form(normalize(word))


def test_a_function_word_the_corpus_lacks_is_not_missing(retriever: Retriever) -> None:
    query = retriever.parse("عندي سؤال بسيط: كم مصاب في قوات الأمن؟")
    assert "عندي" not in {c.term.surface for c in query.missing}
    concept = next(c for c in query.concepts if c.term.surface == "عندي")
    assert not concept.required
