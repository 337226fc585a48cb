"""Whether the sources give the count a «كم» question asks for.

Pure: :class:`Counts` reads a :class:`~retrieval.index.SentenceIndex` (and the corpus's word families)
and answers five questions about a parsed :class:`~retrieval.query.Query`:

- :meth:`Counts.unnamed`: the counted thing is a word the corpus never uses in any number («كم عدد
  الدبابات…»); «الضيوف» is named by «ضيف» (``families.count_keys``);
- :meth:`Counts.unreported`: the question's verb is in the corpus in no form, not even by its root
  («كم واحد انعتقل؟»): the sources report no such event, so none of their figures counts it;
- :meth:`Counts.unstated`: the corpus names the thing but never gives a figure for it («كم صحفيًا قتل؟»
  where «صحفي» only ever stands in «تصريح صحفي»): no sentence holds it within ``COUNT_REACH`` words of a
  number that is no date or year, or of a vague amount (``figures.counted_words``);
- :meth:`Counts.unqualified`: the corpus gives figures for the thing, but none of the country the
  question asks about («كم عدد الجنود الطاجيك؟» where the only figure of soldiers names no Tajiks);
- :meth:`Counts.unshown`: a count of an event (killed, injured, arrested) that the best sentences give
  no figure for, as the question qualifies it («شكد عدد الجرحى بألماتي؟» where they count the injured of
  the whole country only).
"""

from __future__ import annotations

from collections.abc import Sequence
from collections.abc import Set as AbstractSet

from retrieval.decide import BELIEVING, LASTING, NUMBER_WORDS, TIME_UNITS, nations_of
from retrieval.families import WordFamilies, count_keys, has_noun_reading
from retrieval.figures import Quantity, counted_words, group_of, measure_of, quantities_in
from retrieval.gazetteer import kazakh_places
from retrieval.index import SentenceIndex
from retrieval.models import Hit, Sentence
from retrieval.query import ROOT_STRENGTH, Concept, Query
from retrieval.text import bare_word, normalize

FIGURE_SENTENCES = 200  # sentences holding a counted word searched for a figure beside it, at most
# General nouns of people: the sources count them under a particular name («18 قتيلًا و748 مصابًا» answer
# «كم عدد الضحايا؟»), so the absence of a figure beside the general noun itself says nothing.
GENERAL_COUNTED = frozenset(
    bare_word(normalize(w))
    for w in """ضحية ضحايا شخص أشخاص اشخاص ناس الناس فرد أفراد افراد نسمة إنسان مواطن مواطنين مواطنون
    واحد حد نفر""".split()
)
_GENERAL_KEYS = frozenset(key for word in GENERAL_COUNTED for key in count_keys(word))  # «شخصًا» too
SHOWN_FIGURES = 3  # best hits (with their neighbours) whose figures may answer a count of an event


