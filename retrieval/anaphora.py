"""A sentence that refers back: «وأكدت المنظمة…» speaks of the organisation an earlier sentence named.

News writes a body's full name once («أعربت منظمة التعاون الإسلامي…») and then refers back to it by its
head noun with the article («وأكدت المنظمة "تضامنها التام…"», «في بيان للأمانة العامة للمنظمة»). Such a
sentence holds the answer but not the name a question asks by («ما موقف منظمة التعاون الإسلامي من حكومة
كازاخستان؟»), so BM25 ranks the sentence that names the body first, though it says something else.

A sentence whose first ``SUBJECT_WORDS`` content words hold a definite noun (:func:`referring`) inherits
the ``NAME_WORDS`` words that followed the same noun where one of the ``LOOK_BACK`` sentences before it
wrote it without the article, as a name's head («منظمة التعاون الإسلامي» → «التعاون الإسلامي»): see
:func:`antecedent`. The retriever credits the sentence with the question's words among them, each as BM25
would score it occurring once (``Retriever._credited``). Measured: README, "How answers are found".

Pure: words in, words out.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from collections.abc import Set as AbstractSet

from retrieval.decide import is_definite_noun

__all__ = ["LOOK_BACK", "NAME_WORDS", "SUBJECT_WORDS", "antecedent", "referring"]

SUBJECT_WORDS = 6  # a verb-first sentence names its subject early: «وقالت الوزارة في بيان…»
NAME_WORDS = 3  # a name's words after its head noun: «منظمة [التعاون الإسلامي]», «وزارة [الداخلية]»
LOOK_BACK = 4  # sentences searched for the name, nearest first

# One sentence's content words: their normal forms, their index tokens, and the lexicon's variant phrases
# among them as (first word, end, group token).
Words = tuple[Sequence[str], Sequence[str], Sequence[tuple[int, int, str]]]


def referring(normals: Sequence[str], tokens: Sequence[str]) -> frozenset[str]:
    """The tokens of the definite nouns among a sentence's first ``SUBJECT_WORDS`` content words
    (``normals`` and their index ``tokens``, in order): «وأكدت المنظمة…» → the token of «منظمة»."""
    opening = zip(normals[:SUBJECT_WORDS], tokens[:SUBJECT_WORDS], strict=True)
    return frozenset(token for normal, token in opening if is_definite_noun(normal))


def antecedent(heads: AbstractSet[str], earlier: Iterable[Words]) -> frozenset[str]:
    """The tokens a referring sentence inherits: for each of its ``heads`` (:func:`referring`), the
    ``NAME_WORDS`` words after the nearest of the ``earlier`` sentences (nearest first) that writes the
    head without the article, and the variant phrases starting among them. A head written with the
    article there refers back too, and the search goes on past it."""
    wanted: set[str] = set(heads)
    found: set[str] = set()
    for normals, tokens, groups in earlier:
        if not wanted:
            break
        for i, token in enumerate(tokens):
            if token in wanted and not is_definite_noun(normals[i]):
                found.update(tokens[i + 1 : i + 1 + NAME_WORDS])
                found.update(group for start, _, group in groups if i <= start <= i + NAME_WORDS)
                wanted.discard(token)
    return frozenset(found)
