"""A sentence referring back to a name («وأكدت المنظمة…») is credited with the name's words."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval.anaphora import (
    LOOK_BACK,
    NAME_WORDS,
    SPEAKER_LOOK_BACK,
    SPEAKER_WORDS,
    SUBJECT_WORDS,
    antecedent,
    closes_quote,
    continues_quote,
    referring,
    speaker,
)
from retrieval.answer import Retriever, load_retriever
from retrieval.config import RetrievalConfig
from retrieval.models import Article, Corpus

REPO = Path(__file__).resolve().parents[1]


def words(*normals: str) -> tuple[list[str], list[str], list[tuple[int, int, str]]]:
    """A sentence's words as the retriever gives them; here each word is its own token."""
    return list(normals), list(normals), []


# --- the pure rules ------------------------------------------------------------------------------------


def test_a_definite_noun_among_the_opening_words_refers_back() -> None:
    normals = ["واكدت", "المنظمه", "تضامنها", "التام"]
    assert referring(normals, ["اكد", "منظم", "تضامن", "تام"]) == {"منظم", "تام"}
    assert referring(["للامانه", "العامه"], ["امان", "عام"]) == {"امان", "عام"}  # «لل» is the article too


def test_a_definite_noun_late_in_the_sentence_is_no_subject() -> None:
    normals = ["قال", "متحدث", "باسم", "وزاره", "الخارجيه", "الامريكيه"]
    assert referring(normals, normals) == {"الخارجيه", "الامريكيه"}  # the sixth word is still read
    late = ["a", "b", "c", "d", "e", "f", "المنظمه"]
    assert SUBJECT_WORDS == 6
    assert referring(late, late) == frozenset()
    assert referring(["منظمه", "التعاون"], ["منظم", "تعاون"]) == {"تعاون"}  # a name's head is no anaphor


def test_the_name_follows_the_head_noun_written_without_the_article() -> None:
    named = words("اعربت", "منظم", "تعاون", "اسلامي", "الخميس", "قلقها")
    assert antecedent({"منظم"}, [named]) == {"تعاون", "اسلامي", "الخميس"}
    assert NAME_WORDS == 3


def test_the_nearest_name_counts_and_a_repeated_anaphor_is_looked_past() -> None:
    again = (["وقالت", "المنظمه", "انها"], ["قال", "منظم", "انها"], [])  # refers back itself
    nearest = words("منظم", "صحه", "عالميه")
    farther = words("منظم", "تعاون", "اسلامي")
    assert antecedent({"منظم"}, [again, nearest, farther]) == {"صحه", "عالميه"}


def test_a_variant_phrase_starting_in_the_name_is_inherited() -> None:
    sentence = (["منظمه", "معاهده", "الامن", "الجماعي"], ["منظم", "معاهد", "امن", "جماع"], [(0, 4, "~15")])
    assert antecedent({"منظم"}, [sentence]) == {"معاهد", "امن", "جماع", "~15"}


def test_nothing_is_inherited_without_a_head_or_a_name() -> None:
    assert antecedent(set(), [words("منظم", "تعاون")]) == frozenset()
    assert antecedent({"منظم"}, [words("قال", "الرئيس")]) == frozenset()
    assert antecedent({"منظم"}, []) == frozenset()


# --- in the retriever -----------------------------------------------------------------------------------

NAMED = "أعربت منظمة التعاون الإسلامي عن قلقها إزاء العنف في البلاد."
OTHER = "وقالت الحكومة إن الشرطة أعادت النظام في المدينة."
REFERRING = "وأكدت المنظمة تضامنها التام مع الحكومة في حفظ الأمن."
FAR = "ودعت إلى ضبط النفس."


def statement_corpus(*paragraphs: str) -> Corpus:
    article = Article("oic", "بيان", paragraphs, outlet="وكالة")
    distractor = Article("other", "خبر", ("تضامن الجيران مع الحكومة في الأزمة.", "زارت الحكومة المدينة."))
    return Corpus((article, distractor))


def test_a_sentence_referring_back_ranks_by_the_name_it_refers_to() -> None:
    retriever = Retriever(statement_corpus(f"{NAMED} {OTHER}", REFERRING), RetrievalConfig(encoder="none"))
    answer = retriever.answer("هل تضامنت منظمة التعاون الإسلامي مع الحكومة؟")
    assert answer.hits[0].sentence.text == REFERRING
    assert answer.hits[0].matched_terms  # credited, not matched: the sentence's own words stay its own


def test_a_name_farther_back_than_the_look_back_is_not_inherited() -> None:
    filler = " ".join(f"ودعت إلى الهدوء رقم {n}." for n in range(LOOK_BACK))
    retriever = Retriever(statement_corpus(NAMED, filler, REFERRING), RetrievalConfig(encoder="none"))
    entry = next(i for i, e in enumerate(retriever.index.entries) if e.sentence.text == REFERRING)
    assert retriever._antecedents(entry) == frozenset()
    near = Retriever(statement_corpus(NAMED, FAR, REFERRING), RetrievalConfig(encoder="none"))
    entry = next(i for i, e in enumerate(near.index.entries) if e.sentence.text == REFERRING)
    assert near._antecedents(entry) & set(near.parse("التعاون الإسلامي").tokens)


