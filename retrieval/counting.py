"""Whether the sources give the count a «كم» question asks for.

Pure: :class:`Counts` reads a :class:`~retrieval.index.SentenceIndex` (and the corpus's word families)
and answers four questions about a parsed :class:`~retrieval.query.Query`:

- :meth:`Counts.unnamed`: the counted thing is a word the corpus never uses in any number («كم عدد
  الدبابات…»); «الضيوف» is named by «ضيف» (``families.count_keys``);
- :meth:`Counts.unreported`: the question's verb is in the corpus in no form, not even by its root
  («كم واحد انعتقل؟»): the sources report no such event, so none of their figures counts it;
- :meth:`Counts.unstated`: the corpus names the thing but never gives a figure for it («كم صحفيًا قتل؟»
  where «صحفي» only ever stands in «تصريح صحفي»): no sentence holds it within ``COUNT_REACH`` words of a
  number that is no date or year, or of a vague amount (``figures.counted_words``);
- :meth:`Counts.unqualified`: the corpus gives figures for the thing, but none of the country the
  question asks about («كم عدد الجنود الطاجيك؟» where the only figure of soldiers names no Tajiks).
"""

from __future__ import annotations

from retrieval.decide import BELIEVING, LASTING, NUMBER_WORDS, TIME_UNITS, nations_of
from retrieval.families import WordFamilies, count_keys, has_noun_reading
from retrieval.figures import counted_words
from retrieval.index import SentenceIndex
from retrieval.models import Sentence
from retrieval.query import Concept, Query
from retrieval.text import bare_word, normalize

FIGURE_SENTENCES = 200  # sentences holding a counted word searched for a figure beside it, at most
# General nouns of people: the sources count them under a particular name («18 قتيلًا و748 مصابًا» answer
# «كم عدد الضحايا؟»), so the absence of a figure beside the general noun itself says nothing.
GENERAL_COUNTED = frozenset(
    bare_word(normalize(w))
    for w in """ضحية ضحايا شخص أشخاص اشخاص ناس الناس فرد أفراد افراد نسمة إنسان مواطن مواطنين مواطنون
    واحد حد نفر""".split()
)


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

    def _counted(self, query: Query, *, how_many: bool) -> Concept | None:
        """The required concept a number question counts, when it is a noun that is no number, unit of
        time or general noun of people; ``how_many``: only for a question with «كم» itself."""
        counted = bare_word(query.counted)
        asks = query.how_many if how_many else query.asks == "number"
        if not (asks and counted) or counted in NUMBER_WORDS | TIME_UNITS | GENERAL_COUNTED:
            return None
        concept = next((c for c in query.concepts if c.term.normal == query.counted and c.required), None)
        if concept is None or not has_noun_reading(concept.term.surface):
            return None
        return concept

    def unstated(self, query: Query) -> bool:
        """Whether a «كم» question counts a thing the sources name but never give a figure for
        («كم صحفيًا قتل؟» where «صحفي» only ever stands in «تصريح صحفي»): whatever numbers the best
        sentences hold, they count something else. Units of time are left alone (a duration is told by
        dates), as is «عدد» without «كم» («عدّد بعض…» asks for a list)."""
        concept = self._counted(query, how_many=True)
        return concept is not None and not self._figures(concept, first=True)

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
            near = counted_words(sentence.text)
            if tokens & self.index.tokens_in(" ".join(near)) or any(keys & count_keys(word) for word in near):
                found.append(sentence)
                if first:
                    break
        return found
