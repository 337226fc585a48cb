"""Turn a news web page (saved ``.html`` or fetched bytes) into a curated article.

Pure: bytes or HTML text in, :class:`~retrieval.ingest.IngestResult` out; no network here (fetching
is ``bot.fetch``). The steps:

1. **Decode** (:func:`decode_page`): UTF-8 when the bytes are valid UTF-8, whatever the page declares
   (valid UTF-8 Arabic is never windows-1256 text by chance), else the declared charset, else
   windows-1256; so a windows-1256 page served as UTF-8, and the reverse, are both read right.
2. **Metadata from the markup** (:func:`page_facts`): headline (JSON-LD ``headline``, ``og:title``,
   ``<h1>``, ``<title>`` without the site name), date (JSON-LD ``datePublished``,
   ``article:published_time``, ``<time>``; the text's dateline comes later), outlet (``og:site_name``,
   JSON-LD publisher), canonical URL, byline (JSON-LD author, ``<meta name=author>``, a byline element)
   and the source agency (a short «المصدر: X» element).
3. **Chrome removed by element**, each with its reason: navigation, cookie and consent banners, share
   bars, tags, "read also" and "most read" lists, comment sections and forms, sidebars, footers, photo
   captions, hidden and script elements. An element holding the article (its ``<h1>``, ``<article>``,
   ``articleBody``) is never removed. Embedded tweets and quotes with a named author become
   ``Name في تغريدة: «…»`` / ``Name: «…»`` paragraphs.
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
import json
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from typing import Any
from urllib.parse import unquote, urljoin, urlparse

import trafilatura
from lxml import etree
from lxml import html as lxml_html

from retrieval.article_file import slugify_id
from retrieval.dates import dateline, parse_date
from retrieval.errors import IngestError
from retrieval.ingest import (
    IngestResult,
    PageFacts,
    Removal,
    attributed_quote,
    ingest_lines,
    metadata_line,
)

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
_ARTICLE_TYPES = re.compile(r"(?:\w*Article|BlogPosting|Report|LiveBlogPosting)$")
_WORD = re.compile(r"[^\W\d_]+")
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


# --------------------------------------------------------------------------- metadata


def _text(element: Any) -> str:
    return " ".join(element.text_content().split()) if element is not None else ""


def _fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).split()).casefold()


def _json_ld(tree: Any) -> list[dict[str, Any]]:
    """Every JSON-LD object of the page, ``@graph`` members and lists flattened."""
    found: list[dict[str, Any]] = []

    def collect(value: Any) -> None:
        if isinstance(value, list):
            for item in value:
                collect(item)
        elif isinstance(value, dict):
            found.append(value)
            collect(value.get("@graph"))
            collect(value.get("mainEntity"))

    for script in tree.xpath('//script[@type="application/ld+json"]'):
        raw = (script.text or "").strip().removeprefix("<!--").removesuffix("-->")
        try:
            collect(json.loads(raw))
        except ValueError:
            continue
    return found


def _types(item: dict[str, Any]) -> list[str]:
    value = item.get("@type", [])
    return [value] if isinstance(value, str) else [v for v in value if isinstance(v, str)]


def _name(value: Any) -> str | None:
    """A person's or organisation's name from a JSON-LD value (a string, an object or a list)."""
    if isinstance(value, list):
        names = [name for name in (_name(item) for item in value) if name]
        return "، ".join(dict.fromkeys(names)) or None
    if isinstance(value, dict):
        value = value.get("name")
    return " ".join(value.split()) if isinstance(value, str) and value.strip() else None


def _people(value: Any) -> str | None:
    """Authors' names from JSON-LD, leaving out organisations (an outlet named as its own author)."""
    items = value if isinstance(value, list) else [value]
    people = [item for item in items if not (isinstance(item, dict) and "Organization" in _types(item))]
    return _name(people) if people else None


def _meta(tree: Any, *keys: str) -> str | None:
    for key in keys:
        for node in tree.xpath("//meta[@property=$k or @name=$k or @itemprop=$k]", k=key):
            content = " ".join((node.get("content") or "").split())
            if content:
                return content
    return None


def _iso_date(value: object) -> date | None:
    if not isinstance(value, str):
        return None
    match = re.match(r"\s*(\d{4})-?(\d{2})-?(\d{2})(?!\d)", value)
    if match:
        try:
            return date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            return None
    return parse_date(value)


def _http_url(value: object, base: str | None) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    absolute = urljoin(base, value.strip()) if base else value.strip()
    parsed = urlparse(absolute)
    return absolute if parsed.scheme in ("http", "https") and parsed.netloc else None


