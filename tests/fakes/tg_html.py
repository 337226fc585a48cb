"""Telegram's HTML ``parse_mode``, parsed the way the Bot API parses it, for the fake server.

``parse_html(text)`` returns the plain text the chat would show and the message entities
(offsets and lengths in UTF-16 code units), or raises ``EntityParseError`` whose message is
the part Telegram puts after ``"Bad Request: can't parse entities: "``.

Supported (https://core.telegram.org/bots/api#html-style): ``b strong i em u ins s strike del
span class="tg-spoiler" tg-spoiler a href code (class="language-…" inside pre) pre blockquote
[expandable] tg-emoji emoji-id``; the named entities ``&lt; &gt; &amp; &quot;`` and every numeric
entity (``&#1575;``, ``&#x627;``).

Deliberately stricter than Telegram in one respect: Telegram keeps a ``&`` that does not start
one of those entities as a literal character, this parser rejects it, so a missing
``html.escape`` fails in tests instead of only sometimes in production (a bare ``<`` is rejected
by Telegram itself, as an unsupported start tag).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

__all__ = ["EntityParseError", "parse_html", "strip_formatted", "utf16_len"]

_SIMPLE_TAGS: dict[str, str] = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
}
ALLOWED_TAGS = frozenset({*_SIMPLE_TAGS, "span", "a", "code", "pre", "blockquote", "tg-emoji"})

_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY_RE = re.compile(r"&(?:#([0-9]{1,8})|#[xX]([0-9a-fA-F]{1,8})|([a-zA-Z]{1,8}));")
_MARKUP_RE = re.compile(r"[<&]")
_UNQUOTED_VALUE_RE = re.compile(r"[A-Za-z0-9.\-]*")


class EntityParseError(ValueError):
    """The text is not valid Telegram HTML; ``str(error)`` is Telegram's wording."""


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram's limits and entity offsets."""
    if text.isascii():
        return len(text)
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


@dataclass
class _Open:
    tag: str
    attrs: dict[str, str]
    utf16_start: int


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8", "surrogatepass"))


class _At:
    """The UTF-8 byte offset of ``text[index]``, computed only when an error message needs it."""

    __slots__ = ("index", "text")

    def __init__(self, text: str, index: int) -> None:
        self.text = text
        self.index = index

    def __format__(self, spec: str) -> str:
        return format(_byte_offset(self.text, self.index), spec)


def _decode_entity(text: str, index: int) -> tuple[str, int] | None:
    """The character of the entity starting at ``text[index] == '&'`` and the index after it."""
    match = _ENTITY_RE.match(text, index)
    if match is None:
        return None
    decimal, hexadecimal, name = match.groups()
    if name is not None:
        char = _NAMED_ENTITIES.get(name)
        if char is None:
            return None
        return char, match.end()
    code = int(decimal) if decimal is not None else int(hexadecimal, 16)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code), match.end()


def _entity(tag: _Open, offset: int, length: int, inner_text: str) -> dict[str, Any] | None:
    kind = _SIMPLE_TAGS.get(tag.tag)
    if kind is not None:
        return {"type": kind, "offset": offset, "length": length}
    if tag.tag == "span":
        return {"type": "spoiler", "offset": offset, "length": length}
    if tag.tag == "a":
        url = tag.attrs.get("href") or inner_text
        return {"type": "text_link", "offset": offset, "length": length, "url": url}
    if tag.tag == "code":
        language = tag.attrs.get("class", "")
        if language.startswith("language-") and len(language) > len("language-"):
            return {"type": "code", "offset": offset, "length": length, "language": language[9:]}
        return {"type": "code", "offset": offset, "length": length}
    if tag.tag == "pre":
        return {"type": "pre", "offset": offset, "length": length}
    if tag.tag == "blockquote":
        kind = "expandable_blockquote" if "expandable" in tag.attrs else "blockquote"
        return {"type": kind, "offset": offset, "length": length}
    # tg-emoji; its id was checked when the tag was opened.
    emoji_id = tag.attrs["emoji-id"]
    return {"type": "custom_emoji", "offset": offset, "length": length, "custom_emoji_id": emoji_id}


def _parse_attributes(text: str, index: int, tag: str, tag_byte: _At) -> tuple[dict[str, str], int]:
    """Attributes of a start tag from ``index`` up to its ``>``; returns them and the index after ``>``."""
    attrs: dict[str, str] = {}
    size = len(text)
    while True:
        while index < size and text[index].isspace():
            index += 1
        if index >= size:
            raise EntityParseError(f'Unclosed start tag "{tag}" at byte offset {tag_byte}')
        if text[index] == ">":
            return attrs, index + 1
        name_start = index
        while index < size and not text[index].isspace() and text[index] not in "=>/\"'":
            index += 1
        name = text[name_start:index].lower()
        if not name:
            raise EntityParseError(f'Empty attribute name in the tag "{tag}" at byte offset {tag_byte}')
        while index < size and text[index].isspace():
            index += 1
        if index >= size:
            raise EntityParseError(f'Unclosed start tag "{tag}" at byte offset {tag_byte}')
        if text[index] != "=":
            attrs[name] = ""
            continue
        index += 1
        while index < size and text[index].isspace():
            index += 1
        if index >= size:
            raise EntityParseError(f'Unclosed start tag "{tag}" at byte offset {tag_byte}')
        quote = text[index]
        if quote not in "\"'":
            match = _UNQUOTED_VALUE_RE.match(text, index)
            assert match is not None  # the pattern matches the empty string
            index = match.end()
            if index >= size or (not text[index].isspace() and text[index] != ">"):
                raise EntityParseError(
                    f"Unexpected end of name token at byte offset {_byte_offset(text, index)}"
                )
            attrs[name] = match.group().lower()
            continue
        index += 1
        value: list[str] = []
        while index < size and text[index] != quote:
            if text[index] == "&":
                decoded = _decode_entity(text, index)
                if decoded is None:
                    raise EntityParseError(
                        f"Character entity expected at byte offset {_byte_offset(text, index)}"
                    )
                value.append(decoded[0])
                index = decoded[1]
                continue
            value.append(text[index])
            index += 1
        if index >= size:
            raise EntityParseError(f'Unclosed start tag "{tag}" at byte offset {tag_byte}')
        index += 1
        attrs[name] = "".join(value)


