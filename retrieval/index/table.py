"""Stage 1 of an index: every sentence of a sequence of articles, segmented and tokenised, as flat arrays.

A row depends on nothing but its article and the text pipeline, so a :class:`SentenceTable` can be kept
(``retrieval.index.cache``) and, after the corpus changes, its rows reused for every article that did not
change (:meth:`SentenceTable.update`). Pure: no file I/O.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import numpy as np
import numpy.typing as npt
from tqdm import tqdm  # tqdm ships no type stubs

from retrieval.index.arrays import (
    Columns,
    Int32Array,
    Int64Array,
    check_pointer,
    check_range,
    columns_of,
    ranges,
    read_columns,
    row_pointer,
    string_list,
)
from retrieval.index.bm25 import Vocabulary
from retrieval.models import Article, Sentence
from retrieval.segment import split_sentences
from retrieval.text import Pipeline, normalize, variant_keys

__all__ = ["ABSENT", "NONE", "PROGRESS_DELAY", "SentenceTable", "article_digest", "article_sentences"]

ABSENT = -2  # neighbours of a row that has none recorded (a title, or a sentence repeated back to back)
NONE = -1  # no sentence before (or after) this one in its article
PROGRESS_DELAY = 0.5  # seconds before a progress bar appears: a quick load prints nothing
_COLUMNS: Columns = {  # the table's arrays as kept, in the order they are saved
    "article_ptr": (np.int64, (-1,)),
    "rows": (np.int32, (-1, 4)),
    "neighbours": (np.int32, (-1, 2)),
    "keys": (np.uint64, (-1, 2)),
    "token_ptr": (np.int64, (-1,)),
    "token_ids": (np.int32, (-1,)),
    "term_variant_ptr": (np.int64, (-1,)),
    "term_variants": (np.int32, (-1,)),
}


def article_sentences(article: Article) -> list[Sentence]:
    """The title (paragraph 0) and body sentences of an article; '## ' subheadings are not sentences."""
    sentences = [Sentence(article.id, 0, 0, article.title.strip())] if article.title.strip() else []
    for number, paragraph in enumerate(article.paragraphs, start=1):
        if paragraph.lstrip().startswith("#"):
            continue
        for position, text in enumerate(split_sentences(paragraph)):
            sentences.append(Sentence(article.id, number, position, text))
    return sentences


def article_digest(article: Article) -> str:
    """Hex digest of everything the index takes from ``article`` (its id, metadata and text)."""
    published = article.published.isoformat() if article.published else None
    fields = (article.id, article.title, article.outlet, published, article.url, article.byline)
    # Each field length-prefixed (so boundaries are unambiguous); None differs from "".
    text = "".join("-\0" if f is None else f"{len(f)}\0{f}" for f in (*fields, *article.paragraphs))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _key_digest(normal: str) -> bytes:
    """128-bit digest of a sentence's normalised text: the identity under which sentences are merged."""
    return hashlib.blake2b(normal.encode("utf-8", "surrogatepass"), digest_size=16).digest()


