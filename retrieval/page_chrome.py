"""A news page's chrome, removed by element before its main text is extracted, each with its reason.

Navigation, cookie and consent banners, share bars, tags, "read also" and "most read" lists, comment
sections and forms, sidebars, footers, photo captions, hidden and script elements go
(:func:`remove_chrome`); an element holding the article (its ``<h1>``, ``<article>``, ``articleBody``)
is never removed. Embedded tweets and quotes with a named author become ``Name في تغريدة: «…»`` /
``Name: «…»`` paragraphs (:func:`attribute_quotes`). Part of :mod:`retrieval.webpage`.
"""

from __future__ import annotations

import re
from typing import Any

from lxml import html as lxml_html

from retrieval.ingest import Removal, attributed_quote
from retrieval.page_facts import WORD, casefolded, text_of

__all__ = ["attribute_quotes", "excerpt", "remove_chrome"]

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
        folded = casefolded(title)
        matching = [h1 for h1 in h1s if casefolded(text_of(h1)) and casefolded(text_of(h1)) in folded]
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
        anchors.append(max(articles, key=lambda article: len(text_of(article))))
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


def remove_chrome(tree: Any, removed: list[Removal], title: str | None) -> None:
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
                removed.append(Removal(element.sourceline or 0, excerpt(text), reason))
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


def excerpt(text: str, limit: int = 100) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


_TWEET_AUTHOR = re.compile(r"[—–-]\s*(?P<author>[^()@—–]{1,80}?)\s*\(@\w{1,15}\)")


def attribute_quotes(tree: Any, removed: list[Removal]) -> None:
    """Embedded tweets and attributed quotes → one paragraph carrying the author's name."""
    for quote in tree.xpath("//blockquote"):
        classes = (quote.get("class") or "").lower()
        line = quote.sourceline or 0
        if "instagram" in classes or "tiktok" in classes or "facebook" in classes:
            removed.append(Removal(line, excerpt(text_of(quote)), "social media embed"))
            _drop(quote)
            continue
        if "twitter" in classes or "tweet" in classes:
            author = _TWEET_AUTHOR.search(text_of(quote))
            text = " ".join(text_of(p) for p in quote.xpath(".//p")) or text_of(quote)
            if author is None:
                removed.append(Removal(line, excerpt(text_of(quote)), "tweet embed without a named author"))
                _drop(quote)
                continue
            name = author.group("author")
            reason = f"tweet embed attribution (the tweet is quoted with its author, {name})"
            removed.append(Removal(line, excerpt(author.group(0).strip()), reason))
            _replace_with_paragraph(quote, attributed_quote(name, text, tweet=True))
            continue
        cites = quote.xpath(".//cite | .//footer")
        if cites:
            name = text_of(cites[0]).lstrip("—–- ").strip()
            for cite in cites:
                _drop(cite)
            text = text_of(quote)
            if name and text and len(WORD.findall(name)) <= 8:
                _replace_with_paragraph(quote, attributed_quote(name, text))


def _replace_with_paragraph(element: Any, text: str) -> None:
    paragraph = lxml_html.Element("p")
    paragraph.text = text
    paragraph.tail = element.tail
    paragraph.sourceline = element.sourceline
    element.getparent().replace(element, paragraph)
