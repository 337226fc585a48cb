"""Inflected function words from the `arabic-stopwords` lexicon: «عندي», «معهن», «بكل», «فلو», «لذوي».

The pipeline's own stop list (``retrieval.text.STOP_WORDS``) holds bare particles and pronouns; people
also write them joined to proclitics and pronoun suffixes, and a question word the corpus never uses is
otherwise reported as missing («مش فاهم بس…» → «لا تذكر المصادر: بس»). The lexicon (Taha Zerrouki's
Arabic Stop Words, GPL, inside the wheel) lists 13,000 such forms with each lemma's word class.

Only the classes that never carry a question's topic count: particles, pronouns, demonstratives,
relatives, prepositional nouns («عند», «مع», «كل»). Verbs of the كان and كاد families (رجع، ظل، عاد،
بدأ), time and place adverbs (أمس، جنوب), «بن» in names, «كيت» (also a name), elative nouns (أكثر) and
the letters of the alphabet are content in our questions and are left out. A form counts only when every
reading of it is of a kept class. Pure: no I/O beyond the package's data.
"""

from __future__ import annotations

from collections import defaultdict
from functools import cache

from retrieval.text import normalize

__all__ = ["is_function_form"]

# Word classes (the lexicon's «type_word», «class_word») that may carry a question's content.
_CONTENT_TYPES = frozenset({"فعل"})
_CONTENT_CLASSES = frozenset(
    {"كناية", "وصل الأعلام", "حرف ابجدي", "ظرف زمان", "ظرف مكان", "ظرف زمان/مكان"}
    | {"الأسماء الخمسة", "اسم تفضيل"}
)
# Emphasis nouns that are also content words once normalised: «عيّن» (appointed), «العامة» (the public).
_CONTENT_LEMMAS = frozenset({"عين", "عامة"})


@cache
def _function_forms() -> frozenset[str]:
    """Every form (normalised) whose lemmas are all of function classes; empty without the package."""
    try:
        from arabicstopwords.arabicstopwords import STOPWORDS_INDEX, classed_STOPWORDS
    except ImportError:  # pragma: no cover - a declared dependency; the parser then works as before
        return frozenset()
    lemmas_of: defaultdict[str, set[str]] = defaultdict(set)
    for lemma, forms in STOPWORDS_INDEX.items():
        for form in forms:
            lemmas_of[normalize(form)].add(lemma)

    def function_lemma(lemma: str) -> bool:
        entries = classed_STOPWORDS.get(lemma, ())
        return bool(entries) and lemma not in _CONTENT_LEMMAS and all(
            e["type_word"] not in _CONTENT_TYPES and e["class_word"] not in _CONTENT_CLASSES for e in entries
        )

    return frozenset(form for form, lemmas in lemmas_of.items() if all(map(function_lemma, lemmas)))


def is_function_form(normal_word: str) -> bool:
    """Whether the normalised word is an inflected function word («عندي», «بكل», «وأنا», «لذوي»)."""
    return normal_word in _function_forms()
