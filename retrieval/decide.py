"""Whether the corpus answers a question: evidence from the best sentence, weighed by a fitted model.

The features describe what the best sentence (and its neighbours) hold of the question: how much of its
idf mass, its rarest word, the kind of answer asked for (كم → a number, متى → a date, لماذا → a reason),
how far ahead of the next sentence it is, and what the question names that the corpus never mentions.
A logistic model weighs them; its weights and threshold live in ``retrieval/data/decline.toml``, fitted
by ``bench/calibrate_declines.py`` on answerable and unanswerable question pairs (SQuAD 2.0 style) and
on our own question sets, never adjusted by hand for single questions.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from itertools import pairwise

from retrieval.gazetteer import NATION_NAMES, entity_of, everyday_sense, kazakh_places, nationality_of
from retrieval.text import ARTICLE_PREFIXES, FRAME_WORDS, STOP_WORDS, bare_word, normalize

FEATURES = (
    "coverage",
    "context_coverage",
    "present_coverage",
    "missing_share",
    "missing_definite",
    "rare_hit",
    "type_gap",
    "margin",
    "score",
    "required",
    "max_gap",
    "cosine",
)
# The model for a ranking without the sentence encoder has no cosine to weigh.
BM25_FEATURES = FEATURES[:-1]


def _words(text: str) -> frozenset[str]:
    return frozenset(normalize(text).split())


# What a question asks for, by its question word (Standard Arabic and dialects, normalised).
ASKS_NUMBER = _words("كم كام بكم بكام قديش بقديش اديش أديش شكد شقد اشكد جم چم شحال شكثر")
ASKS_DATE = _words("متى امتى إمتى ايمتى وقتاش فوقاش امتي متا امتا إمتا ايمتا")  # «امتا»: ى typed as ا
PERCENT = "نسبه"  # «ما نسبة…» asks a figure as «كم» does
ASKS_REASON = _words("لماذا ليش ليه علاش لما")
REASON_NOUNS = _words("سبب أسباب اسباب دوافع")
_WHICH = _words("أي بأي وبأي لأي")
_DATE_NOUNS = _words("يوم تاريخ شهر ساعة وقت سنة عام")
# Units of time and of repetition: «كم يومًا…», «كم مرة…» ask a duration or a frequency, which the
# sources give as dates and events rather than as a figure beside the unit.
TIME_UNITS = _DATE_NOUNS | _words(
    "أيام يوما ساعات أسبوع أسابيع أسبوعا شهور أشهر سنوات أعوام دقيقة دقائق مرة مرات مدة المدة فترة الفترة"
)
_PLACE_NOUNS = _words("مدينة منطقة بلد دولة مكان مطار إقليم ولاية")
_DATE_ASKING_NOUNS = _words("تاريخ موعد")
# «ما مكان…», «مكان بداية الاحتجاجات»: the noun asks a place, with or without the article
_PLACE_ASKING_NOUNS = frozenset(prefix + normalize("مكان") for prefix in ("", *ARTICLE_PREFIXES))
_IN = _words("في ف")  # «فى» folds to «في»
NUMBER_WORDS = _words(
    """واحد اثنان اثنين ثلاثة ثلاث أربعة أربع خمسة خمس ستة ست سبعة سبع ثمانية ثماني تسعة تسع عشرة عشر
    عشرات مئات آلاف ألف الف مئة مائة مليون ملايين عشرين ثلاثين أربعين خمسين العشرات المئات الآلاف"""
)
_DATE_WORDS = _words(
    """يناير فبراير مارس أبريل ابريل مايو يونيو يوليو أغسطس سبتمبر أكتوبر نوفمبر ديسمبر كانون شباط آذار
    نيسان أيار حزيران تموز آب أيلول تشرين الأحد الاثنين الإثنين الثلاثاء الأربعاء الخميس الجمعة السبت
    أمس الماضي الجاري الحالي مطلع أوائل والأحد والأربعاء والخميس والجمعة"""
)
ASKS_PLACE = _words("أين اين وين وينه فين فاين منين")
# A place: a word that names one (مدينة، منطقة…) before its name, or a country or city of the gazetteer.
_PLACE_WORDS = _words(
    """مدينة المدينة مدينه منطقة المنطقة منطقه مناطق المناطق إقليم الإقليم اقليم مقاطعة المقاطعة ولاية
    العاصمة عاصمة مطار المطار ميدان الميدان ساحة الساحة شوارع الشوارع بلدة قرية مدن المدن غرب شرق شمال
    جنوب وسط أنحاء انحاء"""
)
_REASON_WORDS = _words("بسبب خلفية احتجاجا احتجاجًا جراء نتيجة لأن لان بهدف أجل زيادة ارتفاع ردا رداً إثر")


# A year as a question or a news sentence writes it (1800–2099).
YEAR = re.compile(r"(1[89]|20)\d\d")
# «ما اسم…», «مين…», «منو…», «شكون…», «من هو…»: the answer is a person's (or a body's) name.
ASKS_NAME = _words("اسم اسمه اسمها أسماء اسمو مين منو منهو مينو شكون سميتو سميتها سميتهم")
_PRONOUNS = _words("هو هي هم")
_RELATIVES = _words("الذي الذين التي اللي الي اللى")
_WHO = _words("من ومن")  # «ومن هو المتحدث…؟»: a message may open with «و»
_TITLES = _words(
    """الرئيس رئيس رئيسة وزير الوزير وزيرة المتحدث متحدث المتحدثة متحدثة السفير سفير الدبلوماسي
    الخبير الخبيرة الأمين أمين الزعيم زعيم القائد قائد الجنرال السيد السيدة نائب الملك الأمير المدير
    مدير المسؤول مسؤول والرئيس ورئيس ووزير"""
)
# «باسمها»: the spokesman on its behalf, whom the sentence does not name («وحث متحدث باسمها السلطات»).
_NOT_NAMES = _words(
    "إن ان أن إنه انه أنه باسم باسمه باسمها باسمهم في على عن من الى إلى لدى مع بعد قبل إنها انها أنها و"
)
_NAME_WINDOW = 4
# «باسم» of «المتحدث باسم…», also as typed without its alif («المتحدثة بسم الشرطة»).
ON_BEHALF = _words("باسم بسم")


# «وين نشر…؟»: a verb of publishing or posting after «where» asks for a medium, which news names by these
# words' stems (normalised): a page, a site, a statement, a tweet, a conference, an agency, a channel.
_PUBLISHING = _words("نشر نشرت نشرو نشروا ينشر تنشر كتب كتبت غرد غردت حط حطت")
_MEDIA = tuple(
    normalize(w)
    for w in """صفح موقع فيسبوك فيس تويتر تغريد بيان مؤتمر قناة قناه حساب الإلكتروني إلكتروني تلفزيون متلفز
    وكالة وكاله صحيفة صحيفه تلغرام انستغرام""".split()
)


# «ما الدول الأعضاء…؟», «شكون هوما الدول لي…؟»: a plural of «country» right after a question word or a
# pronoun asks for a list of countries, which a sentence gives by naming at least LISTED_COUNTRIES of them
# («…يضم دول سوفيتية سابقة هي روسيا، وأرمينيا، وكازاخستان…»). After a noun it is the noun's complement
# («قادة الدول», «جامعة الدول العربية»), not what is asked.
_COUNTRIES = _words("الدول دول البلدان بلدان")
_ASKING_LIST = _words("ما ماهي شو ايش إيش وش شنو شنهي اي أي ايه إيه مين منو شكون هي هم هوما همه هما")
LISTED_COUNTRIES = 3


# «إلى متى…؟», «قديش مدة…؟», «لأي مدة…؟», Egyptian «قد إيه؟» ask how long: a duration, told by a period
# («لفترة محدودة», «لمدة أسبوعين») rather than a date or a count.
_UNTIL = _words("إلى الى لحد لغاية لغايه حتى لامتى")
_PERIOD = _words("مدة مده مدّة فترة فتره")
_HOW_MUCH = _words("قد")
_WHAT = _words("ايه إيه ايش إيش")
# A period, not a unit that also dates («يوم الأربعاء», «الساعات الأولى», «شهر يناير»).
_DURATION_WORDS = _words(
    """فترة فتره لفترة لفتره مدة مده لمدة لمده أسبوعين اسبوعين أسابيع اسابيع يومين أيام ايام شهرين أشهر
    اشهر مؤقت مؤقتة مؤقته مؤقتا دائم دائمة دائمه"""
)


def _until_when(normal: str) -> bool:
    """«لإمتى», «لمتى»: «until when» written as one word."""
    return normal[:1] == "ل" and normal[1:] in ASKS_DATE


def _asks_duration(normals: Sequence[str]) -> bool:
    if any(map(_until_when, normals)):  # «حتى لإمتى غادي يبقاو؟», «لمتى؟»
        return True
    for first, second in pairwise(normals):
        if first in _UNTIL and second in ASKS_DATE:  # «إلى متى»
            return True
        if second in _PERIOD and (first in ASKS_NUMBER or first in _WHICH):
            return True  # «قديش مدة», «لأي مدة»
        if first in _HOW_MUCH and second in _WHAT:  # «قد إيه»
            return True
    return False


# «مين الرؤساء / القادة اللي…؟» asks several names: a sentence naming two title-holders or more.
_PLURAL_TITLES = _words("الرؤساء الرؤسا رؤساء رؤسا القادة قادة الزعماء زعماء المسؤولين مسؤولين")


_MEMBERS = _words("أعضاء الأعضاء وأعضاء عضوية")
_ALLIANCES = _words("منظمة المنظمة معاهدة تحالف التحالف حلف الحلف تكتل التكتل اتحاد الاتحاد")


def _asks_countries(normals: Sequence[str]) -> bool:
    """«ما الدول الأعضاء…؟», «شو هي الدول…؟»; «أعضاء منظمة…», «مين أعضاء التحالف؟» (an alliance's
    members are countries; «أعضاء الحكومة» are not)."""
    return any(
        (w in _COUNTRIES and i and normals[i - 1] in _ASKING_LIST) or (w in _MEMBERS and after in _ALLIANCES)
        for i, (w, after) in enumerate(zip(normals, [*normals[1:], ""], strict=True))
    )


# Verbs of putting out that publish only with a statement as their object: «نزّلت البيان فين؟», «طلع
# الكلام وين؟» (alone, «نزلت… فين» may ask where planes landed).
_PUTTING_OUT = _words("نزل نزلت نزلو نزلوا بينزل طلع طلعت طلعو طلعوا")
_STATEMENTS = _words(
    "بيان بيانها بيانه تصريح تصريحات تصريحاته تصريحاتها كلام كلامه كلامها منشور بوست تغريده رساله"
)


def publishes(normals: Sequence[str]) -> bool:
    """Whether the question's words speak of publishing or posting («نشرت», «حط», «غرد»), or of putting a
    statement out («نزّلت البيان»)."""
    if any(w in _PUBLISHING or w[1:] in _PUBLISHING for w in normals):
        return True
    words = {bare_word(w) for w in normals} | set(normals)
    return bool(words & _PUTTING_OUT) and bool(words & _STATEMENTS)


def asked_kind(normals: Sequence[str]) -> str | None:
    """ "duration", "number", "date", "reason", "place", "medium", "countries", "names" or "name" when the
    question's words ask for one, else None. «إلى متى…؟» asks how long; «وين نشر…؟» where something was
    published: a medium («على صفحته في فيسبوك»), not a place; «ما الدول الأعضاء…؟» a list of countries."""
    words = set(normals)
    if _asks_duration(normals):
        return "duration"
    for kind, cue in (
        ("number", ASKS_NUMBER),
        ("date", ASKS_DATE),
        ("reason", ASKS_REASON),
        ("place", ASKS_PLACE),
    ):
        if words & cue:
            return "medium" if kind == "place" and publishes(normals) else kind
    if words & {"عدد", PERCENT}:  # «ما عدد…», «ما نسبة…»
        return "number"
    if {bare_word(w) for w in words} & REASON_NOUNS:  # «ما سبب…», «شنو السبب…», «شنو أسباب…»
        return "reason"
    if _asking_noun(normals, _PLACE_ASKING_NOUNS):  # «ما مكان…»; not «في مكان…»
        return "place"
    for which, noun in pairwise(normals):  # «في أي يوم…», «بأي مدينة…»
        if which in _WHICH:
            if noun in _DATE_NOUNS:
                return "date"
            if noun in _PLACE_NOUNS:
                return "place"
    if _asking_noun(normals, _DATE_ASKING_NOUNS):
        return "date"  # «ما تاريخ…», «شنو موعد…»; not «…فترة سوداء في تاريخ البلد» (its history)
    if _asks_countries(normals):
        return "countries"
    # «من هو…», «من رئيس الوزراء الجديد؟»: «من» before a pronoun or a title asks who
    who = (
        len(normals) > 1
        and normals[0] in _WHO
        and (
            normals[1] in _PRONOUNS
            or title_stem(normals[1]) is not None
            # «من الذي عُيّن رئيسًا للوزراء؟»: before a relative, when the question names a title
            or (normals[1] in _RELATIVES and any(title_stem(w) for w in normals[2:]))
        )
    )
    if words & ASKS_NAME or who:
        return "names" if words & _PLURAL_TITLES else "name"  # «مين الرؤسا اللي…؟»: several
    return None


def _asking_noun(normals: Sequence[str], nouns: AbstractSet[str]) -> bool:
    """Whether a question's words hold one of ``nouns`` other than after «في»: a noun naming the kind of
    answer asked for («ما تاريخ…», «مكان بداية…»), not the time or place of something else («في تاريخ
    البلد»)."""
    return any(w in nouns and not (i and normals[i - 1] in _IN) for i, w in enumerate(normals))


# Words between «كم» and the thing counted: «كم عدد سكان…», «كم كان سعر…», «شحال من عسكري…».
# «ف»: Maghrebi «في» written apart («شحال ف عمر…؟»); not «في» itself, which cost a held-out answer.
_BEFORE_COUNTED = _words(
    "عدد كان كانت كانوا صار صارت هو هي هم من يا تقريبا بالضبط حوالي بلغ بلغت يبلغ تبلغ إجمالي مجموع حصيلة ف"
)
# «كم دام القتال؟», «كم استمرت الاحتجاجات؟»: a verb of lasting asks how long, and counts no thing.
LASTING = _words(
    """دام دامت يدوم تدوم استمر استمرت يستمر تستمر طال طالت يطول تطول ظل ظلت يظل تظل بقي بقيت يبقى
    تبقى ستبقى سيبقى استغرق استغرقت يستغرق تستغرق مكث مكثت يمكث تمكث"""
)

# «كم عمر المستحاثات التي كان يُظن أنها…»: a verb of belief or report qualifies what is counted, and is
# no event the sources must report in that verb («يعتقد بأنها…» says the same).
BELIEVING = _words(
    """يظن يظنون ظن ظنوا يعتقد يعتقدون اعتقد اعتقدوا يرى يرون يزعم يزعمون زعم زعموا يقال قيل يتوقع
    يتوقعون توقع يفترض يعتبر يعتبرون اعتبر يقدر يقدرون قدر"""
)


# «بكم / بكام» ask a price («for how much»): what they count is the question's word for it.
_ASKS_PRICE = _words("بكم بكام")
_PRICE_NOUNS = _words("سعر ثمن أسعار اسعار تكلفة كلفة قيمة")


def counts_how_many(normals: Sequence[str]) -> bool:
    """Whether the question asks how many: «كم» or a dialect «كم», «نسبة», or «عدد» before a definite
    noun («عدد الجرحى المدنيين», «ما عدد القتلى؟»; not the verb «عدّد بعض…», which asks for a list)."""
    if ASKS_NUMBER.intersection(normals) or PERCENT in normals:
        return True
    return any(w == "عدد" and is_definite_noun(after) for w, after in pairwise(normals))


# «شكد كالت انكتل…؟», «كم قالوا مات؟»: a verb of saying between «كم» and what it counts, as spoken.
_SAID = _words("كال كالت كالوا كالو قالو قالوا يقولون يقولوا يكولون يكولوا بيقولوا بيقولو بتقول بيقول")


def _before_counted(normal: str) -> bool:
    """Whether ``normal`` stands between «كم» and what it counts: «عدد», «كان», «حوالي»…, or a verb of
    saying («كم قالت الحكومة قتل؟»)."""
    return normal in _BEFORE_COUNTED or normal in _SAYING or normal in _SAID or normal.startswith("عدد")


def counted_word(normals: Sequence[str]) -> str | None:
    """The word naming what a «كم» question counts (normalised), or None: «كم عدد سكان…» → «سكان»;
    None too when a verb of lasting follows (how long: «كم دام القتال؟»)."""
    if _ASKS_PRICE & set(normals):  # «سعر الغاز كان بكام؟»: the price asked for, before or after
        price = next((w for w in normals if bare_word(w) in _PRICE_NOUNS), None)
        if price:
            return price
    for i, word in enumerate(normals):
        if word in ASKS_NUMBER or word in ("عدد", PERCENT):
            rest = [w for w in normals[i + 1 :] if not _before_counted(w)]
            return rest[0] if rest and rest[0] not in LASTING else None
    return None


def holds_kind(text: str, kind: str) -> bool:
    """Whether ``text`` holds the kind of answer asked for."""
    words = normalize(text).split()
    if kind == "number":
        return any(w.isdigit() for w in words) or bool(set(words) & NUMBER_WORDS)
    if kind == "date":
        return bool(set(words) & _DATE_WORDS) or any(YEAR.fullmatch(w) for w in words)
    if kind == "reason":
        return bool(set(words) & _REASON_WORDS)
    if kind == "name":
        return holds_name(words)
    if kind == "names":
        return holds_name(words, at_least=2)
    if kind == "duration":
        return bool(set(words) & _DURATION_WORDS)
    if kind == "countries":  # countries by name («روسيا، وأرمينيا…»), not by a leader's nationality
        named = (_nation(w) or (w[:1] in "وبلف" and _nation(w[1:])) for w in words)  # «وأرمينيا»
        return len({n for n in named if n}) >= LISTED_COUNTRIES
    if kind == "medium":
        return any(bare_word(w).startswith(_MEDIA) or w.startswith(_MEDIA) for w in words)
    if kind == "place":
        return bool(set(words) & _PLACE_WORDS) or any(entity_of(w) for w in words)
    return True


# A «when» question whose best sentences hold no date, while the decline model is not sure of them, is
# declined as an unstated date (``undated``): the sources tell of the event, not when it happened.
DATED_DEPTH = 2  # the best sentences searched for a date
# P(answerable) from the decline model at or above which undated sentences stand. Stop 31 raised it from
# 0.6 once a «when» clause and «منذ حوالي مليار سنة» count as times: tuning +9 unanswerable declined and
# held-out +6, for one answerable question each (tuning: not first-ranked); XQuAD-ar keeps its first
# answers and declines one question more (ranked 5th), 11 in all.
UNDATED_CEILING = 0.95
_CENTURIES = _words("القرن قرن للقرن بالقرن القرنين")
# «…عندما بدأت ألمانيا في بناء إمبراطوريتها»: a clause that tells when, as a date does.
_WHEN_CLAUSE = _words("عندما حينما وعندما وحينما")
# «منذ حوالي مليار سنة», «قبل ثلاثة قرون»: a time told as a span before now.
_AGO = _words("منذ قبل")
_ABOUT = _words("حوالي حوالى نحو قرابة زهاء")
_COUNTS = NUMBER_WORDS | _words("مليار مليارات")
_SPANS_AGO = _words("سنه سنوات سنين عام اعوام قرن قرون قرنا عقد عقود السنين السنوات الاعوام القرون العقود")


def dated(text: str) -> bool:
    """Whether ``text`` dates something: a date word or year (``holds_kind``), any figure written in
    digits («1521», «7/1»), a century or a decade («الثمانينيات»), a «when» clause («عندما…») or a span
    before now in words («منذ حوالي مليار سنة»)."""
    if holds_kind(text, "date"):
        return True
    words = normalize(text).split()
    return any(
        any(ch.isdigit() for ch in w) or w in _CENTURIES or w in _WHEN_CLAUSE or w.endswith(("ينيات", "ينات"))
        for w in words
    ) or any(_ago(words[i + 1 : i + 5]) for i, word in enumerate(words) if word in _AGO)


def _ago(after: Sequence[str]) -> bool:
    """Whether the words after «منذ / قبل» count a span of time: [about] number words, then a unit
    («حوالي مليار سنة», «ثلاثة آلاف عام»)."""
    counted = False
    for word in after:
        if word in _COUNTS:
            counted = True
        elif word not in _ABOUT:
            return counted and word in _SPANS_AGO
    return False


# «حتى تشكيل حكومة جديدة», «لحين انتهاء المهمة»: how long, told by the event that ends it.
_TILL = _words("حتى لحين ريثما")


def _lasts_until(words: Sequence[str]) -> bool:
    """Whether normalised ``words`` tell how long by what ends it: «حتى» and the like before a content
    word (not «حتى لو», even if)."""
    return any(w in _TILL and after not in STOP_WORDS for w, after in pairwise(words))


def gives_kind(text: str, kind: str) -> bool:
    """Whether ``text`` gives the kind of answer asked for, a date as :func:`dated` reads one (a year, a
    century), a duration also as the event it lasts until (:func:`_lasts_until`): broader than the
    decline features' ``holds_kind``."""
    if kind == "date":
        return dated(text)
    if kind == "duration" and _lasts_until(normalize(text).split()):
        return True
    return holds_kind(text, kind)


