"""English questions: the glossary gives BM25 the news's Arabic words, fused with the encoder's order."""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path

import pytest

from retrieval.answer import Retriever, load_retriever
from retrieval.config import RetrievalConfig
from retrieval.english import (
    GLOSSARY_FIT,
    english_after,
    english_asks_amount,
    english_kind,
    english_unreported,
    glossary_fit,
    load_glossary,
    parse_glossary,
)
from retrieval.text import normalize

CORPUS = Path(__file__).resolve().parents[1] / "corpus"


@pytest.fixture(scope="module")
def retriever() -> Retriever:
    return load_retriever(CORPUS, RetrievalConfig(), cache=False)


def test_a_phrase_is_translated_before_its_words() -> None:
    glossary = parse_glossary(
        {"glossary": {"state of emergency": ["حالة الطوارئ"], "state": ["دولة"], "ambassador": ["سفير"]}}
    )
    assert glossary.translate("When was the state of emergency declared?") == ["حالة الطوارئ"]
    assert glossary.translate("What did the Russian ambassador say?") == ["سفير"]


@pytest.mark.parametrize("word", ["protesters", "protests", "killed", "killing", "stormed", "ministries"])
def test_a_word_is_found_without_its_ending(word: str) -> None:
    glossary = parse_glossary(
        {
            "glossary": {
                "protester": ["محتجين"],
                "protest": ["احتجاجات"],
                "kill": ["قتلى"],
                "storm": ["اقتحام"],
                "ministry": ["وزارة"],
            }
        }
    )
    assert glossary.translate(f"the {word}")


def test_names_and_function_words_are_left_out() -> None:
    glossary = parse_glossary({"glossary": {"ambassador": ["سفير"]}})
    assert glossary.translate("What did Antonov say to the press?") == []


def test_parse_glossary_rejects_malformed_data() -> None:
    with pytest.raises(ValueError, match="glossary"):
        parse_glossary({})
    with pytest.raises(ValueError, match="non-empty list"):
        parse_glossary({"glossary": {"ambassador": []}})


def test_the_bundled_glossary_maps_to_words_of_the_articles() -> None:
    raw = tomllib.loads(resources.files("retrieval").joinpath("data/english.toml").read_text("utf-8"))
    glossary = parse_glossary(raw)
    text = normalize(" ".join(p.read_text(encoding="utf-8") for p in (CORPUS / "articles").glob("*.md")))
    for arabic in {w for words in glossary.entries.values() for w in words}:
        assert normalize(arabic) in text, arabic
    assert load_glossary().entries


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("On which day did the Kazakh cabinet resign?", "استقالة الحكومة"),
        ("How many people died in the Kazakhstan protests?", "164"),
    ],
)
def test_an_english_question_finds_the_answering_sentence_first(
    retriever: Retriever, question: str, expected: str
) -> None:
    # The encoder alone puts a sentence on the same topic first (the order restored on 7 January; «dozens
    # killed»); the glossary's Arabic words let BM25 find the one that answers.
    answer = retriever.answer(question)
    if retriever.vectors is None:
        assert answer.declined
        return
    assert not answer.declined
    assert expected in answer.hits[0].sentence.text


def test_coverage_counts_content_words_not_names_or_function_words() -> None:
    glossary = parse_glossary({"glossary": {"ambassador": ["سفير"], "say": ["قال"]}})
    assert glossary.coverage("What did the Russian ambassador say?") == 1.0  # «Russian»: a name
    assert glossary.coverage("Which team won the Super Bowl?") == 0.0


def test_another_corpus_question_is_read_by_the_encoder_alone(retriever: Retriever) -> None:
    # No word of it is the glossary's: BM25 over a mistranslation must not lead the ranking.
    question = "Which team won the championship game?"
    assert retriever.glossary.coverage(question) == 0.0
    if retriever.vectors is not None:
        expected = [h.sentence.id for h in retriever.rank_by_vector(question, 3)]
        assert [h.sentence.id for h in retriever.rank(question, 3)] == expected


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("When did the Kazakh government resign?", "date"),
        ("How long will the peacekeepers stay?", "duration"),
        ("On what day did the ambassador speak to reporters?", "date"),
        ("Where did Hamad bin Jassim share his views?", "medium"),
        ("Where did the OIC publish its statement?", "medium"),
        ("Which countries belong to the CSTO?", "countries"),
        ("Where did the protesters gather?", None),  # a place: no kind is preferred
        ("What did Blinken say?", None),
    ],
)
def test_english_kind(question: str, kind: str | None) -> None:
    assert english_kind(question) == kind


