"""The answer API: a question in, ranked cited sentences or a reasoned decline out."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from retrieval.config import RetrievalConfig
from retrieval.encoder import Encoder, FloatArray
from retrieval.errors import EmptyCorpusError, EmptyQuestionError
from retrieval.gazetteer import entity_of
from retrieval.index import SentenceIndex
from retrieval.models import Answer, Corpus, Hit
from retrieval.rerank import rerank
from retrieval.text import (
    ARTICLE_PREFIXES,
    FRAME_WORDS,
    PIPELINE_VERSION,
    Lexicon,
    Pipeline,
    Term,
    make_stemmer,
)
from retrieval.vectors import EntryVectors, SentenceVectors

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CorpusInfo:
    """What the bot can say about its knowledge (/help) and what the log records (version)."""

    articles: int
    sentences: int
    outlets: tuple[str, ...]
    first_published: date | None
    last_published: date | None
    version: str


@dataclass(frozen=True)
class Concept:
    """One content word of a question and every indexed token that counts as matching it."""

    term: Term
    tokens: frozenset[str]  # empty: the corpus never mentions the word in any form
    weight: float  # its idf (the unknown-term idf when it is missing)
    required: bool  # frame words («نوع», «عدد») rank but do not decide


@dataclass(frozen=True)
class Query:
    """A question after the pipeline: its concepts and the tokens BM25 searches for."""

    concepts: tuple[Concept, ...]
    tokens: tuple[str, ...]

    @property
    def missing(self) -> tuple[Concept, ...]:
        return tuple(c for c in self.concepts if c.required and not c.tokens)


SENTENCE_CACHE_SIZE = 20_000
SentenceWords = tuple[tuple[tuple[int, int], ...], tuple[str, ...], tuple[tuple[int, int, str], ...]]


class Retriever:
    """Indexes a corpus once; answers questions from it. Safe for concurrent ``answer`` calls."""

    def __init__(
        self,
        corpus: Corpus,
        config: RetrievalConfig,
        pipeline: Pipeline | None = None,
        *,
        index: SentenceIndex | None = None,
        progress: bool = False,
        encoder: Encoder | None = None,
        vectors: SentenceVectors | None = None,
    ) -> None:
        """Index ``corpus`` (``progress``: bars on stderr while it takes long), or use ``index``.

        A given ``index`` must have been built from ``corpus`` with ``pipeline``. With an ``encoder``,
        BM25's candidates are re-ranked by their similarity to the question (``retrieval.rerank``);
        ``vectors`` are the index's sentence vectors from that encoder, computed here when not given.
        """
        if pipeline is None:
            pipeline = make_pipeline(config, corpus)
        self.corpus = corpus
        self.config = config
        self.pipeline = pipeline
        if index is None:
            index = SentenceIndex(
                corpus.articles, pipeline, config.k1, config.b, config.context_weight, progress=progress
            )
        self.index = index
        self.encoder = encoder
        self.vectors: EntryVectors | None = None
        if encoder is not None:
            if vectors is None:
                vectors = SentenceVectors.build(index.table, index.articles, encoder, progress=progress)
            self.vectors = vectors.entries(index)
        # Per-instance, bounded: the cache dies with this retriever when /reload swaps it out.
        self._sentence_words = lru_cache(maxsize=SENTENCE_CACHE_SIZE)(self._words_of)
        self._neighbours = lru_cache(maxsize=SENTENCE_CACHE_SIZE)(index.neighbours)
        dates = sorted(a.published for a in corpus.articles if a.published)
        fingerprint = hashlib.sha256(PIPELINE_VERSION.encode())
        for article in corpus.articles:
            fingerprint.update(repr((article.id, article.title, article.paragraphs)).encode())
        self.info = CorpusInfo(
            articles=len(corpus.articles),
            sentences=len(self.index),
            outlets=tuple(sorted({a.outlet for a in corpus.articles if a.outlet})),
            first_published=dates[0] if dates else None,
            last_published=dates[-1] if dates else None,
            version=fingerprint.hexdigest()[:12],
        )
        self.examples: tuple[str, ...] = tuple(q for q in corpus.examples if self._answers(q))

    # -- queries ------------------------------------------------------------------------------------

    def parse(self, question: str) -> Query:
        """Content words of ``question`` with the indexed tokens that match each."""
        terms = self.pipeline.terms(question)
        if not terms:
            raise EmptyQuestionError("the question has no searchable words")
        stems = [self.index.clitics.get(t.stem, t.stem) for t in terms]
        vocabulary = self.index.vocabulary
        alternatives: list[set[str]] = [{s} & vocabulary for s in stems]
        grouped: set[int] = set()
        for start, end, token in self.pipeline.lexicon.group_tokens(stems):
            if token in vocabulary:
                for i in range(start, end):
                    alternatives[i] = {token}  # the group token matches every spelling, this one included
                    grouped.add(i)
        concepts = []
        for term, tokens in zip(terms, alternatives, strict=True):
            required = term.normal not in FRAME_WORDS and not term.normal.isdigit()
            if required and not tokens:
                tokens |= self.index.relatives(term.stem)
            weight = max((self.index.idf(t) for t in tokens), default=self.index.unknown_idf)
            concepts.append(Concept(term, frozenset(tokens), max(weight, 0.0), required))
        searched = [s for i, s in enumerate(stems) if s in vocabulary and i not in grouped]
        searched += sorted({t for c in concepts for t in c.tokens} - set(searched))
        return Query(tuple(concepts), tuple(dict.fromkeys(searched)))

    def coverage(self, query: Query, tokens: Sequence[str]) -> float:
        """Share of the question's required idf mass (missing words included) a sentence matches."""
        present = set(tokens)
        required = [c for c in query.concepts if c.required]
        total = sum(c.weight for c in required)
        if total <= 0:
            return 1.0 if required == [] else 0.0
        return sum(c.weight for c in required if c.tokens & present) / total

    def rank(self, question: str, top_k: int | None = None) -> list[Hit]:
        """Ranked hits with no decline decision (used by evaluation on benchmarks)."""
        return self._hits(self.parse(question), top_k or self.config.top_k, question)

    def rank_by_vector(self, question: str, top_k: int | None = None) -> list[Hit]:
        """The sentences nearest ``question`` by the encoder alone, over the whole corpus (no BM25).

        For questions BM25 cannot match at all, such as an English question over Arabic sentences.
        Empty when there is no encoder or it fails. ``score`` (no BM25 here) is the cosine too.
        """
        vector = self._question_vector(question)
        if vector is None or self.vectors is None:
            return []
        found = self.vectors.nearest(vector, top_k or self.config.top_k)
        return [self._hit(i, cosine, (), cosine=cosine) for i, cosine in found]

    def _hits(self, query: Query, k: int, question: str | None = None) -> list[Hit]:
        """BM25's ``k`` best; with an encoder and the ``question`` text, its ``encoder_depth`` best re-ranked.

        ``question`` is what the encoder reads (None: BM25's order alone).
        """
        vectors = self.vectors if question is not None else None
        depth = max(k, self.config.encoder_depth) if vectors is not None else k
        found = self.index.search(query.tokens, depth)
        vector = None
        if vectors is not None and question is not None and found:
            vector = self._question_vector(question)
        if vector is None or vectors is None:
            return [self._hit(i, score, query.tokens) for i, score in found[:k]]
        cosines = vectors.cosines(vector, [i for i, _ in found])
        fused = rerank(found, cosines.tolist(), self.config.encoder_weight)[:k]
        return [self._hit(r.entry, r.score, query.tokens, fused=r.fused, cosine=r.cosine) for r in fused]

    def _hit(
        self, i: int, score: float, tokens: Sequence[str], *, fused: float | None = None,
        cosine: float | None = None,
    ) -> Hit:
        entry = self.index.entries[i]
        before, after = self._neighbours(entry.sentence)
        matched = tuple(t for t in tokens if t in entry.tokens)
        return Hit(entry.sentence, score, entry.citations, before, after, matched, fused, cosine)

    def _question_vector(self, question: str) -> FloatArray | None:
        """The encoder's vector of ``question``, or None when there is no encoder or it fails."""
        if self.encoder is None:
            return None
        try:
            return self.encoder.query(question)
        except Exception as error:  # the encoder must never take an answer down: BM25 alone then
            logger.warning(
                "sentence encoder failed (%s: %s); ranking with BM25 alone", type(error).__name__, error
            )
            return None

    def answer(self, question: str, top_k: int | None = None) -> Answer:
        """Answer ``question`` from the corpus, or decline with the reason and the missing words."""
        query = self.parse(question)
        missing = tuple(dict.fromkeys(c.term.surface for c in query.missing))
        if any(entity_of(c.term.normal) for c in query.missing):
            return Answer(question, query.tokens, (), True, missing, "unknown entity")
        hits = self._hits(query, top_k or self.config.top_k, question)
        if not hits:
            return Answer(question, query.tokens, (), True, missing, "no matching sentence")
        coverage = self.coverage(query, hits[0].matched_terms)
        unknown_topic = any(is_definite_noun(c.term.normal) for c in query.missing)
        if unknown_topic and coverage < self.config.min_topic_coverage:
            return Answer(question, query.tokens, (), True, missing, "unknown topic")
        if coverage < self.config.min_coverage:
            return Answer(question, query.tokens, (), True, missing, "weak match")
        return Answer(question, query.tokens, tuple(hits), False, missing)

    def _answers(self, question: str) -> bool:
        try:
            return not self.answer(question).declined
        except EmptyQuestionError:
            return False

    def highlight_spans(self, text: str, query_terms: Sequence[str]) -> list[tuple[int, int]]:
        """Character spans of the words in ``text`` that match the query, for bold rendering."""
        wanted = set(query_terms)
        spans, stems, groups = self._sentence_words(text)
        marked = {i for i, stem in enumerate(stems) if stem in wanted}
        for start, end, token in groups:
            if token in wanted:
                marked.update(range(start, end))
        return [spans[i] for i in sorted(marked)]

    def _words_of(self, text: str) -> SentenceWords:
        """A sentence's word spans, their stems and lexicon groups (cached: popular sentences recur)."""
        words = self.pipeline.word_spans(text)
        stems = tuple(self.index.clitics.get(stem, stem) for _, _, stem in words)
        groups = tuple(self.pipeline.lexicon.group_tokens(stems))
        return tuple((start, end) for start, end, _ in words), stems, groups


