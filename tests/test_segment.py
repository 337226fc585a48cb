"""Sentence segmentation on the kinds of paragraph the seed articles contain."""

from __future__ import annotations

import pytest

from retrieval.segment import split_sentences


@pytest.mark.parametrize(
    ("paragraph", "expected"),
    [
        pytest.param(
            "بدأت الاحتجاجات. ثم توسعت! هل انتهت? لا أعرف؟ ربما",
            ["بدأت الاحتجاجات.", "ثم توسعت!", "هل انتهت?", "لا أعرف؟", "ربما"],
            id="each-end-mark",
        ),
        pytest.param(
            "سطر أول بلا علامة\nسطر ثان بلا علامة",
            ["سطر أول بلا علامة", "سطر ثان بلا علامة"],
            id="line-break",
        ),
        pytest.param(
            "وأكد أن الوحدات ستعود إلى ثكناتها بعد انتهاء المهمة الخاصة.وأضاف أن الوضع مستقر",
            ["وأكد أن الوحدات ستعود إلى ثكناتها بعد انتهاء المهمة الخاصة.", "وأضاف أن الوضع مستقر"],
            id="no-space-after-period",
        ),
        pytest.param(
            "ارتفع سعر الغاز 2.5 مرة. ثم تراجع",
            ["ارتفع سعر الغاز 2.5 مرة.", "ثم تراجع"],
            id="decimal",
        ),
        pytest.param(
            "أعلنت السلطات في 07.01.2022 رفع الحصار. ثم هدأت الشوارع",
            ["أعلنت السلطات في 07.01.2022 رفع الحصار.", "ثم هدأت الشوارع"],
            id="dotted-date",
        ),
        pytest.param(
            "وقال المتحدث (...) إن الوضع تحت السيطرة. وأضاف",
            ["وقال المتحدث (...) إن الوضع تحت السيطرة.", "وأضاف"],
            id="ellipsis-in-parentheses",
        ),
        pytest.param(
            "كازاخستان.. السفير الروسي يربط الاحتجاجات بانسحاب القوات الأمريكية",
            ["كازاخستان.. السفير الروسي يربط الاحتجاجات بانسحاب القوات الأمريكية"],
            id="double-dot-headline",
        ),
        pytest.param(
            "انتظر الجميع... ثم جاء الرد. نعم",
            ["انتظر الجميع... ثم جاء الرد.", "نعم"],
            id="three-dot-ellipsis",
        ),
        pytest.param(
            "انتظروا… ثم جاء الرد. نعم",
            ["انتظروا… ثم جاء الرد.", "نعم"],
            id="ellipsis-character",
        ),
        pytest.param(
            "وقال د. محمد العلي إن الوضع خطير. وأضاف",
            ["وقال د. محمد العلي إن الوضع خطير.", "وأضاف"],
            id="single-letter-abbreviation",
        ),
        pytest.param(
            "U.S. officials left Almaty. Then",
            ["U.S. officials left Almaty.", "Then"],
            id="latin-initials",
        ),
        pytest.param(
            'وقال توكاييف: "من أين أتت هذه الجماعات؟ من وجههم؟ هذه محاولة لزعزعة الاستقرار". وأضاف',
            ['وقال توكاييف: "من أين أتت هذه الجماعات؟ من وجههم؟ هذه محاولة لزعزعة الاستقرار".', "وأضاف"],
            id="straight-quotes-with-inner-questions",
        ),
        pytest.param(
            "وتساءل «من أين أتت؟ من وجههم؟ هذه محاولة انقلاب» ثم سكت. وأضاف",
            ["وتساءل «من أين أتت؟ من وجههم؟ هذه محاولة انقلاب» ثم سكت.", "وأضاف"],
            id="guillemets-with-inner-questions",
        ),
        pytest.param(
            "قالت الوزارة إنها “تتابع عن كثب. وتدعو إلى التهدئة” في البلاد. وأضافت",
            ["قالت الوزارة إنها “تتابع عن كثب. وتدعو إلى التهدئة” في البلاد.", "وأضافت"],
            id="typographic-quotes-with-inner-period",
        ),
        pytest.param(
            "هل هذا معقول؟! لا أظن ذلك",
            ["هل هذا معقول؟!", "لا أظن ذلك"],
            id="question-exclamation-run",
        ),
        pytest.param(
            "ماذا يحدث؟؟؟ لا أحد يعرف",
            ["ماذا يحدث؟؟؟", "لا أحد يعرف"],
            id="repeated-question-marks",
        ),
    ],
)
def test_split_sentences(paragraph: str, expected: list[str]) -> None:
    assert split_sentences(paragraph) == expected


@pytest.mark.parametrize("paragraph", ["", "   ", "\n\n", " \t \n ", "...", "؟؟", "- * -"])
def test_paragraph_without_words_gives_no_sentences(paragraph: str) -> None:
    assert split_sentences(paragraph) == []


def test_sentences_are_stripped_and_never_empty() -> None:
    sentences = split_sentences("  أولا.   ثانيا!  \n\n  ثالثا؟  ")
    assert sentences == ["أولا.", "ثانيا!", "ثالثا؟"]


def test_closing_quote_after_the_mark_stays_with_its_sentence() -> None:
    assert split_sentences("قال: الوضع خطير.» وغادر") == ["قال: الوضع خطير.»", "وغادر"]


def test_an_unbalanced_quote_mark_does_not_swallow_the_paragraph() -> None:
    paragraph = "قال المتحدث «إن الوضع مستقر. وأضاف أن القوات تنتشر. ثم غادر"
    assert split_sentences(paragraph) == [
        "قال المتحدث «إن الوضع مستقر.",
        "وأضاف أن القوات تنتشر.",
        "ثم غادر",
    ]


def test_single_digit_number_ends_a_sentence() -> None:
    assert split_sentences("ارتفع عدد القتلى إلى 8. وقالت الوزارة إن الوضع هادئ.") == [
        "ارتفع عدد القتلى إلى 8.",
        "وقالت الوزارة إن الوضع هادئ.",
    ]


def test_multi_digit_number_ends_a_sentence() -> None:
    assert split_sentences("ارتفع عدد القتلى إلى 164. وقالت الوزارة إن الوضع هادئ.") == [
        "ارتفع عدد القتلى إلى 164.",
        "وقالت الوزارة إن الوضع هادئ.",
    ]


def test_quotation_ending_with_a_period_ends_the_sentence() -> None:
    assert split_sentences("قال: «الوضع مستقر.» وأضاف أن القوات انتشرت.") == [
        "قال: «الوضع مستقر.»",
        "وأضاف أن القوات انتشرت.",
    ]
