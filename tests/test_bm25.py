"""FastBM25 gives rank_bm25.BM25Okapi's scores and rankings (differential tests, as bm25s does)."""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from rank_bm25 import BM25Okapi

from retrieval.index.bm25 import EncodedDocs, FastBM25, PostingArrays, Vocabulary

ARABIC = ["قال", "الرئيس", "كازاخستان", "ألماتي", "احتجاجات", "الغاز", "في", "من", "توكاييف", "يناير"]
ASCII = ["a", "b", "c", "gas", "almaty", "2022", "x"]
WORDS = ARABIC + ASCII
ABSENT = ["غائب", "absent"]
SETTINGS = [(1.5, 0.75, 0.25), (1.2, 0.75, 0.25), (2.0, 0.0, 0.25), (0.5, 0.3, 0.5), (1.2, 1.0, 0.1)]

tokens = st.sampled_from(WORDS)
documents = st.lists(tokens, min_size=0, max_size=12)
corpora = st.lists(documents, min_size=1, max_size=40)
queries = st.lists(st.sampled_from(WORDS + ABSENT), min_size=0, max_size=8)
parameters = st.sampled_from(SETTINGS)


def reference_top(reference: BM25Okapi, query: list[str], k: int) -> list[tuple[int, float]]:
    """BM25Okapi's scores sorted best first (ties by index) over documents holding a query term."""
    scores = reference.get_scores(query)
    matched = [d for d, freqs in enumerate(reference.doc_freqs) if any(term in freqs for term in query)]
    ranked = sorted(matched, key=lambda d: (-scores[d], d))
    return [(d, float(scores[d])) for d in ranked[:k]]


def assert_same_top(got: list[tuple[int, float]], expected: list[tuple[int, float]]) -> None:
    assert [doc for doc, _ in got] == [doc for doc, _ in expected]
    assert np.allclose([score for _, score in got], [score for _, score in expected])


def usable(corpus: list[list[str]], b: float) -> bool:
    """BM25Okapi divides by zero on an all-empty corpus, and gives NaN when b == 1 meets an empty document."""
    return any(corpus) and (b < 1 or all(corpus))


def both_paths(index: FastBM25) -> list[FastBM25]:
    """The index as built, plus a twin forced onto the dense (buffer) query path."""
    dense = FastBM25.from_arrays(index.arrays, index.k1, index.b, index.epsilon)
    dense._sparse_limit = -1  # white-box: small test corpora would otherwise always take the sparse path
    return [index, dense]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(corpus=corpora, query=queries, params=parameters, k=st.integers(min_value=1, max_value=12))
def test_scores_and_top_k_match_bm25okapi(
    corpus: list[list[str]], query: list[str], params: tuple[float, float, float], k: int
) -> None:
    k1, b, epsilon = params
    assume(usable(corpus, b))
    reference = BM25Okapi(corpus, k1=k1, b=b, epsilon=epsilon)
    index = FastBM25(corpus, k1=k1, b=b, epsilon=epsilon)

    assert np.allclose(index.get_scores(query), reference.get_scores(query))
    for path in both_paths(index):
        assert_same_top(path.top_k(query, k), reference_top(reference, query, k))


@pytest.mark.parametrize(("k1", "b", "epsilon"), SETTINGS)
def test_larger_seeded_corpus_matches_bm25okapi(k1: float, b: float, epsilon: float) -> None:
    rng = random.Random(20220105)
    vocabulary = [f"{word}{i}" for i, word in enumerate(WORDS * 30)]
    weights = [1 / (rank + 1) for rank in range(len(vocabulary))]  # Zipf-like: a few very common terms
    corpus = [rng.choices(vocabulary, weights, k=rng.randint(1, 25)) for _ in range(3000)]
    reference = BM25Okapi(corpus, k1=k1, b=b, epsilon=epsilon)
    index = FastBM25(corpus, k1=k1, b=b, epsilon=epsilon)
    assert index.average_idf == pytest.approx(reference.average_idf)
    for _ in range(15):
        query = rng.choices(vocabulary, weights, k=rng.randint(1, 8)) + rng.sample(ABSENT, 1)
        assert np.allclose(index.get_scores(query), reference.get_scores(query))
        for path in both_paths(index):
            assert_same_top(path.top_k(query, 10), reference_top(reference, query, 10))


def test_scores_equal_bm25okapi_bit_for_bit() -> None:
    """Same float operations in the same order, so not merely close: equal (which makes tie order exact)."""
    rng = random.Random(7)
    corpus = [rng.choices(WORDS, k=rng.randint(0, 15)) for _ in range(500)]
    reference = BM25Okapi(corpus)
    index = FastBM25(corpus)
    for _ in range(20):
        query = rng.choices(WORDS + ABSENT, k=rng.randint(1, 6))
        assert np.array_equal(index.get_scores(query), reference.get_scores(query))