class Counts:
    """What the corpus counts, read from its index on demand (one question at a time)."""

    def __init__(self, index: SentenceIndex, families: WordFamilies) -> None:
        self.index = index
        self.families = families

    def unnamed(self, query: Query) -> str | None:
        """What a «كم» question counts when the corpus never mentions it («كم عدد سكان…» → «سكان»): a
        count of a thing the sources never name cannot be among them, whatever numbers they hold. Its
        other number counts as a mention («الضيوف» is named by «ضيف»: ``WordFamilies.counted_forms``)."""
        if query.asks != "number" or not query.counted:
            return None
        for concept in query.missing:
            if (
                concept.term.normal == query.counted
                and has_noun_reading(concept.term.surface)
                and not self.families.counted_forms(concept.term.normal)
            ):
                return concept.term.surface
        return None

    def unreported(self, query: Query) -> str | None:
        """The verb of a «كم» question about an event the corpus never reports, in any form or root
        («كم واحد انعتقل؟», «كم سلاحًا سرقها المحتجون؟»): whatever it counts, no figure of the sources
        counts that. Verbs of lasting ask how long (``LASTING``), verbs of belief qualify the thing counted
        (``BELIEVING``: «…التي كان يُظن أنها…»); an Arabizi reading is too unsure."""
        if not query.how_many or query.script != "arabic":
            return None
        for concept in query.missing:
            if concept.tokens or concept.term.normal in (query.counted, *LASTING, *BELIEVING):
                continue
            if not has_noun_reading(concept.term.surface):
                return concept.term.surface
        return None

    def unqualified(self, query: Query) -> str | None:
        """The country a «كم» question counts its thing of («كم جنديًا بيلاروسيًا…», «عدد الجنود الطاجيك»),
        when the sources give figures for the thing but none of them in a sentence naming that country
        (as a country or a nationality, in the sentence's paragraph or its article's title): they count
        other soldiers, not these; or when they give no figure for the thing at all. None when the
        question names no country. General nouns of people are left alone, as in :meth:`unstated`."""
        concept = self._counted(query, how_many=False)
        if concept is None:
            return None
        others = [c for c in query.concepts if c is not concept]
        nations = nations_of([c.term.normal for c in others])
        if not nations:
            return None
        articles = {article.id: article for article in self.index.articles}
        for sentence in self._figures(concept):
            article = articles.get(sentence.doc_id)
            paragraph = article.paragraphs[sentence.paragraph - 1] if article and sentence.paragraph else ""
            around = f"{article.title if article else ''} {paragraph or sentence.text}"
            if nations <= nations_of(normalize(around).split()):  # the paragraph or the title names them
                return None
        return next(c.term.surface for c in others if nations_of([c.term.normal]))

    def unshown(
        self, query: Query, asked: Sequence[str], hits: Sequence[Hit], home: AbstractSet[str]
    ) -> bool:
        """Whether a «كم» question counting an event — the killed, the injured, the arrested, by any of
        the question's words («انكتل», «اتصاب», «الجرحى») — gets no figure for it from the best hits
        (``SHOWN_FIGURES`` of them, with their neighbours): none counts that event as the question
        qualifies it, by a place of Kazakhstan («شكد عدد الجرحى بألماتي؟», where the sources count the
        injured of the whole country), the security forces, the people counted («كام عسكري…») or a
        country other than the corpus's own (``home``: «…روسي مات؟», where the soldiers counted are
        Kazakh). ``asked``: the question's asking words, normalised. An Arabizi question is read too: the
        places and groups it names are matched as the corpus spells them («manjistau» → «مانجيستاو»)."""
        measure = _event(query)
        if not query.how_many or query.script not in ("arabic", "arabizi") or measure is None:
            return False
        places = kazakh_places(asked)
        group = group_of(" ".join(asked))
        counted = self._counted(query, how_many=True)
        if counted is not None and (_measure(counted) or count_keys(counted.term.normal) & _GENERAL_KEYS):
            counted = None
        nations = _qualifying(asked, counted) - home if counted is not None else set()
        for hit in hits[:SHOWN_FIGURES]:
            sentences = [s for s in (hit.sentence, hit.before, hit.after) if s is not None]
            if nations and not nations <= nations_of(normalize(" ".join(s.text for s in sentences)).split()):
                continue
            for sentence in sentences:
                # a figure of no place of its own clause is of the sentence's («مقتل العشرات…، في عملية
                # لاستعادة النظام في مدينة ألماتي»)
                named = kazakh_places(normalize(sentence.text).split()) if places else set()
                for quantity in quantities_in(sentence.text):
                    if (
                        quantity.measure == measure
                        and (not places or places & (kazakh_places([quantity.place]) or named))
                        and (not group or quantity.group == group)
                        and (counted is None or self._counts(counted, sentence.text, quantity, group))
                    ):
                        return False
        return True

    def _counts(self, concept: Concept, text: str, quantity: Quantity, group: str) -> bool:
        """Whether ``text`` counts ``concept`` beside a figure, or ``quantity`` counts members of the
        security forces and the concept names them («عسكري», «شرطي») or the question's ``group`` is
        theirs («كم عنصرًا من قوات الأمن…»)."""
        if self._beside_figure(concept.tokens, count_keys(concept.term.normal), text):
            return True
        return quantity.group == "security" and bool(group or group_of(_named(concept)))

    def _counted(self, query: Query, *, how_many: bool) -> Concept | None:
        """The required concept a number question counts, when it is a noun that is no number, unit of
        time or general noun of people; ``how_many``: only for a question with «كم» itself."""
        counted = bare_word(query.counted)
        asks = query.how_many if how_many else query.asks == "number"
        if not (asks and counted) or counted in NUMBER_WORDS | TIME_UNITS | GENERAL_COUNTED:
            return None
        concept = next((c for c in query.concepts if c.term.normal == query.counted and c.required), None)
        if concept is None:
            return None
        # a slip the analyser cannot read («الصحفين») is read by the corpus's spellings of its family
        term = concept.term
        if not has_noun_reading(term.surface) and not any(
            has_noun_reading(word) for word in self.families.spellings(term.normal, term.surface)
        ):
            return None
        return concept

    def unstated(self, query: Query) -> bool:
        """Whether a «كم» question counts a thing the sources name but never give a figure for
        («كم صحفيًا قتل؟» where «صحفي» only ever stands in «تصريح صحفي»): whatever numbers the best
        sentences hold, they count something else. Units of time are left alone (a duration is told by
        dates), as is «عدد» without «كم» («عدّد بعض…» asks for a list)."""
        concept = self._counted(query, how_many=True)
        if concept is None or (_event(query) and group_of(_named(concept))):
            # «كم شرطيًا قُتل؟»: the killed of the security forces are counted; whether the best sentences
            # count them is for :meth:`unshown` to say
            return False
        return not self._figures(concept, first=True)

    def _figures(self, concept: Concept, *, first: bool = False) -> list[Sentence]:
        """The sentences holding ``concept`` (a token of it, or a word of the same ``count_keys``) within
        ``COUNT_REACH`` words of a figure: a number that is no date or year, or a vague amount; with
        ``first``, the first such sentence only (whether there is one)."""
        keys = count_keys(concept.term.normal)
        forms = self.families.counted_forms(concept.term.normal)
        tokens = set(concept.tokens) | self.index.tokens_in(" ".join(forms))
        found = []
        for entry in self.index.holding(tokens, FIGURE_SENTENCES):
            sentence = self.index.entries[entry].sentence
            if self._beside_figure(tokens, keys, sentence.text):
                found.append(sentence)
                if first:
                    break
        return found

    def _beside_figure(self, tokens: AbstractSet[str], keys: AbstractSet[str], text: str) -> bool:
        """Whether ``text`` holds, within ``COUNT_REACH`` words of a figure (``figures.counted_words``), one
        of the indexed ``tokens`` or a word of the same ``count_keys``."""
        near = counted_words(text)
        return bool(tokens & self.index.tokens_in(" ".join(near))) or any(keys & count_keys(w) for w in near)


def _measure(concept: Concept) -> str | None:
    """The event a question's word counts (``figures.measure_of``), as written or by the news's word
    for it («انكتل» → «قتل»); not through a word of the same root only."""
    found = measure_of(concept.term.normal)
    if found is None:
        strong = sorted(t for t in concept.tokens if concept.strength(t) > ROOT_STRENGTH)
        found = next((m for t in strong if (m := measure_of(t)) is not None), None)
    return found


def _qualifying(asked: Sequence[str], counted: Concept) -> set[str]:
    """The countries a nationality right after the counted word names («كام عسكري روسي…» → Russia);
    not one qualifying the source («…حسب الداخلية الكازاخية»)."""
    at = next((i for i, word in enumerate(asked) if word == counted.term.normal), None)
    return nations_of(asked[at + 1 : at + 2]) if at is not None else set()


def _event(query: Query) -> str | None:
    """The event a question's words count, the first that names one (``_measure``)."""
    return next((m for c in query.concepts if c.required and (m := _measure(c)) is not None), None)


def _named(concept: Concept) -> str:
    """A concept's word and the news's words for it, to read a group from («عسكري» is read as «جنود»)."""
    return " ".join(sorted({concept.term.normal, *concept.tokens}))
