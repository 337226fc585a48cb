"""Choose the decline models' threshold for yes/no questions (``yes_no_threshold`` in decline.toml).

    python bench/yes_no_threshold.py [--questions tests/data/questions*.jsonl] [--write]

A yes/no question («هل زار بوتين كازاخستان؟») asks whether one thing is so; a sentence on its topic that
says neither yes nor no does not answer it, so the model asks more evidence of it than of an open
question. For each model (BM25's order, the encoder's), the yes/no questions of the tuning sets
(``retrieval.decide.asks_yes_no``; never the held-out sets) that reach the model — no rule declined
them first — are scored, and the threshold is the highest at which at most ``--max-wrong`` (5%) of
the sets' answerable yes/no questions are declined by it; never below the model's own threshold.
XQuAD-ar has no yes/no question («هل»), so its figures cannot move. --write stores both thresholds.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from calibrate_declines import MODEL

from retrieval.answer import load_retriever
from retrieval.config import RetrievalConfig
from retrieval.decide import load_models
from retrieval.evaluate import read_cases
from retrieval.text import normalize

GAP = 0.005


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--questions", type=Path, nargs="+", default=sorted(Path("tests/data").glob("questions*.jsonl"))
    )
    parser.add_argument("--max-wrong", type=float, default=0.05, help="answerable yes/no declined allowed")
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    retriever = load_retriever(Path("corpus"), RetrievalConfig(), cache=False)
    models = load_models()
    scored: dict[str, list[tuple[float, bool]]] = {"bm25": [], "encoder": []}
    answerable = 0
    for path in args.questions:
        for case in read_cases(path.read_text("utf-8").splitlines()):
            query = retriever.parse(case.question)
            if query.script != "arabic" or not retriever.asks_yes_no(query, normalize(case.question).split()):
                continue
            answerable += case.answerable
            answer = retriever.answer(case.question)
            if answer.declined and answer.reason != "weak match":
                continue  # a rule declined it before the model: the threshold cannot change that
            for name, text in (("bm25", None), ("encoder", retriever._encoder_text(case.question, query))):
                hits = retriever._hits(query, 10, text)
                if hits:
                    model = models.bm25 if name == "bm25" else models.encoder
                    scored[name].append((model.probability(retriever.evidence(query, hits)), case.answerable))
    allowed = int(args.max_wrong * answerable)
    chosen = {}
    for name, rows in scored.items():
        model = models.bm25 if name == "bm25" else models.encoder
        # Each candidate declines the questions scored below it; of those declining at most `allowed`
        # answerable ones, the one declining the most unanswerable ones, then the fewest answerable ones.
        # Only in a gap of at least GAP between two questions' scores: one a hair from the threshold would
        # flip with the slightest change of arithmetic (the encoder's differs between machines).
        scores = sorted(p for p, _ in rows)
        gaps = zip(scores, [*scores[1:], 1.0], strict=True)
        candidates = [round(low + 0.0001, 4) for low, high in gaps if high - low >= GAP]
        best = max(
            (t for t in [*candidates, model.threshold] if sum(p < t for p, a in rows if a) <= allowed),
            key=lambda t: (sum(p < t for p, a in rows if not a), -sum(p < t for p, a in rows if a), -t),
        )
        # halfway to the next question's score, so that a hair's change of a score moves nothing
        above = min((p for p, _ in rows if p >= best), default=best)
        below = max((p for p, _ in rows if p < best), default=best)
        threshold = max(model.threshold, round((below + above) / 2, 4))
        chosen[name] = threshold
        print(f"== {name}: {answerable} answerable yes/no questions, {allowed} may be declined")
        for t in sorted({0.2, 0.3, 0.4, 0.5, 0.6, threshold}):
            t = round(t, 4)
            wrong = sum(p < t for p, a in rows if a)
            right = sum(p < t for p, a in rows if not a)
            unanswerable = sum(not a for _, a in rows)
            mark = "  ← chosen" if t == round(threshold, 4) else ""
            print(f"  {t:.4f}: answerable declined {wrong}, unanswerable {right} of {unanswerable}{mark}")
    if args.write:
        text = MODEL.read_text("utf-8")
        for name, threshold in chosen.items():
            table = rf"(\[{name}\]\nbias = .*\nthreshold = .*\n)(?:yes_no_threshold = .*\n)?"
            line = f"yes_no_threshold = {threshold:.4f}\n"
            text = re.sub(table, lambda m, line=line: m.group(1) + line, text, count=1)
        MODEL.write_text(text, "utf-8")
        print(f"wrote {MODEL.name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
