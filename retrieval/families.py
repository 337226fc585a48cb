"""Word families the light stemmer cannot see: spelling variants of names, typos, and shared roots.

Given the corpus's written words (normalised, with their indexed stems and frequencies), a question word
the index lacks is joined to corpus words that are

- the same name transliterated another way (توكايف / توكاييف, نزارباييف / نازارباييف): same consonant
  skeleton, long vowels aside;
- one slip away (الاحتجاجت / الاحتجاجات): a letter missing, extra, swapped or mistyped, for words of
  five letters or more;
- derived from the same root (انسحاب / ينسحب, اعتقالات / اعتقل), by a real morphological analyser
  (``farahidi``, AlKhalil Morpho Sys 2). Roots over-join (حكومة / محكمة), so the caller gives these a
  lower weight and uses them only where the stem found nothing.

Pure and lazy: the tables are built on first use, per corpus.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable
from functools import cached_property, lru_cache

from retrieval.text import bare_word, normalize

log = logging.getLogger(__name__)

_VOWELS = str.maketrans("", "", "اويء")
_MIN_FUZZY = 5  # letters: shorter words have too many one-slip neighbours
_ROOT_CANDIDATES = 30  # corpus words checked against a root at most (most frequent first)
_ONE_LETTER_PROCLITICS = frozenset("وبلفك")
# Corpus words analysed in the background at start-up (a few milliseconds each, once): the bundled
# corpus whole, a large one's most frequent words.
WARM_ROOT_WORDS = 5000


def skeleton(normal: str) -> str:
    """A word without its long vowels and hamza (توكاييف → تكف): how transliterations differ."""
    return normal.translate(_VOWELS)


# Letters a foreign name's sound is written with in different transliterations: the «g» of Mangystau
# (منغيستاو / مانجيستاو / منقستاو), emphatic and plain t, s, z, d.
_NAME_SOUNDS = str.maketrans("غجقكطصثذظض", "GGGGتسسززد")


def sound_skeleton(normal: str) -> str:
    """A name's consonants with the letters transliterations swap made one (منغيستاو, مانجيستاو → منGست)."""
    return skeleton(normal).translate(_NAME_SOUNDS)


def count_keys(normal: str) -> set[str]:
    """Keys under which a counted word meets its other forms: its consonants without the article, a
    one-letter proclitic or a plural or feminine ending, so that broken plurals meet their singular
    (ضيوف / ضيف, عناصر / عنصرا, سكك / سكة) and sound ones theirs (تغريدات / تغريدة)."""
    bare = bare_word(normal)
    forms = {bare, bare_word(bare[1:])} if bare[:1] in _ONE_LETTER_PROCLITICS and len(bare) > 4 else {bare}
    keys = set()
    for form in forms:
        stems = [form, form.removesuffix("ات"), form.removesuffix("ه"), form.removesuffix("ين")]
        if len(form) >= 3 and form[-1] == form[-2]:  # a doubled root's plural: سكك / سكة, مدد / مدة
            stems.append(form[:-1])
        for stem in stems:
            key = skeleton(stem)
            if len(key) >= 2:
                keys.add(key)
    return keys


def _forms(normal: str) -> set[str]:
    """A corpus word as a question may write it: bare, and without a one-letter proclitic (وبنديغو →
    بنديغو), which the index keeps on words it cannot split safely."""
    bare = bare_word(normal)
    forms = {bare}
    if bare[:1] in _ONE_LETTER_PROCLITICS and len(bare) > _MIN_FUZZY:
        forms.add(bare_word(bare[1:]))
    return forms


def one_letter_out(word: str) -> set[str]:
    """``word`` with each one of its letters left out."""
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


_ROOT_LOCK = threading.Lock()
# Words of every common pattern (verbs, nouns, derived forms, clitics): analysing them once loads the
# analyser's lexicon tables, which it otherwise reads lazily, up to 200 ms at a time, mid-question.
_WARM_WORDS = """كتب يكتبون المكتبة استقالت الحكومة المتظاهرين انتقدت الأوروبية انتخاب مستشفى اجتاحت
التنظيم تواصل سيواصل واستقرار بالمدرسة قالوا مقتل والشرطة يتحدثون""".split()


@lru_cache(maxsize=1)
def _analyzer() -> object | None:
    """The analyser with its lexicon loaded, or None (logged once) when it cannot load."""
    try:
        import farahidi

        analyzer = farahidi.Analyzer()
        for word in _WARM_WORDS:
            analyzer.analyze(word)
        return analyzer
    except Exception:  # a missing or broken analyser only loses the root fallback
        log.warning("the farahidi morphological analyser could not load; root matching is off")
        return None


def warm_up() -> None:
    """Load the analyser and its lexicon now (about half a second), so that no question waits for it."""
    with _ROOT_LOCK:
        _analyzer()


