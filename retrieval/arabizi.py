"""Latin-script questions: English is recognised, Arabizi («shu sar b almaty?») is read as Arabic.

Arabizi writes Arabic with Latin letters and digits (2 ء, 3 ع, 5 خ, 7 ح, 9 ق) and mostly without short
vowels, so a word is compared with Arabic words by its consonant skeleton: both sides are reduced to
classes of letters that Arabizi cannot tell apart (س/ص, ت/ط, د/ض, ح/ه, ق/ك, ز/ذ/ظ), long vowels dropped.
The vocabulary chooses among the candidates: the caller passes the words it knows (the corpus's words,
the framing and stop words), so every transliteration is a word that can be searched or set aside.
"""

from __future__ import annotations

import re
import tomllib
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from retrieval.text import PROCLITICS, bare_word, normalize

_LATIN = re.compile(r"[a-z]")
_ARABIC = re.compile(r"[\u0600-\u06ff]")
_TOKEN = re.compile(r"[a-z0-9']+")

# Arabic letters (normalised) → skeleton classes; absent letters (ا و ي ء) are vowels and dropped.
_ARABIC_CLASS = {
    "ب": "b", "ت": "t", "ط": "t", "ث": "t", "ج": "j", "ح": "h", "ه": "h", "خ": "x", "د": "d", "ض": "d",
    "ذ": "z", "ز": "z", "ظ": "z", "ر": "r", "س": "s", "ص": "s", "ش": "S", "ع": "3", "غ": "g", "ف": "f",
    "ق": "k", "ك": "k", "ل": "l", "م": "m", "ن": "n",
}  # fmt: skip
# Arabizi spellings → the same classes, digraphs first; vowels, w, y and 2 (hamza) are dropped.
_LATIN_DIGRAPHS = {"sh": "S", "ch": "S", "kh": "x", "gh": "g", "th": "t", "dh": "z"}
_LATIN_CLASS = {
    "b": "b", "p": "b", "t": "t", "6": "t", "j": "j", "g": "j", "h": "h", "7": "h", "x": "x", "5": "x",
    "d": "d", "z": "z", "r": "r", "s": "s", "c": "k", "3": "3", "8": "g", "f": "f", "v": "f", "q": "k",
    "9": "k", "k": "k", "l": "l", "m": "m", "n": "n",
}  # fmt: skip
_ARTICLES = ("al", "el", "il")
# Attached pronouns a corpus word may carry where a reader's word has none (not «ه»: «ة» folds to it).
_PRONOUNS = ("ها", "هم", "هن")  # two letters each
_ALA = frozenset({"3al", "3a", "3ala", "3la"})  # «على», spoken «ع» (3al: with the article)
# A preposition written with the next word's article: «bel akher» بالآخر, «fel balad», «lal nas», «mel matar».
_WITH_ARTICLE = {
    "bel": "ب", "bil": "ب", "fel": "في", "fil": "في", "lal": "ل", "lil": "ل", "mel": "من", "mil": "من",
}  # fmt: skip

# English function words: a Latin question made mostly of these is English, not Arabizi.
ENGLISH = frozenset(
    """the a an what which who whom whose when where why how many much did does do is are was were
    be been has have had of in on at to from for with about after before during and or not
    it its this that these those there their they he she his her people killed""".split()
)


# English question words, and the auxiliaries and prepositions an English question may open with.
_WH_WORDS = frozenset("what which who whom whose when where why how".split())
_ENGLISH_OPENERS = frozenset("did does do is are was were can could has have into by".split())
_ARABIZI_DIGIT = re.compile("[a-z][235679]|[235679][a-z]")  # «ra2ees», «3an», «wa7ed»


def latin_share(text: str) -> float:
    """Share of the letters of ``text`` that are Latin (0 when it has no letters)."""
    latin = len(_LATIN.findall(text.lower()))
    arabic = len(_ARABIC.findall(text))
    return latin / (latin + arabic) if latin + arabic else 0.0


def latin_words(text: str) -> list[str]:
    return _TOKEN.findall(text.lower())


def is_english(words: Sequence[str]) -> bool:
    """A Latin-script question written in English: three words or more, one an English question word
    («Who won Super Bowl XLIX?», «…restored what patents?») or the first an English auxiliary, none
    spelled with Arabizi's digit letters (not «who el ra2ees?»); or at least a third of its words are
    English function words."""
    if not words:
        return False
    plain = not any(_ARABIZI_DIGIT.search(w) for w in words)
    if plain and len(words) >= 3 and (words[0] in _ENGLISH_OPENERS or _WH_WORDS & set(words)):
        return True
    known = sum(w in ENGLISH for w in words)
    return known >= 2 and known * 3 >= len(words)


