"""The kept sentence index: a warm start and an incremental reload answer exactly like a fresh build.

Three references are compared: the original single-pass ``SentenceIndex`` (kept verbatim below as
``LegacyIndex``), a fresh two-stage build (``Retriever(corpus, config)``), and what ``load_retriever``
makes from ``corpus/.index`` (restored, or updated after articles changed).
"""

from __future__ import annotations

import errno
import json
import logging
import math
import random
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import retrieval.index.sentence_index
import retrieval.index.table
from retrieval.answer import Retriever, load_retriever, make_pipeline
from retrieval.config import RetrievalConfig
from retrieval.corpus import load_corpus
from retrieval.errors import EmptyQuestionError
from retrieval.evaluate import read_cases
from retrieval.index import (
    Entry,
    SentenceIndex,
    SentenceTable,
    article_digest,
    article_sentences,
    persist,
    split_clitics,
)
from retrieval.index import cache as cache_module
from retrieval.index.bm25 import FastBM25
from retrieval.index.cache import CACHE_DIR, index_key, pipeline_key
from retrieval.ingest import render_article
from retrieval.models import Article, Citation, Corpus, Sentence
from retrieval.text import Pipeline, make_stemmer, normalize, variant_keys

REPO = Path(__file__).resolve().parents[1]
CONFIG = RetrievalConfig(encoder="none")  # the BM25 index alone; tests/test_vectors.py keeps the vectors
DEV_QUESTIONS = [
    case.question
    for case in read_cases((REPO / "tests" / "data" / "dev.jsonl").read_text(encoding="utf-8").splitlines())
]


# --- the reference: the original single-pass construction, verbatim ------------------------------------


def _same(a: Sentence, b: Sentence) -> bool:
    return normalize(a.text) == normalize(b.text)


class LegacyIndex:
    """``retrieval.index.SentenceIndex`` as it was before the index was built in two stages."""

    def __init__(
        self,
        articles: Sequence[Article],
        pipeline: Pipeline,
        k1: float,
        b: float,
        context_weight: float = 0.0,
    ) -> None:
        self.pipeline = pipeline
        self.context_weight = context_weight
        by_key: dict[str, int] = {}
        entries: list[tuple[Sentence, list[Citation], tuple[str, ...]]] = []
        self._neighbours: dict[str, tuple[Sentence | None, Sentence | None]] = {}
        for article in articles:
            citation = Citation.of(article)
            body = [s for s in article_sentences(article) if s.paragraph > 0]
            body = [s for i, s in enumerate(body) if not i or not _same(s, body[i - 1])]
            for i, sentence in enumerate(body):
                before = body[i - 1] if i else None
                after = body[i + 1] if i + 1 < len(body) else None
                self._neighbours[sentence.id] = (before, after)
            for sentence in article_sentences(article):
                key = normalize(sentence.text)
                tokens = tuple(pipeline.index_tokens(sentence.text))
                if not tokens:
                    continue
                if key in by_key:
                    cites = entries[by_key[key]][1]
                    if citation not in cites:
                        cites.append(citation)
                    continue
                by_key[key] = len(entries)
                entries.append((sentence, [citation], tokens))
        self.clitics = split_clitics(t for _, _, tokens in entries for t in tokens)
        self.entries: tuple[Entry, ...] = tuple(
            Entry(s, tuple(c), tuple(self.clitics.get(x, x) for x in t)) for s, c, t in entries
        )
        self._context: list[tuple[int, ...]] = []
        for sentence, _, _ in entries:
            near = [by_key.get(normalize(n.text)) for n in self._neighbours.get(sentence.id, ()) if n]
            self._context.append(tuple(i for i in near if i is not None))
        self.vocabulary: frozenset[str] = frozenset(t for e in self.entries for t in e.tokens)
        self._by_key: dict[str, set[str]] = {}
        for token in self.vocabulary:
            for key in variant_keys(token):
                self._by_key.setdefault(key, set()).add(token)
        self._bm25 = FastBM25([e.tokens for e in self.entries], k1=k1, b=b)

    def relatives(self, stem: str) -> frozenset[str]:
        found: set[str] = set()
        for key in variant_keys(stem, asked=True):
            found |= self._by_key.get(key, set())
        return frozenset(found)

    def idf(self, token: str) -> float:
        return self._bm25.idf(token) if token in self._bm25 else 0.0

    def search(self, tokens: Sequence[str], k: int) -> list[tuple[int, float]]:
        if not tokens:
            return []
        if not self.context_weight:
            return self._bm25.top_k(tokens, k)
        raw = self._bm25.get_scores(tokens)
        wanted = set(tokens)
        scored = []
        for i, entry in enumerate(self.entries):
            if wanted.intersection(entry.tokens):
                near = max((raw[j] for j in self._context[i]), default=0.0)
                scored.append((i, float(raw[i] + self.context_weight * near)))
        scored.sort(key=lambda pair: (-pair[1], pair[0]))
        return scored[:k]

    def neighbours(self, sentence: Sentence) -> tuple[Sentence | None, Sentence | None]:
        return self._neighbours.get(sentence.id, (None, None))


