"""Sentence segmentation for Arabic news paragraphs.

Splits after . ! ? ؟ (and their runs like «؟!»), and at line breaks. Keeps whole: decimals (2.5),
dotted dates (07.01.2022), ellipses (... …), single-letter and listed abbreviations (د. / U.S.),
and quotations (“…”, «…», "…") so a quoted statement is cited in full.
"""

from __future__ import annotations

import re

_END = re.compile(r"[.!?؟]+")
_QUOTE_PAIRS = {"«": "»", "“": "”", "„": "“"}
_ABBREVIATIONS = frozenset({"د", "م", "ص", "ق", "ج", "أ", "ش", "mr", "mrs", "dr", "st", "no", "vs", "etc"})
_MAX_QUOTE = 600  # a "quotation" longer than this is more likely an unbalanced quote mark


def _quoted_spans(text: str) -> list[tuple[int, int]]:
    """Character ranges inside balanced quotation marks."""
    spans: list[tuple[int, int]] = []
    for opening, closing in _QUOTE_PAIRS.items():
        start = -1
        for i, ch in enumerate(text):
            if ch == opening and start < 0:
                start = i
            elif ch == closing and start >= 0:
                if i - start <= _MAX_QUOTE:
                    spans.append((start, i))
                start = -1
    straight = [i for i, ch in enumerate(text) if ch == '"']
    for a, b in zip(straight[0::2], straight[1::2], strict=False):
        if b - a <= _MAX_QUOTE:
            spans.append((a, b))
    return spans


def _is_break(text: str, start: int, end: int, quotes: list[tuple[int, int]]) -> bool:
    mark = text[start:end]
    if end < len(text) and text[end] in ")]":  # "(...)" and the like
        return False
    if mark.startswith(".") and (len(mark) > 1 or (end < len(text) and text[end] == "…")):
        return False  # ellipsis, or «..» used as a dash in headlines
    if mark == ".":
        before = text[start - 1] if start else ""
        after = text[end] if end < len(text) else ""
        if before.isdigit() and after.isdigit():
            return False  # decimal or dotted date
        word = re.search(r"([^\W\d_]+)$", text[:start])  # letters only: «إلى 8.» ends a sentence
        if word and (len(word.group(1)) == 1 or word.group(1).lower() in _ABBREVIATIONS):
            return False
    return not any(a < start < b for a, b in quotes)


def split_sentences(paragraph: str) -> list[str]:
    """Split one paragraph into sentences, stripped, none empty."""
    sentences: list[str] = []
    for line in paragraph.splitlines():
        quotes = _quoted_spans(line)
        breaks: set[int] = set()
        for match in _END.finditer(line):
            end = match.end()
            # A closing quote or bracket right after the mark belongs to this sentence.
            while end < len(line) and line[end] in "\"”»)'":
                end += 1
            if _is_break(line, match.start(), match.end(), quotes):
                breaks.add(end)
        for a, b in quotes:  # «الوضع مستقر.» وأضاف… : a quotation that ends a sentence ends it
            if line[b - 1] in ".!?؟" and not any(x < b < y for x, y in quotes if (x, y) != (a, b)):
                breaks.add(b + 1)
        begin = 0
        for end in sorted(breaks):
            piece = line[begin:end].strip()
            if piece:
                sentences.append(piece)
            begin = end
        tail = line[begin:].strip()
        if tail:
            sentences.append(tail)
    return [s for s in sentences if any(ch.isalnum() for ch in s)]
