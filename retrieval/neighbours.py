"""Which neighbouring sentence to show next to a hit: the one before when the hit points back to it (a
pronoun, a demonstrative, a connective, a reporting verb without its subject), a neighbour when the hit is
too short to stand alone. An Arabic reading decision, so it lives here and is tested without Telegram.
"""

from __future__ import annotations

import re

from retrieval.models import Hit, Sentence
from retrieval.text import ALEFS, folding

# A hit shorter than this many words is shown with a neighbouring sentence for context.
SHORT_HIT_WORDS = 6

# First words (normalised, without a leading و/ف) that point back to something said before:
# pronouns, demonstratives, connectives, and reporting verbs whose subject was named earlier.
_REFERENTIAL = frozenset(
    {
        # pronouns
        "هو", "هي", "هم", "هما", "هن", "انه", "انها", "انهم",
        # demonstratives and place deixis
        "هذا", "هذه", "ذلك", "تلك", "هؤلاء", "اولئك", "هنا", "هناك", "بذلك", "بهذا", "لذلك", "لهذا",
        # connectives
        "لكن", "لكنه", "لكنها", "لكنهم", "ولكن", "غير", "الا", "كما", "ثم", "بينما", "ايضا", "كذلك",
        "اذ", "حيث", "فيما", "عندها", "حينها", "بعدها", "عليه", "بالتالي",
        # reporting verbs with an implicit subject
        "اضاف", "اضافت", "تابع", "تابعت", "اوضح", "اوضحت", "اكد", "اكدت", "اشار", "اشارت",
        "لفت", "لفتت", "اعتبر", "اعتبرت", "شدد", "شددت", "قال", "قالت",
    }
)  # fmt: skip
_ALEFS = folding(ALEFS)  # a first word is matched with its alef forms folded


def _normalise_word(word: str) -> str:
    word = re.sub(r"[^\w]", "", word.replace("\u0640", ""))
    return word.translate(_ALEFS)


def starts_referentially(text: str) -> bool:
    """True when the sentence opens with a pronoun, demonstrative, connective or subject-less verb."""
    words = text.split()
    if not words:
        return False
    first = _normalise_word(words[0])
    if first in _REFERENTIAL:
        return True
    return len(first) > 3 and first[0] in "وف" and first[1:] in _REFERENTIAL


def context_for(hit: Hit) -> tuple[Sentence | None, Sentence | None]:
    """Which neighbours to show next to a hit, as ``(before, after)``.

    - The hit opens with a pronoun/connective («وأضاف…», «هذا…», «لكن…»): the sentence before it,
      which names what it refers to.
    - The hit is short (fewer than ``SHORT_HIT_WORDS`` words): the sentence after it, else the one before.
    - Otherwise the hit stands alone.
    """
    text = hit.sentence.text
    if starts_referentially(text):
        return (hit.before, None)
    if len(text.split()) < SHORT_HIT_WORDS:
        if hit.after is not None:
            return (None, hit.after)
        return (hit.before, None)
    return (None, None)
