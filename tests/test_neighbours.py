"""retrieval.neighbours: which neighbouring sentence is shown next to a hit (no Telegram involved)."""

from __future__ import annotations

from retrieval.models import Citation, Hit, Sentence
from retrieval.neighbours import context_for, starts_referentially

AJ = Citation("aj", "احتجاجات كازاخستان", "الجزيرة نت", None, None)
LONG = "اندلعت الاحتجاجات في مدينة جاناوزن غرب البلاد بعد رفع أسعار الغاز المسال إلى الضعف تقريبا."


def hit(text: str, *, before: str | None = None, after: str | None = None) -> Hit:
    return Hit(
        sentence=Sentence("aj", 1, 1, text),
        score=1.0,
        citations=(AJ,),
        before=Sentence("aj", 1, 0, before) if before else None,
        after=Sentence("aj", 1, 2, after) if after else None,
    )


def test_referential_hit_shows_the_sentence_before() -> None:
    h = hit(
        "وأضاف أن الوضع بات تحت السيطرة الكاملة في المدينة.", before="قال الرئيس توكاييف إن القوات انتشرت."
    )
    assert context_for(h) == (h.before, None)


def test_short_hit_shows_the_sentence_after() -> None:
    h = hit("احتجاجات واسعة.", before="قبلها.", after="امتدت الاحتجاجات من جاناوزن إلى ألماتي.")
    assert context_for(h) == (None, h.after)


def test_short_hit_at_the_end_of_an_article_shows_the_sentence_before() -> None:
    h = hit("احتجاجات واسعة.", before="امتدت الاحتجاجات من جاناوزن إلى ألماتي.")
    assert context_for(h) == (h.before, None)


def test_clear_hit_stands_alone() -> None:
    h = hit(LONG, before="قبلها جملة.", after="بعدها جملة.")
    assert context_for(h) == (None, None)


def test_referential_word_with_diacritics_and_prefix() -> None:
    assert context_for(hit("فَهذا ما حدث في المدينة الكبرى خلال أيام الاحتجاج الأولى.", before="قبل."))[0]
    assert context_for(hit("وأكّدت الوزارة أن الأمن استتب في جميع أنحاء البلاد.", before="قبل."))[0]


def test_referential_first_words() -> None:
    assert starts_referentially("إنه قرار صعب اتخذته الحكومة بعد مشاورات طويلة.")  # hamza folded
    assert starts_referentially("هـذا ما أعلنته الوزارة.")  # tatweel dropped
    assert starts_referentially("«لكن» الوضع تغير.")  # punctuation around the word
    assert not starts_referentially("وزارة الداخلية أعلنت حظر التجول.")  # «و» belongs to the word
    assert not starts_referentially("")
