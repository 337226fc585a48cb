"""Answers: snippets with ``[n]`` markers and context sentences, pages of an answer, figures the sources
disagree on and declines, as Telegram HTML and as plain text for the CLI.

Plain text (``render_answer_text``, ``render_decline_text``) uses the same Arabic wording from
``bot.phrases`` but no markup and no invisible bidi controls, so terminals and JSON stay clean.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot import phrases
from bot.render.html import (
    BULLET,
    MAX_TEXT_LENGTH,
    bold_html,
    count_noun,
    escape,
    fit_lines,
    marker,
    rtl_lines,
    safe_html,
    truncate_words,
    truncate_words_start,
    utf16_len,
)
from bot.render.sources import citation_text
from retrieval.figures import Disagreement, find_disagreement
from retrieval.models import Answer, Hit
from retrieval.neighbours import context_for

Highlighter = Callable[[str, Sequence[str]], Sequence[tuple[int, int]]]
"""``Retriever.highlight_spans``: character spans of ``text`` matching the query terms."""


def from_articles(count: int) -> str:
    """«من 3 مقالات»: how many articles support the shown snippets."""
    return phrases.FROM_ARTICLES.format(articles=count_noun(count, phrases.ARTICLES_GEN))


def hit_markers(answer: Answer, hit: Hit) -> tuple[int, ...]:
    """1-based positions of the hit's citations in ``answer.citations``, ascending."""
    index = {citation.doc_id: number for number, citation in enumerate(answer.citations, 1)}
    return tuple(sorted({index[c.doc_id] for c in hit.citations if c.doc_id in index}))


# --- one snippet -----------------------------------------------------------------------------------------


# Context sentences are a hint, not the answer: longer ones keep the part nearest the hit.
CONTEXT_CHARS = 160


def snippet(
    answer: Answer,
    hit: Hit,
    *,
    markup: bool,
    highlight: Highlighter | None = None,
    with_context: bool = True,
    max_chars: int | None = None,
) -> str:
    text = hit.sentence.text.strip()
    if max_chars is not None:
        text = truncate_words(text, max_chars)
    before, after = context_for(hit) if with_context else (None, None)
    numbers = "".join(marker(n, markup=markup) for n in hit_markers(answer, hit))
    if markup:
        spans = list(highlight(text, answer.query_terms)) if highlight is not None else []
        body = bold_html(text, spans)
    else:
        body = text
    parts = [BULLET]
    if before is not None:
        context = truncate_words_start(before.text.strip(), CONTEXT_CHARS)
        parts.append(f"<i>{safe_html(context)}</i>" if markup else f"({context})")
    parts.append(f"{body} {numbers}" if numbers else body)
    if after is not None:
        context = truncate_words(after.text.strip(), CONTEXT_CHARS)
        parts.append(f"<i>{safe_html(context)}</i>" if markup else f"({context})")
    return " ".join(parts)


def _distinct_articles(hits: Sequence[Hit]) -> int:
    return len({citation.doc_id for hit in hits for citation in hit.citations})


# --- answers ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """One message's worth of an answer: ``shown`` hits starting at ``start`` out of ``total``."""

    text: str
    start: int
    shown: int
    total: int
    declined: bool = False

    @property
    def next_start(self) -> int:
        return self.start + self.shown

    @property
    def has_more(self) -> bool:
        return not self.declined and self.shown > 0 and self.next_start < self.total


def _answer_page_html(
    answer: Answer, start: int, blocks: Sequence[str], hits: Sequence[Hit], figures: str | None = None
) -> str:
    lines: list[str] = []
    if answer.reading and start == 0:
        lines += [f"<i>{safe_html(phrases.READ_AS.format(reading=answer.reading))}</i>", ""]
    if answer.reason == "english" and start == 0:
        lines += [f"<i>{safe_html(phrases.ENGLISH_NOTE)}</i>", ""]
    if figures:
        lines += [figures, ""]
    if start > 0:
        heading = phrases.MORE_HEADING.format(
            first=start + 1, last=start + len(blocks), total=len(answer.hits)
        )
        lines += [escape(heading), ""]
    lines += list(blocks)
    lines += ["", escape(from_articles(_distinct_articles(hits)))]
    return rtl_lines("\n".join(lines))


