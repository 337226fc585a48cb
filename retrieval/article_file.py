"""The curated article file: its text (TOML front matter and paragraphs) and its document id.

:func:`render_article` writes what :func:`retrieval.corpus.parse_article` reads; :func:`slugify_id`
turns a file name into a safe document id. Used by ``sanad ingest`` and the bot's uploads, through
:mod:`retrieval.ingest` and :mod:`retrieval.webpage`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from retrieval.corpus import is_valid_id
from retrieval.errors import IngestError
from retrieval.models import Article

__all__ = ["render_article", "slugify_id"]


def _toml_string(value: str) -> str:
    escapes = {"\\": "\\\\", '"': '\\"', "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}
    out = []
    for char in value:
        if char in escapes:
            out.append(escapes[char])
        elif unicodedata.category(char) == "Cc":
            out.append(f"\\u{ord(char):04X}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _front_matter(article: Article) -> Iterator[str]:
    yield f"id = {_toml_string(article.id)}"
    yield f"title = {_toml_string(article.title)}"
    if article.outlet is not None:
        yield f"outlet = {_toml_string(article.outlet)}"
    if article.published is not None:
        yield f"published = {article.published.isoformat()}"
    if article.url is not None:
        yield f"url = {_toml_string(article.url)}"
    if article.byline is not None:
        yield f"byline = {_toml_string(article.byline)}"
    if article.source is not None:
        yield f"source = {_toml_string(article.source)}"
    if article.title_derived:
        yield "title_derived = true"


def render_article(article: Article) -> str:
    """The article file: TOML front matter between '+++' lines, then paragraphs separated by blank lines."""
    front = "\n".join(_front_matter(article))
    body = "\n\n".join(article.paragraphs)
    return f"+++\n{front}\n+++\n\n{body}\n"


def slugify_id(name: str) -> str:
    """A safe document id from a file name: base name without extension, no separators, no '..'."""
    base = re.split(r"[\\/]", name)[-1]
    stem = base.rsplit(".", 1)[0] if "." in base.lstrip(".") else base
    slug = re.sub(r"[^\w.\-]+", "_", unicodedata.normalize("NFC", stem).strip()).lower()
    slug = re.sub(r"\.{2,}", ".", slug)
    slug = re.sub(r"_{2,}", "_", slug).strip("._-")
    if not is_valid_id(slug):
        raise IngestError(f"cannot derive a document id from the file name {name!r}; rename the file")
    return slug
