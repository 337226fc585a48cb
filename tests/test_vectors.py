"""Sentence vectors: int8 storage, reuse by text, the kept copy in corpus/.index, and re-ranking answers.

All with the bag-of-words fake encoder of tests/fakes/encoder.py; tests/test_encoder.py runs the real model.
"""

from __future__ import annotations

import logging
import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from retrieval import encoder as encoder_module
from retrieval import vectors as vectors_module
from retrieval.answer import ANTECEDENT_SHARE, SPEAKER_SHARE, Retriever, load_retriever, make_pipeline
from retrieval.config import RetrievalConfig
from retrieval.index import SentenceIndex
from retrieval.index.cache import CACHE_DIR, cached_vectors
from retrieval.models import Article, Corpus
from retrieval.vectors import EntryVectors, SentenceVectors, quantize, table_texts
from tests.fakes.encoder import DIM, FakeEncoder, bag_vector

REPO = Path(__file__).resolve().parents[1]
CONFIG = RetrievalConfig(encoder="none")

ARTICLES = (
    Article(
        "a1", "احتجاجات في كازاخستان", ("بدأت الاحتجاجات في مدينة جاناوزين. ارتفعت أسعار الغاز المسال.",)
    ),
    Article("a2", "أسعار الوقود", ("ارتفعت أسعار الغاز المسال. استقالت الحكومة بعد الاحتجاجات.",)),
)


def index_of(articles: tuple[Article, ...]) -> SentenceIndex:
    corpus = Corpus(articles)
    return SentenceIndex(articles, make_pipeline(CONFIG, corpus), CONFIG.k1, CONFIG.b)


# --- int8 storage ----------------------------------------------------------------------------------------


