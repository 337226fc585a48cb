"""Turn raw pasted page text into a curated :class:`~retrieval.models.Article`.

Pure: :func:`ingest` takes the page text as a string and returns the article together with
every line it dropped and why. The rules are generic (patterns for site chrome, reader
comments, credits and metadata lines, plus the position of a line relative to the first
body paragraph), not tuned to one site:

* the **reader-comment section** (a line such as ``التعليقات (2)`` or ``تعليقات القراء``
  after the article has started) is cut with everything after it;
* **site chrome** (cookie notices, language switchers, navigation, share and comment
  prompts, back-to-top links, related-article headers), **photo credits** and captions
  ending in an agency credit, and **tweet-embed attributions** are removed;
* **metadata lines** are removed and kept as metadata: a byline (``كتب فلان``), a source
  line (``المصدر: X``), a page URL and, only in the header above the first body paragraph,
  a **date line** (the publication date);
* in the **header** the headline is the longest remaining line (a line that merely repeats
  it with more words is a caption); short lines above it are mastheads or section labels,
  the first short line below it is the site name (the outlet);
* in the **body** long lines are paragraphs, kept verbatim; short lines without final
  punctuation become ``## `` subheadings when a paragraph follows, otherwise they are footer
  lines (the first one naming the site becomes the outlet when the header named none);
* exact repeats of an earlier line or of the headline are dropped.

An **embedded tweet** keeps its author: the attribution line under it (``— Name (@handle) date``)
is removed and the tweet becomes ``Name في تغريدة: «…»``, so it is never quoted as the outlet's own
words. A page without a headline gets its title from the first sentence of the first paragraph,
marked as derived (``title_derived = true``), and :attr:`IngestResult.notes` says so.

:func:`ingest_lines` runs the same rules on text blocks already taken out of a web page's markup
(``retrieval.webpage``), with the headline, date, outlet, link, byline and source the markup states.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Container, Sequence
from dataclasses import dataclass, field
from datetime import date

from retrieval.article_file import render_article, slugify_id
from retrieval.corpus import is_valid_id
from retrieval.dates import date_line, fold
from retrieval.errors import IngestError
from retrieval.models import Article
from retrieval.text import INVISIBLE

__all__ = [
    "IngestResult",
    "PageFacts",
    "Removal",
    "attributed_quote",
    "ingest",
    "ingest_lines",
    "metadata_line",
    "render_article",
    "slugify_id",
]


@dataclass(frozen=True)
class Removal:
    """A raw line left out of the article body: 1-based ``line``, its ``text`` and the ``reason``."""

    line: int
    text: str
    reason: str


@dataclass(frozen=True)
class IngestResult:
    """The curated article, what was removed, the source attribution and reviewer notes."""

    article: Article
    removed: tuple[Removal, ...]
    source: str | None = None  # "المصدر: X" — the agency the outlet credits, not the outlet itself
    notes: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class PageFacts:
    """What a web page's markup states about the article (``None``: the markup does not say).

    ``removed`` and ``notes`` come from the markup stage and are listed with the text stage's own.
    """

    title: str | None = None
    outlet: str | None = None
    published: date | None = None
    url: str | None = None
    byline: str | None = None
    source: str | None = None
    removed: tuple[Removal, ...] = ()
    notes: tuple[str, ...] = ()


# --------------------------------------------------------------------------- line forms

def _clean(line: str) -> str:
    """The kept form of a raw line: surrounding whitespace and invisible marks stripped, letters untouched."""
    return line.strip().strip(INVISIBLE).strip()


def _words(folded: str) -> int:
    return len(re.findall(r"[^\W_]+", folded))


# --------------------------------------------------------------------------- line rules

_COMMENTS_HEADER = re.compile(
    r"(?:ال)?تعليقات(?: القراء)?(?:\s*[(\[]\s*\d+\s*[)\]])?\s*:?"
    r"|\d+\s+تعليق(?:ات|ا)?|comments?(?:\s*\(\d+\))?"
)
_CHROME: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (reason, re.compile(pattern))
    for reason, pattern in (
        (
            "site chrome: language switcher",
            r"(?:(?:ru|en|ar|fr|de|es|tr|english|русский|français|عربي|العربية)[\s|/·•,]*)+",
        ),
        ("site chrome: navigation", r"(?:الصفحة )?(?:الرئيسية|الرئيسيه|home)(?:\s*[>»›/|].*)?"),
        (
            "site chrome: share prompt",
            r"(?:مشاركة|مشاركه|شارك|شارك (?:الخبر|المقال|هذا المقال|هذا الخبر)|شارك (?:علي|عبر) .{1,30}"
            r"|share(?: this)?|طباعة|print|(?:ا?نسخ|نسخ) الرابط)\s*:?",
        ),
        (
            "site chrome: comment prompt",
            r"(?:(?:اضف|اضافة|اكتب) (?:تعليق|تعليقا|تعليقك|رد|ردا).*|اترك (?:تعليق|تعليقا|ردا|رد)"
            r"|لا (?:توجد|يوجد) (?:اي )?تعليقات.*|تم (?:اضافة|اضافه) تعليقك.*|لن يتم نشر عنوان بريدك.*"
            r"|(?:اقرا|قراءة) تعليقات القراء.*|leave a (?:reply|comment)|no comments.*)",
        ),
        (
            "site chrome: back-to-top link",
            r"(?:زر )?(?:ال)?(?:رجوع|عودة|عوده|ذهاب) (?:الي |ل)?(?:ال)?اعلي(?: الصفحة| الصفحه)?|back to top",
        ),
        (
            "site chrome: related articles",
            r"(?:مقالات|اخبار|مواضيع|مواد|قصص) (?:ذات صلة|ذات صله|متعلقة|مشابهة|قد تهمك)\s*:?"
            r"|(?:اقرا|طالع|شاهد) (?:ايضا|المزيد)(?:\s*[:：\-–].*)?"
            r"|read (?:more|also)|related(?: articles| posts)?"
            r"|الاكثر (?:قراءة|مشاهدة)",
        ),
        ("photo credit", r"(?:photo|image|credit|photograph|صورة|الصورة|تصوير|صور)\s*[:：].{0,80}"),
        (
            "photo caption with agency credit",
            r".{0,200}[-–—/(]\s*(?:جيتي|غيتي|رويترز|ا ف ب|ا\.ف\.ب|افب|الاناضول|اسوشيتد برس|ارشيفية"
            r"|getty(?: images)?|reuters|afp|epa|anadolu)\s*\)?",
        ),
        ("tweet embed attribution", r"[—–-]\s*.{0,80}\(@\w{1,15}\).{0,40}"),
        ("tweet embed link", r"(?:pic\.twitter\.com|https?://t\.co)/\S+"),
    )
)
_TWEET_AUTHOR = re.compile(r"[—–-]\s*(?P<author>[^()@]{1,80}?)\s*\(@(?P<handle>\w{1,15})\)")
_TWEET_LINKS = re.compile(r"\s*(?:pic\.twitter\.com/\S+|https?://t\.co/\S+)")
_QUOTE_MARKS = "«»“”\"„' "
_LABEL_SEP = r"(?:\s*[:：]\s*|\s+)"
_COOKIE = re.compile(r"cookie|كوكيز|ملف(?:ات)? تعريف (?:ال)?ارتباط")
_SOURCE = re.compile(rf"(?:المصدر|source){_LABEL_SEP}(?P<value>\S.{{0,60}})", re.IGNORECASE)
_BYLINE = re.compile(
    rf"(?:كتب|كتبت|بقلم|بواسطة|إعداد|اعداد|تحرير|by){_LABEL_SEP}(?P<value>\S.{{0,50}})", re.IGNORECASE
)
_URL_LINE = re.compile(
    r"(?:(?:الرابط|رابط المقال|رابط الخبر|url|link)\s*[:：]?\s*)?(?P<value>https?://\S+)", re.IGNORECASE
)
_TERMINAL = ".!?؟…"
_CLOSERS = "\"'”’»)]›>"
SHORT_LINE_WORDS = 8  # at most this many words and no final punctuation: a label, not a paragraph
TITLE_MAX_CHARS = 120  # a derived title is cut at a word boundary below this length


def attributed_quote(author: str, text: str, *, tweet: bool = False) -> str:
    """A quotation kept with its author: ``Name في تغريدة: «…»`` (a tweet) or ``Name: «…»``.

    Links that embeds append (``pic.twitter.com/…``, ``t.co/…``) are dropped from the quoted text.
    """
    quoted = " ".join(_TWEET_LINKS.sub("", text).split()).strip(_QUOTE_MARKS)
    author = " ".join(author.split()).strip(" —–-:،,")
    return f"{author} في تغريدة: «{quoted}»" if tweet else f"{author}: «{quoted}»"


def metadata_line(text: str) -> tuple[str, str] | None:
    """``("source", X)`` for a line «المصدر: X», ``("byline", X)`` for «كتب X», else None."""
    folded = fold(text)
    found = _metadata(_Line(0, _clean(text), folded, _words(folded)), ("source", "byline"))
    return found[:2] if found is not None else None


def _ends_sentence(text: str) -> bool:
    stripped = text.rstrip().rstrip(_CLOSERS).rstrip()
    return bool(stripped) and stripped[-1] in _TERMINAL


def _is_body(line: _Line) -> bool:
    """A paragraph of running text: a finished sentence of some length, or simply long."""
    return (line.words >= SHORT_LINE_WORDS and _ends_sentence(line.text)) or line.words >= 25


def _is_short(line: _Line) -> bool:
    return line.words <= SHORT_LINE_WORDS and not _ends_sentence(line.text)


@dataclass
class _Line:
    number: int
    text: str
    folded: str
    words: int


def _metadata_value(pattern: re.Pattern[str], line: _Line, max_words: int) -> str | None:
    match = pattern.fullmatch(line.text)
    if match is None:
        return None
    value = match.group("value").strip()
    if _words(fold(value)) > max_words or _ends_sentence(value):
        return None
    return value


# Lines that state metadata, tried in this order: the kind (a ``_Collector`` field), the pattern, the most
# words its value may have, and why the line is dropped from the text.
_METADATA: tuple[tuple[str, re.Pattern[str], int, str], ...] = (
    ("url", _URL_LINE, 40, "page URL (kept as metadata)"),
    ("source", _SOURCE, 6, "source attribution (kept as metadata, not the outlet)"),
    ("byline", _BYLINE, 4, "byline (kept as metadata)"),
)


def _metadata(line: _Line, kinds: Container[str]) -> tuple[str, str, str] | None:
    """``(kind, value, reason)`` when the line states one of ``kinds`` of metadata, else None."""
    for kind, pattern, max_words, reason in _METADATA:
        value = _metadata_value(pattern, line, max_words) if kind in kinds else None
        if value is not None:
            return kind, value, reason
    return None


# --------------------------------------------------------------------------- ingest


class _Collector:
    """Mutable state of one ingest run."""

    def __init__(self, facts: PageFacts | None = None) -> None:
        page, facts = facts is not None, facts or PageFacts()
        self.removed: list[Removal] = list(facts.removed)
        self.notes: list[str] = list(facts.notes)
        self.title: str | None = facts.title  # the headline the markup states, if any
        self.outlet: str | None = facts.outlet
        self.byline: str | None = facts.byline
        self.source: str | None = facts.source
        self.url: str | None = facts.url
        self.published: date | None = facts.published
        # Pasted text names its outlet in a short line under the headline or in the footer; a web page
        # names it in its markup (og:site_name, JSON-LD), and a short line of its text is not an outlet.
        self.outlet_from_text = not page

    def wants_outlet(self) -> bool:
        return self.outlet is None and self.outlet_from_text

    def drop(self, line: _Line, reason: str) -> None:
        self.removed.append(Removal(line.number, line.text, reason))

    def keep(self, kind: str, value: str) -> None:
        """Keep ``value`` as the ``url``, ``source`` or ``byline``, unless the page already stated one."""
        setattr(self, kind, getattr(self, kind) or value)


def _check_text(raw: object) -> str:
    if not isinstance(raw, str):
        raise IngestError(f"expected the page text as a string, got {type(raw).__name__}")
    if not raw.strip():
        raise IngestError("the page text is empty; paste the article text into the file")
    controls = sum(
        1 for c in raw if c == "\ufffd" or (unicodedata.category(c) == "Cc" and c not in "\t\n\r\f\v")
    )
    if "\x00" in raw or controls > max(3, len(raw) // 100):
        raise IngestError(
            "the input looks binary (NUL, control or undecodable bytes); save the page as UTF-8 text first"
        )
    return raw


def _lines(raw: str) -> list[_Line]:
    lines = []
    for number, original in enumerate(raw.replace("\r\n", "\n").replace("\r", "\n").split("\n"), start=1):
        text = _clean(original)
        if text:
            folded = fold(text)
            lines.append(_Line(number, text, folded, _words(folded)))
    return lines


def _cut_comments(lines: list[_Line], state: _Collector) -> list[_Line]:
    """Drop a reader-comment section (header line and everything after), once the article has begun."""
    article_started = False
    for index, line in enumerate(lines):
        if article_started and _COMMENTS_HEADER.fullmatch(line.folded):
            for dropped in lines[index:]:
                state.drop(dropped, "reader comments section")
            return lines[:index]
        article_started = article_started or _is_body(line)
    return lines


def _strip_chrome(lines: list[_Line], state: _Collector) -> list[_Line]:
    """Drop chrome, credits, embeds and metadata lines (keeping the metadata)."""
    kept: list[_Line] = []
    for line in lines:
        # Chrome lines are short; a long paragraph that mentions cookies or ends "(رويترز)" is text.
        short = line.words < 25
        reason = next((reason for reason, pattern in _CHROME if pattern.fullmatch(line.folded)), None)
        if reason is None and _COOKIE.search(line.folded):
            reason = "site chrome: cookie notice"
        if reason is not None and not short:
            reason = None
        if reason == "tweet embed attribution" and kept and _attribute_tweet(line, kept, state):
            continue
        if reason is not None:
            state.drop(line, reason)
            continue
        found = _metadata(line, ("url", "source", "byline"))
        if found is not None:
            kind, value, reason = found
            state.keep(kind, value)
            state.drop(line, reason)
            continue
        kept.append(line)
    return kept


def _attribute_tweet(line: _Line, kept: list[_Line], state: _Collector) -> bool:
    """``— Name (@handle) date`` under a tweet's text: quote the tweet (the line before) with its author."""
    match = _TWEET_AUTHOR.search(line.text)
    tweet = kept[-1]
    if match is None or tweet.words < 3 or _TWEET_AUTHOR.search(tweet.text):
        return False
    text = attributed_quote(match.group("author"), tweet.text, tweet=True)
    folded = fold(text)
    kept[-1] = _Line(tweet.number, text, folded, _words(folded))
    state.drop(line, f"tweet embed attribution (its author is kept with the tweet on line {tweet.number})")
    return True