# Kinds of answer the next sentence of the best one's article may give instead (``continued_first``).
# Not several names: the sentence after one naming the leaders Putin called names two other people.
CONTINUED_KINDS = frozenset({"duration", "date", "medium"})


def continued_first(kind: str | None, best: str, after: str | None) -> bool:
    """Whether the sentence after the best one in its article (``after``) should be shown first: ``kind``
    is one of ``CONTINUED_KINDS``, and ``after`` gives it (:func:`gives_kind`) while ``best`` does not.
    «…وافق رئيس الدولة على استقالة الحكومة. وسيواصل أعضاؤها أداء مهامهم حتى تشكيل حكومة جديدة.»: the
    question «لحد امتى هيفضلوا الوزرا شغالين؟» finds the first, the second tells how long."""
    if kind not in CONTINUED_KINDS or after is None:
        return False
    return not gives_kind(best, kind) and gives_kind(after, kind)


# Kinds of answer whose sentence is shown first when the second best holds one and the best does not: a
# date (``dated``), a duration, a medium («وين نشر…؟»), a list of countries («ما الدول الأعضاء…؟») and
# several names («مين الرؤسا…؟»). Measured: for numbers, one name, places and reasons the swap lost as many
# first answers as it gained, on our sets and on XQuAD-ar.
PREFERRED_KINDS = frozenset({"date", "duration", "medium", "countries", "names"})


