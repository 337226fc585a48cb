"""Turn a news web page (saved ``.html`` or fetched bytes) into a curated article.

Pure: bytes or HTML text in, :class:`~retrieval.ingest.IngestResult` out; no network here (fetching
is ``bot.fetch``). The steps:

1. **Decode** (:func:`decode_page`): UTF-8 when the bytes are valid UTF-8, whatever the page declares
   (valid UTF-8 Arabic is never windows-1256 text by chance), else the declared charset, else
   windows-1256; so a windows-1256 page served as UTF-8, and the reverse, are both read right.
2. **Metadata from the markup** (:func:`~retrieval.page_facts.page_facts`): headline (JSON-LD
   ``headline``, ``og:title``, ``<h1>``, ``<title>`` without the site name), date (JSON-LD
   ``datePublished``, ``article:published_time``, ``<time>``; the text's dateline comes later), outlet
   (``og:site_name``, JSON-LD publisher), canonical URL, byline (JSON-LD author, ``<meta name=author>``, a
   byline element) and the source agency (a short «المصدر: X» element).
3. **Chrome removed by element** (:mod:`retrieval.page_chrome`), each with its reason: navigation,
   cookie and consent banners, share bars, tags, "read also" and "most read" lists, comment sections and
   forms, sidebars, footers, photo captions, hidden and script elements. An element holding the article
   (its ``<h1>``, ``<article>``, ``articleBody``) is never removed. Embedded tweets and quotes with a
   named author become ``Name في تغريدة: «…»`` / ``Name: «…»`` paragraphs.
4. **Main text** by trafilatura (Apache-2.0) on what is left; blocks it leaves out are listed too.
5. **The text rules of** :mod:`retrieval.ingest` (:func:`~retrieval.ingest.ingest_lines`): credits,
   metadata lines, subheadings, repeats, the dateline; the same review and removal list.

A page with too little running text (a home page, an error page, a login wall) or whose text is not
Arabic raises :class:`~retrieval.errors.IngestError` with a one-line reason.
"""

from __future__ import annotations

import bisect
import codecs
import hashlib
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import replace
from typing import Any
from urllib.parse import unquote, urlparse

import trafilatura
from lxml import etree
from lxml import html as lxml_html

from retrieval.article_file import slugify_id
from retrieval.errors import IngestError
from retrieval.ingest import IngestResult, Removal, ingest_lines
from retrieval.page_chrome import attribute_quotes, excerpt, remove_chrome
from retrieval.page_facts import WORD, casefolded, page_facts, page_lines, text_of

__all__ = [
    "MIN_ARTICLE_WORDS",
    "PAGE_SUFFIXES",
    "decode_page",
    "ingest_page",
    "ingest_page_bytes",
    "looks_like_html",
    "page_facts",
    "url_id",
]

PAGE_SUFFIXES = (".html", ".htm")
MIN_ARTICLE_WORDS = 30  # running text below this is a home page, an error page or a login wall
HEADING_WORDS = 15  # a heading of the page's text longer than this is kept as a paragraph
MAX_LINK_SHARE = 0.5  # kept text that is more than this share link text is a list of teasers
_ARABIC = re.compile("[\u0621-\u064a]")


# --------------------------------------------------------------------------- decoding

