"""/start and /help, and what admins see: /stats, the outcome of /reload and the preview of an upload."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from bot import phrases
from bot.log import Stats
from bot.render.html import (
    BULLET,
    DASH,
    FSI,
    PDI,
    count_noun,
    escape,
    fit_lines,
    format_date,
    safe_html,
    truncate_words,
)
from retrieval.answer import CorpusInfo
from retrieval.models import Article

if TYPE_CHECKING:  # bot.admin renders its reports with this module
    from bot.admin import ReloadReport


def removed_lines(count: int) -> str:
    """«حُذفت 3 أسطر من النص…», with the verb and the counted noun agreeing with the number."""
    verb = phrases.UPLOAD_REMOVED_VERBS[1 if 3 <= count % 100 <= 10 else 0]
    return phrases.UPLOAD_REMOVED.format(verb=verb, lines=count_noun(count, phrases.LINES))


# --- /start and /help ------------------------------------------------------------------------------------


def render_help_html(
    info: CorpusInfo,
    *,
    username: str,
    examples: Sequence[str],
    commands: Sequence[tuple[str, str]],
) -> str:
    """/start and /help: what the bot knows, how to ask, example questions and every command."""
    outlets = phrases.LIST_SEPARATOR.join(info.outlets) or phrases.UNKNOWN_OUTLET
    lines = [
        f"<b>{escape(phrases.HELP_TITLE)}</b>",
        escape(phrases.HELP_WELCOME),
        "",
        safe_html(
            phrases.HELP_CORPUS.format(
                articles=count_noun(info.articles, phrases.ARTICLES_ACC),
                sentences=count_noun(info.sentences, phrases.SENTENCES_ACC),
                outlets=outlets,
            )
        ),
    ]
    if info.first_published and info.last_published:
        lines.append(
            escape(
                phrases.HELP_CORPUS_RANGE.format(
                    first=format_date(info.first_published), last=format_date(info.last_published)
                )
            )
        )
    lines += ["", safe_html(phrases.HELP_HOW.format(username=username)), escape(phrases.HELP_LIMITS)]
    chosen = [e for e in examples if e.strip()][:3]
    if chosen:
        lines += ["", escape(phrases.HELP_EXAMPLES), *(f"{BULLET} {safe_html(e)}" for e in chosen)]
    lines += ["", escape(phrases.HELP_COMMANDS)]
    lines += [f"{FSI}/{escape(name)}{PDI}{DASH}{safe_html(description)}" for name, description in commands]
    return fit_lines([], lines)


# --- admin -----------------------------------------------------------------------------------------------


def render_stats_html(
    stats: Stats,
    recent: Sequence[tuple[datetime, str, bool]],
    *,
    other: Sequence[tuple[str, int]] = (),
    lost_rows: int | None = None,
) -> str:
    """/stats: counts, other replies by outcome, feedback, refused admin attempts, log rows lost since
    start (when given), most frequent and latest unanswered questions."""
    lines = [
        f"<b>{escape(phrases.STATS_TITLE)}</b>",
        escape(phrases.STATS_QUESTIONS.format(today=stats.questions_today, week=stats.questions_7d)),
        escape(phrases.STATS_ANSWERED.format(answered=stats.answered_7d, declined=stats.declined_7d)),
    ]
    if other:
        items = phrases.STATS_SEPARATOR.join(
            phrases.STATS_OTHER_ITEM.format(label=phrases.OUTCOME_LABELS.get(outcome, outcome), count=count)
            for outcome, count in other
        )
        lines.append(safe_html(phrases.STATS_OTHER.format(items=items)))
    lines += [
        escape(phrases.STATS_FEEDBACK.format(up=stats.feedback_up, down=stats.feedback_down)),
        escape(phrases.STATS_DENIED.format(denied=stats.denied_admin_attempts_7d)),
    ]
    if lost_rows is not None:
        lines.append(escape(phrases.STATS_LOST.format(lost=lost_rows)))
    lines += ["", escape(phrases.STATS_TOP_DECLINED)]
    top = [f"{BULLET} {safe_html(text)} ({count})" for text, count in stats.top_declined]
    lines += top or [escape(phrases.STATS_NONE)]
    lines += ["", escape(phrases.STATS_RECENT_DECLINED)]
    unanswered = [
        f"{BULLET} {FSI}{escape(when.strftime('%Y-%m-%d %H:%M'))}{PDI} {safe_html(question)}"
        for when, question, declined in recent
        if declined
    ]
    lines += unanswered or [escape(phrases.STATS_NONE)]
    return fit_lines([], lines)


def render_reload_html(report: ReloadReport, *, max_issues: int = 10) -> str:
    """/reload outcome: articles and sentences before → after and the time taken, or what went wrong.

    ``before``/``after`` are ``(articles, sentences)``; on failure ``after`` is what was found (or the
    old counts when nothing could be loaded) and the old corpus stays in use. A request refused because a
    reload was already running says so.
    """
    if report.busy:
        return escape(phrases.RELOAD_BUSY)
    before, after, issues = report.before, report.after, report.issues
    lines: list[str] = []
    if report.ok:
        lines.append(escape(phrases.RELOAD_OK.format(seconds=f"{report.seconds:.1f}")))
    else:
        lines.append(
            escape(phrases.RELOAD_FAILED.format(articles=count_noun(before[0], phrases.ARTICLES_GEN)))
        )
    lines += escape(
        phrases.RELOAD_COUNTS.format(
            articles_before=before[0],
            articles_after=after[0],
            sentences_before=before[1],
            sentences_after=after[1],
        )
    ).split("\n")
    if report.error and not issues:
        lines += ["", f"{FSI}{escape(report.error)}{PDI}"]
    if issues:
        lines += ["", escape(phrases.RELOAD_ISSUES)]
        lines += [f"{BULLET} {FSI}{escape(issue)}{PDI}" for issue in issues[:max_issues]]
        if len(issues) > max_issues:
            lines.append(escape(phrases.RELOAD_MORE_ISSUES.format(count=len(issues) - max_issues)))
    return fit_lines([], lines)


def render_upload_preview_html(
    article: Article, *, removed: int = 0, first_paragraphs: int = 3, paragraph_chars: int = 300
) -> str:
    """What an admin sees before «إضافة»: title, date, outlet, id and the first paragraphs."""
    lines = [
        f"<b>{escape(phrases.UPLOAD_PREVIEW)}</b>",
        safe_html(phrases.UPLOAD_TITLE.format(title=article.title)),
        escape(phrases.UPLOAD_DATE.format(date=format_date(article.published))),
        safe_html(phrases.UPLOAD_OUTLET.format(outlet=article.outlet or phrases.UNKNOWN_OUTLET)),
        escape(phrases.UPLOAD_ID.split("{")[0]) + f"{FSI}<code>{escape(article.id)}</code>{PDI}",
    ]
    if removed:
        lines.append(escape(removed_lines(removed)))
    body = [p for p in article.paragraphs if not p.startswith("## ")][:first_paragraphs]
    if body:
        lines += ["", escape(phrases.UPLOAD_FIRST_LINES)]
        lines += [f"{BULLET} {safe_html(truncate_words(p, paragraph_chars))}" for p in body]
    lines += ["", escape(phrases.UPLOAD_CONFIRM)]
    return fit_lines([], lines)
