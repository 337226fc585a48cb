"""The answer API: a question in, ranked cited sentences or a reasoned decline out."""

from __future__ import annotations

import hashlib
import logging
import math
import re
from collections import Counter
from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, replace
from datetime import date
from functools import cached_property, lru_cache, partial
from pathlib import Path

from retrieval.arabizi import Transliterator, is_english, latin_share, latin_words
from retrieval.config import RetrievalConfig
from retrieval.decide import (
    YEAR,
    DeclineModels,
    asked_kind,
    counted_word,
    holds_kind,
    is_definite_noun,
    load_models,
)
from retrieval.dialect import collapse_stretch, load_dialect, verb_cores
from retrieval.encoder import Encoder, FloatArray
from retrieval.errors import EmptyCorpusError, EmptyQuestionError
from retrieval.families import WordFamilies, has_noun_reading, looks_like_name, warm_up
from retrieval.gazetteer import ENTITIES, MULTIWORD_ENTITIES, entity_of
from retrieval.index import SentenceIndex
from retrieval.models import Answer, Corpus, Hit
from retrieval.rerank import rerank
from retrieval.text import (
    FRAME_WORDS,
    PIPELINE_VERSION,
    Lexicon,
    Pipeline,
    Term,
    make_name_stemmer,
    make_stemmer,
    normalize,
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
    """One content word of a question and every indexed token that counts as matching it.

    ``strengths`` gives each token's share of a full match: 1 for the word's own stem or variant group,
    less for a dialect equivalent, a spelling variant or a word of the same root.
    """

    term: Term
    tokens: frozenset[str]  # empty: the corpus never mentions the word in any form
    weight: float  # its idf (the unknown-term idf when it is missing)
    required: bool  # frame words («نوع», «عدد») rank but do not decide
    strengths: tuple[tuple[str, float], ...] = ()

    @property
    def rooted(self) -> bool:
        """Matched only through words of the same root: searched, but the word itself is missing."""
        return bool(self.tokens) and all(self.strength(t) <= ROOT_STRENGTH for t in self.tokens)

    def strength(self, token: str) -> float:
        return dict(self.strengths).get(token, 1.0) if token in self.tokens else 0.0

    def matched(self, present: AbstractSet[str]) -> float:
        """How fully a sentence holding the tokens ``present`` matches this word (0 to 1)."""
        return max((self.strength(t) for t in self.tokens & present), default=0.0)


@dataclass(frozen=True)
class Query:
    """A question after the pipeline: its concepts and the tokens BM25 searches for, with weights.

    ``script`` is "arabic", "arabizi" (then ``reading`` is the Arabic it was read as) or "english";
    ``framing`` lists the words set aside as framing (greetings, dialect question words).
    """

    concepts: tuple[Concept, ...]
    tokens: tuple[str, ...]
    weights: tuple[float, ...] = ()
    script: str = "arabic"
    reading: str = ""
    framing: tuple[str, ...] = ()
    asks: str | None = None  # the kind of answer asked for: "number", "date", "reason" (retrieval.decide)
    focus: str = ""  # in a long message, the clauses that ask (what the sentence encoder reads)
    counted: str = ""  # what a «كم» question counts, normalised («كم عدد سكان…» → «سكان»)

    @cached_property
    def missing(self) -> tuple[Concept, ...]:
        """Required words the corpus never mentions (matched at most through their root)."""
        return tuple(c for c in self.concepts if c.required and (not c.tokens or c.rooted))


# Shares of a full match for tokens found other than through the word's own stem.
DIALECT_STRENGTH = 0.9  # a Standard Arabic equivalent of a dialect word (حكى → قال)
FAMILY_STRENGTH = 1.0  # the same word family (variant keys) or a dialect verb without its prefix
SPELLING_STRENGTH = 0.8  # another spelling of a name, or the word one typo away
ROOT_STRENGTH = 0.5  # a word of the same root (roots over-join: حكومة / محكمة)
# Words of one question looked up by root at most: each costs the analyser a few milliseconds per
# candidate, and a question with many unknown words is off the corpus's topic anyway.
MAX_ROOT_LOOKUPS = 3

# A message with more content words than this is read for the clauses that ask; words of the other
# clauses are searched at ASIDE_WEIGHT and never required.
LONG_MESSAGE = 12
# Frame words («عدد», «سبب», «نوع») rank at this weight: XQuAD-ar +0.2, tuning set +1.2 points Hit@1.
FRAME_WEIGHT = 0.6
ASIDE_WEIGHT = 0.3
# Latin letters or digits glued to Arabic letters («31mالصين», «ب5») are two words in a question.
_SCRIPT_BOUNDARY = re.compile("(?<=[A-Za-z0-9])(?=[\u0621-\u064a])|(?<=[\u0621-\u064a])(?=[A-Za-z0-9])")
_ARABIC_WORD = re.compile("[\u0621-\u064a]{2,}")  # a message with Arabic words is read as Arabic
_CLAUSE = re.compile(r"[^.!?؟،,:;\n]+[.!?؟،,:;\n]*")

# The encoder weighs more in the fused score as more of the question is unseen by BM25 (measured:
# tuning ranking Hit@1 0.739 → 0.758, held-out 0.744 → 0.778, XQuAD-ar and dev unchanged).
UNSEEN_WEIGHT = 0.5
MAX_ENCODER_WEIGHT = 0.9
KIND_BOOST = 0.2  # measured on XQuAD-ar and the tuning questions: README, "How answers are found"
KIND_DEPTH = 3

# Words carried over from the previous turn of a conversation (``retrieval.followup``) are searched at
# this share of their own weight: they steer the ranking but never outweigh the message's own words.
CONTEXT_WEIGHT = 0.7

# English questions (no BM25 across scripts): the encoder alone, answered when its best sentence is at
# least this close (e5 cosines crowd into 0.75–0.85; measured on the english style of the tuning set).
ENGLISH_MIN_COSINE = 0.80
ENGLISH_SHOWN = 3
RELATED = 3  # closest sentences kept with a decline, shown as related (never as the answer)
MIN_SHOWN_SHARE = 0.2  # a sentence scoring below this share of the first is not shown

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
        self._holds = lru_cache(maxsize=SENTENCE_CACHE_SIZE)(
            lambda entry, kind: holds_kind(self.index.entries[entry].sentence.text, kind)
        )
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
        self.dialect = load_dialect()
        self.decline_models: DeclineModels = load_models()
        self.examples: tuple[str, ...] = tuple(q for q in corpus.examples if self._answers(q))

    # -- queries ------------------------------------------------------------------------------------

    def parse(self, question: str) -> Query:
        """Content words of ``question`` with the indexed tokens that match each, and their weights.

        Stretched letters count once; a Latin-script question is recognised as English or read as
        Arabizi; dialect and chat framing words are set aside (never searched, never missing).
        """
        text = _SCRIPT_BOUNDARY.sub(" ", collapse_stretch(question))
        script, reading = "arabic", ""
        if latin_share(text) > 0.5 and not _ARABIC_WORD.search(text):
            words = latin_words(text)
            if is_english(words):
                return Query((), (), script="english")
            reading, _ = self._transliterator.sentence(words)
            text, script = reading, "arabizi"
        terms, asides, focus = self._message_terms(text)
        framing_at = self.dialect.framing_spans([t.normal for t in terms])
        framing = tuple(dict.fromkeys(terms[i].surface for i in sorted(framing_at)))
        kept = [i for i in range(len(terms)) if i not in framing_at]
        terms = [terms[i] for i in kept]
        if not terms:
            raise EmptyQuestionError("the question has no searchable words")
        aside = {n for n, i in enumerate(kept) if i in asides} if len(terms) > LONG_MESSAGE else set()
        stems = [self.index.clitics.get(t.stem, t.stem) for t in terms]
        vocabulary = self.index.vocabulary
        alternatives: list[dict[str, float]] = [dict.fromkeys({s} & vocabulary, 1.0) for s in stems]
        grouped: set[int] = set()
        for start, end, token in self.pipeline.lexicon.group_tokens([t.normal for t in terms]):
            if token in vocabulary:
                for i in range(start, end):
                    alternatives[i] = {token: 1.0}  # the group token matches every spelling
                    grouped.add(i)
        concepts = []
        roots_left = MAX_ROOT_LOOKUPS
        for n, (term, tokens) in enumerate(zip(terms, alternatives, strict=True)):
            required = term.normal not in FRAME_WORDS and not term.normal.isdigit() and n not in aside
            for word in self.dialect.equivalents(term.normal):
                for token in self._tokens_of(word):
                    tokens.setdefault(token, DIALECT_STRENGTH)
            if required and not tokens:
                rooted = self._extend(tokens, term, roots_left > 0)
                roots_left -= rooted
            weight = max((self.index.idf(t) for t in tokens), default=self.index.unknown_idf)
            strengths = tuple(sorted((t, w) for t, w in tokens.items() if w != 1.0))
            concepts.append(Concept(term, frozenset(tokens), max(weight, 0.0), required, strengths))
        searched: dict[str, float] = {}
        for i, (stem, concept) in enumerate(zip(stems, concepts, strict=True)):
            scale = ASIDE_WEIGHT if i in aside else FRAME_WEIGHT if terms[i].normal in FRAME_WORDS else 1.0
            if stem in vocabulary and i not in grouped:
                searched[stem] = max(searched.get(stem, 0.0), scale)
            for token in sorted(concept.tokens):
                searched[token] = max(searched.get(token, 0.0), scale * concept.strength(token))
        return Query(
            tuple(concepts),
            tuple(searched),
            tuple(searched.values()),
            script=script,
            reading=reading,
            framing=framing,
            asks=asked_kind(normalize(text).split()),
            focus=focus if aside else "",
            counted=counted_word(normalize(text).split()) or "",
        )

    def _message_terms(self, text: str) -> tuple[list[Term], set[int], str]:
        """A message's terms, the positions of those outside the clauses that ask something, and the
        text of the asking clauses ("" when every clause asks or none does).

        A long message often tells a story around its question («أنا طالب… فمن طلب إرسال القوات؟
        شكرًا»): a clause ending in «؟» or holding a question word is where it asks.
        """
        clauses = [c for c in _CLAUSE.findall(text) if c.strip()]
        terms: list[Term] = []
        asides: set[int] = set()
        asking = [c.rstrip().endswith(("?", "؟")) or self._opens_question(c) for c in clauses]
        for clause, asks in zip(clauses, asking, strict=True):
            found = self.pipeline.terms(clause)
            if any(asking) and not asks:
                asides.update(range(len(terms), len(terms) + len(found)))
            terms += found
        partial_ask = any(asking) and not all(asking)
        focus = (
            " ".join(c.strip() for c, asks in zip(clauses, asking, strict=True) if asks)
            if partial_ask
            else ""
        )
        return terms, asides, focus

    def _opens_question(self, clause: str) -> bool:
        """A clause whose first words (past «و»/«ف» and framing) include a question word: «فمتى…»."""
        words = [
            w[1:] if w[:1] in "وف" and w[1:] in self.dialect.questions else w
            for w in normalize(clause).split()
        ]
        lead = [w for w in words if w in self.dialect.questions or not self.dialect.is_framing(w)][:2]
        return any(w in self.dialect.questions for w in lead)

    def _tokens_of(self, normal: str) -> set[str]:
        """Indexed tokens of one normalised word (its stem, or its variant group), if any."""
        stem = self.pipeline.stem(normal)
        stem = self.index.clitics.get(stem, stem)
        found = {stem} & self.index.vocabulary
        for _, _, token in self.pipeline.lexicon.group_tokens([normal]):
            if token in self.index.vocabulary:
                found.add(token)
        return found

    def _extend(self, tokens: dict[str, float], term: Term, by_root: bool = True) -> bool:
        """Tokens for a word the index lacks: its family, dialect forms, other spellings, its root
        (``by_root``: the analyser may be asked). True when the root was looked up."""
        for token in self.index.relatives(term.stem):
            tokens.setdefault(token, FAMILY_STRENGTH)
        for core in verb_cores(term.normal):
            for token in self._tokens_of(core) | self.index.relatives(self.pipeline.stem(core)):
                tokens.setdefault(token, FAMILY_STRENGTH)
        for word in self.dialect.inflected_equivalents(term.normal):
            for token in self._tokens_of(word):
                tokens.setdefault(token, DIALECT_STRENGTH)
        if tokens:
            return False
        for word in self._families.spellings(term.normal):
            for token in self._tokens_of(word):
                tokens.setdefault(token, SPELLING_STRENGTH)
        if tokens or not by_root:
            return False
        for word in self._families.same_root(term.surface, term.normal):
            for token in self._tokens_of(word):
                tokens.setdefault(token, ROOT_STRENGTH)
        return True

    def warm_up(self) -> None:
        """Load the morphological analyser and analyse the corpus's frequent words now, off the question
        path (the bot runs this in the background at start-up): no question then waits for either."""
        warm_up()
        self._families.warm()

    @cached_property
    def _families(self) -> WordFamilies:
        counts: Counter[str] = Counter()
        written: dict[str, str] = {}
        for entry in self.index.entries:
            text = entry.sentence.text
            for start, end, _, normal in self.pipeline.word_spans(text):
                counts[normal] += 1
                written.setdefault(normal, text[start:end])
        return WordFamilies((w, written[w], n) for w, n in counts.items())

    @cached_property
    def _transliterator(self) -> Transliterator:
        families = self._families
        # Countries and cities a question may name although the corpus never does («el seen» → الصين):
        # read as such, they are declined as unknown entities rather than misread as corpus words.
        entities = {e for e in ENTITIES if " " not in e}
        known = self.dialect.framing | self.pipeline.stop_words | set(self.dialect.equivalent) | entities
        return Transliterator.build(families.counts.items(), known)

    def coverage(self, query: Query, tokens: Sequence[str]) -> float:
        """Share of the question's required idf mass (missing words included) a sentence matches."""
        present = set(tokens)
        required = [c for c in query.concepts if c.required]
        total = sum(c.weight for c in required)
        if total <= 0:
            return 1.0 if required == [] else 0.0
        return sum(c.weight * c.matched(present) for c in required) / total

    def rank(self, question: str, top_k: int | None = None, *, context: Sequence[str] = ()) -> list[Hit]:
        """Ranked hits with no decline decision (used by evaluation on benchmarks; ``context``: as in
        ``answer``)."""
        query = self.with_context(question, context) if context else self.parse(question)
        if query.script == "english":
            return self.rank_by_vector(question, top_k)
        k = top_k or self.config.top_k
        return self._hits(query, k, self._encoder_text(question, query, context)) if query.tokens else []

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

    @staticmethod
    def _encoder_text(question: str, query: Query, context: Sequence[str] = ()) -> str:
        """What the encoder reads: a long message's asking clauses, an Arabizi question as read in
        Arabic, a follow-up with its context."""
        text = query.focus or query.reading or question
        return f"{' '.join(context)} {text}" if context else text

    def _hits(self, query: Query, k: int, question: str | None = None) -> list[Hit]:
        """The ``k`` best sentences: BM25, a sentence holding the kind of answer asked for scored higher,
        then (with an encoder and the ``question`` text) re-ranked by BM25 fused with the encoder.

        With ``query.asks`` («متى» → a date, «كم» → a number, «لماذا» → a reason, «ما اسم» → a name),
        BM25's candidates holding such an answer score × (1 + KIND_BOOST). ``question`` is what the
        encoder reads (None: BM25's order alone); it re-ranks BM25's ``encoder_depth`` best.
        """
        vectors = self.vectors if question is not None else None
        depth = k * KIND_DEPTH if query.asks else k
        if vectors is not None:
            depth = max(depth, self.config.encoder_depth)
        found = self.index.search(query.tokens, depth, query.weights or None)
        if query.asks:
            boosted = [
                (i, score * (1 + KIND_BOOST) if self._holds(i, query.asks) else score) for i, score in found
            ]
            found = sorted(boosted, key=lambda pair: (-pair[1], pair[0]))
        vector = None
        if vectors is not None and question is not None and found:
            vector = self._question_vector(question)
        if vector is None or vectors is None:
            return [self._hit(i, score, query.tokens) for i, score in found[:k]]
        cosines = vectors.cosines(vector, [i for i, _ in found])
        fused = rerank(found, cosines.tolist(), self._encoder_weight(query))[:k]
        return [self._hit(r.entry, r.score, query.tokens, fused=r.fused, cosine=r.cosine) for r in fused]

    def _encoder_weight(self, query: Query) -> float:
        """The encoder's share in the fused score: ``encoder_weight``, raised by ``UNSEEN_WEIGHT`` × the
        share of the question's idf mass BM25 cannot see at all (words the corpus has in no form), since
        only the encoder can match a paraphrase (المرفق الجوي / المطار)."""
        required = [c for c in query.concepts if c.required]
        total = sum(c.weight for c in required) or 1.0
        unseen = sum(c.weight for c in required if not c.tokens) / total
        return min(MAX_ENCODER_WEIGHT, self.config.encoder_weight + UNSEEN_WEIGHT * unseen)

    def _hit(
        self,
        i: int,
        score: float,
        tokens: Sequence[str],
        *,
        fused: float | None = None,
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

    def with_context(self, question: str, context: Sequence[str]) -> Query:
        """``question`` parsed, plus the tokens of the ``context`` words at ``CONTEXT_WEIGHT``.

        The carried words are never required and never missing: they add search tokens only, so the
        decline decision is made on the message's own words. A message with no searchable words of its
        own («ومتى؟») is read as the context words alone (its ranking is theirs; they decide the decline).
        """
        try:
            own: Query | None = self.parse(question)
        except EmptyQuestionError:
            own = None
        try:
            carried = self.parse(" ".join(context)) if context else None
        except EmptyQuestionError:
            carried = None
        if carried is None:
            if own is None:
                raise EmptyQuestionError("the question has no searchable words")
            return own
        if own is None:  # «ومتى؟»: the carried words, asked what this message asks
            return replace(carried, asks=asked_kind(normalize(question).split()) or carried.asks)
        searched = dict(zip(own.tokens, own.weights or (1.0,) * len(own.tokens), strict=True))
        extra = carried.weights or (1.0,) * len(carried.tokens)
        for token, weight in zip(carried.tokens, extra, strict=True):
            searched.setdefault(token, CONTEXT_WEIGHT * weight)
        return replace(own, tokens=tuple(searched), weights=tuple(searched.values()))

    def answer(self, question: str, top_k: int | None = None, *, context: Sequence[str] = ()) -> Answer:
        """Answer ``question`` from the corpus, or decline with the reason and the missing words.

        A question naming an entity the corpus never mentions (a country, an organisation) is declined
        outright; otherwise the decline model weighs the evidence of the best sentences
        (``retrieval.decide``). A declined question keeps its closest sentences as ``related``.
        ``context``: words carried from the previous turn of a conversation (see ``with_context``).
        """
        query = self.with_context(question, context) if context else self.parse(question)
        if query.script == "english":
            return self._answer_english(question, top_k)
        missing = tuple(dict.fromkeys(c.term.surface for c in query.missing))
        known = tuple(
            dict.fromkeys(c.term.surface for c in query.concepts if c.required and c not in query.missing)
        )
        about = partial(Answer, known_terms=known, asks=query.asks, reading=query.reading)
        absent = self.absent_entity(query)
        if absent:
            named = tuple(dict.fromkeys((*(absent if absent in m else m for m in missing), absent)))
            return about(question, query.tokens, (), True, named, "unknown entity")
        uncounted = self.uncounted(query)
        if uncounted:
            return about(question, query.tokens, (), True, (uncounted,), "unknown count")
        hits = self._hits(query, top_k or self.config.top_k, self._encoder_text(question, query, context))
        if not hits:
            return about(question, query.tokens, (), True, missing, "no matching sentence")
        features = self.evidence(query, hits)
        unknown_topic = features["missing_definite"] and features["coverage"] < self.config.min_topic_coverage
        too_weak = features["coverage"] < self.config.min_coverage
        if unknown_topic or too_weak or self.decline_models.for_hit(hits[0].cosine).declines(features):
            reason = "unknown topic" if unknown_topic else "weak match"
            related = tuple(h for h in hits[:RELATED] if h.matched_terms) if known else ()
            return about(question, query.tokens, (), True, missing, reason, related=related)
        return about(question, query.tokens, tuple(self._readable(hits)), False, missing)

    def _answer_english(self, question: str, top_k: int | None) -> Answer:
        """An English question, answered from the Arabic sentences by the encoder alone when it is close
        enough (cosine ≥ ENGLISH_MIN_COSINE); declined with reason "english" otherwise or without it."""
        hits = self.rank_by_vector(question, min(top_k or self.config.top_k, ENGLISH_SHOWN))
        if not hits or (hits[0].cosine or 0.0) < ENGLISH_MIN_COSINE:
            return Answer(question, (), (), True, (), "english")
        return Answer(question, (), tuple(hits), False, (), "english")

    def examples_for(self, question: str, count: int = 3) -> tuple[str, ...]:
        """Up to ``count`` example questions the corpus answers, those sharing the question's words first."""
        try:
            wanted = set(self.parse(question).tokens)
        except EmptyQuestionError:
            wanted = set()
        shared = [
            (len(wanted & set(self.pipeline.index_tokens(example))), -n, example)
            for n, example in enumerate(self.examples)
        ]
        return tuple(example for *_, example in sorted(shared, reverse=True)[:count])

    def absent_entity(self, query: Query) -> str | None:
        """A named entity (one word or several) or a year of the question that the corpus never mentions."""
        for concept in query.missing:
            if entity_of(concept.term.normal):
                return concept.term.surface
            if query.script == "arabic" and not concept.tokens:
                name = self._name_in(concept.term)
                if name:
                    return name
        for concept in query.concepts:
            if YEAR.fullmatch(concept.term.normal) and f" {concept.term.normal} " not in self._corpus_text:
                return concept.term.surface
        normals = [c.term.normal for c in query.concepts]
        for size in (3, 2):
            for start in range(len(normals) - size + 1):
                phrase = " ".join(normals[start : start + size])
                if phrase in MULTIWORD_ENTITIES and f" {phrase} " not in self._corpus_text:
                    return " ".join(c.term.surface for c in query.concepts[start : start + size])
        return None

    @staticmethod
    def uncounted(query: Query) -> str | None:
        """What a «كم» question counts when the corpus never mentions it («كم عدد سكان…» → «سكان»): a
        count of a thing the sources never name cannot be among them, whatever numbers they hold."""
        if query.asks != "number" or not query.counted:
            return None
        for concept in query.missing:
            if concept.term.normal == query.counted and has_noun_reading(concept.term.surface):
                return concept.term.surface
        return None

    @staticmethod
    def _name_in(term: Term) -> str | None:
        """The person or place ``term`` names (without a proclitic: لبايدن → بايدن), when it is a name
        rather than an Arabic word (``retrieval.families.looks_like_name``)."""
        if not looks_like_name(term.surface, verb_cores(term.normal)):
            return None
        if term.surface[0] in "وبل" and looks_like_name(term.surface[1:]):
            return term.surface[1:]
        return term.surface

    @cached_property
    def _corpus_text(self) -> str:
        return " " + " ".join(normalize(e.sentence.text) for e in self.index.entries) + " "

    def evidence(self, query: Query, hits: Sequence[Hit]) -> dict[str, float]:
        """The decline model's features for the best sentence of ``hits`` (see ``retrieval.decide``)."""
        best = hits[0]
        present = set(best.matched_terms)
        around = present | self._context_tokens(best)
        required = [c for c in query.concepts if c.required]
        known = [c for c in required if c.tokens and not c.rooted]
        total = sum(c.weight for c in required) or 1.0
        rarest = max(known, key=lambda c: c.weight, default=None)
        kind = query.asks
        texts = [s.text for s in (best.sentence, best.before, best.after) if s is not None]
        second = hits[1].score if len(hits) > 1 else 0.0
        ceiling = sum(c.weight for c in known) or 1.0
        return {
            "coverage": self.coverage(query, best.matched_terms),
            "context_coverage": self.coverage(query, tuple(around)),
            "present_coverage": (
                sum(c.weight * c.matched(present) for c in known) / (sum(c.weight for c in known) or 1.0)
            ),
            "missing_share": sum(c.weight for c in query.missing) / total,
            "missing_definite": float(any(is_definite_noun(c.term.normal) for c in query.missing)),
            "rare_hit": rarest.matched(present) if rarest else 0.0,
            "type_gap": float(kind is not None and not any(holds_kind(t, kind) for t in texts)),
            "margin": (best.score - second) / best.score if best.score > 0 else 0.0,
            "score": min(best.score / ceiling, 2.0),
            "required": math.log1p(len(required)),
            "max_gap": max((c.weight * (1 - c.matched(around)) for c in required), default=0.0)
            / (self.index.unknown_idf or 1.0),
            "cosine": best.cosine or 0.0,
        }

    def _context_tokens(self, hit: Hit) -> set[str]:
        tokens: set[str] = set()
        for sentence in (hit.before, hit.after):
            if sentence is not None:
                tokens.update(self.index.clitics.get(t, t) for t in self.pipeline.index_tokens(sentence.text))
        return tokens

    def _readable(self, hits: Sequence[Hit]) -> list[Hit]:
        """Hits as shown: none far below the first, none sharing no key word with the question."""
        first, words = hits[0].score, len(set(hits[0].matched_terms))
        return [
            hits[0],
            *(
                h
                for h in hits[1:]
                if h.matched_terms
                and (h.score >= first * MIN_SHOWN_SHARE or 2 * len(set(h.matched_terms)) >= words)
            ),
        ]

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
        stems = tuple(self.index.clitics.get(stem, stem) for _, _, stem, _ in words)
        groups = tuple(self.pipeline.lexicon.group_tokens([normal for *_, normal in words]))
        return tuple((start, end) for start, end, _, _ in words), stems, groups


def make_pipeline(config: RetrievalConfig, corpus: Corpus) -> Pipeline:
    """The text pipeline for ``config``'s stemmer and ``corpus``'s lexicon."""
    return Pipeline(
        stem=make_stemmer(config.stemmer),
        lexicon=Lexicon.build(corpus.lexicon),
        stem_name=make_name_stemmer(config.stemmer),
    )


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
    from retrieval.corpus import load_corpus
    from retrieval.encoder import load_encoder
    from retrieval.index.cache import CACHE_DIR, cached_index, cached_vectors

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