# --- comparisons ---------------------------------------------------------------------------------------


def pipeline_for(corpus: Corpus, config: RetrievalConfig = CONFIG) -> Pipeline:
    return make_pipeline(config, corpus)


def probes(vocabulary: Iterable[str]) -> list[str]:
    """Stems to ask ``relatives`` about: every token, and forms of it the corpus may lack."""
    out = []
    for token in sorted(vocabulary):
        out += [token, f"ل{token}", f"{token}ا", f"ت{token}", f"{token}وا", "زز" + token[-2:]]
    return out


def queries(vocabulary: Iterable[str], count: int = 60, seed: int = 3) -> list[list[str]]:
    rng = random.Random(seed)
    words = [*sorted(vocabulary), "غائب", "~0"]
    return [rng.sample(words, rng.randint(1, min(4, len(words)))) for _ in range(count)]


def assert_same_index(new: SentenceIndex, old: LegacyIndex) -> None:
    """Every observable part of ``new`` equals the original construction's."""
    assert list(new.entries) == list(old.entries)
    assert len(new) == len(old.entries)
    assert new.clitics == old.clitics
    assert new.vocabulary == old.vocabulary
    for stem in probes(old.vocabulary):
        assert new.relatives(stem) == old.relatives(stem), stem
    for entry in old.entries:
        assert new.neighbours(entry.sentence) == old.neighbours(entry.sentence)
    stranger = Sentence("nobody", 1, 0, "x")
    assert new.neighbours(stranger) == old.neighbours(stranger) == (None, None)
    for token in old.vocabulary:
        assert new.idf(token) == old.idf(token)
    for weight in (0.0, 0.3):
        new.context_weight = old.context_weight = weight
        for query in queries(old.vocabulary):
            assert new.search(query, 8) == old.search(query, 8), query
    new.context_weight = old.context_weight = 0.0


def assert_same_answers(a: Retriever, b: Retriever, questions: Iterable[str]) -> None:
    """Same hits, scores, declines, missing terms and highlight spans for every question."""
    assert a.info == b.info
    assert a.examples == b.examples
    for question in questions:
        try:
            expected = b.answer(question)
        except EmptyQuestionError:
            with pytest.raises(EmptyQuestionError):
                a.answer(question)
            continue
        got = a.answer(question)
        assert got == expected, question
        assert a.parse(question) == b.parse(question)
        assert a.rank(question, 20) == b.rank(question, 20)
        for hit in expected.hits:
            for sentence in (hit.sentence, hit.before, hit.after):
                if sentence is not None:
                    spans = b.highlight_spans(sentence.text, expected.query_terms)
                    assert a.highlight_spans(sentence.text, expected.query_terms) == spans


# --- a synthetic corpus --------------------------------------------------------------------------------

WORDS = (
    "الاحتجاجات كازاخستان الحكومة الغاز أسعار ألماتي الرئيس توكاييف قوات جنود بجنود لجنود الشرطة "
    "المتظاهرين الطوارئ حالة روسيا موسكو الكرملين مطار اقتحام استقالة وزير الخارجية بلينكن الصين "
    "دعم أعلنت قال أضاف يناير 2022 المدينة الوقود ارتفاع لارتفاع بارتفاع الانتخابات تدخلت تتدخل "
    "اندلاع اندلعت سلام حفظ لحفظ القوات فقوات كقوات البرلمان النواب"
).split()
STOP_ONLY = "في من على."  # a sentence with no searchable word: never indexed, yet a neighbour
SHARED = "أعلنت الحكومة حالة الطوارئ في ألماتي بعد ارتفاع أسعار الغاز."
QUESTIONS = [
    "متى أعلنت الحكومة حالة الطوارئ؟",
    "ما موقف الصين من الاحتجاجات؟",
    "هل تدخلت قوات حفظ السلام الروسية؟",
    "لماذا ارتفعت أسعار الوقود في ألما آتا؟",
    "ما موقف البرازيل؟",
    "من هو رئيس الاستفتاء؟",
    "كم عدد جنود الكرملين في المطار؟",
    "في من على؟",
    "؟؟",
]
LEXICON = (("ألماتي", "ألما آتا"), ("روسيا", "موسكو", "الكرملين"))


