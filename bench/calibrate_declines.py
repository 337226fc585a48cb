"""Fit the decline model (retrieval/data/decline.toml) on answerable and unanswerable question pairs.

    python bench/calibrate_declines.py XQUAD.json [--questions tests/data/questions*.jsonl] [--write]

Pairs are built the way SQuAD 2.0 builds them: every XQuAD-ar question against the full corpus is
answerable; the same question against the corpus without its own paragraph (the article's other
paragraphs keep the topic present) is unanswerable. Our own tuning sets on the bundled corpus
(tests/data/questions*.jsonl; never the held-out ones) add user-style questions, answerable and not,
those the model decides (a rule declines the others first). A logistic model (numpy, L2) is fitted on
the even XQuAD articles and the tuning questions; the threshold is the highest that keeps wrong
declines of answerable XQuAD questions at or under 0.3% on that split (--max-wrong), and at most 5% on
the tuning questions.
Precision and recall are then reported on the odd (held-out) XQuAD articles. --write stores the weights.
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
from retrieval.decide import BM25_FEATURES, FEATURES, load_models
from retrieval.encoder import Encoder, load_encoder
from retrieval.errors import EmptyQuestionError
from retrieval.evaluate import read_cases, squad_cases
from retrieval.index import SentenceIndex
from retrieval.models import Corpus
from retrieval.vectors import SentenceVectors

MODEL = Path(__file__).resolve().parents[1] / "retrieval" / "data" / "decline.toml"


def features_of(retriever: Retriever, question: str, encoded: bool) -> list[float] | None:
    """The feature vector of ``question``, or None when it is declined before the model is asked.

    ``encoded``: ranked as served with the encoder (else BM25's order, as without it).
    """
    try:
        query = retriever.parse(question)
    except EmptyQuestionError:
        return None
    if query.script == "english" or retriever.absent_entity(query):
        return None
    text = retriever._encoder_text(question, query) if encoded else None
    hits = retriever._hits(query, 10, text)  # the very ranking the answer path uses
    if not hits:
        return None
    values = retriever.evidence(query, hits)
    return [values[name] for name in FEATURES]


Rows = tuple[list[list[float]], list[list[float]], list[int], list[int]]


def _add(rows: Rows, retriever: Retriever, question: str, label: int, group: int) -> None:
    """Both feature vectors of ``question`` (BM25's order, the encoder's), when both exist."""
    plain = features_of(retriever, question, False)
    encoded = features_of(retriever, question, True)
    if plain is not None and encoded is not None:
        rows[0].append(plain)
        rows[1].append(encoded)
        rows[2].append(label)
        rows[3].append(group)


def squad_rows(path: Path, config: RetrievalConfig, encoder: Encoder) -> Rows:
    """Features, label and article number for every XQuAD question with and without its paragraph."""
    corpus, cases = squad_cases(json.loads(path.read_text("utf-8")))
    plain = Retriever(corpus, config)
    vectors = SentenceVectors.build(plain.index.table, plain.index.articles, encoder, progress=True)
    full = Retriever(corpus, config, plain.pipeline, index=plain.index, encoder=encoder, vectors=vectors)
    rows: Rows = ([], [], [], [])
    by_doc: dict[str, list[str]] = {}
    for case in cases:
        by_doc.setdefault(str(case.doc_id), []).append(case.question)
    for number, (doc, questions) in enumerate(by_doc.items()):
        article = int(doc.split("-")[0])
        kept = tuple(a for a in corpus.articles if a.id != doc)
        index = SentenceIndex(kept, full.pipeline, config.k1, config.b, config.context_weight)
        reduced, _ = SentenceVectors.update(vectors, index.table, kept, encoder)  # reused, none encoded
        without = Retriever(
            Corpus(kept), config, full.pipeline, index=index, encoder=encoder, vectors=reduced
        )
        for question in questions:
            _add(rows, full, question, 1, article)
            _add(rows, without, question, 0, article)
        if number % 40 == 39:
            print(f"paragraphs {number + 1}/{len(by_doc)}", file=sys.stderr)
    return rows


def own_rows(paths: list[Path], config: RetrievalConfig) -> Rows:
    """Features and label of our own questions the model decides: those a rule declines before it
    (a count the sources never give, a role they never name, an unknown topic…) teach it nothing."""
    retriever = load_retriever(Path("corpus"), config, cache=False)
    rows: Rows = ([], [], [], [])
    for path in paths:
        for case in read_cases(path.read_text("utf-8").splitlines()):
            answer = retriever.answer(case.question)
            if answer.declined and answer.reason != "weak match":
                continue
            _add(rows, retriever, case.question, int(case.answerable), -1)
    return rows


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


def choose(
    x: np.ndarray, y: np.ndarray, g: np.ndarray, ox: np.ndarray, oy: np.ndarray, args: argparse.Namespace
) -> tuple[np.ndarray, float]:
    """Fit on the even XQuAD articles and the own questions; print the curve on the odd articles."""
    train = g % 2 == 0
    design = np.vstack([x[train], ox])
    labels = np.r_[y[train], oy]
    # The own questions are few but are the users' voice: weigh them as much as the XQuAD pairs.
    weight = np.r_[np.ones(train.sum()), np.full(len(oy), train.sum() / max(1, len(oy)))]
    theta = fit(design, labels, weight)
    p_train, p_own, p_test = (
        probabilities(theta, x[train]),
        probabilities(theta, ox),
        probabilities(theta, x[~train]),
    )
    threshold = 0.0
    for candidate in np.linspace(0.05, 0.95, 181):
        wrong = np.mean(p_train[y[train] == 1] < candidate)
        wrong_own = np.mean(p_own[oy == 1] < candidate)
        if wrong <= args.max_wrong and wrong_own <= args.max_wrong_own:
            threshold = float(candidate)
    test_y = y[~train]
    print("held-out XQuAD articles (odd): threshold → unanswerable declined (recall), wrong declines")
    for t in sorted({*np.round(np.linspace(0.1, 0.9, 9), 2), round(threshold, 3)}):
        declined = p_test < t
        recall = float(np.mean(declined[test_y == 0]))
        wrong = float(np.mean(declined[test_y == 1]))
        precision = float(np.mean(test_y[declined] == 0)) if declined.any() else 1.0
        mark = "  ← chosen" if abs(t - threshold) < 1e-9 else ""
        print(f"  {t:.3f}  recall {recall:.3f}  precision {precision:.3f}  wrong declines {wrong:.3f}{mark}")
    own_declined = p_own < threshold
    print(
        f"own questions: unanswerable declined {np.mean(own_declined[oy == 0]):.3f}, "
        f"wrong declines {np.mean(own_declined[oy == 1]):.3f} (before the entity rule)"
    )
    return theta, threshold


def _table(
    name: str, names: tuple[str, ...], theta: np.ndarray, threshold: float, yes_no: float | None
) -> list[str]:
    return [
        f"[{name}]",
        f"bias = {theta[0]:.4f}",
        f"threshold = {threshold:.4f}",
        *([f"yes_no_threshold = {yes_no:.4f}"] if yes_no is not None else []),
        "",
        f"[{name}.weights]",
        *(f"{n} = {v:.4f}" for n, v in zip(names, theta[1:], strict=True)),
        "",
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("squad", type=Path)
    parser.add_argument(
        "--questions", type=Path, nargs="+", default=sorted(Path("tests/data").glob("questions*.jsonl"))
    )
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--features", type=Path, help="keep the computed features in this .npz and reuse it")
    parser.add_argument("--max-wrong", type=float, default=0.003, help="XQuAD wrong declines allowed")
    parser.add_argument("--max-wrong-own", type=float, default=0.05, help="own-set wrong declines allowed")
    args = parser.parse_args()
    config = RetrievalConfig()
    if args.features and args.features.exists():
        kept = np.load(args.features)
        arrays = [kept[k] for k in ("sx", "se", "sy", "sg", "ox", "oe", "oy")]
    else:
        encoder = load_encoder("e5")
        if encoder is None:
            print("the e5 encoder cannot load here: both models need it", file=sys.stderr)
            return 2
        sx, se, sy, sg = squad_rows(args.squad, config, encoder)
        ox, oe, oy, _ = own_rows(args.questions, config)
        arrays = [np.array(a, dtype=float) for a in (sx, se, sy, sg, ox, oe, oy)]
        if args.features:
            np.savez(
                args.features, **dict(zip(("sx", "se", "sy", "sg", "ox", "oe", "oy"), arrays, strict=True))
            )
    sx, se, sy, sg, ox, oe, oy = arrays
    plain = len(BM25_FEATURES)
    print("== without the encoder (BM25's order)")
    theta_b, threshold_b = choose(sx[:, :plain], sy, sg, ox[:, :plain], oy, args)
    print("weights:", {n: round(float(v), 3) for n, v in zip(BM25_FEATURES, theta_b[1:], strict=True)})
    print("== with the encoder (fused order, the top sentence's cosine too)")
    theta_e, threshold_e = choose(se, sy, sg, oe, oy, args)
    print("weights:", {n: round(float(v), 3) for n, v in zip(FEATURES, theta_e[1:], strict=True)})
    if args.write:
        current = load_models()  # the yes/no thresholds are kept (bench/yes_no_threshold.py chooses them)
        lines = [
            "# The decline models: P(the corpus answers the question) = sigmoid(bias + Σ weight × feature),",
            "# declined below `threshold`; [bm25] for BM25's ranking, [encoder] when the sentence encoder",
            "# re-ranked (it also weighs the best sentence's cosine). Written by bench/calibrate_declines.py",
            '# (README, "Knowing when not to answer"); refit them rather than editing by hand. A yes/no',
            "# question is declined below `yes_no_threshold` (chosen by bench/yes_no_threshold.py).",
            "",
            *_table("bm25", BM25_FEATURES, theta_b, threshold_b, current.bm25.yes_no_threshold),
            *_table("encoder", FEATURES, theta_e, threshold_e, current.encoder.yes_no_threshold),
        ]
        MODEL.write_text("\n".join(lines), "utf-8")
        print(f"wrote {MODEL.name}; choose the yes/no thresholds again: bench/yes_no_threshold.py --write")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
