"""BM25 over sentences: one document per distinct sentence, each remembering every article carrying it.

An index is built in two stages, so that a reload redoes only what changed:

1. **Per article** (:meth:`SentenceTable.build`: segmentation, normalisation and tokenising, the slow
   part). Every sentence of an article becomes one row of a :class:`SentenceTable`: where its text lies
   in the article, a digest of its normalised text, its neighbours in the article, and its tokens as
   term ids. A row depends on nothing but its article and the text pipeline, so a table can be kept
   (``retrieval.persist``) and, after the corpus changes, its rows reused for every article that did
   not change (:meth:`SentenceTable.update`).
2. **Corpus-wide** (:meth:`SentenceIndex.assemble`: array work and dictionary look-ups, no text
   processing). Identical sentences become one entry citing every article that carries them (a wire
   copy, or a sentence repeated on a page), one-letter proclitics are split against the vocabulary of
   the whole corpus (:func:`split_clitics`), BM25 postings are built with
   :meth:`FastBM25.from_tokenized`, and the variant keys of every indexed token and each entry's
   neighbouring entries are derived. The result (an :class:`Assembly`) can be kept too, so a start on
   an unchanged corpus does neither stage (:meth:`SentenceIndex.restore`).

Both stages together give exactly what building everything from the articles gives; the tests compare
them with the original single-pass construction. This module is pure: no file I/O.
"""

from __future__ import annotations

import hashlib
import math
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import pairwise
from typing import Any, overload

import numpy as np
import numpy.typing as npt
from tqdm import tqdm  # tqdm ships no type stubs

from retrieval.bm25 import EncodedDocs, FastBM25, Vocabulary
from retrieval.models import Article, Citation, Sentence
from retrieval.segment import split_sentences
from retrieval.text import PROCLITICS, Pipeline, normalize, variant_keys

__all__ = [
    "Assembly",
    "Entry",
    "SentenceIndex",
    "SentenceTable",
    "article_digest",
    "article_sentences",
    "split_clitics",
]

Int32Array = npt.NDArray[np.int32]
Int64Array = npt.NDArray[np.int64]

ABSENT = -2  # neighbours of a row that has none recorded (a title, or a sentence repeated back to back)
NONE = -1  # no sentence before (or after) this one in its article
PROGRESS_DELAY = 0.5  # seconds before a progress bar appears: a quick load prints nothing


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


_MIN_CLITIC_WORD = {"و": 4}  # «وقال» → «قال»; the others need five letters (بلينكن stays whole)


def split_clitics(tokens: Iterable[str]) -> dict[str, str]:
    """Tokens that are a one-letter proclitic (و ب ل ك ف) plus a word the corpus also has on its own.

    «بجنود» → «جنود» when «جنود» occurs by itself; «بلينكن» stays whole because «لينكن» never does, and
    «وزار» (وزارة) because «زار» never does. Light stemmers strip these proclitics blindly (light10
    does for «و») and so break words whose first letter is a root letter; the vocabulary avoids that.
    """
    vocabulary = set(tokens)
    return {
        t: t[1:]
        for t in vocabulary
        if t[:1] in PROCLITICS
        and len(t) >= _MIN_CLITIC_WORD.get(t[0], 5)
        and t[1:] in vocabulary
    }


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


def _ranges(starts: Int64Array, counts: Int64Array) -> Int64Array:
    """``concatenate([arange(s, s + c) for s, c in zip(starts, counts)])``, without a Python loop."""
    total = int(counts.sum())
    if not total:
        return np.zeros(0, dtype=np.int64)
    ends = np.cumsum(counts)
    shift = np.repeat(starts - (ends - counts), counts)
    return shift + np.arange(total, dtype=np.int64)


def _int_array(value: object, name: str, dtype: type[np.integer[Any]], shape: tuple[int, ...]) -> Any:
    """``value`` as an integer array of ``shape`` (-1: any length), or ``ValueError`` naming the field."""
    if not isinstance(value, np.ndarray) or value.dtype.kind not in "iu":
        raise ValueError(f"{name} must be an integer array")
    fits = value.ndim == len(shape) and all(w in (-1, g) for w, g in zip(shape, value.shape, strict=True))
    if not fits:
        raise ValueError(f"{name} has shape {value.shape}, expected {shape}")
    return np.ascontiguousarray(value, dtype=dtype)


