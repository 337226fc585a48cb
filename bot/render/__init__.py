"""Pure rendering: an ``Answer`` (and friends) -> Telegram HTML or plain text for the CLI.

``html`` holds the primitives (escaping, bidi isolates, fitting within Telegram's limit); ``answer`` the
answers, declines and sources; ``admin`` /help, /stats and the reload and upload messages; ``timeline``
and ``inline`` their features' messages. The names callers use are importable from ``bot.render``.
"""

from bot.render.admin import (
    removed_lines,
    render_help_html,
    render_reload_html,
    render_stats_html,
    render_upload_preview_html,
)
from bot.render.answer import (
    Highlighter,
    Page,
    citation_html,
    credited_outlet,
    disagreement_line,
    from_articles,
    hit_markers,
    render_answer_html,
    render_answer_text,
    render_decline_html,
    render_decline_text,
    render_sources_html,
    render_sources_text,
)
from bot.render.html import (
    FSI,
    MAX_TEXT_LENGTH,
    PDI,
    RLM,
    count_noun,
    escape,
    fit_lines,
    format_date,
    safe_html,
    truncate_words,
    truncate_words_start,
    utf16_len,
)
from bot.render.inline import inline_description, inline_figures, inline_title, render_inline_html
from bot.render.timeline import (
    TIMELINE_PAGE_EVENTS,
    TimelinePage,
    render_timeline_html,
    render_timeline_text,
    timeline_citations,
)

__all__ = [
    "FSI",
    "MAX_TEXT_LENGTH",
    "PDI",
    "RLM",
    "TIMELINE_PAGE_EVENTS",
    "Highlighter",
    "Page",
    "TimelinePage",
    "citation_html",
    "count_noun",
    "credited_outlet",
    "disagreement_line",
    "escape",
    "fit_lines",
    "format_date",
    "from_articles",
    "hit_markers",
    "inline_description",
    "inline_figures",
    "inline_title",
    "removed_lines",
    "render_answer_html",
    "render_answer_text",
    "render_decline_html",
    "render_decline_text",
    "render_help_html",
    "render_inline_html",
    "render_reload_html",
    "render_sources_html",
    "render_sources_text",
    "render_stats_html",
    "render_timeline_html",
    "render_timeline_text",
    "render_upload_preview_html",
    "safe_html",
    "timeline_citations",
    "truncate_words",
    "truncate_words_start",
    "utf16_len",
]
