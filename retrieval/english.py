"""English questions over the Arabic sentences: a glossary gives BM25 the news's Arabic words.

The sentence encoder reads an English question across scripts, but alone it often puts a sentence on
the same topic before the one that answers. The glossary (``retrieval/data/english.toml``) maps an
English word or phrase («ambassador», «state of emergency», «killed») to the Arabic words the articles
use for it, so that BM25 can search them and its order is fused with the encoder's, as for an Arabic
question. Pure data and string work: :meth:`Glossary.translate` returns Arabic words; the retriever
searches them (:func:`english_hits`), and :func:`answer_english` decides whether to answer at all.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING

from retrieval.amounts import no_sum
from retrieval.arabizi import ENGLISH, latin_words, names_in
from retrieval.decide import second_first, speaks_after
from retrieval.errors import EmptyQuestionError
from retrieval.gazetteer import english_entities
from retrieval.models import Answer, Hit
from retrieval.text import longest_matches

if TYPE_CHECKING:
    from retrieval.answer import Retriever

# An English question is answered when the encoder's best sentence is at least this close (e5 cosines
# crowd into 0.75–0.85; calibrated by bench/english_threshold.py), with at most ENGLISH_SHOWN sentences.
ENGLISH_MIN_COSINE = 0.78
ENGLISH_SHOWN = 3
# The encoder's nearest sentences join BM25's candidates: the glossary's words can mislead BM25 away
# from the answer (on another corpus, most of them), and only the encoder reads the whole question.
ENGLISH_NEAREST = 20

_WORD = re.compile(r"[a-z]+(?:-[a-z]+)*")
_WRITTEN = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)*")  # the same words, as written
# English function words and question verbs, which no glossary word stands for.
_FUNCTION = (ENGLISH - {"people", "killed"}) | frozenset(
    """can could would will should may might shall also than then into over under per by as our your my
    me us them him any some all other others such very more most only just say said tell told according
    did does done get got make made happen happened happening""".split()
)
# Endings an English word may carry beyond the glossary's form, tried longest first.
_ENDINGS = ("'s", "ies", "es", "s", "ed", "d", "ing", "ly")


@dataclass(frozen=True)
class Glossary:
    """English word or phrase (lower case words) → the Arabic words the news uses for it."""

    entries: Mapping[tuple[str, ...], tuple[str, ...]]
    longest: int = 1

    def translate(self, text: str) -> list[str]:
        """The Arabic words for the English words and phrases of ``text``, longest phrase first («state of
        emergency» before «state»); a word is also looked up without an ending («protesters» →
        «protester»). Words the glossary lacks (names, function words) are left out."""
        found = [w for _, _, arabic in self._matches(_WORD.findall(text.lower())) for w in arabic]
        return list(dict.fromkeys(found))

    def coverage(self, text: str) -> float:
        """The share of the content words of ``text`` the glossary translates: not function words, not
        names (capitalised inside the question). On another corpus's questions, few are: the glossary
        knows the bundled articles' vocabulary."""
        _, content, covered = self._content(text)
        if not content:
            return 0.0
        return len(content & covered) / len(content)

    def untranslated(self, text: str) -> list[str]:
        """The content words of ``text`` (as :meth:`coverage` counts them) the glossary has no Arabic for:
        on the bundled corpus, what its articles never speak of («arrested», «defected»)."""
        words, content, covered = self._content(text)
        return [words[i] for i in sorted(content - covered)]

    def _content(self, text: str) -> tuple[list[str], set[int], set[int]]:
        """The lower-case words of ``text``, the positions of its content words (not function words, not
        names: capitalised inside the question) and the positions a glossary entry covers."""
        words = _WORD.findall(text.lower())
        content = {
            i
            for i, (word, written) in enumerate(zip(words, _WRITTEN.findall(text), strict=False))
            if word not in _FUNCTION and len(word) >= 3 and not (i and written[:1].isupper())
        }
        covered = {i for start, end, _ in self._matches(words) for i in range(start, end)}
        return words, content, covered

    def _matches(self, words: list[str]) -> list[tuple[int, int, tuple[str, ...]]]:
        """(start, end, Arabic words) of each glossary word or phrase in ``words``, longest first."""
        return longest_matches(len(words), self.longest, lambda i, j: self._lookup(tuple(words[i:j])))

    def _lookup(self, key: tuple[str, ...]) -> tuple[str, ...] | None:
        if key in self.entries:
            return self.entries[key]
        *head, last = key
        for ending in _ENDINGS:
            if last.endswith(ending) and len(last) - len(ending) >= 3:
                stem = last[: -len(ending)]
                for form in (stem, stem + "e", stem + "y"):
                    if (*head, form) in self.entries:
                        return self.entries[(*head, form)]
        return None