def render_answer_html(
    answer: Answer,
    *,
    snippets: int,
    start: int = 0,
    highlight: Highlighter | None = None,
    examples: Sequence[str] = (),
    limit: int = MAX_TEXT_LENGTH,
) -> Page:
    """One page of an answer as Telegram HTML: ``snippets`` hits from ``start``, within ``limit``.

    Whole snippets are dropped from the end when the page would be too long (``Page.shown`` says how
    many made it, so «المزيد» continues from there); a single snippet too long on its own loses its
    context sentence and is then cut at a word boundary with an ellipsis.
    """
    if answer.declined or not answer.hits:
        return Page(render_decline_html(answer, examples, limit=limit), 0, 0, 0, declined=True)
    total = len(answer.hits)
    if start >= total:
        return Page(escape(phrases.NO_MORE_RESULTS), start, 0, total)
    chosen = answer.hits[start : start + max(1, snippets)]
    figures = disagreement_line(answer, markup=True) if start == 0 else None
    blocks: list[str] = []
    for hit in chosen:
        block = snippet(answer, hit, markup=True, highlight=highlight)
        text = _answer_page_html(answer, start, [*blocks, block], chosen[: len(blocks) + 1], figures)
        if utf16_len(text) <= limit:
            blocks.append(block)
            continue
        if blocks:
            break
        blocks.append(shrunk_snippet(answer, hit, start, highlight, limit, figures))
        break
    text = _answer_page_html(answer, start, blocks, chosen[: len(blocks)], figures)
    return Page(text, start, len(blocks), total)


def shrunk_snippet(
    answer: Answer, hit: Hit, start: int, highlight: Highlighter | None, limit: int, figures: str | None
) -> str:
    """The longest version of a lone snippet that fits: first without context, then cut by words."""

    def fits(block: str) -> bool:
        return utf16_len(_answer_page_html(answer, start, [block], [hit], figures)) <= limit

    block = snippet(answer, hit, markup=True, highlight=highlight, with_context=False)
    if fits(block):
        return block
    low, high = 1, len(hit.sentence.text)
    best = snippet(answer, hit, markup=True, highlight=highlight, with_context=False, max_chars=1)
    while low <= high:
        middle = (low + high) // 2
        candidate = snippet(
            answer, hit, markup=True, highlight=highlight, with_context=False, max_chars=middle
        )
        if fits(candidate):
            best, low = candidate, middle + 1
        else:
            high = middle - 1
    return best


def render_answer_text(answer: Answer, *, snippets: int, examples: Sequence[str] = ()) -> str:
    """Plain-text answer for the CLI: snippets with ``[n]`` markers, then «المصادر:» and the cited articles.

    A decline gives the same message as Telegram: the missing words and example questions.
    """
    if answer.declined or not answer.hits:
        return render_decline_text(answer, examples)
    shown = answer.hits[: max(1, snippets)]
    disagreement = find_disagreement(answer)
    figures = _disagreement_text(answer, disagreement, markup=False) if disagreement is not None else None
    lines = [phrases.READ_AS.format(reading=answer.reading), ""] if answer.reading else []
    lines += [phrases.ENGLISH_NOTE, ""] if answer.reason == "english" else []
    lines += [figures, ""] if figures else []
    lines += [snippet(answer, hit, markup=False) for hit in shown]
    lines += ["", from_articles(_distinct_articles(shown)), ""]
    cited = sorted(
        {n for hit in shown for n in hit_markers(answer, hit)} | _figure_markers(answer, disagreement)
    )
    citations = answer.citations
    lines.append(phrases.SOURCES_HEADING)
    lines += [citation_text(n, citations[n - 1]) for n in cited]
    return "\n".join(lines)


# --- figures the sources disagree on ---------------------------------------------------------------------


def _figure_markers(answer: Answer, disagreement: Disagreement | None) -> set[int]:
    if disagreement is None:
        return set()
    return {n for hits in disagreement.hits for i in hits for n in hit_markers(answer, answer.hits[i])}


def _disagreement_text(answer: Answer, disagreement: Disagreement, *, markup: bool) -> str:
    items = []
    for figure, hits in zip(disagreement.figures, disagreement.hits, strict=True):
        value = phrases.FIGURE_QUALIFIED[figure.qualifier].format(value=figure.value)
        numbers = sorted({n for i in hits for n in hit_markers(answer, answer.hits[i])})
        markers = "".join(marker(n, markup=markup) for n in numbers)
        items.append(f"{escape(value) if markup else value} {markers}")
    line = phrases.FIGURES_DISAGREE.format(figures=phrases.LIST_SEPARATOR.join(items))
    return f"<b>{line}</b>" if markup else line