_SEPARATORS = re.compile(r"\s+[|\-–—:»«·•]{1,2}\s+")
_GENERIC_TITLES = {_fold(t) for t in ("الرئيسية", "الصفحة الرئيسية", "home", "404", "خطأ", "error")}


def _strip_site(title: str, outlet: str | None) -> str:
    """«Headline | Site» → «Headline» when the other part is the site's name."""
    parts = _SEPARATORS.split(title)
    if outlet and len(parts) > 1:
        kept = [part for part in parts if _fold(part) != _fold(outlet)]
        if len(kept) < len(parts) and kept:
            return " - ".join(kept).strip()
    return title.strip()


def _home_name(tree: Any, url: str | None) -> str | None:
    """The text of a link to the site's home page (``href="/"``): the site's name as the page shows it."""
    homes = {"/", "./"}
    if url:
        parsed = urlparse(url)
        homes |= {f"{parsed.scheme}://{parsed.netloc}", f"{parsed.scheme}://{parsed.netloc}/"}
    for link in tree.xpath("//a[@href]"):
        text = _text(link)
        words = len(_WORD.findall(text))
        if link.get("href", "").strip() in homes and 1 <= words <= 5 and _fold(text) not in _GENERIC_TITLES:
            return text
    return None


def _headline(tree: Any, article: dict[str, Any], outlet: str | None, home: str | None) -> str | None:
    h1 = next(iter(tree.xpath("//article//h1 | //main//h1")), None)
    if h1 is None:
        h1 = next(iter(tree.xpath("//h1")), None)
    title_tag = next(iter(tree.xpath("//title")), None)
    candidates = (
        _name(article.get("headline")) or _name(article.get("name")),
        _meta(tree, "og:title", "twitter:title"),
        _text(h1),
        _text(title_tag),
    )
    h1_text = _fold(candidates[2])
    for number, candidate in enumerate(candidates):
        if not candidate:
            continue
        title = _strip_site(candidate, outlet)
        if (
            number != 2
            and len(_WORD.findall(h1_text)) >= 3
            and h1_text in _fold(title)
            and h1_text != _fold(title)
        ):
            title = candidates[2]  # «Headline | Site» where the site is spelled unlike og:site_name
        folded = _fold(title)
        if (
            len(_WORD.findall(folded)) >= 2
            and folded not in _GENERIC_TITLES
            and folded not in {_fold(outlet or ""), _fold(home or "")}
        ):
            return title
    return None


def _byline(tree: Any, article: dict[str, Any], outlet: str | None) -> str | None:
    candidates = [_people(article.get("author")), _meta(tree, "author", "article:author", "dc.creator")]
    for query in (
        '//*[@rel="author" or @itemprop="author"]',
        '//*[contains(concat(" ", normalize-space(@class), " "), " author ")]',
        '//*[contains(concat(" ", normalize-space(@class), " "), " byline ")]',
    ):
        candidates.extend(_text(node) for node in tree.xpath(query))
    for candidate in candidates:
        if not candidate or "://" in candidate:
            continue
        found = metadata_line(candidate)
        value = found[1] if found and found[0] == "byline" else candidate
        words = len(_WORD.findall(value))
        if 1 <= words <= 6 and _fold(value) != _fold(outlet or ""):
            return value
    return None


def _published(tree: Any, article: dict[str, Any]) -> date | None:
    for value in (
        article.get("datePublished"),
        _meta(tree, "article:published_time", "og:published_time", "datePublished", "pubdate", "publishdate"),
        _meta(tree, "date", "dc.date.issued", "dc.date", "sailthru.date"),
        article.get("dateCreated"),
    ):
        found = _iso_date(value)
        if found is not None:
            return found
    for node in tree.xpath("//article//time | //main//time | //time"):
        found = _iso_date(node.get("datetime")) or parse_date(_text(node))
        if found is not None:
            return found
    return None


