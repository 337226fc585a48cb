"""Standard Arabic synonyms of the news's words, for question words the corpus lacks.

A reader paraphrases: «المبعوث الروسي» for «السفير الروسي», «الاقتراع» for «الانتخاب». The bundled
thesaurus (``retrieval/data/synonyms.toml``) maps a reader's word, in its base form, to the words the
news uses for it; :meth:`Thesaurus.synonyms` finds the base form of an inflected question word (without
its article, a proclitic, a person prefix or a suffix) and returns the news words. Pure data and string
work: the query parser keeps the synonyms the index holds and weighs them below the word's own forms.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from retrieval.text import PROCLITICS, bare_word, normalize


@dataclass(frozen=True)
class Thesaurus:
    """A reader's word (normalised base form) → the news's words for it (normalised)."""

    entries: Mapping[str, tuple[str, ...]]
    feminine: frozenset[str] = frozenset()  # keys written with «ة», which normalising folds into «ه»

    def synonyms(self, normal: str, surface: str = "") -> tuple[str, ...]:
        """News words for the question word ``normal`` (normalised), through its base form: «للخراب» →
        «خراب» → «تدمير»; «نبهت» → «نبه» → «حذرت». Empty when the word is none of the thesaurus's.
        ``surface``: the word as typed; one ending in a true «ه» is no «ة» noun («عبره» «across it» is
        not «عبرة» «a lesson»)."""
        pronoun = surface.endswith("ه")
        found: list[str] = []
        for base in _bases(normal):
            if not (pronoun and base in self.feminine and normal.endswith(base)):
                found += self.entries.get(base, ())
        return tuple(dict.fromkeys(found))


# Endings a base form may carry in a question: a verb's person and number, a noun's sound plural or
# dual, an attached pronoun.
_ENDINGS = ("وا", "ون", "ين", "ات", "ان", "ها", "هم", "ت", "ه", "و")


def _bases(normal: str) -> list[str]:
    """``normal``, then without its article or one proclitic, then without one ending; a word without
    the article also without the person prefix of a verb («تسعى» → «سعى»). Never a dialect prefix: a
    name such as «البيتكوين» must not read as «بـ + يتكوين»."""
    forms = [normal, bare_word(normal)]
    if len(normal) > 4 and normal[0] in PROCLITICS:
        forms += [normal[1:], bare_word(normal[1:])]
    out = list(forms)
    for form in forms:
        stems = [form]
        if not normal.startswith("ال") and form[:1] in "يتن" and len(form) >= 4:
            stems.append(form[1:])
        out += stems
        bare = [w[: -len(e)] for w in stems for e in _ENDINGS if w.endswith(e) and len(w) - len(e) >= 3]
        out += bare + [w[:-1] + "ه" for w in bare if w.endswith("ت")]  # «مساهمتها» → «مساهمة»
    return [w for w in dict.fromkeys(out) if len(w) >= 3]


def parse_thesaurus(raw: Mapping[str, object]) -> Thesaurus:
    """A :class:`Thesaurus` from the parsed TOML; ValueError when it is malformed."""
    table = raw.get("synonyms")
    if not isinstance(table, dict):
        raise ValueError("synonyms: expected a [synonyms] table")
    entries: dict[str, tuple[str, ...]] = {}
    for word, news in table.items():
        if not isinstance(news, list) or not news or not all(isinstance(w, str) and w.strip() for w in news):
            raise ValueError(f"synonyms: {word!r} must map to a non-empty list of words")
        key = normalize(word)
        entries[key] = tuple(dict.fromkeys((*entries.get(key, ()), *(normalize(w) for w in news))))
    feminine = frozenset(normalize(word) for word in table if word.endswith("ة"))
    return Thesaurus(entries, feminine)


@lru_cache(maxsize=1)
def load_thesaurus() -> Thesaurus:
    """The bundled thesaurus (read once)."""
    text = resources.files("retrieval").joinpath("data/synonyms.toml").read_text("utf-8")
    return parse_thesaurus(tomllib.loads(text))
