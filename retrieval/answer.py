"""The answer API: a question in, ranked cited sentences or a reasoned decline out."""

from __future__ import annotations

import hashlib
import logging
import math
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property, lru_cache, partial
from pathlib import Path

from retrieval.amounts import unpriced
from retrieval.anaphora import (
    LOOK_BACK,
    SPEAKER_LOOK_BACK,
    Words,
    antecedent,
    closes_quote,
    continues_quote,
    referring,
    speaker,
)
from retrieval.arabizi import known_names
from retrieval.config import RetrievalConfig
from retrieval.counting import Counts
from retrieval.decide import (
    ON_BEHALF,
    YEAR,
    DeclineModels,
    asks_after_the_events,
    asks_yes_no,
    continued_first,
    holds_kind,
    is_definite_noun,
    is_frame_noun,
    load_models,
    names_holder,
    nations_of,
    publishes,
    second_first,
    succeeds,
    title_stem,
    undated,
    unofficial,
    unplaced,
    unsaid,
    unvoiced,
)
from retrieval.dialect import load_dialect
from retrieval.encoder import Encoder, FloatArray
from retrieval.english import answer_english, english_hits, everyday_words, glossary_fit, load_glossary
from retrieval.errors import EmptyCorpusError, EmptyQuestionError
from retrieval.families import warm_up
from retrieval.function_words import is_function_form
from retrieval.gazetteer import (
    COUNTRY_SPELLINGS,
    english_entities,
    entity_written,
    multiword_entity,
    names_entity,
    nationality_of,
)
from retrieval.index import SentenceIndex
from retrieval.models import Answer, Corpus, Hit, Sentence
from retrieval.query import Concept, Query, QueryParser
from retrieval.rerank import rerank
from retrieval.roles import GENERIC_TITLES, complemented, name_in, same_country, unheld
from retrieval.text import (
    PIPELINE_VERSION,
    Lexicon,
    Pipeline,
    Term,
    bare_word,
    make_name_stemmer,
    make_stemmer,
    normalize,
)
from retrieval.vectors import EntryVectors, SentenceVectors

logger = logging.getLogger(__name__)

# «وزارة» before a ministry's name, which the news often leaves out («المتحدث باسم الخارجية»).
MINISTRY = frozenset({"وزاره", "لوزاره", "بوزاره"})


@dataclass(frozen=True)
class CorpusInfo:
    """What the bot can say about its knowledge (/help) and what the log records (version)."""

    articles: int
    sentences: int
    outlets: tuple[str, ...]
    first_published: date | None
    last_published: date | None
    version: str


# The encoder weighs more in the fused score as more of the question is unseen by BM25 (measured:
# tuning ranking Hit@1 0.739 → 0.758, held-out 0.744 → 0.778, XQuAD-ar and dev unchanged).
UNSEEN_WEIGHT = 0.5
# A sentence that names what the question asks by referring back («وأكدت المنظمة…» after «منظمة التعاون
# الإسلامي») is read by the encoder without the name: its cosine in the fused score moves this share of the
# way towards the best cosine of the sentences it may refer back to (``anaphora.LOOK_BACK``), when it adds
# a question word to that sentence's. 0.3 without that condition moved XQuAD-ar's ranking (Hit@1 −2).
ANTECEDENT_SHARE = 0.2
# The share for a quotation that goes on («وأضاف: "…"»), which the encoder reads without its speaker at all
# (a name referred back to keeps its head noun): tuning Hit@1 +4, held-out Hit@3 +5 over 0.2; the same
# 0.5 for names too lowered XQuAD-ar's ranking.
SPEAKER_SHARE = 0.5
MAX_ENCODER_WEIGHT = 0.9
# A sentence inheriting question words (``Retriever._credited``) joins BM25's candidates when it follows one
# of the FOLLOWED best within FOLLOW_ON sentences (the farther of anaphora.LOOK_BACK and SPEAKER_LOOK_BACK).
FOLLOWED = 10
FOLLOW_ON = max(LOOK_BACK, SPEAKER_LOOK_BACK)
KIND_BOOST = 0.2  # measured on XQuAD-ar and the tuning questions: README, "How answers are found"
KIND_DEPTH = 3

