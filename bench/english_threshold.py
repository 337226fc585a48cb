"""The English threshold: how often the encoder's best cosine clears it, with and without the answer.

    python bench/english_threshold.py XQUAD_EN.json [--thresholds 0.76,0.77,0.78,0.79,0.80]

English questions are answered by the sentence encoder alone (``Retriever.rank_by_vector``) when the best
sentence's cosine is at least ``retrieval.english.ENGLISH_MIN_COSINE``. This builds answerable and
unanswerable pairs the SQuAD 2.0 way from XQuAD's English questions over its Arabic paragraphs
(``xquad.en-questions.ar-contexts.json``): each question against every sentence (answerable: its own
paragraph holds the answer), and against every sentence but its own paragraph's (unanswerable: the
article's other paragraphs keep the topic present). For each threshold it prints, on the even and the
odd articles apart, the share of answerable questions declined (below the threshold) and of
unanswerable ones declined. The operating point is chosen on the even articles; the odd ones report it.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from retrieval.answer import Retriever
from retrieval.config import RetrievalConfig
from retrieval.encoder import load_encoder
from retrieval.evaluate import squad_cases

# Sentences searched for the best one outside the question's own paragraph (a paragraph has fewer).
DEPTH = 60


def best_cosines(retriever: Retriever, question: str, own: str) -> tuple[float, float] | None:
    """The best cosine over every sentence, and over the sentences outside paragraph ``own``."""
    query = retriever.parse(question)
    if query.script != "english":
        return None
    hits = retriever.rank_by_vector(query.focus or question, DEPTH)
    if not hits:
        return None
    others = [h for h in hits if all(c.doc_id != own for c in h.citations)]
    return hits[0].cosine or 0.0, (others[0].cosine or 0.0) if others else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("squad", type=Path, help="XQuAD's English questions over Arabic paragraphs")
    parser.add_argument("--thresholds", default="0.76,0.77,0.78,0.79,0.80,0.81")
    args = parser.parse_args()
    corpus, cases = squad_cases(json.loads(args.squad.read_text(encoding="utf-8")))
    encoder = load_encoder("e5")
    if encoder is None:
        print("the sentence encoder is not installed: nothing to measure", file=sys.stderr)
        return 1
    retriever = Retriever(corpus, RetrievalConfig(), encoder=encoder)
    pairs: dict[bool, list[tuple[float, float]]] = {True: [], False: []}
    for case in cases:
        found = best_cosines(retriever, case.question, case.doc_id or "")
        if found is not None:
            pairs[int((case.doc_id or "0").split("-")[0]) % 2 == 0].append(found)
    print(f"English questions: {len(pairs[True])} on even articles, {len(pairs[False])} on odd ones")
    print("threshold  even: answerable declined / unanswerable declined   odd: the same")
    for threshold in (float(t) for t in args.thresholds.split(",")):
        cells = []
        for even in (True, False):
            rows = pairs[even] or [(0.0, 0.0)]
            answerable = sum(best < threshold for best, _ in rows) / len(rows)
            unanswerable = sum(other < threshold for _, other in rows) / len(rows)
            cells.append(f"{answerable:.3f} / {unanswerable:.3f}")
        print(f"{threshold:9.2f}  {cells[0]:>45}   {cells[1]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