@dataclass(frozen=True, eq=False)
class SentenceTable:
    """Every sentence of a sequence of articles, segmented and tokenised, as flat arrays.

    Rows ``article_ptr[a]:article_ptr[a + 1]`` are the sentences of article ``a`` in reading order
    (title first). Row ``r`` is ``rows[r] = (paragraph, position, start, end)``: its text is
    ``source[start:end]`` where ``source`` is the article's title (paragraph 0) or paragraph
    ``paragraph``. ``keys[r]`` is a 128-bit digest of the normalised text (equal digests: one entry);
    ``neighbours[r]`` are the article-local rows of the sentences before and after it (``NONE`` at an
    end; ``ABSENT`` for a title or a sentence repeated back to back, which record no neighbours).
    Its tokens are ``terms[i]`` for ``i`` in ``token_ids[token_ptr[r]:token_ptr[r + 1]]``, before the
    corpus-wide proclitic split. Term ``t``'s variant keys (``retrieval.text.variant_keys``) are
    ``variant_keys[k]`` for ``k`` in ``term_variants[term_variant_ptr[t]:term_variant_ptr[t + 1]]``;
    ``variant_keys`` is sorted. ``digests[a]`` is :func:`article_digest` of article ``a``.
    """

    digests: tuple[str, ...]
    article_ptr: Int64Array
    rows: Int32Array
    neighbours: Int32Array
    keys: npt.NDArray[np.uint64]
    token_ptr: Int64Array
    token_ids: Int32Array
    terms: tuple[str, ...]
    term_variant_ptr: Int64Array
    term_variants: Int32Array
    variant_keys: tuple[str, ...]

    def __post_init__(self) -> None:
        n_articles, n_rows = len(self.digests), len(self.rows)
        check_pointer(self.article_ptr, "article_ptr", n_rows)
        if len(self.article_ptr) != n_articles + 1:
            raise ValueError("article_ptr needs one entry per article plus one")
        if self.rows.shape != (n_rows, 4) or self.neighbours.shape != (n_rows, 2):
            raise ValueError("rows and neighbours must have 4 and 2 columns and one line per sentence")
        if self.keys.shape != (n_rows, 2) or len(self.token_ptr) != n_rows + 1:
            raise ValueError("keys and token_ptr must have one line per sentence (token_ptr one more)")
        check_pointer(self.token_ptr, "token_ptr", len(self.token_ids))
        check_range(self.token_ids, "token_ids", 0, len(self.terms))
        if n_rows and (int(self.rows.min()) < 0 or (self.rows[:, 2] > self.rows[:, 3]).any()):
            raise ValueError("rows must be non-negative with start <= end")
        sizes = np.repeat(np.diff(self.article_ptr), np.diff(self.article_ptr))
        if n_rows and ((self.neighbours < ABSENT).any() or (self.neighbours >= sizes[:, None]).any()):
            raise ValueError("neighbours must be rows of the same article")
        if len(self.term_variant_ptr) != len(self.terms) + 1:
            raise ValueError("term_variant_ptr needs one entry per term plus one")
        check_pointer(self.term_variant_ptr, "term_variant_ptr", len(self.term_variants))
        check_range(self.term_variants, "term_variants", 0, len(self.variant_keys))

    def __len__(self) -> int:
        return len(self.rows)

    # -- building ------------------------------------------------------------------------------------

    @classmethod
    def empty(cls) -> SentenceTable:
        """A table of no articles."""
        return cls(
            digests=(),
            article_ptr=np.zeros(1, dtype=np.int64),
            rows=np.zeros((0, 4), dtype=np.int32),
            neighbours=np.zeros((0, 2), dtype=np.int32),
            keys=np.zeros((0, 2), dtype=np.uint64),
            token_ptr=np.zeros(1, dtype=np.int64),
            token_ids=np.zeros(0, dtype=np.int32),
            terms=(),
            term_variant_ptr=np.zeros(1, dtype=np.int64),
            term_variants=np.zeros(0, dtype=np.int32),
            variant_keys=(),
        )

    @classmethod
    def build(
        cls, articles: Sequence[Article], pipeline: Pipeline, *, progress: bool = False
    ) -> SentenceTable:
        """Segment and tokenise ``articles``."""
        return cls.update(None, articles, pipeline, progress=progress)[0]

    @classmethod
    def update(
        cls,
        previous: SentenceTable | None,
        articles: Sequence[Article],
        pipeline: Pipeline,
        *,
        digests: Sequence[str] | None = None,
        progress: bool = False,
    ) -> tuple[SentenceTable, int]:
        """The table of ``articles``, reusing ``previous`` rows for every article whose digest it has.

        ``previous`` must come from the same pipeline; ``digests`` are the articles' digests if the
        caller has them already. Only the other articles are segmented and tokenised, and variant keys
        are computed only for terms ``previous`` lacks. Returns the table and how many articles were
        tokenised. The result equals ``build(articles, pipeline)`` up to the numbering of terms and
        variant keys, which nothing depends on.
        """
        base = cls.empty() if previous is None else previous
        if digests is None:
            digests = [article_digest(article) for article in articles]
        known: dict[str, int] = {}
        for number, digest in enumerate(base.digests):
            known.setdefault(digest, number)
        missing = [i for i, digest in enumerate(digests) if digest not in known]
        chosen = [articles[i] for i in missing]
        fresh = base._tabulate(chosen, [digests[i] for i in missing], pipeline, progress)
        position = {i: len(base.digests) + n for n, i in enumerate(missing)}
        order = [position[i] if i in position else known[digest] for i, digest in enumerate(digests)]
        return fresh.select(order).compact(), len(missing)

    def _tabulate(
        self, articles: Sequence[Article], digests: Sequence[str], pipeline: Pipeline, progress: bool
    ) -> SentenceTable:
        """This table followed by the rows of ``articles``, whose new terms get the next ids."""
        rows: list[tuple[int, int, int, int]] = []
        neighbours: list[tuple[int, int]] = []
        keys: list[bytes] = []
        tokens: list[list[str]] = []
        sizes: list[int] = []
        bar = tqdm(
            articles, desc="Indexing articles", unit="article", disable=not progress,
            delay=PROGRESS_DELAY, leave=False,
        )
        with bar:
            for article in bar:
                before = len(rows)
                _tabulate(article, pipeline, rows, neighbours, keys, tokens)
                sizes.append(len(rows) - before)
        vocabulary = Vocabulary(self.terms)
        if len(vocabulary) != len(self.terms):
            raise ValueError("the table has duplicate terms")
        encoded = vocabulary.encode(tokens)
        terms = tuple(vocabulary.terms)
        term_variant_ptr, term_variants, variant_keys = self._variants_with(terms[len(self.terms) :])
        new_keys = np.frombuffer(b"".join(keys), dtype=np.uint64).reshape(-1, 2)
        return SentenceTable(
            digests=self.digests + tuple(digests),
            article_ptr=np.concatenate([self.article_ptr, len(self.rows) + np.cumsum(sizes, dtype=np.int64)]),
            rows=np.concatenate([self.rows, np.asarray(rows, dtype=np.int32).reshape(-1, 4)]),
            neighbours=np.concatenate([self.neighbours, np.asarray(neighbours, np.int32).reshape(-1, 2)]),
            keys=np.concatenate([self.keys, new_keys]),
            token_ptr=np.concatenate([self.token_ptr, len(self.token_ids) + np.cumsum(encoded.lengths)]),
            token_ids=np.concatenate([self.token_ids, encoded.term_ids]),
            terms=terms,
            term_variant_ptr=term_variant_ptr,
            term_variants=term_variants,
            variant_keys=variant_keys,
        )

    def _variants_with(self, new_terms: Sequence[str]) -> tuple[Int64Array, Int32Array, tuple[str, ...]]:
        """The variant-key arrays of this table's terms followed by ``new_terms``."""
        found = [sorted(variant_keys(term)) for term in new_terms]
        known = self.variant_keys
        extra = sorted({key for keys in found for key in keys}.difference(known))
        old_ids = self.term_variants
        if extra:
            merged = tuple(sorted(known + tuple(extra)))  # two sorted runs: a linear merge
            place = {key: i for i, key in enumerate(merged)}
            old_ids = np.asarray([place[key] for key in known], dtype=np.int32)[old_ids]
        else:
            merged = known
            place = {key: i for i, key in enumerate(merged)} if found else {}
        counts = np.fromiter(map(len, found), dtype=np.int64, count=len(found))
        pointer = np.concatenate([self.term_variant_ptr, len(old_ids) + np.cumsum(counts)])
        new_ids = np.fromiter(
            (place[key] for keys in found for key in keys), dtype=np.int32, count=int(counts.sum())
        )
        return pointer, np.concatenate([old_ids, new_ids]), merged

    def select(self, articles: Sequence[int]) -> SentenceTable:
        """The rows of the given articles (indexes into this table), in that order."""
        order = np.asarray(articles, dtype=np.int64).reshape(-1)
        check_range(order, "article index", 0, len(self.digests))
        starts = self.article_ptr[order]
        counts = self.article_ptr[order + 1] - starts
        rows = ranges(starts, counts)
        token_starts = self.token_ptr[rows]
        token_counts = self.token_ptr[rows + 1] - token_starts
        return SentenceTable(
            digests=tuple(self.digests[i] for i in order.tolist()),
            article_ptr=row_pointer(counts),
            rows=self.rows[rows],
            neighbours=self.neighbours[rows],
            keys=self.keys[rows],
            token_ptr=row_pointer(token_counts),
            token_ids=self.token_ids[ranges(token_starts, token_counts)],
            terms=self.terms,
            term_variant_ptr=self.term_variant_ptr,
            term_variants=self.term_variants,
            variant_keys=self.variant_keys,
        )

    def compact(self) -> SentenceTable:
        """The same table without the terms no row uses, nor their variant keys (ids renumbered in order)."""
        used = np.unique(self.token_ids)
        if len(used) == len(self.terms):
            return self
        new_id = np.full(len(self.terms), -1, dtype=np.int32)
        new_id[used] = np.arange(len(used), dtype=np.int32)
        starts = self.term_variant_ptr[used]
        counts = self.term_variant_ptr[used + 1] - starts
        variants = self.term_variants[ranges(starts, counts)]
        kept = np.unique(variants)
        new_key = np.full(len(self.variant_keys), -1, dtype=np.int32)
        new_key[kept] = np.arange(len(kept), dtype=np.int32)
        return SentenceTable(
            digests=self.digests,
            article_ptr=self.article_ptr,
            rows=self.rows,
            neighbours=self.neighbours,
            keys=self.keys,
            token_ptr=self.token_ptr,
            token_ids=new_id[self.token_ids],
            terms=tuple(self.terms[i] for i in used.tolist()),
            term_variant_ptr=row_pointer(counts),
            term_variants=new_key[variants],
            variant_keys=tuple(self.variant_keys[i] for i in kept.tolist()),
        )

    # -- persistence (plain arrays and JSON; retrieval.index.persist writes them) -------------------------

    def to_arrays(self) -> tuple[dict[str, np.ndarray[Any, Any]], dict[str, object]]:
        documents: dict[str, object] = {
            "digests": list(self.digests),
            "terms": list(self.terms),
            "variant_keys": list(self.variant_keys),
        }
        return columns_of(self, _COLUMNS), documents

    @classmethod
    def from_arrays(cls, arrays: dict[str, Any], documents: dict[str, object]) -> SentenceTable:
        """Rebuild a table saved with :meth:`to_arrays`; ``ValueError`` when anything is inconsistent."""
        terms = string_list(documents.get("terms"), "terms")
        if len(set(terms)) != len(terms):
            raise ValueError("terms must be distinct")
        keys = string_list(documents.get("variant_keys"), "variant_keys")
        if not all(a < b for a, b in pairwise(keys)):
            raise ValueError("variant_keys must be sorted and distinct")
        return cls(
            digests=tuple(string_list(documents.get("digests"), "digests")),
            terms=tuple(terms),
            variant_keys=tuple(keys),
            **read_columns(arrays, _COLUMNS),
        )


