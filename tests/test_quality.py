"""Answer quality on the dev questions with the bundled corpus and the committed config.toml."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import load_settings
from retrieval.answer import load_retriever
from retrieval.evaluate import Report, evaluate, judge_normalize, read_cases

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def report() -> Report:
    settings = load_settings(REPO / "config.toml", environ={})
    retriever = load_retriever(settings.corpus_path, settings.retrieval)
    cases = read_cases((REPO / "tests" / "data" / "dev.jsonl").read_text(encoding="utf-8").splitlines())
    return evaluate(retriever, cases)


def failing(report: Report, answerable: bool, wrong: str) -> str:
    """The questions behind a metric, one a line, for the assertion message."""
    lines = []
    for r in report.results:
        if r.case.answerable != answerable:
            continue
        if wrong == "miss@1" and r.rank == 1:
            continue
        if wrong == "miss@3" and r.rank is not None and r.rank <= 3:
            continue
        if wrong == "declined" and not r.declined:
            continue
        if wrong == "answered" and r.declined:
            continue
        verdict = "declined" if r.declined else f"rank {r.rank or '>10'}"
        top = r.shown[0][:80] if r.shown else "-"
        lines.append(f"  {r.case.id} [{verdict}] {r.case.question} -> {top}")
    return "\n" + "\n".join(lines)


def test_dev_set_is_big_enough_to_measure(report: Report) -> None:
    answerable = sum(r.case.answerable for r in report.results)
    assert answerable >= 30
    assert len(report.results) - answerable >= 5


def test_hit_at_1(report: Report) -> None:
    assert report.hit1 >= 0.90, f"Hit@1 {report.hit1:.3f}" + failing(report, True, "miss@1")


def test_hit_at_3(report: Report) -> None:
    assert report.hit3 >= 0.97, f"Hit@3 {report.hit3:.3f}" + failing(report, True, "miss@3")


def test_unanswerable_questions_are_declined(report: Report) -> None:
    # Every one: «كم عدد سكان كازاخستان؟» is declined for «سكان», a thing the corpus never counts.
    assert report.unanswerable_declined == 1.0, "answered:" + failing(report, False, "answered")


@pytest.fixture(scope="module")
def styles() -> Report:
    settings = load_settings(REPO / "config.toml", environ={})
    retriever = load_retriever(settings.corpus_path, settings.retrieval)
    lines = (REPO / "tests" / "data" / "questions.jsonl").read_text(encoding="utf-8").splitlines()
    return evaluate(retriever, read_cases(lines))


def test_user_style_questions_floor(styles: Report) -> None:
    """Floors at the measured figures on the tuning set (README, "Quality"), so they cannot slip back."""
    # Set so that they hold with BM25 alone too (where the encoder cannot load: Hit@1 0.739, Hit@3
    # 0.830, 9.1% of answerable questions declined, 68% of unanswerable ones declined); with it, Hit@1
    # 0.824, Hit@3 0.903, 3.6% declined, 68% of unanswerable ones declined.
    assert styles.hit1 >= 0.72, f"Hit@1 {styles.hit1:.3f}"
    assert styles.hit3 >= 0.81, f"Hit@3 {styles.hit3:.3f}"
    assert styles.false_declines <= 0.10, f"false declines {styles.false_declines:.3f}"
    assert styles.unanswerable_declined >= 0.65, f"declined {styles.unanswerable_declined:.3f}"


def test_few_answerable_questions_are_declined(report: Report) -> None:
    assert report.false_declines <= 0.03, f"false declines {report.false_declines:.3f}" + failing(
        report, True, "declined"
    )


@pytest.mark.parametrize(
    "name",
    [
        "dev.jsonl",
        "questions.jsonl",
        "questions2.jsonl",
        "questions3.jsonl",
        "questions4.jsonl",
        "questions5.jsonl",
        "questions6.jsonl",
        "questions7.jsonl",
        "questions8.jsonl",
        "questions9.jsonl",
        "questions10.jsonl",
        "questions11.jsonl",
        "questions12.jsonl",
        "questions13.jsonl",
        "questions14.jsonl",
        "questions15.jsonl",
        "questions16.jsonl",
        "questions17.jsonl",
        "questions18.jsonl",
        "questions19.jsonl",
        "questions20.jsonl",
        "questions21.jsonl",
        "heldout.jsonl",
        "heldout2.jsonl",
        "heldout3.jsonl",
        "heldout4.jsonl",
        "heldout5.jsonl",
        "heldout6.jsonl",
        "heldout7.jsonl",
        "heldout8.jsonl",
        "heldout9.jsonl",
        "heldout10.jsonl",
        "heldout11.jsonl",
        "heldout12.jsonl",
        "heldout13.jsonl",
        "heldout14.jsonl",
        "heldout15.jsonl",
        "heldout16.jsonl",
        "heldout17.jsonl",
        "heldout18.jsonl",
        "heldout19.jsonl",
        "heldout20.jsonl",
    ],
)
def test_question_sets_are_well_formed_and_their_answers_are_quoted_from_the_corpus(name: str) -> None:
    """Every set parses, its ids are unique, and every gold answer is a quotation of the bundled articles
    (judged as the evaluation judges: normalised), so a set cannot silently ask for text that is not there."""
    lines = (REPO / "tests" / "data" / name).read_text(encoding="utf-8").splitlines()
    cases = read_cases(lines)
    assert len({case.id for case in cases}) == len(cases)
    corpus = judge_normalize(
        " ".join(
            path.read_text(encoding="utf-8") for path in sorted((REPO / "corpus" / "articles").glob("*.md"))
        )
    )
    unquoted = [(case.id, a) for case in cases for a in case.answers if judge_normalize(a) not in corpus]
    assert not unquoted, unquoted
    assert all(case.answers for case in cases if case.answerable)