def _drop_repeats(lines: list[_Line], state: _Collector) -> list[_Line]:
    seen: dict[str, int] = {}
    kept = []
    for line in lines:
        if line.folded in seen:
            state.drop(line, f"duplicate line (repeats line {seen[line.folded]})")
            continue
        seen[line.folded] = line.number
        kept.append(line)
    return kept


def _header(header: list[_Line], state: _Collector) -> tuple[_Line | None, list[_Line]]:
    """Pick the headline, the dateline and the site name from the lines above the body.

    Returns the headline (or None) and the header lines to keep as paragraphs.
    """
    candidates = []
    for line in header:
        published = date_line(line.folded)
        if published is not None:
            if state.published is None:
                state.published = published
                state.drop(line, "date line (kept as metadata)")
            else:
                state.drop(line, "extra date line")
            continue
        candidates.append(line)
    captions = {
        line.number: other.number
        for line in candidates
        for other in candidates
        if other is not line
        and other.words >= 3
        and line.folded.startswith(other.folded)
        and len(line.folded) > len(other.folded)
    }
    if state.title is not None:  # a web page: the markup names the headline
        known = fold(state.title)
        title = next((line for line in candidates if line.folded == known), None)
        body: list[_Line] = []
        for line in candidates:
            if line is title:
                state.drop(line, "headline (kept as title)")
            elif line.number in captions or line.folded.startswith(known):
                state.drop(line, "caption repeating the headline")
            elif _is_short(line) or line.text.startswith("## "):
                state.drop(line, "label or heading above the article text")
            else:
                body.append(line)
        return title, body
    titles = [line for line in candidates if line.number not in captions and line.words >= 3]
    title = max(titles, key=lambda line: line.words, default=None)
    kept: list[_Line] = []
    for line in candidates:
        if line is title:
            state.drop(line, "headline (kept as title)")
        elif line.number in captions:
            state.drop(line, f"caption repeating the headline (line {captions[line.number]})")
        elif title is None or line.number < title.number:
            state.drop(line, "masthead or section label above the headline")
        elif _is_short(line) and state.wants_outlet():
            state.outlet = line.text
            state.drop(line, "site name (kept as outlet)")
        elif _is_short(line):
            state.drop(line, "header label below the headline")
        else:
            kept.append(line)
    return title, kept