# A question of at most SHORT_QUESTION content words declines on a missing definite noun unless the best
# sentence covers SHORT_TOPIC_COVERAGE of it (``Retriever._topic_floor``).
SHORT_QUESTION = 2
SHORT_TOPIC_COVERAGE = 0.4
# A definite title followed by one of these is a role, not a description of somebody: «الأمين العام»,
# «المدعي العام», and a rank or a time in office: «الوزير الأول» (the Maghreb's prime minister), «الرئيس
# الجديد», «القائد الحالي», «الرئيس المؤقت». The qualifier is then the title's complement, as «الداخلية» is
# «وزير الداخلية»'s, which a sentence naming the holder must hold where the corpus has the word at all.
_QUALIFIERS = "العام العامة الأول الأولى الجديد الجديدة الحالي الحالية المؤقت المؤقتة"
ROLE_QUALIFIERS = frozenset(normalize(word) for word in _QUALIFIERS.split())
NAMING_DEPTH = 3  # a role's holder is looked for in this many best hits (measured: README)
AFTER_DEPTH = 3  # hits (with their neighbours) searched for what came after the events
RELATED = 3  # closest sentences kept with a decline, shown as related (never as the answer)
MIN_SHOWN_SHARE = 0.2  # a sentence scoring below this share of the first is not shown
MIN_SHOWN_FUSED = 0.5  # … unless its fused score (BM25 and the encoder) is at least this share of the first