def disagreement_line(answer: Answer, *, markup: bool) -> str | None:
    """«تختلف المصادر: 18 [1]، 8 على الأقل [2]» when the hits give different figures for the quantity a
    «كم…» question asks about (``retrieval.figures``), else None. Markers index ``answer.citations``."""
    disagreement = find_disagreement(answer)
    if disagreement is None:
        return None
    return _disagreement_text(answer, disagreement, markup=markup)


# --- declines --------------------------------------------------------------------------------------------


def _decline_head(answer: Answer, *, markup: bool) -> str:
    """The first line of a decline: what the sources lack, and what they do mention when they do."""

    def words(terms: Sequence[str]) -> str:
        if markup:
            return phrases.LIST_SEPARATOR.join(f"<b>{safe_html(term)}</b>" for term in terms)
        return phrases.LIST_SEPARATOR.join(terms)

    def plain(text: str) -> str:
        return escape(text) if markup else text

    def naming(template: str) -> str:  # a phrase with the missing terms at each «{terms}»
        return words(answer.missing_terms).join(plain(part) for part in template.split("{terms}"))

    if answer.reason == "english" and answer.missing_terms:  # the names, in both languages' lines
        return naming(phrases.DECLINE_ENGLISH_ABSENT)
    if answer.reason == "english":
        return plain(phrases.DECLINE_ENGLISH)
    if answer.reason == "later events":
        return plain(phrases.DECLINE_LATER)
    if answer.reason == "unstated act" and answer.missing_terms:
        return naming(phrases.DECLINE_UNSAID)
    known = answer.known_terms if answer.related else ()
    if known and answer.missing_terms:
        head, tail = phrases.DECLINE_PARTIAL.split("{known}")
        middle, end = tail.split("{missing}")
        return plain(head) + words(known) + plain(middle) + words(answer.missing_terms) + plain(end)
    if known and answer.asks in phrases.DECLINE_KINDS:
        head, tail = phrases.DECLINE_PARTIAL_KIND.split("{known}")
        return plain(head) + words(known) + plain(tail.format(kind=phrases.DECLINE_KINDS[answer.asks]))
    if answer.missing_terms:
        return naming(phrases.DECLINE_MISSING)
    return plain(phrases.DECLINE_NO_DETAIL if known else phrases.DECLINE_GENERIC)


def _related_lines(answer: Answer, *, markup: bool) -> list[str]:
    """The closest sentences of a declined question, each with its source, never numbered as an answer."""
    if not answer.related:
        return []
    lines = ["", escape(phrases.DECLINE_RELATED) if markup else phrases.DECLINE_RELATED]
    for hit in answer.related[:2]:
        source = hit.citations[0] if hit.citations else None
        where = f" — {source.outlet or source.title}" if source else ""
        text = truncate_words(hit.sentence.text, 300) + where
        lines.append(f"{BULLET} {safe_html(text) if markup else text}")
    return lines


def _decline_lines(answer: Answer, examples: Sequence[str], *, markup: bool) -> list[str]:
    lines = [_decline_head(answer, markup=markup)]
    if answer.reason == "english":
        return lines
    lines += _related_lines(answer, markup=markup)
    lines += ["", escape(phrases.DECLINE_SCOPE) if markup else phrases.DECLINE_SCOPE]
    chosen = [e for e in examples if e.strip()][:3]
    if chosen:
        lines += ["", escape(phrases.DECLINE_EXAMPLES) if markup else phrases.DECLINE_EXAMPLES]
        lines += [f"{BULLET} {safe_html(e) if markup else e}" for e in chosen]
    return lines


def render_decline_text(answer: Answer, examples: Sequence[str] = ()) -> str:
    """«لا تذكر المصادر المتاحة: الصين» (or what they mention and lack), related sentences, the corpus
    scope and up to three example questions."""
    return "\n".join(_decline_lines(answer, examples, markup=False))


def render_decline_html(answer: Answer, examples: Sequence[str] = (), *, limit: int = MAX_TEXT_LENGTH) -> str:
    text = rtl_lines("\n".join(_decline_lines(answer, examples, markup=True)))
    if utf16_len(text) <= limit:
        return text
    # Absurdly many missing words (a pasted essay): name as many as fit.
    return fit_lines(
        [escape(phrases.DECLINE_MISSING.split("{terms}")[0])],
        [f"<b>{safe_html(term)}</b>" for term in answer.missing_terms],
        limit=limit,
        separator=phrases.LIST_SEPARATOR,
    )