def parse_html(text: str) -> tuple[str, list[dict[str, Any]]]:
    """Plain text and entities of Telegram HTML ``text``; raises ``EntityParseError``.

    Leading and trailing whitespace is kept here; ``strip_formatted`` trims it as Telegram does.
    """
    out: list[str] = []
    utf16 = 0
    entities: list[dict[str, Any]] = []
    stack: list[_Open] = []
    size = len(text)
    index = 0
    while index < size:
        char = text[index]
        if char == "&":
            decoded = _decode_entity(text, index)
            if decoded is None:
                where = _byte_offset(text, index)
                raise EntityParseError(f"Character entity expected at byte offset {where}")
            out.append(decoded[0])
            utf16 += utf16_len(decoded[0])
            index = decoded[1]
            continue
        if char != "<":
            # Copy the run of plain characters up to the next markup character in one step.
            found = _MARKUP_RE.search(text, index + 1)
            end = found.start() if found else size
            chunk = text[index:end]
            out.append(chunk)
            utf16 += utf16_len(chunk)
            index = end
            continue

        tag_byte = _At(text, index)
        if index + 1 < size and text[index + 1] == "/":
            if not stack:
                raise EntityParseError(f"Unexpected end tag at byte offset {tag_byte}")
            name_start = index + 2
            end = name_start
            while end < size and not text[end].isspace() and text[end] != ">":
                end += 1
            name = text[name_start:end].lower()
            while end < size and text[end].isspace():
                end += 1
            if end >= size or text[end] != ">":
                raise EntityParseError(f"Unclosed end tag at byte offset {tag_byte}")
            top = stack[-1]
            if name and name != top.tag:
                raise EntityParseError(
                    f'Unmatched end tag at byte offset {tag_byte}, expected "</{top.tag}>", found "</{name}>"'
                )
            stack.pop()
            if utf16 > top.utf16_start:
                inner = _inner_text(out, top, utf16)
                entity = _entity(top, top.utf16_start, utf16 - top.utf16_start, inner)
                if entity is not None:
                    entities.append(entity)
            index = end + 1
            continue

        name_start = index + 1
        end = name_start
        while end < size and not text[end].isspace() and text[end] != ">":
            end += 1
        if end >= size:
            raise EntityParseError(f"Unclosed start tag at byte offset {tag_byte}")
        name = text[name_start:end].lower()
        if name not in ALLOWED_TAGS:
            raise EntityParseError(f'Unsupported start tag "{name}" at byte offset {tag_byte}')
        attrs, index = _parse_attributes(text, end, name, tag_byte)
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise EntityParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {tag_byte}')
        if name == "tg-emoji" and not attrs.get("emoji-id", "").isdigit():
            raise EntityParseError("Invalid custom emoji identifier specified")
        stack.append(_Open(name, attrs, utf16))

    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].tag}"')
    entities = _merge_pre_code(entities)
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def _inner_text(out: list[str], tag: _Open, utf16_end: int) -> str:
    """The text inside ``tag`` (only needed for ``<a>`` without ``href``)."""
    if tag.tag != "a" or tag.attrs.get("href"):
        return ""
    whole = "".join(out).encode("utf-16-le", "surrogatepass")
    return whole[tag.utf16_start * 2 : utf16_end * 2].decode("utf-16-le", "surrogatepass")


def _merge_pre_code(entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``<pre><code class="language-x">…</code></pre>`` is one ``pre`` entity with a language."""
    merged: list[dict[str, Any]] = []
    for entity in entities:
        previous = merged[-1] if merged else None
        if (
            entity["type"] == "pre"
            and previous is not None
            and previous["type"] == "code"
            and (previous["offset"], previous["length"]) == (entity["offset"], entity["length"])
        ):
            merged[-1] = {**entity, **({"language": previous["language"]} if "language" in previous else {})}
            continue
        merged.append(entity)
    # A language outside <pre> means nothing to Telegram.
    return [{k: v for k, v in e.items() if k != "language"} if e["type"] == "code" else e for e in merged]


def strip_formatted(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Trim leading/trailing whitespace as Telegram does, shifting and clipping the entities."""
    stripped_left = text.lstrip()
    left = utf16_len(text) - utf16_len(stripped_left)
    result = stripped_left.rstrip()
    total = utf16_len(result)
    if not left and total == utf16_len(stripped_left):
        return result, entities
    fixed: list[dict[str, Any]] = []
    for entity in entities:
        start = max(entity["offset"] - left, 0)
        end = min(entity["offset"] + entity["length"] - left, total)
        if end > start:
            fixed.append({**entity, "offset": start, "length": end - start})
    return result, fixed