def second_first(kind: str | None, texts: Sequence[str]) -> bool:
    """Whether the second of the best sentences (``texts``, best first) should be shown first: ``kind`` is
    one of ``PREFERRED_KINDS`` and the second gives it (:func:`gives_kind`) while the first does not."""
    if kind not in PREFERRED_KINDS or len(texts) < 2:
        return False
    return not gives_kind(texts[0], kind) and gives_kind(texts[1], kind)


def undated(kind: str | None, texts: Sequence[str], probability: float) -> bool:
    """Whether a question asking «when» (``kind`` "date") finds no date in its ``DATED_DEPTH`` best
    sentences (``texts``, best first) while the decline model gives them less than ``UNDATED_CEILING``:
    «متى انسحبت القوات؟» finds the withdrawal only as a prospect («انسحاب الروس… سيكون صعبا»).
    Measured: tuning sets +9 unanswerable declined for 1 answerable (not first-ranked); XQuAD-ar none."""
    if kind != "date" or probability >= UNDATED_CEILING:
        return False
    return not any(dated(text) for text in texts[:DATED_DEPTH])


def unplaced(kind: str | None, asked: Sequence[str], best: Sequence[str]) -> bool:
    """Whether a «كم» question (``kind`` "number") asks about a place of Kazakhstan that the best sentence
    and its neighbours (``best``, normalised) never name («كم واحد مات في نور سلطان؟» answered by «103 من
    القتلى سقطوا في مدينة ألماتي»): the figure shown counts another place, or the whole country.
    ``asked``: the normalised words of the question's asking clauses."""
    if kind != "number":
        return False
    places = kazakh_places(asked)
    return bool(places) and not places <= kazakh_places(" ".join(best).split())


