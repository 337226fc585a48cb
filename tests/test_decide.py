"""The decline model's pieces: what a question asks for, whether a sentence holds it, the model file."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval.answer import Retriever, load_retriever
from retrieval.config import RetrievalConfig
from retrieval.decide import (
    BM25_FEATURES,
    FEATURES,
    DeclineModel,
    asked_kind,
    counted_word,
    holds_kind,
    load_models,
    parse_model,
    parse_models,
)
from retrieval.text import normalize

CORPUS = Path(__file__).resolve().parents[1] / "corpus"


@pytest.fixture(scope="module")
def retriever() -> Retriever:
    return load_retriever(CORPUS, RetrievalConfig(), cache=False)


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("متى بدأت الاحتجاجات؟", "date"),
        ("امتى الحكومة استقالت؟", "date"),
        ("كم عدد القتلى؟", "number"),
        ("قديش واحد مات؟", "number"),
        ("لماذا اندلعت الاحتجاجات؟", "reason"),
        ("علاش خرجو الناس؟", "reason"),
        ("شنو سبب الاحتجاجات؟", "reason"),  # a reason noun asks as «لماذا» does
        ("ما أسباب استقالة الحكومة؟", "reason"),
        ("ايش السبب ورا الاحتجاجات؟", "reason"),
        ("في أي يوم استقالت الحكومة؟", "date"),  # «أي» + a time noun asks as «متى» does
        ("ما تاريخ إعلان الطوارئ؟", "date"),
        ("في أي مدينة سقط أكثر القتلى؟", "place"),  # «أي» + a place noun asks as «أين» does
        ("أي منظمة طلب منها الرئيس المساعدة؟", None),
        ("ما اسم وزير الداخلية؟", "name"),
        ("من هو المتحدث باسم الخارجية؟", "name"),
        ("مين رئيس كازاخستان؟", "name"),
        ("من طلب إرسال القوات؟", None),
        ("ماذا قال بلينكن؟", None),
        ("أين فرضت حالة الطوارئ؟", "place"),
        ("الاحتجاجات وصلت فين؟", "place"),
    ],
)
def test_asked_kind(question: str, kind: str | None) -> None:
    assert asked_kind(normalize(question).split()) == kind


@pytest.mark.parametrize(
    ("text", "kind", "holds"),
    [
        ("وفي 5 كانون الثاني/ يناير، أعلنت الحكومة استقالتها", "date", True),
        ("وأعلنت الحكومة استقالتها على خلفية الاحتجاجات", "date", False),
        ("مقتل 164 شخصا", "number", True),
        ("قال إن ثمانية على الأقل قتلوا", "number", True),
        ("اندلعت احتجاجات بسبب زيادة أسعار الغاز", "reason", True),
        ("زعم وزير الخارجية الأمريكى أنتونى بلينكن أن", "name", True),
        ("وقالت متحدثة باسم الشرطة، إن قوات الأمن تحركت", "name", False),
        ("وأعلنت وزارة الداخلية الكازاخية مقتل 164 شخصا", "name", False),
        ("وفرض الرئيس حالة الطوارئ في منطقة مانجيستاو", "place", True),
        ("قال السفير إن الصين تراقب الوضع", "place", True),
        ("وأعلنت الحكومة استقالتها على خلفية الاحتجاجات", "place", False),
    ],
)
def test_holds_kind(text: str, kind: str, holds: bool) -> None:
    assert holds_kind(text, kind) is holds


def test_the_bundled_models_name_only_known_features() -> None:
    models = load_models()
    assert set(models.bm25.weights) <= set(BM25_FEATURES)
    assert set(models.encoder.weights) <= set(FEATURES)
    assert all(0 < m.threshold < 1 for m in (models.bm25, models.encoder))
    assert models.for_hit(None) is models.bm25
    assert models.for_hit(0.8) is models.encoder


def test_the_model_declines_below_its_threshold() -> None:
    model = DeclineModel({"coverage": 10.0}, -5.0, 0.5)
    assert model.declines({"coverage": 0.2})
    assert not model.declines({"coverage": 0.9})


def test_parse_model_rejects_unknown_features() -> None:
    with pytest.raises(ValueError, match="unknown decline features"):
        parse_model({"bias": 0, "threshold": 0.5, "weights": {"vibes": 1.0}})
    with pytest.raises(ValueError, match="unknown decline features"):
        parse_model({"bias": 0, "threshold": 0.5, "weights": {"cosine": 1.0}}, BM25_FEATURES)
    with pytest.raises(ValueError, match="bm25"):
        parse_models({"encoder": {"bias": 0, "threshold": 0.5, "weights": {}}})


def test_a_date_question_prefers_a_sentence_with_an_explicit_date(retriever: Retriever) -> None:
    answer = retriever.answer("امتى استقالت الحكومة؟")
    assert not answer.declined
    assert holds_kind(answer.hits[0].sentence.text, "date")


def test_evidence_has_every_feature(retriever: Retriever) -> None:
    query = retriever.parse("كم عدد القتلى في ألماتي؟")
    features = retriever.evidence(query, retriever.rank("كم عدد القتلى في ألماتي؟"))
    assert set(features) == set(FEATURES)


@pytest.mark.parametrize(
    ("question", "counted"),
    [
        ("كم عدد سكان كازاخستان؟", "سكان"),
        ("كم جندي روسي دخل؟", "جندي"),
        ("كم كان سعر الغاز؟", "سعر"),
        ("شحال من عسكري مشا؟", "عسكري"),
        ("شكد عددهم؟", None),
        ("متى بدأت الاحتجاجات؟", None),
        # A verb of lasting asks how long: no thing is counted, even where the verb reads as a noun.
        ("كم دام القتال؟", None),
        ("كم استمرت حالة الطوارئ؟", None),
        ("قديش ظلت القوات؟", None),
    ],
)
def test_counted_word(question: str, counted: str | None) -> None:
    found = counted_word(normalize(question).replace("؟", "").split())
    assert found == (normalize(counted) if counted else None)


def test_a_count_of_something_the_corpus_never_names_declines(retriever: Retriever) -> None:
    answer = retriever.answer("كم عدد سكان كازاخستان؟")
    assert answer.declined
    assert answer.reason == "unknown count"
    assert answer.missing_terms == ("سكان",)
    assert answer.known_terms == ("كازاخستان",)  # «تذكر المصادر كازاخستان، لكنها لا تذكر سكان»
    assert answer.related  # the closest sentences, shown as related, never as the answer
    assert not answer.hits
    assert not retriever.answer("كم عدد القتلى في ألماتي؟").declined
