"""Pure rendering: an ``Answer`` (and friends) -> Telegram HTML or plain text for the CLI.

Rules every HTML function here keeps:
- every inserted value goes through ``html.escape`` (news text and questions hold ``<``, ``&``, quotes);
- the result never exceeds ``MessageLimit.MAX_TEXT_LENGTH`` UTF-16 code units, counting the markup too
  (so it also fits after Telegram strips the tags); text is trimmed *before* it is escaped and marked up,
  so a cut never lands inside a tag or an entity;
- right-to-left safety: each ``[n]`` marker and each Latin run is wrapped in Unicode isolates
  (U+2068 FSI … U+2069 PDI) and a line whose first strong character is not Arabic starts with U+200F (RLM).

Plain text (``render_answer_text``, ``render_sources_text``) uses the same Arabic wording from
``bot.phrases`` but no markup and no invisible bidi controls, so terminals and JSON stay clean.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from telegram.constants import MessageLimit

from bot import phrases
from retrieval.models import Answer, Citation, Hit, Sentence

MAX_TEXT_LENGTH = int(MessageLimit.MAX_TEXT_LENGTH)
FSI = "\u2068"
PDI = "\u2069"
RLM = "\u200f"
ELLIPSIS = "…"
BULLET = "•"
DASH = " — "

Highlighter = Callable[[str, Sequence[str]], Sequence[tuple[int, int]]]
"""``Retriever.highlight_spans``: character spans of ``text`` matching the query terms."""

# A hit shorter than this many words is shown with a neighbouring sentence for context.
SHORT_HIT_WORDS = 6

# First words (normalised, without a leading و/ف) that point back to something said before:
# pronouns, demonstratives, connectives, and reporting verbs whose subject was named earlier.
_REFERENTIAL = frozenset(
    {
        # pronouns
        "هو", "هي", "هم", "هما", "هن", "انه", "انها", "انهم",
        # demonstratives and place deixis
        "هذا", "هذه", "ذلك", "تلك", "هؤلاء", "اولئك", "هنا", "هناك", "بذلك", "بهذا", "لذلك", "لهذا",
        # connectives
        "لكن", "لكنه", "لكنها", "لكنهم", "ولكن", "غير", "الا", "كما", "ثم", "بينما", "ايضا", "كذلك",
        "اذ", "حيث", "فيما", "عندها", "حينها", "بعدها", "عليه", "بالتالي",
        # reporting verbs with an implicit subject
        "اضاف", "اضافت", "تابع", "تابعت", "اوضح", "اوضحت", "اكد", "اكدت", "اشار", "اشارت",
        "لفت", "لفتت", "اعتبر", "اعتبرت", "شدد", "شددت", "قال", "قالت",
    }
)  # fmt: skip

_LATIN = "A-Za-z\u00c0-\u024f"
# A Latin word, joined to further Latin words or digits by one space or joiner: "COVID-19", "New York".
_LATIN_RUN = re.compile(rf"[{_LATIN}]+(?:[-./:'’&_+ ]?[{_LATIN}0-9]+)*")
_TAG = re.compile(r"<[^>]*>")


# --- small helpers ---------------------------------------------------------------------------------------


def utf16_len(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def escape(text: str) -> str:
    """HTML-escape ``text`` for Telegram (``<``, ``>``, ``&`` and quotes)."""
    return html.escape(text, quote=True)


def format_date(value: date | None) -> str:
    """``date(2022, 1, 8)`` -> «8 يناير 2022»; unknown dates say so."""
    if value is None:
        return phrases.UNKNOWN_DATE
    return f"{value.day} {phrases.MONTHS[value.month - 1]} {value.year}"


def count_noun(count: int, forms: tuple[str, str, str, str, str]) -> str:
    """Arabic counted noun: 1 and 2 are words, 3–10 take the plural, 11–99 the singular."""
    one, two, few, many, hundreds = forms
    if count == 1:
        return one
    if count == 2:
        return two
    rest = count % 100
    if 3 <= rest <= 10:
        return f"{count} {few}"
    if 11 <= rest <= 99:
        return f"{count} {many}"
    return f"{count} {hundreds}"


def from_articles(count: int) -> str:
    """«من 3 مقالات»: how many articles support the shown snippets."""
    return phrases.FROM_ARTICLES.format(articles=count_noun(count, phrases.ARTICLES_GEN))


def isolate_latin(text: str) -> str:
    """Wrap each Latin run in FSI/PDI so it cannot reorder the Arabic around it."""
    return _LATIN_RUN.sub(lambda m: f"{FSI}{m.group(0)}{PDI}", text)


# Explicit embeddings, overrides and isolates (LRE RLE PDF LRO RLO, LRI RLI FSI PDI) inside untrusted text
# (a question, an uploaded title) would reorder the rest of the line; the renderer adds its own isolates.
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def safe_html(text: str) -> str:
    """Plain text (news, questions, titles) -> escaped, bidi-isolated HTML fragment, its own bidi controls
    dropped."""
    return escape(isolate_latin(_BIDI_CONTROLS.sub("", text)))


def first_strong_direction(text: str, *, skip_isolates: bool = True) -> str | None:
    """Bidi class (``L``, ``R`` or ``AL``) of the first strong character, outside isolates by default."""
    depth = 0
    for char in text:
        if char in "\u2066\u2067\u2068":
            depth += skip_isolates
        elif char == PDI:
            depth = max(0, depth - 1)
        elif depth == 0:
            kind = unicodedata.bidirectional(char)
            if kind in {"L", "R", "AL"}:
                return kind
    return None


def rtl_lines(markup: str) -> str:
    """Start with RLM every line whose first strong letter (ignoring tags) is not right-to-left.

    Isolated runs count here: not every client skips isolates when it picks a paragraph's direction.
    """
    lines = []
    for line in markup.split("\n"):
        visible = html.unescape(_TAG.sub("", line))
        if visible.strip() and first_strong_direction(visible, skip_isolates=False) not in {"R", "AL"}:
            line = RLM + line
        lines.append(line)
    return "\n".join(lines)


def marker(number: int, *, markup: bool) -> str:
    return f"{FSI}[{number}]{PDI}" if markup else f"[{number}]"


def hit_markers(answer: Answer, hit: Hit) -> tuple[int, ...]:
    """1-based positions of the hit's citations in ``answer.citations``, ascending."""
    index = {citation.doc_id: number for number, citation in enumerate(answer.citations, 1)}
    return tuple(sorted({index[c.doc_id] for c in hit.citations if c.doc_id in index}))