def test_an_english_question_shows_the_sentence_holding_its_kind_first(retriever: Retriever) -> None:
    answer = retriever.answer("Where did the OIC publish its statement?")
    assert not answer.declined
    assert "موقعها" in answer.hits[0].sentence.text  # «…في بيان للأمانة العامة… عبر موقعها الإلكتروني»


@pytest.mark.parametrize(
    ("question", "asks"),
    [
        ("How much compensation did the government promise to the families?", True),
        ("How much did the operation cost?", True),
        ("What was the cost of the damage?", True),
        ("How much time did it take?", False),
        ("How much of the Amazon is in Brazil?", False),
        ("How many people died?", False),
    ],
)
def test_english_asks_amount(question: str, asks: bool) -> None:
    assert english_asks_amount(question) is asks


def test_an_english_question_asking_a_sum_the_sources_never_give_declines(retriever: Retriever) -> None:
    question = "How much compensation did the Kazakh government promise to the families of the dead?"
    answer = retriever.answer(question)
    assert answer.declined
    assert answer.reason == "english"


def test_untranslated_counts_content_words_the_glossary_lacks() -> None:
    glossary = parse_glossary({"glossary": {"people": ["أشخاص"], "killed": ["قتل"]}})
    assert glossary.untranslated("How many people were arrested in Almaty?") == ["arrested"]  # not «Almaty»
    assert glossary.untranslated("How many people were killed?") == []


@pytest.mark.parametrize(
    ("question", "unreported"),
    [
        ("How many people were arrested during the unrest?", True),  # the articles report no arrests
        ("How many Kazakh soldiers defected to the protesters?", True),
        ("How many people were killed in the Kazakhstan protests?", False),  # every word translated
        ("How many people were killed in Almaty alone?", False),  # «alone»: an everyday word
        ("How many days did the state of emergency last?", False),  # «last»: an everyday word
        ("How many people were killed in total?", False),  # «total» frames the count
        ("What did the police arrest?", False),  # no «How many», no yes/no question
        ("Did the protesters storm the airport?", False),  # every word the articles' own
        ("Was a state of emergency declared?", False),
        ("Was the airport reopened to flights afterwards?", True),  # «reopened»: never reported
        ("Has Kazakhstan recalled its ambassador from Moscow?", True),
        ("Did Putin visit Almaty?", False),  # «visit»: an everyday word, decided by the sentences
    ],
)
def test_english_unreported(question: str, unreported: bool) -> None:
    assert english_unreported(load_glossary(), question) is unreported


def test_an_english_count_of_what_the_articles_never_report_declines(retriever: Retriever) -> None:
    assert retriever.glossary_fit >= GLOSSARY_FIT  # the glossary was written for the bundled articles
    answer = retriever.answer("How many people were arrested during the unrest?")
    assert answer.declined
    assert answer.reason == "english"
    assert not retriever.answer("How many people were killed in Almaty alone?").declined


def test_an_english_yes_no_question_about_an_act_the_articles_never_report_declines(
    retriever: Retriever,
) -> None:
    answer = retriever.answer("Did the authorities shut down mobile networks during the unrest?")
    assert answer.declined
    assert answer.reason == "english"


@pytest.mark.parametrize(
    ("question", "after"),
    [
        ("What happened to gas prices after the protests ended?", True),
        ("Were any ministers put on trial after the unrest?", True),
        ("How has Almaty changed since the crisis?", True),
        ("What did the president do after the unrest began?", False),  # after its start: the news itself
        ("What happened after the government resigned?", False),  # after one act
        ("What happened after the end of the war?", False),  # not these events
    ],
)
def test_english_after(question: str, after: bool) -> None:
    assert english_after(question) is after


def test_an_english_question_set_after_the_events_declines(retriever: Retriever) -> None:
    answer = retriever.answer("What happened to gas prices after the protests ended?")
    assert answer.declined
    assert answer.reason == "english"
    assert not retriever.answer("What did the government do after the protests began?").declined


def test_a_glossary_written_for_other_articles_does_not_speak_for_a_corpus() -> None:
    glossary = parse_glossary({"glossary": {"ambassador": ["سفير"], "plague": ["طاعون"]}})
    vocabulary = {"سفير"}
    assert glossary_fit(glossary, lambda word: {word}, vocabulary) == 0.5