def synthetic_articles(count: int, seed: int = 7) -> list[Article]:
    """Articles with wire copies, back-to-back repeats, stop-word sentences, headings and quotes."""
    rng = random.Random(seed)

    def sentence() -> str:
        roll = rng.random()
        if roll < 0.08:
            return SHARED
        if roll < 0.12:
            return STOP_ONLY
        words = rng.choices(WORDS, k=rng.randint(3, 9))
        if roll < 0.16:
            return f"قال الوزير «{' '.join(words)}.»"
        return " ".join(words) + rng.choice([".", ".", "؟", "!"])

    articles = []
    for number in range(count):
        paragraphs = []
        for _ in range(rng.randint(1, 4)):
            if rng.random() < 0.1:
                paragraphs.append("## " + " ".join(rng.choices(WORDS, k=2)))
            sentences = [sentence() for _ in range(rng.randint(1, 4))]
            if rng.random() < 0.15:
                sentences.append(sentences[-1])  # repeated back to back
            paragraphs.append(" ".join(sentences))
        articles.append(
            Article(
                id=f"a{number:03d}",
                title=" ".join(rng.choices(WORDS, k=rng.randint(2, 6))),
                paragraphs=tuple(paragraphs),
                outlet=rng.choice([None, "وكالة", "صحيفة"]),
                published=rng.choice([None, date(2022, 1, 1 + number % 28)]),
            )
        )
    return articles