STANCE_WORDS = _words("موقف موقفه موقفها الموقف رأي رأيه رأيها رد ردة ردود تفاعل تفاعلت")


# The verb «رأى» (he deemed: «ما القاعدة التي رأى المبعوث أنها…») normalises as the noun «رأي» (opinion)
# does; as written, with its alef maqsura, it asks no stance.
_DEEMED = re.compile(r"(?<!\w)[وف]?(?:رأى|راى)(?!\w)")


def unvoiced(
    asked: Sequence[str], accounted: Callable[[], AbstractSet[str]], written: str = ""
) -> str | None:
    """The word of a question asking one country's stance («شنو موقف العراق من أحداث كازاخستان؟») for a
    country not ``accounted()`` for: named by the best sentence or its neighbours (as a country, a
    nationality or a word of its variant group), or the corpus's own country, which its sentences need
    not name. The sources then quote other parties, and mention that country at most in passing.
    ``accounted`` is called only for a question asking a stance; None for one asking none or two («ما
    موقف المنظمة وما موقف الخارجية؟»: each part has its own best sentence). ``written``: the question as
    typed, where the verb «رأى» is told from the noun «رأي» (``_DEEMED``)."""
    stance = STANCE_WORDS - {normalize("رأي")} if _DEEMED.search(written) else STANCE_WORDS
    if sum(word in stance for word in asked) != 1:
        return None
    countries = accounted()
    return next((word for word in asked if nations_of([word]) - countries), None)