# Letters spoken as another in the dialects, so written with its Latin letters: ث as s (a7das أحداث), ذ and
# ظ as d (hada هذا).
_SPOKEN = str.maketrans("ثذظ", "سدد")


def arabic_skeleton(normal: str) -> str:
    """The consonant classes of a normalised Arabic word, a final ه (ة) dropped but not a final ح; the
    article's «ل» once before a word in «ل» (اللي, as «elli» writes it)."""
    normal = "ال" + normal[3:] if normal.startswith("الل") else normal
    skeleton = "".join(_ARABIC_CLASS.get(ch, "") for ch in normal)
    return (
        skeleton[:-1] if normal.endswith("ه") and skeleton.endswith("h") and len(skeleton) > 1 else skeleton
    )


def arabic_skeletons(normal: str) -> set[str]:
    """``arabic_skeleton`` and the skeleton with the dialects' spoken letters (``_SPOKEN``)."""
    return {arabic_skeleton(normal), arabic_skeleton(normal.translate(_SPOKEN))}


def _units(word: str, digraphs: dict[str, str]) -> Iterator[tuple[int, str]]:
    """(position, unit) of a Latin word read left to right: a digraph of ``digraphs`` as one unit."""
    i = 0
    while i < len(word):
        pair = word[i : i + 2]
        if pair in digraphs:
            yield i, pair
            i += 2
        else:
            yield i, word[i]
            i += 1


def latin_skeleton(word: str) -> str:
    """The consonant classes of an Arabizi word, doubled letters once, a final h dropped."""
    out = [
        _LATIN_DIGRAPHS.get(unit) or _LATIN_CLASS.get(unit, "") for _, unit in _units(word, _LATIN_DIGRAPHS)
    ]
    skeleton = "".join(c for j, c in enumerate(out) if c and (j == 0 or c != out[j - 1]))
    return skeleton[:-1] if word.endswith("h") and skeleton.endswith("h") and len(skeleton) > 1 else skeleton


def latin_shape(word: str) -> str:
    """An Arabizi word as consonants (C) and vowels (V): digraphs and doubled vowels count once."""
    for pair in _LATIN_DIGRAPHS:
        word = word.replace(pair, "c")
    shape = "".join("V" if ch in "aeiouyw2" else "C" for ch in word)
    return re.sub("V+", "V", shape)


def arabic_shape(normal: str) -> str:
    """A normalised Arabic word as consonants (C) and long vowels (V); a final ه (ة) is a vowel."""
    shape = "".join("V" if ch in "اويء" else "C" for ch in normal)
    if normal.endswith("ه"):
        shape = shape[:-1] + "V"
    return re.sub("V+", "V", shape)


def _shape_distance(latin: str, arabic: str) -> float:
    """Edit distance of two shapes; a Latin vowel Arabic leaves unwritten (a short vowel) costs little."""
    previous = [j * 1.0 for j in range(len(arabic) + 1)]
    for a in latin:
        current = [previous[0] + (0.3 if a == "V" else 1.0)]
        for j, b in enumerate(arabic, start=1):
            current.append(
                min(
                    previous[j] + (0.3 if a == "V" else 1.0),
                    current[j - 1] + 1.0,
                    previous[j - 1] + (0.0 if a == b else 1.0),
                )
            )
        previous = current
    return previous[-1]


# Arabizi digits stand for one Arabic letter each; vowels hint at the long vowel written.
_EXACT_DIGITS = {"7": "ح", "5": "خ", "3": "ع", "9": "ق", "6": "ط", "8": "غ"}
_EXACT_PAIRS = {"th": "ث", "dh": "ذ"}  # digraphs of letters whose class they share with others (ت ط، ز ظ)
_LATIN_VOWELS = {"a": "ا", "i": "ي", "y": "ي", "o": "و", "u": "و", "w": "و"}


def _letter_agreement(latin: str, arabic: str) -> float:
    """A bonus for the letters an Arabizi word pins down: its digit letters and «th / dh» (ث / ذ), its
    final long vowel (also before a final hamza: «tawari2» is «طوارئ», which normalises to «طواري», not
    «طيارة»)."""
    bonus = sum(0.3 for digit, letter in _EXACT_DIGITS.items() if digit in latin and letter in arabic)
    bonus += sum(0.3 for pair, letter in _EXACT_PAIRS.items() if pair in latin and letter in arabic)
    if latin.endswith("2") and len(latin) > 2:
        latin = latin[:-1]
    last = _LATIN_VOWELS.get(latin[-1:])
    if (last and arabic.endswith(last)) or (latin[-1:] in "aeh" and arabic.endswith("ه")):
        bonus += 0.25
    return bonus


