"""Figures the sources disagree on: «كم قتيلًا…» answered with 18 in one article, «ثمانية» in another.

Pure: :func:`find_disagreement` takes an :class:`~retrieval.models.Answer` and returns the differing figures
for the quantity the question asks about, or ``None``. Each number in a hit is read with what it counts:

* the **measure** — the nearest word of a known kind in the same clause (killed: «مقتل», «قتيلًا», «قتلوا»;
  injured; arrested), else the noun right after the number («9 طائرات» counts طائرات);
* the **group** — members of the security forces («قوات الأمن», «الشرطة», «جنود») or anyone;
* the **place** — a city or region named by «مدينة/منطقة X» or a gazetteer name, else the whole country;
* the **qualifier** — «على الأقل», «أكثر من», «نحو»…

Figures are compared only when all three agree with the question's own (a question about the killed in
all is not answered by the killed in Almaty or the police officers killed), and only between different
articles (one article updating its own count is not a disagreement). Years and day numbers of dates are
not figures; vague amounts («العشرات», «المئات») are left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from retrieval.dates import month_number
from retrieval.gazetteer import entity_of
from retrieval.models import Answer, Hit
from retrieval.text import STOP_WORDS, light_stem, normalize

__all__ = [
    "Disagreement",
    "Figure",
    "Quantity",
    "counted_words",
    "figures_in",
    "find_disagreement",
    "group_of",
    "is_quantity_question",
    "measure_of",
    "quantities_in",
]


@dataclass(frozen=True)
class Quantity:
    """What a number counts: ``measure`` («killed», or ``"n:"`` + the counted noun's stem), ``group``
    (``"security"`` or ``""``) and ``place`` (a folded place name, or ``""`` for the whole country)."""

    measure: str
    group: str = ""
    place: str = ""


@dataclass(frozen=True)
class Figure:
    """One number in one hit: its value, qualifier («at_least», «more_than», «about», «at_most» or «») and
    the hit (index into ``Answer.hits``) that states it."""

    value: int
    qualifier: str
    quantity: Quantity
    hit: int


@dataclass(frozen=True)
class Disagreement:
    """The differing figures for one quantity, best-ranked first; ``hits`` of each value (indexes into
    ``Answer.hits``) so a renderer can cite every article that gives it."""

    quantity: Quantity
    figures: tuple[Figure, ...]
    hits: tuple[tuple[int, ...], ...]  # per figure: every hit giving that value with that qualifier


# --- vocabulary (normalised spelling) ----------------------------------------------------------------

_CLITIC = r"(?:و|ف)?(?:ب|ل|ك)?(?:ال)?"
_MEASURES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("killed", re.compile(rf"^{_CLITIC}(?:قتل|قتيل|مقتل|مصرع|حتف|وفا|توفي|موت|اموات)")),
    ("injured", re.compile(rf"^{_CLITIC}(?:جرح|جريح|مصاب|اصاب|اصيب)")),
    ("arrested", re.compile(rf"^{_CLITIC}(?:اعتقال|اعتقل|معتقل|موقوف|توقيف|احتجاز|محتجز|اوقف)")),
)
_SECURITY = re.compile(
    r"(?:^| )(?:قوات|عناصر|افراد|رجال|ضباط)(?: من)?(?: قوات)? (?:ال)?(?:امن|شرطه)"
    r"|(?:^| )[وفبل]?(?:ال)?(?:شرطه|شرطي|شرطيا|شرطيين|جنود|جندي|جنديا|عسكريين|عسكريا)(?: |$)"
)
_PLACE_NOUNS = frozenset({"مدينه", "منطقه", "محافظه", "اقليم", "ولايه", "العاصمه", "بلده", "قريه"})
_NATIONAL = frozenset(
    {"كازاخستان", "البلاد", "البلد", "الدوله", "الجمهوريه", "عموم", "انحاء", "كافه", "جميع"}
)
_QUALIFIERS_BEFORE: tuple[tuple[tuple[str, ...], str], ...] = (
    (("ما", "لا", "يقل", "عن"), "at_least"),
    (("لا", "يقل", "عن"), "at_least"),
    (("اكثر", "من"), "more_than"),
    (("ما", "يزيد", "علي"), "more_than"),
    (("ما", "يزيد", "عن"), "more_than"),
    (("اقل", "من"), "less_than"),
    (("نحو",), "about"),
    (("حوالي",), "about"),
    (("قرابه",), "about"),
    (("زهاء",), "about"),
)
_QUALIFIERS_AFTER: tuple[tuple[tuple[str, ...], str], ...] = (
    (("علي", "الاقل"), "at_least"),
    (("علي", "الاكثر"), "at_most"),
    (("تقريبا",), "about"),
)
_NUMBER_WORDS = {
    normalize(word): value
    for value, words in {
        3: "ثلاثة ثلاث", 4: "أربعة أربع", 5: "خمسة خمس", 6: "ستة", 7: "سبعة سبع", 8: "ثمانية ثماني ثمان",
        9: "تسعة تسع", 10: "عشرة", 11: "أحد_عشر", 12: "اثنا_عشر اثني_عشر", 20: "عشرون عشرين",
        30: "ثلاثون ثلاثين", 40: "أربعون أربعين", 50: "خمسون خمسين", 60: "ستون ستين", 70: "سبعون سبعين",
        80: "ثمانون ثمانين", 90: "تسعون تسعين", 100: "مئة مائة",
    }.items()
    for word in words.split()
}  # fmt: skip
_QUESTION_WORDS = frozenset({"كم", "عدد", "حصيله", "how"})
# A clause ends at these marks (a comma often separates two facts about two different numbers).
_CLAUSE = re.compile(r"[،,؛;:.!?؟\n()\[\]«»\"“”]+")
_THOUSANDS = re.compile(r"(?<=\d)[,٬](?=\d{3}(?!\d))")
_DIGITS = re.compile(r"^(?:و|ف|ب|ل)?(\d+)$")


def is_quantity_question(question: str) -> bool:
    """«كم…», «ما عدد…», «ما حصيلة…», «how many…»."""
    words = normalize(question).split()
    return any(w in _QUESTION_WORDS or (w.startswith("و") and w[1:] in _QUESTION_WORDS) for w in words)


# A model or a name with a number: «إل-76», «كوفيد-19», «AS-206».
_DESIGNATION = re.compile(r"[^\W\d_]+[-‐–]\d+")
# Vague amounts count as figures given for a thing («مقتل العشرات», «آلاف الجهاديين»).
_AMOUNTS = frozenset(normalize("عشرات مئات آلاف ألف مليون ملايين مليار العشرات المئات الآلاف").split())
# How near a figure a word must stand to be what it counts: «مقتل 164 شخصا», «ثمانية على الأقل من أفراد
# قوات الأمن قتلوا». Measured: at 3 and 4 words, «عنصرا» of «مقتل عناصر من قوات الأمن وإصابة المئات» was
# out of reach; at 5, three more unanswerable questions were declined but a held-out answerable one too;
# 6 loses no answerable question of ours and fewest of XQuAD-ar's.
COUNT_REACH = 6


@lru_cache(maxsize=20_000)
def counted_words(text: str, reach: int = COUNT_REACH) -> frozenset[str]:
    """Normalised words of ``text`` within ``reach`` words of a figure — a number that is no date or year,
    or a vague amount («العشرات») — : the things ``text`` may give a count of. A number joined to a name
    by a hyphen is a designation, not a figure («طائرات إل-76 محملة بجنود» counts no soldiers)."""
    words = [word for clause in _clauses(_DESIGNATION.sub(" ", text)) for word in clause]
    found: set[str] = set()
    for i, word in enumerate(words):
        value = _number_at(words, i)
        if value is None and word not in _AMOUNTS:
            continue
        if value is not None and _is_date_or_year(words, i, value):
            continue
        # The figure itself counts nothing: «ثمانية» is no «ثمن» (price) of the same letters.
        found.update(words[max(0, i - reach) : i], words[i + 1 : _counted_end(words, i, value, reach)])
    return frozenset(found)


def _counted_end(words: list[str], i: int, value: int | None, reach: int) -> int:
    """Where the words a figure at ``i`` may count end: a number followed at once by a noun (past «ألف»,
    «مليون») counts that noun and the word after it («9 طائرات عسكرية… محملة بجنود» counts planes, not
    soldiers); else (a preposition between: «103 من القتلى», «ثمانية على الأقل من أفراد…», or a vague
    amount) ``reach`` words on. A relative adjective after the noun is not counted (``_qualifies``)."""
    end = i + reach + 1
    if value is None:
        return end
    j = i + 1
    while j < len(words) and (words[j] in _AMOUNTS or _number_at(words, j) is not None):
        j += 1
    if j < len(words) and words[j] not in STOP_WORDS and _ARABIC_WORD.fullmatch(words[j]):
        if j + 1 < len(words) and _qualifies(words[j + 1]):
            return min(end, j + 1)  # «9 طائرات عسكرية»: the adjective says which planes, it counts nothing
        return min(end, j + 2)
    return end  # a preposition, or a word the page mangled («سلالاتâ€”»): as far as ``reach``


_ARABIC_WORD = re.compile(r"[\u0621-\u064a]+")


def _qualifies(word: str) -> bool:
    """A relative adjective (normalised: «عسكريه», «روسيه», «الحكوميه») after a counted noun: it says
    which ones are counted, and counts nothing itself («9 طائرات عسكرية» counts no soldiers)."""
    return len(word) >= 5 and word.endswith("يه") and _ARABIC_WORD.fullmatch(word) is not None


def measure_of(word: str) -> str | None:
    """The event a normalised word (or a stem) counts: "killed", "injured", "arrested", else None."""
    for name, pattern in _MEASURES:
        if pattern.match(word):
            return name
    return None


def _noun_key(word: str) -> str | None:
    """``n:`` + the stem of a counted noun (plural and singular meet: طائرات / طائرة)."""
    if not word or word.isdigit() or word in STOP_WORDS or word in _NUMBER_WORDS:
        return None
    stem = light_stem(word)
    for suffix in ("ا", "ي"):  # accusative tanween alef («شخصا»), broken-plural yeh («قتلي»)
        if stem.endswith(suffix) and len(stem) > 3:
            stem = stem[:-1]
    return f"n:{stem}"


def _place_of(words: list[str]) -> str:
    """A named place in a clause: after «مدينة/منطقة…», or a gazetteer name after «في»; else ""."""
    for i, word in enumerate(words):
        bare = word[1:] if word[:1] in "وفب" and word[1:] in _PLACE_NOUNS else word
        if bare in _PLACE_NOUNS and i + 1 < len(words):
            place = words[i + 1]
            if place and place not in _NATIONAL:
                return place
        if word in {"في", "فى"} and i + 1 < len(words):
            name = entity_of(words[i + 1])
            if name is not None and name not in _NATIONAL:
                return name
    return ""


def group_of(clause: str) -> str:
    """``"security"`` when normalised text speaks of members of the security forces, else ``""``."""
    return "security" if _SECURITY.search(clause) else ""


def _clauses(text: str) -> list[list[str]]:
    """Normalised words of each clause of ``text``; «و748» is split into «و» and «748»."""
    out = []
    for clause in _CLAUSE.split(_THOUSANDS.sub("", text)):
        words: list[str] = []
        for word in normalize(clause).split():
            match = _DIGITS.match(word)
            if match and match.group(1) != word:
                words += [word[: match.start(1)], match.group(1)]
            else:
                words.append(word)
        if words:
            out.append(words)
    return out


def _number_at(words: list[str], i: int) -> int | None:
    word = words[i]
    if word.isdigit():
        return int(word)
    bare = word[1:] if word.startswith("و") and word[1:] in _NUMBER_WORDS else word
    return _NUMBER_WORDS.get(bare)


def _is_date_or_year(words: list[str], i: int, value: int) -> bool:
    if 1900 <= value <= 2100 and words[i].isdigit():
        return True
    following = words[i + 1 : i + 3]
    if following and (month_number(following[0]) or month_number(" ".join(following))):
        return True
    return i > 0 and words[i - 1] in {"عام", "العام", "سنه"}


def _qualifier(words: list[str], i: int) -> tuple[str, int]:
    """The qualifier around the number at ``i`` and where the words after it continue."""
    after = i + 1
    for phrase, name in _QUALIFIERS_AFTER:
        if tuple(words[after : after + len(phrase)]) == phrase:
            return name, after + len(phrase)
    for phrase, name in _QUALIFIERS_BEFORE:
        if i >= len(phrase) and tuple(words[i - len(phrase) : i]) == phrase:
            return name, after
    return "", after


def _figures_of_clause(words: list[str], hit: int, vague: bool = False) -> list[Figure]:
    """The clause's figures; ``vague``: vague amounts too («مقتل العشرات»), with the value 0."""
    numbers = [(i, v) for i in range(len(words)) if (v := _number_at(words, i)) is not None]
    numbers = [(i, v) for i, v in numbers if not _is_date_or_year(words, i, v)]
    if vague:
        numbers = sorted([*numbers, *((i, 0) for i, word in enumerate(words) if word in _AMOUNTS)])
    if not numbers:
        return []
    measures = [(j, m) for j, w in enumerate(words) if (m := measure_of(w)) is not None]
    group = group_of(" ".join(words))
    place = _place_of(words)
    figures = []
    for i, value in numbers:
        qualifier, rest = _qualifier(words, i)
        if measures:
            # nearest measure word; on a tie the one after the number («18 قتيلًا و748 مصابًا»)
            _, measure = min(measures, key=lambda item: (abs(item[0] - i), item[0] < i))
        else:
            noun = _noun_key(words[rest]) if rest < len(words) else None
            if noun is None:
                continue
            measure = noun
        figures.append(Figure(value, qualifier, Quantity(measure, group, place), hit))
    return figures


def figures_in(text: str, hit: int = 0) -> list[Figure]:
    """Every figure of ``text`` with what it counts (``hit`` is recorded on each)."""
    return [replace(f, hit=hit) for f in _figures_of_text(text)]


@lru_cache(maxsize=20_000)
def _figures_of_text(text: str) -> tuple[Figure, ...]:
    """Cached per sentence: the same sentences answer many questions (about 1 ms for ten hits uncached)."""
    return tuple(f for words in _clauses(text) for f in _figures_of_clause(words, 0))


@lru_cache(maxsize=20_000)
def quantities_in(text: str) -> tuple[Quantity, ...]:
    """What each figure of ``text`` counts, vague amounts included («جرح المئات»: the injured): the
    quantities the text gives some count of."""
    return tuple(f.quantity for words in _clauses(text) for f in _figures_of_clause(words, 0, vague=True))


def question_quantity(question: str, places: frozenset[str] = frozenset()) -> Quantity | None:
    """The quantity a «كم…» question asks about, or None when it names nothing countable.

    ``places``: place names the candidate figures carry; one the question mentions («في ألماتي») is its
    place even without «مدينة» before it.
    """
    words = normalize(question).split()
    measure = next((m for w in words if (m := measure_of(w)) is not None), None)
    if measure is None:
        for i, word in enumerate(words[:-1]):
            if word in _QUESTION_WORDS or (word.startswith("و") and word[1:] in _QUESTION_WORDS):
                following = [w for w in words[i + 1 :] if w not in STOP_WORDS and w not in _QUESTION_WORDS]
                measure = _noun_key(following[0]) if following else None
                break
    if measure is None:
        return None
    place = _place_of(words)
    if not place:
        bare = {w[1:] if w[:1] in "وبل" and w[1:] in places else w for w in words}
        place = next((p for p in sorted(places) if p in bare), "")
    return Quantity(measure, group_of(" ".join(words)), place)


def find_disagreement(answer: Answer) -> Disagreement | None:
    """The differing figures that ``answer``'s hits give for the quantity its question asks about."""
    if answer.declined or len(answer.hits) < 2 or not is_quantity_question(answer.question):
        return None
    found = [figures_in(hit.sentence.text, number) for number, hit in enumerate(answer.hits)]
    places = frozenset(f.quantity.place for figures in found for f in figures if f.quantity.place)
    wanted = question_quantity(answer.question, places)
    if wanted is None:
        return None
    chosen = [f for figures in found if (f := next((x for x in figures if x.quantity == wanted), None))]
    values: dict[tuple[int, str], list[int]] = {}
    for figure in chosen:
        values.setdefault((figure.value, figure.qualifier), []).append(figure.hit)
    if len(values) < 2 or not _from_different_articles(answer.hits, list(values.values())):
        return None
    firsts = {key: next(f for f in chosen if (f.value, f.qualifier) == key) for key in values}
    return Disagreement(wanted, tuple(firsts.values()), tuple(tuple(hits) for hits in values.values()))


def _from_different_articles(hits: tuple[Hit, ...], groups: list[list[int]]) -> bool:
    """True when two of the value groups are stated by disjoint sets of articles."""
    articles = [{c.doc_id for i in group for c in hits[i].citations} for group in groups]
    return any(a.isdisjoint(b) for n, a in enumerate(articles) for b in articles[n + 1 :])
