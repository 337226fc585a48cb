"""Sources: one line per cited article (title, linked when the url is usable, outlet and the agency it
credits, date) and the «المصادر:» list, as Telegram HTML and as plain text."""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot import phrases
from bot.render.html import DASH, MAX_TEXT_LENGTH, escape, fit_lines, format_date, marker, safe_html
from retrieval.models import Citation

# --- sources ---------------------------------------------------------------------------------------------


def _usable_url(url: str | None) -> str | None:
    if url and re.match(r"https?://[^\s<>\"]+$", url.strip()):
        return url.strip()
    return None


def credited_outlet(citation: Citation) -> str:
    """«عربي21 نقلًا عن تاس»: the outlet, and the agency it credits when the page names one."""
    if citation.source is None:
        return citation.outlet or phrases.UNKNOWN_OUTLET
    if citation.outlet is None:
        return phrases.CREDITED_ONLY.format(source=citation.source)
    return phrases.CREDITED_TO.format(outlet=citation.outlet, source=citation.source)


def _title_text(citation: Citation) -> str:
    """The title; one made from the article's first sentence says it is not the page's headline."""
    return f"«{citation.title}» {phrases.TITLE_DERIVED}" if citation.title_derived else citation.title


def citation_text(number: int, citation: Citation) -> str:
    parts = [
        f"[{number}] {_title_text(citation)}",
        credited_outlet(citation),
        format_date(citation.published),
    ]
    url = _usable_url(citation.url)
    if url:
        parts.append(url)
    return DASH.join(parts)


def citation_html(number: int, citation: Citation) -> str:
    """``[n] <a href=url>title</a> — outlet — date`` (no link when the url is unknown or not http)."""
    title = safe_html(citation.title)
    url = _usable_url(citation.url)
    if url:
        title = f'<a href="{escape(url)}">{title}</a>'
    if citation.title_derived:
        title = f"«{title}» <i>{escape(phrases.TITLE_DERIVED)}</i>"
    outlet = safe_html(credited_outlet(citation))
    published = escape(format_date(citation.published))
    return f"{marker(number, markup=True)} {title}{DASH}{outlet}{DASH}{published}"


def render_sources_text(citations: Sequence[Citation]) -> str:
    """«المصادر:» and ``[n] title — outlet — date — url`` per citation; empty string when there are none."""
    if not citations:
        return ""
    lines = [phrases.SOURCES_HEADING]
    lines += [citation_text(number, citation) for number, citation in enumerate(citations, 1)]
    return "\n".join(lines)


def render_sources_html(citations: Sequence[Citation] | None, *, limit: int = MAX_TEXT_LENGTH) -> str:
    """Full citations for Telegram, or a friendly note when this chat has no answer yet."""
    if not citations:
        return escape(phrases.NO_SOURCES)
    items = [citation_html(number, citation) for number, citation in enumerate(citations, 1)]
    return fit_lines([escape(phrases.SOURCES_HEADING), "\n"], items, limit=limit)