def parse_glossary(raw: Mapping[str, object]) -> Glossary:
    """A :class:`Glossary` from the parsed TOML; ValueError when it is malformed."""
    table = raw.get("glossary")
    if not isinstance(table, dict):
        raise ValueError("english: expected a [glossary] table")
    entries: dict[tuple[str, ...], tuple[str, ...]] = {}
    for english, arabic in table.items():
        if not isinstance(arabic, list) or not arabic or not all(isinstance(w, str) and w for w in arabic):
            raise ValueError(f"english: {english!r} must map to a non-empty list of Arabic words")
        key = tuple(_WORD.findall(english.lower()))
        if key:
            entries[key] = tuple(dict.fromkeys((*entries.get(key, ()), *arabic)))
    return Glossary(entries, max((len(k) for k in entries), default=1))


@lru_cache(maxsize=1)
def load_glossary() -> Glossary:
    """The bundled glossary (read once)."""
    text = resources.files("retrieval").joinpath("data/english.toml").read_text("utf-8")
    return parse_glossary(tomllib.loads(text))


def answer_english(retriever: Retriever, question: str, top_k: int | None, read: str) -> Answer:
    """An English question, answered from the Arabic sentences when the encoder finds one close enough
    (cosine ≥ ``ENGLISH_MIN_COSINE``); declined with reason "english" otherwise or without an encoder.
    ``read``: what the encoder reads (the question with its names in the corpus's spelling). A country
    or organisation named in English that the corpus never mentions («What did China say…»), or a person
    or place of the region's news («What did Nazarbayev do…»: ``arabizi.names_in``), declines it, as the
    Arabic name does, with the English name as the missing word. The sentences shown are
    ranked by :func:`english_hits`."""
    named_people = [(word.capitalize(), arabic) for word, arabic in names_in(latin_words(question))]
    for english, arabic in [*english_entities(question, adjectives=True), *named_people]:
        try:
            named = retriever.parse(arabic)
        except EmptyQuestionError:
            continue
        wholly_missing = all(c in named.missing for c in named.concepts if c.required)
        if named.concepts and (wholly_missing or retriever.absent_entity(named)):
            return Answer(question, (), (), True, (english,), "english")
    nearest = retriever.rank_by_vector(read, 1)
    if not nearest or (nearest[0].cosine or 0.0) < ENGLISH_MIN_COSINE:
        return Answer(question, (), (), True, (), "english")
    hits = english_hits(retriever, question, read, min(top_k or retriever.config.top_k, ENGLISH_SHOWN))
    if english_asks_amount(question) and no_sum([hit.sentence.text for hit in hits]):
        return Answer(question, (), (), True, (), "english")  # «How much compensation…?»: no sum given
    if retriever.glossary_fit >= GLOSSARY_FIT and english_unreported(retriever.glossary, question):
        return Answer(question, (), (), True, (), "english")  # «How many people were arrested?»
    if english_after(question) and not speaks_after(hit.sentence.text for hit in hits):
        return Answer(question, (), (), True, (), "english")  # «…after the unrest?»: the sources end there
    if second_first(english_kind(question), [hit.sentence.text for hit in hits[:2]]):
        hits[0], hits[1] = hits[1], hits[0]  # as for an Arabic question
    return Answer(question, (), tuple(hits), False, (), "english")


_ENGLISH_DATE = re.compile(r"^(when\b|on what (date|day)|what (date|day)|which (date|day))")
_ENGLISH_MEDIUM = re.compile(r"^where\b.*\b(post|share|publish|tweet|write|wrote)(ed|d)?\b")
_ENGLISH_COUNTRIES = re.compile(r"^(which|what) countries\b")
_ENGLISH_DURATION = re.compile(r"^(how long|for how long|until when)\b")


_ENGLISH_MONEY = re.compile(
    r"\b(cost|costs|price|prices|budget|compensation|money|dollars?|euros?|rubles?|roubles?|tenge|funding"
    r"|worth|spent|spend|paid|pay|losses)\b"
)
_ENGLISH_SUM = re.compile(r"^what (was|is|were) the (total |overall )?(cost|price|budget|amount|value)\b")


# Of an English «How many» question, the least share of content words the glossary must know for the
# rest to count as unreported (below it the question is about another corpus than the glossary's).
ENGLISH_COUNT_COVERAGE = 0.5
# The least share of the glossary's entries whose Arabic the corpus uses for the glossary to speak for
# the corpus (the bundled one: 0.96; XQuAD-ar's paragraphs: 0.76).
GLOSSARY_FIT = 0.9


def glossary_fit(
    glossary: Glossary, tokens_in: Callable[[str], set[str]], vocabulary: AbstractSet[str]
) -> float:
    """The share of ``glossary``'s entries with an Arabic word whose tokens (``tokens_in``) the corpus
    ``vocabulary`` holds: whether the glossary was written for this corpus."""
    entries = list(glossary.entries.values())
    used = sum(any(tokens_in(word) & vocabulary for word in arabic) for arabic in entries)
    return used / len(entries) if entries else 0.0