# The letters an Arabizi digit may stand for (a name read from a word with digits must hold them; «2» is a
# hamza or «ق», and normalised Arabic keeps the hamza only as «ء»).
_DIGIT_LETTERS = {
    **{digit: (letter,) for digit, letter in _EXACT_DIGITS.items()},
    "9": ("ق", "ص"),
    "2": ("ء", "ق"),
}
_LONG_VOWEL_LATIN = {"ا": "ae", "ي": "iey", "و": "ou"}
_LONG_TYPED = re.compile("aa|ee|ii|oo|uu")


def _spells_digits(latin: str, arabic: str) -> bool:
    """Whether every digit of ``latin`` stands for a letter that ``arabic`` holds («sa3oudiye» السعودية).

    A first «2» may be the hamza of a first alef («2ordon» الأردن, «2iran» إيران) if the vowel after it is
    the name's («2aran» is no «ايران»)."""
    bare = bare_word(arabic)
    if latin[:1] == "2" and bare[:1] == "ا":
        second = bare[1:2]
        if second in _LONG_VOWEL_LATIN and latin[1:2] not in _LONG_VOWEL_LATIN[second]:
            return False
        latin = latin[1:]
    return all(_holds_digit(arabic, ch) for ch in latin if ch.isdigit())


def _holds_digit(arabic: str, digit: str) -> bool:
    """Whether normalised ``arabic`` holds a letter the Arabizi ``digit`` stands for. A «2» is also a
    hamza that normalising seated on «ي» or «و» after a long «ا» («isra2il» إسرائيل → «اسراييل», «jaza2er»
    الجزائر → «الجزاير»)."""
    if any(letter in arabic for letter in _DIGIT_LETTERS.get(digit, ())):
        return True
    return digit == "2" and ("اي" in arabic[1:] or "او" in arabic[1:])


