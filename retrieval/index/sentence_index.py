"""The searchable sentence index: deduplicated sentences, their BM25 scores and each sentence's neighbours."""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import overload

import numpy as np

from retrieval.index.arrays import Int32Array, ranges
from retrieval.index.assembly import Assembly, build_assembly, check_articles
from retrieval.index.table import ABSENT, SentenceTable
from retrieval.models import Article, Citation, Sentence
from retrieval.text import Pipeline, variant_keys

__all__ = ["Entry", "SentenceIndex"]


@dataclass(frozen=True)
class Entry:
    """One indexed (deduplicated) sentence."""

    sentence: Sentence
    citations: tuple[Citation, ...]
    tokens: tuple[str, ...]


class SentenceIndex:
    """Deduplicated sentences of a corpus, their BM25 index, and each sentence's neighbours.

    ``SentenceIndex(articles, ...)`` does both build stages, or only the second when given the
    articles' ``table`` (e.g. one updated after a reload); :meth:`restore` does neither, from a kept
    table and assembly.
    """

    def __init__(
        self,
        articles: Sequence[Article],
        pipeline: Pipeline,
        k1: float,
        b: float,
        context_weight: float = 0.0,
        progress: bool = False,
        *,
        table: SentenceTable | None = None,
    ) -> None:
        if table is None:
            table = SentenceTable.build(articles, pipeline, progress=progress)
        assembly = build_assembly(articles, table, k1, b, progress)
        self._setup(articles, table, assembly, pipeline, context_weight)

    @classmethod
    def restore(
        cls,
        articles: Sequence[Article],
        table: SentenceTable,
        assembly: Assembly,
        pipeline: Pipeline,
        context_weight: float = 0.0,
    ) -> SentenceIndex:
        """The index kept from an earlier build of the same articles; ``ValueError`` if it cannot fit."""
        check_articles(articles, table)
        assembly.check(table, len(articles))
        index = cls.__new__(cls)
        index._setup(articles, table, assembly, pipeline, context_weight)
        return index

    def _setup(
        self,
        articles: Sequence[Article],
        table: SentenceTable,
        assembly: Assembly,
        pipeline: Pipeline,
        context_weight: float,
    ) -> None:
        self.pipeline = pipeline
        self.context_weight = context_weight
        self.articles = tuple(articles)
        self.table = table
        self.assembly = assembly
        self.clitics = assembly.clitics
        self._bm25 = assembly.bm25
        self._citations = [Citation.of(article) for article in articles]
        self._numbers = {article.id: number for number, article in enumerate(articles)}
        self._order = (table.rows[:, 0].astype(np.int64) << 32) | table.rows[:, 1].astype(np.int64)
        rows = assembly.entry_rows.astype(np.int64)
        starts = table.token_ptr[rows]
        counts = table.token_ptr[rows + 1] - starts
        self._entry_ptr = np.zeros(len(rows) + 1, dtype=np.int64)
        np.cumsum(counts, out=self._entry_ptr[1:])
        # Each entry's tokens after the proclitic split, back to back.
        self._entry_tokens: Int32Array = assembly.term_map[table.token_ids[ranges(starts, counts)]]
        self.vocabulary: frozenset[str] = frozenset(assembly.bm25.arrays.terms)  # every indexed token
        self.entries: Sequence[Entry] = _Entries(self)

    def __len__(self) -> int:
        return len(self.assembly.entry_rows)

    @cached_property
    def _term_ids(self) -> dict[str, int]:
        """Table term id of every indexed token."""
        return {self.table.terms[i]: i for i in np.unique(self._entry_tokens).tolist()}

    def tokens_in(self, text: str) -> set[str]:
        """The indexed tokens of ``text``'s words, a proclitic split as the index splits it."""
        return {self.clitics.get(t, t) for t in self.pipeline.index_tokens(text)}

    def holding(self, tokens: Iterable[str], limit: int) -> list[int]:
        """Entry indices of the first ``limit`` sentences (in corpus order) holding any of ``tokens``."""
        wanted = sorted({self._term_ids[t] for t in tokens if t in self._term_ids})
        if not wanted:
            return []
        positions = np.flatnonzero(np.isin(self._entry_tokens, np.asarray(wanted, dtype=np.int32)))
        entries = np.unique(np.searchsorted(self._entry_ptr, positions, side="right") - 1)
        return [int(e) for e in entries[:limit]]

    def relatives(self, stem: str) -> frozenset[str]:
        """Indexed tokens of the same word family as an unknown ``stem`` (see ``variant_keys``)."""
        keys, terms = self.table.variant_keys, self.table.terms
        pointer, members = self.assembly.variant_ptr, self.assembly.variant_terms
        found: set[str] = set()
        for key in variant_keys(stem, asked=True):
            i = bisect_left(keys, key)
            if i < len(keys) and keys[i] == key:
                found.update(map(terms.__getitem__, members[pointer[i] : pointer[i + 1]].tolist()))
        return frozenset(found)

    @property
    def unknown_idf(self) -> float:
        """The idf BM25Okapi's formula gives a term no sentence contains."""
        n = len(self)
        return math.log((n + 0.5) / 0.5) if n else 0.0

    def idf(self, token: str) -> float:
        return self._bm25.idf(token) if token in self._bm25 else 0.0

    def once(self, token: str, entry: int) -> float:
        """What ``token`` would add to entry ``entry``'s BM25 score if it occurred there once (0 for a
        token of no sentence)."""
        return self._bm25.once(token, entry)

    def search(
        self, tokens: Sequence[str], k: int, weights: Sequence[float] | None = None
    ) -> list[tuple[int, float]]:
        """(entry index, score) of the ``k`` best sentences sharing at least one token, best first.

        Scores are BM25Okapi's (``retrieval.index.bm25`` computes them only where the tokens occur), each
        token's share scaled by its weight (default 1). With a context weight, a sentence also earns
        that share of its best neighbour's score.
        """
        if not tokens:
            return []
        if not self.context_weight:
            return self._bm25.top_k(tokens, k, weights)
        raw = self._bm25.get_scores(tokens, weights)
        wanted = sorted({self._term_ids[t] for t in tokens if t in self._term_ids})
        if not wanted or not len(self):
            return []
        holds = np.isin(self._entry_tokens, np.asarray(wanted, dtype=np.int32))
        matched = np.flatnonzero(np.logical_or.reduceat(holds, self._entry_ptr[:-1]))
        pointer, members = self.assembly.context_ptr, self.assembly.context_entries
        sizes = pointer[matched + 1] - pointer[matched]
        near = np.zeros(len(matched), dtype=np.float64)  # no neighbour: 0.0, as max(..., default=0.0)
        some = sizes > 0
        if some.any():
            values = raw[members[ranges(pointer[matched][some], sizes[some])]]
            segments = np.zeros(int(some.sum()), dtype=np.int64)
            np.cumsum(sizes[some][:-1], out=segments[1:])
            near[some] = np.maximum.reduceat(values, segments)
        scores = raw[matched] + self.context_weight * near
        order = np.lexsort((matched, -scores))[:k]
        return [(int(matched[i]), float(scores[i])) for i in order]

    @cached_property
    def _entry_of_row(self) -> Int32Array:
        """The entry of each table row, or -1 for a row repeating a sentence another row holds (identical
        sentences are indexed once, as the first row carrying them)."""
        found = np.full(len(self.table.rows), -1, dtype=np.int32)
        found[self.assembly.entry_rows] = np.arange(len(self.assembly.entry_rows), dtype=np.int32)
        return found

    def entries_before(self, entry: int, count: int) -> list[int]:
        """The entries of up to ``count`` sentences before entry ``entry``'s sentence in its article,
        nearest first (a title has none; a sentence repeating another entry's text is skipped)."""
        return self._walk(entry, count, 0)

    def entries_after(self, entry: int, count: int) -> list[int]:
        """The entries of up to ``count`` sentences after entry ``entry``'s sentence in its article,
        nearest first (a title has none; a sentence repeating another entry's text is skipped)."""
        return self._walk(entry, count, 1)

    def _walk(self, entry: int, count: int, side: int) -> list[int]:
        """Up to ``count`` entries from entry ``entry``'s sentence through its article's neighbour links
        (``side`` 0: the one before, 1: the one after), nearest first."""
        row = int(self.assembly.entry_rows[entry])
        number = int(np.searchsorted(self.table.article_ptr, row, side="right")) - 1
        base = int(self.table.article_ptr[number])
        found: list[int] = []
        for _ in range(count):
            step = int(self.table.neighbours[row, side])
            if step == ABSENT or step < 0:
                break
            row = base + step
            if (near := int(self._entry_of_row[row])) >= 0:
                found.append(near)
        return found

    def entry_of(self, sentence: Sentence) -> int | None:
        """The entry holding ``sentence`` (a body sentence indexed as its own entry), else None."""
        found = self._find(sentence)
        if found is None:
            return None
        entry = int(self._entry_of_row[found[1]])
        return entry if entry >= 0 else None

    def neighbours(self, sentence: Sentence) -> tuple[Sentence | None, Sentence | None]:
        found = self._find(sentence)
        if found is None:
            return None, None
        number, row = found
        base = int(self.table.article_ptr[number])
        before, after = self.table.neighbours[row].tolist()
        return (
            self._sentence(number, base + before) if before >= 0 else None,
            self._sentence(number, base + after) if after >= 0 else None,
        )

    def _find(self, sentence: Sentence) -> tuple[int, int] | None:
        """(article, row) of ``sentence`` when its row records neighbours (a body sentence)."""
        number = self._numbers.get(sentence.doc_id)
        paragraph, position = sentence.paragraph, sentence.position
        if number is None or not (0 <= paragraph < 2**31 and 0 <= position < 2**31):
            return None
        target = (paragraph << 32) | position
        low, high = (int(x) for x in self.table.article_ptr[number : number + 2])
        row = low + int(np.searchsorted(self._order[low:high], target))
        if row < high and int(self._order[row]) == target and int(self.table.neighbours[row, 0]) != ABSENT:
            return number, row
        return None

    def _sentence(self, number: int, row: int) -> Sentence:
        paragraph, position, start, end = self.table.rows[row].tolist()
        article = self.articles[number]
        source = article.title if paragraph == 0 else article.paragraphs[paragraph - 1]
        return Sentence(article.id, paragraph, position, source[start:end])

    def _entry(self, entry: int) -> Entry:
        row = int(self.assembly.entry_rows[entry])
        number = int(np.searchsorted(self.table.article_ptr, row, side="right")) - 1
        pointer = self.assembly.citation_ptr
        cited = self.assembly.citation_articles[pointer[entry] : pointer[entry + 1]].tolist()
        tokens = self._entry_tokens[self._entry_ptr[entry] : self._entry_ptr[entry + 1]].tolist()
        return Entry(
            self._sentence(number, row),
            tuple(self._citations[a] for a in cited),
            tuple(map(self.table.terms.__getitem__, tokens)),
        )


class _Entries(Sequence[Entry]):
    """The index's entries, each made on first use (a restored index of 100k sentences makes none)."""

    def __init__(self, index: SentenceIndex) -> None:
        self._index = index
        self._made: list[Entry | None] = [None] * len(index)

    def __len__(self) -> int:
        return len(self._made)

    @overload
    def __getitem__(self, item: int) -> Entry: ...

    @overload
    def __getitem__(self, item: slice) -> Sequence[Entry]: ...

    def __getitem__(self, item: int | slice) -> Entry | Sequence[Entry]:
        if isinstance(item, slice):
            return tuple(self[i] for i in range(*item.indices(len(self))))
        entry = self._made[item]  # IndexError out of range, as a tuple's
        if entry is None:
            entry = self._made[item] = self._index._entry(item % len(self._made))
        return entry

    def __iter__(self) -> Iterator[Entry]:
        for i in range(len(self._made)):
            yield self[i]