def page_facts(tree: Any, url: str | None = None) -> PageFacts:
    """What the markup states: headline, date, outlet, canonical URL, byline and source agency."""
    objects = _json_ld(tree)
    article = next((o for o in objects if any(_ARTICLE_TYPES.match(t) for t in _types(o))), None)
    if article is None:  # some sites describe the article as a WebPage with a headline
        article = next((o for o in objects if isinstance(o.get("headline"), str)), {})
    website = next((o for o in objects if "WebSite" in _types(o)), {})
    outlet = (
        _meta(tree, "og:site_name")
        or _name(article.get("publisher"))
        or _name(website.get("name"))
        or _meta(tree, "application-name")
    )
    title_tag = _text(next(iter(tree.xpath("//title")), None))
    home = _home_name(tree, url)
    if outlet is None and home is not None and _fold(home) in _fold(title_tag):
        outlet = home  # «Headline - Site» or just «Site», and the home link says «Site»
    canonical = next(iter(tree.xpath('//link[@rel="canonical"]/@href')), None)
    main_entity = article.get("mainEntityOfPage")
    if isinstance(main_entity, dict):
        main_entity = main_entity.get("@id")
    link = next(
        (
            found
            for found in (
                _http_url(v, url) for v in (canonical, _meta(tree, "og:url"), article.get("url"), main_entity)
            )
            if found
        ),
        _http_url(url, None),
    )
    return PageFacts(
        title=_headline(tree, article, outlet, home),
        outlet=outlet,
        published=_published(tree, article),
        url=link,
        byline=_byline(tree, article, outlet),
    )


def _page_lines(tree: Any, facts: PageFacts) -> PageFacts:
    """Short lines of the cleaned page the main text may leave out: «المصدر: X», «كتب X», a dateline."""
    source, byline, published = facts.source, facts.byline, facts.published
    query = "//body//*[not(self::p) and not(*)] | //body//p | //body//div[not(div) and not(p)]"
    for node in tree.xpath(query):
        text = _text(node)
        if not text or len(text) > 80:
            continue
        found = metadata_line(text)
        if found is not None and found[0] == "source" and source is None:
            source = found[1]
        elif found is not None and found[0] == "byline" and byline is None:
            byline = found[1]
        elif found is None and published is None:
            published = dateline(text)
    return replace(facts, source=source, byline=byline, published=published)


# --------------------------------------------------------------------------- chrome

_SILENT = {
    "script",
    "style",
    "noscript",
    "template",
    "svg",
    "iframe",
    "button",
    "input",
    "select",
    "textarea",
}
_PARTS: tuple[tuple[str, frozenset[str]], ...] = tuple(
    (reason, frozenset(parts.split()))
    for reason, parts in (
        ("cookie or consent banner", "cookie cookies consent gdpr cmp"),
        ("share bar", "share shares sharing social sharedaddy addtoany sharethis"),
        ("tags", "tags tagcloud keywords topics"),
        ("read-also list", "related relatedposts readalso alsoread yarpp recommended outbrain taboola"),
        ("most-read list", "popular trending mostread mostviewed"),
        ("comment section", "comment comments commentlist respond disqus"),
        ("navigation", "nav navbar navigation menu breadcrumb breadcrumbs"),
        ("advertisement or newsletter box", "ad ads advert advertisement adsbygoogle newsletter promo"),
        ("sidebar", "sidebar widget"),
        ("footer", "footer"),
    )
)  # fmt: skip
_TAG_REASONS = {
    "nav": "navigation",
    "form": "form (comments, search or login)",
    "footer": "footer",
    "aside": "sidebar",
    "figcaption": "photo caption",
}
_ROLE_REASONS = {
    "navigation": "navigation",
    "contentinfo": "footer",
    "banner": "site header",
    "search": "form",
}
_STEMS = (  # unambiguous inside any class or id: commentsbox, sharebar, relatednews, mostread
    ("cookie", "cookie or consent banner"),
    ("consent", "cookie or consent banner"),
    ("onetrust", "cookie or consent banner"),
    ("didomi", "cookie or consent banner"),
    ("comment", "comment section"),
    ("disqus", "comment section"),
    ("share", "share bar"),
    ("social", "share bar"),
    ("related", "read-also list"),
    ("mostread", "most-read list"),
    ("mostviewed", "most-read list"),
    ("breadcrumb", "navigation"),
    ("newsletter", "advertisement or newsletter box"),
    ("subscribe", "advertisement or newsletter box"),
    ("caption", "photo caption"),
    ("sidebar", "sidebar"),
    ("footer", "footer"),
)
_PHRASES = {
    "author-bio": "author box",
    "authorbio": "author box",
    "about-author": "author box",
    "author-box": "author box",
    "read-more": "read-also list",
    "more-news": "read-also list",
    "most-read": "most-read list",
}


def _chrome_reason(element: Any) -> str | None:
    tag = element.tag if isinstance(element.tag, str) else ""
    return _class_reason(element) or _tag_reason(element, tag)


def _tag_reason(element: Any, tag: str) -> str | None:
    if tag in _TAG_REASONS:
        return _TAG_REASONS[tag]
    if tag == "header" and not element.xpath("ancestor::article | ancestor::main"):
        return "site header"
    return _ROLE_REASONS.get((element.get("role") or "").lower())