@dataclass
class Transliterator:
    """Arabizi words → Arabic words of a given vocabulary, chosen by skeleton, length and frequency."""

    by_skeleton: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    preferred: frozenset[str] = frozenset()
    defined: dict[str, str] = field(default_factory=dict)  # a form without «ال» → the corpus word with it
    fixed: Mapping[str, str] = field(default_factory=dict)  # spellings read as given (:func:`common_words`)
    names: frozenset[str] = frozenset()  # places outside the vocabulary (``build``)
    behind: Mapping[str, str] = field(default_factory=dict)  # «ثوره» → «لثوره», as the corpus writes it
    spare: dict[str, list[tuple[str, int]]] = field(default_factory=dict)  # read where nothing else is

    @classmethod
    def build(
        cls,
        counts: Iterable[tuple[str, int]],
        preferred: Iterable[str] = (),
        fixed: Mapping[str, str] | None = None,
        names: Iterable[str] = (),
        spare: Iterable[str] = (),
    ) -> Transliterator:
        """``counts``: (normalised word, frequency); ``preferred`` words (framing, stop words) win ties;
        ``fixed``: Arabizi spellings read as the given Arabic, before any other reading (default
        :func:`common_words`: the common words and names of ``retrieval/data/arabizi.toml``); ``names``:
        places a question may name though the vocabulary lacks them, read as such only where no
        vocabulary word is as close (they win no ties: «sawra» is the corpus's «ثورة», not «سوريا»);
        ``spare``: words read only where no other word matches at all, rather than spelling the Arabizi
        letter by letter (a reader's synonym the corpus lacks: «mozahrat» → «مظاهرات»)."""
        table: dict[str, dict[str, int]] = defaultdict(dict)
        preferred = frozenset(preferred)
        defined: dict[str, str] = {}
        behind: dict[str, str] = {}
        vocabulary: set[str] = set()
        # Preferred words count 0 unless the corpus has them too: they win ties, not frequency.
        for word, count in [*counts, *((word, 0) for word in (*preferred, *names))]:
            bare = bare_word(word)
            if bare != word and word.startswith("ال"):
                defined.setdefault(bare, word)
            forms = {word, bare}
            if count:
                vocabulary.add(word)
            if count and word[0] in PROCLITICS and len(word) >= 5:
                forms.add(word[1:])  # «لثورة»: «sawra» is «ثورة», which the corpus writes only behind «ل»
                behind.setdefault(word[1:], word)
            if count:  # «استقلالها»: «esti2lal» is «استقلال», which the corpus writes only with a pronoun
                forms.update(bare[:-2] for p in _PRONOUNS if bare.endswith(p) and len(bare) >= 6)
            for form in forms:
                for skeleton in arabic_skeletons(form) - {""}:
                    table[skeleton][form] = max(count, table[skeleton].get(form, 0))
        fixed = common_words() if fixed is None else fixed
        names = frozenset(form for name in names for form in (name, bare_word(name))) - preferred
        written = {form: word for form, word in behind.items() if form not in vocabulary}
        skeletons = {k: sorted(v.items()) for k, v in table.items()}
        extra: dict[str, set[str]] = defaultdict(set)
        for word in spare:
            for skeleton in arabic_skeletons(word) - {""}:
                extra[skeleton].add(word)
        spares = {k: [(word, 0) for word in sorted(v)] for k, v in extra.items()}
        return cls(skeletons, preferred, defined, fixed, names, written, spares)

    def word(self, latin: str) -> str | None:
        """The Arabic word an Arabizi word most likely spells, or None: a common spelling as
        ``fixed`` reads it, else the vocabulary's closest word."""
        if latin in self.fixed:
            return self.fixed[latin]
        forms = [(latin, False, 0.0), *((v, False, _VARIANT_COST) for v in _variants(latin))]
        for article in _ARTICLES:
            if latin.startswith(article) and len(latin) - len(article) >= 3:
                forms.append((latin[len(article) :].lstrip("-"), True, 0.0))
        best = self._closest(self.by_skeleton, latin, forms) or self._closest(self.spare, latin, forms)
        return self.behind.get(best, best) if best else None

    def _closest(
        self, table: Mapping[str, list[tuple[str, int]]], latin: str, forms: Sequence[tuple[str, bool, float]]
    ) -> str | None:
        """The word of ``table`` (skeleton → words with their frequency) closest to one of the ``forms``
        (a reading of ``latin``, whether it has the article, its extra cost), or None."""
        best: tuple[float, str] | None = None
        for form, with_article, extra in forms:
            skeleton = latin_skeleton(form)
            shape = latin_shape(form)
            long_typed = _LONG_TYPED.search(form) is not None  # «za3eem»: a vowel typed twice is a long one
            for arabic, count in table.get(skeleton, ()):
                # «2aran» (قارن), «ra2em» (رقم) are no «ايران», «روما»: their digit is a letter the name lacks
                if count == 0 and arabic in self.names and not _spells_digits(latin, arabic):
                    continue
                # the word writes a long vowel after its first letter: «زعيم», not «زعم»
                if long_typed and not any(ch in "اوي" for ch in bare_word(arabic)[1:]):
                    continue
                preferred = arabic in self.preferred
                if len(skeleton) <= 1 and (not preferred or extra or "2" in form):
                    # A one-consonant word is too ambiguous unless it is a function word read as written: not
                    # through another reading («2uwwa» is no «كي»), nor where a «2» the skeleton drops
                    # stood for a letter («2a2ed» is no «إذ»).
                    continue
                cost = extra + _shape_distance(shape, arabic_shape(arabic)) - min(count, 20) / 100
                cost -= _letter_agreement(form, arabic)
                if preferred:
                    cost -= 0.5 if len(skeleton) <= 1 else 0.2
                if with_article and arabic in self.defined:
                    cost -= 0.4  # «almaty»: a word the corpus writes with «ال»
                    arabic = self.defined[arabic]
                if best is None or cost < best[0]:
                    best = (cost, arabic)
        return best[1] if best else None

    def sentence(self, words: Sequence[str]) -> tuple[str, list[str]]:
        """An Arabic rendering of Arabizi ``words`` and the words no known word matched.

        Those are spelled letter by letter (:func:`spell`), so that the question keeps them: «ensa7abet»
        → «انسحبت» is then searched, or named as missing, like any Arabic word.
        """
        out, unread = [], []
        article = False  # «el seen»: the article written apart
        for latin, following in zip(words, [*words[1:], ""], strict=True):
            if latin in _FUTURE and following[:1] in _IMPERFECT:
                continue  # «ra7 teb2a»: the future particle «راح» before its verb only frames
            if latin.isdigit():
                out.append(latin)
                continue
            if latin in _ARTICLES or latin == "l":
                article = True
                continue
            if latin in _ALA:  # «3al share3»: «على» with the article of the next word
                out.append("على")
                article = latin.endswith("l")
                continue
            if latin in _WITH_ARTICLE:  # «bel akher»: «ب» with the article of the next word
                out.append(_WITH_ARTICLE[latin])
                article = True
                continue
            arabic = self.word(latin)
            if arabic is None:
                unread.append(latin)
                arabic = spell(latin)
            if article and arabic in self.defined:
                arabic = self.defined[arabic]
            article = False
            if arabic:
                out.append(arabic)
        return " ".join(out), unread


