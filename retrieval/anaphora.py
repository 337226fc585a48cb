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

A quotation goes on the same way: «وأضاف: "…"», «وقال: "…"», «وأضاف، بحسب ما نشرته…» open with a verb of
saying that names no one (:func:`continues_quote`), and speak for whoever the nearest sentence before them
with a verb of the same gender named (:func:`speaker`: «وقال السفير الروسي إن…»). The retriever credits such
a sentence with the speaker's words as it credits a name (``Retriever._speakers``), except for a question
asking who: the name it asks for is in the earlier sentence, not in this one. A sentence that closes a
quotation the sentence before opened (:func:`closes_quote`) speaks for that sentence's speaker.

Pure: words in, words out.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from collections.abc import Set as AbstractSet

from retrieval.decide import is_definite_noun
from retrieval.text import normalize

__all__ = [
    "LOOK_BACK",
    "NAME_WORDS",
    "SPEAKER_LOOK_BACK",
    "SPEAKER_WORDS",
    "SUBJECT_WORDS",
    "antecedent",
    "closes_quote",
    "continues_quote",
    "referring",
    "speaker",
]

SUBJECT_WORDS = 6  # a verb-first sentence names its subject early: «وقالت الوزارة في بيان…»
NAME_WORDS = 3  # a name's words after its head noun: «منظمة [التعاون الإسلامي]», «وزارة [الداخلية]»
LOOK_BACK = 4  # sentences searched for the name, nearest first
SPEAKER_LOOK_BACK = 3  # sentences searched for whoever a quotation's opening verb speaks for
SPEAKER_WORDS = 10  # a speaker's words at most: «سفير روسيا الاتحادية»

# The news's verbs of saying in the third person past, masculine then feminine, normalised. A «و» or «ف»
# may lead them («وأضاف»).
_SAYING = {
    **dict.fromkeys(
        normalize(
            "قال أضاف تابع أكد أشار أوضح زعم ختم دعا لفت شدد اعتبر حذر صرح استذكر أعرب أعلن ذكر أفاد"
        ).split(),
        "m",
    ),
    **dict.fromkeys(
        normalize(
            "قالت أضافت تابعت أكدت أشارت أوضحت زعمت ختمت دعت لفتت شددت اعتبرت حذرت صرحت استذكرت أعربت أعلنت "
            "ذكرت أفادت"
        ).split(),
        "f",
    ),
}
_QUOTE = ":"  # a colon or an opening quotation mark, as _pieces writes it
_QUOTE_MARKS = frozenset(':"«“')
# What follows a verb of saying that names no one: «وأضاف أن…», «وأضاف، بحسب…», «ودعت إلى…». Not «في»:
# «وقال في بيان الرئيس…» may name the speaker after it.
_NO_SUBJECT = frozenset(normalize("أن إن إنه إنها بأن بحسب إلى أيضا").split())
# Words ending a speaker's name: a complementiser, a preposition or a relative pronoun («كما استذكر أنتونوف
# الأحداث التي…» stops at «التي»; the object before it is read too, a short price for no parser).
_SPEAKER_ENDS = _NO_SUBJECT | frozenset(
    normalize("أنها في من على عن لدى خلال بعد قبل التي الذي الذين").split()
)

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


def _pieces(text: str) -> list[str]:
    """``text``'s words, normalised, with ``_QUOTE`` where a colon or an opening quotation mark stands."""
    pieces: list[str] = []
    for chunk in text.split():
        if chunk[0] in _QUOTE_MARKS:
            pieces.append(_QUOTE)
        pieces.extend(normalize(chunk).split())
        if chunk[-1] == ":":
            pieces.append(_QUOTE)
    return pieces


def _saying(word: str) -> str | None:
    """The gender ("m" or "f") of ``word`` when it is a verb of saying (after «و» or «ف»), else None."""
    return _SAYING.get(word) or (_SAYING.get(word[1:]) if word[:1] in ("و", "ف") else None)


def continues_quote(text: str) -> str | None:
    """The gender of the verb of saying a sentence opens with when it names no one, else None: «وأضاف:
    "…"», «وأضاف أن…», «وأضاف، بحسب…» → "m", «ودعت إلى…» → "f"; «وقال السفير…», «وقال في بيان…» → None."""
    pieces = _pieces(text)
    gender = _saying(pieces[0]) if pieces else None
    if gender is None:
        return None
    follows = pieces[1] if len(pieces) > 1 else _QUOTE
    return gender if follows == _QUOTE or follows in _NO_SUBJECT else None


def closes_quote(text: str) -> bool:
    """Whether the first quotation mark of ``text`` closes a quotation, which a sentence before opened:
    «اليوم، تحتاج جميع القوى الديمقراطية… أكثر".» goes on with «وأضاف أناتولي أنتونوف: "تم اتخاذ…»."""
    for i, char in enumerate(text):
        if char in "«“":
            return False
        if char in "»”":
            return True
        if char == '"':  # a straight mark closes where it follows a word: «…أكثر".»
            return i > 0 and not text[i - 1].isspace() and text[i - 1] not in ":("
    return False


def speaker(text: str, gender: str | None) -> str | None:
    """Who the first verb of saying of ``gender`` (None: either) in ``text`` names, its words normalised
    (at most ``SPEAKER_WORDS``, up to a complementiser, preposition, relative pronoun or quotation):
    «وقال السفير الروسي إن…» → «السفير الروسي»; None when no such verb names anyone."""
    pieces = _pieces(text)
    for i, word in enumerate(pieces):
        said = _saying(word)
        if said is None or (gender is not None and said != gender):
            continue
        name: list[str] = []
        for following in pieces[i + 1 : i + 1 + SPEAKER_WORDS]:
            if following == _QUOTE or following in _SPEAKER_ENDS:
                break
            name.append(following)
        if name:
            return " ".join(name)
    return None
