"""The answer API: cited hits from the bundled corpus, reasoned declines, dedup, neighbours, corpus info."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from retrieval.answer import Retriever, load_retriever
from retrieval.config import RetrievalConfig
from retrieval.errors import CorpusNotFoundError, EmptyCorpusError, EmptyQuestionError
from retrieval.models import Answer, Article, Citation, Corpus, Hit, Sentence

REPO = Path(__file__).resolve().parents[1]
AIRPORT = "مطار ألما آتا"  # 002: nine military aircraft landed at Almaty airport


@pytest.fixture(scope="module")
def retriever() -> Retriever:
    return load_retriever(REPO / "corpus", RetrievalConfig())


# --- answered ----------------------------------------------------------------------------------------


def test_answered_question_has_cited_hits_best_first(retriever: Retriever) -> None:
    answer = retriever.answer("متى بدأت الاحتجاجات في كازاخستان؟")
    assert not answer.declined
    assert answer.missing_terms == ()
    assert answer.hits
    assert "بدأت أعمال الاحتجاج" in answer.hits[0].sentence.text
    scores = [hit.score if hit.fused is None else hit.fused for hit in answer.hits]  # fused: the encoder's
    assert scores == sorted(scores, reverse=True)
    assert all(hit.citations for hit in answer.hits)
    assert all(hit.matched_terms for hit in answer.hits)


def test_hit_sentence_ids_name_article_paragraph_and_position(retriever: Retriever) -> None:
    answer = retriever.answer("كم قتيلا سقط في مدينة ألماتي؟")
    doc_ids = {article.id for article in retriever.corpus.articles}
    for hit in answer.hits:
        doc, paragraph, position = hit.sentence.id.split(":")
        assert doc == hit.sentence.doc_id
        assert doc in doc_ids
        assert (int(paragraph), int(position)) == (hit.sentence.paragraph, hit.sentence.position)
        assert doc in {c.doc_id for c in hit.citations}
    assert "103 من القتلى سقطوا في مدينة ألماتي" in answer.hits[0].sentence.text


def test_top_k_limits_the_hits(retriever: Retriever) -> None:
    assert len(retriever.answer("متى بدأت الاحتجاجات في كازاخستان؟", top_k=2).hits) == 2
    assert len(retriever.answer("متى بدأت الاحتجاجات في كازاخستان؟").hits) <= retriever.config.top_k


@pytest.mark.parametrize("place", ["ألما آتا", "ألماتي"])
def test_either_spelling_of_almaty_finds_the_airport_sentence(retriever: Retriever, place: str) -> None:
    answer = retriever.answer(f"كم طائرة عسكرية هبطت في مطار {place}؟")
    assert not answer.declined
    assert AIRPORT in answer.hits[0].sentence.text


@pytest.mark.parametrize(
    ("plain", "variant"),
    [
        pytest.param(
            "كم عدد القتلى الذين أعلنت عنهم وزارة الداخلية؟",
            "كَمْ عَدَدُ القَتْلَى الذين أعلنت عنهم وزارةُ الداخلية؟",
            id="diacritics",
        ),
        pytest.param(
            "متى بدأت الاحتجاجات في كازاخستان؟",
            "متى بدأت الاحتجـــــاجات في كازاخســتان؟",
            id="tatweel",
        ),
        pytest.param("أعلنت الوزارة مقتل 164 شخصا", "أعلنت الوزارة مقتل ١٦٤ شخصا", id="arabic-indic-digits"),
    ],
)
def test_spelling_variation_in_the_question_gives_the_same_hits(
    retriever: Retriever, plain: str, variant: str
) -> None:
    expected = retriever.answer(plain)
    got = retriever.answer(variant)
    assert not got.declined
    assert [h.sentence.id for h in got.hits] == [h.sentence.id for h in expected.hits]
    assert got.hits[0].score == pytest.approx(expected.hits[0].score)


# --- declines ----------------------------------------------------------------------------------------


def test_question_about_an_absent_country_is_declined_naming_it(retriever: Retriever) -> None:
    answer = retriever.answer("ما موقف الصين من أحداث كازاخستان؟")
    assert answer.declined
    assert "الصين" in answer.missing_terms
    assert answer.hits == ()


@pytest.mark.parametrize("question", ["النت اتقطع في كازاخستان ولا لأ؟", "كم يوم فضل النت مقطوع هناك؟"])
def test_a_dialect_word_for_a_loanword_the_corpus_lacks_declines_naming_it(
    retriever: Retriever, question: str
) -> None:
    # «النت» is «الإنترنت» (dialect.toml), which the articles never mention, as «الانترنت» declines
    answer = retriever.answer(question)
    assert answer.declined
    assert answer.reason == "unknown entity"
    assert "النت" in answer.missing_terms


def test_the_internet_as_where_something_was_published_is_no_topic(retriever: Retriever) -> None:
    # the medium of a statement («على موقعها الإلكتروني»), not a thing the sources must mention
    answer = retriever.answer("منظمة التعاون الإسلامي نشرت بيانها على النت ولا وين؟")
    assert not answer.declined


def test_a_nationality_of_an_absent_country_is_declined_naming_it(retriever: Retriever) -> None:
    answer = retriever.answer("ما موقف الحكومة الصينية من الاحتجاجات في كازاخستان؟")
    assert answer.declined
    assert answer.reason == "unknown entity"
    assert "الصينية" in answer.missing_terms
    assert not retriever.answer("ما موقف الحكومة الروسية من الاحتجاجات؟").declined  # the corpus has Russia


@pytest.mark.parametrize(
    ("question", "named"),
    [
        ("ما موقف الأمم المتحدة؟", ("الأمم المتحدة",)),
        ("ايش قال الامين العام للأمم المتحدة عن كازاخستان؟", ("الامين", "للأمم المتحدة")),  # behind «لل»
    ],
)
def test_an_absent_multiword_entity_is_declined_naming_it_once(
    retriever: Retriever, question: str, named: tuple[str, ...]
) -> None:
    answer = retriever.answer(question)
    assert answer.reason == "unknown entity"
    assert answer.missing_terms == named  # «الأمم» alone is not named again beside the entity


def test_question_about_football_is_declined(retriever: Retriever) -> None:
    answer = retriever.answer("من فاز بكأس العالم لكرة القدم؟")
    assert answer.declined
    assert answer.hits == ()
    assert "القدم" in answer.missing_terms


def test_question_about_a_definite_noun_the_corpus_never_uses_is_declined(retriever: Retriever) -> None:
    answer = retriever.answer("ما هو الاستفتاء الدستوري؟")
    assert answer.declined
    assert answer.missing_terms == ("الاستفتاء",)


@pytest.mark.parametrize("question", ["؟؟", "من هو؟", "", "   ", "!!! ...", "ما هو الذي؟"])
def test_question_without_searchable_words_raises_empty_question(retriever: Retriever, question: str) -> None:
    with pytest.raises(EmptyQuestionError):
        retriever.answer(question)


# --- deduplication and citations on a small synthetic corpus ----------------------------------------

SHARED = "أعلنت الحكومة فرض حالة الطوارئ في العاصمة."
REPEATED = "ارتفعت أسعار الغاز المسال فجأة."


def wire_corpus() -> Corpus:
    agency = Article(
        "agency",
        "خبر الوكالة",
        (f"بدأت الاحتجاجات في المدينة الغربية. {SHARED}", f"{REPEATED} {REPEATED}"),
        outlet="وكالة",
        published=date(2022, 1, 5),
    )
    paper = Article(
        "paper",
        "خبر الصحيفة",
        (f"{SHARED} وانتشرت القوات في الشوارع.",),
        outlet="صحيفة",
        published=date(2022, 1, 7),
    )
    return Corpus((agency, paper))


@pytest.fixture(scope="module")
def wire() -> Retriever:
    return Retriever(wire_corpus(), RetrievalConfig())


def test_sentence_shared_by_two_articles_is_one_hit_citing_both(wire: Retriever) -> None:
    answer = wire.answer("متى فرضت حالة الطوارئ؟")
    texts = [hit.sentence.text for hit in answer.hits]
    assert texts.count(SHARED) == 1
    hit = answer.hits[texts.index(SHARED)]
    assert [c.doc_id for c in hit.citations] == ["agency", "paper"]


def test_sentence_repeated_within_an_article_is_indexed_once(wire: Retriever) -> None:
    answer = wire.answer("ارتفعت أسعار الغاز المسال")
    assert [hit.sentence.text for hit in answer.hits] == [REPEATED]
    assert [c.doc_id for c in answer.hits[0].citations] == ["agency"]
    assert sum(entry.sentence.text == REPEATED for entry in wire.index.entries) == 1


def test_answer_citations_are_distinct_in_order_of_first_appearance() -> None:
    a = Citation("a", "أ", None, None, None)
    b = Citation("b", "ب", None, None, None)
    c = Citation("c", "ج", None, None, None)

    def hit(*citations: Citation) -> Hit:
        return Hit(Sentence(citations[0].doc_id, 1, 0, "نص"), 1.0, citations)

    answer = Answer("سؤال", ("نص",), (hit(b), hit(a, b), hit(c, a)), False)
    assert [x.doc_id for x in answer.citations] == ["b", "a", "c"]


def test_answer_citations_follow_the_hits(retriever: Retriever) -> None:
    answer = retriever.answer("متى بدأت الاحتجاجات في كازاخستان؟")
    first_seen = list(dict.fromkeys(c.doc_id for hit in answer.hits for c in hit.citations))
    assert [c.doc_id for c in answer.citations] == first_seen


def test_neighbours_are_the_sentences_before_and_after_in_the_article(wire: Retriever) -> None:
    hit = wire.answer("متى فرضت حالة الطوارئ؟").hits[0]
    assert hit.before is not None
    assert hit.before.text == "بدأت الاحتجاجات في المدينة الغربية."
    assert hit.after is not None
    assert hit.after.text == REPEATED


def test_first_body_sentence_has_no_sentence_before_it(wire: Retriever) -> None:
    hit = wire.answer("بدأت الاحتجاجات في المدينة الغربية").hits[0]
    assert hit.sentence.text == "بدأت الاحتجاجات في المدينة الغربية."
    assert hit.before is None
    assert hit.after is not None
    assert hit.after.text == SHARED


def test_a_title_hit_has_no_neighbours(wire: Retriever) -> None:
    hit = wire.answer("خبر الصحيفة").hits[0]
    assert hit.sentence.paragraph == 0
    assert (hit.before, hit.after) == (None, None)


# --- highlighting ------------------------------------------------------------------------------------


def test_highlight_spans_cover_the_words_matching_the_question(wire: Retriever) -> None:
    answer = wire.answer("متى فرضت حالة الطوارئ؟")
    spans = wire.highlight_spans(SHARED, answer.query_terms)
    assert [SHARED[a:b] for a, b in spans] == ["فرض", "حالة", "الطوارئ"]


def test_highlight_spans_find_nothing_in_an_unrelated_sentence(wire: Retriever) -> None:
    answer = wire.answer("متى فرضت حالة الطوارئ؟")
    assert wire.highlight_spans("وانتشرت القوات في الشوارع.", answer.query_terms) == []


def test_highlight_spans_include_words_matched_through_the_lexicon(retriever: Retriever) -> None:
    answer = retriever.answer("متى بدأت الاحتجاجات في كازاخستان؟")
    text = answer.hits[0].sentence.text
    words = [text[a:b] for a, b in retriever.highlight_spans(text, answer.query_terms)]
    assert "كازاخستان" in words


# --- corpus info, version, examples ------------------------------------------------------------------


def test_info_describes_the_corpus(wire: Retriever) -> None:
    info = wire.info
    assert info.articles == 2
    assert info.sentences == len(wire.index) == 6  # 2 titles + 4 distinct body sentences
    assert info.outlets == ("صحيفة", "وكالة")
    assert (info.first_published, info.last_published) == (date(2022, 1, 5), date(2022, 1, 7))


def test_info_of_the_bundled_corpus(retriever: Retriever) -> None:
    info = retriever.info
    assert info.articles == len(list((REPO / "corpus" / "articles").glob("*.md")))
    assert info.sentences > info.articles
    assert info.first_published is not None
    assert info.last_published is not None
    assert info.first_published <= info.last_published


def test_version_is_stable_for_the_same_articles_and_changes_when_one_changes() -> None:
    corpus = wire_corpus()
    version = Retriever(corpus, RetrievalConfig()).info.version
    assert Retriever(wire_corpus(), RetrievalConfig()).info.version == version
    agency, paper = corpus.articles
    edited = Article(paper.id, paper.title, ("نص جديد عن الاحتجاجات.",), paper.outlet, paper.published)
    assert Retriever(Corpus((agency, edited)), RetrievalConfig()).info.version != version
    retitled = Article(paper.id, "عنوان آخر", paper.paragraphs, paper.outlet, paper.published)
    assert Retriever(Corpus((agency, retitled)), RetrievalConfig()).info.version != version


def test_examples_keep_only_questions_the_corpus_answers() -> None:
    corpus = wire_corpus()
    corpus = Corpus(corpus.articles, examples=("متى فرضت حالة الطوارئ؟", "ما موقف الصين؟", "؟؟"))
    assert Retriever(corpus, RetrievalConfig()).examples == ("متى فرضت حالة الطوارئ؟",)


def test_bundled_examples_are_all_answered(retriever: Retriever) -> None:
    assert retriever.examples
    assert set(retriever.examples) <= set(retriever.corpus.examples)
    for question in retriever.examples:
        assert not retriever.answer(question).declined, question


# --- loading -----------------------------------------------------------------------------------------


def test_load_retriever_on_a_missing_directory_raises_corpus_not_found(tmp_path: Path) -> None:
    with pytest.raises(CorpusNotFoundError):
        load_retriever(tmp_path / "nowhere", RetrievalConfig())


def test_load_retriever_when_every_article_is_broken_raises_empty_corpus(tmp_path: Path) -> None:
    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "one.md").write_text("no front matter here\n", encoding="utf-8")
    (articles / "two.md").write_bytes(b'+++\nid = "x"\n\xff\xfe\n+++\n')
    with pytest.raises(EmptyCorpusError, match=r"one\.md.*two\.md"):
        load_retriever(tmp_path, RetrievalConfig())


def test_an_unknown_definite_noun_declines_unless_the_rest_matches_well(retriever: Retriever) -> None:
    paraphrase = retriever.answer("ماذا قال بلينكن عن الوجود الروسي؟")  # «الوجود» for the text's «النفوذ»
    assert not paraphrase.declined
    assert "الوجود" in paraphrase.missing_terms
    unknown = retriever.answer("هل أدان البرلمان الأوروبي القمع؟")
    assert unknown.declined
    assert "البرلمان" in unknown.missing_terms


@pytest.mark.parametrize("control", ["\u200b", "\u200c", "\u202e", "\u2066", "\ufeff"])
def test_an_invisible_or_bidi_control_inside_a_word_does_not_split_it(
    retriever: Retriever, control: str
) -> None:
    answer = retriever.answer(f"ما موقف ال{control}صين من أحداث كازاخستان؟")
    assert answer.declined
    assert answer.missing_terms == ("الصين",)


def test_shown_hits_keep_what_the_fused_ranking_puts_close_to_the_first(wire: Retriever) -> None:
    """A sentence far below the first by BM25 alone is still shown when the encoder lifted it close to
    the first in the fused order; one far below on both, or sharing no word, is not."""
    citation = Citation("a", "أ", None, None, None)

    def hit(score: float, matched: tuple[str, ...], fused: float | None) -> Hit:
        return Hit(Sentence("a", 1, 0, "نص"), score, (citation,), matched_terms=matched, fused=fused)

    first = hit(20.0, ("تماس", "رحم", "محكم"), 1.0)
    lifted = hit(3.6, ("محكم",), 0.7)
    sunk = hit(3.6, ("محكم",), 0.3)
    unrelated = hit(3.6, (), 0.9)
    assert wire._readable([first, lifted, sunk, unrelated]) == [first, lifted]
    assert wire._readable([hit(20.0, ("تماس", "رحم", "محكم"), None), hit(3.6, ("محكم",), None)])[1:] == []


def test_an_english_question_naming_a_country_the_corpus_never_mentions_declines(
    retriever: Retriever,
) -> None:
    answer = retriever.answer("What did China say about the CSTO deployment?")
    assert answer.declined
    assert answer.missing_terms == ("China",)
    assert not retriever.answer("What did Russia say about the CSTO deployment?").missing_terms


def test_an_english_question_naming_an_absent_nation_by_its_adjective_declines(retriever: Retriever) -> None:
    answer = retriever.answer("What did the German government say about the unrest in Kazakhstan?")
    assert answer.declined
    assert answer.missing_terms == ("German",)
    assert not retriever.answer("How many Russian troops were sent to Kazakhstan?").missing_terms
    # an adjective tells only what the corpus lacks: the encoder reads the question without «روسيا»
    assert "روسيا" not in retriever.parse("How many Russian troops were sent?").focus


@pytest.mark.parametrize(
    ("question", "named"),
    [
        ("شو كان رد منظمة هيومن رايتس ووتش على قمع المظاهرات؟", "هيومن رايتس ووتش"),
        ("ما موقف منظمة العفو الدولية؟", "منظمة العفو الدولية"),
        ("What did Human Rights Watch say about the crackdown?", "Human Rights Watch"),
    ],
)
def test_a_rights_group_the_corpus_never_mentions_is_named_as_missing(
    retriever: Retriever, question: str, named: str
) -> None:
    answer = retriever.answer(question)
    assert answer.declined
    assert named in answer.missing_terms


@pytest.mark.parametrize("question", ["ما موقف ألمانيا من الأحداث؟", "ألبانيا قالت إيه؟"])
def test_a_country_the_corpus_lacks_is_never_taken_for_another_spelling(
    retriever: Retriever, question: str
) -> None:
    # «ألمانيا» normalised begins as an article would, and its rest is one slip from «يومين»
    answer = retriever.answer(question)
    assert answer.reason == "unknown entity"


@pytest.mark.parametrize(
    "question",
    ["What did the EU say about Kazakhstan?", "What did the European Union say?"],
)
def test_an_english_question_naming_an_absent_multiword_body_declines(
    retriever: Retriever, question: str
) -> None:
    # «الاتحاد» alone is in the corpus («روسيا الاتحادية»); «الاتحاد الأوروبي» is not
    answer = retriever.answer(question)
    assert answer.declined
    assert answer.reason == "english"
    assert answer.missing_terms in (("EU",), ("European Union",))


@pytest.mark.parametrize(
    "question", ["ماذا قال أنتونوف بخصوص الكابيتول؟", "بماذا عاب أنتونوف على واشنطن فيما يخص الكابيتول؟"]
)
def test_a_word_for_regarding_is_neither_searched_nor_missing(retriever: Retriever, question: str) -> None:
    answer = retriever.answer(question)
    assert not answer.declined
    assert not {"بخصوص", "يخص"} & {*answer.missing_terms, *answer.known_terms}
    assert any(word in answer.hits[0].sentence.text for word in ("الكابيتول", "واشنطن"))
