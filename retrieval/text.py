"""Arabic text pipeline: normalise, tokenise, drop stop words, stem, join lexicon variants.

Every step is a plain function; :class:`Pipeline` composes them and takes its stemmer as an argument,
so each step can be tested and swapped (the evaluation compares stemmers by swapping them here).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache, partial
from typing import TypeVar

from pyarabic import araby

T = TypeVar("T")

# Bump when anything here changes what tokens a text produces: persisted indexes are keyed by it.
PIPELINE_VERSION = "10"

# The one set of invisible characters, dropped wherever text is matched: zero-width space, non-joiner and
# joiner, LRM, RLM, word joiner, BOM, ALM and soft hyphen, then the bidi controls (embeddings, overrides,
# isolates), which ``bot.render`` also strips from untrusted text before it adds its own isolates.
ZERO_WIDTH = "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u061c\u00ad"
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
INVISIBLE = ZERO_WIDTH + BIDI_CONTROLS
_CONTROLS = dict.fromkeys(map(ord, INVISIBLE), None)
# pyarabic's inventory of diacritics (harakat, shadda, sukun, tanwin, dagger alef, Quranic and extended
# marks) and tatweel, dropped along with invisible and bidi controls in one str.translate.
_DROP = dict.fromkeys((*map(ord, INVISIBLE), *(ord(c) for c in araby.DIACRITICS), ord(araby.TATWEEL)), None)

ALEFS = "أإآٱ"  # hamza-carrying alefs and alef wasla
ARABIC_DIGITS = "٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹"  # Arabic-Indic, then Persian
# The one Arabic letter-folding table: normalize() applies all of it, readers whose own patterns keep some
# of these letters take a part with folding(). (retrieval.evaluate keeps the judges' table on purpose.)
LETTER_FOLDS: dict[str, str] = {
    **dict.fromkeys(ALEFS, "ا"),
    "ى": "ي",
    "ة": "ه",
    "ؤ": "و",
    "ئ": "ي",
    "ی": "ي",  # Persian yeh
    "ک": "ك",  # Persian kaf
    "گ": "ك",  # gaf (Persian, Iraqi and Gulf spellings)
    "ڤ": "ف",  # veh (لافروڤ)
    "پ": "ب",  # peh
    "چ": "ج",  # tcheh
    "ژ": "ز",  # jeh
    **{digit: str(value % 10) for value, digit in enumerate(ARABIC_DIGITS)},  # to ASCII digits
}
_LETTERS = str.maketrans(LETTER_FOLDS)


def folding(chars: str) -> dict[int, str]:
    """A ``str.translate`` table applying only the folds of ``chars`` (each a key of ``LETTER_FOLDS``)."""
    return str.maketrans({char: LETTER_FOLDS[char] for char in chars})


_WORD = re.compile(r"[^\W_]+", re.UNICODE)
# A written word including its diacritics, tatweel and joiners (which \w alone would split on).
_SURFACE_WORD = re.compile(
    "(?:[^\\W_]|[" + re.escape("".join(araby.DIACRITICS) + araby.TATWEEL + "\u200c\u200d") + "])+"
)


def normalize(text: str) -> str:
    """Fold the spelling variation of Arabic news text into one searchable form.

    NFKC; invisible and bidi controls dropped; diacritics and tatweel removed; alef/hamza forms,
    alef maqsura, teh marbuta unified; Arabic-Indic and Persian digits to ASCII; punctuation and
    symbols to spaces; Latin lower-cased; white space collapsed. Idempotent.
    """
    # Controls are dropped before NFKC too, so characters they separated compose in the first pass.
    text = unicodedata.normalize("NFKC", text.translate(_DROP)).translate(_DROP).translate(_LETTERS).lower()
    return " ".join(_WORD.findall(text))


def tokenize(normalized: str) -> list[str]:
    """Split normalised text into word tokens."""
    return normalized.split()


# Function words, pronouns, particles and question words, in normalised spelling. Reviewed by hand:
# content words that look like particles (e.g. «عام», «حال») are deliberately absent.
STOP_WORDS: frozenset[str] = frozenset(
    normalize(w)
    for w in """
    من ما ماذا متى كيف كم هل لماذا لما اين أين أي أية ايه أيها ماهي ماهو مامدى مدى
    في فى على علي الى إلى عن مع عند بين حتى منذ مذ خلال لدى لدي ضد نحو تحت فوق حول دون بعد قبل
    و أو او ثم بل لكن لكنه لكنها ف ب ل ك
    ان أن إن إنه انه أنه أنها انها إنها لأن لان كي لكي
    هو هي هم هن هما أنا انا نحن أنت انت أنتم انتم هذا هذه ذلك تلك هؤلاء أولئك هنا هناك
    الذي التي الذين اللذين اللتين اللاتي اللواتي
    قد لقد لا لم لن ليس ليست ما إلا الا غير سوى كل بعض أي
    كان كانت كانوا يكون تكون يكن
    عليه عليها عليهم فيه فيها فيهم منه منها منهم له لها لهم به بها بهم إليه اليه إليها اليها عنه عنها
    أيضا ايضا كما مثل إذ اذ إذا اذا لو لولا أما اما إما اما
    يا ذا ذات ذو تم تمت
    بماذا لماذا مما عما ممن فيما بما بمن لمن عمن فمن فما وما ومن وهل وكم وكيف ومتى
    عنهم عنه عنها منهم معه معها معهم لديه لديها لديهم عندما حين حينما بينما
    حسب بحسب وفق وفقا طبقا ضمن عبر لدى إزاء ازاء تجاه جراء بسبب نتيجة
    بشأن بخصوص حيال بصدد يخص يتعلق يتصل يختص
    واحد واحدة
    """.split()
)

_CONJUNCTIONS = frozenset("وف")  # written joined to the next word: «وفي», «فمن»
# Prepositions a word is often written joined to («وفي»; «القتلىفي», «فيالماتي» typed without a space).
PREPOSITIONS = frozenset(normalize(w) for w in "في من على عن إلى مع".split())

# Interrogative frame nouns («ما نوع…», «كم عدد…», «ما سبب…»): ranked like any word, but a question is
# not declined just because the corpus never uses the frame word itself.
FRAME_WORDS: frozenset[str] = frozenset(
    normalize(w)
    for w in """نوع أنواع اسم عدد سبب أسباب موقف رأي دور مصير حجم تفاصيل ماهية مكان
    حدث يحدث جرى يجري سيجري حصل يحصل""".split()
)


# --- stemmers --------------------------------------------------------------------------------------

# The definite article with its proclitics; light10 strips the first that matches.
ARTICLE_PREFIXES = ("وال", "بال", "كال", "فال", "لل", "ال")
_SUFFIXES = ("ها", "ان", "ات", "ون", "ين", "يه", "ه", "ي")
# Larkey's light10 keeps stems of 2 letters; 3 measured better here («بدأت» stays «بدات», not «بد»).
_MIN_STEM = 3


def light_stem(token: str, article: bool = True) -> str:
    """Larkey's light10 on normalised tokens, less its blind «و» strip: the article forms, suffixes.

    light10 strips a leading «و» from every word, which breaks the words whose first letter it is
    (وزارة → زار, وكالة → كال, واحد → احد); the conjunction is split off later instead, against the
    corpus vocabulary (``retrieval.index.split_clitics``), as the other one-letter proclitics are.
    ``article=False`` keeps an initial «ال» that is not the article (ألماتي, ألمانيا: see
    :func:`article_free`).
    """
    if article:
        for prefix in ARTICLE_PREFIXES:
            if token.startswith(prefix) and len(token) - len(prefix) >= _MIN_STEM:
                token = token[len(prefix) :]
                break
    for suffix in _SUFFIXES:
        if token.endswith(suffix) and len(token) - len(suffix) >= _MIN_STEM:
            token = token[: -len(suffix)]
    return token


# The one-letter proclitics: و ف (conjunctions), ب ل ك (prepositions).
PROCLITICS = ("و", "ب", "ل", "ك", "ف")
_HAMZA_ALEFS = frozenset("أإآ")


def article_free(surface: str) -> bool:
    """True when a written word's initial «ال» cannot be the article: it carries a hamza (ألماتي).

    The article is never written with a hamza, so «ألماتي» is a name, not «ال» + «ماتي»; normalisation
    folds أ to ا, so this is read from the written form (a one-letter proclitic may come first: بألماتي).
    """
    bare = surface.translate(_DROP)
    if bare[:1] in PROCLITICS and bare[1:2] in _HAMZA_ALEFS:
        bare = bare[1:]
    return len(bare) > 3 and bare[0] in _HAMZA_ALEFS and bare[1] == "ل"


_CLITICS = ("ل", "ب", "ك", "ف")
_VERB_PREFIXES = ("ي", "ت", "ن")
_VERB_SUFFIXES = ("وا", "ت", "ن")


def variant_keys(stem: str, asked: bool = False) -> set[str]:
    """Looser keys under which two stems of one word family meet (used only when a stem is unknown).

    A single proclitic (لثورة → ثورة), verb person affixes (تدخلت / تتدخل → تدخل), and the
    masdar of the derived forms (اندلاع → اندلع, انتخاب → انتخب), and a final hamza that a suffix seats
    on «و» or «ي» or a reader drops (حلفاؤها / حلفائها → حلفاء, رؤسائها / الرؤسا → رؤساء).
    Deliberately no root extraction: it joins unrelated words (سكان / السكنية). ``asked``: a question
    word's keys, also without a leading «و» (an indexed «وزار», وزارة, must not meet «زار») and, for a
    participle of the derived forms, its verb's («المستقيلين» → «استقال», to meet «استقالة»). The corpus's
    participles get no verb keys: «متظاهرين» (protesters) would then answer for «يتظاهرون» as strongly
    as the verb itself.
    """
    keys = {stem}
    if asked and len(stem) >= 4 and stem[0] == "و":  # a question word with the conjunction (وقتلوا)
        keys.add(stem[1:])
    for token in list(keys):
        if len(token) >= 4 and token[0] in _CLITICS:
            keys.add(token[1:])
        if len(token) >= 5 and token[0] == "س" and token[1] in "يتنا":  # future «سـ» on a verb
            keys.add(token[1:])
    for token in list(keys):
        if len(token) >= 4 and token.startswith(_VERB_PREFIXES):
            keys.add(token[1:])
    for token in list(keys):
        for suffix in _VERB_SUFFIXES:
            if token.endswith(suffix) and len(token) - len(suffix) >= 3:
                keys.add(token[: -len(suffix)])
    if asked:  # a question's participle meets the verb and masdar; the corpus's own keep theirs apart
        for token in list(keys):
            keys |= _participle_keys(token)
    for token in list(keys):
        if len(token) >= 5 and token[-2] == "ا":
            keys.add(token[:-2] + token[-1])
        if len(token) >= 4 and token.endswith(("او", "اي")):  # «حلفاؤ-ها» → «حلفاء»
            keys.add(token[:-1] + "ء")
        elif len(token) >= 4 and token.endswith("ا"):
            keys.add(token[:-1])  # accusative tanween alef
            keys.add(token + "ء")  # «رؤسائـ-ها» lost its «ي» to the suffixes; «الوزرا»
    return {k for k in keys if len(k) >= 3}


def _participle_keys(token: str) -> set[str]:
    """The verb a participle of a hollow root's derived forms is made from: «مستقيل» → «استقال», which its
    masdar «استقالة» meets as the verb's does; «مختار» → «اختار», «منقاد» → «انقاد». The participle's «ي» is
    the verb's «ا», which light10 and the other keys cannot bridge. A sound root's participle
    gets no key: «مستقل» (independent) would meet «استقالة» (resignation) under «استقل»."""
    if len(token) < 5 or token[0] != "م" or token[-2] not in "يا":
        return set()
    rest = token[1:]
    if not (rest.startswith(("ست", "ن")) or rest[1] in "تطد"):
        return set()
    return {"ا" + rest[:-2] + "ا" + rest[-1]}


def identity_stem(token: str) -> str:
    return token


def make_stemmer(name: str) -> Callable[[str], str]:
    """Return the stemmer called ``name`` (see ``retrieval.config.STEMMERS``), memoised."""
    if name == "light":
        base: Callable[[str], str] = light_stem
    elif name == "none":
        base = identity_stem
    elif name == "snowball":
        import Stemmer

        snowball = Stemmer.Stemmer("arabic")
        base = snowball.stemWord
    elif name == "isri":
        from nltk.stem.isri import ISRIStemmer

        base = ISRIStemmer().stem
    elif name == "tashaphyne":
        from tashaphyne.stemming import ArabicLightStemmer

        tashaphyne = ArabicLightStemmer()

        def base(token: str) -> str:
            return str(tashaphyne.light_stem(token)) or token

    else:
        raise ValueError(f"unknown stemmer {name!r}")
    return lru_cache(maxsize=200_000)(base)


def make_name_stemmer(name: str) -> Callable[[str], str] | None:
    """The stemmer for words whose «ال» is not the article, where ``name``'s stemmer has one."""
    if name != "light":
        return None
    return lru_cache(maxsize=50_000)(partial(light_stem, article=False))