def _normalise_word(word: str) -> str:
    word = re.sub(r"[^\w]", "", word.replace("\u0640", ""))
    return word.translate(str.maketrans("أإآٱ", "اااا"))


def starts_referentially(text: str) -> bool:
    """True when the sentence opens with a pronoun, demonstrative, connective or subject-less verb."""
    words = text.split()
    if not words:
        return False
    first = _normalise_word(words[0])
    if first in _REFERENTIAL:
        return True
    return len(first) > 3 and first[0] in "وف" and first[1:] in _REFERENTIAL


def context_for(hit: Hit) -> tuple[Sentence | None, Sentence | None]:
    """Which neighbours to show next to a hit, as ``(before, after)``.

    - The hit opens with a pronoun/connective («وأضاف…», «هذا…», «لكن…»): the sentence before it,
      which names what it refers to.
    - The hit is short (fewer than ``SHORT_HIT_WORDS`` words): the sentence after it, else the one before.
    - Otherwise the hit stands alone.
    """
    text = hit.sentence.text
    if starts_referentially(text):
        return (hit.before, None)
    if len(text.split()) < SHORT_HIT_WORDS:
        if hit.after is not None:
            return (None, hit.after)
        return (hit.before, None)
    return (None, None)


def _merge_spans(spans: Sequence[tuple[int, int]], length: int) -> list[tuple[int, int]]:
    clipped = sorted((max(0, s), min(length, e)) for s, e in spans if min(length, e) > max(0, s))
    merged: list[tuple[int, int]] = []
    for start, end in clipped:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def bold_html(text: str, spans: Sequence[tuple[int, int]]) -> str:
    """Escape ``text`` and wrap the given character spans in ``<b>``."""
    out: list[str] = []
    cursor = 0
    for start, end in _merge_spans(spans, len(text)):
        out.append(safe_html(text[cursor:start]))
        out.append(f"<b>{safe_html(text[start:end])}</b>")
        cursor = end
    out.append(safe_html(text[cursor:]))
    return "".join(out)


def truncate_words(text: str, max_chars: int) -> str:
    """Cut ``text`` to at most ``max_chars`` characters (ellipsis included), at a word boundary if it can."""
    if len(text) <= max_chars:
        return text
    if max_chars <= 1:
        return ELLIPSIS[:max_chars]
    cut = text[: max_chars - 1]
    space = cut.rfind(" ")
    if space >= len(cut) // 2:
        cut = cut[:space]
    return cut.rstrip() + ELLIPSIS


# --- one snippet -----------------------------------------------------------------------------------------


# Context sentences are a hint, not the answer: longer ones keep the part nearest the hit.
CONTEXT_CHARS = 160


