"""The corpus's dated events in order, each a cited sentence (``/timeline``, ``sanad timeline``).

Pure: :func:`build_timeline` takes articles and the text pipeline and returns :class:`Event` s.

* **Explicit dates** in a sentence: «في 2 يناير», «5 كانون الثاني»، «2 كانون الثاني/ يناير»,
  «9 يناير/كانون الثاني 2022», «العاشر من يناير», Arabic-Indic digits (month names as ``retrieval.ingest``
  reads them). A date without a year takes the article's year (the year before when that would put it
  more than a week after publication), else the corpus's most common publication year.
* **Relative days** — «الأحد الماضي», «الأربعاء», «يوم الخميس», «أمس» — are resolved against the article's
  ``published`` date, and only when it has one. A sentence with an explicit date ignores its relative days.
* **Merging**: sentences of different articles on the same day whose content words overlap by at least
  ``MERGE_OVERLAP`` (shared stems over the smaller sentence's, dates and numbers left out) are one event
  citing every article.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from retrieval.dates import MONTH_NAMES, MONTH_PATTERN, fold, month_number
from retrieval.errors import EmptyQuestionError
from retrieval.index import article_sentences
from retrieval.models import Article, Citation, Sentence
from retrieval.text import Pipeline

__all__ = ["MERGE_OVERLAP", "Event", "build_timeline", "dates_in", "filter_topic"]

MERGE_OVERLAP = 0.3
# A day-and-month date more than this after the article's publication is taken from the year before.
_FUTURE_SLACK = timedelta(days=7)

_ORDINALS = {
    fold(word): day
    for day, word in enumerate(
        ("الأول", "الثاني", "الثالث", "الرابع", "الخامس", "السادس", "السابع", "الثامن", "التاسع", "العاشر"), 1
    )
}
_WEEKDAYS = {  # folded name -> date.weekday()
    fold(word): number
    for number, word in enumerate(("الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت", "الأحد"))
} | {fold("الإثنين"): 0}
_NOT_LETTER_BEFORE = r"(?<![^\W\d_])"
_NOT_LETTER_AFTER = r"(?![^\W\d_])"
_EXPLICIT = re.compile(
    rf"(?<!\d)(\d{{1,2}})\s*(?:من\s+)?({MONTH_PATTERN})(?:\s*[/\-]\s*{MONTH_PATTERN})?{_NOT_LETTER_AFTER}"
    rf"(?:\s*[,،/\-]?\s*(\d{{4}})(?!\d))?"
)
_ORDINAL = re.compile(
    rf"{_NOT_LETTER_BEFORE}[وف]?({'|'.join(_ORDINALS)})\s+من\s+(?:شهر\s+)?({MONTH_PATTERN}){_NOT_LETTER_AFTER}"
)
_WEEKDAY = re.compile(
    rf"{_NOT_LETTER_BEFORE}[وف]?(?:يوم\s+)?({'|'.join(_WEEKDAYS)})(\s+الماضي|\s+المقبل|\s+القادم)?{_NOT_LETTER_AFTER}"
)
_YESTERDAY = re.compile(rf"{_NOT_LETTER_BEFORE}[وف]?(اول\s+)?(?:ب?الامس|امس){_NOT_LETTER_AFTER}")


@dataclass(frozen=True)
class Mention:
    """One sentence of one article dated ``day`` (``relative``: from a weekday or «أمس»)."""

    day: date
    sentence: Sentence
    citation: Citation
    relative: bool


@dataclass(frozen=True)
class Event:
    """One dated event: its sentences (one per citing article; the first is shown) and their citations."""

    day: date
    sentences: tuple[Sentence, ...]
    citations: tuple[Citation, ...]
    relative: bool  # the shown sentence's date was resolved from a relative day

    @property
    def text(self) -> str:
        return self.sentences[0].text


# --- dates in a sentence ----------------------------------------------------------------------------------


def _with_year(
    day: int, month: int, year: int | None, published: date | None, default_year: int | None
) -> date | None:
    if year is None:
        if published is not None:
            year = published.year
            try:
                if date(year, month, day) > published + _FUTURE_SLACK:
                    year -= 1
            except ValueError:
                return None
        else:
            year = default_year
    if year is None or not 1900 <= year <= 2100:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _explicit_dates(folded: str, published: date | None, default_year: int | None) -> list[date]:
    found: list[tuple[int, date]] = []
    for match in _EXPLICIT.finditer(folded):
        month = month_number(match.group(2))
        year = int(match.group(3)) if match.group(3) else None
        value = _with_year(int(match.group(1)), month, year, published, default_year) if month else None
        if value is not None:
            found.append((match.start(), value))
    for match in _ORDINAL.finditer(folded):
        month = month_number(match.group(2))
        value = _with_year(_ORDINALS[match.group(1)], month, None, published, default_year) if month else None
        if value is not None:
            found.append((match.start(), value))
    return [value for _, value in sorted(found, key=lambda item: item[0])]


def _relative_dates(folded: str, published: date) -> list[date]:
    found: list[tuple[int, date]] = []
    for match in _YESTERDAY.finditer(folded):
        found.append((match.start(), published - timedelta(days=2 if match.group(1) else 1)))
    for match in _WEEKDAY.finditer(folded):
        weekday, when = _WEEKDAYS[match.group(1)], (match.group(2) or "").strip()
        if when in {"المقبل", "القادم"}:
            found.append(
                (match.start(), published + timedelta(days=(weekday - published.weekday() - 1) % 7 + 1))
            )
        else:  # «الأحد الماضي»: strictly before; a bare weekday may be the day of publication
            back = (published.weekday() - weekday) % 7
            if back == 0 and when == "الماضي":
                back = 7
            found.append((match.start(), published - timedelta(days=back)))
    return [value for _, value in sorted(found, key=lambda item: item[0])]


def dates_in(text: str, published: date | None, default_year: int | None = None) -> list[tuple[date, bool]]:
    """The days a sentence dates its events to, in order, each once, as ``(day, relative)``.

    Relative days need ``published``; a sentence with an explicit date ignores them.
    """
    folded = fold(text)
    explicit = _explicit_dates(folded, published, default_year)
    if explicit:
        return [(day, False) for day in dict.fromkeys(explicit)]
    if published is None:
        return []
    return [(day, True) for day in dict.fromkeys(_relative_dates(folded, published))]


# --- the timeline -----------------------------------------------------------------------------------------


def _default_year(articles: Sequence[Article]) -> int | None:
    years = Counter(a.published.year for a in articles if a.published is not None)
    return years.most_common(1)[0][0] if years else None


def mentions(articles: Sequence[Article]) -> list[Mention]:
    """Every dated sentence of every article, in corpus order."""
    default_year = _default_year(articles)
    found = []
    for article in articles:
        citation = Citation.of(article)
        for sentence in article_sentences(article):
            for day, relative in dates_in(sentence.text, article.published, default_year):
                found.append(Mention(day, sentence, citation, relative))
    return found


def _date_free_words(pipeline: Pipeline) -> frozenset[str]:
    """Stems of month and weekday names: every sentence of a day shares them, so they do not count."""
    names = [*MONTH_NAMES, *_WEEKDAYS, "يوم", "امس", "الماضي", "الجاري", "الحالي"]
    return frozenset(t for name in names for t in pipeline.index_tokens(name))


def _content(pipeline: Pipeline, text: str, ignored: frozenset[str]) -> frozenset[str]:
    return frozenset(t for t in pipeline.index_tokens(text) if not t.isdigit() and t not in ignored)


def overlap(a: frozenset[str], b: frozenset[str]) -> float:
    """Shared words over the smaller set's (1.0: one sentence's words are all in the other)."""
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def build_timeline(
    articles: Sequence[Article], pipeline: Pipeline, *, merge_overlap: float = MERGE_OVERLAP
) -> tuple[Event, ...]:
    """The dated events of ``articles``, oldest first; a day's events keep corpus order."""
    ignored = _date_free_words(pipeline)
    groups: list[list[Mention]] = []
    words: list[list[frozenset[str]]] = []
    by_day: dict[date, list[int]] = {}
    for mention in mentions(articles):
        content = _content(pipeline, mention.sentence.text, ignored)
        target = None
        for g in by_day.get(mention.day, []):
            if mention.citation.doc_id in {m.citation.doc_id for m in groups[g]}:
                continue  # one article's own sentences stay apart
            if any(overlap(content, other) >= merge_overlap for other in words[g]):
                target = g
                break
        if target is None:
            by_day.setdefault(mention.day, []).append(len(groups))
            groups.append([mention])
            words.append([content])
        else:
            groups[target].append(mention)
            words[target].append(content)
    events = [
        Event(
            group[0].day,
            tuple(m.sentence for m in group),
            tuple(m.citation for m in group),
            group[0].relative,
        )
        for group in groups
    ]
    order = {id(event): n for n, event in enumerate(events)}
    return tuple(sorted(events, key=lambda e: (e.day, order[id(e)])))


def filter_topic(events: Sequence[Event], topic: str, pipeline: Pipeline) -> tuple[Event, ...]:
    """The events one of whose sentences has every content word of ``topic`` (stems or lexicon variants).

    Raises ``EmptyQuestionError`` when ``topic`` has no searchable words.
    """
    terms = pipeline.terms(topic)
    stems = [term.stem for term in terms]
    if not stems:
        raise EmptyQuestionError("the topic has no searchable words")
    accepted = [{stem} for stem in stems]
    for start, end, token in pipeline.lexicon.group_tokens([term.normal for term in terms]):
        for i in range(start, end):
            accepted[i].add(token)

    def matches(sentence: Sentence) -> bool:
        tokens = set(pipeline.index_tokens(sentence.text))
        return all(tokens & wanted for wanted in accepted)

    return tuple(e for e in events if any(matches(s) for s in e.sentences))