# --- lexicon ----------------------------------------------------------------------------------------


def bare_word(normal: str) -> str:
    """A normalised word without the article (الروسي → روسي), as lexicon entries are matched."""
    for prefix in ARTICLE_PREFIXES:
        if normal.startswith(prefix) and len(normal) - len(prefix) >= 2:
            return normal[len(prefix) :]
    return normal


GROUP_MARK = "~"  # a variant group's token is the mark and the group's number: «~7»


@dataclass(frozen=True)
class Lexicon:
    """Variant groups (ألماتي / ألما آتا …) as phrases of whole words mapped to a shared group token.

    Matched on whole normalised words (less the article and one proclitic), never on stems: a stem is
    shared by unrelated words (light10 gives «مات» for «ألماتي» typed without its hamza).
    """

    phrases: dict[tuple[str, ...], str] = field(default_factory=dict)
    longest: int = 0

    @classmethod
    def build(cls, groups: Iterable[Sequence[str]]) -> Lexicon:
        phrases: dict[tuple[str, ...], str] = {}
        for number, group in enumerate(groups):
            token = f"{GROUP_MARK}{number}"
            for term in group:
                key = tuple(bare_word(w) for w in tokenize(normalize(term)))
                if key:
                    phrases.setdefault(key, token)
        return cls(phrases, max((len(k) for k in phrases), default=0))

    def group_tokens(self, normals: Sequence[str]) -> list[tuple[int, int, str]]:
        """(start, end, group token) for each variant phrase in the words ``normals``, longest first."""
        if not self.phrases:
            return []
        bare = [bare_word(w) for w in normals]

        def lookup(start: int, end: int) -> str | None:
            word = normals[start]
            clitic = len(word) > 3 and word[0] in PROCLITICS
            firsts = [bare[start], *([bare_word(word[1:])] if clitic else [])]
            rest = tuple(bare[start + 1 : end])
            return next((t for t in (self.phrases.get((f, *rest)) for f in firsts) if t is not None), None)

        return longest_matches(len(normals), self.longest, lookup)