def english_unreported(glossary: Glossary, question: str) -> bool:
    """Whether an English «How many…» or yes/no question asks of an event or thing the articles never
    speak of: one of its content words is no everyday word (:func:`everyday_words`) and the glossary,
    written from the articles' vocabulary, has no Arabic for it — «How many people were arrested…?»,
    «Did Kazakhstan expel any foreign diplomats…?» —, as ``Counts.unreported`` reads a «كم» question
    whose verb the corpus has in no form. A «How many» question must have most of its content words
    known (``ENGLISH_COUNT_COVERAGE``); a yes/no question asks whether that very act happened, so
    its word alone decides. Only for a glossary written for the corpus (``GLOSSARY_FIT``: the caller
    checks)."""
    text = question.strip().lower()
    counting = text.startswith("how many") and glossary.coverage(question) >= ENGLISH_COUNT_COVERAGE
    if not (counting or _ENGLISH_YES_NO.match(text)):
        return False
    everyday = everyday_words()
    return any(word not in everyday and word not in _COUNT_FRAME for word in glossary.untranslated(question))


# A yes/no question: «Did…», «Was…», «Has…» (a statement's verb never opens an English question).
_ENGLISH_YES_NO = re.compile(r"^(did|does|do|was|were|is|are|has|have|had)\b")

# Words that frame a count rather than name what is counted («in total», «approximately», «recorded»),
# rarer than the everyday words.
_COUNT_FRAME = frozenset(
    """total overall altogether combined approximately roughly nearly estimated estimate recorded counted
    tally throughout including respectively individuals persons figure figures number numbers sum amount
    quantity exact exactly reported reportedly official officially confirmed""".split()
)


@lru_cache(maxsize=1)
def everyday_words() -> frozenset[str]:
    """Everyday English words («alone», «among», «take»), not the thing a question counts («arrested»):
    ``retrieval/data/english_everyday.txt``, the words of 100,000 occurrences or more in a public
    frequency list (regenerated by ``bench/everyday_words.py``)."""
    text = resources.files("retrieval").joinpath("data/english_everyday.txt").read_text("utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def english_asks_amount(question: str) -> bool:
    """Whether an English question asks for a sum of money («How much compensation…», «How much did the
    operation cost?», «What was the cost of…»), as ``amounts.asks_amount`` reads an Arabic one."""
    text = question.strip().lower()
    return bool((text.startswith("how much") and _ENGLISH_MONEY.search(text)) or _ENGLISH_SUM.search(text))


# «…after the unrest?», «…since the crisis?», «…after the protests ended?»: set after the events as a whole,
# as ``decide.after_the_events`` reads an Arabic question.
_ENGLISH_AFTER = re.compile(
    r"\b(after|since) the (unrest|events|crisis|turmoil|upheaval|riots)\b(?! (began|started|broke))"
    r"|\bafter the (protests|demonstrations|unrest|riots|violence) (ended|were over|was over|died down)\b"
    r"|\bafter the end of the (protests|unrest|crisis|events|riots)\b"
)


def english_after(question: str) -> bool:
    """Whether an English question is set after the events as a whole («Did Kazakhstan rename its capital
    after the unrest?»)."""
    return bool(_ENGLISH_AFTER.search(question.lower()))


def english_kind(question: str) -> str | None:
    """The kind of answer an English question asks for, of those a sentence holding it is shown first
    for: "duration" («How long…»), "date" («When…», «On what day…»), "medium" («Where did he post…») or
    "countries" («Which countries…»); None otherwise."""
    text = question.strip().lower()
    kinds = (
        ("duration", _ENGLISH_DURATION),
        ("date", _ENGLISH_DATE),
        ("medium", _ENGLISH_MEDIUM),
        ("countries", _ENGLISH_COUNTRIES),
    )
    for kind, pattern in kinds:
        if pattern.search(text):
            return kind
    return None


def english_hits(retriever: Retriever, question: str, read: str, k: int) -> list[Hit]:
    """The ``k`` best sentences for an English question: BM25 over the glossary's Arabic words and the
    names in the corpus's spelling (``read`` after the question), and the encoder's ``ENGLISH_NEAREST``
    sentences, fused with the encoder reading ``read``; the encoder alone when the glossary knows none
    of its words."""
    glossary = retriever.glossary
    covered = glossary.coverage(question)
    names = read[len(question) :] if read.startswith(question) else ""
    arabic = " ".join((*glossary.translate(question), names)).strip() if covered else ""
    try:
        query = retriever.parse(arabic) if arabic else None
    except EmptyQuestionError:
        query = None
    if query is None or not query.tokens:
        return retriever.rank_by_vector(read, k)
    # BM25 weighs as much as for an Arabic question when the glossary reads the whole question, less as
    # it reads less of it.
    weight = 1 - (1 - retriever.config.encoder_weight) * covered
    return retriever.hits_for(query, k, read, ENGLISH_NEAREST, weight)