def write_corpus(
    directory: Path, articles: Iterable[Article], lexicon: Sequence[Sequence[str]] = LEXICON
) -> Path:
    (directory / "articles").mkdir(parents=True, exist_ok=True)
    for article in articles:
        write_article(directory, article)
    lines = []
    for group in lexicon:
        lines += [
            "[[variants]]",
            "terms = [" + ", ".join(json.dumps(t, ensure_ascii=False) for t in group) + "]",
        ]
    (directory / "lexicon.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return directory


def write_article(directory: Path, article: Article) -> None:
    path = directory / "articles" / f"{article.id}.md"
    path.write_text(render_article(article), encoding="utf-8")


@pytest.fixture
def synthetic(tmp_path: Path) -> Path:
    return write_corpus(tmp_path / "synthetic", synthetic_articles(40))


@pytest.fixture
def bundled(tmp_path: Path) -> Path:
    target = tmp_path / "corpus"
    shutil.copytree(REPO / "corpus", target, ignore=shutil.ignore_patterns("raw", CACHE_DIR))
    return target


class Spy:
    """Counts the articles segmented and tokenised, and whether the corpus-wide stage ran."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.tabulated: list[str] = []
        self.assembled = 0
        tabulate, assemble = retrieval.index.table._tabulate, retrieval.index.sentence_index.build_assembly

        def counting_tabulate(article: Article, *args: object) -> None:
            self.tabulated.append(article.id)
            tabulate(article, *args)  # type: ignore[arg-type]

        def counting_assemble(*args: object) -> object:
            self.assembled += 1
            return assemble(*args)  # type: ignore[arg-type]

        monkeypatch.setattr(retrieval.index.table, "_tabulate", counting_tabulate)
        monkeypatch.setattr(retrieval.index.sentence_index, "build_assembly", counting_assemble)

    def counts(self) -> tuple[int, int]:
        """(articles tokenised, corpus-wide stages run) since the last reset."""
        return len(self.tabulated), self.assembled

    def reset(self) -> None:
        self.tabulated.clear()
        self.assembled = 0


@pytest.fixture
def spy(monkeypatch: pytest.MonkeyPatch) -> Spy:
    return Spy(monkeypatch)


def fresh(corpus_dir: Path, config: RetrievalConfig = CONFIG) -> Retriever:
    return Retriever(load_corpus(corpus_dir), config)


def cache_files(corpus_dir: Path) -> list[Path]:
    return sorted(p for p in (corpus_dir / CACHE_DIR).rglob("*") if p.is_file())


# --- the two-stage build equals the original -----------------------------------------------------------


def test_two_stage_build_equals_the_original_on_the_bundled_corpus() -> None:
    corpus = load_corpus(REPO / "corpus")
    pipeline = pipeline_for(corpus)
    new = SentenceIndex(corpus.articles, pipeline, CONFIG.k1, CONFIG.b)
    assert_same_index(new, LegacyIndex(corpus.articles, pipeline, CONFIG.k1, CONFIG.b))


def test_two_stage_build_equals_the_original_on_a_synthetic_corpus(synthetic: Path) -> None:
    corpus = load_corpus(synthetic)
    pipeline = pipeline_for(corpus)
    new = SentenceIndex(corpus.articles, pipeline, 1.2, 0.75)
    old = LegacyIndex(corpus.articles, pipeline, 1.2, 0.75)
    assert_same_index(new, old)
    assert any(len(e.citations) > 1 for e in new.entries)  # the wire copy
    assert new.clitics  # «بجنود» → «جنود»


def test_two_articles_under_one_id_are_refused() -> None:
    """``load_corpus`` never yields them (tests/test_corpus.py); a hand-built list is refused."""
    first = Article("same", "عنوان أول", ("أعلنت الحكومة حالة الطوارئ. قال الرئيس توكاييف كلاما.",))
    second = Article("same", "عنوان ثان", ("اقتحم المتظاهرون المطار.",))
    other = Article("other", "عنوان", ("قال الرئيس توكاييف كلاما.",))
    pipeline = Pipeline(stem=make_stemmer("light"))
    with pytest.raises(ValueError, match="article ids must be distinct; repeated: same"):
        SentenceIndex([first, other, second], pipeline, 0.9, 0.4)
    table = SentenceTable.build([first, other, second], pipeline)
    index = SentenceIndex([first, other], pipeline, 0.9, 0.4, table=table.select([0, 1]))
    with pytest.raises(ValueError, match="article ids must be distinct"):
        SentenceIndex.restore([first, other, second], table, index.assembly, pipeline)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.lists(
            st.lists(
                st.sampled_from([*WORDS[:12], "في", "من", "بجنود", "جنود", "."]), min_size=1, max_size=7
            ),
            min_size=1,
            max_size=5,
        ),
        min_size=1,
        max_size=6,
    ),
    st.integers(0, 5),
)
def test_any_small_corpus_builds_and_updates_like_the_original(
    bodies: list[list[list[str]]], changed: int
) -> None:
    articles = [
        Article(f"d{i}", " ".join(body[0]), tuple(" ".join(words) + "." for words in body))
        for i, body in enumerate(bodies)
    ]
    pipeline = Pipeline(stem=make_stemmer("light"))
    expected = LegacyIndex(articles, pipeline, 0.9, 0.4)
    assert_same_index(SentenceIndex(articles, pipeline, 0.9, 0.4), expected)
    # Reusing a table made for a different list of articles (one changed, one dropped, order reversed).
    before = list(reversed(articles))
    before[changed % len(before)] = replace(before[changed % len(before)], title="عنوان آخر")
    previous = SentenceTable.build([*before, Article("gone", "الصين", ("دعم الصين.",))], pipeline)
    table, rebuilt = SentenceTable.update(previous, articles, pipeline)
    assert rebuilt == 1
    assert_same_index(SentenceIndex(articles, pipeline, 0.9, 0.4, table=table), expected)


# --- warm start ----------------------------------------------------------------------------------------


def test_warm_start_answers_the_dev_questions_exactly_like_a_fresh_build(bundled: Path, spy: Spy) -> None:
    cold = load_retriever(bundled, CONFIG)
    assert spy.counts() == (5, 1)
    spy.reset()
    warm = load_retriever(bundled, CONFIG)
    assert spy.counts() == (0, 0)  # nothing segmented, tokenised or assembled
    reference = fresh(bundled)
    assert_same_answers(warm, reference, DEV_QUESTIONS)
    assert_same_answers(cold, reference, DEV_QUESTIONS)
    assert list(warm.index.entries) == list(reference.index.entries)


def test_warm_start_on_a_synthetic_corpus_equals_the_original(synthetic: Path, spy: Spy) -> None:
    load_retriever(synthetic, CONFIG)
    for weight in (0.0, 0.2):  # the context weight is applied at query time: the same cache serves both
        config = replace(CONFIG, context_weight=weight)
        spy.reset()
        warm = load_retriever(synthetic, config)
        assert spy.counts() == (0, 0)
        assert_same_answers(warm, fresh(synthetic, config), QUESTIONS + DEV_QUESTIONS[:10])
    corpus = load_corpus(synthetic)
    assert_same_index(warm.index, LegacyIndex(corpus.articles, pipeline_for(corpus), CONFIG.k1, CONFIG.b))


def test_cache_false_builds_everything_and_keeps_nothing(bundled: Path, spy: Spy) -> None:
    retriever = load_retriever(bundled, CONFIG, cache=False)
    assert len(spy.tabulated) == 5
    assert not (bundled / CACHE_DIR).exists()
    assert_same_answers(retriever, fresh(bundled), DEV_QUESTIONS[:5])


def test_cache_dir_puts_the_cache_elsewhere(bundled: Path, tmp_path: Path, spy: Spy) -> None:
    elsewhere = tmp_path / "kept"
    load_retriever(bundled, CONFIG, cache_dir=elsewhere)
    spy.reset()
    load_retriever(bundled, CONFIG, cache_dir=elsewhere)
    assert spy.tabulated == []
    assert not (bundled / CACHE_DIR).exists()
    assert [p.name.split("-")[0] for p in elsewhere.iterdir()] == ["light"]


def test_the_cache_holds_only_plain_arrays_and_json(synthetic: Path) -> None:
    load_retriever(synthetic, CONFIG)
    files = cache_files(synthetic)
    assert files
    assert {path.suffix for path in files} == {".npy", ".json"}
    assert not [p for p in (synthetic / CACHE_DIR).rglob("*") if "pickle" in p.name or p.suffix == ".pkl"]
    for path in files:
        if path.suffix == ".npy":
            assert np.load(path, allow_pickle=False).dtype.kind in "iu"
        else:
            json.loads(path.read_text(encoding="utf-8"))
    (home,) = (synthetic / CACHE_DIR).iterdir()
    assert home.name.startswith("light-")


def test_progress_bars_go_to_stderr(
    bundled: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(retrieval.index.table, "PROGRESS_DELAY", 0)
    load_retriever(bundled, CONFIG, progress=True)
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "Indexing articles" in captured.err


# --- keys ----------------------------------------------------------------------------------------------


def test_pipeline_key_changes_with_the_stemmer_the_lexicon_and_the_pipeline_version(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    base = pipeline_key("light", LEXICON)
    assert pipeline_key("light", LEXICON) == base
    assert pipeline_key("snowball", LEXICON) != base
    assert pipeline_key("light", LEXICON[:1]) != base
    assert pipeline_key("light", (("ألماتي", "ألما آتا", "ألما-آتا"), LEXICON[1])) != base
    monkeypatch.setattr(retrieval.text, "PIPELINE_VERSION", "next")
    assert pipeline_key("light", LEXICON) != base


def test_index_key_changes_with_any_article_and_with_k1_and_b() -> None:
    articles = synthetic_articles(3)
    digests = [article_digest(a) for a in articles]
    base = index_key("p", digests, 0.9, 0.4)
    assert index_key("p", digests, 0.9, 0.4) == base
    assert index_key("q", digests, 0.9, 0.4) != base
    assert index_key("p", digests, 1.2, 0.4) != base
    assert index_key("p", digests, 0.9, 0.75) != base
    assert index_key("p", digests[::-1], 0.9, 0.4) != base
    assert index_key("p", digests[:2], 0.9, 0.4) != base
    article = articles[1]
    for changed in (
        replace(article, paragraphs=(*article.paragraphs[:-1], article.paragraphs[-1] + " جديد")),
        replace(article, title=article.title + "؟"),
        replace(article, id="renamed"),
        replace(article, outlet="أخرى"),
        replace(article, published=date(2021, 12, 31)),
        replace(article, url="https://example.org/x"),
        replace(article, paragraphs=(*article.paragraphs, "")),
    ):
        other = [digests[0], article_digest(changed), digests[2]]
        assert index_key("p", other, 0.9, 0.4) != base


def test_a_new_lexicon_or_stemmer_gets_its_own_directory_and_both_stay(synthetic: Path, spy: Spy) -> None:
    lexicon = synthetic / "lexicon.toml"
    original = lexicon.read_text(encoding="utf-8")
    none = replace(CONFIG, stemmer="none")
    load_retriever(synthetic, CONFIG)
    load_retriever(synthetic, none)
    lexicon.write_text('[[variants]]\nterms = ["ألماتي", "ألما آتا"]\n', encoding="utf-8")
    spy.reset()
    load_retriever(synthetic, CONFIG)
    assert len(spy.tabulated) == 40  # the lexicon changes tokens anywhere: every article again
    assert len(list((synthetic / CACHE_DIR).iterdir())) == 3
    lexicon.write_text(original, encoding="utf-8")
    spy.reset()
    back = load_retriever(synthetic, none)
    assert spy.counts() == (0, 0)
    assert_same_answers(back, fresh(synthetic, none), QUESTIONS)


def test_only_the_three_newest_pipeline_directories_are_kept(bundled: Path) -> None:
    for stemmer in ("light", "none", "snowball", "tashaphyne"):
        load_retriever(bundled, replace(CONFIG, stemmer=stemmer))
    names = sorted(p.name.split("-")[0] for p in (bundled / CACHE_DIR).iterdir())
    assert names == ["none", "snowball", "tashaphyne"]


def test_k1_and_b_changes_reassemble_without_tokenising(synthetic: Path, spy: Spy) -> None:
    load_retriever(synthetic, CONFIG)
    spy.reset()
    config = replace(CONFIG, k1=1.5, b=0.75)
    retriever = load_retriever(synthetic, config)
    assert spy.counts() == (0, 1)
    assert_same_answers(retriever, fresh(synthetic, config), QUESTIONS)
    spy.reset()
    load_retriever(synthetic, config)
    assert spy.assembled == 0


def test_a_pipeline_version_bump_rebuilds_everything(
    bundled: Path, spy: Spy, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_retriever(bundled, CONFIG)
    monkeypatch.setattr(retrieval.text, "PIPELINE_VERSION", "next")
    spy.reset()
    load_retriever(bundled, CONFIG)
    assert len(spy.tabulated) == 5


# --- incremental reloads -------------------------------------------------------------------------------


def test_reload_after_one_article_changed_tokenises_only_that_article(synthetic: Path, spy: Spy) -> None:
    load_retriever(synthetic, CONFIG)
    article = load_corpus(synthetic).articles[7]
    write_article(
        synthetic, replace(article, paragraphs=(*article.paragraphs, "اندلعت احتجاجات جديدة في المدينة."))
    )
    spy.reset()
    reloaded = load_retriever(synthetic, CONFIG)
    assert (spy.tabulated, spy.assembled) == ([article.id], 1)
    assert_same_answers(reloaded, fresh(synthetic), [*QUESTIONS, "أين اندلعت احتجاجات جديدة؟"])
    corpus = load_corpus(synthetic)
    assert_same_index(reloaded.index, LegacyIndex(corpus.articles, pipeline_for(corpus), CONFIG.k1, CONFIG.b))
    spy.reset()
    load_retriever(synthetic, CONFIG)
    assert spy.counts() == (0, 0)  # the updated index was kept


def test_an_added_article_sharing_a_sentence_is_cited_with_the_others(synthetic: Path, spy: Spy) -> None:
    before = load_retriever(synthetic, CONFIG)
    (shared,) = [e for e in before.index.entries if e.sentence.text == SHARED]
    write_article(synthetic, Article("zz_new", "خبر جديد", (f"تمهيد عن الصين. {SHARED} ثم بجنود كثيرين.",)))
    spy.reset()
    after = load_retriever(synthetic, CONFIG)
    assert spy.tabulated == ["zz_new"]
    (entry,) = [e for e in after.index.entries if e.sentence.text == SHARED]
    assert [c.doc_id for c in entry.citations] == [*(c.doc_id for c in shared.citations), "zz_new"]
    assert entry.sentence == shared.sentence  # still the first article's sentence
    assert_same_answers(after, fresh(synthetic), QUESTIONS)


def test_a_removed_article_disappears_from_sentences_and_citations(synthetic: Path, spy: Spy) -> None:
    before = load_retriever(synthetic, CONFIG)
    (shared,) = [e for e in before.index.entries if e.sentence.text == SHARED]
    first = shared.citations[0].doc_id
    (synthetic / "articles" / f"{first}.md").unlink()
    spy.reset()
    after = load_retriever(synthetic, CONFIG)
    assert spy.tabulated == []
    assert all(e.sentence.doc_id != first for e in after.index.entries)
    (entry,) = [e for e in after.index.entries if e.sentence.text == SHARED]
    assert [c.doc_id for c in entry.citations] == [c.doc_id for c in shared.citations[1:]]
    assert_same_answers(after, fresh(synthetic), QUESTIONS)
    corpus = load_corpus(synthetic)
    assert_same_index(after.index, LegacyIndex(corpus.articles, pipeline_for(corpus), CONFIG.k1, CONFIG.b))


def test_a_proclitic_split_appears_when_the_bare_word_arrives(bundled: Path, spy: Spy) -> None:
    """The split depends on the whole vocabulary: adding «الجنودية» alone can turn «بالجنودية» into it."""
    write_article(bundled, Article("aa_first", "خبر", ("وصلت كتيبة بسلاحها الثقيل.",)))
    before = load_retriever(bundled, CONFIG)
    assert "بسلاح" not in before.index.clitics
    write_article(bundled, Article("zz_second", "خبر آخر", ("سلاح جديد.",)))
    spy.reset()
    after = load_retriever(bundled, CONFIG)
    assert spy.tabulated == ["zz_second"]
    assert after.index.clitics.get("بسلاح") == "سلاح"
    assert_same_answers(after, fresh(bundled), ["ما نوع السلاح الذي وصل؟", *DEV_QUESTIONS[:8]])


def test_reordered_and_renamed_articles_reuse_their_rows(synthetic: Path, spy: Spy) -> None:
    load_retriever(synthetic, CONFIG)
    corpus = load_corpus(synthetic)
    (synthetic / "articles" / "a003.md").unlink()
    write_article(synthetic, replace(corpus.articles[3], id="zzz"))  # same text, another id: re-indexed
    spy.reset()
    after = load_retriever(synthetic, CONFIG)
    assert spy.tabulated == ["zzz"]
    assert_same_answers(after, fresh(synthetic), QUESTIONS)


# --- damage, stale and read-only caches ---------------------------------------------------------------


def home_of(corpus_dir: Path) -> Path:
    (home,) = (corpus_dir / CACHE_DIR).iterdir()
    return home


@pytest.mark.parametrize(
    "name",
    [
        "meta.json",
        "token_ids.npy",
        "terms.json",
        "rows.npy",
        "variant_terms.npy",
        "clitics.json",
        "bm25/doc_ids.npy",
        "bm25/meta.json",
        "bm25/terms.json",
    ],
)
def test_a_corrupt_cache_file_is_rebuilt_with_a_warning(
    synthetic: Path, name: str, caplog: pytest.LogCaptureFixture
) -> None:
    load_retriever(synthetic, CONFIG)
    path = home_of(synthetic) / name
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x5A
    path.write_bytes(bytes(data))
    with caplog.at_level(logging.WARNING):
        retriever = load_retriever(synthetic, CONFIG)
    assert any(r.levelno == logging.WARNING and "index cache" in r.getMessage() for r in caplog.records)
    assert_same_answers(retriever, fresh(synthetic), QUESTIONS)
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        load_retriever(synthetic, CONFIG)  # the rebuilt cache is sound again
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


@pytest.mark.parametrize("name", ["token_ids.npy", "bm25/tfs.npy", "terms.json"])
def test_a_truncated_or_missing_cache_file_is_rebuilt(synthetic: Path, name: str) -> None:
    load_retriever(synthetic, CONFIG)
    path = home_of(synthetic) / name
    path.write_bytes(path.read_bytes()[:7])
    assert_same_answers(load_retriever(synthetic, CONFIG), fresh(synthetic), QUESTIONS)
    path.unlink()
    assert_same_answers(load_retriever(synthetic, CONFIG), fresh(synthetic), QUESTIONS)


def rewrite(home: Path, name: str, array: np.ndarray) -> None:  # type: ignore[type-arg]
    """Replace an array and its digest, as a buggy writer would: the digests no longer protect."""
    np.save(home / name, array, allow_pickle=False)
    meta = json.loads((home / "meta.json").read_text(encoding="utf-8"))
    meta["files"][name] = persist._digest(home / name)
    (home / "meta.json").write_text(json.dumps(meta), encoding="utf-8")


@pytest.mark.parametrize(
    ("name", "change"),
    [
        ("token_ids.npy", lambda a: a + 10**6),
        ("rows.npy", lambda a: a[:-1]),
        ("neighbours.npy", lambda a: a + 50),
        ("entry_rows.npy", lambda a: a[::-1].copy()[:-1]),
        ("citation_articles.npy", lambda a: a + 10**4),
        ("term_map.npy", lambda a: a[:-1]),
        ("keys.npy", lambda a: a.astype(np.float64)),
    ],
)
def test_inconsistent_arrays_under_valid_digests_are_rebuilt(
    synthetic: Path, name: str, change: object, caplog: pytest.LogCaptureFixture
) -> None:
    load_retriever(synthetic, CONFIG)
    home = home_of(synthetic)
    rewrite(home, name, change(np.load(home / name, allow_pickle=False)))  # type: ignore[operator]
    with caplog.at_level(logging.WARNING):
        retriever = load_retriever(synthetic, CONFIG)
    assert any(r.levelno == logging.WARNING for r in caplog.records)
    assert_same_answers(retriever, fresh(synthetic), QUESTIONS)


def test_a_cache_from_another_pipeline_in_the_same_place_is_ignored_with_a_warning(
    synthetic: Path, caplog: pytest.LogCaptureFixture, spy: Spy
) -> None:
    load_retriever(synthetic, CONFIG)
    home = home_of(synthetic)
    meta = json.loads((home / "meta.json").read_text(encoding="utf-8"))
    meta["pipeline"] = "0" * 64
    (home / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    spy.reset()
    with caplog.at_level(logging.WARNING):
        retriever = load_retriever(synthetic, CONFIG)
    assert any("another pipeline" in r.getMessage() for r in caplog.records)
    assert len(spy.tabulated) == 40
    assert_same_answers(retriever, fresh(synthetic), QUESTIONS)


def test_a_pickled_array_in_the_cache_is_refused(synthetic: Path) -> None:
    load_retriever(synthetic, CONFIG)
    home = home_of(synthetic)
    np.save(home / "rows.npy", np.array([{"not": "rows"}], dtype=object), allow_pickle=True)
    assert_same_answers(load_retriever(synthetic, CONFIG), fresh(synthetic), QUESTIONS)


def test_an_unwritable_cache_location_still_loads_and_logs_at_info(
    bundled: Path, caplog: pytest.LogCaptureFixture, spy: Spy
) -> None:
    (bundled / CACHE_DIR).write_text("a file where the cache directory would go\n", encoding="utf-8")
    with caplog.at_level(logging.DEBUG, logger="retrieval"):
        retriever = load_retriever(bundled, CONFIG)
    assert_same_answers(retriever, fresh(bundled), DEV_QUESTIONS)
    assert any(
        r.levelno == logging.INFO and "cannot keep the index" in r.getMessage() for r in caplog.records
    )
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    spy.reset()
    load_retriever(bundled, CONFIG)
    assert len(spy.tabulated) == 5  # nothing was kept


def test_a_read_only_corpus_directory_works_without_a_cache(
    bundled: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The writer fails as on a read-only directory (permissions alone would not stop root, who runs CI)."""

    def read_only(directory: Path, *args: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied", str(directory.parent))

    monkeypatch.setattr(persist, "_write_atomically", read_only)
    with caplog.at_level(logging.INFO, logger="retrieval"):
        retriever = load_retriever(bundled, CONFIG)
    assert_same_answers(retriever, fresh(bundled), DEV_QUESTIONS)
    (kept,) = [r for r in caplog.records if "cannot keep the index" in r.getMessage()]
    assert kept.levelno == logging.INFO
    assert "(Permission denied)" in kept.getMessage()
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert not (bundled / CACHE_DIR).exists()


def test_a_read_only_cache_that_exists_is_still_used(
    bundled: Path, spy: Spy, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_retriever(bundled, CONFIG)

    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(cache_module, "save_bundle", refuse)
    spy.reset()
    warm = load_retriever(bundled, CONFIG)
    assert spy.tabulated == []
    assert_same_answers(warm, fresh(bundled), DEV_QUESTIONS[:10])


def test_a_stray_temporary_directory_does_not_disturb_loading(synthetic: Path) -> None:
    load_retriever(synthetic, CONFIG)
    stray = synthetic / CACHE_DIR / ".light-0000.tmp-abc"
    stray.mkdir()
    (stray / "rows.npy").write_bytes(b"half written")
    assert_same_answers(load_retriever(synthetic, CONFIG), fresh(synthetic), QUESTIONS[:3])
    assert stray.exists()  # not ours to delete: another process may be writing it


def test_iterating_entries_and_slices_behave_like_a_tuple(bundled: Path) -> None:
    warm = load_retriever(bundled, CONFIG)
    reference = fresh(bundled).index.entries
    entries = warm.index.entries
    assert len(entries) == len(reference)
    assert entries[-1] == reference[-1]
    assert list(entries[2:9:3]) == list(reference[2:9:3])
    with pytest.raises(IndexError):
        entries[len(reference)]
    assert list(iter(entries)) == list(reference)


def test_unknown_idf_and_lengths_match(bundled: Path) -> None:
    warm = load_retriever(bundled, CONFIG)
    reference = fresh(bundled)
    assert len(warm.index) == len(reference.index)
    assert math.isclose(warm.index.unknown_idf, reference.index.unknown_idf)
    assert warm.info.sentences == reference.info.sentences