def _body(body: list[_Line], title: _Line | None, state: _Collector) -> list[str]:
    paragraphs: list[str] = []
    for index, line in enumerate(body):
        if (title is not None and line.folded == title.folded) or (
            state.title is not None and line.folded == fold(state.title)
        ):
            state.drop(line, "repeats the headline")
        elif line.text.startswith("## "):  # a heading in a web page's markup
            if any(not _is_short(later) and not later.text.startswith("## ") for later in body[index + 1 :]):
                paragraphs.append(line.text)
            else:
                state.drop(line, "heading after the article text")
        elif date_line(line.folded) is not None and line.words <= 6:
            state.drop(line, "date line outside the header (not used as the publication date)")
        elif not _is_short(line):
            paragraphs.append(line.text)
        elif any(not _is_short(later) for later in body[index + 1 :]):
            paragraphs.append(f"## {line.text}")
            state.notes.append(f"line {line.number}: kept as subheading")
        elif state.wants_outlet():
            state.outlet = line.text
            state.drop(line, "site name in the footer (kept as outlet)")
        else:
            state.drop(line, "footer label after the article")
    return paragraphs


def _derived_title(first: str) -> str:
    sentence = re.split(r"(?<=[.!?؟…])\s+", first, maxsplit=1)[0].rstrip(".").strip()
    if len(sentence) <= TITLE_MAX_CHARS:
        return sentence
    cut = sentence[:TITLE_MAX_CHARS].rsplit(" ", 1)[0].rstrip(" ،,؛;:")
    return f"{cut}…"