# A question about a country's government or its official word («الحكومة القطرية», «الخارجية القطرية»,
# «رسميًا»), and the words that make an office-holder a former one.
GOVERNMENT_WORDS = _words(
    "حكومة الحكومة حكومته حكومتها الخارجية وزارة الوزارة رسمي رسميا رسمية الرسمي الرسمية السلطات سلطات"
)
FORMER_WORDS = _words("السابق السابقة الأسبق سابق سابقة أسبق سابقا")
_FORMER_REACH = 3  # «رئيس الوزراء وزير الخارجية القطري السابق»: «السابق» right after the nationality


def unofficial(asked: Sequence[str], texts: Sequence[str], home: AbstractSet[str]) -> str | None:
    """The country whose government a question asks about («الحكومة القطرية نفسها وش قالت رسميًا؟») when
    ``texts`` (the best sentence and its neighbours, normalised) name that country only through a former
    office-holder («رئيس الوزراء وزير الخارجية القطري السابق»): he speaks for himself, not for his
    country's government, which the sources then never quote. None when the question asks about the
    former one itself («بحسب رئيس الحكومة القطرية الأسبق…»; «السابقة» elsewhere in it is no matter: «…تلك
    الجمهورية السوفيتية السابقة»), names no government, or names only the corpus's own country
    (``home``), or when the texts never name the country (other rules judge that)."""
    if not set(asked) & GOVERNMENT_WORDS:
        return None
    said = [text.split() for text in texts]
    for nation in sorted(nations_of(asked) - home):
        if _former(nation, [list(asked)]) is not False:  # the question's own «القطري السابق», or none
            continue
        if _former(nation, said):
            return nation
    return None


def _former(nation: str, sentences: Sequence[Sequence[str]]) -> bool | None:
    """Whether every mention of ``nation`` in ``sentences`` (normalised words) names a former
    office-holder's country («القطري السابق»); None when none mentions it."""
    mentions = [(s, i) for s in sentences for i, word in enumerate(s) if nations_of([word]) == {nation}]
    if not mentions:
        return None
    return all(FORMER_WORDS & set(s[i + 1 : i + 1 + _FORMER_REACH]) for s, i in mentions)


def unsaid(asked: Sequence[str], accounted: Callable[[], AbstractSet[str]]) -> str | None:
    """The country (normalised) a yes/no question names by its name («هل أرسلت أرمينيا جنودًا ضمن قوات حفظ
    السلام؟») when ``accounted()`` lacks it (as in :func:`unvoiced`). The question asks whether that
    country did something; a sentence on the deed that never names it («وقد بدأ جنود حفظ السلام…») says
    neither yes nor no. So does a nationality adjective after a noun («هل أطلقت القوات الروسية النار…؟»),
    but not after a title: «هل كان دخول القوات مشروعًا برأي السفير الروسي؟» is answered by «وأكد السفير
    أنتونوف…», which names the man, not his country."""
    named = [country for i in range(len(asked)) if (country := _named_country(asked, i))]
    if not named:
        return None
    countries = accounted()
    return next((country for country in named if country not in countries), None)


