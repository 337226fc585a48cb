"""Answer-quality metrics: Hit@1, Hit@3, MRR@10, declines, on our JSONL question sets and SQuAD files.

Pure: callers read the files and pass parsed data in.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from retrieval.answer import Retriever
from retrieval.errors import EmptyQuestionError
from retrieval.models import Article, Corpus, Hit

T = TypeVar("T")

# The judges' folding, a copy kept apart from retrieval.text's LETTER_FOLDS on purpose: answers are judged
# by the fixed rules of shared/eval/README, so a change to retrieval's own folding cannot move the scores.
_JUDGE_LETTERS = str.maketrans(
    {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ؤ": "و", "ئ": "ي"}
    | {chr(0x0660 + i): str(i) for i in range(10)}
    | {chr(0x06F0 + i): str(i) for i in range(10)}
)
_JUDGE_MARKS = re.compile("[\u064b-\u065f\u0670\u0640]")


def judge_normalize(text: str) -> str:
    """The judging normalisation of shared/eval/README (kept apart from retrieval's own)."""
    text = _JUDGE_MARKS.sub("", unicodedata.normalize("NFKC", text)).translate(_JUDGE_LETTERS)
    text = "".join(" " if unicodedata.category(ch)[0] in "PS" else ch for ch in text)
    return " ".join(text.split())


@dataclass(frozen=True)
class EvalCase:
    id: str
    question: str
    answerable: bool
    answers: tuple[str, ...] = ()
    doc_id: str | None = None  # SQuAD: the paragraph holding the answer
    style: str = ""  # how the question is written (msa, gulf, arabizi, …): optional in question files


@dataclass(frozen=True)
class CaseResult:
    case: EvalCase
    declined: bool
    rank: int | None  # 1-based rank of the first correct sentence within the top 10
    shown: tuple[str, ...]
    missing_terms: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        if not self.case.answerable:
            return self.declined
        return self.rank == 1


@dataclass(frozen=True)
class Report:
    results: tuple[CaseResult, ...]
    sentences: int = 0
    extra: Mapping[str, Any] = field(default_factory=dict)

    def _answerable(self) -> list[CaseResult]:
        return [r for r in self.results if r.case.answerable]

    def _share(self, values: Sequence[float]) -> float:
        return sum(values) / len(values) if values else 0.0

    @property
    def hit1(self) -> float:
        return self._share([r.rank == 1 for r in self._answerable()])

    @property
    def hit3(self) -> float:
        return self._share([r.rank is not None and r.rank <= 3 for r in self._answerable()])

    @property
    def mrr10(self) -> float:
        return self._share([1 / r.rank if r.rank else 0.0 for r in self._answerable()])

    @property
    def unanswerable_declined(self) -> float:
        rows = [r.declined for r in self.results if not r.case.answerable]
        return self._share(rows) if rows else 1.0

    @property
    def false_declines(self) -> float:
        return self._share([r.declined for r in self._answerable()])

    @property
    def failures(self) -> tuple[CaseResult, ...]:
        return tuple(r for r in self.results if not r.ok)

    def by_style(self) -> dict[str, Report]:
        """One report per question style (cases without a style are left out), styles in name order."""
        styles = sorted({r.case.style for r in self.results if r.case.style})
        return {
            style: Report(tuple(r for r in self.results if r.case.style == style), self.sentences)
            for style in styles
        }

    def summary(self) -> dict[str, Any]:
        answerable = len(self._answerable())
        return {
            "questions": len(self.results),
            "answerable": answerable,
            "unanswerable": len(self.results) - answerable,
            "sentences": self.sentences,
            "hit@1": round(self.hit1, 4),
            "hit@3": round(self.hit3, 4),
            "mrr@10": round(self.mrr10, 4),
            "unanswerable_declined": round(self.unanswerable_declined, 4),
            "false_declines": round(self.false_declines, 4),
            **self.extra,
        }


def read_rows(lines: Iterable[str], what: str, parse: Callable[[Any], T]) -> list[T]:
    """``parse`` of every JSON line (blank lines skipped); raises ValueError naming the bad line as not a
    ``what`` row."""
    rows = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            rows.append(parse(json.loads(line)))
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"line {number}: not a {what} row ({exc})") from None
    return rows


