"""/timeline: the events of the corpus by day, each a cited sentence, paged; plain text for the CLI."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot import phrases
from bot.render.html import (
    BULLET,
    ELLIPSIS,
    MAX_TEXT_LENGTH,
    escape,
    fit_lines,
    format_date,
    marker,
    rtl_lines,
    safe_html,
    truncate_words,
    utf16_len,
)
from bot.render.sources import citation_html, render_sources_text
from retrieval.models import Citation, Sentence
from retrieval.timeline import Event

# --- /timeline -------------------------------------------------------------------------------------------

TIMELINE_PAGE_EVENTS = 6


def timeline_citations(events: Sequence[Event]) -> tuple[Citation, ...]:
    """Distinct citations of ``events`` in order of first appearance: ``[n]`` markers index this (1-based),
    the same on every page."""
    seen: dict[str, Citation] = {}
    for event in events:
        for citation in event.citations:
            seen.setdefault(citation.doc_id, citation)
    return tuple(seen.values())


# An event told by very many articles shows this many markers, then «+N».
MAX_EVENT_MARKERS = 8


def _event_markers(numbers: dict[str, int], event: Event) -> tuple[int, ...]:
    """The markers shown for an event (its sources listed under the page are these)."""
    return tuple(sorted({numbers[c.doc_id] for c in event.citations}))[:MAX_EVENT_MARKERS]


def _timeline_title(topic: str | None) -> str:
    return phrases.TIMELINE_TOPIC_TITLE.format(topic=topic) if topic else phrases.TIMELINE_TITLE


def _timeline_entries(events: Sequence[Event], numbers: dict[str, int], *, markup: bool) -> list[str]:
    """Each day's heading once, then its events as cited bullets."""
    lines: list[str] = []
    day = None
    for event in events:
        if event.day != day:
            day = event.day
            heading = format_date(day)
            lines += ["", f"<b>{escape(heading)}</b>" if markup else heading]
        markers = "".join(marker(n, markup=markup) for n in _event_markers(numbers, event))
        hidden = len({c.doc_id for c in event.citations}) - MAX_EVENT_MARKERS
        if hidden > 0:
            markers += f" +{hidden}"
        text = event.text.strip()
        body = safe_html(text) if markup else text
        note = f" {phrases.TIMELINE_RELATIVE}" if event.relative else ""
        lines.append(f"{BULLET} {body} {markers}{escape(note) if markup else note}")
    return lines


@dataclass(frozen=True)
class TimelinePage:
    """One message of a timeline: ``shown`` events from ``start`` out of ``total``."""

    text: str
    start: int
    shown: int
    total: int
    size: int = TIMELINE_PAGE_EVENTS  # events per full page

    @property
    def previous_start(self) -> int | None:
        return None if self.start == 0 else max(0, self.start - self.size)

    @property
    def next_start(self) -> int | None:
        end = self.start + self.shown
        return end if self.shown and end < self.total else None


def _timeline_page_html(
    events: Sequence[Event],
    topic: str | None,
    start: int,
    chosen: Sequence[Event],
    numbers: dict[str, int],
    limit: int,
    *,
    all_sources: bool = True,
) -> str | None:
    """The page, or None when it does not fit ``limit``. With ``all_sources=False`` the source lines are
    cut to what fits (then «…»), for a lone event cited by very many articles."""
    lines = [f"<b>{safe_html(_timeline_title(topic))}</b>"]
    if len(events) > len(chosen):
        last = start + len(chosen)
        lines.append(escape(phrases.TIMELINE_PAGE.format(first=start + 1, last=last, total=len(events))))
    lines += _timeline_entries(chosen, numbers, markup=True)
    lines += ["", escape(phrases.SOURCES_HEADING)]
    cited = sorted({n for event in chosen for n in _event_markers(numbers, event)})
    citations = timeline_citations(events)
    sources = [citation_html(n, citations[n - 1]) for n in cited]
    text = rtl_lines("\n".join(lines + sources))
    if utf16_len(text) <= limit:
        return text
    if all_sources or utf16_len(rtl_lines("\n".join([*lines, ELLIPSIS]))) > limit:
        return None
    return fit_lines(["\n".join(lines), "\n"], sources, limit=limit)


def render_timeline_html(
    events: Sequence[Event],
    *,
    topic: str | None = None,
    start: int = 0,
    page_events: int = TIMELINE_PAGE_EVENTS,
    limit: int = MAX_TEXT_LENGTH,
) -> TimelinePage:
    """One page of the timeline as Telegram HTML: up to ``page_events`` events from ``start``, each day once,
    each event a cited sentence, then the sources cited on the page; events are dropped from the end when
    the page would exceed ``limit`` (a lone event too long is cut at a word boundary, and its source lines
    to what fits)."""
    if not events:
        empty = phrases.TIMELINE_TOPIC_EMPTY.format(topic=topic) if topic else phrases.TIMELINE_EMPTY
        return TimelinePage(safe_html(empty), 0, 0, 0, page_events)
    start = min(max(0, start), len(events) - 1)
    numbers = {c.doc_id: n for n, c in enumerate(timeline_citations(events), 1)}
    chosen: list[Event] = []
    text: str | None = None
    for event in events[start : start + max(1, page_events)]:
        candidate = _timeline_page_html(events, topic, start, [*chosen, event], numbers, limit)
        if candidate is None:
            break
        chosen.append(event)
        text = candidate
    if text is None:  # one event too long for a message: its sources cut to fit, then its sentence
        event = events[start]
        text = _timeline_page_html(events, topic, start, [event], numbers, limit, all_sources=False)
        low, high = 1, len(event.text) if text is None else 0
        while low <= high:
            middle = (low + high) // 2
            first = event.sentences[0]
            short = Sentence(
                first.doc_id, first.paragraph, first.position, truncate_words(event.text, middle)
            )
            candidate = _timeline_page_html(
                events,
                topic,
                start,
                [Event(event.day, (short, *event.sentences[1:]), event.citations, event.relative)],
                numbers,
                limit,
                all_sources=False,
            )
            if candidate is None:
                high = middle - 1
            else:
                text, low = candidate, middle + 1
        chosen = [event]
    return TimelinePage(text or escape(ELLIPSIS), start, len(chosen), len(events), page_events)


def render_timeline_text(events: Sequence[Event], *, topic: str | None = None) -> str:
    """The whole timeline as plain text (``sanad timeline``): days, cited sentences, then the sources."""
    if not events:
        return phrases.TIMELINE_TOPIC_EMPTY.format(topic=topic) if topic else phrases.TIMELINE_EMPTY
    citations = timeline_citations(events)
    numbers = {c.doc_id: n for n, c in enumerate(citations, 1)}
    lines = [_timeline_title(topic), *_timeline_entries(events, numbers, markup=False), ""]
    return "\n".join(lines) + "\n" + render_sources_text(citations)