def _named_country(words: Sequence[str], i: int) -> str | None:
    """The country ``words[i]`` names by its name, or by a nationality adjective that follows no title:
    «القوات الروسية», «جندي روسي» speak of Russia's forces, while «السفير الروسي» is a man whom a
    sentence may name without his country («وأكد السفير أنتونوف…»)."""
    word = words[i]
    if everyday_sense(words, i):  # «هل قدمت روسيا دعمًا ماليًا…؟» names no country
        return None
    if country := _nation(word):
        return country
    return None if i and title_stem(words[i - 1]) else nationality_of(word)


def holds_name(words: Sequence[str], at_least: int = 1) -> bool:
    """A person's name follows a title (الرئيس، وزير، المتحدث…) within a few words (``at_least`` titles
    so followed: «مع رئيس قيرغيزستان صدير جاباروف، والرئيس البيلاروسي ألكسندر لوكاشينكو» holds two).

    News Arabic names a person after their title («وزير الخارجية الأمريكي أنتوني بلينكن»); the words in
    between carry the article (الخارجية، الأمريكي) while a name does not, so the first word after a title
    without the article, not a function word, is taken for the name.
    """
    found = 0
    for i, word in enumerate(words):
        if word not in _TITLES:
            continue
        for following in words[i + 1 : i + 1 + _NAME_WINDOW]:
            if following in _NOT_NAMES or following.isdigit():
                break
            if following.startswith(("ال", "وال", "بال", "لل")) or following in _TITLES:
                continue
            found += 1
            break
        if found >= at_least:
            return True
    return False


# A title's word without its proclitics and case ending: «والرئيس», «لرئيس», «رئيسا» → «رئيس»;
# «المتحدثة» → «متحدث». The titles a «who / what name» question asks a name for.
_TITLE_STEMS = frozenset(  # «والرئيس», «ورئيس», «ووزير» are spellings of titles listed without «و»
    bare_word(w) for w in _TITLES if not w.startswith("و") or w.startswith("وزير")
) | _words("عمدة محافظ حاكم ناطق ريس رياس قياد زعام")
# Two words for one role: «الناطق باسم…» is «المتحدث باسم…»; «الريس», as Egypt says and Arabizi
# «ra2ees» reads, is «الرئيس»; the office names its holder as the title does: «برئاسة فلان», «تحت قيادة
# فلان» (its «ة» is taken off as a feminine's).
_SAME_TITLE = {
    "ناطق": "متحدث",
    "ريس": bare_word(normalize("رئيس")),
    "رياس": bare_word(normalize("رئيس")),
    "قياد": normalize("قائد"),
    "زعام": "زعيم",
}
_COMPLEMENT = 4  # words after a title that may spell its complement («رئيس منظمة معاهدة الأمن الجماعي»)
_TITLE_RUN = 6  # words after a title searched for the holder's name, past its qualifiers
# News verbs of saying that stand before a title («وقالت متحدثة…»): no name.
_SAYING = _words(
    """قال قالت وقال وقالت أعلن أعلنت وأعلن وأعلنت أكد أكدت وأكد وأكدت أضاف أضافت وأضاف وأضافت أوضح
    أوضحت ذكر ذكرت صرح صرحت أشار أشارت وأشار وأشارت زعم زعمت وزعم عين وعين عينت أفاد أفادت"""
)


def title_stem(normal_word: str) -> str | None:
    """The title ``normal_word`` is (without و/ب/ل/ال, a feminine ة or a final tanwin ا), else None."""
    for prefix in ("", "وال", "بال", "لل", "ال", "و", "ب", "ل"):
        if not normal_word.startswith(prefix) or len(normal_word) - len(prefix) < 3:
            continue
        word = normal_word[len(prefix) :]
        for stem in (word.removesuffix("ه"), word.removesuffix("ا"), word):
            if stem in _TITLE_STEMS:
                return _SAME_TITLE.get(stem, stem)
    return None


def nations_of(words: Sequence[str]) -> set[str]:
    """The countries normalised ``words`` name, as countries or nationalities (كازاخستان، الكازاخي)."""
    named = (nationality_of(w) or _nation(w) for w in words)
    return {n for n in named if n}


def _nation(normal_word: str) -> str | None:
    """The country a normalised word names, with or without its article or a proclitic (كازاخستان،
    والصين، بالصين), when it has a nationality adjective (``NATION_NAMES``)."""
    for candidate in (normal_word, bare_word(normal_word), entity_of(normal_word)):
        if candidate in NATION_NAMES:
            return candidate
    return None