def read_cases(lines: Iterable[str]) -> list[EvalCase]:
    """Parse dev.jsonl-style rows; raises ValueError naming the bad line."""
    return read_rows(lines, "question", _case)


def _case(row: Any) -> EvalCase:
    answers = row["answers"]
    if not isinstance(row["question"], str) or not isinstance(row["answerable"], bool):
        raise TypeError("question must be a string and answerable true or false")
    if not isinstance(answers, list) or not all(isinstance(a, str) for a in answers):
        raise TypeError("answers must be a list of strings")
    style = row.get("style", "")
    if not isinstance(style, str):
        raise TypeError("style must be a string")
    return EvalCase(str(row["id"]), row["question"], row["answerable"], tuple(answers), style=style)


def _is_correct(hit: Hit, case: EvalCase, answers: Sequence[str]) -> bool:
    if case.doc_id is not None and all(c.doc_id != case.doc_id for c in hit.citations):
        return False
    text = judge_normalize(hit.sentence.text)
    return any(a and a in text for a in answers)


def _first_correct(hits: Sequence[Hit], case: EvalCase) -> int | None:
    answers = [judge_normalize(a) for a in case.answers]
    for rank, hit in enumerate(hits[:10], start=1):
        if _is_correct(hit, case, answers):
            return rank
    return None


def evaluate(retriever: Retriever, cases: Sequence[EvalCase], decide: bool = True) -> Report:
    """Run every case; with ``decide`` the decline decision counts (a declined answerable row misses)."""
    results = []
    for case in cases:
        try:
            if decide:
                answer = retriever.answer(case.question, top_k=10)
                hits, declined, missing = list(answer.hits), answer.declined, answer.missing_terms
            else:
                hits, declined, missing = retriever.rank(case.question, top_k=10), False, ()
        except EmptyQuestionError:
            hits, declined, missing = [], True, ()
        rank = None if declined else _first_correct(hits, case)
        shown = tuple(h.sentence.text for h in hits[:3])
        results.append(CaseResult(case, declined, rank, shown, missing))
    return Report(tuple(results), sentences=len(retriever.index))


def squad_cases(data: Mapping[str, Any]) -> tuple[Corpus, list[EvalCase]]:
    """A SQuAD-format dict → one article per paragraph, one case per question (judged by its answers)."""
    articles: list[Article] = []
    cases: list[EvalCase] = []
    for a, item in enumerate(data["data"]):
        for p, paragraph in enumerate(item["paragraphs"]):
            doc_id = f"{a}-{p}"
            context = paragraph["context"]
            paragraphs = tuple(split_sentences_keep(context))
            articles.append(Article(doc_id, "", paragraphs, path=item.get("title", "")))
            for qa in paragraph["qas"]:
                answers = tuple(ans["text"] for ans in qa["answers"])
                cases.append(EvalCase(str(qa["id"]), qa["question"], True, answers, doc_id))
    return Corpus(tuple(articles)), cases


def split_sentences_keep(context: str) -> list[str]:
    """A context as one paragraph per line break (the index splits sentences itself)."""
    return [line for line in context.splitlines() if line.strip()] or [context]


def baseline_report(retriever: Retriever, cases: Sequence[EvalCase]) -> Report:
    """The floor: plain rank-bm25 over whitespace tokens of the very same sentences, ranking only."""
    from rank_bm25 import BM25Okapi

    entries = retriever.index.entries
    bm25 = BM25Okapi([e.sentence.text.split() or [""] for e in entries])
    results = []
    for case in cases:
        words = case.question.split()
        scores = bm25.get_scores(words) if words else []
        order = sorted(range(len(entries)), key=lambda i: (-scores[i], i))[:10]
        hits = [Hit(entries[i].sentence, float(scores[i]), entries[i].citations) for i in order]
        results.append(CaseResult(case, False, _first_correct(hits, case), ()))
    return Report(tuple(results), sentences=len(entries))