_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]{2,40})""", re.I)


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name.strip().strip("\"'")).name
    except LookupError:
        return None


def decode_page(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """``(text, encoding)`` of a page's bytes; ``declared`` is the HTTP header's charset, if any.

    Raises :class:`IngestError` for empty, binary or undecodable content.
    """
    if not data.strip():
        raise IngestError("the page is empty")
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace"), "utf-8"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace"), "utf-16"
    if b"\x00" in data[:4096]:
        raise IngestError("the file is binary, not a web page (NUL bytes)")
    try:
        return _checked(data.decode("utf-8")), "utf-8"
    except UnicodeDecodeError:
        # A UTF-8 page with a stray bad byte or two is still UTF-8 (windows-1256 Arabic read as UTF-8
        # fails on nearly every letter).
        lenient = data.decode("utf-8", errors="replace")
        if lenient.count("\ufffd") <= max(2, len(lenient) // 1000) and _ARABIC.search(lenient):
            return _checked(lenient), "utf-8"
    meta = _META_CHARSET.search(data[:4096])
    candidates = [_codec(declared), _codec(meta.group(1).decode("ascii") if meta else None), "cp1256"]
    for name in dict.fromkeys(c for c in candidates if c and c != "utf-8"):
        try:
            text = data.decode(name)
        except UnicodeDecodeError:
            continue
        if name == "cp1256" or _ARABIC.search(text) or not re.search(rb"[\x80-\xff]", data):
            return _checked(text), name
    raise IngestError("cannot decode the page: it is neither UTF-8 nor windows-1256 text")


def _checked(text: str) -> str:
    controls = sum(1 for c in text if unicodedata.category(c) == "Cc" and c not in "\t\n\r\f\v")
    if controls > max(3, len(text) // 100):
        raise IngestError("the file is binary, not a web page (control bytes)")
    return text


def looks_like_html(text: str) -> bool:
    """True when the text starts like an HTML document (a doctype, ``<html>``, ``<head>`` or ``<body>``)."""
    head = text.lstrip("\ufeff \t\r\n")[:2000].lower()
    return head.startswith(("<!doctype html", "<html", "<head", "<body", "<meta", "<!--")) or bool(
        re.search(r"<(?:html|body|article|p)[\s>]", head)
    )


# --------------------------------------------------------------------------- main text


# What trafilatura is asked for: the main text as XML blocks only (no comments, tables, images, links,
# formatting or metadata), every block kept (no deduplication), recall before precision.
_EXTRACTION: dict[str, Any] = {
    "output_format": "xml",
    "include_comments": False,
    "include_tables": False,
    "include_images": False,
    "include_links": False,
    "include_formatting": False,
    "deduplicate": False,
    "favor_recall": True,
    "with_metadata": False,
}


def _main_blocks(html_text: str) -> list[str]:
    """The main text as trafilatura finds it: paragraphs, headings, quotes and list items, in order."""
    xml = trafilatura.extract(html_text, **_EXTRACTION)
    if not xml:
        return []
    main = etree.fromstring(xml.encode("utf-8")).find("main")
    if main is None:
        return []
    blocks: list[str] = []
    for element in main.iter("p", "head", "quote", "item", "cell"):
        heading = element.tag == "head"
        if (
            element.tag in ("p", "quote")
            and element.getparent() is not None
            and element.getparent().tag == "quote"
        ):
            continue  # a quote's paragraphs come with the quote
        for lb in element.iter("lb"):
            lb.tail = "\n" + (lb.tail or "")
        text = "".join(element.itertext())
        lines = [line for line in (" ".join(part.split()) for part in text.split("\n")) if line]
        if heading and len(lines) == 1 and len(WORD.findall(lines[0])) <= HEADING_WORDS:
            lines = [f"## {lines[0]}"]
        blocks.extend(lines)
    return blocks


def _locate(tree: Any) -> list[tuple[str, int]]:
    """``(folded text, source line)`` of the page's text blocks, to number extracted lines."""
    located = []
    for element in tree.iter(
        "p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "td", "div", "span"
    ):
        text = casefolded(text_of(element))
        if text:
            located.append((text, element.sourceline or 0))
    return located


def _line_of(block: str, located: list[tuple[str, int]], exact: dict[str, int]) -> int:
    folded = casefolded(block.removeprefix("## "))
    if folded in exact:
        return exact[folded]
    longest = 2 * len(folded) + 200  # an element much longer than the block is not where it lives
    best = None
    for text, line in located:
        if len(text) <= longest and folded in text and (best is None or len(text) < best[0]):
            best = (len(text), line)
            if len(text) == len(folded):
                break
    if best is None:  # text run across inline elements of a long container: the first container holding it
        best = min(((len(text), line) for text, line in located if folded in text), default=None)
    return best[1] if best else 0