def is_definite_noun(normal_word: str) -> bool:
    """A word carrying the article (الاستفتاء, بالدولار): it names a specific thing or topic.

    When the corpus never mentions such a word in any form it cannot be talking about that topic,
    whereas a missing verb or indefinite noun (هبطت, صفوف) is more often a paraphrase of words it has.
    """
    return any(normal_word.startswith(f) and len(normal_word) - len(f) >= 3 for f in ARTICLE_PREFIXES)


def make_pipeline(config: RetrievalConfig, corpus: Corpus) -> Pipeline:
    """The text pipeline for ``config``'s stemmer and ``corpus``'s lexicon."""
    stem = make_stemmer(config.stemmer)
    return Pipeline(stem=stem, lexicon=Lexicon.build(corpus.lexicon, stem))


def load_retriever(
    corpus_path: Path,
    config: RetrievalConfig,
    *,
    cache: bool = True,
    cache_dir: Path | None = None,
    progress: bool = False,
) -> Retriever:
    """Load the corpus at ``corpus_path`` and index it (blocking: call it off the event loop).

    The built index is kept in ``corpus_path/.index`` (or ``cache_dir``) and reused: an unchanged
    corpus starts without indexing anything, and after a change only the new or changed articles are
    segmented and tokenised (``retrieval.cache``). ``cache=False`` indexes everything and keeps
    nothing. ``progress`` shows progress bars on stderr while a long build runs. With
    ``config.encoder`` set, sentence vectors are kept beside the index the same way; when the encoder
    cannot load, one warning is logged and the retriever ranks with BM25 alone.
    """
    from retrieval.cache import CACHE_DIR, cached_index, cached_vectors
    from retrieval.corpus import load_corpus
    from retrieval.encoder import load_encoder

    corpus = load_corpus(corpus_path)
    if not corpus.articles:
        problems = "; ".join(str(i) for i in corpus.issues) or "no article files"
        raise EmptyCorpusError(f"no article could be loaded from {corpus_path}: {problems}")
    pipeline = make_pipeline(config, corpus)
    directory = (cache_dir or Path(corpus_path) / CACHE_DIR) if cache else None
    index = cached_index(corpus, pipeline, config, directory, progress=progress)
    encoder = load_encoder(config.encoder)
    vectors = None if encoder is None else cached_vectors(index, encoder, directory, progress=progress)
    return Retriever(corpus, config, pipeline, index=index, encoder=encoder, vectors=vectors)