def names_holder(
    words: Sequence[str],
    title: str,
    asked: AbstractSet[str],
    asked_names: AbstractSet[str] = frozenset(),
    completes: Callable[[str, Sequence[str]], bool] | None = None,
) -> bool:
    """Whether ``words`` (a normalised sentence) name somebody holding ``title``: a word that is no
    article-word, title, function word, number or word of the question (``asked``) follows the title
    within a few words (the words between carry the article: «وزير الخارجية الأمريكي أنتوني بلينكن»),
    or stands just before it («…سمايلوف رئيسا للوزراء»), not a verb of saying («وقالت متحدثة…»).
    A title of another country than the question names is not the one asked about («رئيس الوزراء
    القطري» for «رئيس الوزراء الكازاخستاني»), nor a name of the question's own (``asked_names``:
    «الرئيس قاسم جومارت توكاييف» for «من كان رئيسًا قبل توكاييف؟»). ``completes(title, after)``: whether
    a title of the sentence and the words right after it can be the question's role («الرئيس توكاييف…
    الحكومة» is no «رئيس الحكومة»)."""
    nations = nations_of(list(asked))

    def candidate(word: str) -> bool:
        return not (
            word in STOP_WORDS
            or _nation(word) is not None
            or nationality_of(word) is not None
            or word in _NOT_NAMES
            or word in asked
            or word.isdigit()
            or word in _DATE_WORDS
            or title_stem(word)
            or is_definite_noun(word)
        )

    for i, word in enumerate(words):
        if title_stem(word) != title:
            continue
        if completes is not None and not completes(word, words[i + 1 : i + 1 + _COMPLEMENT]):
            continue
        run = i + 1  # the question's own words after the title are its complement, not its qualifiers
        while run < len(words) and words[run] in asked:
            run += 1
        following = list(words[i + 1 : run + _TITLE_RUN])
        if following[:1] and following[0] in ON_BEHALF:  # «المتحدث باسم الكرملين ديمتري بيسكوف»: no name
            following = following[2:]
        held_by_asked = False  # the title is followed by the question's own name: it names its holder
        # «رئيس المنظمة، رئيس الوزراء الأرميني نيكول باشينيان»: past the title repeated in apposition, a
        # nationality qualifies the holder's other role, not the one asked about
        apposed = False
        for at, after in enumerate(following):
            apposed = apposed or title_stem(after) == title
            if after in asked_names:  # «رئيس كازاخستان قاسم توكاييف» for «…قبل قاسم توكاييف؟»
                held_by_asked = True
                break
            if (
                after.isdigit()
                or after in _NOT_NAMES - {"و"}
                or (nations and not apposed and nations_of([after]) - nations)
            ):
                break
            if candidate(after):
                # «الرئيس الكازاخستاني قاسم جومرت توكاييف» for «من كان رئيسًا قبل توكاييف؟»
                held_by_asked = _asked_name(following[at:], candidate, asked_names)
                if held_by_asked:
                    break
                return True
        if held_by_asked:  # «تلبية لطلب رئيس كازاخستان قاسم توكاييف»: no name stands before the title
            continue
        if nations and nations_of(following[:2]) - nations:
            continue
        start = i  # «…جالينا بورتر نائبة المتحدث»: back past titles to the word before them
        while start and title_stem(words[start - 1]):
            start -= 1
        # A name stands before a title in apposition («كيت مالينسون الخبيرة», «سمايلوف رئيسًا»). Before a
        # title in construct stands a verb as often («وافق رئيس الدولة»): there a name of two words is
        # asked for («جالينا بورتر نائبة المتحدث»).
        apposed = is_definite_noun(words[start]) or words[start].endswith("ا")
        before = words[max(0, start - (1 if apposed else 2)) : start]
        if len(before) == (1 if apposed else 2) and all(candidate(w) and w not in _SAYING for w in before):
            return True
    return False


def _asked_name(run: Sequence[str], candidate: Callable[[str], bool], names: AbstractSet[str]) -> bool:
    """Whether the name that ``run`` opens with (its words up to the first that is neither a name
    ``candidate`` nor a name the question holds, ``names``) is one the question itself names: the
    person a «who» question speaks of is not its answer."""
    for word in run:
        if word in names:
            return True
        if not candidate(word):
            return False
    return False


# «هل…؟», Maghrebi «واش…؟»: a question asking whether something is so; «أم» makes it a choice.
YES_NO = _words("هل وهل أهل واش")
_HE = _words("هو هي")  # «هو صحيح…؟»: the pronoun before a word of truth
_OR = normalize("أم")


_SUCCESSION = _words("قبل بعد وقبل وبعد")


def succeeds(normals: Sequence[str], names: AbstractSet[str]) -> bool:
    """Whether a question (normalised words) asks about whoever came before or after one of ``names``
    (normalised): «…قبل توكاييف؟», «…بعد نزارباييف؟»."""
    return any(first in _SUCCESSION and second in names for first, second in pairwise(normals))


def asks_yes_no(
    normals: Sequence[str], framing: AbstractSet[str] = frozenset(), openers: AbstractSet[str] = frozenset()
) -> bool:
    """Whether a question (normalised words) opens with a yes/no particle, past its ``framing`` words
    (greetings, thanks, «طيب»): «هل زار بوتين كازاخستان؟». A yes/no question asks whether one thing is
    so, which a sentence on its topic that says neither yes nor no does not answer: the decline model
    asks more evidence of it (``DeclineModel.yes_no_threshold``). A long message asking yes/no in
    passing («…فبدي أعرف: وهل فعلا وصلت…») does not open with one, and «هل… أم…؟» asks to choose.
    A word of truth (``openers``) the parser set aside as framing opens one too, after «هو»: «هو صحيح
    انحرق المبنى؟», «صدق قطعوا النت؟»."""
    for word in normals:
        if word in YES_NO or (word in framing and word in openers):
            return _OR not in normals
        if word not in framing and word not in _HE:
            return False
    return False


# A question set after the events as a whole: «بعد الأحداث», «بعد انتهاء الاضطرابات», «بعد سنة من
# الأزمة». The words for the whole episode, not for one of its acts («بعد استقالة الحكومة» asks what the
# sources may tell); the protests count only with their end («بعد انتهاء الاحتجاجات»), since what followed
# their start is the news itself.
_AFTER = _words("بعد وبعد بعدما")
_EPISODE = _words("احداث الاحداث اضطرابات الاضطرابات ازمه الازمه قلاقل القلاقل")
_ENDING = _words("انتهاء نهايه انتها انتهت خلصت")
_SPANS = _words("سنه عام شهر شهور اشهر سنتين عامين")
_AFTER_WINDOW = 3  # «بعد سنة من الأحداث»: the episode within this many words of «بعد»
_THAT = _words("ما لما")  # «بعد ما / بعد لما» + a verb: «بعدما» written apart