def _check_pointer(pointer: Int64Array, name: str, size: int) -> None:
    if len(pointer) == 0 or int(pointer[0]) != 0 or int(pointer[-1]) != size or (np.diff(pointer) < 0).any():
        raise ValueError(f"{name} must rise from 0 to {size}")


def _check_range(values: npt.NDArray[np.integer[Any]], name: str, low: int, high: int) -> None:
    if len(values) and (int(values.min()) < low or int(values.max()) >= high):
        raise ValueError(f"{name} out of range [{low}, {high})")


def _string_list(value: object, name: str) -> list[str]:
    if not isinstance(value, list) or not set(map(type, value)) <= {str}:
        raise ValueError(f"{name} must be a list of strings")
    return value


# --- stage 1: per-article rows --------------------------------------------------------------------------
# --- stage 1: per-article rows --------------------------------------------------------------------------


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
        _check_pointer(self.article_ptr, "article_ptr", n_rows)
        if len(self.article_ptr) != n_articles + 1:
            raise ValueError("article_ptr needs one entry per article plus one")
        if self.rows.shape != (n_rows, 4) or self.neighbours.shape != (n_rows, 2):
            raise ValueError("rows and neighbours must have 4 and 2 columns and one line per sentence")
        if self.keys.shape != (n_rows, 2) or len(self.token_ptr) != n_rows + 1:
            raise ValueError("keys and token_ptr must have one line per sentence (token_ptr one more)")
        _check_pointer(self.token_ptr, "token_ptr", len(self.token_ids))
        _check_range(self.token_ids, "token_ids", 0, len(self.terms))
        if n_rows and (int(self.rows.min()) < 0 or (self.rows[:, 2] > self.rows[:, 3]).any()):
            raise ValueError("rows must be non-negative with start <= end")
        sizes = np.repeat(np.diff(self.article_ptr), np.diff(self.article_ptr))
        if n_rows and ((self.neighbours < ABSENT).any() or (self.neighbours >= sizes[:, None]).any()):
            raise ValueError("neighbours must be rows of the same article")
        if len(self.term_variant_ptr) != len(self.terms) + 1:
            raise ValueError("term_variant_ptr needs one entry per term plus one")
        _check_pointer(self.term_variant_ptr, "term_variant_ptr", len(self.term_variants))
        _check_range(self.term_variants, "term_variants", 0, len(self.variant_keys))

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
        _check_range(order, "article index", 0, len(self.digests))
        starts = self.article_ptr[order]
        counts = self.article_ptr[order + 1] - starts
        rows = _ranges(starts, counts)
        token_starts = self.token_ptr[rows]
        token_counts = self.token_ptr[rows + 1] - token_starts
        return SentenceTable(
            digests=tuple(self.digests[i] for i in order.tolist()),
            article_ptr=_pointer(counts),
            rows=self.rows[rows],
            neighbours=self.neighbours[rows],
            keys=self.keys[rows],
            token_ptr=_pointer(token_counts),
            token_ids=self.token_ids[_ranges(token_starts, token_counts)],
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
        variants = self.term_variants[_ranges(starts, counts)]
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
            term_variant_ptr=_pointer(counts),
            term_variants=new_key[variants],
            variant_keys=tuple(self.variant_keys[i] for i in kept.tolist()),
        )

    # -- persistence (plain arrays and JSON; retrieval.persist writes them) -------------------------

    def to_arrays(self) -> tuple[dict[str, np.ndarray[Any, Any]], dict[str, object]]:
        arrays: dict[str, np.ndarray[Any, Any]] = {
            "article_ptr": self.article_ptr,
            "rows": self.rows,
            "neighbours": self.neighbours,
            "keys": self.keys,
            "token_ptr": self.token_ptr,
            "token_ids": self.token_ids,
            "term_variant_ptr": self.term_variant_ptr,
            "term_variants": self.term_variants,
        }
        documents: dict[str, object] = {
            "digests": list(self.digests),
            "terms": list(self.terms),
            "variant_keys": list(self.variant_keys),
        }
        return arrays, documents

    @classmethod
    def from_arrays(cls, arrays: dict[str, Any], documents: dict[str, object]) -> SentenceTable:
        """Rebuild a table saved with :meth:`to_arrays`; ``ValueError`` when anything is inconsistent."""
        terms = _string_list(documents.get("terms"), "terms")
        if len(set(terms)) != len(terms):
            raise ValueError("terms must be distinct")
        keys = _string_list(documents.get("variant_keys"), "variant_keys")
        if not all(a < b for a, b in pairwise(keys)):
            raise ValueError("variant_keys must be sorted and distinct")
        return cls(
            digests=tuple(_string_list(documents.get("digests"), "digests")),
            article_ptr=_int_array(arrays.get("article_ptr"), "article_ptr", np.int64, (-1,)),
            rows=_int_array(arrays.get("rows"), "rows", np.int32, (-1, 4)),
            neighbours=_int_array(arrays.get("neighbours"), "neighbours", np.int32, (-1, 2)),
            keys=_int_array(arrays.get("keys"), "keys", np.uint64, (-1, 2)),
            token_ptr=_int_array(arrays.get("token_ptr"), "token_ptr", np.int64, (-1,)),
            token_ids=_int_array(arrays.get("token_ids"), "token_ids", np.int32, (-1,)),
            terms=tuple(terms),
            term_variant_ptr=_int_array(arrays.get("term_variant_ptr"), "term_variant_ptr", np.int64, (-1,)),
            term_variants=_int_array(arrays.get("term_variants"), "term_variants", np.int32, (-1,)),
            variant_keys=tuple(keys),
        )