def ingest(raw: str, doc_id: str) -> IngestResult:
    """Clean one pasted page into an article; raise :class:`IngestError` when there is no article text."""
    raw = _check_text(raw)
    _check_id(doc_id)
    return _curate(_lines(raw), doc_id, _Collector())


def ingest_lines(blocks: Sequence[tuple[int, str]], doc_id: str, facts: PageFacts) -> IngestResult:
    """The same rules on text blocks taken out of a web page: ``(source line, text)`` in reading order.

    ``facts`` holds what the markup states; a headline found there is the title, and the outlet is
    never guessed from a short line of text.
    """
    _check_id(doc_id)
    lines = []
    for number, block in blocks:
        text = _clean(" ".join(block.split()))
        if text:
            folded = fold(text.removeprefix("## "))  # a heading compares as its words (to the title)
            lines.append(_Line(number, text, folded, _words(folded)))
    if not lines:
        raise IngestError("no article text found on the page")
    return _curate(lines, doc_id, _Collector(facts))


def _check_id(doc_id: str) -> None:
    if not is_valid_id(doc_id):
        raise IngestError(f"unsafe document id {doc_id!r}; use slugify_id() on the file name")


ARABIC_SHARE = 0.5  # at least this share of an article's letters must be Arabic
_ARABIC_LETTER = re.compile("[\u0621-\u064a\u0671-\u06d3\u06fa-\u06ff]")


