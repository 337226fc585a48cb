"""Who holds a role: the parts of a «who / what name» question's check that need no index.

:func:`name_in` tells a person's or place's name from an Arabic word; :func:`unheld` finds a title the
corpus never uses (nobody holding it can be named); :func:`complemented` whether a sentence completes a
title as the question does, by the word itself or :func:`same_country` («رئيس طاجيكستان» / «الرئيس
الطاجيكي»). ``Retriever.naming`` puts them
together with the index. Pure.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from collections.abc import Set as AbstractSet

from retrieval.decide import nations_of, title_stem
from retrieval.dialect import verb_cores
from retrieval.families import looks_like_name
from retrieval.query import Concept
from retrieval.text import Term

GENERIC_TITLES = frozenset({"مسوول"})  # a title that describes rather than ranks («المسؤول عن…»)


def unheld(concept: Concept) -> bool:
    """A title the corpus never uses («القائد», «الجنرال», «عمدة»), matched by its root at most: nobody
    holding it can be named. «المسؤول» is left out: «المسؤول عن…» asks who is responsible."""
    title = title_stem(concept.term.normal)
    return title is not None and title not in GENERIC_TITLES and (not concept.tokens or concept.rooted)


def complemented(complement: Concept, tokens: AbstractSet[str], words: Sequence[str]) -> bool:
    """Whether a sentence (its ``tokens`` and normalised ``words``) holds the word completing a title:
    the word itself, or its country as a nationality («رئيس طاجيكستان» / «الرئيس الطاجيكي»)."""
    if not complement.tokens or complement.matched(tokens):
        return True
    return same_country(complement, words)


def same_country(complement: Concept, words: Sequence[str]) -> bool:
    """Whether normalised ``words`` name the country the title's complement names, as a country or a
    nationality («طاجيكستان» / «الطاجيكي»)."""
    return bool(nations_of([complement.term.normal]) & nations_of(words))


# An imperfect verb with a spoken plural ending and perhaps an object («ياخدوا», «تقولولي», «يعطوني»).
_SPOKEN_VERB = re.compile("^[وف]?[بحهع]?[يتن].{2,}و(?:ا|لي|لك|له|لها|لهم|لنا|ني|ك|ه|ها|هم|نا)$")
# A broken plural of the pattern فواعل («طواقم», «شوارع», «عواصم»): five letters, «وا» after the first.
_FAWAIL = re.compile("^[^اوي]وا[^اويه][^اويه]$")


def name_in(term: Term) -> str | None:
    """The person or place ``term`` names (without a proclitic: لبايدن → بايدن), when it is a name
    rather than an Arabic word (``retrieval.families.looks_like_name``).

    Spoken verbs («ياخدوا», «تقولولي»), broken plurals («طواقم») and a word glued to «و» whose rest is
    no name («وحابب») are Arabic words the analyser may not know, never names."""
    normal = term.normal
    if _SPOKEN_VERB.match(normal) or _FAWAIL.match(normal):
        return None
    # A spoken plural verb («مشيوا», «زادو») is no name: its stem without «وا / و» has a root.
    plural = [normal.removesuffix(end) for end in ("وا", "و") if normal.endswith(end) and len(normal) > 4]
    if not looks_like_name(term.surface, [*verb_cores(normal), *plural]):
        return None
    if term.surface[0] in "وبل":
        if _FAWAIL.match(normal[1:]) or _SPOKEN_VERB.match(normal[1:]):
            return None  # «وطواقم»: «و» and a broken plural
        if looks_like_name(term.surface[1:]):
            return term.surface[1:]
        if term.surface[0] == "و":  # «وحابب»: «و» and a spoken word
            return None
    return term.surface
