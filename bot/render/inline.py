"""Inline mode: a result's title and description, and the message it posts (question, snippet, sources)."""

from __future__ import annotations

from bot import phrases
from bot.render.answer import (
    Highlighter,
    disagreement_line,
    render_answer_html,
    shrunk_snippet,
    snippet,
)
from bot.render.html import (
    DASH,
    MAX_TEXT_LENGTH,
    escape,
    fit_lines,
    format_date,
    rtl_lines,
    safe_html,
    truncate_words,
    utf16_len,
)
from bot.render.sources import citation_html
from retrieval.figures import find_disagreement
from retrieval.models import Answer, Hit

# --- inline mode -----------------------------------------------------------------------------------------

INLINE_TITLE_CHARS = 120
INLINE_DESCRIPTION_CHARS = 200


def single_hit(answer: Answer, hit: Hit) -> Answer:
    """``answer`` narrowed to one hit, so its markers start at [1] (an inline result stands alone)."""
    return Answer(answer.question, answer.query_terms, (hit,), False, answer.missing_terms)


def inline_title(hit: Hit) -> str:
    """The result's title in the inline list: the sentence, cut at a word boundary."""
    return truncate_words(hit.sentence.text.strip(), INLINE_TITLE_CHARS)


def inline_description(hit: Hit) -> str:
    """The result's second line, its source: «[1] outlet — date — title» of the first article carrying it."""
    citation = hit.citations[0]
    parts = [citation.outlet or phrases.UNKNOWN_OUTLET, format_date(citation.published), citation.title]
    return truncate_words(f"[1] {DASH.join(parts)}", INLINE_DESCRIPTION_CHARS)


def _inline_message(answer: Answer, body: str, limit: int) -> str | None:
    question = f"<b>{safe_html(truncate_words(answer.question.strip(), 300))}</b>"
    sources = [citation_html(n, c) for n, c in enumerate(answer.citations, 1)]
    text = rtl_lines("\n".join([question, "", body, "", escape(phrases.SOURCES_HEADING), *sources]))
    return text if utf16_len(text) <= limit else None


def inline_figures(
    answer: Answer, *, highlight: Highlighter | None = None, limit: int = MAX_TEXT_LENGTH
) -> tuple[str, str] | None:
    """When the hits disagree on the figure a «كم…» question asks for: the title of an extra inline result
    («تختلف المصادر: 18 [1]، 8 على الأقل [2]») and the message it posts (each figure's sentence, cited)."""
    disagreement = find_disagreement(answer)
    if disagreement is None:
        return None
    hits = tuple(answer.hits[i] for group in disagreement.hits for i in group)
    figures = Answer(answer.question, answer.query_terms, hits, False, answer.missing_terms)
    line = disagreement_line(figures, markup=False)
    if line is None:
        return None
    for shown in range(len(hits), 0, -1):
        page = render_answer_html(figures, snippets=shown, highlight=highlight, limit=limit // 2)
        text = _inline_message(figures, page.text, limit)
        if text is not None:
            return line, text
    return None


def render_inline_html(
    answer: Answer, hit: Hit, *, highlight: Highlighter | None = None, limit: int = MAX_TEXT_LENGTH
) -> str:
    """The message an inline result posts: the question, the cited snippet, and its full source line(s)."""
    alone = single_hit(answer, hit)
    text = _inline_message(alone, snippet(alone, hit, markup=True, highlight=highlight), limit)
    if text is not None:
        return text
    question = f"<b>{safe_html(truncate_words(answer.question.strip(), 300))}</b>"
    block = shrunk_snippet(alone, hit, 0, highlight, limit // 2, None)
    return fit_lines([], [question, "", block], limit=limit)
