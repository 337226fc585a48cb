"""The question side: a message read into the words it asks about and the indexed tokens that match them.

:class:`QueryParser` turns a question (Arabic, dialect, Arabizi or English) into a :class:`Query`: its
content words as :class:`Concept` s, each with every indexed token that counts as matching it (the
word's own stem or variant group, a dialect equivalent, another spelling, a word of the same root) and
that token's share of a full match; the tokens BM25 searches for, with their weights; and what the
question asks for. ``Retriever.parse`` and ``Retriever.with_context`` delegate here.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, replace
from functools import cached_property

from retrieval.arabizi import ENGLISH, Transliterator, is_english, latin_share, latin_words
from retrieval.decide import REASON_NOUNS, asked_kind, counted_word, counts_how_many
from retrieval.dialect import Dialect, collapse_stretch, sound_variants, verb_cores
from retrieval.errors import EmptyQuestionError
from retrieval.families import WordFamilies, one_letter_out, roots
from retrieval.function_words import is_function_form
from retrieval.gazetteer import ENTITIES, english_entities, entity_of
from retrieval.index import SentenceIndex
from retrieval.synonyms import Thesaurus, load_thesaurus
from retrieval.text import (
    ARTICLE_PREFIXES,
    FRAME_WORDS,
    GROUP_MARK,
    PREPOSITIONS,
    PROCLITICS,
    Pipeline,
    Term,
    bare_word,
    normalize,
)

# Question words that are as often a preposition, a relative or a negation (see _opens_question).
_AMBIGUOUS_QUESTION_WORDS = frozenset(normalize(w) for w in "من ما لم لما أي اي".split())


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

    @property
    def slipped(self) -> bool:
        """Matched only as a slip or another spelling («شركات» → «عشر»), or by root: no word the corpus
        knows as written."""
        return bool(self.tokens) and max(map(self.strength, self.tokens)) <= SPELLING_STRENGTH

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
    focus: str = ""  # what the sentence encoder reads, when not the message itself
    counted: str = ""  # what a «كم» question counts, normalised («كم عدد سكان…» → «سكان»)
    how_many: bool = False  # «كم», a dialect «كم», «نسبة», or «عدد» before a definite noun (counts_how_many)
    asking: bool = True  # a question word or mark; False: a search-box message («تجميد أسعار الوقود»)

    @cached_property
    def unmatched_keyword(self) -> bool:
        """A search-box message (at most ``KEYWORDS`` content words, no question word or mark) with a word
        the corpus has in no form at all: each keyword is asked for («تجميد أسعار الوقود»)."""
        required = [c for c in self.concepts if c.required]
        return not self.asking and 0 < len(required) <= KEYWORDS and any(not c.tokens for c in required)

    @cached_property
    def missing(self) -> tuple[Concept, ...]:
        """Required words the corpus never mentions (matched at most through their root)."""
        return tuple(c for c in self.concepts if c.required and (not c.tokens or c.rooted))


KEYWORDS = 4  # a message of at most this many content words, asking nothing, is a search-box query

# Shares of a full match for tokens found other than through the word's own stem.
DIALECT_STRENGTH = 0.9  # a Standard Arabic equivalent of a dialect word (حكى → قال)
SYNONYM_STRENGTH = 0.85  # the news's word for a reader's synonym (مبعوث → سفير: retrieval.synonyms)
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
_ARABIC_RUN = re.compile("[\u0621-\u064a]{5,}")  # a word long enough to be two run together
# Two words run together (``QueryParser._glued_at``): the letters of a part that is neither a
# preposition (``retrieval.text.PREPOSITIONS``) nor a word with the article.
_MIN_GLUED, _MIN_GLUED_WORD = 3, 4
_ARABIC_WORD_4 = re.compile("[\u0621-\u064a]{4,}")
_MIN_SLIPPED = 4  # letters of a function word a slip is looked for in (not «متى», «كيف»: too many neighbours)


def _swapped(word: str, i: int) -> str:
    """``word`` with its letters ``i`` and ``i + 1`` swapped."""
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def _one_slip(typed: str, word: str) -> bool:
    """Whether ``typed`` is ``word`` with one letter left out, one added, or two neighbours swapped."""
    if len(typed) + 1 == len(word):
        typed, word = word, typed
    if len(typed) == len(word) + 1:
        return word in one_letter_out(typed)
    if len(typed) == len(word) and typed != word:
        diff = [i for i in range(len(word)) if typed[i] != word[i]]
        if len(diff) != 2 or diff[1] != diff[0] + 1:
            return False
        i, j = diff
        return typed[i] == word[j] and typed[j] == word[i]
    return False


# Emojis and pictographs, hearts and flowers, and the joiners and selectors of emoji sequences.
_SYMBOLS = re.compile("[\u2600-\u27bf\U0001f000-\U0001faff\ufe0f\u200d]")
_CAPITALISED = re.compile(r"\b[A-Z][A-Za-z]{2,}\b")  # a name in an English question
_CLAUSE = re.compile(r"[^.!?؟،,:;\n]+[.!?؟،,:;\n]*")

# Words carried over from the previous turn of a conversation (``retrieval.followup``) are searched at
# this share of their own weight: they steer the ranking but never outweigh the message's own words.
CONTEXT_WEIGHT = 0.7


class QueryParser:
    """Reads questions against one index: its vocabulary, variant groups and word families."""

    def __init__(
        self, pipeline: Pipeline, index: SentenceIndex, dialect: Dialect, thesaurus: Thesaurus | None = None
    ) -> None:
        self.pipeline = pipeline
        self.index = index
        self.dialect = dialect
        self.thesaurus = thesaurus if thesaurus is not None else load_thesaurus()

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
                names = self._english_names(text)
                return Query((), (), script="english", focus=f"{question} {names}" if names else "")
            reading, _ = self.transliterator.sentence(words)
            text, script = reading, "arabizi"
        if script == "arabic":
            text = self._unglued(self._retyped(text))
        terms, asides, focus = self._message_terms(text)
        plain = self._without_courtesy(focus or text)
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
                for token in self._standard_tokens(word):
                    tokens.setdefault(token, DIALECT_STRENGTH)
            if required and not tokens and is_function_form(term.normal):
                required = False  # «عندي», «بكل», «معهن»: a function word, never missing
            if required and not tokens:
                rooted = self._extend(tokens, term, roots_left > 0)
                roots_left -= rooted
            weight = max((self.index.idf(t) for t in tokens), default=self.index.unknown_idf)
            strengths = tuple(sorted((t, w) for t, w in tokens.items() if w != 1.0))
            concepts.append(Concept(term, frozenset(tokens), max(weight, 0.0), required, strengths))
        searched: dict[str, float] = {}
        words = normalize(text).split()
        asks = asked_kind(words)
        for i, (stem, concept) in enumerate(zip(stems, concepts, strict=True)):
            if asks == "reason" and bare_word(terms[i].normal) in REASON_NOUNS:
                continue  # «ما سبب…» asks for a reason: a sentence naming «سبب» holds none the more
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
            asks=asks,
            focus=self._for_encoder(plain or (focus if aside else ""), text),
            counted=counted_word(words) or "",
            how_many=counts_how_many(words),
            asking=script != "arabic" or bool({"؟", "?"} & {*question} or self.dialect.questions & {*words}),
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

    def _for_encoder(self, focus: str, text: str) -> str:
        """What the sentence encoder reads of a message, "" for the message as it is: its asking clauses
        or the message without courtesy (``focus``), with dialect question words in Standard Arabic
        (شنو صار؟ → ماذا صار؟), which the encoder reads best."""
        read = focus or text
        standard = self.dialect.standard(read)
        return standard if standard != read else focus

    def _without_courtesy(self, text: str) -> str:
        """``text`` without its greetings, thanks, politeness and emojis («أهلين 🌹 كيف وصلت القوات؟» →
        «كيف وصلت القوات؟»), for the sentence encoder, which would read them as meaning; "" when it has
        none of them."""
        words = text.split()
        normals = [normalize(w) for w in words]
        courtesy = self.dialect.courtesy_spans(normals)
        kept = [_SYMBOLS.sub("", w) for i, w in enumerate(words) if i not in courtesy]
        kept = [w for w in kept if w.strip()]
        return " ".join(kept) if kept != words and kept else ""

    def _english_names(self, text: str) -> str:
        """The names an English question writes (Tokayev, Almaty, Blinken) in the corpus's Arabic
        spelling: capitalised words that are not English function words, read as Arabizi would be, kept
        when the reading is a corpus word; and the countries and organisations it names in English by
        their Arabic names, when the corpus writes them so (CSTO → منظمة معاهدة الأمن الجماعي:
        ``gazetteer.english_entities``). The encoder reads them beside the question."""
        found = []
        for word in _CAPITALISED.findall(text):
            if word.lower() in ENGLISH:
                continue
            reading, unread = self.transliterator.sentence([word.lower()])
            normal = normalize(reading)
            if (
                unread
                or " " in normal
                or normal not in self.families.counts
                or self.dialect.is_framing(normal)
            ):
                continue
            found.append(self.families.written.get(normal, reading))
        found += [
            arabic
            for _, arabic in english_entities(text)
            if all(word in self.families.counts for word in normalize(arabic).split())
        ]
        return " ".join(dict.fromkeys(found))

    def _unglued(self, text: str) -> str:
        """``text`` with two words typed without the space between them set apart (تشتهرالبلد → تشتهر
        البلد, القتلىفي → القتلى في; عالمطار → على المطار), where the run-together word is unknown to the
        index (``_glued_at``)."""

        def split(match: re.Match[str]) -> str:
            word = match.group()
            normal = normalize(word)
            if len(normal) != len(word) or normal in self.families.counts or self._tokens_of(normal):
                return word  # known, or marks the folding drops: the positions would not line up
            if normal.startswith("عال") and normal[1:] in self.families.counts:
                return f"على {word[1:]}"  # «عالشارع»: the spoken «على» joined to the article
            at = self._glued_at(normal)
            return word if at is None else f"{word[:at]} {word[at:]}"

        return _ARABIC_RUN.sub(split, text)

    def _retyped(self, text: str) -> str:
        """``text`` with the typing slips of words the index does not know and the analyser cannot read
        mended: a letter typed twice where the word with it once is known (مديننة → مدينة, ماذذا → ماذا),
        a function word one slip away (بامذا → بماذا, لمذا → لماذا: a letter left out, added or swapped
        with the next), and a corpus word two neighbouring letters away (لاشرطة → الشرطة)."""

        def mend(match: re.Match[str]) -> str:
            word = match.group()
            normal = normalize(word)
            if len(normal) != len(word) or self._known(normal) or roots(word):
                return word  # known, or an Arabic word the analyser reads (رأيها is not أيها mistyped)
            for i in range(len(normal) - 1):
                once = normal[:i] + normal[i + 1 :]
                if normal[i] == normal[i + 1] and self._known(once):  # function words are known too
                    return word[:i] + word[i + 1 :]
            slips = [w for w in self._function_words if _one_slip(normal, w)]
            if len(slips) == 1:
                return slips[0]
            swaps = [i for i in range(len(normal) - 1) if _swapped(normal, i) in self.families.counts]
            if len(swaps) == 1:  # لاشرطة → الشرطة, الطمار → المطار
                return _swapped(word, swaps[0])
            return word

        return _ARABIC_WORD_4.sub(mend, text)

    def _known(self, normal: str) -> bool:
        return (
            normal in self.families.counts
            or self.pipeline.is_stop(normal)
            or normal in self.dialect.framing
            or bool(self._tokens_of(normal))
        )

    @cached_property
    def _function_words(self) -> frozenset[str]:
        """Function and question words long enough to tell a slip in them from another word."""
        words = self.pipeline.stop_words | self.dialect.questions
        return frozenset(w for w in words if len(w) >= _MIN_SLIPPED)

    def _glued_at(self, normal: str) -> int | None:
        """Where an unknown word splits into two, a space left out, or None. Three ways, checked
        strictly because a wrong split loses a word (هزمهم is not هزم + هم):

        - before the article: a known word (a corpus word, or one whose stem the index holds, three
          letters or more) or a preposition, then a corpus word with the article (تشتهر|البلد, في|الماتي);
        - a corpus word, then a preposition (القتلى|في, النظر|عن);
        - two corpus words of four letters or more each (كازاخستان|روسيا).

        Of several splits, the one whose rarer part is the most frequent in the corpus."""
        counts = self.families.counts

        def known(part: str) -> int:
            if len(part) < _MIN_GLUED:
                return 0
            return counts.get(part, 0) or int(bool(self._tokens_of(part)))

        best: tuple[float, int] | None = None
        for at in range(2, len(normal) - 1):
            left, right = normal[:at], normal[at:]
            if right.startswith("ال") and len(right) >= _MIN_GLUED_WORD and right in counts:
                # The left part: a known word, or an Arabic word the analyser reads (سعر|الغاز, where the
                # corpus writes only «أسعار»), which then ranks below every known one.
                read = known(left) or (0.5 if len(left) >= _MIN_GLUED and roots(left) else 0)
                score = counts[right] if left in PREPOSITIONS else min(read, counts[right])
            elif right in PREPOSITIONS:
                score = counts.get(left, 0)
            elif min(len(left), len(right)) >= _MIN_GLUED_WORD:
                score = min(counts.get(left, 0), counts.get(right, 0))
            else:
                score = 0
            if score and (best is None or score > best[0]):
                best = (score, at)
        return None if best is None else best[1]

    def _opens_question(self, clause: str) -> bool:
        """A clause whose first words (past «و»/«ف» and framing) include a question word: «فمتى…».

        Not «من», «ما», «لم», «أي», which are as often a preposition, a relative or a negation («صديقي من
        ألماتي أرسل…»): without «؟» they do not make a clause ask."""
        words = [
            w[1:] if w[:1] in "وف" and w[1:] in self.dialect.questions else w
            for w in normalize(clause).split()
        ]
        lead = [w for w in words if w in self.dialect.questions or not self.dialect.is_framing(w)][:2]
        return any(w in self.dialect.questions and w not in _AMBIGUOUS_QUESTION_WORDS for w in lead)

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
        if len(term.stem) == 3 and term.stem.endswith("ه"):
            # A short noun in «ة» keeps it alone but loses it behind «ل/ب» (light10: «مدة» → «مده», «لمدة» →
            # «لمد»), so its corpus forms behind a preposition are looked up as written.
            for token in self._written_behind(term.stem, "لب"):
                tokens.setdefault(token, FAMILY_STRENGTH)
        if not tokens and len(term.normal) >= 3:
            # A word the corpus writes only behind a proclitic («وصف» as «ووصف»), which then stays whole
            # because its rest is no corpus word on its own; not beside its family (XQuAD-ar lost two
            # answers to «واعترض» beside «اعتراض»: the rarer form outweighed the sentence that answers).
            for token in self._written_behind(term.normal, PROCLITICS):
                tokens.setdefault(token, FAMILY_STRENGTH)
        self._dialect_forms(tokens, term.normal)
        if tokens:
            return False
        for word in sound_variants(term.normal):  # «انكتل» → «انقتل», said with a g or a glottal stop
            # A corpus word as written, not by its stem or family: «شركات» → «شرقات» would stem to «شرق»,
            # «بايدن» → «بقيدن» is kin to «بقيادة».
            for token in self._written_tokens(word):
                tokens.setdefault(token, DIALECT_STRENGTH)
            self._dialect_forms(tokens, word, DIALECT_STRENGTH)
        if tokens:
            return False
        # A hamza written on its seat («الرؤساء», «المسؤولين») is careful spelling, not a slip: its root
        # is asked first, so that «الرؤساء» finds «الرئيس» rather than «روسيا» one letter away.
        careful = by_root and ("ؤ" in term.surface or "ئ" in term.surface)
        if careful:
            self._same_root(tokens, term)
        self._synonyms(tokens, term)  # a reader's synonym: «المبعوث» → «سفير»
        if tokens:
            return careful
        if by_root and not careful and self._core_root(tokens, term):
            return True  # «بيرأس» is «يرأس» (heads), by its root, not a slip of «برايس»
        # A country or city of the gazetteer is spelled as it is: «ألمانيا» loses «أل» as if an article
        # and is then one slip from «يومين».
        spellings = () if entity_of(term.normal) else self.families.spellings(term.normal, term.surface)
        for word in spellings:
            for token in self._tokens_of(word):
                tokens.setdefault(token, SPELLING_STRENGTH)
        if tokens or not by_root or careful:
            return careful
        self._same_root(tokens, term)
        return True

    def _synonyms(self, tokens: dict[str, float], term: Term) -> None:
        """Tokens of the news's words for ``term`` (``retrieval.synonyms``), at ``SYNONYM_STRENGTH``: each
        as the corpus writes it, also behind the article or a proclitic («وتدمير»), and its family; not
        its variant group, which would make a paraphrase a name of its own (``retrieval.followup``)."""
        for word in self.thesaurus.synonyms(term.normal, term.surface):
            written = self._written_behind(word, ("", *PROCLITICS, *ARTICLE_PREFIXES))
            for token in self._standard_tokens(word) | written:
                if not token.startswith(GROUP_MARK):
                    tokens.setdefault(token, SYNONYM_STRENGTH)

    def _core_root(self, tokens: dict[str, float], term: Term) -> bool:
        """Tokens of the root of a dialect verb's core («بيرأس» → «يرأس»), at ``ROOT_STRENGTH``: a word
        carrying a dialect prefix is read as a verb before it is read as a slip. True when found."""
        for core in verb_cores(term.normal):
            # an imperfect verb's core («يرأس»), not a noun behind Levantine «هال» («هالفوضى»)
            if term.normal.endswith(core) and core[:1] in "يتن" and not core.startswith("ال"):
                surface = term.surface[len(term.surface) - len(core) :]
                for word in self.families.same_root(surface, core):
                    for token in self._tokens_of(word):
                        tokens.setdefault(token, ROOT_STRENGTH)
        return bool(tokens)

    def _same_root(self, tokens: dict[str, float], term: Term) -> None:
        """Tokens of the corpus words of ``term``'s root, at ``ROOT_STRENGTH`` (the analyser is asked)."""
        for word in self.families.same_root(term.surface, term.normal):
            for token in self._tokens_of(word):
                tokens.setdefault(token, ROOT_STRENGTH)

    def _written_tokens(self, word: str) -> set[str]:
        """Tokens of ``word`` when the corpus has it as written (normalised), else none."""
        return self._tokens_of(word) if word in self.families.counts else set()

    def _written_behind(self, word: str, prefixes: Iterable[str]) -> set[str]:
        """Tokens of ``word`` behind each of ``prefixes`` as the corpus writes it («لمدة», «ووصف»)."""
        return set().union(*(self._written_tokens(f"{prefix}{word}") for prefix in prefixes))

    def _dialect_forms(self, tokens: dict[str, float], normal: str, ceiling: float = FAMILY_STRENGTH) -> None:
        """Tokens of the dialect word ``normal`` without its dialect prefixes (``verb_cores``) and of its
        Standard Arabic equivalents, at most ``ceiling`` strong."""
        for core in verb_cores(normal):
            for token in self._standard_tokens(core):
                tokens.setdefault(token, min(FAMILY_STRENGTH, ceiling))
        for word in self.dialect.inflected_equivalents(normal):
            for token in self._standard_tokens(word):
                tokens.setdefault(token, min(DIALECT_STRENGTH, ceiling))

    def _standard_tokens(self, word: str) -> set[str]:
        """Tokens of a word standing for a dialect word (its core without the dialect prefixes, or its
        Standard Arabic equivalent): its own, and its family's as the corpus writes it («اتقتلوا» →
        «قتلوا», «طلعوا» → «خرج» → «خرجت», «هجموا» → «هاجم» → «يهاجم»)."""
        return self._tokens_of(word) | self.index.relatives(self.pipeline.stem(word))

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

    @cached_property
    def families(self) -> WordFamilies:
        counts: Counter[str] = Counter()
        written: dict[str, str] = {}
        for entry in self.index.entries:
            text = entry.sentence.text
            for start, end, _, normal in self.pipeline.word_spans(text):
                counts[normal] += 1
                written.setdefault(normal, text[start:end])
        return WordFamilies((w, written[w], n) for w, n in counts.items())

    @cached_property
    def transliterator(self) -> Transliterator:
        families = self.families
        # Countries and cities a question may name although the corpus never does («el seen» → الصين):
        # read as such, they are declined as unknown entities rather than misread as corpus words.
        entities = {e for e in ENTITIES if " " not in e}
        # Those the corpus never names win no ties, though («sarat» is «صارت», not «سوريا»).
        absent = entities - families.counts.keys()
        known = self.dialect.framing | self.pipeline.stop_words | set(self.dialect.equivalent)
        named = known | (entities - absent)
        # A reader's word of the thesaurus («مظاهرات», «مخربين») is read where no other word matches (rather
        # than spelling the Arabizi letter by letter), then searched through its synonyms as typed Arabic is.
        readers = set(self.thesaurus.entries) - families.counts.keys()
        return Transliterator.build(families.counts.items(), named, names=absent - known, spare=readers)