def _pointer(counts: npt.NDArray[np.integer[Any]]) -> Int64Array:
    """CSR row pointers for rows of ``counts`` items."""
    pointer = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(counts, out=pointer[1:])
    return pointer


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


# --- stage 2: corpus-wide ---------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Assembly:
    """The corpus-wide part of an index, derived from a :class:`SentenceTable` (see the module docstring).

    Entry ``e`` is table row ``entry_rows[e]``; it cites articles
    ``citation_articles[citation_ptr[e]:citation_ptr[e + 1]]`` and its context is the entries
    ``context_entries[context_ptr[e]:context_ptr[e + 1]]``. ``term_map`` sends a table term id to the
    id of the token it is indexed under after the proclitic split (``clitics``). The indexed tokens
    under the table's variant key ``k`` are the terms ``variant_terms[variant_ptr[k]:variant_ptr[k + 1]]``.
    ``bm25`` scores the entries.
    """

    entry_rows: Int32Array
    citation_ptr: Int64Array
    citation_articles: Int32Array
    context_ptr: Int64Array
    context_entries: Int32Array
    term_map: Int32Array
    clitics: dict[str, str]
    variant_ptr: Int64Array
    variant_terms: Int32Array
    bm25: FastBM25

    def check(self, table: SentenceTable, n_articles: int) -> None:
        """``ValueError`` unless this assembly fits ``table`` (used on arrays read from a cache)."""
        n_entries = len(self.entry_rows)
        _check_range(self.entry_rows, "entry_rows", 0, len(table))
        _check_pointer(self.citation_ptr, "citation_ptr", len(self.citation_articles))
        _check_pointer(self.context_ptr, "context_ptr", len(self.context_entries))
        _check_pointer(self.variant_ptr, "variant_ptr", len(self.variant_terms))
        if len(self.citation_ptr) != n_entries + 1 or len(self.context_ptr) != n_entries + 1:
            raise ValueError("citation_ptr and context_ptr need one entry per sentence plus one")
        if (np.diff(self.citation_ptr) < 1).any():
            raise ValueError("every entry cites at least one article")
        _check_range(self.citation_articles, "citation_articles", 0, n_articles)
        _check_range(self.context_entries, "context_entries", 0, n_entries)
        _check_range(self.term_map, "term_map", 0, len(table.terms))
        _check_range(self.variant_terms, "variant_terms", 0, len(table.terms))
        if len(self.term_map) != len(table.terms) or len(self.variant_ptr) != len(table.variant_keys) + 1:
            raise ValueError("term_map needs one entry per term, variant_ptr one per variant key plus one")
        if self.bm25.n_docs != n_entries:
            raise ValueError("the BM25 index has another number of sentences")

    def to_arrays(self) -> tuple[dict[str, np.ndarray[Any, Any]], dict[str, object]]:
        arrays: dict[str, np.ndarray[Any, Any]] = {
            "entry_rows": self.entry_rows,
            "citation_ptr": self.citation_ptr,
            "citation_articles": self.citation_articles,
            "context_ptr": self.context_ptr,
            "context_entries": self.context_entries,
            "term_map": self.term_map,
            "variant_ptr": self.variant_ptr,
            "variant_terms": self.variant_terms,
        }
        return arrays, {"clitics": self.clitics}

    @classmethod
    def from_arrays(cls, arrays: dict[str, Any], documents: dict[str, object], bm25: FastBM25) -> Assembly:
        clitics = documents.get("clitics")
        if not isinstance(clitics, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in clitics.items()
        ):
            raise ValueError("clitics must map strings to strings")

        def column(name: str, dtype: type[np.integer[Any]]) -> Any:
            return _int_array(arrays.get(name), name, dtype, (-1,))

        return cls(
            entry_rows=column("entry_rows", np.int32),
            citation_ptr=column("citation_ptr", np.int64),
            citation_articles=column("citation_articles", np.int32),
            context_ptr=column("context_ptr", np.int64),
            context_entries=column("context_entries", np.int32),
            term_map=column("term_map", np.int32),
            clitics=clitics,
            variant_ptr=column("variant_ptr", np.int64),
            variant_terms=column("variant_terms", np.int32),
            bm25=bm25,
        )


