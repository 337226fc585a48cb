"""Typing slips: Hit@1 and wrong declines when one word of each question is mistyped.

    python bench/typos.py [--questions FILE.jsonl] [--styles msa,gulf] [--seeds 1,2,3] [--misread]

Takes the answerable questions of a question set (default ``tests/data/questions.jsonl``, its Standard
Arabic rows) and, for each seed, mistypes one word of four letters or more per question in each of four
ways: a letter left out, two neighbouring letters swapped, a letter typed twice, and a letter replaced by
its look-alike or keyboard neighbour (أ/ا, ة/ه, ى/ي, ض/ص, ت/ط, ذ/ز, ك/ق…). Prints Hit@1 and the share
wrongly declined for the clean questions and for each kind of slip, averaged over the seeds, on the
bundled corpus as served. ``--misread`` lists the questions a slip moved off the first place.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import random
import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.settings import load_settings
from retrieval.answer import load_retriever
from retrieval.evaluate import evaluate, read_cases

REPO = Path(__file__).resolve().parents[1]
_NEIGHBOURS = dict(zip("اأةهىيضصتطذزسصظضحهكق", "أاهةيىصضطتزذصسضظهحقك", strict=True))


def _slip(kind: str, rng: random.Random) -> Callable[[str], str]:
    def mistype(word: str) -> str:
        j = rng.randrange(1, len(word) - 1)
        if kind == "left out":
            return word[:j] + word[j + 1 :]
        if kind == "swapped":
            return word[: j - 1] + word[j] + word[j - 1] + word[j + 1 :]
        if kind == "twice":
            return word[:j] + word[j] + word[j:]
        return word[:j] + _NEIGHBOURS.get(word[j], word[j]) + word[j + 1 :]

    return mistype


def mistyped(question: str, mistype: Callable[[str], str], rng: random.Random) -> str:
    """``question`` with one of its words of four letters or more mistyped."""
    words = question.split()
    long = [i for i, w in enumerate(words) if len(w) >= 4]
    if long:
        i = rng.choice(long)
        words[i] = mistype(words[i])
    return " ".join(words)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--questions", type=Path, default=REPO / "tests" / "data" / "questions.jsonl")
    parser.add_argument("--styles", default="msa", help="comma-separated styles, or 'all'")
    parser.add_argument("--seeds", default="1,2,3")
    parser.add_argument("--config", type=Path, default=REPO / "config.toml")
    parser.add_argument("--misread", action="store_true", help="list the questions a slip moved")
    args = parser.parse_args()

    lines = [line for line in args.questions.read_text(encoding="utf-8").splitlines() if line.strip()]
    styles = set(args.styles.split(","))
    rows = [json.loads(line) for line in lines]
    kept = [
        line for line, row in zip(lines, rows, strict=True) if "all" in styles or row.get("style") in styles
    ]
    cases = [case for case in read_cases(kept) if case.answerable]
    settings = load_settings(args.config)
    retriever = load_retriever(settings.corpus_path, settings.retrieval)
    clean = evaluate(retriever, cases)
    print(f"{len(cases)} answerable questions, styles {args.styles}")
    print(f"  clean       Hit@1 {clean.hit1:.3f}  wrongly declined {clean.summary()['false_declines']:.3f}")
    seeds = [int(s) for s in args.seeds.split(",")]
    for kind in ("left out", "swapped", "twice", "look-alike"):
        hits, declined = [], []
        for seed in seeds:
            rng = random.Random(seed)
            mistype = _slip(kind, rng)
            slipped = [dataclasses.replace(c, question=mistyped(c.question, mistype, rng)) for c in cases]
            report = evaluate(retriever, slipped)
            hits.append(report.hit1)
            declined.append(report.summary()["false_declines"])
            if args.misread:
                for before, after in zip(clean.results, report.results, strict=True):
                    if before.rank == 1 and after.rank != 1:
                        print(f"    {kind}: {after.case.question} → rank {after.rank}")
        print(
            f"  {kind:11s} Hit@1 {sum(hits) / len(hits):.3f}  "
            f"wrongly declined {sum(declined) / len(declined):.3f}  (seeds {args.seeds})"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
