"""HTML primitives every renderer shares: escaping, bidi isolates, right-to-left lines, bold spans,
cutting text at word boundaries, fitting lines within Telegram's limit (UTF-16 length), and the Arabic
wording of dates and counted nouns.

Rules every HTML function in ``bot.render`` keeps:
- every inserted value goes through ``html.escape`` (news text and questions hold ``<``, ``&``, quotes);
- the result never exceeds ``MessageLimit.MAX_TEXT_LENGTH`` UTF-16 code units, counting the markup too
  (so it also fits after Telegram strips the tags); text is trimmed *before* it is escaped and marked up,
  so a cut never lands inside a tag or an entity;
- right-to-left safety: each ``[n]`` marker and each Latin run is wrapped in Unicode isolates
  (U+2068 FSI … U+2069 PDI) and a line whose first strong character is not Arabic starts with U+200F (RLM).
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Sequence
from datetime import date

from telegram.constants import MessageLimit

from bot import phrases
from retrieval.text import BIDI_CONTROLS

MAX_TEXT_LENGTH = int(MessageLimit.MAX_TEXT_LENGTH)
FSI = "\u2068"
PDI = "\u2069"
RLM = "\u200f"
ELLIPSIS = "…"
BULLET = "•"
DASH = " — "

_LATIN = "A-Za-z\u00c0-\u024f"
# A Latin word, joined to further Latin words or digits by one space or joiner: "COVID-19", "New York".
_LATIN_RUN = re.compile(rf"[{_LATIN}]+(?:[-./:'’&_+ ]?[{_LATIN}0-9]+)*")
_TAG = re.compile(r"<[^>]*>")

# --- text helpers ----------------------------------------------------------------------------------------


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


def isolate_latin(text: str) -> str:
    """Wrap each Latin run in FSI/PDI so it cannot reorder the Arabic around it."""
    return _LATIN_RUN.sub(lambda m: f"{FSI}{m.group(0)}{PDI}", text)


# Explicit embeddings, overrides and isolates (LRE RLE PDF LRO RLO, LRI RLI FSI PDI) inside untrusted text
# (a question, an uploaded title) would reorder the rest of the line; the renderer adds its own isolates.
_BIDI_CONTROLS = re.compile(f"[{BIDI_CONTROLS}]")


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
