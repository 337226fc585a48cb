"""Small frozen result types shared by the corpus loader, the index and the answer API."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class Article:
    """One curated article: front matter plus its cleaned body."""

    id: str
    title: str
    paragraphs: tuple[str, ...]
    outlet: str | None = None
    published: date | None = None
    url: str | None = None
    byline: str | None = None
    path: str = ""  # file the article was read from, for error messages and /reload reports
    source: str | None = None  # the agency the outlet credits («المصدر: تاس»), not the outlet itself
    title_derived: bool = False  # the page has no headline: the title is its first sentence


@dataclass(frozen=True)
class Sentence:
    """One indexed sentence. ``paragraph`` 0 is the title; body paragraphs count from 1."""

    doc_id: str
    paragraph: int
    position: int
    text: str

    @property
    def id(self) -> str:
        """Stable id used in the JSON contract and the conversation log."""
        return f"{self.doc_id}:{self.paragraph}:{self.position}"


@dataclass(frozen=True)
class Citation:
    """What the bot shows for a source: title, outlet, date and link when known."""

    doc_id: str
    title: str
    outlet: str | None
    published: date | None
    url: str | None
    source: str | None = None  # the agency the outlet credits: shown as «outlet نقلًا عن source»
    title_derived: bool = False  # the title is the article's first sentence, not the page's headline

    @classmethod
    def of(cls, article: Article) -> Citation:
        return cls(
            article.id,
            article.title,
            article.outlet,
            article.published,
            article.url,
            article.source,
            article.title_derived,
        )


@dataclass(frozen=True)
class Hit:
    """A retrieved sentence with its score, every article that carries it, and context neighbours."""

    sentence: Sentence
    score: float
    citations: tuple[Citation, ...]
    before: Sentence | None = None
    after: Sentence | None = None
    matched_terms: tuple[str, ...] = ()
    # With a sentence encoder (retrieval.rerank), hits are ordered by ``fused`` (0 to 1) and ``cosine`` is
    # the encoder's similarity to the question; ``score`` stays BM25's. Both None without an encoder.
    fused: float | None = None
    cosine: float | None = None


@dataclass(frozen=True)
class Answer:
    """The outcome of one question: ranked hits, or a decline naming the words the corpus lacks."""

    question: str
    query_terms: tuple[str, ...]
    hits: tuple[Hit, ...]
    declined: bool
    missing_terms: tuple[str, ...] = ()
    reason: str = ""
    related: tuple[Hit, ...] = ()  # with a decline: the closest sentences, shown as related only
    known_terms: tuple[str, ...] = ()  # the question's words the corpus does mention (as written)
    asks: str | None = None  # the kind asked for ("number", "date"…; "amount", "stance" when declined so)
    reading: str = ""  # an Arabizi question as it was read in Arabic script

    @property
    def citations(self) -> tuple[Citation, ...]:
        """Distinct citations in order of first appearance; ``[n]`` markers index into this (1-based)."""
        seen: dict[str, Citation] = {}
        for hit in self.hits:
            for citation in hit.citations:
                seen.setdefault(citation.doc_id, citation)
        return tuple(seen.values())


@dataclass(frozen=True)
class CorpusIssue:
    """A problem found while loading one corpus file; the other files still load."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass(frozen=True)
class Corpus:
    """Everything loaded from a corpus directory."""

    articles: tuple[Article, ...]
    lexicon: tuple[tuple[str, ...], ...] = ()
    issues: tuple[CorpusIssue, ...] = field(default=())
    examples: tuple[str, ...] = ()  # example questions from corpus/examples.toml, shown with declines
