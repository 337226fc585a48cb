"""Hybrid ranking: BM25's candidates re-ordered by BM25 fused with a sentence encoder's cosine similarity.

BM25 stays the first stage: it picks the candidates (``retrieval.encoder_depth`` of them) and the
encoder only re-orders those. Both scores are min-max scaled over the candidates and mixed,
``(1 - weight) * bm25 + weight * cosine``. The cosines are scaled by their spread but by at least
``COSINE_SPAN`` (0.1): e5's similarities crowd into a narrow band (about 0.75–0.9), and among a handful
of candidates (a small corpus) a gap of 0.02 must not count as much as BM25's whole range. Over 100
candidates the spread is wider than that and the floor changes nothing measurable (XQuAD-ar Hit@1 /
Hit@3 0.734 / 0.879 without it, 0.733 / 0.877 with it; dev figures the same).

Chosen by measurement (README, "Hybrid ranking"): on half of XQuAD-ar's articles and the dev
questions, min-max at weight 0.5 and depth 100 did best among z-score fusion, min-max fusion and
reciprocal-rank fusion at weights 0.2–0.7 and depths 20–100 without lowering a dev figure (0.55
already costs dev Hit@3); the other half confirmed it.

Pure: scores in, order out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = ["COSINE_SPAN", "Ranked", "fuse", "rerank"]

COSINE_SPAN = 0.1  # the least spread of cosines scaled to the full [0, 1] (see the module docstring)


@dataclass(frozen=True)
class Ranked:
    """One candidate after fusion: its entry, BM25 score, cosine similarity and fused score."""

    entry: int
    score: float  # BM25's
    cosine: float
    fused: float


def _scaled(values: npt.NDArray[np.float64], span: float = 0.0) -> npt.NDArray[np.float64]:
    """``(values - min) / max(max - min, span)``; all equal → all 0 (the score then decides nothing)."""
    low, high = float(values.min()), float(values.max())
    if max(high - low, span) <= 0:
        return np.zeros_like(values)
    return (values - low) / max(high - low, span)


def fuse(bm25: Sequence[float], cosines: Sequence[float], weight: float) -> npt.NDArray[np.float64]:
    """``(1 - weight) * minmax(bm25) + weight * minmax(cosines)`` over one question's candidates.

    The cosines' range counts as at least ``COSINE_SPAN``.
    """
    lexical = np.asarray(bm25, dtype=np.float64)
    semantic = np.asarray(cosines, dtype=np.float64)
    if lexical.shape != semantic.shape:
        raise ValueError("one cosine per BM25 score is needed")
    if not len(lexical):
        return lexical
    return (1.0 - weight) * _scaled(lexical) + weight * _scaled(semantic, COSINE_SPAN)


def rerank(
    candidates: Sequence[tuple[int, float]], cosines: Sequence[float], weight: float
) -> list[Ranked]:
    """``candidates`` ((entry, BM25 score), best first) re-ordered by :func:`fuse`.

    Ties keep BM25's order, so weight 0 gives BM25's ranking back unchanged.
    """
    fused = fuse([score for _, score in candidates], cosines, weight)
    order = np.lexsort((np.arange(len(fused)), -fused))
    return [
        Ranked(candidates[i][0], candidates[i][1], float(cosines[i]), float(fused[i]))
        for i in order.tolist()
    ]