def longest_matches(
    count: int, longest: int, lookup: Callable[[int, int], T | None]
) -> list[tuple[int, int, T]]:
    """Phrases found left to right in ``count`` words: at each position the longest span of at most
    ``longest`` words for which ``lookup(start, end)`` gives a value, else the next word."""
    found: list[tuple[int, int, T]] = []
    i = 0
    while i < count:
        for size in range(min(longest, count - i), 0, -1):
            value = lookup(i, i + size)
            if value is not None:
                found.append((i, i + size, value))
                i += size
                break
        else:
            i += 1
    return found


# --- pipeline ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """One content word of a text: its surface form, normalised form and stem."""

    surface: str
    normal: str
    stem: str


@dataclass
class Pipeline:
    """normalise → tokenise → stop words → stem → lexicon groups, with every step replaceable.

    ``stem_name`` stems a word whose initial «ال» is not the article (:func:`article_free`); by
    default such a word is stemmed like any other.
    """

    stem: Callable[[str], str] = light_stem
    lexicon: Lexicon = field(default_factory=Lexicon)
    stop_words: frozenset[str] = STOP_WORDS
    stem_name: Callable[[str], str] | None = None

    def stem_of(self, surface: str, normal: str) -> str:
        """The stem of one written word (``surface``) whose normalised form is ``normal``."""
        if self.stem_name is not None and article_free(surface):
            if normal.startswith("ال"):
                return self.stem_name(normal)
            if normal[1:3] == "ال":  # بألماتي: the proclitic goes, the name's «ال» stays
                return self.stem_name(normal[1:])
        return self.stem(normal)

    def is_stop(self, normal: str) -> bool:
        """A function word, also after «و» / «ف»: a preposition (وفي، ومن، فعلى: kept as a token, «وفي»
        would match «الوفيات», which the stemmer takes to the same «وفي») or any other function word of two
        letters or more (ولا، وقد، فلم، وكان: the dialects' «X ولا Y؟», "X or Y?", had matched the news's
        «ولا يريدون…», "and they do not want…")."""
        if normal in self.stop_words:
            return True
        rest = normal[1:]
        conjoined = rest in PREPOSITIONS or (len(rest) >= 2 and rest in self.stop_words)
        return normal[:1] in _CONJUNCTIONS and conjoined

    def terms(self, text: str) -> list[Term]:
        """Content words of ``text`` in order, keeping their surface spelling for messages."""
        out = []
        # Invisible and bidi controls inside a word (ال\u200bصين) must not split it.
        for match in _SURFACE_WORD.finditer(text.translate(_CONTROLS)):
            surface = match.group()
            for normal in tokenize(normalize(surface)):
                if not self.is_stop(normal):
                    out.append(Term(surface, normal, self.stem_of(surface, normal)))
        return out

    def index_tokens(self, text: str) -> list[str]:
        """Tokens a sentence or a query is indexed under: stems plus lexicon group tokens."""
        terms = self.terms(text)
        groups = self.lexicon.group_tokens([t.normal for t in terms])
        return [t.stem for t in terms] + [token for _, _, token in groups]

    def word_spans(self, text: str) -> list[tuple[int, int, str, str]]:
        """(start, end, stem, normal) for each content word of ``text``, for highlighting."""
        spans = []
        for match in _SURFACE_WORD.finditer(text):
            normal = normalize(match.group())
            if normal and not self.is_stop(normal) and " " not in normal:
                spans.append((match.start(), match.end(), self.stem_of(match.group(), normal), normal))
        return spans