def _class_reason(element: Any) -> str | None:
    """The reason its class or id names, the most specific first (``sidebar most-read``: most-read)."""
    raw = f"{element.get('class') or ''} {element.get('id') or ''}"
    tokens = [token.lower() for token in raw.split()]
    # commentsBox → comments box; related-news_list → related news list
    split = [{part.lower() for part in re.split(r"[-_]+|(?<=[a-z])(?=[A-Z])", word)} for word in raw.split()]
    for token, parts in zip(tokens, split, strict=True):
        for phrase, reason in _PHRASES.items():
            if phrase in token:
                return reason
        if "most" in parts and ({"read", "viewed"} & parts):
            return "most-read list"
        if {"read", "also"} <= parts or {"see", "also"} <= parts:
            return "read-also list"
    for stem, reason in _STEMS:
        if any(stem in token for token in tokens):
            return reason
    return next((reason for reason, words in _PARTS for parts in split if parts & words), None)


def _hidden(element: Any) -> bool:
    style = (element.get("style") or "").replace(" ", "").lower()
    return element.get("hidden") is not None or "display:none" in style or "visibility:hidden" in style


def _headline_h1(tree: Any, title: str | None) -> list[Any]:
    """The <h1> that is the article's headline (not a logo in the site header)."""
    h1s = tree.xpath("//h1")
    if title:
        matching = [h1 for h1 in h1s if _fold(_text(h1)) and _fold(_text(h1)) in _fold(title)]
        if matching:
            return matching[:1]
    inside = [h1 for h1 in h1s if h1.xpath("ancestor::article | ancestor::main")]
    outside = [h1 for h1 in h1s if not h1.xpath("ancestor::header | ancestor::nav")]
    return (inside or outside)[:1]


def _protected(tree: Any, title: str | None) -> set[Any]:
    """Elements that hold the article, never removed whatever their class says: its h1, articleBody,
    <main>, the longest <article>, the element holding most of the page's paragraphs (the body wrapper,
    «entry-content has-comments» included), and all their ancestors."""
    anchors = [*_headline_h1(tree, title), *tree.xpath('//*[@itemprop="articleBody"] | //main')]
    articles = tree.xpath("//article")
    if articles:
        anchors.append(max(articles, key=lambda article: len(_text(article))))
    parents: dict[Any, int] = {}
    for paragraph in tree.iter("p"):
        parent = paragraph.getparent()
        if parent is not None:
            parents[parent] = parents.get(parent, 0) + 1
    if parents:
        wrapper, count = max(parents.items(), key=lambda item: item[1])
        if count >= 2:
            anchors.append(wrapper)
    return {ancestor for anchor in anchors for ancestor in anchor.iterancestors()} | set(anchors)


def _remove_chrome(tree: Any, removed: list[Removal], title: str | None) -> None:
    protected = _protected(tree, title)
    for element in list(tree.iter()):
        if element.getparent() is None or not _attached(element, tree):
            continue
        if not isinstance(element.tag, str):  # HTML comments, processing instructions
            element.drop_tree() if hasattr(element, "drop_tree") else element.getparent().remove(element)
            continue
        tag = element.tag.lower()
        if tag in _SILENT or _hidden(element):
            _drop(element)
            continue
        if element in protected:
            continue
        reason = _chrome_reason(element)
        if reason is not None:
            text = _spaced(element)
            if text:
                removed.append(Removal(element.sourceline or 0, _excerpt(text), reason))
            _drop(element)


def _attached(element: Any, tree: Any) -> bool:
    root = tree.getroottree().getroot() if hasattr(tree, "getroottree") else tree
    return any(ancestor is root for ancestor in element.iterancestors()) or element is root


def _drop(element: Any) -> None:
    if hasattr(element, "drop_tree"):
        element.drop_tree()  # keeps the element's tail text in place
    elif element.getparent() is not None:
        element.getparent().remove(element)


def _spaced(element: Any) -> str:
    """The element's text with a space between its blocks (for the removal list)."""
    return " ".join(" ".join(element.itertext()).split())


def _excerpt(text: str, limit: int = 100) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


_TWEET_AUTHOR = re.compile(r"[—–-]\s*(?P<author>[^()@—–]{1,80}?)\s*\(@\w{1,15}\)")