@pytest.fixture(scope="module")
def bundled() -> Retriever:
    return load_retriever(REPO / "corpus", RetrievalConfig(encoder="none"))


@pytest.mark.parametrize(
    "question",
    ["التعاون الإسلامي تضامن حكومة كازاخستان", "منظمة التعاون الإسلامي أكدت تضامنها مع مين؟"],
)
def test_the_organisations_solidarity_is_found_in_the_sentence_that_refers_to_it(
    bundled: Retriever, question: str
) -> None:
    answer = bundled.answer(question)
    assert "تضامنها التام" in answer.hits[0].sentence.text


# --- a quotation going on: «وأضاف: "…"» speaks for whoever the sentence before named ---------------------


@pytest.mark.parametrize(
    ("text", "gender"),
    [
        ('وأضاف: "هذه المرة تريد أن تظهر للعالم…"', "m"),
        ("وأضاف، بحسب ما نشرته الصفحة الرسمية للسفارة", "m"),
        ("وأضاف أن واشنطن تحذر موسكو", "m"),
        ('وقال : "من أين أتت جحافل الإرهابيين؟"', "m"),
        ('ودعت إلى "التحلي بأقصى درجات ضبط النفس"', "f"),
        ("فأكدت أنها ستواصل العمل", "f"),
    ],
)
def test_a_verb_of_saying_naming_no_one_goes_on_with_a_quotation(text: str, gender: str) -> None:
    assert continues_quote(text) == gender


@pytest.mark.parametrize(
    "text",
    [
        "وقال السفير الروسي إن كازاخستان تعرضت لهجوم",  # names its speaker
        "وقال في خطاب متلفز إنه طلب المساعدة",  # «في»: the speaker may still follow
        "وسيواصل أعضاؤها أداء مهامهم",  # no verb of saying
        "أضافت الحكومة بندا جديدا",
        "",
    ],
)
def test_a_sentence_naming_its_speaker_or_saying_nothing_goes_on_with_no_quotation(text: str) -> None:
    assert continues_quote(text) is None


def test_the_speaker_is_named_after_the_verb_of_the_same_gender() -> None:
    assert speaker("وقال السفير الروسي إن كازاخستان تعرضت لهجوم", "m") == "السفير الروسي"
    named = "وقال المتحدث باسم الخارجية الأمريكية، نيد برايس، إن واشنطن تراقب"
    assert speaker(named, "m") == "المتحدث باسم الخارجيه الامريكيه نيد برايس"  # past the commas
    assert speaker('وقالت المنظمة: "نتابع بقلق"', "f") == "المنظمه"  # up to the quotation
    assert speaker('وقالت المنظمة: "نتابع بقلق"', "m") is None  # «وأضاف» cannot go on with «قالت»
    assert speaker("استذكر أنتونوف الأحداث التي وقعت قبل عام", "m") == "انتونوف الاحداث"
    assert speaker("وأضاف أن واشنطن تحذر موسكو", "m") is None  # names no one itself
    long_title = " ".join(["سفير"] * (SPEAKER_WORDS + 5))
    assert speaker(f"أكد {long_title} أن", "m") == " ".join(["سفير"] * SPEAKER_WORDS)


SAID = "وقال وزير الخارجية الفرنسي إن الوضع في البلاد هادئ."
QUOTED = 'وأضاف: "الحدود ستفتح أمام المسافرين الأسبوع المقبل".'
BORDER = "وأغلقت السلطات الحدود مع الجيران بعد الأحداث."


def quotation_corpus(*paragraphs: str) -> Corpus:
    article = Article("paris", "تصريح", paragraphs, outlet="وكالة")
    distractor = Article("other", "خبر", (BORDER, "وزار وفد من المسافرين العاصمة."))
    return Corpus((article, distractor))


def entry_of(retriever: Retriever, text: str) -> int:
    return next(i for i, e in enumerate(retriever.index.entries) if e.sentence.text == text)


def test_a_quotation_going_on_ranks_by_who_said_it() -> None:
    retriever = Retriever(quotation_corpus(f"{SAID} {QUOTED}"), RetrievalConfig(encoder="none"))
    answer = retriever.answer("وزير الخارجية الفرنسي عن الحدود")
    assert answer.hits[0].sentence.text == QUOTED
    assert retriever._speakers(entry_of(retriever, QUOTED)) >= set(retriever.parse("الخارجية الفرنسي").tokens)


