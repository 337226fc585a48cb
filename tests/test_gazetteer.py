"""The gazetteer: entities named with their proclitics, and the countries nationality adjectives name."""

from __future__ import annotations

import pytest

from retrieval.gazetteer import (
    english_entities,
    entity_of,
    entity_written,
    everyday_sense,
    kazakh_places,
    multiword_entity,
    names_entity,
    nationality_of,
)
from retrieval.text import normalize


@pytest.mark.parametrize(
    ("word", "entity"),
    [
        ("الصين", "الصين"),
        ("والصين", "الصين"),
        ("بالصين", "الصين"),
        ("لبريطانيا", "بريطانيا"),
        ("بشكيك", "بشكيك"),  # a capital under both its spellings
        ("وبيشكيك", "بيشكيك"),
        ("مدينة", None),
    ],
)
def test_entity_of(word: str, entity: str | None) -> None:
    assert entity_of(normalize(word)) == (normalize(entity) if entity else None)


@pytest.mark.parametrize(
    ("word", "country"),
    [
        ("الصينية", "الصين"),
        ("الصيني", "الصين"),
        ("والروسي", "روسيا"),
        ("الروسية", "روسيا"),
        ("الأمريكيين", "أمريكا"),
        ("الكازاخستاني", "كازاخستان"),
        ("الكازاخي", "كازاخستان"),  # a «-ستان» country's shorter adjective
        ("البيلاروسي", "بيلاروسيا"),  # not «روسي» with a proclitic
        ("التركية", "تركيا"),
        ("الإيرانية", "إيران"),
        ("السعودي", "السعودية"),  # a country ending in «ية»
        ("السعوديين", "السعودية"),
        ("المالية", None),  # financial, not of Mali
        ("الاقتصادية", None),
        ("الإسلامي", None),
        ("الجماعي", None),
        ("الطاجيك", "طاجيكستان"),  # a people by its broken plural, with the article
        ("والروس", "روسيا"),
        ("للأرمن", "أرمينيا"),
        ("دروس", None),  # lessons: a people is named with the article or a proclitic only
    ],
)
def test_nationality_of(word: str, country: str | None) -> None:
    assert nationality_of(normalize(word)) == (normalize(country) if country else None)


def test_english_names_of_countries_and_organisations_are_read_in_arabic() -> None:
    found = english_entities("What did China say about the CSTO deployment?")
    assert found == [("China", "الصين"), ("CSTO", "منظمة معاهدة الأمن الجماعي")]
    assert english_entities("what did the united states say?") == [("united states", "الولايات المتحدة")]
    assert english_entities("What did the European Union say?") == [("European Union", "الاتحاد الأوروبي")]


def test_english_acronyms_are_matched_as_written_only() -> None:
    assert english_entities("who told us about it?") == []  # «us» is no «US»
    assert english_entities("What did the US say?") == [("US", "الولايات المتحدة")]
    assert english_entities("Who told us about it?") == []


@pytest.mark.parametrize(
    ("words", "entity"),
    [
        ("للامم المتحده", "الامم المتحده"),  # the first word behind a proclitic
        ("والامم المتحده", "الامم المتحده"),
        ("بجامعه الدول العربيه", "جامعه الدول العربيه"),
        ("الامم المتحده", "الامم المتحده"),
        ("المتحده", None),
        ("الامم الكبري", None),
    ],
)
def test_multiword_entity(words: str, entity: str | None) -> None:
    assert multiword_entity(words.split()) == entity


def test_a_multiword_entity_is_written_behind_a_proclitic_too() -> None:
    assert entity_written("الامم المتحده", " قالت للامم المتحده امس ")
    assert entity_written("الامم المتحده", " الامم المتحده ")
    assert not entity_written("الامم المتحده", " الامم الاخري المتحده ")
    assert entity_written("جامعه الدول العربيه", " وجامعه الدول العربيه ")


@pytest.mark.parametrize(
    ("text", "places"),
    [
        ("شحال من واحد مات فنور سلطان؟", {"نور سلطان"}),  # behind a proclitic, two words
        ("كم قتيل بالماتي", {"ألماتي"}),
        ("في مدينة ألما آتا", {"ألماتي"}),  # another spelling of the same city
        ("نورسلطان وأستانا", {"نور سلطان"}),  # the capital under both its names
        ("فرض حالة الطوارئ في منطقة مانجيستاو وفي ألماتى", {"مانغيستاو", "ألماتي"}),
        ("كم عدد القتلى في كازاخستان؟", set()),  # the country is no place of it
        ("سلطان", set()),  # one word of a two-word name
    ],
)
def test_kazakh_places(text: str, places: set[str]) -> None:
    assert kazakh_places(normalize(text).split()) == places


@pytest.mark.parametrize(
    ("question", "word", "everyday"),
    [
        ("ما القاعدة التي اعتبرها السفير ركيزة", "القاعدة", True),
        ("هل وصلت القوات إلى القاعدة الجوية", "القاعدة", True),
        ("هل شارك تنظيم القاعدة في الأحداث", "القاعدة", False),
        ("هل للقاعدة دور في الاحتجاجات", "للقاعدة", False),
        ("هل قدمت روسيا دعم مالي لكازاخستان", "مالي", True),
        ("هل أرسلت روسيا قوات إلى مالي", "مالي", False),
    ],
)
def test_a_name_that_is_also_an_everyday_word_is_read_from_its_neighbours(
    question: str, word: str, everyday: bool
) -> None:
    words = normalize(question).split()
    at = words.index(normalize(word))
    assert everyday_sense(words, at) is everyday
    assert names_entity(words[at], words) is not everyday
