"""Questions asking for a sum of money, and the sentences that give one (``retrieval.amounts``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval.amounts import asks_amount, priced, unpriced
from retrieval.answer import Retriever, load_retriever
from retrieval.config import RetrievalConfig
from retrieval.text import normalize

CORPUS = Path(__file__).resolve().parents[1] / "corpus"


@pytest.fixture(scope="module")
def retriever() -> Retriever:
    return load_retriever(CORPUS, RetrievalConfig(), cache=False)


@pytest.mark.parametrize(
    ("question", "asks"),
    [
        ("ما المبلغ الذي رصدته السلطات لدعم أثمان المحروقات؟", True),
        ("كم كلفت العملية؟", True),
        ("ميزانية قوات حفظ السلام", True),
        ("بكم قدّر الباحثون حجم الاستثمارات الأجنبية؟", True),
        ("ما قيمة التعويضات لأسر الضحايا؟", True),
        ("شحال كان ثمن الغاز؟", True),
        ("هل رجعت الحكومة سعر الغاز كما كان؟", False),  # yes/no: no sum asked
        ("كم مرة أكثر دفعت الدول ثمن النفط؟", False),  # «كم مرة» asks how often
        ("ما الافتراض الذي يعزى إلى قيمة أصناف التعقيد؟", False),  # «قيمة» with no word of money
        ("كم عدد القتلى؟", False),
    ],
)
def test_asks_amount(question: str, asks: bool) -> None:
    assert asks_amount(normalize(question).split()) is asks


def test_a_sentence_gives_a_sum_when_it_names_a_currency() -> None:
    assert priced("وقدرت الخسائر بثلاثة ملايين دولار")
    assert priced("ارتفع سعر اللتر إلى 120 تنغي")
    assert not priced("انطلقت احتجاجات في كازاخستان على زيادة أسعار الغاز المسال")


def test_unpriced_needs_a_money_question_no_currency_in_the_best_two_and_an_unsure_model() -> None:
    words = normalize("ما الكلفة المالية التي تحملتها موسكو؟").split()
    texts = ["وقد بدأ جنود حفظ السلام أداء مهامهم", "أعلنت موسكو إرسال قوات"]
    assert unpriced(words, texts, 0.4)
    assert not unpriced(words, texts, 0.9)  # the model is sure of the sentences
    assert not unpriced(words, [texts[0], "بلغت الكلفة مليون دولار"], 0.4)
    assert not unpriced(normalize("كم عدد القتلى؟").split(), texts, 0.4)


def test_a_sum_the_sources_never_give_declines_with_related_sentences(retriever: Retriever) -> None:
    answer = retriever.answer("ما المبلغ الذي رصدته السلطات لدعم أسعار الغاز بعد الاحتجاجات؟")
    assert answer.declined
    assert answer.reason == "unstated amount"
    assert answer.asks == "amount"
    assert answer.related