def _check_arabic(paragraphs: list[str]) -> None:
    text = " ".join(p for p in paragraphs if not p.startswith("## "))
    letters = sum(1 for char in text if char.isalpha())
    arabic = len(_ARABIC_LETTER.findall(text))
    if not arabic:
        raise IngestError("the article text contains no Arabic letters; the corpus holds Arabic articles")
    if arabic < ARABIC_SHARE * letters:
        share = round(100 * arabic / letters)
        raise IngestError(
            f"the article is not in Arabic (only {share}% of its letters are Arabic); "
            "the corpus holds Arabic articles"
        )


def _curate(lines: list[_Line], doc_id: str, state: _Collector) -> IngestResult:
    lines = _cut_comments(lines, state)
    lines = _drop_repeats(_strip_chrome(lines, state), state)
    start = next((i for i, line in enumerate(lines) if _is_body(line)), len(lines))
    title, header_paragraphs = _header(lines[:start], state)
    paragraphs = [line.text for line in header_paragraphs] + _body(lines[start:], title, state)
    if not any(not p.startswith("## ") for p in paragraphs):
        raise IngestError("no article text found after removing site chrome, comments and metadata lines")
    _check_arabic(paragraphs)
    derived = False
    if state.title is not None:  # the headline the markup states
        title_text = state.title
    elif title is not None:
        title_text = title.text
    else:
        first = next(paragraph for paragraph in paragraphs if not paragraph.startswith("## "))
        title_text, derived = _derived_title(first), True
        first_line = next(line.number for line in lines if line.text == first)
        note = f"title derived from the first sentence of line {first_line} (no headline found)"
        state.notes.insert(0, note)
    if state.source is not None:
        state.notes.append(f"source attribution: {state.source}")
    article = Article(
        id=doc_id,
        title=title_text,
        paragraphs=tuple(paragraphs),
        outlet=state.outlet,
        published=state.published,
        url=state.url,
        byline=state.byline,
        source=state.source,
        title_derived=derived,
    )
    removed = tuple(sorted(state.removed, key=lambda removal: removal.line))
    return IngestResult(article, removed, state.source, tuple(state.notes))
