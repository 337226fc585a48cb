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
from retrieval.figures import Disagreement, find_disagreement
from retrieval.models import Answer, Citation, Hit, Sentence
from retrieval.timeline import Event

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


def removed_lines(count: int) -> str:
    """«حُذفت 3 أسطر من النص…», with the verb and the counted noun agreeing with the number."""
    verb = phrases.UPLOAD_REMOVED_VERBS[1 if 3 <= count % 100 <= 10 else 0]
    return phrases.UPLOAD_REMOVED.format(verb=verb, lines=count_noun(count, phrases.LINES))


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
        block = _snippet(answer, hit, markup=True, highlight=highlight)
        text = _answer_page_html(answer, start, [*blocks, block], chosen[: len(blocks) + 1], figures)
        if utf16_len(text) <= limit:
            blocks.append(block)
            continue
        if blocks:
            break
        blocks.append(_shrunk_snippet(answer, hit, start, highlight, limit, figures))
        break
    text = _answer_page_html(answer, start, blocks, chosen[: len(blocks)], figures)
    return Page(text, start, len(blocks), total)


def _shrunk_snippet(
    answer: Answer, hit: Hit, start: int, highlight: Highlighter | None, limit: int, figures: str | None
) -> str:
    """The longest version of a lone snippet that fits: first without context, then cut by words."""

    def fits(block: str) -> bool:
        return utf16_len(_answer_page_html(answer, start, [block], [hit], figures)) <= limit

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
    disagreement = find_disagreement(answer)
    figures = _disagreement_text(answer, disagreement, markup=False) if disagreement is not None else None
    lines = [phrases.READ_AS.format(reading=answer.reading), ""] if answer.reading else []
    lines += [phrases.ENGLISH_NOTE, ""] if answer.reason == "english" else []
    lines += [figures, ""] if figures else []
    lines += [_snippet(answer, hit, markup=False) for hit in shown]
    lines += ["", from_articles(_distinct_articles(shown)), ""]
    cited = sorted(
        {n for hit in shown for n in hit_markers(answer, hit)} | _figure_markers(answer, disagreement)
    )
    citations = answer.citations
    lines.append(phrases.SOURCES_HEADING)
    lines += [_citation_text(n, citations[n - 1]) for n in cited]
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

    if answer.reason == "english":
        return plain(phrases.DECLINE_ENGLISH)
    known = answer.known_terms if answer.related else ()
    if known and answer.missing_terms:
        head, tail = phrases.DECLINE_PARTIAL.split("{known}")
        middle, end = tail.split("{missing}")
        return plain(head) + words(known) + plain(middle) + words(answer.missing_terms) + plain(end)
    if known and answer.asks in phrases.DECLINE_KINDS:
        head, tail = phrases.DECLINE_PARTIAL_KIND.split("{known}")
        return plain(head) + words(known) + plain(tail.format(kind=phrases.DECLINE_KINDS[answer.asks]))
    if answer.missing_terms:
        return plain(phrases.DECLINE_MISSING.split("{terms}")[0]) + words(answer.missing_terms)
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
        lines.append(escape(removed_lines(removed)))
    body = [p for p in paragraphs if not p.startswith("## ")][:first_paragraphs]
    if body:
        lines += ["", escape(phrases.UPLOAD_FIRST_LINES)]
        lines += [f"{BULLET} {safe_html(truncate_words(p, paragraph_chars))}" for p in body]
    lines += ["", escape(phrases.UPLOAD_CONFIRM)]
    return fit_lines([], lines)


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
    text = _inline_message(alone, _snippet(alone, hit, markup=True, highlight=highlight), limit)
    if text is not None:
        return text
    question = f"<b>{safe_html(truncate_words(answer.question.strip(), 300))}</b>"
    block = _shrunk_snippet(alone, hit, 0, highlight, limit // 2, None)
    return fit_lines([], [question, "", block], limit=limit)
