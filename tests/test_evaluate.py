"""Answer-quality metrics: judging normalisation, question files, exact metrics on a tiny corpus, SQuAD."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from retrieval.answer import Retriever, load_retriever
from retrieval.config import RetrievalConfig
from retrieval.evaluate import (
    EvalCase,
    Report,
    baseline_report,
    evaluate,
    judge_normalize,
    read_cases,
    squad_cases,
)
from retrieval.models import Article, Corpus

REPO = Path(__file__).resolve().parents[1]
DEV = REPO / "tests" / "data" / "dev.jsonl"

# --- judge_normalize (tests/data/README-eval.md) ------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("\ufefb", "لا", id="nfkc-lam-alef-ligature"),
        pytest.param("قتيلًا", "قتيلا", id="tanween"),
        pytest.param("مُحَمَّد", "محمد", id="harakat-shadda"),
        pytest.param("الاحتجـــاجات", "الاحتجاجات", id="tatweel"),
        pytest.param("أإآٱ", "اااا", id="alef-forms"),
        pytest.param("مستشفى", "مستشفي", id="alef-maqsura"),
        pytest.param("الحكومة", "الحكومه", id="teh-marbuta"),
        pytest.param("مؤتمر", "موتمر", id="waw-hamza"),
        pytest.param("رئيس", "رييس", id="yeh-hamza"),
        pytest.param("١٦٤", "164", id="arabic-indic-digits"),
        pytest.param("«بسبب زيادة، أسعار الغاز»؟", "بسبب زياده اسعار الغاز", id="punctuation-to-space"),
        pytest.param("2 كانون الثاني/ يناير", "2 كانون الثاني يناير", id="slash"),
        pytest.param("  وفي   2\tيناير\n", "وفي 2 يناير", id="collapse-spaces"),
    ],
)
def test_judge_normalize_follows_the_eval_readme(raw: str, expected: str) -> None:
    assert judge_normalize(raw) == expected


def test_judging_neither_stems_nor_drops_stop_words() -> None:
    assert judge_normalize("من هو رئيس الاحتجاجات") == "من هو رييس الاحتجاجات"


def test_every_dev_answer_occurs_in_the_bundled_corpus() -> None:
    retriever = load_retriever(REPO / "corpus", RetrievalConfig())
    sentences = [judge_normalize(e.sentence.text) for e in retriever.index.entries]
    cases = read_cases(DEV.read_text(encoding="utf-8").splitlines())
    absent = [
        (case.id, answer)
        for case in cases
        for answer in case.answers
        if not any(judge_normalize(answer) in s for s in sentences)
    ]
    assert absent == []


# --- read_cases --------------------------------------------------------------------------------------

GOOD_ROW = {"id": "d01", "question": "متى بدأت الاحتجاجات؟", "answerable": True, "answers": ["بدأت"]}


def row(**changes: Any) -> str:
    return json.dumps(GOOD_ROW | changes, ensure_ascii=False)


def test_read_cases_parses_rows_and_skips_blank_lines() -> None:
    cases = read_cases([row(), "", "   ", row(id=7, answerable=False, answers=[])])
    assert cases == [
        EvalCase("d01", "متى بدأت الاحتجاجات؟", True, ("بدأت",)),
        EvalCase("7", "متى بدأت الاحتجاجات؟", False, ()),
    ]


def test_read_cases_reads_the_dev_file() -> None:
    cases = read_cases(DEV.read_text(encoding="utf-8").splitlines())
    assert len(cases) >= 40
    assert len({c.id for c in cases}) == len(cases)
    assert all(c.answers for c in cases if c.answerable)
    assert any(not c.answerable for c in cases)


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param("{not json", id="invalid-json"),
        pytest.param(json.dumps({k: v for k, v in GOOD_ROW.items() if k != "answers"}), id="missing-answers"),
        pytest.param(json.dumps({k: v for k, v in GOOD_ROW.items() if k != "id"}), id="missing-id"),
        pytest.param("[1, 2, 3]", id="not-an-object"),
        pytest.param(row(answers=5), id="answers-int"),
    ],
)
def test_read_cases_error_names_the_line(bad: str) -> None:
    with pytest.raises(ValueError, match=r"^line 4: "):
        read_cases([row(), "", row(id="d02"), bad, row(id="d03")])


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param(row(answers="بسبب زيادة أسعار الغاز"), id="answers-as-string"),
        pytest.param(row(answerable="false"), id="answerable-as-string"),
    ],
)
def test_read_cases_rejects_fields_of_the_wrong_type(bad: str) -> None:
    with pytest.raises(ValueError, match=r"^line 1: "):
        read_cases([bad])


# --- evaluate: exact metrics on a tiny corpus --------------------------------------------------------

QUESTION = "لماذا ارتفعت أسعار الغاز المسال؟"


@pytest.fixture(scope="module")
def tiny() -> Retriever:
    article = Article(
        "gas",
        "خبر قصير",
        (
            "ارتفعت أسعار الغاز المسال في غرب البلاد.",  # ranks first for QUESTION
            "تحدث وزير الطاقة عن أسعار الغاز المسال أمام البرلمان.",  # shares three words: ranks second
            "هطلت أمطار غزيرة على العاصمة.",  # shares nothing: never retrieved
            "افتتح المعرض الدولي للكتاب أبوابه.",
            "فاز الفريق المحلي بالمباراة النهائية.",
        ),
    )
    return Retriever(Corpus((article,)), RetrievalConfig())


CASES = [
    EvalCase("rank1", QUESTION, True, ("ارتفعت أسعار",)),
    EvalCase("rank2", QUESTION, True, ("وزير الطاقة",)),
    EvalCase("absent", QUESTION, True, ("أمطار غزيرة",)),
    EvalCase("declined", "ما موقف الصين من الغاز؟", True, ("الغاز",)),
    EvalCase("china", "ما موقف الصين؟", False),
    EvalCase("empty", "؟؟", False),
]


def test_evaluate_gives_exact_metrics(tiny: Retriever) -> None:
    report = evaluate(tiny, CASES)
    assert [(r.case.id, r.rank, r.declined) for r in report.results] == [
        ("rank1", 1, False),
        ("rank2", 2, False),
        ("absent", None, False),
        ("declined", None, True),
        ("china", None, True),
        ("empty", None, True),
    ]
    assert report.hit1 == pytest.approx(1 / 4)
    assert report.hit3 == pytest.approx(2 / 4)
    assert report.mrr10 == pytest.approx((1 + 1 / 2) / 4)
    assert report.false_declines == pytest.approx(1 / 4)
    assert report.unanswerable_declined == 1.0
    assert [r.case.id for r in report.failures] == ["rank2", "absent", "declined"]


def test_evaluate_summary_rounds_and_counts(tiny: Retriever) -> None:
    summary = evaluate(tiny, CASES).summary()
    assert summary == {
        "questions": 6,
        "answerable": 4,
        "unanswerable": 2,
        "sentences": len(tiny.index),
        "hit@1": 0.25,
        "hit@3": 0.5,
        "mrr@10": 0.375,
        "unanswerable_declined": 1.0,
        "false_declines": 0.25,
    }


def test_evaluate_without_deciding_ranks_declined_questions_too(tiny: Retriever) -> None:
    report = evaluate(tiny, CASES, decide=False)
    ranks = {r.case.id: r.rank for r in report.results}
    assert ranks["declined"] == 1
    assert report.false_declines == 0.0
    assert report.hit1 == pytest.approx(2 / 4)


def test_evaluate_keeps_the_top_three_sentences_shown(tiny: Retriever) -> None:
    result = evaluate(tiny, CASES[:1]).results[0]
    assert result.shown[0] == "ارتفعت أسعار الغاز المسال في غرب البلاد."
    assert len(result.shown) <= 3


def test_empty_report_has_zero_rates_and_nothing_to_decline() -> None:
    report = Report(())
    assert (report.hit1, report.hit3, report.mrr10, report.false_declines) == (0.0, 0.0, 0.0, 0.0)
    assert report.unanswerable_declined == 1.0


def test_baseline_report_runs_on_the_same_sentences(tiny: Retriever) -> None:
    exact = EvalCase("words", "ارتفعت أسعار الغاز المسال في غرب البلاد.", True, ("ارتفعت أسعار",))
    report = baseline_report(tiny, [*CASES, exact])
    assert len(report.results) == len(CASES) + 1
    assert report.sentences == len(tiny.index)
    assert not any(r.declined for r in report.results)
    assert report.results[-1].rank == 1
    for value in (report.hit1, report.hit3, report.mrr10):
        assert 0.0 <= value <= 1.0


# --- SQuAD -------------------------------------------------------------------------------------------

SQUAD = {
    "version": "1.1",
    "data": [
        {
            "title": "اقتصاد",
            "paragraphs": [
                {
                    "context": "ارتفعت أسعار الغاز المسال في غرب البلاد.",
                    "qas": [
                        {
                            "id": "q1",
                            "question": "لماذا ارتفعت أسعار الغاز؟",
                            "answers": [{"text": "أسعار الغاز", "answer_start": 7}],
                        }
                    ],
                },
                {
                    "context": "هطلت أمطار غزيرة على العاصمة.\nوقالت الأرصاد إن الأمطار ستستمر أسبوعا.",
                    "qas": [
                        {
                            "id": "q2",
                            "question": "ماذا قالت الأرصاد عن الأمطار؟",
                            "answers": [{"text": "ستستمر أسبوعا", "answer_start": 0}],
                        },
                        {
                            "id": "q3",
                            "question": "لماذا ارتفعت أسعار الغاز؟",
                            "answers": [{"text": "أسعار الغاز", "answer_start": 0}],
                        },
                    ],
                },
            ],
        }
    ],
}


def test_squad_cases_make_one_article_per_paragraph_and_one_case_per_question() -> None:
    corpus, cases = squad_cases(SQUAD)
    assert [a.id for a in corpus.articles] == ["0-0", "0-1"]
    assert corpus.articles[1].paragraphs == (
        "هطلت أمطار غزيرة على العاصمة.",
        "وقالت الأرصاد إن الأمطار ستستمر أسبوعا.",
    )
    assert [(c.id, c.doc_id, c.answers, c.answerable) for c in cases] == [
        ("q1", "0-0", ("أسعار الغاز",), True),
        ("q2", "0-1", ("ستستمر أسبوعا",), True),
        ("q3", "0-1", ("أسعار الغاز",), True),
    ]


def test_squad_answer_counts_only_in_its_own_paragraph() -> None:
    corpus, cases = squad_cases(SQUAD)
    report = evaluate(Retriever(corpus, RetrievalConfig()), cases, decide=False)
    assert {r.case.id: r.rank for r in report.results} == {"q1": 1, "q2": 1, "q3": None}
    assert report.hit1 == pytest.approx(2 / 3)
