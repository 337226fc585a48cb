"""Dates as Arabic news sites write them: both month-name families, Arabic-Indic and Persian digits."""

from __future__ import annotations

from datetime import date

import pytest

from retrieval.dates import dateline, month_number, parse_date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("السبت، 08 يناير 2022 07:00 ص", date(2022, 1, 8)),
        ("١٠ يناير ٢٠٢٢", date(2022, 1, 10)),
        ("۱۰ يناير ۲۰۲۲", date(2022, 1, 10)),  # Persian digits
        ("الخميس 06 يناير 2022", date(2022, 1, 6)),
        ("07-01-2022", date(2022, 1, 7)),
        ("الجمعة، 07/01/2022 06:28 م", date(2022, 1, 7)),
        ("2022-01-09", date(2022, 1, 9)),
        ("الأحد 9 كانون الثاني 2022", date(2022, 1, 9)),
        ("9 يناير/كانون الثاني 2022", date(2022, 1, 9)),
        ("2 كانون الثاني/ يناير 2022", date(2022, 1, 2)),
        ("الاثنين ١٤ شباط ٢٠٢٢", date(2022, 2, 14)),
        ("الثلاثاء 1 آذار 2022", date(2022, 3, 1)),
        ("5 نيسان 2022", date(2022, 4, 5)),
        ("5 ابريل 2022", date(2022, 4, 5)),
        ("5 أبريل 2022", date(2022, 4, 5)),
        ("الأربعاء 11 أيار 2022", date(2022, 5, 11)),
        ("20 حزيران 2022", date(2022, 6, 20)),
        ("20 تموز 2022", date(2022, 7, 20)),
        ("3 آب 2022", date(2022, 8, 3)),
        ("3 أغسطس 2022", date(2022, 8, 3)),
        ("30 أيلول 2021", date(2021, 9, 30)),
        ("30 سبتمبر 2021", date(2021, 9, 30)),
        ("1 تشرين الأول 2021", date(2021, 10, 1)),
        ("1 تشرين الثاني 2021", date(2021, 11, 1)),
        ("31 كانون الأول 2021", date(2021, 12, 31)),
        ("31 ديسمبر 2021", date(2021, 12, 31)),
        ("12 مايو 2022", date(2022, 5, 12)),
        ("12 يونيو 2022", date(2022, 6, 12)),
        ("12 يوليو 2022", date(2022, 7, 12)),
        ("12 مارس 2022", date(2022, 3, 12)),
        ("12 فبراير 2022", date(2022, 2, 12)),
        ("12 أكتوبر 2022", date(2022, 10, 12)),
        ("12 نوفمبر 2022", date(2022, 11, 12)),
        ("January 9, 2022", date(2022, 1, 9)),
        ("لا يوجد تاريخ في هذا السطر", None),
        ("وفي 2 كانون الثاني/ يناير، اندلعت احتجاجات", None),  # no year
        ("31 فبراير 2022", None),  # not a real day
    ],
)
def test_parse_date(text: str, expected: date | None) -> None:
    assert parse_date(text) == expected


def test_dateline_is_a_date_with_at_most_a_weekday_time_or_labels() -> None:
    assert dateline("نشر في: الجمعة 07/01/2022 - 06:28 م") == date(2022, 1, 7)
    assert dateline("قالت الحكومة في 7 يناير 2022 إن الوضع تحت السيطرة") is None


def test_month_number_reads_folded_names_of_every_family() -> None:
    assert month_number("يناير") == month_number("كانون الثاني") == month_number("january") == 1
    assert month_number("ليس شهرا") is None