class _Locator:
    """Finds the row holding a sentence id's neighbours, as the original id-keyed map did.

    That map was filled article by article, so with two articles under one id (possible only in a
    hand-built corpus) the later article's sentence wins; the search runs over such articles last first.
    """

    def __init__(self, articles: Sequence[Article], table: SentenceTable) -> None:
        self._table = table
        self._by_id: dict[str, list[int]] = {}
        for number, article in enumerate(articles):
            self._by_id.setdefault(article.id, []).append(number)
        self.unique_ids = len(self._by_id) == len(articles)
        self._order = (table.rows[:, 0].astype(np.int64) << 32) | table.rows[:, 1].astype(np.int64)

    def find(self, doc_id: str, paragraph: int, position: int) -> tuple[int, int] | None:
        """(article, row) of the sentence ``doc_id:paragraph:position`` that records neighbours."""
        if not (0 <= paragraph < 2**31 and 0 <= position < 2**31):
            return None
        target = (paragraph << 32) | position
        pointer = self._table.article_ptr
        for number in reversed(self._by_id.get(doc_id, ())):
            low, high = int(pointer[number]), int(pointer[number + 1])
            row = low + int(np.searchsorted(self._order[low:high], target))
            found = row < high and int(self._order[row]) == target
            if found and int(self._table.neighbours[row, 0]) != ABSENT:
                return number, row
        return None


