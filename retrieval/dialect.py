"""The question side of Arabic as people type it: dialect framing words, dialect verbs, chat wrapping.

Data lives in ``retrieval/data/dialect.toml`` (reviewed word lists, editable without code); this module
reads it once and offers pure operations on a question's normalised words:

- :meth:`Dialect.framing_spans`: the words that only frame the question (شو، وين، اللي، لو سمحت، جزاك الله
  خير…);
- :meth:`Dialect.equivalents`: Standard Arabic words for a dialect word (حكى → قال، تحدث);
- :func:`verb_cores`: a dialect verb without its aspect or passive prefix (بيقول → يقول, اتقتل → قتل);
- :func:`sound_variants`: a word with a dialect sound spelled the Standard way (انكتل → انقتل).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from itertools import pairwise

from retrieval.text import PROCLITICS, normalize, tokenize

_PRONOUNS = ("ها", "هم", "كم", "نا", "ه", "ك", "ني")
_ADDRESSED = ("ك", "كم", "كي", "كما")  # the reader as a verb's object or a preposition's («يحفظك», «فيكم»)
_STRETCH = re.compile(r"([^\W\d_])\1{2,}")


_DOUBLED = re.compile(r"(.)\1")


def collapse_stretch(text: str) -> str:
    """Letters typed three or more times in a row count once («كيييف» → «كيف», «shuuu» → «shu»)."""
    return _STRETCH.sub(r"\1", text)


@dataclass(frozen=True)
class Dialect:
    framing: frozenset[str]  # normalised single words
    phrases: tuple[tuple[str, ...], ...]  # normalised multi-word greetings, longest first
    equivalent: dict[str, tuple[str, ...]]  # normalised dialect word → normalised MSA words
    questions: frozenset[str] = frozenset()  # question words of every variety (a subset of framing)
    courtesy: frozenset[str] = frozenset()  # greetings, thanks, politeness (a subset of framing)
    standard_questions: dict[str, str] = field(default_factory=dict)  # as written → Standard Arabic
    god: frozenset[str] = frozenset()  # the names of God that blessings are said by (الله، ربي)
    wishes: frozenset[str] = frozenset()  # what a blessing wishes (خير، العافية، وبركاته)
    intensifiers: frozenset[str] = frozenset()  # a count that multiplies thanks or a wish (ألف شكر)
    openers: frozenset[str] = frozenset()  # words of truth opening a yes/no question (صحيح، صدق، فعلا)

    def standard(self, text: str) -> str:
        """``text`` with its dialect question words in Standard Arabic (شو صار؟ → ماذا صار؟), for the
        sentence encoder. Words keep their spelling otherwise; punctuation stays."""
        words = text.split()
        out = []
        for word in words:
            core = word.strip("؟?!.,،")
            standard = self.standard_questions.get(core) if core else None
            out.append(word.replace(core, standard) if standard else word)
        return " ".join(out)

    def is_framing(self, normal: str) -> bool:
        """A framing word, also behind a one-letter proclitic (بإيه، وشو) or before a pronoun (حصلها)."""
        if normal in self.framing or _DOUBLED.sub(r"\1", normal) in self.framing:
            return True  # also with a letter typed twice («أهليين», «شكراا»)
        # Behind a proclitic: «بإيه», «وشو», «لأي»; a two-letter word behind «ب/ل» only when it asks
        # («بأي», «لمين»), never behind «ك»: «كلم» is no «ك» + «لم», «برا» no «ب» + «را».
        rest = normal[1:]
        if (
            len(normal) > 2
            and normal[0] in PROCLITICS
            and rest in self.framing
            and (len(rest) > 2 or normal[0] in "وف" or (normal[0] in "بل" and rest in self.questions))
        ):
            return True
        return any(
            normal.endswith(suffix)
            and len(normal) - len(suffix) >= 3
            and normal[: -len(suffix)] in self.framing
            for suffix in _PRONOUNS
        )

    def courtesy_spans(self, normals: Sequence[str]) -> set[int]:
        """Positions of ``normals`` that are greetings, thanks or politeness, words, phrases or blessings."""
        words = {i for i, word in enumerate(normals) if word in self.courtesy}
        return words | self._phrase_spans(normals) | self._blessing_spans(normals)

    def framing_spans(self, normals: Sequence[str]) -> set[int]:
        """Positions of ``normals`` that only frame the question: framing words, greeting phrases, blessings
        and a particle of tense before its verb («راح يبعتوا», «قاعد يصير»)."""
        particles = {i for i, (word, verb) in enumerate(pairwise(normals)) if is_aspect_particle(word, verb)}
        framing = {i for i, word in enumerate(normals) if self.is_framing(word)}
        spans = framing | particles | self._phrase_spans(normals) | self._blessing_spans(normals)
        opening = next((i for i in range(len(normals)) if i not in spans), None)
        if opening is not None and len(normals) - opening > 2 and normals[opening] in self.openers:
            spans.add(opening)  # «صحيح انحرق المبنى؟»: «is it true that…»
        return spans

    def _blessing_spans(self, normals: Sequence[str]) -> set[int]:
        """Positions of ``normals`` inside a blessing: a name of God with the words beside it that speak
        to the reader («جزاك الله خير», «الله يسعدك», «بارك الله فيكم») or wish («ورحمة الله وبركاته»), or
        a wish beside a word of thanks («يعطيك الصحة»). A name of God with neither beside it stays a word
        of the question («عبد الله»)."""
        found: set[int] = set()
        for i, word in enumerate(normals):
            god = word in self.god
            if not (god or word in self.courtesy):
                continue
            run = {i}
            for step in (-1, 1):
                j = i + step
                while 0 <= j < len(normals) and (
                    self._blesses(normals[j], god) or self._multiplies(normals, j)
                ):
                    run.add(j)
                    j += step
            if len(run) > 1:
                found |= run
        return found

    def _multiplies(self, normals: Sequence[str], i: int) -> bool:
        """Whether ``normals[i]`` is a count right before a word of thanks or a wish, multiplying it
        («ألف شكر», «يعطيك ألف عافية»)."""
        after = normals[i + 1] if i + 1 < len(normals) else ""
        return normals[i] in self.intensifiers and (after in self.wishes or after in self.courtesy)

    def _blesses(self, normal: str, by_god: bool) -> bool:
        """Whether ``normal`` belongs to a blessing beside a name of God (``by_god``) or a word of thanks:
        a wish, a word of courtesy, and beside God's name also another of His names or a word addressed
        to the reader (it ends in «ك», «كم» or «كي» after at least two letters: يحفظك، وفقك، فيكم)."""
        if normal in self.wishes or normal in self.courtesy:
            return True
        if not by_god:
            return False
        return normal in self.god or any(
            normal.endswith(suffix) and len(normal) - len(suffix) >= 2 for suffix in _ADDRESSED
        )

    def _phrase_spans(self, normals: Sequence[str]) -> set[int]:
        """Positions of ``normals`` inside a greeting phrase («السلام عليكم», «لو سمحت»)."""
        found: set[int] = set()
        for phrase in self.phrases:
            size = len(phrase)
            for start in range(len(normals) - size + 1):
                if tuple(normals[start : start + size]) == phrase:
                    found.update(range(start, start + size))
        return found

    def equivalents(self, normal: str) -> tuple[str, ...]:
        """Standard Arabic words for the dialect word ``normal`` (empty when it is not one)."""
        return self.equivalent.get(normal, ())

    def inflected_equivalents(self, normal: str) -> tuple[str, ...]:
        """Standard Arabic words for an inflected dialect verb or noun, through its base form
        («هتقعد» → «قعد», «طلعوا» → «طلع», «البوليس» → «بوليس»): the list holds base forms."""
        found: list[str] = []
        for base in verb_bases(normal):
            found += self.equivalent.get(base, ())
        return tuple(dict.fromkeys(found))


def _words(text: str) -> list[str]:
    return tokenize(normalize(text))


@lru_cache(maxsize=1)
def load_dialect() -> Dialect:
    """The bundled word lists (read once)."""
    raw = tomllib.loads(resources.files("retrieval").joinpath("data/dialect.toml").read_text("utf-8"))
    return parse_dialect(raw)


def parse_dialect(raw: dict[str, object]) -> Dialect:
    """A :class:`Dialect` from the parsed TOML tables ``framing`` and ``equivalents``."""
    framing_table = raw.get("framing", {})
    equivalents_table = raw.get("equivalents", {})
    standard_table = raw.get("standard_questions", {})
    if not isinstance(standard_table, dict) or not all(isinstance(v, str) for v in standard_table.values()):
        raise ValueError("standard_questions must map words to words")
    if not isinstance(framing_table, dict) or not isinstance(equivalents_table, dict):
        raise ValueError("dialect data needs [framing] and [equivalents] tables")
    framing: set[str] = set()
    questions: set[str] = set()
    courtesy: set[str] = set()
    placed: dict[str, set[str]] = {"god": set(), "wishes": set(), "intensifiers": set(), "openers": set()}
    phrases: list[tuple[str, ...]] = []
    for name, value in framing_table.items():
        if name == "phrases":
            if not isinstance(value, list):
                raise ValueError("framing.phrases must be a list of strings")
            phrases += [tuple(_words(str(p))) for p in value if _words(str(p))]
        elif not isinstance(value, str):
            raise ValueError(f"framing.{name} must be a string of words")
        elif name in placed:  # words set aside only in their place (blessings, counts, openers)
            placed[name].update(_words(value))
        else:
            framing.update(_words(value))
            if name == "questions":
                questions.update(_words(value))
            if name == "politeness":
                courtesy.update(_words(value))
    equivalent: dict[str, tuple[str, ...]] = {}
    for word, targets in equivalents_table.items():
        if not isinstance(targets, list) or not all(isinstance(t, str) for t in targets):
            raise ValueError(f"equivalents.{word} must be a list of words")
        key = normalize(word)
        equivalent[key] = tuple(dict.fromkeys(normalize(t) for t in targets if normalize(t)))
    phrases.sort(key=len, reverse=True)
    standard = {str(k): str(v) for k, v in standard_table.items()}
    return Dialect(
        frozenset(framing),
        tuple(phrases),
        equivalent,
        frozenset(questions),
        frozenset(courtesy),
        standard,
        frozenset(placed["god"]),
        frozenset(placed["wishes"]),
        frozenset(placed["intensifiers"]),
        frozenset(placed["openers"]),
    )


# Particles of tense and aspect before an imperfect verb: the future «راح / رح» of the Levant and Iraq
# (راح يبعتوا) and the progressive «قاعد / جالس» of the Gulf and the Levant (قاعد يصير). Alone they are
# the verb «went» (راح للمطار) or «sitting», so they frame only before a verb in the imperfect. (Gulf
# «بـ» is a prefix, بيرجعون; Maghrebi «غادي» and Levantine «عم» are framing anyway.)
_PARTICLES = frozenset(
    {"راح", "رح", "رايح", "رايحه", "رايحين", "حا", "قاعد", "قاعده", "قاعدين", "جالس", "جالسين"}
)


def is_aspect_particle(word: str, following: str) -> bool:
    """Whether ``word`` is a dialect future or progressive particle before the imperfect ``following``."""
    return word in _PARTICLES and len(following) >= 3 and following[0] in _PERSON


# Aspect and future prefixes of dialect verbs before the imperfect's person prefix (ي ت ن ا):
# Egyptian and Levantine بـ (بيقول), Egyptian هـ and حـ (هيعمل), Maghrebi كـ / تـ (كيقول), Iraqi دـ.
_ASPECT = ("ب", "ه", "ح", "ك", "د")
_PERSON = "يتنا"
# Passive and reflexive prefixes of dialect verbs: Egyptian and Levantine اتـ / انـ (اتقتل، انقتل).
_PASSIVE = ("ات", "ان", "إت")
_CONJUNCTIONS = ("و", "ف")
_BEFORE_THIS = ("ب", "ل", "و", "ف", "ع")  # a proclitic before «هالـ»: «بهالأحداث», «عهالموضوع»


def verb_cores(normal: str) -> list[str]:
    """Spellings of the dialect verb ``normal`` without its dialect prefixes or suffix, best first.

    «بيقولوا» → «يقولوا»; «هيحصل» → «يحصل»; «اتقتلوا» → «قتلوا»; «ماقالش» → «قال»; «قالو» → «قالوا»;
    «هالكلام» → «الكلام»; «بهالأحداث» → «الاحداث». Candidates only: the caller keeps those the corpus knows.
    """
    out: list[str] = []
    word = normal
    if len(word) >= 5 and word[0] in _CONJUNCTIONS and word[1:3] in _PASSIVE:  # «وانجرح» → «انجرح»
        word = word[1:]
        out.append(word)
    if len(word) >= 5 and word.startswith("ما") and word.endswith("ش"):  # Egyptian negation ما…ش
        word = word[2:-1]
        out.append(word)
    if len(word) >= 5 and word.startswith("هال"):  # Levantine and Gulf «هالـ» = «هذا الـ»
        out.append(word[1:])
    if len(word) >= 6 and word[0] in _BEFORE_THIS and word[1:].startswith("هال"):  # «بهالأحداث»
        out.append(word[2:])
    if len(word) >= 5 and word.startswith("عال"):  # Levantine «عالـ» = «على الـ»
        out.append(word[1:])
    if len(word) >= 4 and word[0] in _ASPECT and word[1] in _PERSON:
        out.append(word[1:])
    for prefix in _PASSIVE:
        if len(word) - len(prefix) >= 3 and word.startswith(prefix):
            out.append(word[len(prefix) :])
            out.append("ا" + word[len(prefix) :])  # «اتنتخب» → «انتخب»: the MSA form-VII/VIII verb
    for candidate in [word, *out]:
        if len(candidate) >= 3 and candidate.endswith("و") and not candidate.endswith("وو"):
            out.append(candidate + "ا")  # Levantine and Egyptian plural «قالو» = «قالوا»
    return [c for c in dict.fromkeys(out) if c != normal and len(c) >= 3]


# Not «ا» (أفضل, أعطى are Standard Arabic words, not «I stay», «I give») and not «ه» (a folded «ة»:
# كلمة is not «كلّمه»).
_PERSON_PREFIXES = ("ي", "ت", "ن")
_SUFFIXES = ("وا", "ون", "ين", "نا", "ها", "هم", "هن", "ات", "ت", "و", "ي")  # «ات»: Maghrebi «هضرات»


def verb_bases(normal: str) -> list[str]:
    """Base forms of an inflected dialect word, for looking it up in the equivalents: the word without
    its dialect prefixes (``verb_cores``), then without a person prefix and a suffix or pronoun
    («هتقعد» → «تقعد» → «قعد»; «رجعوا» → «رجع»; «بيطلعوا» → «طلع»), and a noun without «ال»."""
    out: list[str] = []
    for word in [normal, *verb_cores(normal)]:
        stems = [word]
        if word.startswith("ال") and len(word) >= 4:
            stems.append(word[2:])
        if word[:1] in _PERSON_PREFIXES and len(word) >= 4:
            stems.append(word[1:])
        # A verb of two letters once its doubling is dropped keeps two («يدزون» → «دز», «حطوا» → «حط»); a
        # noun with the article keeps three («الجهات» is no «جه», came).
        shortest = 3 if word.startswith("ال") else 2
        for stem in list(stems):
            for suffix in _SUFFIXES:
                if stem.endswith(suffix) and len(stem) - len(suffix) >= shortest:
                    stems.append(stem[: -len(suffix)])
            if stem.endswith("ات") and len(stem) == 4 and not word.startswith("ال"):
                # Maghrebi «she did» of a verb ending in a vowel keeps two letters before «ات» («بقات»,
                # «عطات», «بغات», «مشات»): its base ends in «ا» or «ى» (normalised «ي»). Not a noun with the
                # article («القوات»).
                stems += [stem[:2] + "ا", stem[:2] + "ي"]
        out += stems
    return [w for w in dict.fromkeys(out) if len(w) >= 2]


# Letters the dialects say where Standard Arabic writes another (after normalisation, which folds
# «گ» into «ك» and «چ» into «ج»): ق is said g in Iraq and the Gulf (گال، انكتل) and a glottal stop in
# Cairo and the Levant (أتل، انأتل); Gulf and Iraqi «چ» is a ك (چم، چان). Not ج → ق: a Standard word
# the corpus lacks would pass for another («الجوي» → «القوي»).
_SOUNDS = {"ك": "ق", "ج": "ك", "ا": "ق", "ء": "ق"}


def sound_variants(normal: str) -> list[str]:
    """``normal`` with one of its letters as Standard Arabic would spell the sound, for a word the
    corpus lacks: «انكتل» → «انقتل», «اتل» → «قتل», «جم» → «كم». Candidates only: the caller keeps
    those the corpus knows. The article's «ا» is kept («الاتلى» → «القتلى», never «قلاتلى»)."""
    out: list[str] = []
    for i, letter in enumerate(normal):
        if i == 0 and normal.startswith("ال") and len(normal) >= 5:
            continue
        for standard in _SOUNDS.get(letter, ""):
            out.append(normal[:i] + standard + normal[i + 1 :])
    return [w for w in dict.fromkeys(out) if w != normal]