def test_doc_freq_and_idf_match_bm25okapi() -> None:
    corpus = [["في", "كازاخستان", "في"], ["في", "ألماتي"], ["gas", "في"], [], ["gas"]]
    reference = BM25Okapi(corpus)
    index = FastBM25(corpus)
    assert index.n_docs == 5
    assert index.vocabulary_size == 4
    assert index.avgdl == pytest.approx(reference.avgdl)
    assert index.average_idf == pytest.approx(reference.average_idf)
    for term in ["في", "كازاخستان", "ألماتي", "gas"]:
        assert index.doc_freq(term) == sum(term in doc for doc in corpus)
        assert index.idf(term) == pytest.approx(reference.idf[term])
    assert index.idf("في") == pytest.approx(0.25 * reference.average_idf)  # negative idf -> epsilon floor
    assert index.doc_freq("absent") == 0
    assert index.idf("absent") == 0.0
    assert "gas" in index
    assert "absent" not in index


def test_absent_and_duplicate_query_terms() -> None:
    corpus = [["a", "b"], ["b", "c", "c"], ["d"], ["a", "a", "a", "e"]]
    reference = BM25Okapi(corpus)
    index = FastBM25(corpus)
    assert index.top_k(["zzz", "غائب"], 5) == []
    assert not index.get_scores(["zzz"]).any()
    query = ["c", "c", "a", "zzz", "c"]  # each occurrence counts, as in BM25Okapi's loop
    assert np.allclose(index.get_scores(query), reference.get_scores(query))
    assert np.allclose(
        index.get_scores(query), reference.get_scores(["c", "a"]) + 2 * reference.get_scores(["c"])
    )
    assert_same_top(index.top_k(query, 10), reference_top(reference, query, 10))


def test_single_document_corpus() -> None:
    corpus = [["قال", "الرئيس", "قال"]]
    reference = BM25Okapi(corpus)
    index = FastBM25(corpus)
    assert np.allclose(index.get_scores(["قال"]), reference.get_scores(["قال"]))
    assert_same_top(index.top_k(["قال", "x"], 3), reference_top(reference, ["قال", "x"], 3))


def test_identical_documents_score_negative_and_still_rank() -> None:
    """Every term in every document: all idfs are floored to a negative epsilon * average_idf."""
    corpus = [["الغاز", "في", "ألماتي"]] * 6
    reference = BM25Okapi(corpus)
    index = FastBM25(corpus)
    top = index.top_k(["الغاز"], 4)
    assert_same_top(top, reference_top(reference, ["الغاز"], 4))
    assert [doc for doc, _ in top] == [0, 1, 2, 3]  # all tied: lower index first
    assert all(score < 0 for _, score in top)


def test_ties_break_by_lower_index_on_both_paths() -> None:
    corpus = [["x"], ["a", "b"], ["b", "a"], ["c"], ["a", "b"], ["b", "a"]]
    for index in both_paths(FastBM25(corpus)):
        assert [doc for doc, _ in index.top_k(["a", "b"], 3)] == [1, 2, 4]


def test_k_bounds() -> None:
    index = FastBM25([["a"], ["a", "b"], ["b"], ["c"], ["d"]])
    assert index.top_k(["a"], 0) == []
    assert [doc for doc, _ in index.top_k(["a"], 100)] == [0, 1]
    with pytest.raises(ValueError, match="k must be"):
        index.top_k(["a"], -1)


def test_empty_corpora_match_nothing() -> None:
    """BM25Okapi raises ZeroDivisionError here; FastBM25 builds an index that matches nothing."""
    for corpus in ([], [[], []]):
        index = FastBM25(corpus)
        assert index.n_docs == len(corpus)
        assert index.vocabulary_size == 0
        assert index.top_k(["a"], 5) == []
        assert index.get_scores(["a"]).shape == (len(corpus),)


def test_degenerate_normalisation_scores_zero_where_bm25okapi_gives_nan() -> None:
    corpus = [["a", "b"], [], ["b"]]
    with np.errstate(invalid="ignore", divide="ignore"):
        reference = BM25Okapi(corpus, b=1.0).get_scores(["a"])
    assert np.isnan(reference[1])
    index = FastBM25(corpus, b=1.0)
    assert np.allclose(index.get_scores(["a"]), np.nan_to_num(reference))


@pytest.mark.parametrize(
    ("k1", "b", "epsilon"), [(-1.0, 0.75, 0.25), (1.2, 1.5, 0.25), (float("nan"), 0.5, 0.25)]
)
def test_rejects_bad_parameters(k1: float, b: float, epsilon: float) -> None:
    with pytest.raises(ValueError, match="must"):
        FastBM25([["a"]], k1=k1, b=b, epsilon=epsilon)


