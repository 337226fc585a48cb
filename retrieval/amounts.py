"""Questions asking for a sum of money, and sentences that give one. Pure word work, no index.

«ما المبلغ الذي رصدته السلطات…؟», «كم كلفت العملية؟», «ميزانية قوات حفظ السلام»: the question asks for an
amount of money (:func:`asks_amount`). A sentence gives one when it names a currency (:func:`priced`). When
none of a money question's best sentences names one, and the decline model is not sure of them, the
sources tell of the matter but not of its cost (:func:`unpriced`), as a «when» question whose best
sentences hold no date is declined (``decide.undated``).
"""

from __future__ import annotations

from collections.abc import Sequence

from retrieval.decide import ASKS_NUMBER, DATED_DEPTH, TIME_UNITS
from retrieval.text import PROCLITICS, bare_word, normalize

# P(answerable) from the decline model at or above which sentences giving no sum stand (``unpriced``):
# the 0.6 the «when» check had until stop 31, with which this check was measured.
UNPRICED_CEILING = 0.6


def _words(text: str) -> frozenset[str]:
    return frozenset(normalize(text).split())


# Words that make a question about money: prices, costs, sums, budgets, losses, compensation, investment,
# the adjective «financial», and currencies (normalised, without the article).
MONEY_WORDS = _words(
    """سعر أسعار ثمن أثمان تكلفة كلفة تكاليف كلف كلفت تكلف يكلف مبلغ مبالغ ميزانية خسائر خساير تعويض
    تعويضات استثمار استثمارات مالي مالية المادية مادية تمويل دولار بالدولار يورو روبل تنغي تينغي"""
)
# Nouns that ask for a sum by themselves, without «كم»: «ما المبلغ…», «ما الكلفة…», «ما التقدير المالي…»
# («قيمة» and «تقدير» only beside a word of money: «قيمة أصناف التعقيد» is no sum).
AMOUNT_HEADS = _words("مبلغ كلفة تكلفة تكاليف قيمة قيمتها قيمته ميزانية تقدير")
# A sentence gives a sum when it names a currency.
CURRENCIES = _words(
    """دولار دولارا دولارات الدولارات يورو روبل روبلا تنغي تينغي تنغه جنيه جنيها ريال ريالا دينار دينارا
    درهم درهما ليرة فرنك يوان ين إسترليني"""
)
_YES_NO = _words("هل واش")


def _bare(word: str) -> str:
    """``word`` without the article, or without one proclitic letter when the rest is a money word."""
    bare = bare_word(word)
    if bare in MONEY_WORDS or bare in CURRENCIES or bare in AMOUNT_HEADS:
        return bare
    return bare_word(word[1:]) if word[:1] in PROCLITICS and len(word) > 3 else bare


def asks_amount(normals: Sequence[str]) -> bool:
    """Whether a question (normalised words) asks for a sum of money: it names money (``MONEY_WORDS``) and
    asks how much («كم», «بكم», «قديش»…, not «كم مرة…») or with a noun of amount («المبلغ», «الكلفة»,
    «ميزانية»). A yes/no question («هل رجع سعر الغاز…؟») asks no sum."""
    if not normals or normals[0] in _YES_NO:
        return False
    bare = [_bare(w) for w in normals]
    if not MONEY_WORDS.intersection(bare):
        return False
    how_much = any(
        word in ASKS_NUMBER and (following is None or following not in TIME_UNITS)  # not «كم مرة…»
        for word, following in zip(normals, [*bare[1:], None], strict=True)
    )
    return how_much or bool(AMOUNT_HEADS.intersection(bare))


def priced(text: str) -> bool:
    """Whether ``text`` names a currency, as a sentence giving a sum does («…بقيمة 3 ملايين دولار»)."""
    return any(_bare(w) in CURRENCIES for w in normalize(text).split())


def no_sum(texts: Sequence[str]) -> bool:
    """Whether none of the ``DATED_DEPTH`` best sentences (``texts``, best first) names a currency."""
    return not any(priced(text) for text in texts[:DATED_DEPTH])


def unpriced(normals: Sequence[str], texts: Sequence[str], probability: float) -> bool:
    """Whether a question asking for a sum (:func:`asks_amount`) finds no currency in its best sentences
    (:func:`no_sum`) while the decline model gives them less than ``UNPRICED_CEILING``: the sources tell
    of the losses, the aid, the operation, not what they cost."""
    if probability >= UNPRICED_CEILING or not asks_amount(normals):
        return False
    return no_sum(texts)