def _quotes(tree: Any, removed: list[Removal]) -> None:
    """Embedded tweets and attributed quotes → one paragraph carrying the author's name."""
    for quote in tree.xpath("//blockquote"):
        classes = (quote.get("class") or "").lower()
        line = quote.sourceline or 0
        if "instagram" in classes or "tiktok" in classes or "facebook" in classes:
            removed.append(Removal(line, _excerpt(_text(quote)), "social media embed"))
            _drop(quote)
            continue
        if "twitter" in classes or "tweet" in classes:
            author = _TWEET_AUTHOR.search(_text(quote))
            text = " ".join(_text(p) for p in quote.xpath(".//p")) or _text(quote)
            if author is None:
                removed.append(Removal(line, _excerpt(_text(quote)), "tweet embed without a named author"))
                _drop(quote)
                continue
            name = author.group("author")
            reason = f"tweet embed attribution (the tweet is quoted with its author, {name})"
            removed.append(Removal(line, _excerpt(author.group(0).strip()), reason))
            _replace_with_paragraph(quote, attributed_quote(name, text, tweet=True))
            continue
        cites = quote.xpath(".//cite | .//footer")
        if cites:
            name = _text(cites[0]).lstrip("—–- ").strip()
            for cite in cites:
                _drop(cite)
            text = _text(quote)
            if name and text and len(_WORD.findall(name)) <= 8:
                _replace_with_paragraph(quote, attributed_quote(name, text))


def _replace_with_paragraph(element: Any, text: str) -> None:
    paragraph = lxml_html.Element("p")
    paragraph.text = text
    paragraph.tail = element.tail
    paragraph.sourceline = element.sourceline
    element.getparent().replace(element, paragraph)


# --------------------------------------------------------------------------- main text


def _main_blocks(html_text: str) -> list[str]:
    """The main text as trafilatura finds it: paragraphs, headings, quotes and list items, in order."""
    xml = trafilatura.extract(
        html_text,
        output_format="xml",
        include_comments=False,
        include_tables=False,
        include_images=False,
        include_links=False,
        include_formatting=False,
        deduplicate=False,
        favor_recall=True,
        with_metadata=False,
    )
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
        if heading and len(lines) == 1 and len(_WORD.findall(lines[0])) <= HEADING_WORDS:
            lines = [f"## {lines[0]}"]
        blocks.extend(lines)
    return blocks


def _locate(tree: Any) -> list[tuple[str, int]]:
    """``(folded text, source line)`` of the page's text blocks, to number extracted lines."""
    located = []
    for element in tree.iter(
        "p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "td", "div", "span"
    ):
        text = _fold(_text(element))
        if text:
            located.append((text, element.sourceline or 0))
    return located


def _line_of(block: str, located: list[tuple[str, int]], exact: dict[str, int]) -> int:
    folded = _fold(block.removeprefix("## "))
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
    title_folded = _fold(title or "")
    for element in tree.iter("p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "td", "blockquote"):
        if element.xpath(".//p | .//li | .//blockquote"):
            continue  # its inner blocks are listed themselves
        text = _text(element)
        folded = _fold(text)
        if not folded or folded in kept:
            continue
        line = element.sourceline or 0
        if folded == title_folded:
            yield Removal(line, _excerpt(text), "headline (kept as title)")
        else:
            yield Removal(line, _excerpt(text), "not part of the article's main text (extraction)")


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
    _quotes(tree, removed)
    _remove_chrome(tree, removed, facts.title)
    facts = _page_lines(tree, facts)
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
    links = sorted({_fold(_text(link)) for link in tree.iter("a")} - {""}, key=len)
    numbered = []
    for block in blocks:
        line = _line_of(block, located, exact)
        if _is_teaser(block, links):
            removed.append(Removal(line, _excerpt(block), "link to another article (read-also teaser)"))
        else:
            numbered.append((line, block))
    if not numbered:
        raise IngestError("no article text found on the page (only links to other pages)")
    kept = _fold(" \n ".join(blocks))
    removed.extend(_left_out(tree, kept, facts.title))
    facts = replace(facts, removed=tuple(removed))
    result = ingest_lines(numbered, doc_id, facts)
    running = " ".join(p for p in result.article.paragraphs if not p.startswith("## "))
    words = len(_WORD.findall(running))
    if words < MIN_ARTICLE_WORDS:
        raise IngestError(
            f"no article text found on the page: only {words} words of running text "
            "(is it a home page, an error page or a login wall?)"
        )
    share = _link_share(tree, _fold(running))
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
    folded = _fold(block)
    if len(_WORD.findall(folded)) >= 25:
        return False
    start = bisect.bisect_left(links, 0.7 * len(folded), key=len)
    end = bisect.bisect_right(links, len(folded), key=len)
    return any(link in folded for link in links[start:end] if len(link) > 3)


def _link_share(tree: Any, running: str) -> float:
    """The share of the kept text that is the text of links (teasers on a home page, not an article)."""
    linked = 0
    for link in tree.iter("a"):
        text = _fold(_text(link))
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
