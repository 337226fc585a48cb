"""Clean text that arrives from Telegram before it is searched, echoed or stored (pure).

Telegram delivers whatever a client sends: lone UTF-16 surrogates (JSON ``"\\ud800"``), NUL and other
control characters, bidi overrides and isolates (U+202A–U+202E, U+2066–U+2069) and zero-width characters
that split a word in two («ال\\u200bصين»). None of them carries meaning for a question, and some break
things further on: a lone surrogate cannot be encoded as UTF-8 (the reply's HTTP request fails), a bidi
override reverses the rest of the line it is echoed into.
"""

from __future__ import annotations

import re
import unicodedata

REPLACEMENT = "\ufffd"
_SURROGATE = re.compile("[\ud800-\udfff]")
# C0 and C1 controls except tab and line breaks.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _is_format(char: str) -> bool:
    return unicodedata.category(char) == "Cf"


def clean_text(text: str) -> str:
    """``text`` with lone surrogates as U+FFFD, control characters as spaces and invisible format
    characters (bidi controls, zero-width spaces and joiners, BOM, soft hyphen) removed."""
    text = _SURROGATE.sub(REPLACEMENT, text)
    text = _CONTROL.sub(" ", text)
    if any(_is_format(char) for char in text):
        text = "".join(char for char in text if not _is_format(char))
    return text


def utf16_slice(text: str, offset: int, length: int) -> str:
    """The part of ``text`` a Telegram entity (offsets in UTF-16 code units) points at, even when ``text``
    holds lone surrogates (PTB's ``Message.parse_entity`` raises UnicodeEncodeError on those)."""
    units = text.encode("utf-16-le", "surrogatepass")
    return units[2 * offset : 2 * (offset + length)].decode("utf-16-le", "surrogatepass")
