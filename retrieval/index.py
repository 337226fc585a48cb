"""BM25 over sentences: one document per distinct sentence, each remembering every article carrying it."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from retrieval.bm25 import FastBM25
from retrieval.models import Article, Citation, Sentence
from retrieval.segment import split_sentences
from retrieval.text import Pipeline, normalize, variant_keys


@dataclass(frozen=True)
class Entry:
    """One indexed (deduplicated) sentence."""

    sentence: Sentence
    citations: tuple[Citation, ...]
    tokens: tuple[str, ...]


def article_sentences(article: Article) -> list[Sentence]:
    """The title (paragraph 0) and body sentences of an article; '## ' subheadings are not sentences."""
    sentences = [Sentence(article.id, 0, 0, article.title.strip())] if article.title.strip() else []
    for number, paragraph in enumerate(article.paragraphs, start=1):
        if paragraph.lstrip().startswith("#"):
            continue
        for position, text in enumerate(split_sentences(paragraph)):
            sentences.append(Sentence(article.id, number, position, text))
    return sentences


_PROCLITICS = ("ب", "ل", "ك", "ف")


def split_clitics(tokens: Iterable[str]) -> dict[str, str]:
    """Tokens that are a one-letter proclitic (ب ل ك ف) plus a word the corpus also has on its own.

    «بجنود» → «جنود» when «جنود» occurs by itself; «بلينكن» stays whole because «لينكن» never does.
    Light stemmers leave these proclitics alone because stripping them blindly breaks words whose
    first letter is a root letter; checking the corpus vocabulary avoids that.
    """
    vocabulary = set(tokens)
    return {
        t: t[1:]
        for t in vocabulary
        if len(t) >= 5 and t[0] in _PROCLITICS and t[1:] in vocabulary
    }


def _same(a: Sentence, b: Sentence) -> bool:
    return normalize(a.text) == normalize(b.text)


class SentenceIndex:
    """Deduplicated sentences of a corpus, their BM25 index, and each sentence's neighbours."""

    def __init__(
        self,
        articles: Sequence[Article],
        pipeline: Pipeline,
        k1: float,
        b: float,
        context_weight: float = 0.0,
        progress: bool = False,
    ) -> None:
        self.pipeline = pipeline
        self.context_weight = context_weight
        by_key: dict[str, int] = {}
        entries: list[tuple[Sentence, list[Citation], tuple[str, ...]]] = []
        self._neighbours: dict[str, tuple[Sentence | None, Sentence | None]] = {}
        for article in articles:
            citation = Citation.of(article)
            body = [s for s in article_sentences(article) if s.paragraph > 0]
            # A sentence repeated back to back on the page is not its own neighbour.
            body = [s for i, s in enumerate(body) if not i or not _same(s, body[i - 1])]
            for i, sentence in enumerate(body):
                before = body[i - 1] if i else None
                after = body[i + 1] if i + 1 < len(body) else None
                self._neighbours[sentence.id] = (before, after)
            for sentence in article_sentences(article):
                key = normalize(sentence.text)
                tokens = tuple(pipeline.index_tokens(sentence.text))
                if not tokens:
                    continue
                if key in by_key:  # wire copy or a sentence repeated on the page: index once, cite all
                    cites = entries[by_key[key]][1]
                    if citation not in cites:
                        cites.append(citation)
                    continue
                by_key[key] = len(entries)
                entries.append((sentence, [citation], tokens))
        self.clitics = split_clitics(t for _, _, tokens in entries for t in tokens)
        self.entries: tuple[Entry, ...] = tuple(
            Entry(s, tuple(c), tuple(self.clitics.get(x, x) for x in t)) for s, c, t in entries
        )
        self._context: list[tuple[int, ...]] = []
        for sentence, _, _ in entries:
            near = [by_key.get(normalize(n.text)) for n in self._neighbours.get(sentence.id, ()) if n]
            self._context.append(tuple(i for i in near if i is not None))
        self.vocabulary: frozenset[str] = frozenset(t for e in self.entries for t in e.tokens)
        self.normal_forms: frozenset[str] = frozenset(
            w for e in self.entries for w in normalize(e.sentence.text).split()
        )
        self._by_key: dict[str, set[str]] = {}
        for token in self.vocabulary:
            for key in variant_keys(token):
                self._by_key.setdefault(key, set()).add(token)
        self._bm25 = FastBM25([e.tokens for e in self.entries], k1=k1, b=b, progress=progress)

    def __len__(self) -> int:
        return len(self.entries)

    def relatives(self, stem: str) -> frozenset[str]:
        """Indexed tokens of the same word family as an unknown ``stem`` (see ``variant_keys``)."""
        found: set[str] = set()
        for key in variant_keys(stem):
            found |= self._by_key.get(key, set())
        return frozenset(found)

    @property
    def unknown_idf(self) -> float:
        """The idf BM25Okapi's formula gives a term no sentence contains."""
        n = len(self.entries)
        return math.log((n + 0.5) / 0.5) if n else 0.0

    def idf(self, token: str) -> float:
        return self._bm25.idf(token) if token in self._bm25 else 0.0

    def search(self, tokens: Sequence[str], k: int) -> list[tuple[int, float]]:
        """(entry index, score) of the ``k`` best sentences sharing at least one token, best first.

        Scores are BM25Okapi's (``retrieval.bm25`` computes them only where the tokens occur). With a
        context weight, a sentence also earns that share of its best neighbour's score.
        """
        if not tokens:
            return []
        if not self.context_weight:
            return self._bm25.top_k(tokens, k)
        raw = self._bm25.get_scores(tokens)
        wanted = set(tokens)
        scored = []
        for i, entry in enumerate(self.entries):
            if wanted.intersection(entry.tokens):
                near = max((raw[j] for j in self._context[i]), default=0.0)
                scored.append((i, float(raw[i] + self.context_weight * near)))
        scored.sort(key=lambda pair: (-pair[1], pair[0]))
        return scored[:k]

    def neighbours(self, sentence: Sentence) -> tuple[Sentence | None, Sentence | None]:
        return self._neighbours.get(sentence.id, (None, None))
