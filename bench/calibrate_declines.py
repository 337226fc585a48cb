"""Fit the decline model (retrieval/data/decline.toml) on answerable and unanswerable question pairs.

    python bench/calibrate_declines.py XQUAD.json [--questions tests/data/questions.jsonl] [--write]

Pairs are built the way SQuAD 2.0 builds them: every XQuAD-ar question against the full corpus is
answerable; the same question against the corpus without its own paragraph (the article's other
paragraphs keep the topic present) is unanswerable. Our own question set on the bundled corpus adds
user-style questions, answerable and not. A logistic model (numpy, L2) is fitted on the even XQuAD
articles and the tuning questions; the threshold is the lowest that keeps wrong declines of answerable
XQuAD questions at or under 1% on that split, and at most 5% on the tuning questions. Precision and
recall are then reported on the odd (held-out) XQuAD articles. --write stores the weights.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from retrieval.answer import Retriever, load_retriever
from retrieval.config import RetrievalConfig
from retrieval.decide import FEATURES
from retrieval.errors import EmptyQuestionError
from retrieval.evaluate import read_cases, squad_cases
from retrieval.models import Corpus

MODEL = Path(__file__).resolve().parents[1] / "retrieval" / "data" / "decline.toml"


def features_of(retriever: Retriever, question: str) -> list[float] | None:
    """The feature vector of ``question``, or None when it is declined before the model is asked."""
    try:
        query = retriever.parse(question)
    except EmptyQuestionError:
        return None
    if query.script == "english" or retriever.absent_entity(query):
        return None
    hits = retriever._hits(query, 10)
    if not hits:
        return None
    values = retriever.evidence(query, hits)
    return [values[name] for name in FEATURES]


def squad_rows(path: Path, config: RetrievalConfig) -> tuple[list[list[float]], list[int], list[int]]:
    """(features, label, article number) for every XQuAD question with and without its paragraph."""
    corpus, cases = squad_cases(json.loads(path.read_text("utf-8")))
    full = Retriever(corpus, config)
    rows: list[list[float]] = []
    labels: list[int] = []
    groups: list[int] = []
    by_doc: dict[str, list[str]] = {}
    for case in cases:
        by_doc.setdefault(str(case.doc_id), []).append(case.question)
    for number, (doc, questions) in enumerate(by_doc.items()):
        article = int(doc.split("-")[0])
        kept = tuple(a for a in corpus.articles if a.id != doc)
        without = Retriever(Corpus(kept), config, full.pipeline)
        for question in questions:
            for retriever, label in ((full, 1), (without, 0)):
                values = features_of(retriever, question)
                if values is not None:
                    rows.append(values)
                    labels.append(label)
                    groups.append(article)
        if number % 40 == 39:
            print(f"paragraphs {number + 1}/{len(by_doc)}", file=sys.stderr)
    return rows, labels, groups


def own_rows(path: Path, config: RetrievalConfig) -> tuple[list[list[float]], list[int]]:
    retriever = load_retriever(Path("corpus"), config, cache=False)
    rows, labels = [], []
    for case in read_cases(path.read_text("utf-8").splitlines()):
        values = features_of(retriever, case.question)
        if values is not None:
            rows.append(values)
            labels.append(int(case.answerable))
    return rows, labels


def fit(x: np.ndarray, y: np.ndarray, w: np.ndarray, l2: float = 1.0) -> np.ndarray:
    """Weighted L2-regularised logistic regression by Newton's method; returns [bias, weights...]."""
    design = np.hstack([np.ones((len(x), 1)), x])
    theta = np.zeros(design.shape[1])
    penalty = np.diag(np.r_[0.0, np.full(design.shape[1] - 1, l2)])
    for _ in range(50):
        p = 1 / (1 + np.exp(-np.clip(design @ theta, -30, 30)))
        grad = design.T @ (w * (p - y)) + penalty @ theta
        hessian = design.T @ (design * (w * p * (1 - p))[:, None]) + penalty
        step = np.linalg.solve(hessian, grad)
        theta -= step
        if np.abs(step).max() < 1e-8:
            break
    return theta