SENTENCE_CACHE_SIZE = 20_000
# A sentence's word spans, their index tokens, the lexicon's variant phrases and the words' normal forms.
SentenceWords = tuple[
    tuple[tuple[int, int], ...], tuple[str, ...], tuple[tuple[int, int, str], ...], tuple[str, ...]
]


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
        # What a sentence inherits from a name it refers back to, read as sentences come up as candidates.
        self._antecedents = lru_cache(maxsize=SENTENCE_CACHE_SIZE)(self._antecedents_of)
        self._speakers = lru_cache(maxsize=SENTENCE_CACHE_SIZE)(self._speakers_of)
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
        self.parser = QueryParser(pipeline, index, self.dialect)
        self.glossary = load_glossary()
        self.decline_models: DeclineModels = load_models()
        self.examples: tuple[str, ...] = tuple(q for q in corpus.examples if self._answers(q))

    @cached_property
    def counts(self) -> Counts:
        """Whether the sources give a count (``retrieval.counting``); built on the first question, as the
        parser's word families are."""
        return Counts(self.index, self.parser.families)

    # -- queries ------------------------------------------------------------------------------------

    def parse(self, question: str) -> Query:
        """Content words of ``question`` with the indexed tokens that match each, and their weights
        (``QueryParser.parse``)."""
        return self.parser.parse(question)

    def warm_up(self) -> None:
        """Load the morphological analyser and analyse the corpus's frequent words now, off the question
        path (the bot runs this in the background at start-up): no question then waits for either."""
        warm_up()
        english_entities("")  # CLDR's country names, read once
        is_function_form("")  # the function-word lexicon, read once (70 ms)
        everyday_words()  # the everyday English words, read once
        _ = self.glossary_fit, self._home
        self.parser.families.warm()

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
            return english_hits(self, question, query.focus or question, top_k or self.config.top_k)
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

    def hits_for(self, query: Query, k: int, question: str, nearest: int, weight: float) -> list[Hit]:
        """The ``k`` best sentences for a parsed ``query`` (``question``: what the encoder reads), BM25's
        candidates joined by the encoder's ``nearest`` sentences over the whole corpus, the encoder's
        share of the fused score ``weight``."""
        return self._hits(query, k, question, nearest, weight)

    def _hits(
        self, query: Query, k: int, question: str | None = None, nearest: int = 0, weight: float | None = None
    ) -> list[Hit]:
        """The ``k`` best sentences: BM25, a sentence holding the kind of answer asked for scored higher,
        then (with an encoder and the ``question`` text) re-ranked by BM25 fused with the encoder.

        With ``query.asks`` («متى» → a date, «كم» → a number, «لماذا» → a reason, «ما اسم» → a name),
        BM25's candidates holding such an answer score × (1 + KIND_BOOST). ``question`` is what the
        encoder reads (None: BM25's order alone); it re-ranks BM25's ``encoder_depth`` best, and the
        encoder's own ``nearest`` sentences with them (an English question's: ``retrieval.english``).
        """
        vectors = self.vectors if question is not None else None
        depth = k * KIND_DEPTH if query.asks else k
        if vectors is not None:
            depth = max(depth, self.config.encoder_depth)
        found = self._credited(query, self.index.search(query.tokens, depth, query.weights or None))
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
        if nearest:  # the encoder's own candidates, which BM25 scores 0
            seen = {i for i, _ in found}
            found += [(i, 0.0) for i, _ in vectors.nearest(vector, nearest) if i not in seen]
        cosines = vectors.cosines(vector, [i for i, _ in found]).tolist()
        read = self._with_antecedents(query, vector, vectors, found, cosines)
        share = self._encoder_weight(query) if weight is None else weight
        fused = rerank(found, read, share)[:k]
        own = {i: cosine for (i, _), cosine in zip(found, cosines, strict=True)}
        return [self._hit(r.entry, r.score, query.tokens, fused=r.fused, cosine=own[r.entry]) for r in fused]

    def _with_antecedents(
        self,
        query: Query,
        vector: FloatArray,
        vectors: EntryVectors,
        found: Sequence[tuple[int, float]],
        cosines: Sequence[float],
    ) -> list[float]:
        """``cosines`` of ``found`` as the fused score reads them: a sentence inheriting question words from
        a name it refers back to (``_credited``) and holding a question word the nearest of the sentences
        before it lacks («تضامنها» after «أعربت منظمة التعاون الإسلامي عن قلقها») moves ``ANTECEDENT_SHARE``
        of the way towards that sentence's cosine, ``SPEAKER_SHARE`` when it inherits them from the speaker
        of a quotation it goes on with. The hit keeps its own cosine."""
        wanted = set(query.tokens)
        read = list(cosines)
        for n, (entry, _) in enumerate(found):
            inherited = self._inherited(query, entry) & wanted
            if not inherited:
                continue
            earlier = self.index.entries_before(entry, LOOK_BACK)
            if not earlier:
                continue
            scores = vectors.cosines(vector, earlier)
            nearest = earlier[int(scores.argmax())]
            own = set(self.index.entries[entry].tokens) & wanted
            share = SPEAKER_SHARE if inherited - self._antecedents(entry) else ANTECEDENT_SHARE
            if own - set(self.index.entries[nearest].tokens):  # it adds a question word to its antecedent's
                read[n] = max(read[n], read[n] + share * (float(scores.max()) - read[n]))
        return read

    def _credited(self, query: Query, found: list[tuple[int, float]]) -> list[tuple[int, float]]:
        """BM25's ``found`` (entry, score), each sentence that refers back to a name («وأكدت المنظمة…») or
        goes on with a quotation («وأضاف: "…"») credited with the question's words in that name or
        speaker (``retrieval.anaphora``), each as BM25 scores a word occurring once in it; re-sorted when
        any was credited. Such a sentence following one of the ``FOLLOWED`` best joins the candidates
        though it holds none of the question's words itself («ودعت إلى "التحلي بأقصى درجات ضبط النفس…"»)."""
        weights: dict[str, float] = {}
        for token, weight in zip(query.tokens, query.weights or (1.0,) * len(query.tokens), strict=True):
            weights.setdefault(token, weight)
        seen = {entry for entry, _ in found}
        following = [
            (entry, 0.0)
            for best, _ in found[:FOLLOWED]
            for entry in self.index.entries_after(best, FOLLOW_ON)
            if entry not in seen and self._inherited(query, entry) & weights.keys()
        ]
        credited, changed = [], False
        for entry, score in [*found, *dict.fromkeys(following)]:
            inherited = self._inherited(query, entry) & weights.keys()
            if inherited:
                inherited -= set(self.index.entries[entry].tokens)
                score += sum(weights[token] * self.index.once(token, entry) for token in inherited)
                changed = changed or bool(inherited)
            credited.append((entry, score))
        return sorted(credited, key=lambda pair: (-pair[1], pair[0])) if changed else credited

    def _antecedents_of(self, entry: int) -> frozenset[str]:
        """The tokens entry ``entry``'s sentence inherits from a name it refers back to (cached per
        retriever as ``_antecedents``)."""
        sentence = self.index.entries[entry].sentence
        return self._referred_to(sentence.text, sentence)

    def _referred_to(self, text: str, sentence: Sentence) -> frozenset[str]:
        """The tokens of the names the definite nouns opening ``text`` (``sentence``'s, or a speaker named
        in it) refer back to in the sentences before ``sentence`` (``anaphora.referring``, ``antecedent``)."""
        _, tokens, _, normals = self._sentence_words(text)
        heads = referring(normals, tokens)
        return antecedent(heads, self._earlier(sentence)) if heads else frozenset()

    def _inherited(self, query: Query, entry: int) -> frozenset[str]:
        """The tokens entry ``entry``'s sentence inherits for ``query``: from a name it refers back to and,
        unless the question asks who, from the speaker of a quotation it goes on with (``_speakers``)."""
        if query.asks in ("name", "names"):  # «من المتحدث الذي حذر موسكو؟»: the name is not in «وأضاف…»
            return self._antecedents(entry)
        return self._antecedents(entry) | self._speakers(entry)

    def _speakers_of(self, entry: int) -> frozenset[str]:
        """The tokens of whoever entry ``entry``'s sentence quotes (cached per retriever as ``_speakers``).

        A sentence opening with a verb of saying that names no one («وأضاف: "…"») quotes the speaker the
        nearest of ``SPEAKER_LOOK_BACK`` sentences before it names with a verb of the same gender; a
        sentence closing a quotation quotes whoever the sentence before it quotes or names. With the name
        that speaker refers back to («وقالت المنظمة» → «التعاون الإسلامي»)."""
        sentence = self.index.entries[entry].sentence
        gender = continues_quote(sentence.text)
        if gender is None:
            earlier = self.index.entries_before(entry, 1) if closes_quote(sentence.text) else []
            if not earlier:
                return frozenset()
            opened = self.index.entries[earlier[0]].sentence
            return self._speakers(earlier[0]) or self._speaker_words(opened, speaker(opened.text, None))
        before, _ = self._neighbours(sentence)
        for _ in range(SPEAKER_LOOK_BACK):
            if before is None:
                break
            goes_on = continues_quote(before.text)
            if goes_on is not None and goes_on != gender:
                break  # another speaker's quotation stands between
            named = speaker(before.text, gender) if goes_on is None else None
            if named is not None:
                return self._speaker_words(before, named)
            before, _ = self._neighbours(before)
        return frozenset()

    def _speaker_words(self, sentence: Sentence, named: str | None) -> frozenset[str]:
        """The tokens of the speaker ``named`` in ``sentence``, and of the name it refers back to."""
        if named is None:
            return frozenset()
        return frozenset(self._sentence_words(named)[1]) | self._referred_to(named, sentence)

    def _earlier(self, sentence: Sentence) -> Iterator[Words]:
        """The words of up to ``LOOK_BACK`` sentences before ``sentence``, nearest first."""
        before, _ = self._neighbours(sentence)
        for _ in range(LOOK_BACK):
            if before is None:
                return
            _, tokens, groups, normals = self._sentence_words(before.text)
            yield normals, tokens, groups
            before, _ = self._neighbours(before)

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
        """``question`` parsed, plus the ``context`` words' tokens (``QueryParser.with_context``)."""
        return self.parser.with_context(question, context)

    def answer(self, question: str, top_k: int | None = None, *, context: Sequence[str] = ()) -> Answer:
        """Answer ``question`` from the corpus, or decline with the reason and the missing words.

        A question naming an entity the corpus never mentions (a country, an organisation) is declined
        outright; otherwise the decline model weighs the evidence of the best sentences
        (``retrieval.decide``). A declined question keeps its closest sentences as ``related``.
        ``context``: words carried from the previous turn of a conversation (see ``with_context``).
        """
        query = self.with_context(question, context) if context else self.parse(question)
        if query.script == "english":
            return answer_english(self, question, top_k, query.focus or question)
        missing = tuple(dict.fromkeys(c.term.surface for c in query.missing))
        known = tuple(
            dict.fromkeys(c.term.surface for c in query.concepts if c.required and c not in query.missing)
        )
        about = partial(Answer, known_terms=known, asks=query.asks, reading=query.reading)
        absent = self.absent_entity(query, normalize(query.reading or question).split())
        if absent:
            words = absent.split()  # a word of a multi-word entity is named with the entity
            others = (absent if absent in m else m for m in missing if m not in words)
            named = tuple(dict.fromkeys((*others, absent)))
            return about(question, query.tokens, (), True, named, "unknown entity")
        if query.unmatched_keyword and not context:  # «تجميد أسعار الوقود»: each keyword is asked for
            return about(question, query.tokens, (), True, missing, "unknown topic")
        hits = self._hits(query, top_k or self.config.top_k, self._encoder_text(question, query, context))
        # A decline shows what the sources do say as related: «تذكر المصادر X، لكنها لا تذكر Y».
        related = tuple(h for h in hits[:RELATED] if h.matched_terms) if known else ()
        uncounted = self.counts.unnamed(query) or self.counts.unreported(query)
        if uncounted:
            return about(question, query.tokens, (), True, (uncounted,), "unknown count", related=related)
        if self.counts.unstated(query) or self.counts.unqualified(query):  # «كم صحفيًا قتل؟», «…الطاجيك؟»
            return about(question, query.tokens, (), True, (), "unstated count", related=related)
        if not hits:
            return about(question, query.tokens, (), True, missing, "no matching sentence")
        whole = normalize(query.reading or question).split()
        asked = self._asking_words(query, whole)
        holder = self.naming(query, hits[:NAMING_DEPTH], asked)
        if holder is None:  # «ما اسم وزير الداخلية؟»: the sources speak of the role, never name its holder
            return about(question, query.tokens, (), True, (), "unstated name", related=related)
        hits = [holder, *(h for h in hits if h is not holder)]
        near = (s.text for h in hits[:AFTER_DEPTH] for s in (h.before, h.sentence, h.after) if s is not None)
        if asks_after_the_events(asked, near):
            # «متى زار توكاييف موسكو بعد الأحداث؟»: the sources end with the events
            return about(question, query.tokens, (), True, (), "later events", related=related)
        features = self.evidence(query, hits)
        unknown_topic = (
            features["missing_definite"]
            and features["coverage"] < self._topic_floor(query)
            and self._missing_head(query)
        )
        too_weak = features["coverage"] < self.config.min_coverage
        model = self.decline_models.for_hit(hits[0].cosine)
        yes_no = self.asks_yes_no(query, whole)
        if unknown_topic or too_weak or model.declines(features, yes_no=yes_no):
            reason = "unknown topic" if unknown_topic else "weak match"
            return about(question, query.tokens, (), True, missing, reason, related=related)
        texts, probability = [h.sentence.text for h in hits], model.probability(features)
        if undated(query.asks, texts, probability):
            # «متى انسحبت القوات؟»: the sources tell of the withdrawal, not of its date
            return about(question, query.tokens, (), True, (), "unstated date", related=related)
        if unpriced(whole, texts, probability):
            # «ما المبلغ الذي رصدته السلطات…؟»: the sources tell of the aid, not of a sum
            unpaid = "unstated amount"
            return about(question, query.tokens, (), True, (), unpaid, related=related, asks="amount")
        best = [normalize(s.text) for s in (hits[0].sentence, hits[0].before, hits[0].after) if s is not None]
        if unplaced(query.asks, asked, best) or self.counts.unshown(query, asked, hits, self._home):
            # «كم واحد مات في نور سلطان؟»: the sources count the dead of Almaty and of the country
            return about(question, query.tokens, (), True, (), "unstated count", related=related)

        def accounted() -> set[str]:  # the countries the best sentence and its neighbours speak for
            return self._nations_named(query, hits[0], best) | self._home

        # «شنو موقف العراق…؟»: Iraq in passing, its stance nowhere; «الحكومة القطرية نفسها وش قالت رسميًا؟»:
        # Qatar only through its former premier
        unheard = unvoiced(asked, accounted, question) or unofficial(asked, best, self._home)
        if unheard is not None:
            reason = "unstated stance"
            return about(question, query.tokens, (), True, (), reason, related=related, asks="stance")
        actor = unsaid(asked, accounted) if yes_no else None
        if actor is not None:  # «هل أرسلت أرمينيا جنودًا…؟»: the sources tell of the troops, not of Armenia's
            doer = COUNTRY_SPELLINGS.get(actor, actor)  # «القوات الروسية» → «روسيا»
            return about(question, query.tokens, (), True, (doer,), "unstated act", related=related)
        shown = self._readable(hits)
        after = shown[0].after
        if (
            after is not None
            and any(hit.sentence == after for hit in shown)
            and continued_first(query.asks, shown[0].sentence.text, after.text)
        ):  # «لحد امتى…؟»: the next sentence of the best one's article tells how long, and is a hit
            shown.sort(key=lambda hit: hit.sentence != after)
        elif second_first(query.asks, [hit.sentence.text for hit in shown[:2]]):  # «متى…؟»: a dated one first
            shown[0], shown[1] = shown[1], shown[0]
        return about(question, query.tokens, tuple(shown), False, missing)

    def _nations_named(self, query: Query, hit: Hit, texts: Sequence[str]) -> set[str]:
        """The countries ``texts`` (a hit's sentence and neighbours, normalised) name, as countries or
        nationalities, or by a word of the question's country's variant group («موسكو» for «روسيا»)."""
        named = nations_of(" ".join(texts).split())
        present = set(hit.matched_terms) | self._context_tokens(hit)
        for concept in query.concepts:
            if concept.matched(present):
                named |= nations_of([concept.term.normal])
        return named

    @cached_property
    def glossary_fit(self) -> float:
        """How well the English glossary speaks for this corpus (``english.glossary_fit``)."""
        return glossary_fit(self.glossary, self.index.tokens_in, self.index.vocabulary)

    @cached_property
    def _home(self) -> frozenset[str]:
        """The corpus's own country: the one its sentences name most (Kazakhstan, for the bundled one)."""
        named = (nations_of(normalize(entry.sentence.text).split()) for entry in self.index.entries)
        counts = Counter(country for countries in named for country in countries)
        return frozenset(country for country, _ in counts.most_common(1))

    @staticmethod
    def _missing_head(query: Query) -> bool:
        """Whether a definite noun the corpus never uses heads its phrase: it is the question's first
        content word, or follows another word the corpus lacks («متى سيجري الاستفتاء…», «ما حجم
        التعويضات…», «الأحكام القضائية…»). One that follows a word the corpus knows qualifies what the
        sources do speak of — an adjective or a paraphrase («العاصمة الاقتصادية», «تعرض الاقتراع»,
        «الوزراء المستقيلين») — and does not make the topic unknown, unless that word is a title: after
        one, the missing word names the role («رئيس المخابرات»). A frame noun («الجهة», «الغاية»:
        ``decide.FRAME_NOUNS``) names the kind of answer wanted, not the topic: it neither heads a phrase
        nor makes the next word head one. Measured on every set: answerable
        questions declined fell (tuning 0.067 → 0.049, held-out 3 0.133 → 0.067) for fewer unanswerable
        ones declined (tuning 0.750 → 0.733, held-out 0.600 → 0.533)."""
        required = [c for c in query.concepts if c.required]
        missing = set(query.missing)
        slipped = {c for c in required if c.slipped}
        lacking = {c for c in missing | slipped if not is_frame_noun(c.term.normal)}
        return any(
            c in missing
            and c in lacking  # not a frame noun
            and is_definite_noun(c.term.normal)
            and (i == 0 or required[i - 1] in lacking or title_stem(required[i - 1].term.normal) is not None)
            for i, c in enumerate(required)
        )

    def _topic_floor(self, query: Query) -> float:
        """The coverage under which a missing definite noun declines: ``min_topic_coverage``, or
        ``SHORT_TOPIC_COVERAGE`` for a question of at most two words («ما هو الاستفتاء الدستوري؟»: the
        missing noun is half of it, where a long question's missing noun is more likely a paraphrase)."""
        floor = self.config.min_topic_coverage
        short = sum(c.required for c in query.concepts) <= SHORT_QUESTION
        return max(floor, SHORT_TOPIC_COVERAGE) if short else floor

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

    def absent_entity(self, query: Query, words: Sequence[str] = ()) -> str | None:
        """A named entity (one word or several) or a year of the question that the corpus never mentions.
        ``words``: the question's normalised words, which tell a name used as an everyday word («ما
        القاعدة التي…», «دعم مالي»: ``gazetteer.everyday_sense``)."""
        for concept in query.missing:
            if names_entity(concept.term.normal, words) or nationality_of(concept.term.normal):
                return concept.term.surface
            if query.script == "arabic" and not concept.tokens:
                name = name_in(concept.term)
                if name:
                    return name
                # «النت» is «الإنترنت», which it lacks too; but not where something was published on it
                # («نشرت بيانها على النت»: the medium), nor in a long message's story («قريت عالنت…»)
                if self._names_by_equivalent(concept.term) and self._asked_of(concept, query):
                    return concept.term.surface
            if query.script == "arabizi" and not concept.tokens and concept.term.normal in known_names():
                return concept.term.surface  # «biden» → «بايدن»: a name read as such, not a guess
        for concept in query.concepts:
            if YEAR.fullmatch(concept.term.normal) and f" {concept.term.normal} " not in self._corpus_text:
                return concept.term.surface
        normals = [c.term.normal for c in query.concepts]
        for size in (3, 2):
            for start in range(len(normals) - size + 1):
                entity = multiword_entity(normals[start : start + size])
                if entity and not entity_written(entity, self._corpus_text):
                    return " ".join(c.term.surface for c in query.concepts[start : start + size])
        return None

    def asks_yes_no(self, query: Query, whole: Sequence[str]) -> bool:
        """Whether the parsed question (``whole``: its normalised words) asks yes or no, past the framing
        words the parser set aside, a word of truth that opens it included (``decide.asks_yes_no``)."""
        return asks_yes_no(whole, {normalize(word) for word in query.framing}, self.dialect.openers)

    @staticmethod
    def _asking_words(query: Query, whole: Sequence[str]) -> Sequence[str]:
        """The normalised words of an Arabic long message's asking clauses (``Query.focus``): where it
        asks, not its story; ``whole`` (the question's words) for any other question."""
        return normalize(query.focus).split() if query.script == "arabic" and query.focus else whole

    @classmethod
    def _asked_of(cls, concept: Concept, query: Query) -> bool:
        """Whether the question asks about ``concept``'s thing: it stands in the asking clauses of a long
        message (``_asking_words``), and no word speaks of publishing (then it is the medium)."""
        words = [c.term.normal for c in query.concepts]
        return concept.term.normal in cls._asking_words(query, words) and not publishes(words)

    def _names_by_equivalent(self, term: Term) -> bool:
        """Whether a dialect word the corpus lacks in every form stands for a loanword or a name in
        Standard Arabic («النت» → «إنترنت»: ``dialect.toml``), as :func:`name_in` reads that spelling:
        a question about it is about something the corpus never mentions, as with the Standard word."""
        found = self.dialect.equivalents(bare_word(term.normal))  # a noun, not a verb's inflection
        return any(name_in(Term(word, word, "")) for word in found)

    def naming(self, query: Query, hits: Sequence[Hit], words: Sequence[str] = ()) -> Hit | None:
        """For a «who / what name» question about a role («ما اسم وزير الداخلية؟»), the hit to show first:
        the first whose sentence or neighbours name somebody holding the role, when the first hit names
        nobody holding the title at all; None when no hit names its holder («وزير الدفاع… شويجو»,
        «رئيس الدولة أيضًا», «رئيس الوزراء القطري» for the Kazakh one: the topic is there, the name is
        not). The word after the title («الداخلية») must be in the same sentence as the name. A title
        asked of whoever came before or after somebody the question names («شكون الرئيس اللي كان قبل
        توكاييف؟», ``words``: its normalised asking words) is a role too, that person's name no answer.
        Any other question: the first hit."""
        if query.asks != "name" or not hits:
            return hits[0] if hits else None
        if any(unheld(c) for c in query.concepts):  # «منو القائد اللي يقود…؟»: no commander named
            return None
        at = next((i for i, c in enumerate(query.concepts) if title_stem(c.term.normal)), None)
        if at is None or at + 1 == len(query.concepts):
            return hits[0]
        # A role: the title in construct or «باسم» («وزير الداخلية», «المتحدثة باسم الشرطة»), not a
        # description of somebody («الحاكم الألماني الذي…»), whose answer need not repeat the title.
        title_word, after = query.concepts[at].term.normal, query.concepts[at + 1].term.normal
        construct = not is_definite_noun(title_word)  # «رئيس الحكومة»: a role in construct
        # «الأمين العام», «الوزير الأول»; not «المسؤول الأول», a generic title that still describes somebody
        qualified = after in ROLE_QUALIFIERS and title_stem(title_word) not in GENERIC_TITLES
        role = construct or after in ON_BEHALF or qualified
        # People the question names; a place it names completes a title («رئيس قيرغيزستان»).
        named = {normalize(name) for c in query.concepts if (name := name_in(c.term))}
        if not role and not succeeds(words, named):
            return hits[0]
        concepts = [c for c in query.concepts if c.term.normal not in ON_BEHALF]
        at = next(i for i, c in enumerate(concepts) if title_stem(c.term.normal))
        title = title_stem(concepts[at].term.normal) or ""
        completing = at + 1
        if completing + 1 < len(concepts) and concepts[completing].term.normal in MINISTRY:
            completing += 1  # «المتحدث باسم وزارة الخارجية» is the spokesman «باسم الخارجية» too
        complement = concepts[completing] if completing < len(concepts) else None
        asked = {c.term.normal for c in query.concepts}
        for concept in query.concepts:  # a slip's corpus spelling names its country («الكازخستاني»)
            if concept.slipped:
                asked.update(self.parser.families.spellings(concept.term.normal, concept.term.surface))

        own = {name for name in named if not nations_of([name])}

        def completes(word: str, after: Sequence[str]) -> bool:
            """A title with the article heads no construct: «الرئيس توكاييف» is no «رئيس الحكومة», though
            «الرئيس الكازاخستاني» is «رئيس كازاخستان» and «المتحدث باسم…» a role. A title in construct
            is completed by the question's complement: «رئيس قيرغيزستان» is no «رئيس المنظمة»; «عُيّن
            رئيسًا…» has no complement to check."""
            if not construct or complement is None or (after and after[0] in ON_BEHALF):
                return True
            if is_definite_noun(word):
                return same_country(complement, after[:1])
            if word.endswith("ا") or not after:
                return True
            held = self.index.tokens_in(" ".join(after))
            return bool(complement.matched(held)) or same_country(complement, after[:1])

        # A question naming no country asks about the corpus's own: a holder of the title of another
        # country («رئيس الوزراء القطري السابق حمد بن جاسم») answers it only where the hit also holds the
        # question's other words («…وزير الدفاع الروسي… يطلع بوتين»), not for «رئيس الوزراء المستقيل».
        homeless = not nations_of(list(asked))
        others = [c for c in query.concepts if c.required and c is not concepts[at] and c is not complement]

        def rest(hit: Hit) -> bool:
            present = self.index.tokens_in(hit.sentence.text) | self._context_tokens(hit)
            return all(c.matched(present) for c in others)

        def names(hit: Hit, asked: set[str]) -> bool:
            at_home = asked | self._home
            for sentence in (hit.sentence, hit.before, hit.after):
                if sentence is None:
                    continue
                tokens = self.index.tokens_in(sentence.text)
                words = normalize(sentence.text).split()
                if complement is not None and not complemented(complement, tokens, words):
                    continue
                if not names_holder(words, title, asked, own, completes):
                    continue
                if not homeless or rest(hit) or names_holder(words, title, at_home, own, completes):
                    return True
            return False

        holder = next((hit for hit in hits if names(hit, asked)), None)
        if holder is None:
            return None
        # The first hit naming the title's holder of another country stays first (a question's country
        # may be wrong); only a first hit naming no holder at all gives way.
        return holder if holder is hits[0] or not names(hits[0], set()) else hits[0]

    @cached_property
    def _corpus_text(self) -> str:
        return " " + " ".join(normalize(e.sentence.text) for e in self.index.entries) + " "

    def evidence(self, query: Query, hits: Sequence[Hit]) -> dict[str, float]:
        """The decline model's features for the best sentence of ``hits`` (see ``retrieval.decide``)."""
        best = hits[0]
        present = set(best.matched_terms)
        entry = self.index.entry_of(best.sentence)
        inherited = self._inherited(query, entry) if entry is not None else frozenset()
        around = present | self._context_tokens(best) | inherited  # a name or speaker it inherits is near
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
                tokens |= self.index.tokens_in(sentence.text)
        return tokens

    def _readable(self, hits: Sequence[Hit]) -> list[Hit]:
        """Hits as shown: none far below the first, none sharing no key word with the question."""
        first, words = hits[0], len(set(hits[0].matched_terms))
        return [
            first,
            *(
                h
                for h in hits[1:]
                if h.matched_terms
                and (
                    h.score >= first.score * MIN_SHOWN_SHARE
                    or 2 * len(set(h.matched_terms)) >= words
                    or (h.fused or 0.0) >= (first.fused or 1.0) * MIN_SHOWN_FUSED
                )
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
        spans, stems, groups, _ = self._sentence_words(text)
        marked = {i for i, stem in enumerate(stems) if stem in wanted}
        for start, end, token in groups:
            if token in wanted:
                marked.update(range(start, end))
        return [spans[i] for i in sorted(marked)]

    def _words_of(self, text: str) -> SentenceWords:
        """A sentence's word spans, their stems, lexicon groups and normal forms (cached: popular sentences
        recur)."""
        words = self.pipeline.word_spans(text)
        stems = tuple(self.index.clitics.get(stem, stem) for _, _, stem, _ in words)
        normals = tuple(normal for *_, normal in words)
        groups = tuple(self.pipeline.lexicon.group_tokens(list(normals)))
        return tuple((start, end) for start, end, _, _ in words), stems, groups, normals


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
    segmented and tokenised (``retrieval.index.cache``). ``cache=False`` indexes everything and keeps
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