def _left_out(tree: Any, kept: str, title: str | None) -> Iterator[Removal]:
    """Blocks of the (cleaned) page that are not in the extracted text: listed for the reviewer."""
    title_folded = casefolded(title or "")
    for element in tree.iter("p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "td", "blockquote"):
        if element.xpath(".//p | .//li | .//blockquote"):
            continue  # its inner blocks are listed themselves
        text = text_of(element)
        folded = casefolded(text)
        if not folded or folded in kept:
            continue
        line = element.sourceline or 0
        if folded == title_folded:
            yield Removal(line, excerpt(text), "headline (kept as title)")
        else:
            yield Removal(line, excerpt(text), "not part of the article's main text (extraction)")


def ingest_page(html_text: str, doc_id: str, *, url: str | None = None) -> IngestResult:
    """Clean one web page into an article; ``url`` is where it was fetched from (``None`` for a file).

    Raises :class:`IngestError` with a one-line reason when the page holds no Arabic article.
    """
    if not looks_like_html(html_text):
        raise IngestError("the file is not an HTML page (no <html>, <body> or <p> markup)")
    # lxml refuses a str that starts with an XML declaration naming an encoding (XHTML pages).
    html_text = re.sub(r"^\s*<\?xml[^>]*\?>", "", html_text.lstrip("\ufeff"))
    try:
        tree = lxml_html.document_fromstring(html_text)
    except (etree.ParserError, ValueError) as exc:
        raise IngestError(f"the page cannot be parsed as HTML: {exc}") from None
    facts = page_facts(tree, url)
    removed: list[Removal] = []
    attribute_quotes(tree, removed)
    remove_chrome(tree, removed, facts.title)
    facts = page_lines(tree, facts)
    cleaned = lxml_html.tostring(tree, encoding="unicode")
    blocks = _main_blocks(cleaned)
    if not blocks:
        raise IngestError(
            "no article text found on the page (is it a home page, an error page or a login wall?)"
        )
    located = _locate(tree)
    exact: dict[str, int] = {}
    for text, number in located:
        exact.setdefault(text, number)
    links = sorted({casefolded(text_of(link)) for link in tree.iter("a")} - {""}, key=len)
    numbered = []
    for block in blocks:
        line = _line_of(block, located, exact)
        if _is_teaser(block, links):
            removed.append(Removal(line, excerpt(block), "link to another article (read-also teaser)"))
        else:
            numbered.append((line, block))
    if not numbered:
        raise IngestError("no article text found on the page (only links to other pages)")
    kept = casefolded(" \n ".join(blocks))
    removed.extend(_left_out(tree, kept, facts.title))
    facts = replace(facts, removed=tuple(removed))
    result = ingest_lines(numbered, doc_id, facts)
    running = " ".join(p for p in result.article.paragraphs if not p.startswith("## "))
    words = len(WORD.findall(running))
    if words < MIN_ARTICLE_WORDS:
        raise IngestError(
            f"no article text found on the page: only {words} words of running text "
            "(is it a home page, an error page or a login wall?)"
        )
    share = _link_share(tree, casefolded(running))
    if share > MAX_LINK_SHARE:
        raise IngestError(
            f"no article text found on the page: {round(100 * share)}% of its text is links "
            "(is it a home page or a list of articles?)"
        )
    return result


def _is_teaser(block: str, links: list[str]) -> bool:
    """A short block that is mostly one link's text («اقرأ أيضا: …», a related headline).

    ``links``: the page's link texts, folded, shortest first.
    """
    folded = casefolded(block)
    if len(WORD.findall(folded)) >= 25:
        return False
    start = bisect.bisect_left(links, 0.7 * len(folded), key=len)
    end = bisect.bisect_right(links, len(folded), key=len)
    return any(link in folded for link in links[start:end] if len(link) > 3)


def _link_share(tree: Any, running: str) -> float:
    """The share of the kept text that is the text of links (teasers on a home page, not an article)."""
    linked = 0
    for link in tree.iter("a"):
        text = casefolded(text_of(link))
        if len(text) > 3 and text in running:
            linked += len(text)
    return linked / max(1, len(running))


def ingest_page_bytes(
    data: bytes, doc_id: str, *, url: str | None = None, charset: str | None = None
) -> IngestResult:
    """:func:`ingest_page` on undecoded bytes; ``charset`` is what the server declared, if anything."""
    text, encoding = decode_page(data, charset)
    result = ingest_page(text, doc_id, url=url)
    declared = _codec(charset)
    if declared is not None and declared != encoding:
        note = f"the page was declared {charset} but is {encoding}; read as {encoding}"
        result = replace(result, notes=(*result.notes, note))
    return result


# --------------------------------------------------------------------------- ids


def url_id(url: str) -> str:
    """An article id from a link: the last path segment as a slug plus 8 hex digits of the URL's hash.

    >>> url_id("https://example.com/news/2022/01/kazakhstan-protests.html")
    'kazakhstan-protests_...'
    """
    parsed = urlparse(url)
    segments = [unquote(part) for part in parsed.path.split("/") if part.strip()]
    digest = hashlib.sha256(url.encode("utf-8")).hexdigest()[:8]
    for segment in reversed(segments):
        try:
            slug = slugify_id(segment)[:60].rstrip("._-")
        except IngestError:
            continue
        if slug and not slug.isdigit() and slug not in {"index", "article", "news", "story", "amp"}:
            return f"{slug}_{digest}"
    host = re.sub(r"[^\w]+", "-", parsed.hostname or "page").strip("-") or "page"
    return f"{host}_{digest}"