def probabilities(theta: np.ndarray, x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-(theta[0] + x @ theta[1:])))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("squad", type=Path)
    parser.add_argument("--questions", type=Path, default=Path("tests/data/questions.jsonl"))
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--features", type=Path, help="keep the computed features in this .npz and reuse it")
    parser.add_argument("--max-wrong", type=float, default=0.01, help="XQuAD wrong declines allowed")
    parser.add_argument("--max-wrong-own", type=float, default=0.05, help="own-set wrong declines allowed")
    args = parser.parse_args()
    config = RetrievalConfig()
    if args.features and args.features.exists():
        kept = np.load(args.features)
        sx, sy, sg, ox, oy = (kept[k] for k in ("sx", "sy", "sg", "ox", "oy"))
    else:
        sx, sy, sg = squad_rows(args.squad, config)
        ox, oy = own_rows(args.questions, config)
        if args.features:
            np.savez(args.features, sx=sx, sy=sy, sg=sg, ox=ox, oy=oy)
    sx_a, sy_a, sg_a = np.array(sx), np.array(sy, dtype=float), np.array(sg)
    ox_a, oy_a = np.array(ox), np.array(oy, dtype=float)
    train = sg_a % 2 == 0
    x = np.vstack([sx_a[train], ox_a])
    y = np.r_[sy_a[train], oy_a]
    # The own questions are few but are the users' voice: weigh them as much as the XQuAD pairs.
    weight = np.r_[np.ones(train.sum()), np.full(len(oy_a), train.sum() / max(1, len(oy_a)))]
    theta = fit(x, y, weight)
    p_train, p_own, p_test = probabilities(theta, sx_a[train]), probabilities(theta, ox_a), None
    p_test = probabilities(theta, sx_a[~train])
    threshold = 0.0
    for candidate in np.linspace(0.05, 0.95, 181):
        wrong = np.mean(p_train[sy_a[train] == 1] < candidate)
        wrong_own = np.mean(p_own[oy_a == 1] < candidate)
        if wrong <= args.max_wrong and wrong_own <= args.max_wrong_own:
            threshold = float(candidate)
    print("feature weights:", {n: round(float(v), 3) for n, v in zip(FEATURES, theta[1:], strict=True)})
    print(f"bias {theta[0]:.3f}  threshold {threshold:.3f}")
    print("held-out XQuAD articles (odd): threshold → unanswerable declined (recall), wrong declines")
    test_y = sy_a[~train]
    for t in sorted({*np.round(np.linspace(0.1, 0.9, 9), 2), round(threshold, 3)}):
        declined = p_test < t
        recall = float(np.mean(declined[test_y == 0]))
        wrong = float(np.mean(declined[test_y == 1]))
        precision = float(np.mean(test_y[declined] == 0)) if declined.any() else 1.0
        mark = "  ← chosen" if abs(t - threshold) < 1e-9 else ""
        print(f"  {t:.3f}  recall {recall:.3f}  precision {precision:.3f}  wrong declines {wrong:.3f}{mark}")
    own_declined = p_own < threshold
    print(
        f"own questions: unanswerable declined {np.mean(own_declined[oy_a == 0]):.3f}, "
        f"wrong declines {np.mean(own_declined[oy_a == 1]):.3f} (before the entity rule)"
    )
    if args.write:
        lines = [
            "# The decline model: P(the corpus answers the question) = sigmoid(bias + Σ weight × feature),",
            '# declined below `threshold`. Written by bench/calibrate_declines.py (README, "Knowing when',
            '# not to answer"); refit it rather than editing by hand.',
            "[model]",
            f"bias = {theta[0]:.4f}",
            f"threshold = {threshold:.4f}",
            "",
            "[weights]",
            *(f"{n} = {v:.4f}" for n, v in zip(FEATURES, theta[1:], strict=True)),
        ]
        MODEL.write_text("\n".join(lines) + "\n", "utf-8")
        print(f"wrote {MODEL.name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
