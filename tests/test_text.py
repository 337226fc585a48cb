"""The Arabic text pipeline: normalise, stop words, light stemming, variant keys and lexicon groups."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retrieval.config import STEMMERS
from retrieval.text import (
    ALEFS,
    ARABIC_DIGITS,
    INVISIBLE,
    STOP_WORDS,
    Lexicon,
    Pipeline,
    folding,
    light_stem,
    make_stemmer,
    normalize,
    variant_keys,
)

# Every code point, lone surrogates included (blacklist_categories=() lets category Cs through).
ANY_TEXT = st.text(st.characters(blacklist_categories=()))
DIACRITICS = {chr(c) for c in range(0x064B, 0x0660)} | {"\u0670"}
TATWEEL = "\u0640"
BIDI_CONTROLS = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}
ZERO_WIDTH = {"\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u2060", "\ufeff", "\u061c", "\u00ad"}


def stem(word: str) -> str:
    return light_stem(normalize(word))


# --- normalize: properties -------------------------------------------------------------------------


@settings(max_examples=300, database=None)
@given(ANY_TEXT)
def test_normalize_is_idempotent(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once


@settings(max_examples=300, database=None)
@given(ANY_TEXT)
def test_normalize_never_raises_and_returns_a_string(text: str) -> None:
    assert isinstance(normalize(text), str)


@pytest.mark.parametrize("text", ["\ud800", "كازاخستان\udfff", "\udc00\ud83d", "a\ud800b"])
def test_normalize_accepts_lone_surrogates(text: str) -> None:
    assert "\ud800" not in normalize(text)


@settings(max_examples=300, database=None)
@given(ANY_TEXT)
def test_normalize_output_has_no_marks_tatweel_bidi_or_zero_width(text: str) -> None:
    out = set(normalize(text))
    assert not out & DIACRITICS
    assert TATWEEL not in out
    assert not out & BIDI_CONTROLS
    assert not out & ZERO_WIDTH


@settings(max_examples=300, database=None)
@given(ANY_TEXT)
def test_normalize_output_is_single_spaced_words(text: str) -> None:
    out = normalize(text)
    assert out == out.strip()
    assert "  " not in out
    assert all(not ch.isspace() or ch == " " for ch in out)


def test_normalize_is_idempotent_when_an_invisible_separates_hangul_jamo() -> None:
    once = normalize("\u1100\u200b\u1161")
    assert normalize(once) == once


# --- normalize: table ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("كَازَاخِسْتَانُ", "كازاخستان", id="harakat"),
        pytest.param("مُحَمَّدٌ", "محمد", id="shadda-tanween"),
        pytest.param("هٰذا", "هذا", id="superscript-alef"),
        pytest.param("الاحتجـــاجات", "الاحتجاجات", id="tatweel"),
        pytest.param("أعلن", "اعلن", id="alef-hamza-above"),
        pytest.param("إعلان", "اعلان", id="alef-hamza-below"),
        pytest.param("آتا", "اتا", id="alef-madda"),
        pytest.param("ٱلله", "الله", id="alef-wasla"),
        pytest.param("مستشفى", "مستشفي", id="alef-maqsura"),
        pytest.param("وزارة", "وزاره", id="teh-marbuta"),
        pytest.param("مؤتمر", "موتمر", id="waw-hamza"),
        pytest.param("رئيس", "رييس", id="yeh-hamza"),
        pytest.param("٠١٢٣٤٥٦٧٨٩", "0123456789", id="arabic-indic-digits"),
        pytest.param("۰۱۲۳۴۵۶۷۸۹", "0123456789", id="persian-digits"),
        pytest.param("١٦٤ قتيلا", "164 قتيلا", id="arabic-indic-number"),
        pytest.param("ألماتي، نور سلطان", "الماتي نور سلطان", id="arabic-comma"),
        pytest.param("أولا؛ ثانيا", "اولا ثانيا", id="arabic-semicolon"),
        pytest.param("لماذا؟", "لماذا", id="arabic-question-mark"),
        pytest.param("«الاستقرار»", "الاستقرار", id="guillemets"),
        pytest.param("“قوات حفظ سلام”", "قوات حفظ سلام", id="typographic-quotes"),
        pytest.param("قال:(تاس)-أمس", "قال تاس امس", id="ascii-punctuation"),
        pytest.param("NATO و CSTO", "nato و csto", id="latin-lowercased"),
        pytest.param("كازا\u202eخستان", "كازاخستان", id="rtl-override"),
        pytest.param("\u2066كازاخستان\u2069 \u2067x\u2069 \u2068y\u2069", "كازاخستان x y", id="isolates"),
        pytest.param("كازا\u200bخس\u200cتا\u200dن\ufeff", "كازاخستان", id="zero-width"),
        pytest.param("  بدأت \t\n الاحتجاجات  ", "بدات الاحتجاجات", id="whitespace"),
        pytest.param("", "", id="empty"),
    ],
)
def test_normalize_table(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


def test_normalize_leaves_ordinary_arabic_letters_alone() -> None:
    assert normalize("قوات حفظ السلام") == "قوات حفظ السلام"


# --- stop words --------------------------------------------------------------------------------------


@pytest.mark.parametrize("word", ["من", "ما", "ماذا", "متى", "كيف", "كم", "هل", "لماذا", "أين", "هو", "في"])
def test_question_and_function_words_are_stop_words(word: str) -> None:
    assert normalize(word) in STOP_WORDS


@pytest.mark.parametrize("word", ["بشأن", "بخصوص", "حيال", "بصدد", "يخص", "يتعلق"])
def test_words_for_regarding_are_stop_words(word: str) -> None:
    """«فيما يخص», «بخصوص», «حيال» only point at the topic: never searched, never named as missing."""
    assert normalize(word) in STOP_WORDS


def test_a_preposition_after_wa_or_fa_is_a_function_word() -> None:
    # «وفي» kept as a token would meet «الوفيات», which light10 also takes to «وفي».
    assert Pipeline().index_tokens("وفي غضون أيام، ومن ثم فعلى الجميع") == ["غضون", "ايام", "جميع"]
    assert Pipeline().index_tokens("الوفيات") == ["وفي"]
    assert Pipeline().index_tokens("وفد ومنع") == ["وفد", "ومنع"]  # words that merely start so stay


def test_a_function_word_after_a_conjunction_is_a_function_word() -> None:
    """«ولا» is "and not" in the news and "or" in the dialects («X ولا Y؟»): never a word to match."""
    pipeline = Pipeline()
    assert pipeline.index_tokens("ولا يريدون ذلك وقد فلم وكان") == ["يريد"]
    assert [t.normal for t in pipeline.terms("بلينكن قال كده ولا لأ؟")] == ["بلينكن", "قال", "كده"]
    assert pipeline.index_tokens("ولد وعد") == ["ولد", "وعد"]  # «لد», «عد» are no function words


def test_question_keeps_only_its_content_terms() -> None:
    terms = Pipeline().terms("من هو رئيس كازاخستان؟")
    assert [t.normal for t in terms] == ["رييس", "كازاخستان"]
    assert [t.surface for t in terms] == ["رئيس", "كازاخستان"]


def test_content_words_that_look_like_particles_are_kept() -> None:
    assert normalize("عام") not in STOP_WORDS
    assert normalize("حال") not in STOP_WORDS


# --- light stemmer -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("الاحتجاجات", "احتجاج"),  # article + plural suffix
        ("والاحتجاجات", "احتجاج"),  # و, then the article
        ("بالدولار", "دولار"),  # بال
        ("للسلام", "سلام"),  # لل
        ("المتظاهرون", "متظاهر"),  # ون
        ("المحتجين", "محتج"),  # ين
        ("وقال", "وقال"),  # a leading و is left to the corpus-checked clitic split (وزارة is not و+زارة)
        ("بدأت", "بدات"),  # ات would leave 2 letters: kept whole
        ("كتب", "كتب"),  # 3 letters: untouched
        ("سكانها", "سكان"),  # ها stripped, then ان would leave 2 letters
        ("الما", "الما"),  # ال would leave 2 letters
    ],
)
def test_light_stem(word: str, expected: str) -> None:
    assert stem(word) == expected


def test_three_letter_minimum_keeps_short_stems_whole_as_documented() -> None:
    assert stem("بدأت") == "بدات"  # light10's two-letter minimum would give «بد»


@pytest.mark.parametrize("word", ["بدات", "كتب", "الاحتجاجات", "وقال", "سكانها"])
def test_light_stem_never_goes_below_three_letters(word: str) -> None:
    assert len(light_stem(word)) >= 3


@pytest.mark.parametrize("name", STEMMERS)
def test_make_stemmer_returns_a_callable_for_every_configured_name(name: str) -> None:
    needs = {"snowball": "Stemmer", "isri": "nltk", "tashaphyne": "tashaphyne"}
    if name in needs:
        pytest.importorskip(needs[name])
    stemmer = make_stemmer(name)
    out = stemmer(normalize("الاحتجاجات"))
    assert isinstance(out, str)
    assert out


def test_make_stemmer_none_is_the_identity() -> None:
    assert make_stemmer("none")("الاحتجاجات") == "الاحتجاجات"


def test_make_stemmer_rejects_an_unknown_name() -> None:
    with pytest.raises(ValueError, match="porter"):
        make_stemmer("porter")


# --- variant keys ------------------------------------------------------------------------------------


def test_masdar_and_verb_of_one_family_meet() -> None:
    assert variant_keys(stem("اندلاع")) & variant_keys(stem("اندلعت"))


def test_verb_person_affixes_meet() -> None:
    assert variant_keys(stem("تدخلت")) & variant_keys(stem("يتدخل"))


@pytest.mark.parametrize(
    ("plain", "seated"),
    [("الحلفاء", "حلفاؤها"), ("الرؤساء", "رؤسائها"), ("أعضاء", "أعضاؤها"), ("الوزراء", "الوزرا")],
)
def test_a_final_hamza_seated_by_a_suffix_meets_the_plain_word(plain: str, seated: str) -> None:
    assert variant_keys(stem(normalize(plain))) & variant_keys(stem(normalize(seated)))


@pytest.mark.parametrize("other", ["السكنية", "كان"])
def test_sukkan_does_not_meet_unrelated_words(other: str) -> None:
    assert not variant_keys(stem("سكان")) & variant_keys(stem(other))


@pytest.mark.parametrize(
    ("participle", "masdar"), [("المستقيلين", "استقالة"), ("المستقيلة", "استقالتها"), ("مستقيل", "استقال")]
)
def test_a_question_s_hollow_participle_meets_the_masdar(participle: str, masdar: str) -> None:
    asked = variant_keys(stem(normalize(participle)), asked=True)
    assert asked & variant_keys(stem(normalize(masdar)))
    # the corpus's own participles keep to their family: «متظاهرين» is no answer for «يتظاهرون»
    assert not variant_keys(stem(normalize(participle))) & variant_keys(stem(normalize(masdar)))


def test_a_sound_participle_gets_no_verb_key() -> None:
    """«مستقل» (independent) must not meet «استقالة» (resignation) under «استقل»."""
    assert not variant_keys(stem(normalize("مستقل")), asked=True) & variant_keys(stem(normalize("استقالة")))


def test_variant_keys_include_the_stem_and_nothing_shorter_than_three_letters() -> None:
    keys = variant_keys("اندلعت")
    assert "اندلعت" in keys
    assert all(len(k) >= 3 for k in keys)


# --- lexicon -----------------------------------------------------------------------------------------

ALMATY = ["ألماتي", "ألما آتا", "ألماآتا"]


def test_lexicon_maps_every_spelling_of_a_group_to_one_token() -> None:
    lexicon = Lexicon.build([ALMATY, ["نور سلطان", "أستانا"]])
    tokens = {lexicon.group_tokens(normalize(term).split())[0][2] for term in ALMATY}
    assert tokens == {"~0"}
    assert lexicon.group_tokens([normalize("أستانا")]) == [(0, 1, "~1")]
    assert lexicon.longest == 2


def test_group_tokens_finds_a_multi_word_variant() -> None:
    lexicon = Lexicon.build([ALMATY])
    assert lexicon.group_tokens(normalize("مطار ألما آتا الدولي").split()) == [(1, 3, "~0")]


def test_group_tokens_match_whole_words_less_article_and_proclitic() -> None:
    lexicon = Lexicon.build([ALMATY, ["الروس", "روسيا"]])
    assert lexicon.group_tokens(normalize("وبالماتي وألماتي الروس وروسيا").split()) == [
        (0, 1, "~0"),
        (1, 2, "~0"),
        (2, 3, "~1"),
        (3, 4, "~1"),
    ]
    assert lexicon.group_tokens(["مات"]) == []  # «ألماتي» stems to «مات» without its hamza: no match


def test_group_tokens_finds_nothing_in_unrelated_text() -> None:
    lexicon = Lexicon.build([ALMATY])
    assert lexicon.group_tokens(normalize("قوات حفظ السلام").split()) == []


@pytest.mark.parametrize("place", ["ألما آتا", "ألماتي", "ألماآتا"])
def test_index_tokens_are_the_stems_plus_the_group_token(place: str) -> None:
    pipeline = Pipeline(stem=light_stem, lexicon=Lexicon.build([ALMATY]))
    text = f"هبطت الطائرات في مطار {place}"
    stems = [t.stem for t in pipeline.terms(text)]
    assert pipeline.index_tokens(text) == [*stems, "~0"]


def test_pipeline_uses_the_stemmer_it_is_given() -> None:
    pipeline = Pipeline(stem=str.upper)
    assert pipeline.index_tokens("nato forces") == ["NATO", "FORCES"]


def test_word_spans_point_at_the_written_words_including_diacritics() -> None:
    text = "أعلنت الحكومَة حالة الطوارئ"
    spans = Pipeline().word_spans(text)
    assert [text[a:b] for a, b, _, _ in spans] == ["أعلنت", "الحكومَة", "حالة", "الطوارئ"]
    assert [s for _, _, s, _ in spans] == [stem(w) for w in ("أعلنت", "الحكومة", "حالة", "الطوارئ")]


def test_one_invisible_set_and_one_folding_table_in_parts() -> None:
    assert set(INVISIBLE) == BIDI_CONTROLS | ZERO_WIDTH
    assert normalize("أإآٱى٣۴ة") == "ااااي34ه"
    assert "أإآٱى٣۴ة".translate(folding(ALEFS + "ى" + ARABIC_DIGITS)) == "ااااي34ة"  # ة kept
