"""Latin-script questions: English recognised, Arabizi read as Arabic against the corpus vocabulary."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval.answer import Retriever, load_retriever
from retrieval.arabizi import (
    Transliterator,
    arabic_skeleton,
    common_words,
    is_english,
    latin_skeleton,
    latin_words,
    spell,
)
from retrieval.config import RetrievalConfig
from retrieval.gazetteer import _KAZAKH_PLACES, kazakh_places
from retrieval.text import normalize

CORPUS = Path(__file__).resolve().parents[1] / "corpus"


@pytest.fixture(scope="module")
def retriever() -> Retriever:
    return load_retriever(CORPUS, RetrievalConfig(), cache=False)


@pytest.mark.parametrize(
    ("latin", "arabic"),
    [("maty", "الماتي"), ("tokayev", "توكاييف"), ("7ukoomeh", "حكومه"), ("shu", "شو"), ("3adad", "عدد")],
)
def test_skeletons_meet(latin: str, arabic: str) -> None:
    assert latin_skeleton(latin) == arabic_skeleton(arabic.removeprefix("ال"))


def test_english_is_told_from_arabizi() -> None:
    assert is_english(latin_words("How many people were killed in Almaty?"))
    assert not is_english(latin_words("kam wa7ed mat b almaty?"))
    assert not is_english(latin_words("shu sar"))
    # An English question word with few function words around it, names and content words aside.
    assert is_english(latin_words("Who won Super Bowl XLIX?"))
    assert is_english(latin_words("A decision made by what entity restored Tesla's patents?"))
    # Arabizi's digit letters keep an Arabizi question Arabizi, whatever English-looking word it holds.
    assert not is_english(latin_words("who el ra2ees el jdid?"))
    assert not is_english(latin_words("shu sar b almaty?"))


def test_an_english_question_names_are_read_in_the_corpus_spelling(retriever: Retriever) -> None:
    query = retriever.parse("What did Blinken say about Russian troops in Kazakhstan?")
    assert query.script == "english"
    assert query.focus.endswith("بلينكن كازاخستان")  # what the encoder reads beside the question
    assert retriever.parse("What did China say about the deployment?").focus == ""  # no corpus name


def test_vocabulary_chooses_the_spelling() -> None:
    reader = Transliterator.build([("الماتي", 5), ("مات", 1), ("الحكومه", 3)], ["شو", "صار"])
    assert reader.word("el-hukuma") == "الحكومه"
    assert reader.word("shu") == "شو"
    assert reader.word("xyzzq") is None


def test_an_arabizi_question_is_answered(retriever: Retriever) -> None:
    answer = retriever.answer("kam wa7ed mat b almaty?")
    assert not answer.declined
    assert "103" in answer.hits[0].sentence.text
    assert retriever.parse("shu sar b almaty?").script == "arabizi"


def test_an_english_question_is_recognised(retriever: Retriever) -> None:
    """Answered from the Arabic sentences by the encoder when it is installed, else declined as English."""
    answer = retriever.answer("How many military planes landed at Almaty airport?")
    assert answer.reason == "english"
    assert answer.missing_terms == ()
    if retriever.vectors is None:
        assert answer.declined
    else:
        assert not answer.declined
        assert "طائرات" in answer.hits[0].sentence.text


def test_an_english_question_far_from_every_sentence_is_declined(retriever: Retriever) -> None:
    answer = retriever.answer("What is the recipe for apple pie with cinnamon?")
    assert answer.declined
    assert answer.reason == "english"


@pytest.mark.parametrize(("latin", "arabic"), [("ensa7abet", "انسحبت"), ("n3ta9al", "نعتقل"), ("shu", "شو")])
def test_an_unknown_word_is_spelled_letter_by_letter(latin: str, arabic: str) -> None:
    assert spell(latin) == arabic


def test_a_word_no_vocabulary_word_matches_is_kept() -> None:
    reading, unread = Transliterator.build([("القوات", 3)]).sentence(["ensa7abet", "el", "9wat"])
    assert reading == "انسحبت القوات"
    assert unread == ["ensa7abet"]


def test_levantine_2_and_the_construct_t() -> None:
    known = Transliterator.build([("قالت", 2), ("منظمة", 2), ("الاحتجاجات", 2)])
    assert known.word("2alet") == "قالت"
    assert known.word("monazamat") == "منظمة"
    assert known.word("el-e7tijajat") == "الاحتجاجات"


def test_levantine_2_with_the_construct_t_and_a_word_the_corpus_writes_with_a_pronoun() -> None:
    known = Transliterator.build([("استقاله", 2), ("استقلالها", 1), ("الحكومه", 3)])
    assert known.word("esta2alet") == "استقاله"  # «2» as «ق» and «-et» as «ة» together
    assert known.word("esti2lal") == "استقلال"  # the corpus has it only as «استقلالها»
    assert Transliterator.build([("وزاره", 3), ("وزير", 2)]).word("wazir") == "وزير"  # «ة» is no pronoun


def test_a_spare_word_is_read_only_where_no_vocabulary_word_matches() -> None:
    known = Transliterator.build([("احتجاجات", 3), ("قالت", 2)], spare=["مظاهرات", "قلت"])
    assert known.word("mozahrat") == "مظاهرات"  # the reader's word, then searched through its synonyms
    assert known.word("2alet") == "قالت"  # a corpus word of the same letters wins
    assert Transliterator.build([("احتجاجات", 3)]).word("mozahrat") is None  # spelled letter by letter


def test_a_country_in_arabizi_the_corpus_never_names_declines(retriever: Retriever) -> None:
    answer = retriever.answer("shu 2alet el seen 3an el a7dath?")
    assert answer.declined
    assert answer.reason == "unknown entity"
    assert retriever.parse("shu 2alet el seen?").reading.split()[-1] == "الصين"


@pytest.mark.parametrize(("latin", "country"), [("isra2il", "اسراييل"), ("el jaza2er", "الجزاير")])
def test_a_2_for_a_seated_hamza_reads_the_country(retriever: Retriever, latin: str, country: str) -> None:
    # «إسرائيل», «الجزائر»: the hamza «2» stands for is seated on «ئ», which normalising folds into «ي».
    assert retriever.parse(f"shu 2alet {latin}?").reading.split()[-1] == country
    answer = retriever.answer(f"shu kan mawqef {latin} mn el a7dath b kazakhstan?")
    assert answer.declined
    assert answer.reason == "unknown entity"


def test_spoken_ala_is_read_as_ala_with_the_article(retriever: Retriever) -> None:
    # «3al share3»: the spoken «ع» for «على», joined to the next word's article.
    query = retriever.parse("lesh el nas tala3o 3al share3?")
    assert "على الشوارع" in query.reading
    assert [c.term.surface for c in query.concepts][-1] == "الشوارع"


def test_levantine_9_is_sad() -> None:
    known = Transliterator.build([("كوريا", 0)], preferred=["صار", "كوريا"])
    assert known.word("9ar") == "صار"  # not «كوريا» (9 as «ق», a country the question never named)


def test_spoken_letters_and_a_final_ha_are_read() -> None:
    words = [("احداث", 3), ("اوروبي", 5), ("ربح", 1), ("لها", 9)]
    known = Transliterator.build(words, preferred=["اللي", "لها"])
    assert known.word("a7das") == "احداث"  # «ث» said «s»
    assert known.word("rebe7") == "ربح"  # a final «7» is «ح», not a dropped «ة»
    assert known.word("elli") == "اللي"  # the article's «ل» before «لي»


def test_the_future_particle_before_a_verb_is_not_read_as_a_word() -> None:
    known = Transliterator.build([("راح", 4), ("القوات", 3), ("تبقى", 2)])
    assert "راح" not in known.sentence(["el", "2wat", "ra7", "teb2a"])[0]
    assert "راح" in known.sentence(["meen", "ra7", "3al", "matar"])[0]


def test_common_words_are_read_as_written_not_as_the_nearest_corpus_word() -> None:
    # «3an» and «عاون» share their consonants; the corpus's content word must not win over «عن».
    known = Transliterator.build([("عاون", 4), ("ثم", 9), ("بين", 9)], preferred=["عن"])
    assert known.word("3an") == "عن"
    assert known.word("esm") == "اسم"
    assert known.word("walla") == "ولا"
    assert known.word("bin") == "بن"
    assert Transliterator.build([("حول", 6)]).word("hal") == "هل"  # whether: a yes/no question
    assert Transliterator.build([("بدنا", 3)]).word("bedoun") == "بدون"  # without, not «we want»


def test_an_arabizi_yes_no_question_needs_the_evidence_an_arabic_one_does(retriever: Retriever) -> None:
    question = "hal tokayev e3tazar lel sha3b 3an el 2atla?"  # «هل اعتذر توكاييف للشعب…؟»: never reported
    assert retriever.parse(question).reading.startswith("هل ")
    assert retriever.answer(question).declined
    assert Transliterator.build([("يوم", 5)], preferred=["اما"]).word("yom") == "يوم"  # a unit of time
    assert Transliterator.build([("مده", 2)], preferred=["ماذا"]).word("modde") == "مدة"  # not «ماذا»
    assert Transliterator.build([("عاون", 4)], fixed={}).word("3an") == "عاون"  # the table can be left out


def test_common_spellings_are_lower_case_latin_and_read_as_arabic() -> None:
    for latin, arabic in common_words().items():
        assert latin_words(latin) == [latin], latin  # one lower-case token, as questions are split
        assert arabic, latin
        assert not latin_words(arabic), latin


def test_a_name_is_read_as_the_name_not_a_country_of_the_same_letters() -> None:
    known = Transliterator.build([("بوتين", 3)], preferred=["بوتان"])
    assert known.word("putin") == "بوتين"  # not Bhutan


def test_a_long_vowel_typed_twice_is_not_read_as_a_word_without_one() -> None:
    # «za3eem» (زعيم, leader) is no «زعم» (claimed), the corpus word of the same consonants
    known = Transliterator.build([("زعم", 3)])
    assert known.word("za3eem") != "زعم"
    assert known.word("za3am") == "زعم"
    assert Transliterator.build([("زعيم", 1)]).word("za3eem") == "زعيم"


def test_a_preposition_with_the_article_is_read_apart() -> None:
    reading, _ = Transliterator.build([("المطار", 3)]).sentence(["shu", "sar", "bel", "matar"])
    assert reading == "شو صار ب المطار"


def test_a_person_in_arabizi_the_corpus_never_names_declines(retriever: Retriever) -> None:
    answer = retriever.answer("biden shu 2al 3an kazakhstan?")
    assert answer.declined
    assert answer.reason == "unknown entity"
    assert "بايدن" in answer.missing_terms
    assert not retriever.answer("blinken shu 2al 3an kazakhstan?").declined  # a name the corpus has


def test_an_english_question_naming_a_person_the_corpus_never_names_declines(retriever: Retriever) -> None:
    answer = retriever.answer("What role did Nazarbayev play during the protests?")
    assert answer.declined
    assert answer.reason == "english"
    assert answer.missing_terms == ("Nazarbayev",)  # named in both languages' lines of the reply
    assert not retriever.answer("What did Blinken say about Russian troops in Kazakhstan?").declined


@pytest.mark.parametrize(
    ("question", "named"),
    [
        ("kam wa7ed mat b shymkent?", "شيمكنت"),
        ("shu sar b karaganda wa2t el e7tijajat?", "كاراغندا"),
        ("How many people were killed in Aktobe?", "Aktobe"),
    ],
)
def test_a_city_of_kazakhstan_the_corpus_never_names_declines(
    retriever: Retriever, question: str, named: str
) -> None:
    # every city of the Arabic gazetteer has its Latin spellings: «shymkent» had been read as corpus words
    answer = retriever.answer(question)
    assert answer.declined
    assert named in answer.missing_terms
    assert not retriever.answer("kam wa7ed mat b almaty?").declined  # a city the corpus names


def test_every_city_of_the_gazetteer_has_a_latin_spelling() -> None:
    # Kazakhstan's cities as the Arabic gazetteer lists them, each read from Latin letters too
    read = {place for arabic in common_words().values() for place in kazakh_places(normalize(arabic).split())}
    assert read == set(_KAZAKH_PLACES)


def test_a_place_outside_the_corpus_is_read_only_where_no_corpus_word_is_as_close() -> None:
    places = ["ايران", "سوريا", "الاردن", "السعوديه", "روما"]
    known = Transliterator.build([("لثوره", 1), ("صارت", 2), ("رقم", 1)], names=places)
    assert known.word("iran") == "ايران"  # a place as typed
    assert known.word("sawra") == "لثوره"  # «ثورة», which the corpus writes only behind «ل», not «سوريا»
    # a framing word keeps its edge over a place the question may not name at all
    assert Transliterator.build([], preferred=["صارت"], names=places).word("sarat") == "صارت"


def test_a_digit_the_place_lacks_is_an_arabic_letter_not_a_foreign_name() -> None:
    known = Transliterator.build([], names=["ايران", "روما", "الاردن", "السعوديه"])
    assert known.word("2aran") != "ايران"  # «قارن»: «2» after which «a» is no «ي»
    assert known.word("ra2em") != "روما"  # «رقم»
    assert known.word("2iran") == "ايران"  # the hamza of «إيران»
    assert known.word("2ordon") == "اردن"  # the hamza of «الأردن»
    assert known.word("sa3oudiye") == "سعوديه"  # «3» is the «ع» of «السعودية»


def test_a_2_the_skeleton_drops_leaves_no_one_consonant_reading(retriever: Retriever) -> None:
    transliterator = retriever.parser.transliterator
    # «2uwwat» through its construct reading «quwwa» was «كي», «2a2ed» (قائد) and «2ad» (قد) «إذ»: a
    # one-consonant function word only as written, and never where a «2» stood for a letter
    assert transliterator.word("2uwwat") == normalize("قوات")
    assert transliterator.word("2ad") != normalize("إذ")
    assert transliterator.word("2a2ed") != normalize("إذ")
    assert transliterator.word("la2") == normalize("لا")  # a common spelling still reads as given


def test_the_vowel_before_a_final_hamza_chooses_the_word(retriever: Retriever) -> None:
    # «tawari2»: the «i» before the hamza is the «ئ» of «طوارئ», not «طيارة» of the same consonants
    assert retriever.parser.transliterator.word("tawari2") == normalize("طوارئ")


def test_th_and_dh_are_their_own_letters(retriever: Retriever) -> None:
    # «th» is «ث» (and «dh» «ذ»), which the skeleton puts with «ت ط» (and «ز ظ»): «thawra» is «ثورة»
    # (the corpus writes it «لثورة»), not «طيارة» of the same consonants
    assert retriever.parser.transliterator.word("thawra") == normalize("لثورة")


def test_a_count_of_the_dead_of_a_place_the_sources_never_count_declines(retriever: Retriever) -> None:
    """The sources count the dead of Almaty and of the whole country, never of Mangystau: an Arabizi «kam»
    question about that region is declined as an unstated count, as the same question in Arabic script
    is, rather than answered with the region's state of emergency."""
    answer = retriever.answer("kam shakhs mat fi mante2at manjistau?")
    assert answer.declined
    assert answer.reason == "unstated count"
