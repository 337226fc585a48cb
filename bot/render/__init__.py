"""Pure rendering: an ``Answer`` (and friends) -> Telegram HTML or plain text for the CLI.

``html`` holds the primitives (escaping, bidi isolates, fitting within Telegram's limit, dates and counted
nouns); ``answer`` the answers, figures and declines; ``sources`` the citation lines; ``admin`` /help,
/stats and the reload and upload messages; ``timeline`` and ``inline`` their features' messages. The names
the bot's handlers use are importable from ``bot.render`` itself.
"""

from bot.render.admin import (
    render_help_html,
    render_reload_html,
    render_stats_html,
    render_upload_preview_html,
)
from bot.render.answer import Page, disagreement_line, render_answer_html, render_answer_text
from bot.render.html import MAX_TEXT_LENGTH, escape, utf16_len
from bot.render.inline import inline_description, inline_figures, inline_title, render_inline_html
from bot.render.sources import render_sources_html, render_sources_text
from bot.render.timeline import (
    TIMELINE_PAGE_EVENTS,
    TimelinePage,
    render_timeline_html,
    render_timeline_text,
    timeline_citations,
)

__all__ = [
    "MAX_TEXT_LENGTH",
    "TIMELINE_PAGE_EVENTS",
    "Page",
    "TimelinePage",
    "disagreement_line",
    "escape",
    "inline_description",
    "inline_figures",
    "inline_title",
    "render_answer_html",
    "render_answer_text",
    "render_help_html",
    "render_inline_html",
    "render_reload_html",
    "render_sources_html",
    "render_sources_text",
    "render_stats_html",
    "render_timeline_html",
    "render_timeline_text",
    "render_upload_preview_html",
    "timeline_citations",
    "utf16_len",
]