def _tabulate(
    article: Article,
    pipeline: Pipeline,
    rows: list[tuple[int, int, int, int]],
    neighbours: list[tuple[int, int]],
    keys: list[bytes],
    tokens: list[list[str]],
) -> None:
    """Append one article's rows (see :class:`SentenceTable`)."""
    sentences = article_sentences(article)
    normal = [normalize(sentence.text) for sentence in sentences]
    paragraph, cursor = -1, 0
    for sentence, text in zip(sentences, normal, strict=True):
        source = article.title if sentence.paragraph == 0 else article.paragraphs[sentence.paragraph - 1]
        if sentence.paragraph != paragraph:
            paragraph, cursor = sentence.paragraph, 0
        # Sentences are stripped slices of their paragraph, in order, so each is found after the last.
        start = source.find(sentence.text, cursor)
        if start < 0:
            raise ValueError(f"sentence {sentence.id} is not a slice of its paragraph")
        cursor = start + len(sentence.text)
        rows.append((sentence.paragraph, sentence.position, start, cursor))
        keys.append(_key_digest(text))
        tokens.append(pipeline.index_tokens(sentence.text))
    # A sentence repeated back to back on the page is not its own neighbour.
    body = [i for i, sentence in enumerate(sentences) if sentence.paragraph > 0]
    kept = [i for n, i in enumerate(body) if not n or normal[i] != normal[body[n - 1]]]
    local = [(ABSENT, ABSENT)] * len(sentences)
    for n, i in enumerate(kept):
        local[i] = (kept[n - 1] if n else NONE, kept[n + 1] if n + 1 < len(kept) else NONE)
    neighbours.extend(local)
