"""Word families light stemming misses: transliterations, typos, roots; and the stem collisions fixed."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval.answer import Retriever, load_retriever
from retrieval.config import RetrievalConfig
from retrieval.families import (
    WordFamilies,
    _analyses,
    has_noun_reading,
    looks_like_name,
    roots,
    skeleton,
    sound_skeleton,
)
from retrieval.index import split_clitics
from retrieval.models import Article, Corpus
from retrieval.query import _one_slip
from retrieval.roles import name_in
from retrieval.text import Pipeline, Term, light_stem, make_name_stemmer, normalize

CORPUS = Path(__file__).resolve().parents[1] / "corpus"


@pytest.fixture(scope="module")
def retriever() -> Retriever:
    return load_retriever(CORPUS, RetrievalConfig(), cache=False)


def families(*words: str) -> WordFamilies:
    return WordFamilies((normalize(w), w, 1) for w in words)


@pytest.mark.parametrize(
    ("asked", "written"),
    [
        ("توكايف", "توكاييف"),
        ("نازارباييف", "نزارباييف"),
        ("لوكاشنكو", "لوكاشينكو"),
        ("الاحتجاجت", "الاحتجاجات"),
    ],
)
def test_spellings_find_transliterations_and_typos(asked: str, written: str) -> None:
    assert families(written, "الحكومة").spellings(normalize(asked)) == [normalize(written)]


def test_short_words_have_no_fuzzy_neighbours() -> None:
    assert families("سيكون").spellings(normalize("سكان")) == []
    assert skeleton("توكاييف") == "تكف"


@pytest.mark.parametrize(
    ("asked", "written"),
    [
        ("ينسحب", "الانسحاب"),
        ("اعتقل", "اعتقالات"),
        ("هبوط", "هبطت"),
        ("الرؤساء", "الرئيس"),  # a root with a hamza: its seat differs once normalised (ؤ → و, ئ → ي)
        ("رئاسة", "رؤساء"),
    ],
)
def test_same_root_joins_derivations(asked: str, written: str) -> None:
    if not roots("كتب"):
        pytest.skip("the farahidi analyser is not installed")
    assert normalize(written) in families(written, "الحكومة").same_root(asked, normalize(asked))


def test_waw_that_belongs_to_the_word_is_kept() -> None:
    assert light_stem(normalize("وزارة")) == "وزار"
    assert light_stem(normalize("الوزارة")) == "وزار"
    assert light_stem(normalize("وكالة")) == "وكال"


def test_open_taa_meets_the_word_without_it() -> None:
    """«مقالته» is stemmed «مقالت» (light10 strips the pronoun, not the «ت» of «مقالة»), and a verb's
    feminine «أعلنت» is not «أعلن»: each is indexed under the word without «ت» when the corpus has it,
    after a proclitic split; a short word keeps its «ت»."""
    found = split_clitics(["مقالت", "مقال", "ومقالت", "اعلنت", "واعلنت", "اعلن", "بيوت", "بيو", "ثابت"])
    assert found == {"مقالت": "مقال", "ومقالت": "مقال", "اعلنت": "اعلن", "واعلنت": "اعلن"}
    assert split_clitics(["حكومت", "قيادت"]) == {}  # nothing without the «ت» to meet


def test_a_noun_with_a_pronoun_matches_the_noun_asked() -> None:
    article = Article(
        "a", "خبر", ("نشر الكاتب مقالته الأولى عن الحرب في عام 1937. وله مقال آخر عن السلام في عام 1950.",)
    )
    retriever = Retriever(Corpus((article,)), RetrievalConfig(encoder="none"))
    hits = retriever.rank("أي مقال نشر في 1937؟")
    assert "1937" in hits[0].sentence.text
    assert "مقال" in hits[0].matched_terms


def test_hamza_initial_al_is_not_the_article() -> None:
    pipeline = Pipeline(stem=light_stem, stem_name=make_name_stemmer("light"))
    assert [t.stem for t in pipeline.terms("ألماتي")] == ["المات"]
    assert [t.stem for t in pipeline.terms("بألماتي")] != ["مات"]


@pytest.mark.parametrize("question", ["من مات؟", "كم شخص مات؟"])
def test_mat_does_not_match_almaty_by_stem(retriever: Retriever, question: str) -> None:
    query = retriever.parse(question)
    almaty = retriever.pipeline.lexicon.group_tokens(["الماتي"])[0][2]
    assert all(almaty not in c.tokens for c in query.concepts)


def test_wahid_one_does_not_match_sunday(retriever: Retriever) -> None:
    # «كم واحد مات؟» (how many people died): «واحد» is a number word, never «احد» of «الأحد» (Sunday).
    query = retriever.parse("كم واحد مات من قوات الأمن؟")
    assert [c.term.surface for c in query.concepts] == ["مات", "قوات", "الأمن"]
    assert "احد" not in query.tokens


def test_zar_visited_does_not_match_ministry(retriever: Retriever) -> None:
    query = retriever.parse("من زار كازاخستان؟")
    visited = next(c for c in query.concepts if c.term.normal == "زار")
    assert "وزار" not in visited.tokens
    assert "وزير" not in visited.tokens  # nor the minister by a root read in «و» + «زير»


def test_place_frames_a_question_and_is_never_read_by_its_root(retriever: Retriever) -> None:
    # «مكان» (place), which the corpus never writes, frames the question like «سبب»: its root كون must not
    # make it «يمكن» (can), and it is never named as missing.
    query = retriever.parse("مكان بداية احتجاجات كازاخستان")
    place = next(c for c in query.concepts if c.term.normal == "مكان")
    assert not place.required
    assert "يمكن" not in query.tokens
    assert query.asks == "place"


def test_a_corpus_word_opening_with_waw_keeps_its_own_root(retriever: Retriever) -> None:
    families = retriever.parser.families
    assert "وزير" not in families.same_root("زار", "زار")  # «وزير» is وزر, not «و» + «زير»
    assert "وصول" in families.same_root("اتصل", "اتصل")  # وصل: the «و» is the root's own


def test_lexicon_matches_whole_words_with_or_without_hamza(retriever: Retriever) -> None:
    for spelling in ("ألماتي", "الماتي", "بألماتي", "ألما آتا"):
        assert retriever.pipeline.lexicon.group_tokens(normalize(spelling).split())


def test_transliterated_name_matches(retriever: Retriever) -> None:
    answer = retriever.answer("مين لوكاشنكو؟")
    assert not answer.declined
    assert "لوكاشينكو" in answer.hits[0].sentence.text


def test_a_year_the_corpus_never_mentions_declines(retriever: Retriever) -> None:
    answer = retriever.answer("محاكمات 2023")
    assert answer.declined
    assert "2023" in answer.missing_terms
    assert retriever.answer("ماذا حدث في 2019؟").reason != "unknown entity"


def test_spellings_reach_a_corpus_word_with_a_proclitic() -> None:
    """A name the corpus only writes with «و» attached (وبنديغو) is still found from a variant."""
    assert families("وبنديغو", "الحكومة").spellings(normalize("بيديغو")) == [normalize("وبنديغو")]


needs_analyser = pytest.mark.skipif(not roots("كتب"), reason="the farahidi analyser is not installed")


@needs_analyser
def test_a_name_written_with_a_proclitic_reaches_its_variant() -> None:
    """«وإينيل» finds the corpus's «إينل»; an Arabic word with «ل» (لإخراج) is not stripped to
    fuzzy-match names and words that merely share its consonants."""
    found = families("إينل", "الحكومة").spellings(normalize("وإينيل"), "وإينيل")
    assert found == [normalize("إينل")]
    assert families("إينل").spellings(normalize("وإينيل")) == []  # the written form is needed
    assert families("خارجي", "واخيرا").spellings(normalize("لإخراج"), "لإخراج") == []


@needs_analyser
@pytest.mark.parametrize(
    "word",
    # names written with «اي» stay names once a hamza is seated there (توكائيف has no root)
    ["بايدن", "أردوغان", "زيلينسكي", "غوتيريش", "باشينيان", "ميرزيوييف", "توكاييف", "نزارباييف", "ميخائيل"],
)
def test_names_are_told_from_arabic_words(word: str) -> None:
    assert looks_like_name(word)


@needs_analyser
@pytest.mark.parametrize(
    "word",
    [
        "الحصيلة",
        "المحاكمات",
        "فتحوا",
        "شغالة",
        "عيّنوه",
        "البوليس",
        "عددالجرحي",
        "اعيد",
        "متمركزين",
        "بماذا",
        # typed with «اي» where Standard spelling seats a hamza: «شايفة» is «شائفة» (she thinks)
        "شايفة",
        "قايلين",
        "رايحين",
        "دايما",
        "خساير",
    ],
)
def test_arabic_dialect_and_misspelt_words_are_not_names(word: str) -> None:
    assert not looks_like_name(word)


@needs_analyser
def test_a_dialect_verb_is_not_a_name_when_its_core_has_a_root() -> None:
    assert not looks_like_name("بيبلّغ", ["يبلغ"])


@needs_analyser
@pytest.mark.parametrize("word", ["ياخدوا", "تقولولي", "بيعطوني", "طواقم", "وطواقم", "وحابب"])
def test_spoken_verbs_broken_plurals_and_a_glued_waw_name_nobody(word: str) -> None:
    """«ياخدوا المخافر», «ممكن تقولولي وين…», «وحابب أعرف»: words the analyser may not know, never names
    (a question naming somebody the corpus lacks is declined outright)."""
    assert name_in(Term(word, normalize(word), normalize(word))) is None


@needs_analyser
@pytest.mark.parametrize("word", ["نزارباييف", "غوتيريش", "ولافروف", "لبايدن"])
def test_names_stay_names_behind_a_proclitic(word: str) -> None:
    assert name_in(Term(word, normalize(word), normalize(word))) is not None


@needs_analyser
@pytest.mark.parametrize(
    "question",
    [
        "ماذا قال بايدن عن أحداث كازاخستان؟",
        "هل علق أردوغان على الاحتجاجات؟",
        "موقف زيلينسكي من دخول القوات الروسية",
        "وش صار لنزارباييف وقت الأحداث؟",
    ],
)
def test_a_person_the_corpus_never_names_declines(retriever: Retriever, question: str) -> None:
    answer = retriever.answer(question)
    assert answer.declined
    assert answer.reason == "unknown entity"
    named = [t for t in answer.missing_terms if t in question]
    assert named
    assert not named[0].startswith("ل")  # «لنزارباييف» is named as «نزارباييف»


@needs_analyser
def test_a_named_person_in_the_corpus_is_answered(retriever: Retriever) -> None:
    answer = retriever.answer("ماذا قال بلينكن عن الروس؟")
    assert not answer.declined
    assert "بلينكن" in answer.hits[0].sentence.text


@needs_analyser
def test_noun_readings() -> None:
    assert has_noun_reading("سكان")
    assert not has_noun_reading("بلغت")


@needs_analyser
@pytest.mark.parametrize(
    ("typed", "root"), [("الاطفال", "طفل"), ("اطفال", "طفل"), ("الاسلحة", "سلح"), ("والاجانب", "جنب")]
)
def test_a_word_typed_without_its_first_hamza_is_analysed_with_it(typed: str, root: str) -> None:
    # readers drop the hamza of a first alef; the analyser needs it («الاطفال» → «الأطفال»)
    assert has_noun_reading(typed)
    assert root in roots(typed)


def test_a_count_of_a_thing_typed_without_its_hamza_the_sources_never_count_declines(
    retriever: Retriever,
) -> None:
    answer = retriever.answer("كم عدد الاطفال اللى ماتو فى الاحتجاجات")
    assert answer.declined
    assert answer.reason == "unstated count"


@needs_analyser
def test_warming_analyses_the_most_frequent_corpus_words_first() -> None:
    table = WordFamilies([("الحكومه", "الحكومة", 5), ("الاحتجاجات", "الاحتجاجات", 3), ("نادر", "نادر", 1)])
    _analyses.cache_clear()
    assert table.warm(limit=2) == 2
    assert _analyses.cache_info().currsize == 2  # the two most frequent, analysed before any question


def test_a_word_written_without_its_hamza_is_found() -> None:
    assert families("الوزراء", "الحكومة").spellings(normalize("الوزرا")) == [normalize("الوزراء")]


@pytest.mark.parametrize(
    ("question", "words"),
    [
        ("متى استقالتالحكومة؟", ["استقالت", "الحكومة"]),  # two content words run together
        ("كم عدد القتلىفي ألماتي", ["عدد", "القتلى", "ألماتي"]),  # a function word after
        ("ماذا حدث فيالماتي", ["حدث", "الماتي"]),  # a function word before a word with the article
        ("شو صار عالمطار؟", ["المطار"]),  # the spoken «على» joined to the article
        ("ماذا حدث بعد زيادة سعرالغاز", ["حدث", "زيادة", "سعر", "الغاز"]),  # «سعر»: read by the analyser
    ],
)
def test_words_typed_without_a_space_are_set_apart(
    retriever: Retriever, question: str, words: list[str]
) -> None:
    assert [c.term.surface for c in retriever.parse(question).concepts] == words
    assert not retriever.answer(question).declined


@pytest.mark.parametrize("word", ["منصور", "بايدن", "الاحتجاجات"])
def test_a_known_or_unsplittable_word_stays_whole(retriever: Retriever, word: str) -> None:
    assert [c.term.surface for c in retriever.parse(f"ماذا قال {word}").concepts][-1] == word


@pytest.mark.parametrize(
    ("question", "words"),
    [
        ("ما هي أكبر مديننة في كازاخستان؟", ["أكبر", "مدينة", "كازاخستان"]),  # a letter twice
        ("ماذذا قال حمد بن جاسم؟", ["قال", "حمد", "بن", "جاسم"]),  # twice, in a question word
        ("بامذا وصف توكاييف المحتجين؟", ["وصف", "توكاييف", "المحتجين"]),  # two letters swapped
        ("لمذا استقالت الحكومة؟", ["استقالت", "الحكومة"]),  # a letter left out of «لماذا»
        ("ماذا قالل بوتين؟", ["قال", "بوتين"]),  # a letter twice in a content word
        ("شو عملت لاشرطة في ألماتي؟", ["عملت", "الشرطة", "ألماتي"]),  # the article's letters swapped
        ("ماذا قال أنتونوف عن اكلابيتول؟", ["قال", "أنتونوف", "الكابيتول"]),  # swapped after the article
    ],
)
def test_typing_slips_in_unknown_words_are_mended(
    retriever: Retriever, question: str, words: list[str]
) -> None:
    assert [c.term.surface for c in retriever.parse(question).concepts] == words
    assert not retriever.answer(question).declined


def test_a_letter_left_out_of_a_short_word_is_found(retriever: Retriever) -> None:
    """«الحكوة» (الحكومة without «م»): four letters without the article, matched against the corpus words
    one letter longer, since the analyser cannot read it; a word it reads is not (it may be another word)."""
    answer = retriever.answer("متى استقالت الحكوة الكازاخستانية؟")
    assert not answer.declined
    assert "الحكوة" not in answer.missing_terms
    assert families("اعمال").spellings(normalize("عمال"), "عمال") == []


def test_an_arabic_word_one_slip_from_a_function_word_is_kept(retriever: Retriever) -> None:
    """«رأيها» (her opinion) is one letter from «أيها»; the analyser reads it, so it stays a content word."""
    assert "رأيها" in [c.term.surface for c in retriever.parse("من هي كيت مالينسون وما رأيها؟").concepts]


def test_one_slip_is_a_letter_left_out_added_or_swapped() -> None:
    assert _one_slip("اتلي", "التي")
    assert _one_slip("بمااذا", "بماذا")
    assert _one_slip("ماذ", "ماذا")
    assert not _one_slip("هلاك", "هناك")  # another letter is another word
    assert not _one_slip("التي", "التي")


def test_a_hamza_on_its_seat_is_read_by_its_root_not_as_a_slip(retriever: Retriever) -> None:
    """«الرؤساء» (presidents) is one letter from «روسيا» once normalised; written with its hamza it is
    no slip, and its root finds «الرئيس»."""
    if not roots("كتب"):
        pytest.skip("the farahidi analyser is not installed")
    (concept,) = retriever.parse("الرؤساء").concepts
    assert "رييس" in concept.tokens
    assert "روسيا" not in concept.tokens


def test_a_short_noun_in_taa_meets_its_forms_behind_a_preposition(retriever: Retriever) -> None:
    """light10 keeps «مدة» whole but stems «لمدة» to «لمد»: the question's «مدة» finds «لمدة أسبوعين»."""
    (concept,) = [c for c in retriever.parse("كم مدة الطوارئ؟").concepts if c.term.normal == "مده"]
    assert concept.tokens
    assert concept not in retriever.parse("كم مدة الطوارئ؟").missing


@pytest.mark.parametrize("name", ["منغيستاو", "منقستاو"])
def test_a_name_transliterated_with_other_letters_is_found(retriever: Retriever, name: str) -> None:
    """«g» written «غ» or «ق» where the corpus writes «ج» (مانجيستاو)."""
    if not roots("كتب"):
        pytest.skip("the farahidi analyser is not installed")
    answer = retriever.answer(f"أديش مدة الطوارئ اللي فرضها الرئيس بمنطقة {name}؟")
    assert not answer.declined
    assert "مانجيستاو" in answer.hits[0].sentence.text


def test_sound_skeleton() -> None:
    assert sound_skeleton("منغيستاو") == sound_skeleton("مانجيستاو")
    assert sound_skeleton("طوكاييف") == sound_skeleton("توكاييف")


def test_a_word_the_corpus_writes_only_behind_a_proclitic_is_found(retriever: Retriever) -> None:
    # «ووصف المحتجين…»: «ووصف» stays whole (the corpus has no «وصف» alone), yet «وصف» is that word.
    (concept, *_) = retriever.parse("كيف وصف المحتجين؟").concepts
    assert concept.term.surface == "وصف"
    assert "ووصف" in concept.tokens
    assert concept.strength("ووصف") == 1.0
