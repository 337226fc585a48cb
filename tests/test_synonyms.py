"""The reader's synonyms: a question word the corpus lacks finds the news's word for it."""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path

import pytest

from retrieval.answer import Retriever, load_retriever
from retrieval.config import RetrievalConfig
from retrieval.synonyms import load_thesaurus, parse_thesaurus
from retrieval.text import normalize

CORPUS = Path(__file__).resolve().parents[1] / "corpus"


@pytest.fixture(scope="module")
def retriever() -> Retriever:
    return load_retriever(CORPUS, RetrievalConfig(), cache=False)


def test_the_bundled_thesaurus_parses_and_maps_to_other_words() -> None:
    raw = tomllib.loads(resources.files("retrieval").joinpath("data/synonyms.toml").read_text("utf-8"))
    thesaurus = parse_thesaurus(raw)
    assert len(thesaurus.entries) >= 300
    for word, news in thesaurus.entries.items():
        assert news, word
        assert word not in news, word


def test_every_news_word_is_a_word_of_the_bundled_articles() -> None:
    # The right side is the news's vocabulary: a word the articles never use would match nothing.
    text = normalize(" ".join(p.read_text(encoding="utf-8") for p in (CORPUS / "articles").glob("*.md")))
    words = set(text.split())
    prefixes = ("", "و", "ب", "ل", "ف", "ك", "س", "ال", "وال", "بال", "لل", "فال", "وس", "ول", "وب")
    for news in load_thesaurus().entries.values():
        for word in news:
            assert any(f"{p}{word}" in words or f"{p}{word}" in text for p in prefixes), word


@pytest.mark.parametrize(
    ("word", "news"),
    [
        ("المبعوث", "سفير"),  # the article and the base form
        ("للخراب", "تدمير"),  # a preposition with the article
        ("الاقتراع", "انتخاب"),
        ("نبهت", "حذرت"),  # a verb's person ending
        ("رأس", "رئيس"),  # «رأس الدولة»: the head of state
    ],
)
def test_an_inflected_question_word_reaches_its_base_form(word: str, news: str) -> None:
    assert normalize(news) in load_thesaurus().synonyms(normalize(word))


def test_a_name_is_never_read_through_a_dialect_prefix() -> None:
    # «البيتكوين» is no «بـ + يتكوين» → «تكوين» → «تشكيل».
    assert load_thesaurus().synonyms(normalize("البيتكوين")) == ()


def test_parse_thesaurus_rejects_malformed_data() -> None:
    with pytest.raises(ValueError, match="synonyms"):
        parse_thesaurus({})
    with pytest.raises(ValueError, match="non-empty list"):
        parse_thesaurus({"synonyms": {"مبعوث": []}})


def test_a_paraphrase_finds_the_sentence_through_synonyms(retriever: Retriever) -> None:
    query = retriever.parse("بماذا وصف المبعوث الروسي في واشنطن المهاجمين؟")
    envoy = next(c for c in query.concepts if c.term.surface == "المبعوث")
    assert envoy.tokens
    assert envoy not in query.missing
    answer = retriever.answer("بماذا وصف المبعوث الروسي في واشنطن المهاجمين؟")
    assert not answer.declined
    assert "سفير" in normalize(answer.hits[0].sentence.text)


def test_a_synonym_counts_below_the_words_own_forms(retriever: Retriever) -> None:
    query = retriever.parse("ما موقف المبعوث الروسي؟")
    envoy = next(c for c in query.concepts if c.term.surface == "المبعوث")
    assert 0 < max(map(envoy.strength, envoy.tokens)) < 1


def test_a_pronoun_ending_is_no_feminine_noun() -> None:
    thesaurus = load_thesaurus()
    assert thesaurus.synonyms(normalize("عبرة"), "عبرة")  # «a lesson»
    assert not thesaurus.synonyms(normalize("عبره"), "عبره")  # «across it»
