"""What a news page's markup states about its article: headline, date, outlet, link, byline, source.

:func:`page_facts` reads the headline (JSON-LD ``headline``, ``og:title``, ``<h1>``, ``<title>`` without
the site name), the date (JSON-LD ``datePublished``, ``article:published_time``, ``<time>``), the outlet
(``og:site_name``, JSON-LD publisher, the home link's text), the canonical URL and the byline (JSON-LD
author, ``<meta name=author>``, a byline element). :func:`page_lines` adds what short lines of the
cleaned page state: «المصدر: X», «كتب X», a dateline. Part of :mod:`retrieval.webpage`; ``text_of``,
``casefolded`` and ``WORD`` are the markup helpers :mod:`retrieval.page_chrome` and it share.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import replace
from datetime import date
from typing import Any
from urllib.parse import urljoin, urlparse

from retrieval.dates import dateline, parse_date
from retrieval.ingest import PageFacts, metadata_line

__all__ = ["WORD", "casefolded", "page_facts", "page_lines", "text_of"]

_ARTICLE_TYPES = re.compile(r"(?:\w*Article|BlogPosting|Report|LiveBlogPosting)$")
WORD = re.compile(r"[^\W\d_]+")


def text_of(element: Any) -> str:
    """An element's text, whitespace collapsed ("" for None)."""
    return " ".join(element.text_content().split()) if element is not None else ""


def casefolded(text: str) -> str:
    """NFKC, whitespace collapsed and casefolded: how markup texts are compared."""
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
_GENERIC_TITLES = {casefolded(t) for t in ("الرئيسية", "الصفحة الرئيسية", "home", "404", "خطأ", "error")}


def _strip_site(title: str, outlet: str | None) -> str:
    """«Headline | Site» → «Headline» when the other part is the site's name."""
    parts = _SEPARATORS.split(title)
    if outlet and len(parts) > 1:
        kept = [part for part in parts if casefolded(part) != casefolded(outlet)]
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
        text = text_of(link)
        words = len(WORD.findall(text))
        home = link.get("href", "").strip() in homes
        if home and 1 <= words <= 5 and casefolded(text) not in _GENERIC_TITLES:
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
        text_of(h1),
        text_of(title_tag),
    )
    h1_text = casefolded(candidates[2])
    for number, candidate in enumerate(candidates):
        if not candidate:
            continue
        title = _strip_site(candidate, outlet)
        if (
            number != 2
            and len(WORD.findall(h1_text)) >= 3
            and h1_text in casefolded(title)
            and h1_text != casefolded(title)
        ):
            title = candidates[2]  # «Headline | Site» where the site is spelled unlike og:site_name
        folded = casefolded(title)
        if (
            len(WORD.findall(folded)) >= 2
            and folded not in _GENERIC_TITLES
            and folded not in {casefolded(outlet or ""), casefolded(home or "")}
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
        candidates.extend(text_of(node) for node in tree.xpath(query))
    for candidate in candidates:
        if not candidate or "://" in candidate:
            continue
        found = metadata_line(candidate)
        value = found[1] if found and found[0] == "byline" else candidate
        words = len(WORD.findall(value))
        if 1 <= words <= 6 and casefolded(value) != casefolded(outlet or ""):
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
        found = _iso_date(node.get("datetime")) or parse_date(text_of(node))
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
    title_tag = text_of(next(iter(tree.xpath("//title")), None))
    home = _home_name(tree, url)
    if outlet is None and home is not None and casefolded(home) in casefolded(title_tag):
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


def page_lines(tree: Any, facts: PageFacts) -> PageFacts:
    """Short lines of the cleaned page the main text may leave out: «المصدر: X», «كتب X», a dateline."""
    source, byline, published = facts.source, facts.byline, facts.published
    query = "//body//*[not(self::p) and not(*)] | //body//p | //body//div[not(div) and not(p)]"
    for node in tree.xpath(query):
        text = text_of(node)
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
