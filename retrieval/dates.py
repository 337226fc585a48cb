"""Dates in news text: the matching form of a line, month names, and the date a line states.

:func:`fold` gives the form lines are matched in (no diacritics or tatweel, one alef, ASCII digits,
casefolded). :func:`parse_date` finds the first date of a line in any form Arabic sites write it (both
month-name families, Maghrebi names, Arabic-Indic and Persian digits, numeric day-first dates);
:func:`dateline` accepts a line only when it is a dateline. Used by :mod:`retrieval.ingest` and
:mod:`retrieval.webpage` for the publication date, and by :mod:`retrieval.timeline` and
:mod:`retrieval.figures` for dates inside sentences.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from retrieval.text import ALEFS, ARABIC_DIGITS, INVISIBLE, folding

__all__ = ["MONTH_NAMES", "MONTH_PATTERN", "date_line", "dateline", "fold", "month_number", "parse_date"]

# Alefs, alef maqsura and digits only: the date patterns here and ingest's line patterns are written with
# ة, ؤ and ئ.
_LETTERS = folding(ALEFS + "ى" + ARABIC_DIGITS)
_DROP = re.compile(f"[\u064b-\u0652\u0670\u0640{INVISIBLE}]")


def fold(text: str) -> str:
    """Matching form: no diacritics or tatweel, one alef, ASCII digits, single spaces, casefolded."""
    text = _DROP.sub("", unicodedata.normalize("NFKC", text)).translate(_LETTERS)
    return " ".join(text.split()).casefold()


_MONTHS: dict[int, tuple[str, ...]] = {
    1: ("يناير", "كانون الثاني", "جانفي", "january", "jan"),
    2: ("فبراير", "شباط", "فيفري", "february", "feb"),
    3: ("مارس", "آذار", "march", "mar"),
    4: ("أبريل", "إبريل", "نيسان", "أفريل", "april", "apr"),
    5: ("مايو", "أيار", "ماي", "may"),
    6: ("يونيو", "يونيه", "حزيران", "جوان", "june", "jun"),
    7: ("يوليو", "يوليه", "تموز", "جويلية", "july", "jul"),
    8: ("أغسطس", "آب", "أوت", "august", "aug"),
    9: ("سبتمبر", "أيلول", "september", "sept", "sep"),
    10: ("أكتوبر", "تشرين الأول", "october", "oct"),
    11: ("نوفمبر", "تشرين الثاني", "november", "nov"),
    12: ("ديسمبر", "كانون الأول", "دجنبر", "december", "dec"),
}
_MONTH_NUMBER = {fold(name): number for number, names in _MONTHS.items() for name in names}
_MONTH = "(?:{})".format(
    "|".join(re.escape(name).replace(r"\ ", r"\s+") for name in sorted(_MONTH_NUMBER, key=len, reverse=True))
)
# Shared with retrieval.timeline and retrieval.figures (dates inside sentences): the regex of every month
# name over folded text, and the name -> month lookup.
MONTH_PATTERN = _MONTH
MONTH_NAMES = tuple(_MONTH_NUMBER)  # folded


def month_number(folded_name: str) -> int | None:
    """1-12 for a folded month name («يناير», «كانون الثاني», «january»), else None."""
    return _MONTH_NUMBER.get(" ".join(folded_name.split()))


_DAY, _YEAR = r"(?<!\d)(\d{1,2})", r"(\d{4})(?!\d)"
_DATE_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # 08 يناير 2022 · 9 يناير/كانون الثاني 2022 · ١٠ يناير ٢٠٢٢
    (re.compile(rf"{_DAY}\s*({_MONTH})(?:\s*[/\-]\s*{_MONTH})?(?![^\W\d_])\s*[,،/\-]?\s*{_YEAR}"), "dmy"),
    # January 9, 2022
    (re.compile(rf"(?<![^\W\d_])({_MONTH})\s+(\d{{1,2}}),?\s+{_YEAR}"), "mdy"),
    # 2022-01-07
    (re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)"), "iso"),
    # 07-01-2022 · 07/01/2022 (day first, as Arabic sites write it)
    (re.compile(rf"{_DAY}([-/.])(\d{{1,2}})\2{_YEAR}"), "numeric"),
)
_WEEKDAYS = {
    fold(day) for day in ("الأحد", "الاثنين", "الإثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت")
}
_DATE_LABELS = {
    fold(word)
    for word in (
        "يوم", "نشر", "نشرت", "في", "بتاريخ", "تاريخ", "النشر", "آخر", "اخر", "تحديث", "التحديث", "محدث",
        "ص", "م", "صباحا", "مساء", "am", "pm", "gmt", "utc", "بتوقيت", "published", "updated", "on",
    )
}  # fmt: skip


def _find_date(folded: str) -> tuple[date, int, int] | None:
    """The earliest valid date in folded text, with its span."""
    found: list[tuple[int, int, date]] = []
    for pattern, kind in _DATE_PATTERNS:
        for match in pattern.finditer(folded):
            groups = match.groups()
            if kind == "dmy":
                day, month, year = int(groups[0]), _MONTH_NUMBER[" ".join(groups[1].split())], int(groups[2])
            elif kind == "mdy":
                month, day, year = _MONTH_NUMBER[" ".join(groups[0].split())], int(groups[1]), int(groups[2])
            elif kind == "iso":
                year, month, day = int(groups[0]), int(groups[1]), int(groups[2])
            else:
                day, month, year = int(groups[0]), int(groups[2]), int(groups[3])
            if not 1900 <= year <= 2100:
                continue
            try:
                found.append((match.start(), match.end(), date(year, month, day)))
            except ValueError:
                continue
    if not found:
        return None
    start, end, value = min(found, key=lambda item: item[0])
    return value, start, end


def parse_date(text: str) -> date | None:
    """Find a date in one line: Arabic (both month families), Arabic-Indic/Persian digits, numeric forms.

    >>> parse_date("السبت، 08 يناير 2022 07:00 ص")
    datetime.date(2022, 1, 8)
    """
    found = _find_date(fold(text))
    return found[0] if found else None


def dateline(text: str) -> date | None:
    """The date when ``text`` is a dateline (a date and at most a weekday, a time or label words)."""
    return date_line(fold(text))


def date_line(folded: str) -> date | None:
    """The date when the line is a dateline (a date plus weekday, time or label words), else None."""
    found = _find_date(folded)
    if found is None:
        return None
    value, start, end = found
    rest = folded[:start] + " " + folded[end:]
    rest = re.sub(r"\d{1,2}:\d{2}(?::\d{2})?", " ", rest)
    leftover = [w for w in re.findall(r"[^\W\d_]+", rest) if w not in _WEEKDAYS and w not in _DATE_LABELS]
    return value if len(leftover) <= 2 else None