def test_from_tokenized_equals_building_from_tokens() -> None:
    rng = random.Random(3)
    articles = [
        [rng.choices(WORDS, k=rng.randint(0, 10)) for _ in range(rng.randint(0, 6))] for _ in range(12)
    ]
    # A long-lived vocabulary that already knows terms in another order, some of them unused.
    vocabulary = Vocabulary(["unused", *reversed(WORDS)])
    parts = [vocabulary.encode(article) for article in articles]
    corpus = [sentence for article in articles for sentence in article]

    fresh = FastBM25(corpus, k1=1.2, b=0.6)
    cached = FastBM25.from_tokenized(parts, vocabulary.terms, k1=1.2, b=0.6)
    assert_same_arrays(cached.arrays, fresh.arrays)
    assert "unused" not in cached
    query = ["في", "gas", "unused", "a"]
    assert np.array_equal(cached.get_scores(query), fresh.get_scores(query))
    assert cached.top_k(query, 10) == fresh.top_k(query, 10)


def test_reload_reencodes_only_changed_articles() -> None:
    vocabulary = Vocabulary()
    articles = {"a1": [["قال", "الرئيس"], ["في", "ألماتي"]], "a2": [["الغاز", "في", "يناير"]], "a3": [["x"]]}
    parts = {name: vocabulary.encode(sentences) for name, sentences in articles.items()}
    FastBM25.from_tokenized(parts.values(), vocabulary.terms)

    articles["a2"] = [["احتجاجات", "الغاز"], ["new", "terms"]]  # edited
    del articles["a3"]  # removed: its term "x" must no longer count
    parts["a2"] = vocabulary.encode(articles["a2"])
    del parts["a3"]
    reloaded = FastBM25.from_tokenized(parts.values(), vocabulary.terms)

    corpus = [sentence for sentences in articles.values() for sentence in sentences]
    reference = BM25Okapi(corpus)
    assert reloaded.n_docs == 4
    assert "x" not in reloaded
    for query in (["الغاز", "في"], ["x", "new"], ["قال"]):
        assert np.allclose(reloaded.get_scores(query), reference.get_scores(query))
    assert_same_arrays(reloaded.arrays, FastBM25(corpus).arrays)


def test_from_tokenized_rejects_inconsistent_parts() -> None:
    ids = np.array([0, 1, 1], dtype=np.int32)
    with pytest.raises(ValueError, match="sum"):
        FastBM25.from_tokenized([EncodedDocs(ids, np.array([1, 1], dtype=np.int64))], ["a", "b"])
    with pytest.raises(ValueError, match="same Vocabulary"):
        FastBM25.from_tokenized([EncodedDocs(ids, np.array([3], dtype=np.int64))], ["a"])
    assert FastBM25.from_tokenized([], []).n_docs == 0


def test_from_arrays_rejects_inconsistent_arrays() -> None:
    good = FastBM25([["a", "b"], ["b", "b"], ["c"]]).arrays
    FastBM25.from_arrays(good)
    broken = [
        good._replace(doc_ids=np.array([0, 1, 0, 2], dtype=np.int32)),  # not rising within "b"
        good._replace(doc_ids=np.array([0, 0, 1, 7], dtype=np.int32)),
        good._replace(tfs=np.array([1, 1, 1, 1], dtype=np.uint16)),  # no longer adds up to doc_lengths
        good._replace(indptr=np.array([0, 1, 1, 4], dtype=np.int64)),
        good._replace(terms=["a", "a", "c"]),
        good._replace(doc_lengths=np.array([2.0, 2.0, 1.0])),
    ]
    for arrays in broken:
        with pytest.raises(ValueError, match=r"\w"):
            FastBM25.from_arrays(arrays)


def test_concurrent_queries_agree() -> None:
    rng = random.Random(11)
    corpus = [rng.choices(WORDS, k=rng.randint(1, 12)) for _ in range(2000)]
    index = FastBM25(corpus)
    index._sparse_limit = -1  # white-box: make every query use the per-thread dense buffer
    queries = [rng.choices(WORDS, k=rng.randint(1, 5)) for _ in range(40)]
    expected = [index.top_k(query, 10) for query in queries]
    with ThreadPoolExecutor(max_workers=4) as pool:
        for _ in range(3):
            assert list(pool.map(lambda query: index.top_k(query, 10), queries)) == expected


def test_progress_bar_build_is_the_same_index() -> None:
    corpus = [["a", "b"], ["b"]]
    assert_same_arrays(FastBM25(corpus, progress=True).arrays, FastBM25(corpus).arrays)


def assert_same_arrays(left: PostingArrays, right: PostingArrays) -> None:
    assert left.terms == right.terms
    for name in ("doc_lengths", "indptr", "doc_ids", "tfs"):
        assert np.array_equal(getattr(left, name), getattr(right, name)), name


def test_once_is_what_a_single_occurrence_scores() -> None:
    """``once(term, doc)`` equals the score BM25Okapi gives a document holding the term exactly once."""
    rng = random.Random(11)
    corpus = [rng.choices(WORDS, k=rng.randint(1, 12)) for _ in range(200)]
    reference = BM25Okapi(corpus)
    index = FastBM25(corpus)
    checked = 0
    for doc, words in enumerate(corpus):
        for term in set(words):
            if words.count(term) == 1:
                assert index.once(term, doc) == pytest.approx(reference.get_scores([term])[doc])
                checked += 1
    assert checked > 100
    assert index.once("غائب", 0) == 0.0