def _assemble(
    articles: Sequence[Article], table: SentenceTable, k1: float, b: float, progress: bool
) -> Assembly:
    """Stage 2 (see the module docstring): merge, split proclitics, build BM25, variant keys, context."""
    if len(articles) != len(table.digests):
        raise ValueError(f"the table holds {len(table.digests)} articles, not {len(articles)}")
    bar = tqdm(total=4, desc="Assembling index", disable=not progress, delay=PROGRESS_DELAY, leave=False)
    with bar:
        # Identical sentences (same normalised text) are one entry citing every article carrying them:
        # the entry is the first row with tokens under its key. Rows are grouped by key, then row.
        n_rows = len(table)
        article_of = np.repeat(np.arange(len(articles), dtype=np.int64), np.diff(table.article_ptr))
        by_key = np.lexsort((np.arange(n_rows), table.keys[:, 1], table.keys[:, 0]))
        starts = np.ones(n_rows, dtype=bool)
        sorted_keys = table.keys[by_key]
        starts[1:] = (sorted_keys[1:] != sorted_keys[:-1]).any(axis=1)
        group = np.empty(n_rows, dtype=np.int64)
        group[by_key] = np.cumsum(starts) - 1
        candidates = np.flatnonzero(np.diff(table.token_ptr) > 0)  # rows with tokens, ascending
        groups, first = np.unique(group[candidates], return_index=True)
        by_row = np.argsort(candidates[first], kind="stable")
        entry_rows = candidates[first][by_row]
        entry_of_group = np.full(int(group.max(initial=-1)) + 1, -1, dtype=np.int64)
        entry_of_group[groups[by_row]] = np.arange(len(entry_rows))
        entry_of_row = entry_of_group[group]  # the entry sharing each row's text, or -1

        # Citations in order of first appearance; equal citations (one article id used twice, only in
        # a hand-built corpus) count once, as before.
        canonical: dict[Citation, int] = {}
        citation_of = np.fromiter(
            (canonical.setdefault(Citation.of(article), n) for n, article in enumerate(articles)),
            dtype=np.int64, count=len(articles),
        )
        cited_entry = entry_of_row[candidates]
        cited_article = citation_of[article_of[candidates]]
        _, firsts = np.unique(cited_entry * max(len(articles), 1) + cited_article, return_index=True)
        firsts.sort()
        order = np.argsort(cited_entry[firsts], kind="stable")
        citation_articles = cited_article[firsts][order]
        citation_ptr = _pointer(np.bincount(cited_entry[firsts], minlength=len(entry_rows)))
        bar.update()

        # Proclitics split against the vocabulary of the whole corpus, then the BM25 postings.
        token_starts = table.token_ptr[entry_rows]
        counts = table.token_ptr[entry_rows + 1] - token_starts
        entry_tokens = table.token_ids[_ranges(token_starts, counts)]
        terms = table.terms
        used = np.unique(entry_tokens).tolist()
        clitics = split_clitics(terms[i] for i in used)
        term_map = np.arange(len(terms), dtype=np.int32)
        if clitics:
            ids = {terms[i]: i for i in used}
            for token, stem in clitics.items():
                term_map[ids[token]] = ids[stem]
        mapped = term_map[entry_tokens]
        bm25 = FastBM25.from_tokenized([EncodedDocs(mapped, counts)], terms, k1=k1, b=b)
        bar.update()

        # Variant keys of every indexed token, for words the corpus has only in another form.
        indexed = np.unique(mapped)
        key_starts = table.term_variant_ptr[indexed]
        key_counts = table.term_variant_ptr[indexed + 1] - key_starts
        variant_of = table.term_variants[_ranges(key_starts, key_counts)]
        members = np.repeat(indexed, key_counts)
        by_variant = np.lexsort((members, variant_of))
        variant_terms = members[by_variant].astype(np.int32)
        variant_ptr = _pointer(np.bincount(variant_of, minlength=len(table.variant_keys)))
        bar.update()

        # Each entry's context: the entries of the sentences before and after it in its article.
        if _Locator(articles, table).unique_ids:
            holder = np.where(table.neighbours[entry_rows, 0] != ABSENT, entry_rows, -1)
        else:
            holder = _holders(articles, table, entry_rows, article_of)
        near = np.full((len(entry_rows), 2), -1, dtype=np.int64)
        has = holder >= 0
        local = table.neighbours[holder[has]].astype(np.int64)
        rows = table.article_ptr[article_of[holder[has]]][:, None] + local
        near[has] = np.where(local >= 0, entry_of_row[np.where(local >= 0, rows, 0)], -1)
        context_ptr = _pointer((near >= 0).sum(axis=1))
        context_entries = near[near >= 0].astype(np.int32)  # row-major: before, then after
        bar.update()

    return Assembly(
        entry_rows=entry_rows.astype(np.int32),
        citation_ptr=citation_ptr,
        citation_articles=citation_articles.astype(np.int32),
        context_ptr=context_ptr,
        context_entries=context_entries,
        term_map=term_map,
        clitics=clitics,
        variant_ptr=variant_ptr,
        variant_terms=variant_terms,
        bm25=bm25,
    )


def _holders(
    articles: Sequence[Article], table: SentenceTable, entry_rows: Int64Array, article_of: Int64Array
) -> Int64Array:
    """For each entry, the row recording the neighbours of its sentence id (-1: none), by id look-up."""
    locator = _Locator(articles, table)
    holders = []
    for row in entry_rows.tolist():
        paragraph, position = (int(x) for x in table.rows[row, :2])
        found = locator.find(articles[int(article_of[row])].id, paragraph, position)
        holders.append(-1 if found is None else found[1])
    return np.asarray(holders, dtype=np.int64)