@lru_cache(maxsize=100_000)
def _analyses(surface: str, hamza: bool = True) -> tuple[tuple[str | None, str], ...] | None:
    """(root, type) of each analysis of a written word (root None for a root-less word: a proper noun,
    a particle), or None when the analyser is not there. ``hamza``: a word with no analysis is tried
    again with the hamza of its first alef (:func:`_with_hamza`)."""
    with _ROOT_LOCK:  # the analyser's lazy lexicon is not documented as thread-safe
        analyzer = _analyzer()
        if analyzer is None or not surface:
            return None
        try:
            found = analyzer.analyze(surface)  # type: ignore[attr-defined]
            for spelling in [] if found or not hamza else _with_hamza(surface):
                found = analyzer.analyze(spelling)  # type: ignore[attr-defined]
                if found:
                    break
        except Exception:
            return None
    return tuple((a.root or None, a.type or "") for a in found)


_BARE_ALEF = re.compile("^((?:[وفبلك]?ال)?)ا")  # not behind a bare proclitic: «لاشرطة» is a slip


def _with_hamza(surface: str) -> list[str]:
    """A word typed without the hamza of its first alef, at its start or after the article, with it
    (الاطفال → الأطفال، اجانب → أجانب): readers drop hamzas, the analyser needs them."""
    match = _BARE_ALEF.match(surface)
    if match is None or len(surface) - match.end() < 2:
        return []
    head, rest = match.group(1), surface[match.end() :]
    return [f"{head}أ{rest}", f"{head}إ{rest}"]


def roots(surface: str) -> frozenset[str]:
    """Roots of a written word (diacritics and hamzas as written: the analyser needs them)."""
    return frozenset(root for root, _ in _analyses(surface) or () if root and len(root) == 3)


_PROPER_NOUN = "اسم علم"


def has_noun_reading(surface: str) -> bool:
    """Whether the analyser reads the written word as a noun in one of its analyses (سكان, جندي: yes;
    بلغت: no). False when the analyser is not there."""
    return any(kind for _, kind in _analyses(surface) or ())


_ARTICLE_OR_GLUE = re.compile("^(?:[وبلفك]?ال|عال|لل)|.ال")


def looks_like_name(surface: str, variants: Iterable[str] = ()) -> bool:
    """Whether a written word is a name rather than an Arabic word of some root.

    A name is a proper noun the analyser's lexicon knows (بايدن, أردوغان), or a word it cannot analyse
    at all that is written as a transliteration is (زيلينسكي, غوتيريش): five letters or more, two of
    them long vowels, without the article or a word glued on, and none of its ``variants`` (the word
    without dialect prefixes: اتكلم → تكلم) has a root, nor the word with a dropped hamza seated again
    (شايفة → شائفة: :func:`_seated`).
    Arabic words, dialect verbs and their clitics have a root (الحصيلة حصل, فتحوا فتح, شغالة شغل).
    False when the analyser is not there: no word is then taken for a name.
    """
    found = _analyses(surface, hamza=False)  # «اليزابيث» is no proper noun the lexicon spells «إليزابيث»
    if found is None or any(root for root, _ in found):
        return False
    if found:
        return any(kind == _PROPER_NOUN for _, kind in found)
    normal = normalize(surface)
    bare = bare_word(normal)
    return (
        len(bare) >= 5
        and sum(bare.count(vowel) for vowel in "اوي") >= 2  # a transliteration writes its vowels
        and not _ARTICLE_OR_GLUE.search(normal)
        and not any(map(roots, (*variants, *_seated(surface))))
    )


_UNSEATED = re.compile("(?<=.)اي")


def _seated(surface: str) -> list[str]:
    """A word typed with «اي» where Standard spelling seats a hamza on the «ي» (شايفة → شائفة, قايلين →
    قائلين, خساير → خسائر): the dialects and hurried typing drop that hamza, the analyser needs it."""
    return [_UNSEATED.sub("ائ", surface)] if _UNSEATED.search(surface) else []