def test_a_question_asking_who_credits_no_speaker() -> None:
    retriever = Retriever(quotation_corpus(f"{SAID} {QUOTED}"), RetrievalConfig(encoder="none"))
    entry = entry_of(retriever, QUOTED)
    asking_who = retriever.parse("من الوزير الذي قال إن الحدود ستفتح؟")
    assert asking_who.asks == "name"
    assert retriever._inherited(asking_who, entry) == frozenset()
    assert retriever._inherited(retriever.parse("ماذا قال الوزير عن الحدود؟"), entry)


@pytest.mark.parametrize(
    "before",
    [
        "وقالت وزيرة الخارجية الفرنسية إن الوضع في البلاد هادئ.",  # «وأضاف» cannot speak for her
        f'{SAID} وقالت الوزيرة إن الوضع هادئ. ودعت إلى "الهدوء".',  # her quotation stands between
    ],
)
def test_no_speaker_of_the_other_gender_or_past_another_quotation(before: str) -> None:
    retriever = Retriever(quotation_corpus(f"{before} {QUOTED}"), RetrievalConfig(encoder="none"))
    assert retriever._speakers(entry_of(retriever, QUOTED)) == frozenset()


def test_a_speaker_farther_back_than_the_look_back_is_not_inherited() -> None:
    filler = " ".join(f"وانتشرت الشرطة في الحي رقم {n}." for n in range(SPEAKER_LOOK_BACK))
    retriever = Retriever(quotation_corpus(f"{SAID} {filler} {QUOTED}"), RetrievalConfig(encoder="none"))
    assert retriever._speakers(entry_of(retriever, QUOTED)) == frozenset()
    near = Retriever(quotation_corpus(f"{SAID} وانتشرت الشرطة. {QUOTED}"), RetrievalConfig(encoder="none"))
    assert near._speakers(entry_of(near, QUOTED))


def test_the_ambassadors_words_on_iraq_are_found_in_the_quotation_that_goes_on(bundled: Retriever) -> None:
    answer = bundled.answer("ماذا قال السفير الروسي عن العراق؟")
    assert "الهروب الأمريكي من العراق" in answer.hits[0].sentence.text


@pytest.mark.parametrize(
    ("text", "closes"),
    [
        ('اليوم، تحتاج جميع القوى الديمقراطية إلى مساعدة الحكومة".', True),
        ("وهذا أمر غير مقبول» كما قال.", True),
        ("وهذا أمر غير مقبول” كما قال.", True),
        ('وأضاف: "الحدود ستفتح".', False),  # opens first
        ("وقالت «نتابع بقلق».", False),
        ('ووصف المحتجين بأنهم "متآمرون".', False),  # a straight mark after a space opens
        ("وقد بدأ جنود حفظ السلام في أداء مهامهم.", False),
    ],
)
def test_a_sentence_closing_a_quotation_it_did_not_open(text: str, closes: bool) -> None:
    assert closes_quote(text) is closes


def test_a_sentence_closing_a_quotation_speaks_for_whoever_opened_it() -> None:
    opened = 'وقال وزير الخارجية الفرنسي: "الوضع في البلاد هادئ.'
    closing = 'والحدود ستفتح أمام المسافرين الأسبوع المقبل".'
    retriever = Retriever(
        quotation_corpus(opened, closing), RetrievalConfig(encoder="none")
    )  # a paragraph each
    assert retriever._speakers(entry_of(retriever, closing)) >= set(retriever.parse("وزير الخارجية").tokens)
    added = 'وأضاف: "الطرق مفتوحة.'
    going_on = Retriever(quotation_corpus(f"{SAID} {added}", closing), RetrievalConfig(encoder="none"))
    speakers = going_on._speakers(entry_of(going_on, closing))
    assert speakers
    assert speakers == going_on._speakers(entry_of(going_on, added))


def test_a_quotation_holding_none_of_the_question_words_is_still_a_candidate() -> None:
    retriever = Retriever(quotation_corpus(f"{SAID} {QUOTED}"), RetrievalConfig(encoder="none"))
    question = "وزير الخارجية الفرنسي"  # the quotation holds none of these words itself
    assert not set(retriever.parse(question).tokens) & set(
        retriever.index.entries[entry_of(retriever, QUOTED)].tokens
    )
    assert QUOTED in [hit.sentence.text for hit in retriever.rank(question)]


def test_the_speaker_counts_as_near_the_quotation_in_the_evidence() -> None:
    between = "وانتشرت الشرطة في الحي."  # the speaker is no neighbour of the quotation
    retriever = Retriever(quotation_corpus(f"{SAID} {between} {QUOTED}"), RetrievalConfig(encoder="none"))
    question = "هل قال وزير الخارجية الفرنسي إن الحدود ستفتح؟"
    quoted = next(hit for hit in retriever.rank(question) if hit.sentence.text == QUOTED)
    features = retriever.evidence(retriever.parse(question), [quoted])
    assert features["context_coverage"] > features["coverage"]