def test_quantize_keeps_each_direction() -> None:
    rng = np.random.default_rng(1)
    vectors = rng.standard_normal((50, 384)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    stored = quantize(vectors)
    assert stored.dtype == np.int8
    assert (np.abs(stored).max(axis=1) == 127).all()
    back = stored.astype(np.float32)
    back /= np.linalg.norm(back, axis=1, keepdims=True)
    assert (np.einsum("ij,ij->i", back, vectors) > 0.999).all()


def test_quantize_zero_and_empty() -> None:
    assert quantize(np.zeros((1, 4), np.float32)).tolist() == [[0, 0, 0, 0]]
    assert quantize(np.zeros((0, 4), np.float32)).shape == (0, 4)


def test_entry_cosines_and_nearest_match_float_arithmetic() -> None:
    rng = np.random.default_rng(2)
    values = rng.integers(-127, 128, size=(20_000, DIM)).astype(np.int8)  # more than one scan chunk
    vectors = EntryVectors(values)
    query = bag_vector("الغاز المسال")
    exact = values.astype(np.float64) @ query / np.linalg.norm(values.astype(np.float64), axis=1)
    assert vectors.cosines(query, [5, 0, 19_999]) == pytest.approx(exact[[5, 0, 19_999]], abs=1e-5)
    nearest = vectors.nearest(query, 5)
    assert [i for i, _ in nearest] == np.argsort(-exact, kind="stable")[:5].tolist()
    assert [c for _, c in nearest] == pytest.approx(np.sort(exact)[::-1][:5], abs=1e-5)
    assert len(vectors.nearest(query, 10**6)) == len(values)
    assert EntryVectors(np.zeros((0, DIM), np.int8)).nearest(query, 3) == []


# --- building and reusing ---------------------------------------------------------------------------------


def test_one_vector_per_table_row_each_distinct_text_encoded_once() -> None:
    index = index_of(ARTICLES)
    encoder = FakeEncoder()
    vectors = SentenceVectors.build(index.table, index.articles, encoder)
    texts = table_texts(index.table, index.articles)
    assert len(vectors) == len(index.table) == len(texts)
    assert sorted(encoder.encoded) == sorted(set(texts))  # the shared gas sentence once
    for row, text in enumerate(texts):
        stored = vectors.values[row].astype(np.float32)
        assert float(stored @ bag_vector(text)) / float(np.linalg.norm(stored)) > 0.999


def test_update_encodes_only_new_sentences() -> None:
    encoder = FakeEncoder()
    first = index_of(ARTICLES)
    old = SentenceVectors.build(first.table, first.articles, encoder)
    changed = ("ارتفعت أسعار الغاز المسال. أعلن الرئيس حالة الطوارئ.",)
    edited = (ARTICLES[0], replace(ARTICLES[1], paragraphs=changed))
    second = index_of(edited)
    encoder.encoded.clear()
    new, encoded = SentenceVectors.update(old, second.table, second.articles, encoder)
    assert encoder.encoded == ["أعلن الرئيس حالة الطوارئ."]
    assert encoded == 1
    fresh = SentenceVectors.build(second.table, second.articles, FakeEncoder())
    assert np.array_equal(new.values, fresh.values)


def test_unchanged_table_reuses_the_vectors_whole_and_another_model_reuses_nothing() -> None:
    index = index_of(ARTICLES)
    vectors = SentenceVectors.build(index.table, index.articles, FakeEncoder())
    same = FakeEncoder()
    assert SentenceVectors.update(vectors, index.table, index.articles, same) == (vectors, 0)
    assert same.encoded == []
    other = FakeEncoder("another-model")
    _, encoded = SentenceVectors.update(vectors, index.table, index.articles, other)
    assert encoded == len(set(other.encoded)) == len(set(table_texts(index.table, index.articles)))


def test_arrays_round_trip_and_bad_arrays_are_refused() -> None:
    index = index_of(ARTICLES)
    vectors = SentenceVectors.build(index.table, index.articles, FakeEncoder())
    arrays, documents = vectors.to_arrays()
    back = SentenceVectors.from_arrays(arrays, documents)
    assert back.fits(index.table, "fake-bag-of-words")
    assert np.array_equal(back.values, vectors.values)
    with pytest.raises(ValueError, match="int8"):
        SentenceVectors.from_arrays(arrays | {"vectors": vectors.values.astype(np.int16)}, documents)
    with pytest.raises(ValueError, match="one line per sentence"):
        SentenceVectors.from_arrays(arrays | {"text_keys": arrays["text_keys"][:-1]}, documents)
    with pytest.raises(ValueError, match="model"):
        SentenceVectors.from_arrays(arrays, documents | {"model": 3})


def test_vectors_of_another_table_are_refused() -> None:
    vectors = SentenceVectors.build(index_of(ARTICLES).table, ARTICLES, FakeEncoder())
    with pytest.raises(ValueError, match="another sentence table"):
        vectors.entries(index_of(ARTICLES[:1]))


# --- kept in corpus/.index --------------------------------------------------------------------------------


@pytest.fixture
def bundled(tmp_path: Path) -> Path:
    target = tmp_path / "corpus"
    shutil.copytree(REPO / "corpus", target, ignore=shutil.ignore_patterns("raw", CACHE_DIR))
    return target


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeEncoder:
    """The fake encoder as what load_retriever loads for encoder = "e5"."""
    encoder = FakeEncoder()
    monkeypatch.setattr(encoder_module, "load_encoder", lambda name: encoder if name == "e5" else None)
    return encoder


def test_a_warm_start_encodes_nothing_and_a_new_article_only_its_sentences(
    bundled: Path, fake: FakeEncoder
) -> None:
    config = RetrievalConfig()
    cold = load_retriever(bundled, config)
    assert cold.vectors is not None
    assert len(fake.encoded) > 50
    assert any(p.name.startswith("vectors-") for p in (bundled / CACHE_DIR).iterdir())
    fake.encoded.clear()
    warm = load_retriever(bundled, config)
    assert fake.encoded == []
    assert warm.vectors is not None
    assert np.array_equal(warm.vectors.values, cold.vectors.values)
    (bundled / "articles" / "zz_new.md").write_text(
        '+++\nid = "zz_new"\ntitle = "خبر جديد"\n+++\n\nأعلن الرئيس حالة الطوارئ في البلاد.\n',
        encoding="utf-8",
    )
    load_retriever(bundled, config)
    assert sorted(fake.encoded) == ["أعلن الرئيس حالة الطوارئ في البلاد.", "خبر جديد"]


def test_damaged_vectors_are_rebuilt_with_a_warning(
    bundled: Path, fake: FakeEncoder, caplog: pytest.LogCaptureFixture
) -> None:
    load_retriever(bundled, RetrievalConfig())
    kept = next(p for p in (bundled / CACHE_DIR).iterdir() if p.name.startswith("vectors-"))
    (kept / "vectors.npy").write_bytes(b"not numpy")
    fake.encoded.clear()
    with caplog.at_level(logging.WARNING):
        retriever = load_retriever(bundled, RetrievalConfig())
    assert "unreadable" in caplog.text
    assert fake.encoded
    assert retriever.vectors is not None


def test_vectors_are_computed_when_nothing_can_be_kept(fake: FakeEncoder) -> None:
    index = index_of(ARTICLES)
    vectors = cached_vectors(index, fake, None)
    assert len(vectors) == len(index.table)
    assert fake.encoded


def test_encoder_none_loads_no_vectors(bundled: Path, fake: FakeEncoder) -> None:
    retriever = load_retriever(bundled, CONFIG)
    assert retriever.vectors is None
    assert fake.encoded == []
    assert all(hit.cosine is None for hit in retriever.rank("متى بدأت الاحتجاجات؟"))


# --- answers re-ranked ------------------------------------------------------------------------------------


def test_hits_carry_cosines_and_follow_the_fused_order() -> None:
    corpus = Corpus(ARTICLES)
    plain = Retriever(corpus, CONFIG)
    hybrid = Retriever(corpus, replace(CONFIG, encoder_weight=1.0), encoder=FakeEncoder())
    question = "أسعار الغاز المسال"
    bm25 = plain.rank(question)
    fused = hybrid.rank(question)
    assert {h.sentence.text for h in fused} == {h.sentence.text for h in bm25}  # BM25 chose the candidates
    cosines = [h.cosine for h in fused]
    assert all(c is not None for c in cosines)
    assert cosines == sorted(cosines, reverse=True)
    expected = float(bag_vector(fused[0].sentence.text) @ bag_vector(question))
    assert fused[0].cosine == pytest.approx(expected, abs=0.01)
    bm25_scores = {h.sentence.text: h.score for h in bm25}
    assert {h.sentence.text: h.score for h in fused} == pytest.approx(bm25_scores)  # score stays BM25's
    ranks = [h.fused for h in fused]
    assert ranks == sorted(ranks, reverse=True)  # type: ignore[type-var]
    assert ranks[0] == pytest.approx(1.0)  # weight 1: the min-max scaled cosine
    assert all(h.cosine is None and h.fused is None for h in bm25)


def test_weight_zero_answers_exactly_like_bm25() -> None:
    corpus = Corpus(ARTICLES)
    plain = Retriever(corpus, CONFIG)
    hybrid = Retriever(corpus, replace(CONFIG, encoder_weight=0.0), encoder=FakeEncoder())
    # «أين», not «متى»: these articles date nothing, and whether an undated «when» stands is the decline
    # models' call, which differ (the encoder's also weighs the cosine); the ranking is what must not.
    for question in ("أسعار الغاز", "أين بدأت الاحتجاجات", "استقالة الحكومة"):
        assert [h.sentence for h in hybrid.rank(question)] == [h.sentence for h in plain.rank(question)]
        hits = plain.answer(question).hits
        assert [h.sentence for h in hybrid.answer(question).hits] == [h.sentence for h in hits]


def test_an_encoder_failing_on_a_question_falls_back_to_bm25_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    corpus = Corpus(ARTICLES)
    encoder = FakeEncoder()
    hybrid = Retriever(corpus, CONFIG, encoder=encoder)
    encoder.fail = True
    with caplog.at_level(logging.WARNING):
        hits = hybrid.answer("أسعار الغاز المسال").hits
    bm25 = Retriever(corpus, CONFIG).answer("أسعار الغاز المسال").hits
    assert [h.sentence for h in hits] == [h.sentence for h in bm25]
    assert all(h.cosine is None for h in hits)
    assert "ranking with BM25 alone" in caplog.text
    assert hybrid.rank_by_vector("أسعار الغاز") == []


def test_rank_by_vector_searches_every_sentence_without_bm25() -> None:
    hybrid = Retriever(Corpus(ARTICLES), CONFIG, encoder=FakeEncoder())
    hits = hybrid.rank_by_vector("استقالت الحكومة", top_k=2)
    assert hits[0].sentence.text == "استقالت الحكومة بعد الاحتجاجات."
    assert hits[0].score == hits[0].cosine
    assert hits[0].fused is None
    assert hits[0].matched_terms == ()
    assert hits[0].before is not None  # neighbours and citations as for any hit
    assert len(hits) == 2
    assert Retriever(Corpus(ARTICLES), CONFIG).rank_by_vector("استقالت الحكومة") == []


def test_the_question_is_encoded_once_per_answer() -> None:
    encoder = FakeEncoder()
    hybrid = Retriever(Corpus(ARTICLES), CONFIG, encoder=encoder)
    encoder.queries.clear()
    hybrid.answer("أسعار الغاز المسال")
    assert encoder.queries == ["أسعار الغاز المسال"]


def test_encoding_shows_a_progress_bar_on_stderr(
    bundled: Path, fake: FakeEncoder, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(vectors_module, "PROGRESS_DELAY", 0)
    load_retriever(bundled, RetrievalConfig(), progress=True)
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "Encoding sentences" in captured.err


# --- a sentence that refers back to a name ----------------------------------------------------------------

OIC = Article(
    "oic",
    "بيان",
    ("أعربت منظمة التعاون الإسلامي عن قلقها من العنف. وأكدت المنظمة تضامنها التام مع الحكومة.",),
)


def test_entries_before_walk_back_through_the_article() -> None:
    index = index_of((OIC,))
    entry = {e.sentence.text: i for i, e in enumerate(index.entries)}
    second = entry["وأكدت المنظمة تضامنها التام مع الحكومة."]
    first = entry["أعربت منظمة التعاون الإسلامي عن قلقها من العنف."]
    assert index.entries_before(second, 4) == [first]
    assert index.entries_before(first, 4) == []  # the title is no sentence before the body
    assert index.entries_before(second, 0) == []


def test_entries_after_walk_on_through_the_article_and_a_sentence_finds_its_entry() -> None:
    index = index_of((OIC,))
    entry = {e.sentence.text: i for i, e in enumerate(index.entries)}
    second = entry["وأكدت المنظمة تضامنها التام مع الحكومة."]
    first = entry["أعربت منظمة التعاون الإسلامي عن قلقها من العنف."]
    assert index.entries_after(first, 4) == [second]
    assert index.entries_after(second, 4) == []
    assert index.entry_of(index.entries[second].sentence) == second
    title = next(e.sentence for e in index.entries if e.sentence.text == "بيان")
    assert index.entry_of(title) is None  # a title is no body sentence


def read_beside(
    article: Article, question: str, earlier: str, later: str
) -> tuple[Retriever, list[str], list[float], list[float]]:
    """The retriever over ``article`` (fake encoder), its sentences, each sentence's own cosine with
    ``question``, and the cosines of ``earlier`` and ``later`` as the fused score reads them."""
    retriever = Retriever(Corpus((article,)), replace(CONFIG, encoder_weight=0.5), encoder=FakeEncoder())
    texts = [e.sentence.text for e in retriever.index.entries]
    first, second = texts.index(earlier), texts.index(later)
    vector = bag_vector(question)
    own = [float(bag_vector(text) @ vector) for text in texts]
    vectors = retriever.vectors
    assert vectors is not None
    found = [(first, 1.0), (second, 2.0)]
    read = retriever._with_antecedents(
        retriever.parse(question), vector, vectors, found, [own[first], own[second]]
    )
    return retriever, texts, [own[first], own[second]], read


def test_a_sentence_referring_back_to_the_asked_name_reads_nearer_its_antecedent() -> None:
    question = "تضامن منظمة التعاون الإسلامي"
    referring = "وأكدت المنظمة تضامنها التام مع الحكومة."
    retriever, _, own, read = read_beside(
        OIC, question, "أعربت منظمة التعاون الإسلامي عن قلقها من العنف.", referring
    )
    assert own[0] > own[1]  # the sentence naming the organisation is nearer the question
    assert read[0] == pytest.approx(own[0], abs=0.01)  # it refers back to nothing
    assert read[1] == pytest.approx(own[1] + ANTECEDENT_SHARE * (own[0] - own[1]), abs=0.01)
    hit = next(h for h in retriever.rank(question) if h.sentence.text == referring)
    assert hit.cosine == pytest.approx(own[1], abs=0.01)  # the hit keeps its own cosine


QUOTED = Article(
    "quote",
    "تصريح",
    ('قال وزير الخارجية الفرنسي إن الوضع هادئ في المدينة. وأضاف: "الحدود ستفتح أمام المسافرين قريبا".',),
)


def test_a_quotation_going_on_reads_nearer_its_speaker_than_a_name_referred_back_to() -> None:
    said = "قال وزير الخارجية الفرنسي إن الوضع هادئ في المدينة."
    quoted = 'وأضاف: "الحدود ستفتح أمام المسافرين قريبا".'
    _, _, own, read = read_beside(QUOTED, "وزير الخارجية الفرنسي الحدود", said, quoted)
    assert SPEAKER_SHARE > ANTECEDENT_SHARE
    assert read[1] == pytest.approx(own[1] + SPEAKER_SHARE * (own[0] - own[1]), abs=0.01)