def truncate_words_start(text: str, max_chars: int) -> str:
    """Like ``truncate_words`` but keeps the end of ``text`` (for the sentence before a hit)."""
    if len(text) <= max_chars:
        return text
    start = len(text) - max_chars + 1
    cut = text[start:]
    space = cut.find(" ")
    if not text[start - 1].isspace() and 0 <= space <= len(cut) // 2:  # drop a partial first word
        cut = cut[space + 1 :]
    return ELLIPSIS + cut.lstrip()


def _snippet(
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


def _answer_page_html(answer: Answer, start: int, blocks: Sequence[str], hits: Sequence[Hit]) -> str:
    lines: list[str] = []
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
    blocks: list[str] = []
    for hit in chosen:
        block = _snippet(answer, hit, markup=True, highlight=highlight)
        text = _answer_page_html(answer, start, [*blocks, block], chosen[: len(blocks) + 1])
        if utf16_len(text) <= limit:
            blocks.append(block)
            continue
        if blocks:
            break
        blocks.append(_shrunk_snippet(answer, hit, start, highlight, limit))
        break
    text = _answer_page_html(answer, start, blocks, chosen[: len(blocks)])
    return Page(text, start, len(blocks), total)


def _shrunk_snippet(answer: Answer, hit: Hit, start: int, highlight: Highlighter | None, limit: int) -> str:
    """The longest version of a lone snippet that fits: first without context, then cut by words."""

    def fits(block: str) -> bool:
        return utf16_len(_answer_page_html(answer, start, [block], [hit])) <= limit

    block = _snippet(answer, hit, markup=True, highlight=highlight, with_context=False)
    if fits(block):
        return block
    low, high = 1, len(hit.sentence.text)
    best = _snippet(answer, hit, markup=True, highlight=highlight, with_context=False, max_chars=1)
    while low <= high:
        middle = (low + high) // 2
        candidate = _snippet(
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
    lines = [_snippet(answer, hit, markup=False) for hit in shown]
    lines += ["", from_articles(_distinct_articles(shown)), ""]
    cited = sorted({n for hit in shown for n in hit_markers(answer, hit)})
    citations = answer.citations
    lines.append(phrases.SOURCES_HEADING)
    lines += [_citation_text(n, citations[n - 1]) for n in cited]
    return "\n".join(lines)


# --- declines --------------------------------------------------------------------------------------------


def _decline_lines(answer: Answer, examples: Sequence[str]) -> tuple[str, str, list[str]]:
    if answer.missing_terms:
        first = phrases.DECLINE_MISSING.format(terms=phrases.LIST_SEPARATOR.join(answer.missing_terms))
    else:
        first = phrases.DECLINE_GENERIC
    return first, phrases.DECLINE_SCOPE, [e for e in examples if e.strip()][:3]


def render_decline_text(answer: Answer, examples: Sequence[str] = ()) -> str:
    """«لا تذكر المصادر المتاحة: الصين» + the corpus scope + up to three example questions."""
    first, scope, chosen = _decline_lines(answer, examples)
    lines = [first, scope]
    if chosen:
        lines += ["", phrases.DECLINE_EXAMPLES, *(f"{BULLET} {example}" for example in chosen)]
    return "\n".join(lines)


def render_decline_html(answer: Answer, examples: Sequence[str] = (), *, limit: int = MAX_TEXT_LENGTH) -> str:
    first, scope, chosen = _decline_lines(answer, examples)
    if answer.missing_terms:
        terms = phrases.LIST_SEPARATOR.join(f"<b>{safe_html(term)}</b>" for term in answer.missing_terms)
        head = escape(phrases.DECLINE_MISSING.split("{terms}")[0]) + terms
    else:
        head = escape(first)
    lines = [head, escape(scope)]
    if chosen:
        lines += ["", escape(phrases.DECLINE_EXAMPLES), *(f"{BULLET} {safe_html(e)}" for e in chosen)]
    text = rtl_lines("\n".join(lines))
    if utf16_len(text) <= limit:
        return text
    # Absurdly many missing words (a pasted essay): name as many as fit.
    return fit_lines(
        [escape(phrases.DECLINE_MISSING.split("{terms}")[0])],
        [f"<b>{safe_html(term)}</b>" for term in answer.missing_terms],
        limit=limit,
        separator=phrases.LIST_SEPARATOR,
    )


def fit_lines(
    head: Sequence[str], items: Sequence[str], *, limit: int = MAX_TEXT_LENGTH, separator: str = "\n"
) -> str:
    """``head`` then as many whole ``items`` as fit within ``limit``, then «…» if some were left out."""
    text = "".join(head)
    for count, item in enumerate(items):
        candidate = text + (separator if count else "") + item
        rest = len(items) - count - 1
        tail = (separator + ELLIPSIS) if rest else ""
        if utf16_len(rtl_lines(candidate + tail)) > limit:
            return rtl_lines(text + (separator if count else "") + ELLIPSIS)
        text = candidate
    return rtl_lines(text)


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


def _citation_text(number: int, citation: Citation) -> str:
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
    lines += [_citation_text(number, citation) for number, citation in enumerate(citations, 1)]
    return "\n".join(lines)


def render_sources_html(citations: Sequence[Citation] | None, *, limit: int = MAX_TEXT_LENGTH) -> str:
    """Full citations for Telegram, or a friendly note when this chat has no answer yet."""
    if not citations:
        return escape(phrases.NO_SOURCES)
    items = [citation_html(number, citation) for number, citation in enumerate(citations, 1)]
    return fit_lines([escape(phrases.SOURCES_HEADING), "\n"], items, limit=limit)


# --- /start and /help ------------------------------------------------------------------------------------


class CorpusInfoLike(Protocol):
    @property
    def articles(self) -> int: ...
    @property
    def sentences(self) -> int: ...
    @property
    def outlets(self) -> tuple[str, ...]: ...
    @property
    def first_published(self) -> date | None: ...
    @property
    def last_published(self) -> date | None: ...


def render_help_html(
    info: CorpusInfoLike,
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


class StatsLike(Protocol):
    @property
    def questions_today(self) -> int: ...
    @property
    def questions_7d(self) -> int: ...
    @property
    def answered_7d(self) -> int: ...
    @property
    def declined_7d(self) -> int: ...
    @property
    def top_declined(self) -> Sequence[tuple[str, int]]: ...
    @property
    def feedback_up(self) -> int: ...
    @property
    def feedback_down(self) -> int: ...
    @property
    def denied_admin_attempts_7d(self) -> int: ...


def render_stats_html(
    stats: StatsLike,
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


def render_reload_html(
    *,
    ok: bool,
    before: tuple[int, int],
    after: tuple[int, int],
    seconds: float,
    issues: Sequence[str] = (),
    error: str | None = None,
    max_issues: int = 10,
) -> str:
    """/reload outcome: articles and sentences before → after and the time taken, or what went wrong.

    ``before``/``after`` are ``(articles, sentences)``; on failure ``after`` is what was found (or the
    old counts when nothing could be loaded) and the old corpus stays in use.
    """
    lines: list[str] = []
    if ok:
        lines.append(escape(phrases.RELOAD_OK.format(seconds=f"{seconds:.1f}")))
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
    if error and not issues:
        lines += ["", f"{FSI}{escape(error)}{PDI}"]
    if issues:
        lines += ["", escape(phrases.RELOAD_ISSUES)]
        lines += [f"{BULLET} {FSI}{escape(issue)}{PDI}" for issue in issues[:max_issues]]
        if len(issues) > max_issues:
            lines.append(escape(phrases.RELOAD_MORE_ISSUES.format(count=len(issues) - max_issues)))
    return fit_lines([], lines)


def render_upload_preview_html(
    *,
    doc_id: str,
    title: str,
    published: date | None,
    outlet: str | None,
    paragraphs: Sequence[str],
    removed: int = 0,
    first_paragraphs: int = 3,
    paragraph_chars: int = 300,
) -> str:
    """What an admin sees before «إضافة»: title, date, outlet, id and the first paragraphs."""
    lines = [
        f"<b>{escape(phrases.UPLOAD_PREVIEW)}</b>",
        safe_html(phrases.UPLOAD_TITLE.format(title=title)),
        escape(phrases.UPLOAD_DATE.format(date=format_date(published))),
        safe_html(phrases.UPLOAD_OUTLET.format(outlet=outlet or phrases.UNKNOWN_OUTLET)),
        escape(phrases.UPLOAD_ID.split("{")[0]) + f"{FSI}<code>{escape(doc_id)}</code>{PDI}",
    ]
    if removed:
        lines.append(escape(phrases.UPLOAD_REMOVED.format(count=removed)))
    body = [p for p in paragraphs if not p.startswith("## ")][:first_paragraphs]
    if body:
        lines += ["", escape(phrases.UPLOAD_FIRST_LINES)]
        lines += [f"{BULLET} {safe_html(truncate_words(p, paragraph_chars))}" for p in body]
    lines += ["", escape(phrases.UPLOAD_CONFIRM)]
    return fit_lines([], lines)