class WordFamilies:
    """Corpus words related to a question word the index does not hold."""

    def __init__(self, words: Iterable[tuple[str, str, int]]) -> None:
        """``words``: (normalised word, written form, frequency) for every distinct corpus word."""
        self.counts: dict[str, int] = {}
        self.written: dict[str, str] = {}
        for normal, written, count in words:
            self.counts[normal] = self.counts.get(normal, 0) + count
            self.written.setdefault(normal, written)

    def _table(self, keys: Callable[[str], Iterable[str]]) -> dict[str, list[str]]:
        """Corpus words by each key ``keys`` gives for one of their forms (``_forms``)."""
        table: dict[str, list[str]] = defaultdict(list)
        for word in self.counts:
            for key in {key for bare in _forms(word) for key in keys(bare)}:
                table[key].append(word)
        return dict(table)

    @cached_property
    def _by_skeleton(self) -> dict[str, list[str]]:
        return self._table(lambda bare: [skeleton(bare)] if len(bare) >= _MIN_FUZZY else [])

    @cached_property
    def _by_sound(self) -> dict[str, list[str]]:
        """Corpus words by ``sound_skeleton``: the skeleton table's keys with the sounds made one (cheap)."""
        table: dict[str, list[str]] = defaultdict(list)
        for key, words in self._by_skeleton.items():
            table[key.translate(_NAME_SOUNDS)].extend(words)
        return dict(table)

    @cached_property
    def _by_delete(self) -> dict[str, list[str]]:
        return self._table(
            lambda bare: {bare, *one_letter_out(bare)} if len(bare) >= _MIN_FUZZY - 1 else set()
        )

    @cached_property
    def _by_count_key(self) -> dict[str, list[str]]:
        return self._table(count_keys)

    def counted_forms(self, normal: str) -> list[str]:
        """Corpus words sharing a ``count_keys`` key with ``normal``: its other number and forms
        (الضيوف → ضيف, السكك → السكة), as a figure may be given for them."""
        return sorted({word for key in count_keys(normal) for word in self._by_count_key.get(key, ())})

    @cached_property
    def _by_hamzaless(self) -> dict[str, list[str]]:
        return self._table(lambda bare: [bare.replace("ء", "")] if "ء" in bare else [])

    @cached_property
    def _joined(self) -> str:
        return "\n" + "\n".join(sorted(self.counts, key=lambda w: -self.counts[w])) + "\n"

    def warm(self, limit: int = WARM_ROOT_WORDS) -> int:
        """Analyse the ``limit`` most frequent corpus words now (``same_root`` checks candidates most
        frequent first), so that a question's root look-up finds them analysed; build the tables of
        ``counted_forms`` and of names' sound skeletons too. Returns how many words were analysed."""
        self._by_count_key  # noqa: B018 - built here, off the question path
        self._by_sound  # noqa: B018
        words = sorted(self.counts, key=lambda w: (-self.counts[w], w))[:limit]
        for word in words:
            roots(self.written[word])
        return len(words)

    def spellings(self, normal: str, surface: str = "") -> list[str]:
        """Corpus words spelling ``normal`` another way (transliteration, one slip, a hamza left out),
        likeliest first. A name written with a one-letter proclitic (``surface`` وإينيل) is also looked
        up without it (إينل)."""
        bare = bare_word(normal)
        found = self._spelled(bare)
        if not found and len(bare) == _MIN_FUZZY - 1 and surface and not roots(surface):
            found = set(self._by_delete.get(bare, ()))  # a letter left out of a longer word: الحكوة
        if not found and len(bare) >= _MIN_FUZZY and surface:
            sounded = self._by_sound.get(sound_skeleton(bare), ())  # منغيستاو / مانجيستاو
            if sounded and looks_like_name(surface):  # the analyser only when there is a candidate
                found = set(sounded)
        if not found and surface[:1] in _ONE_LETTER_PROCLITICS:
            without = self._spelled(bare_word(normalize(surface[1:])))
            if without and looks_like_name(surface[1:]):  # the analyser only when there is a candidate
                found = without
        found.discard(normal)
        return sorted(found, key=lambda w: (-self.counts[w], w))[:3]

    def _spelled(self, bare: str) -> set[str]:
        found: set[str] = set(self._by_hamzaless.get(bare.replace("ء", ""), ()))  # الوزرا / الوزراء
        if len(bare) >= _MIN_FUZZY:
            if len(skeleton(bare)) >= 3:
                found.update(self._by_skeleton.get(skeleton(bare), ()))
            for key in {bare, *one_letter_out(bare)}:
                found.update(self._by_delete.get(key, ()))
        return found

    def same_root(self, surface: str, normal: str) -> list[str]:
        """Corpus words derived from a root of the written word ``surface`` (analyser permitting)."""
        wanted = roots(surface)
        if not wanted:
            return []
        found: list[str] = []
        for root in wanted:
            # The hamza sits on any seat once normalised (رءس: الرييس, الراس, روساء).
            letters = ".*".join("[اويء]" if ch == "ء" else re.escape(ch) for ch in root.replace("ى", "ي"))
            pattern = re.compile(f"^[^\\n]*{letters}[^\\n]*$", re.MULTILINE)
            for candidate in pattern.findall(self._joined)[:_ROOT_CANDIDATES]:
                if candidate != normal and self._roots_of(candidate) & wanted:
                    found.append(candidate)
        return sorted(set(found), key=lambda w: (-self.counts[w], w))[:8]

    def _roots_of(self, word: str) -> frozenset[str]:
        """The roots of a corpus word. One that opens with «و» is read as the conjunction + a word only when
        the corpus has that word on its own («وقال»: «قال»); else its roots that keep the «و» are its own
        («وزير» وزر, not «و» + «زير» زير / زور, which had joined «زار», visited, to the minister)."""
        found = roots(self.written[word])
        if word.startswith("و") and word[1:] not in self.counts:
            own = frozenset(root for root in found if root.startswith("و"))
            return own or found
        return found
