"""Fusion of BM25 and cosine scores over BM25's candidates."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from retrieval.answer import MAX_ENCODER_WEIGHT, load_retriever
from retrieval.config import RetrievalConfig
from retrieval.rerank import fuse, rerank

CANDIDATES = [(7, 9.0), (3, 6.0), (5, 5.0), (1, 1.0)]  # (entry, BM25 score), best first


def test_weight_zero_keeps_bm25_order_and_scores() -> None:
    ranked = rerank(CANDIDATES, [0.1, 0.9, 0.5, 0.8], 0.0)
    assert [(r.entry, r.score) for r in ranked] == CANDIDATES
    assert [r.cosine for r in ranked] == pytest.approx([0.1, 0.9, 0.5, 0.8])


def test_weight_one_orders_by_cosine() -> None:
    ranked = rerank(CANDIDATES, [0.1, 0.9, 0.5, 0.8], 1.0)
    assert [r.entry for r in ranked] == [3, 1, 5, 7]


def test_half_weight_mixes_min_max_scaled_scores() -> None:
    ranked = rerank(CANDIDATES, [0.1, 0.9, 0.5, 0.8], 0.5)
    # bm25 scaled: 1, 0.625, 0.5, 0; cosine scaled: 0, 1, 0.5, 0.875
    assert [r.entry for r in ranked] == [3, 7, 5, 1]
    assert ranked[0].fused == pytest.approx(0.8125)


def test_equal_scores_decide_nothing_and_ties_keep_bm25_order() -> None:
    assert fuse([2.0, 2.0], [0.3, 0.3], 0.5).tolist() == [0.0, 0.0]
    assert [r.entry for r in rerank([(4, 2.0), (2, 2.0)], [0.3, 0.3], 0.5)] == [4, 2]


def test_a_narrow_band_of_cosines_counts_less_than_bm25s_whole_range() -> None:
    # Cosines 0.843 / 0.826 / 0.818: a spread of 0.025 counts as a quarter of COSINE_SPAN (0.1).
    ranked = rerank([(1, 3.54), (2, 2.96), (3, 0.73)], [0.826, 0.843, 0.818], 0.5)
    assert [r.entry for r in ranked] == [1, 2, 3]
    assert ranked[1].fused == pytest.approx(0.5 * (2.96 - 0.73) / (3.54 - 0.73) + 0.5 * 0.025 / 0.1)
    assert fuse([3.0, 1.0], [0.9, 0.2], 1.0).tolist() == pytest.approx([1.0, 0.0])  # wide: min-max


def test_no_candidates() -> None:
    assert rerank([], [], 0.5) == []


def test_lengths_must_match() -> None:
    with pytest.raises(ValueError, match="one cosine per BM25 score"):
        fuse([1.0, 2.0], [0.5], 0.5)


@given(
    st.lists(st.tuples(st.floats(0, 50), st.floats(-1, 1)), min_size=1, max_size=30),
    st.floats(0, 1),
)
def test_fused_scores_lie_in_unit_interval_and_come_out_sorted(
    pairs: list[tuple[float, float]], weight: float
) -> None:
    bm25 = sorted((p[0] for p in pairs), reverse=True)
    candidates = [(i, s) for i, s in enumerate(bm25)]
    ranked = rerank(candidates, [p[1] for p in pairs], weight)
    fused = np.array([r.fused for r in ranked])
    assert sorted(r.entry for r in ranked) == list(range(len(pairs)))
    assert (fused >= -1e-12).all()
    assert (fused <= 1 + 1e-12).all()
    assert (np.diff(fused) <= 1e-12).all()


def test_the_encoder_weighs_more_when_bm25_cannot_see_the_question() -> None:
    """Words the corpus has in no form raise the encoder's share (a paraphrase only it can match)."""
    retriever = load_retriever(Path(__file__).resolve().parents[1] / "corpus", RetrievalConfig(), cache=False)
    base = retriever.config.encoder_weight
    assert retriever._encoder_weight(retriever.parse("كم عدد القتلى في ألماتي؟")) == base
    paraphrase = retriever._encoder_weight(retriever.parse("ماذا حل بالعاملين في المرفق الجوي؟"))
    assert base < paraphrase <= MAX_ENCODER_WEIGHT