@cache
def _common_table() -> dict[str, dict[str, str]]:
    text = resources.files("retrieval").joinpath("data/arabizi.toml").read_text("utf-8")
    raw = tomllib.loads(text)
    return {
        part: {str(latin).lower(): str(arabic) for latin, arabic in raw[part].items()}
        for part in ("words", "names")
    }


def common_words() -> Mapping[str, str]:
    """Arabizi spellings read as given (``retrieval/data/arabizi.toml``): common function words, question
    words and verbs of saying («3an» is «عن» though the corpus holds «عاون» of the same letters), and
    names of the region's news as typed in Latin letters («putin» بوتين, not Bhutan's «بوتان»)."""
    table = _common_table()
    return {**table["words"], **table["names"]}


def names_in(words: Sequence[str]) -> list[tuple[str, str]]:
    """(Latin, Arabic) for each word of ``words`` (lower case) that is a name of ``common_words``."""
    names = _common_table()["names"]
    return [(word, names[word]) for word in dict.fromkeys(words) if word in names]


@cache
def known_names() -> frozenset[str]:
    """The names of ``common_words`` as normalised Arabic words: a question naming one that the corpus
    never mentions asks about somebody or somewhere the sources do not cover."""
    return frozenset(word for name in _common_table()["names"].values() for word in normalize(name).split())


# The dialects' future particle «راح / رح» before an imperfect verb (ra7 yeb3at, r7 teb2a); alone,
# «ra7» is the verb «went».
_FUTURE = frozenset({"ra7", "r7", "rah", "raa7"})
_IMPERFECT = frozenset("ytnae")

_VARIANT_COST = 0.5  # a reading through ``_variants`` wins only where the word as written finds nothing close


def _variants(latin: str) -> list[str]:
    """Other readings of an Arabizi word: «2» for «ق» as Levantine and Egyptian say it (2alet قالت), and
    «9» for «ص» as the Levant writes it, and a final «-at / -et» as the «ة» of a noun before its complement
    (monazamat منظمة), also with the «ق» or «ص» reading (esta2alet استقالة)."""
    letters = []
    if "2" in latin:
        letters.append(latin.replace("2", "q"))
    if "9" in latin:  # «9» is «ق» in the Gulf and Iraq, «ص» in the Levant (9ar صار, 9aba7 صباح)
        letters.append(latin.replace("9", "s"))
    # «esta2alet» استقالة: the «ة» ending read with the «ق» of «2»
    construct = [form[:-1] for form in [latin, *letters] if len(form) >= 5 and form.endswith(("at", "et"))]
    return [*letters, *construct]


# Letter by letter, for a word no vocabulary word matches: digits as their letters, short vowels left
# out as Arabic writes them, a long or word-initial vowel written.
_SPELL_DIGRAPHS = {"sh": "ش", "ch": "ش", "kh": "خ", "gh": "غ", "th": "ث", "dh": "ذ", "aa": "ا", "ee": "ي",
                   "ii": "ي", "oo": "و", "ou": "و", "uu": "و"}  # fmt: skip
_SPELL_LETTERS = {
    "b": "ب", "p": "ب", "t": "ت", "j": "ج", "g": "ج", "h": "ه", "x": "كس", "d": "د", "z": "ز", "r": "ر",
    "s": "س", "c": "ك", "f": "ف", "v": "ف", "q": "ق", "k": "ك", "l": "ل", "m": "م", "n": "ن", "w": "و",
    "y": "ي", "2": "ء", "3": "ع", "5": "خ", "6": "ط", "7": "ح", "8": "غ", "9": "ق",
}  # fmt: skip
_SHORT_VOWELS = frozenset("aeiou")
_FINAL_VOWELS = {"a": "ه", "e": "ه", "i": "ي", "o": "و", "u": "و"}


def spell(latin: str) -> str:
    """A rough Arabic spelling of an Arabizi word: «ensa7abet» → «انسحبت», «n3ta9al» → «نعتقل»."""
    out: list[str] = []
    for i, unit in _units(latin, _SPELL_DIGRAPHS):
        if unit in _SPELL_DIGRAPHS:
            out.append(_SPELL_DIGRAPHS[unit])
        elif unit not in _SHORT_VOWELS:
            out.append(_SPELL_LETTERS.get(unit, ""))
        elif i == 0:
            out.append("ا")
        elif i == len(latin) - 1:
            out.append(_FINAL_VOWELS[unit])
    return "".join(out)