class SentenceIndex:
    """Deduplicated sentences of a corpus, their BM25 index, and each sentence's neighbours.

    ``SentenceIndex(articles, ...)`` does both build stages; :meth:`assemble` does the second from a
    table (e.g. one updated after a reload) and :meth:`restore` neither, from a kept table and assembly.
    """

    def __init__(
        self,
        articles: Sequence[Article],
        pipeline: Pipeline,
        k1: float,
        b: float,
        context_weight: float = 0.0,
        progress: bool = False,
    ) -> None:
        table = SentenceTable.build(articles, pipeline, progress=progress)
        self._setup(articles, table, _assemble(articles, table, k1, b, progress), pipeline, context_weight)

    @classmethod
    def assemble(
        cls,
        articles: Sequence[Article],
        table: SentenceTable,
        pipeline: Pipeline,
        k1: float,
        b: float,
        context_weight: float = 0.0,
        progress: bool = False,
    ) -> SentenceIndex:
        """The index of ``articles`` from their table (which must be the table of these articles)."""
        index = cls.__new__(cls)
        index._setup(articles, table, _assemble(articles, table, k1, b, progress), pipeline, context_weight)
        return index

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
        if len(articles) != len(table.digests):
            raise ValueError(f"the table holds {len(table.digests)} articles, not {len(articles)}")
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
        self._locator = _Locator(articles, table)
        rows = assembly.entry_rows.astype(np.int64)
        starts = table.token_ptr[rows]
        counts = table.token_ptr[rows + 1] - starts
        self._entry_ptr = np.zeros(len(rows) + 1, dtype=np.int64)
        np.cumsum(counts, out=self._entry_ptr[1:])
        # Each entry's tokens after the proclitic split, back to back.
        self._entry_tokens: Int32Array = assembly.term_map[table.token_ids[_ranges(starts, counts)]]
        self.vocabulary: frozenset[str] = frozenset(assembly.bm25.arrays.terms)  # every indexed token
        self.entries: Sequence[Entry] = _Entries(self)

    def __len__(self) -> int:
        return len(self.assembly.entry_rows)

    @cached_property
    def normal_forms(self) -> frozenset[str]:
        """Every normalised word of the indexed sentences."""
        return frozenset(w for e in self.entries for w in normalize(e.sentence.text).split())

    @cached_property
    def _term_ids(self) -> dict[str, int]:
        """Table term id of every indexed token."""
        return {self.table.terms[i]: i for i in np.unique(self._entry_tokens).tolist()}

    def relatives(self, stem: str) -> frozenset[str]:
        """Indexed tokens of the same word family as an unknown ``stem`` (see ``variant_keys``)."""
        keys, terms = self.table.variant_keys, self.table.terms
        pointer, members = self.assembly.variant_ptr, self.assembly.variant_terms
        found: set[str] = set()
        for key in variant_keys(stem, waw=True):
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

    def search(
        self, tokens: Sequence[str], k: int, weights: Sequence[float] | None = None
    ) -> list[tuple[int, float]]:
        """(entry index, score) of the ``k`` best sentences sharing at least one token, best first.

        Scores are BM25Okapi's (``retrieval.bm25`` computes them only where the tokens occur), each
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
            values = raw[members[_ranges(pointer[matched][some], sizes[some])]]
            segments = np.zeros(int(some.sum()), dtype=np.int64)
            np.cumsum(sizes[some][:-1], out=segments[1:])
            near[some] = np.maximum.reduceat(values, segments)
        scores = raw[matched] + self.context_weight * near
        order = np.lexsort((matched, -scores))[:k]
        return [(int(matched[i]), float(scores[i])) for i in order]

    def neighbours(self, sentence: Sentence) -> tuple[Sentence | None, Sentence | None]:
        found = self._locator.find(sentence.doc_id, sentence.paragraph, sentence.position)
        if found is None:
            return None, None
        number, row = found
        base = int(self.table.article_ptr[number])
        before, after = self.table.neighbours[row].tolist()
        return (
            self._sentence(number, base + before) if before >= 0 else None,
            self._sentence(number, base + after) if after >= 0 else None,
        )

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