def after_the_events(normals: Sequence[str]) -> bool:
    """Whether normalised words speak of the time after the events as a whole («بعد الأحداث»)."""
    for i, word in enumerate(normals):
        if word not in _AFTER:
            continue
        start = i + 1
        if start < len(normals) and normals[start] in _THAT:  # «بعد ما انتهت…», as «بعدما انتهت…»
            start += 1
        following = normals[start : start + _AFTER_WINDOW]
        if following[:1] and (following[0] in _ENDING or following[0] in _EPISODE):
            return True
        if following[:1] and following[0] in _SPANS and any(w in _EPISODE for w in following[1:]):
            return True
    return False


def speaks_after(texts: Iterable[str]) -> bool:
    """Whether any of ``texts`` (sentences, as written) speaks of the time after the events as a whole;
    each is normalised only when the one before it did not."""
    return any(after_the_events(normalize(text).split()) for text in texts)


def asks_after_the_events(asked: Sequence[str], best: Iterable[str]) -> bool:
    """Whether a question (its asking words, normalised) is set after the events as a whole — «متى زار
    توكاييف موسكو بعد الأحداث؟», «هل مددت السلطات الطوارئ بعد انتهاء مدتها؟» — while its ``best``
    sentences never speak of what came after them (:func:`speaks_after`, read only for such a
    question): the sources tell the events as they happened, and what followed is not in them, whatever
    the topic's words match."""
    return after_the_events(asked) and not speaks_after(best)


# Nouns that name the kind of answer a question wants, not its topic: «ما الجهة التي…», «ما الغاية من…»,
# «ما النهج الذي…», «ما الحصيلة الإجمالية…». Written from the shapes of Arabic questions, not from the
# corpus: a paraphrasing reader asks for «the body», «the aim», «the approach» where the news names
# the body or the aim itself, so such a noun missing from the corpus never makes the topic unknown.
FRAME_NOUNS = _words(
    """جهة جهات غاية غايات هدف أهداف غرض أغراض نهج منهج أسلوب أساليب طريقة طرق وسيلة وسائل رسالة
    مسألة قضية فكرة خطوة خطوات إجراء إجراءات تدبير تدابير صفة تسمية وصف نوع طبيعة شكل مصير دور
    عبارة عبارات كلمة كلمات تعبير مصطلح لفظ حجة ذريعة نتيجة نتائج حصيلة مجموع إجمالي إجمالية مقدار
    حجم واجب"""
)


def is_frame_noun(normal_word: str) -> bool:
    """A noun naming the kind of answer asked for (``FRAME_NOUNS``, or one of the interrogative frame
    words ``text.FRAME_WORDS``: «الموقف», «السبب»), with or without the article."""
    bare = bare_word(normal_word)
    return bare in FRAME_NOUNS or bare in FRAME_WORDS


def is_definite_noun(normal_word: str) -> bool:
    """A word carrying the article (الاستفتاء, بالدولار): it names a specific thing or topic."""
    return any(normal_word.startswith(f) and len(normal_word) - len(f) >= 3 for f in ARTICLE_PREFIXES)


@dataclass(frozen=True)
class DeclineModel:
    """A logistic model: P(the corpus answers) from the features; decline below ``threshold``, or below
    ``yes_no_threshold`` for a yes/no question (:func:`asks_yes_no`) when the file sets one."""

    weights: Mapping[str, float]
    bias: float
    threshold: float
    yes_no_threshold: float | None = None

    def probability(self, features: Mapping[str, float]) -> float:
        z = self.bias + sum(self.weights.get(name, 0.0) * value for name, value in features.items())
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def declines(self, features: Mapping[str, float], *, yes_no: bool = False) -> bool:
        floor = self.threshold
        if yes_no and self.yes_no_threshold is not None:  # never below the model's own threshold
            floor = max(floor, self.yes_no_threshold)
        return self.probability(features) < floor


def parse_model(raw: Mapping[str, object], features: Sequence[str] = FEATURES) -> DeclineModel:
    """One model from its table: ``bias``, ``threshold`` and a ``weights`` table of ``features``."""
    weights = raw.get("weights")
    if not isinstance(weights, dict) or "bias" not in raw or "threshold" not in raw:
        raise ValueError("a decline model needs bias, threshold and a weights table")
    unknown = set(weights) - set(features)
    if unknown:
        raise ValueError(f"unknown decline features: {', '.join(sorted(unknown))}")
    yes_no = raw.get("yes_no_threshold")
    return DeclineModel(
        {str(k): float(v) for k, v in weights.items()},
        float(raw["bias"]),  # type: ignore[arg-type]
        float(raw["threshold"]),  # type: ignore[arg-type]
        None if yes_no is None else float(yes_no),  # type: ignore[arg-type]
    )


@dataclass(frozen=True)
class DeclineModels:
    """The model for BM25's ranking and the one for the encoder's (which also weighs the cosine)."""

    bm25: DeclineModel
    encoder: DeclineModel

    def for_hit(self, cosine: float | None) -> DeclineModel:
        return self.bm25 if cosine is None else self.encoder


def parse_models(raw: Mapping[str, object]) -> DeclineModels:
    tables = {name: raw.get(name) for name in ("bm25", "encoder")}
    if not all(isinstance(t, dict) for t in tables.values()):
        raise ValueError("the decline model file needs [bm25] and [encoder] tables")
    return DeclineModels(
        parse_model(tables["bm25"], BM25_FEATURES),  # type: ignore[arg-type]
        parse_model(tables["encoder"], FEATURES),  # type: ignore[arg-type]
    )


@lru_cache(maxsize=1)
def load_models() -> DeclineModels:
    """The bundled models (read once)."""
    text = resources.files("retrieval").joinpath("data/decline.toml").read_text("utf-8")
    return parse_models(tomllib.loads(text))
