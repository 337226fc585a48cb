"""Named entities a reader may ask about: countries, world cities, organisations, currencies.

General knowledge, not corpus knowledge: when a question names one of these and the corpus never
mentions it, the answer is declined outright («لا تذكر المصادر الصين») even if the rest of the question
matches well — loosely related sentences about other countries would mislead.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from retrieval.text import normalize

_COUNTRIES = """
أفغانستان ألبانيا الجزائر أندورا أنغولا الأرجنتين أرمينيا أستراليا النمسا أذربيجان البحرين بنغلاديش
بيلاروسيا روسيا_البيضاء بلجيكا بنين بوتان بوليفيا البوسنة بوتسوانا البرازيل بروناي بلغاريا بوركينا بوروندي
كمبوديا الكاميرون كندا تشاد تشيلي الصين كولومبيا الكونغو كوستاريكا كرواتيا كوبا قبرص التشيك الدنمارك
جيبوتي الدومينيكان الإكوادور مصر السلفادور إريتريا إستونيا إثيوبيا فنلندا فرنسا الغابون غامبيا جورجيا
ألمانيا غانا اليونان غواتيمالا غينيا هايتي هندوراس المجر هنغاريا آيسلندا الهند إندونيسيا إيران العراق
أيرلندا إسرائيل إيطاليا جامايكا اليابان الأردن كينيا الكويت لاوس لاتفيا لبنان ليبيريا ليبيا ليختنشتاين
ليتوانيا لوكسمبورغ مدغشقر ملاوي ماليزيا المالديف مالي مالطا موريتانيا موريشيوس المكسيك مولدوفا موناكو
منغوليا الجبل_الأسود المغرب موزمبيق ميانمار ناميبيا نيبال هولندا نيوزيلندا نيكاراغوا النيجر نيجيريا
كوريا النرويج عمان عُمان باكستان فلسطين بنما باراغواي بيرو الفلبين بولندا البرتغال قطر رومانيا رواندا
السعودية السنغال صربيا سيراليون سنغافورة سلوفاكيا سلوفينيا الصومال إسبانيا سريلانكا السودان سورينام
السويد سويسرا سوريا تايوان تنزانيا تايلاند توغو تونس تركيا تركمانستان أوغندا أوكرانيا الإمارات بريطانيا
المملكة_المتحدة الأوروغواي فنزويلا فيتنام اليمن زامبيا زيمبابوي البيرو الفاتيكان كوسوفو
"""
_CITIES = """
بكين شنغهاي طوكيو نيودلهي إسلام_آباد طهران أنقرة إسطنبول القاهرة الرياض دبي الدوحة باريس برلين لندن روما
مدريد بروكسل جنيف فيينا وارسو كييف مينسك طشقند طاشقند بيشكيك بشكيك دوشنبه دوشانبي عشق_آباد باكو تبليسي يريفان
بغداد دمشق بيروت
عمان_العاصمة كابول نيويورك بكين سيول بيونغ_يانغ
"""
_ORGANISATIONS = """
الناتو النيتو الأطلسي الأمم_المتحدة مجلس_الأمن جامعة_الدول_العربية الجامعة_العربية حلف_الناتو
منظمة_الصحة_العالمية البنك_الدولي الاتحاد_الأوروبي الاتحاد_الأوروبي الاتحاد_الأفريقي الجامعة_العربية
منظمة_شنغهاي بريكس صندوق_النقد البنك_الدولي أوبك الفيفا اليونسكو اليونيسف الصليب_الأحمر فاغنر
طالبان داعش القاعدة
هيومن_رايتس_ووتش منظمة_العفو_الدولية العفو_الدولية أمنستي أطباء_بلا_حدود الإنتربول الانتربول
المحكمة_الجنائية_الدولية محكمة_العدل_الدولية مجلس_حقوق_الإنسان رابطة_الدول_المستقلة منظمة_التجارة_العالمية
الاتحاد_الاقتصادي_الأوراسي
"""
_CURRENCIES = """
الدولار اليورو الروبل التنغي التينغي اليوان الين الجنيه الإسترليني الليرة الريال الدينار الدرهم
"""

ENTITIES: frozenset[str] = frozenset(
    normalize(word.replace("_", " "))
    for block in (_COUNTRIES, _CITIES, _ORGANISATIONS, _CURRENCIES)
    for word in block.split()
)
# Multi-word entities are matched as phrases («جامعة الدول العربية»): each word alone is no entity.
_SINGLE = frozenset(e for e in ENTITIES if " " not in e)
MULTIWORD_ENTITIES: frozenset[str] = frozenset(e for e in ENTITIES if " " in e)
_PROCLITICS = ("وال", "بال", "فال", "كال", "لل", "و", "ب", "ل", "ف", "ك")


def entity_of(normal_word: str) -> str | None:
    """The gazetteer entity a normalised word names (with or without و/ب/ل/ال), else None."""
    return next((candidate for candidate in _unprefixed(normal_word) if candidate in _SINGLE), None)


# Names that are also everyday words: «القاعدة» is the organisation, or a rule or a base («ما القاعدة
# التي…», «القاعدة الجوية»); «مالي» is the country, or "financial" («دعم مالي»).
_RULE_OR_BASE = normalize("القاعدة")
_FINANCIAL = normalize("مالي")
_RELATIVES = frozenset(normalize(w) for w in "التي الذي اللي الي اللى".split())
_BEFORE_A_COUNTRY = frozenset(normalize(w) for w in "في من إلى الى على عن دولة جمهورية لدولة بدولة".split())


def everyday_sense(normal_words: Sequence[str], i: int) -> bool:
    """Whether ``normal_words[i]``, an entity name that is also an everyday word, is the everyday word
    here: «القاعدة» before a relative or a definite word (an adjective: «القاعدة العسكرية»), a bare
    «مالي» except after a preposition or «دولة» («في مالي»: the country; «دعم مالي»: financial)."""
    word = normal_words[i]
    if _RULE_OR_BASE in _unprefixed(word):
        following = normal_words[i + 1] if i + 1 < len(normal_words) else ""
        return following in _RELATIVES or (following.startswith("ال") and len(following) > 4)
    if word == _FINANCIAL:
        return not (i and normal_words[i - 1] in _BEFORE_A_COUNTRY)
    return False


def names_entity(normal_word: str, normal_words: Sequence[str]) -> bool:
    """Whether ``normal_word`` names a gazetteer entity (:func:`entity_of`) where it stands in the
    question's ``normal_words``, not in its everyday sense (:func:`everyday_sense`); by itself when the
    words do not hold it."""
    if entity_of(normal_word) is None:
        return False
    places = [i for i, word in enumerate(normal_words) if word == normal_word]
    return not places or any(not everyday_sense(normal_words, i) for i in places)


def _unprefixed(normal_word: str) -> list[str]:
    """The word, and the word without a proclitic, bare and with the article: «للامم» → «امم», «الامم»;
    «وجامعه» → «جامعه», «الجامعه»."""
    found = [normal_word]
    for prefix in _PROCLITICS:
        if normal_word.startswith(prefix) and len(normal_word) - len(prefix) >= 3:
            rest = normal_word[len(prefix) :]
            found += [rest, "ال" + rest]
    return found


def multiword_entity(normal_words: Sequence[str]) -> str | None:
    """The multi-word entity the normalised words spell, its first word also behind a proclitic
    («للامم المتحده» → «الامم المتحده»), else None."""
    if len(normal_words) < 2:
        return None
    tail = " ".join(normal_words[1:])
    for first in _unprefixed(normal_words[0]):
        if f"{first} {tail}" in MULTIWORD_ENTITIES:
            return f"{first} {tail}"
    return None


def entity_written(entity: str, normal_text: str) -> bool:
    """Whether ``normal_text`` (normalised, spaces around) holds the multi-word entity, its first word
    also behind a proclitic («للامم المتحده» holds «الامم المتحده»)."""
    first, _, tail = entity.partition(" ")
    if first.startswith("ال"):
        lead = rf"(?:[وفبك]?ال|[وف]?لل){re.escape(first[2:])}"
    else:
        lead = rf"[وفبكل]?{re.escape(first)}"
    return re.search(rf" {lead} {re.escape(tail)} ", normal_text) is not None


# Countries the corpus's own news names, for nationalities only (the list above is for absent entities).
_NEAR_COUNTRIES = "كازاخستان روسيا أمريكا أميركا قيرغيزستان طاجيكستان أوزبكستان"
# Nationality adjectives that are also other words («مالي» financial, «مجري» a course).
_NOT_NATIONALITIES = frozenset({"مالي", "مجري"})


def _nisbas(country: str) -> set[str]:
    """The nationality adjective's stem of a normalised country name: الصين → صيني, روسيا → روسي,
    كازاخستان → كازاخستاني and كازاخي, السعودية → سعودي."""
    base = country.removeprefix("ال")
    stems = {base + "ي"}
    for ending in ("يا", "ا", "ستان", "يه"):  # …, السعودية → سعودي
        if base.endswith(ending) and len(base) - len(ending) >= 3:
            stems.add(base[: -len(ending)] + "ي")
    return stems - _NOT_NATIONALITIES


# A country's name as written (hamza and all), by its normalised form: what a reply names it by.
COUNTRY_SPELLINGS: dict[str, str] = {
    normalize(word): word for word in (*_COUNTRIES.split(), *_NEAR_COUNTRIES.split()) if "_" not in word
}
_COUNTRY_NAMES = frozenset(COUNTRY_SPELLINGS)
NATIONALITIES: dict[str, str] = {
    nisba: country for country in sorted(_COUNTRY_NAMES) for nisba in _nisbas(country) if len(nisba) >= 4
}
# The countries that have a nationality adjective above (normalised, with the article where they carry it).
NATION_NAMES: frozenset[str] = frozenset(NATIONALITIES.values())
# Endings of the adjective: feminine, plural and dual (الصينية، الروسيين، الأمريكيون، الروسيان).
_NISBA_ENDINGS = ("يه", "ين", "ون", "ان")


# Peoples named by a broken plural rather than the adjective's (الروس, not الروسيون), without «ال».
_PEOPLES = {
    normalize(people): normalize(country)
    for people, country in (
        ("روس", "روسيا"), ("بيلاروس", "بيلاروسيا"), ("طاجيك", "طاجيكستان"), ("أرمن", "أرمينيا"),
        ("كازاخ", "كازاخستان"), ("قرغيز", "قيرغيزستان"), ("أوزبك", "أوزبكستان"), ("تركمان", "تركمانستان"),
        ("أتراك", "تركيا"), ("أمريكان", "أمريكا"), ("أميركان", "أمريكا"), ("أفغان", "أفغانستان"),
        ("ألمان", "ألمانيا"), ("إنجليز", "بريطانيا"), ("إنكليز", "بريطانيا"), ("هنود", "الهند"),
    )
}  # fmt: skip


def nationality_of(normal_word: str) -> str | None:
    """The country a nationality adjective or a people names (الصينية → الصين, والروسي → روسيا, الطاجيك →
    طاجيكستان), else None."""
    for prefix in ("", "ال", *_PROCLITICS):
        if not normal_word.startswith(prefix):
            continue
        word = normal_word[len(prefix) :]
        if prefix and word in _PEOPLES:  # a people is named with the article (الطاجيك، للروس)
            return _PEOPLES[word]
        stems = [word.removesuffix(e).removesuffix("ي") + "ي" for e in _NISBA_ENDINGS if word.endswith(e)]
        for stem in (word, *stems):
            if stem in NATIONALITIES:
                return NATIONALITIES[stem]
    return None


# Places of Kazakhstan a reader may name, each with the spellings news and readers give it (general
# knowledge of the country, not of the corpus): a figure the sources give for one place does not answer
# a «كم» question about another (``decide.unplaced``).
_KAZAKH_PLACES = {
    "ألماتي": "ألماتي ألما_آتا ألماآتا ألما_أتا",
    "نور سلطان": "نور_سلطان نورسلطان نور_سلطان_أستانا أستانا أستانة استانة",
    "مانغيستاو": "مانغيستاو مانجيستاو منغستاو مانغستاو مانقستاو",
    "جاناوزين": "جاناوزين جانا_أوزين جاناوزن جان_أوزن",
    "أكتاو": "أكتاو آقتاو أقتاو",
    "شيمكنت": "شيمكنت شمكنت",
    "أكتوبي": "أكتوبي أقتوبي أكتوبه",
    "كاراغندا": "كاراغندا قاراغندا كاراجندا قره_غندا",
    "أتيراو": "أتيراو",
    "تاراز": "تاراز",
    "قيزيلوردا": "قيزيلوردا كيزيلوردا قزل_أوردا",
    "طالديقورغان": "طالديقورغان تالديكورغان",
    "أورال": "أورال أورالسك",
    "بافلودار": "بافلودار",
    "كوستاناي": "كوستاناي قوستاناي",
}  # fmt: skip
_PLACE_FORMS: tuple[tuple[tuple[str, ...], str], ...] = tuple(
    (tuple(normalize(form.replace("_", " ")).split()), place)
    for place, forms in _KAZAKH_PLACES.items()
    for form in forms.split()
)
_PLACE_PROCLITICS = ("وب", "وف", "ول", "و", "ب", "ف", "ل", "ك")


def kazakh_places(normal_words: Sequence[str]) -> set[str]:
    """The places of Kazakhstan normalised words name, by any of their spellings and behind a proclitic
    («بنور سلطان» → «نور سلطان», «فالماتي» → «ألماتي»)."""
    found = set()
    for i, word in enumerate(normal_words):
        firsts = {word, *(word[len(p) :] for p in _PLACE_PROCLITICS if word.startswith(p))}
        for form, place in _PLACE_FORMS:
            if form[0] in firsts and tuple(normal_words[i + 1 : i + len(form)]) == form[1:]:
                found.add(place)
    return found


# --- English names, for English questions ----------------------------------------------------------------
# World organisations and groups by their English names and acronyms → the Arabic the news uses. General
# knowledge, as the Arabic lists above; acronyms are matched as written (upper case), names in any case.
_ENGLISH_ORGANISATIONS = {
    "CSTO": "منظمة معاهدة الأمن الجماعي",
    "Collective Security Treaty Organization": "منظمة معاهدة الأمن الجماعي",
    "OSCE": "منظمة الأمن والتعاون في أوروبا",
    "Organization for Security and Co-operation in Europe": "منظمة الأمن والتعاون في أوروبا",
    "OIC": "منظمة التعاون الإسلامي",
    "Organisation of Islamic Cooperation": "منظمة التعاون الإسلامي",
    "Organization of Islamic Cooperation": "منظمة التعاون الإسلامي",
    "NATO": "الناتو",
    "UN": "الأمم المتحدة",
    "United Nations": "الأمم المتحدة",
    "Security Council": "مجلس الأمن",
    "EU": "الاتحاد الأوروبي",
    "European Union": "الاتحاد الأوروبي",
    "African Union": "الاتحاد الأفريقي",
    "Arab League": "جامعة الدول العربية",
    "SCO": "منظمة شنغهاي",
    "Shanghai Cooperation Organisation": "منظمة شنغهاي",
    "BRICS": "بريكس",
    "OPEC": "أوبك",
    "IMF": "صندوق النقد",
    "World Bank": "البنك الدولي",
    "Red Cross": "الصليب الأحمر",
    "UNESCO": "اليونسكو",
    "UNICEF": "اليونيسف",
    "FIFA": "الفيفا",
    "Taliban": "طالبان",
    "ISIS": "داعش",
    "Al-Qaeda": "القاعدة",
    "Wagner": "فاغنر",
    "Human Rights Watch": "هيومن رايتس ووتش",
    "HRW": "هيومن رايتس ووتش",
    "Amnesty International": "منظمة العفو الدولية",
    "Amnesty": "منظمة العفو الدولية",
    "Doctors Without Borders": "أطباء بلا حدود",
    "MSF": "أطباء بلا حدود",
    "Interpol": "الإنتربول",
    "International Criminal Court": "المحكمة الجنائية الدولية",
    "ICC": "المحكمة الجنائية الدولية",
    "Human Rights Council": "مجلس حقوق الإنسان",
    "Commonwealth of Independent States": "رابطة الدول المستقلة",
    "CIS": "رابطة الدول المستقلة",
    "Eurasian Economic Union": "الاتحاد الاقتصادي الأوراسي",
    "WTO": "منظمة التجارة العالمية",
}
# Common English names of countries besides CLDR's own («Türkiye», «United States»).
_ENGLISH_ALIASES = {
    "Turkey": "TR", "US": "US", "USA": "US", "U.S.": "US", "America": "US", "UK": "GB", "Britain": "GB",
    "Great Britain": "GB", "Russian Federation": "RU", "South Korea": "KR", "North Korea": "KP",
}  # fmt: skip
# Nationality adjectives («the German government», «Chinese troops»), which CLDR does not give: a question
# naming a nation by its adjective names the country. General knowledge, as the lists above.
_ENGLISH_DEMONYMS = {
    "Afghan": "AF", "Algerian": "DZ", "American": "US", "Argentine": "AR", "Armenian": "AM",
    "Australian": "AU", "Austrian": "AT", "Azerbaijani": "AZ", "Azeri": "AZ", "Bahraini": "BH",
    "Belarusian": "BY", "Belgian": "BE", "Brazilian": "BR", "British": "GB", "Bulgarian": "BG",
    "Canadian": "CA", "Chinese": "CN", "Czech": "CZ", "Danish": "DK", "Dutch": "NL", "Egyptian": "EG",
    "Emirati": "AE", "Estonian": "EE", "Finnish": "FI", "French": "FR", "Georgian": "GE", "German": "DE",
    "Greek": "GR", "Hungarian": "HU", "Indian": "IN", "Indonesian": "ID", "Iranian": "IR", "Iraqi": "IQ",
    "Irish": "IE", "Israeli": "IL", "Italian": "IT", "Japanese": "JP", "Jordanian": "JO", "Kazakh": "KZ",
    "Kazakhstani": "KZ", "Kenyan": "KE", "Korean": "KR", "Kuwaiti": "KW", "Kyrgyz": "KG", "Latvian": "LV",
    "Lebanese": "LB", "Libyan": "LY", "Lithuanian": "LT", "Malaysian": "MY", "Mexican": "MX",
    "Moldovan": "MD", "Mongolian": "MN", "Moroccan": "MA", "Nigerian": "NG", "Norwegian": "NO",
    "Omani": "OM", "Pakistani": "PK", "Palestinian": "PS", "Polish": "PL", "Portuguese": "PT",
    "Qatari": "QA", "Romanian": "RO", "Russian": "RU", "Saudi": "SA", "Serbian": "RS", "Spanish": "ES",
    "Sudanese": "SD", "Swedish": "SE", "Swiss": "CH", "Syrian": "SY", "Tajik": "TJ", "Tunisian": "TN",
    "Turkish": "TR", "Turkmen": "TM", "Ukrainian": "UA", "Uzbek": "UZ", "Venezuelan": "VE",
    "Vietnamese": "VN", "Yemeni": "YE",
}  # fmt: skip


_EnglishName = tuple[re.Pattern[str], re.Pattern[str] | None, str]


@lru_cache(maxsize=2)
def _english_table(adjectives: bool = False) -> tuple[_EnglishName, ...]:
    """(pattern as written, lower-case pattern or None for an acronym, Arabic name), longest first.
    Country names come from CLDR through Babel (English and Arabic, both inside the package); a
    nationality adjective («German») stands for its country when ``adjectives``."""
    from babel import Locale  # imported on the first English question only

    english, arabic = Locale("en").territories, Locale("ar").territories
    names: dict[str, str] = {
        name: arabic[code]
        for code, name in english.items()
        if code.isalpha() and len(code) == 2 and code in arabic and code not in ("ZZ", "EU", "UN", "EZ", "QO")
    }
    aliases = {**(_ENGLISH_DEMONYMS if adjectives else {}), **_ENGLISH_ALIASES}
    names.update({alias: arabic[code] for alias, code in aliases.items() if code in arabic})
    names.update(_ENGLISH_ORGANISATIONS)
    table = []
    for name in sorted(names, key=len, reverse=True):
        written = re.compile(rf"(?<![\w.]){re.escape(name)}(?![\w])")
        acronym = name.isupper() or "." in name
        lower = None if acronym else re.compile(rf"(?<![\w]){re.escape(name.lower())}(?![\w])")
        table.append((written, lower, names[name]))
    return tuple(table)


def english_entities(text: str, *, adjectives: bool = False) -> list[tuple[str, str]]:
    """(English name as written, Arabic name) of the countries and organisations an English question
    names: «China» → «الصين», «CSTO» → «منظمة معاهدة الأمن الجماعي»; with ``adjectives``, a nation by its
    adjective too («the German government» → «ألمانيا»: enough to tell the corpus never mentions it, too
    loose to read beside the question: «Chinese-like», «French language»). Names are matched as
    written, or in lower case when the whole question is; acronyms only as written. A name inside a
    longer one found first is not counted again («Union» of «European Union»)."""
    lowered = text == text.lower()
    found: list[tuple[str, str]] = []
    taken: list[tuple[int, int]] = []
    for written, lower, arabic in _english_table(adjectives):
        for pattern in (written, lower if lowered else None):
            if pattern is None:
                continue
            for match in pattern.finditer(text):
                span = match.span()
                if not any(start < span[1] and span[0] < end for start, end in taken):
                    taken.append(span)
                    found.append((match.group(), arabic))
    return found
