"""Okapi BM25 over an inverted index: ``rank_bm25.BM25Okapi``'s scores, computed only where terms occur.

``rank_bm25.BM25Okapi.get_scores`` walks every document for every query term, so a query costs time
proportional to the corpus. :class:`FastBM25` gives the same numbers from CSR postings (one row per
term: the ids of the documents that contain it and how often), touching only the documents that hold
a query term.

The scores are BM25Okapi's, operation for operation::

    idf(t)    = log(N - n(t) + 0.5) - log(n(t) + 0.5)      # n(t): documents containing t
    idf(t)    = epsilon * average_idf   when idf(t) < 0     # average over every term, before the floor
    norm(d)   = k1 * ((1 - b) + b * len(d) / avgdl)
    score(d)  = sum over query terms q, in query order, duplicates included, of
                idf(q) * (tf(q, d) * (k1 + 1) / (tf(q, d) + norm(d)))

A query term absent from the corpus adds nothing (BM25Okapi's ``self.idf.get(q) or 0``). The
per-posting products are computed once at build time with the same float64 operations in the same
order, and added per document in query order, so the results equal BM25Okapi's bit for bit in
practice; the tests compare them with ``np.allclose``.

Where this module deliberately differs from BM25Okapi (which fails or produces NaN there):

* an empty corpus, or one whose documents are all empty, builds an index that matches nothing;
* with ``k1 == 0``, or ``b == 1`` and an empty document, BM25Okapi divides 0 by 0 for documents
  that lack a term and returns NaN; here such documents score 0.

Building from cached term ids (reloads)
---------------------------------------
Tokenising is the slow part of a build. A caller that groups sentences by article can keep one
:class:`Vocabulary` for the life of the process, encode each article's sentences once with
:meth:`Vocabulary.encode` (an :class:`EncodedDocs`: flat ``int32`` term ids plus sentence lengths),
and on a reload re-tokenise and re-encode only the articles that changed::

    vocabulary = Vocabulary()
    parts = {article.id: vocabulary.encode(tokenise(article)) for article in articles}
    index = FastBM25.from_tokenized([parts[a.id] for a in articles], vocabulary.terms)
    # after a reload: replace parts[...] for changed articles, drop removed ones, then the same call

:meth:`FastBM25.from_tokenized` does no per-token Python work: it concatenates the arrays, drops
vocabulary entries that no remaining document uses, renumbers terms in order of first occurrence
(the order BM25Okapi sums idf in) and builds the postings with numpy. Its result is identical to
``FastBM25(corpus)`` on the same token lists.

This module is pure: no file or network I/O (``retrieval.index.persist`` saves and loads indexes).
"""

from __future__ import annotations

import math
import threading
from collections import defaultdict
from collections.abc import Iterable, Sequence
from itertools import chain, islice
from typing import Any, NamedTuple, TypeVar

import numpy as np
import numpy.typing as npt
from tqdm import tqdm  # tqdm ships no type stubs

__all__ = ["EncodedDocs", "FastBM25", "PostingArrays", "Vocabulary"]

IntArray = npt.NDArray[np.integer]
FloatArray = npt.NDArray[np.float64]
_Array = TypeVar("_Array", bound=np.ndarray[Any, Any])

_ENCODE_CHUNK = 65_536  # documents encoded per step (bounds the temporary Python list of ids)
_SAMPLE_CAP = 65_536  # most postings of one term read when estimating a top-k score bound


class EncodedDocs(NamedTuple):
    """Documents as term ids: all documents' ids back to back in ``term_ids``, their counts in ``lengths``."""

    term_ids: npt.NDArray[np.int32]
    lengths: npt.NDArray[np.int64]


class PostingArrays(NamedTuple):
    """The arrays that define an index (what ``retrieval.index.persist`` stores).

    Row ``t`` of the postings is ``doc_ids[indptr[t]:indptr[t + 1]]`` (ascending) with the matching
    term frequencies in ``tfs``; ``terms[t]`` is the term's text.
    """

    terms: list[str]
    doc_lengths: npt.NDArray[np.int32]
    indptr: npt.NDArray[np.int64]
    doc_ids: npt.NDArray[np.int32]
    tfs: npt.NDArray[np.unsignedinteger]


class Vocabulary:
    """A growing map from term to id; an id, once given, never changes.

    Keep one for the life of a process so that term ids cached per article stay valid across reloads.
    """

    def __init__(self, terms: Iterable[str] = ()) -> None:
        ids: defaultdict[str, int] = defaultdict()
        ids.default_factory = ids.__len__  # a missing term gets the next id, all inside C code
        self._ids = ids
        self._terms: list[str] = []
        for term in terms:
            ids.setdefault(term, len(ids))
        self._sync_terms()

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, term: object) -> bool:
        return term in self._ids

    def get(self, term: str) -> int | None:
        """The id of ``term``, or ``None`` if it was never encoded (does not add it)."""
        return self._ids.get(term)

    @property
    def terms(self) -> list[str]:
        """Every term, indexed by id (a copy)."""
        return list(self._terms)

    def encode(self, docs: Iterable[Sequence[str]], *, progress: bool = False) -> EncodedDocs:
        """Turn token lists into term ids, giving new terms the next free ids."""
        return self._encode(docs, progress=progress, total=None)

    def _encode(self, docs: Iterable[Sequence[str]], *, progress: bool, total: int | None) -> EncodedDocs:
        lookup = self._ids.__getitem__
        id_parts: list[npt.NDArray[np.int32]] = []
        length_parts: list[npt.NDArray[np.int64]] = []
        iterator = iter(docs)
        with tqdm(total=total, desc="BM25 encode", unit="doc", disable=not progress, leave=False) as bar:
            while chunk := list(islice(iterator, _ENCODE_CHUNK)):
                length_parts.append(np.fromiter(map(len, chunk), dtype=np.int64, count=len(chunk)))
                id_parts.append(np.array(list(map(lookup, chain.from_iterable(chunk))), dtype=np.int32))
                bar.update(len(chunk))
        self._sync_terms()
        term_ids = np.concatenate(id_parts) if id_parts else np.zeros(0, dtype=np.int32)
        lengths = np.concatenate(length_parts) if length_parts else np.zeros(0, dtype=np.int64)
        return EncodedDocs(term_ids.astype(np.int32, copy=False), lengths)

    def _sync_terms(self) -> None:
        if len(self._terms) < len(self._ids):
            self._terms.extend(islice(self._ids, len(self._terms), None))


class FastBM25:
    """BM25Okapi scores over sentences, computed from postings; immutable once built, safe across threads.

    ``corpus`` is one token list per document (sentence). ``progress`` shows a tqdm bar on stderr
    while building.

    Memory: ``int32`` document ids, ``uint16`` term frequencies and ``float64`` precomputed weights per
    posting (14 bytes each), the vocabulary, and, for each thread that has run a query touching many
    postings, one reusable ``float64`` score buffer of ``n_docs`` entries (8 MB per million sentences).
    Queries touching few postings merge them sparsely and need no buffer.
    """

    def __init__(
        self,
        corpus: Sequence[Sequence[str]],
        k1: float = 1.5,
        b: float = 0.75,
        epsilon: float = 0.25,
        progress: bool = False,
    ) -> None:
        _check_parameters(k1, b, epsilon)
        vocabulary = Vocabulary()
        encoded = vocabulary._encode(corpus, progress=progress, total=len(corpus))
        # A fresh vocabulary numbers terms in order of first occurrence already.
        terms, term_index = vocabulary.terms, dict(vocabulary._ids)
        self._build(terms, encoded.term_ids, encoded.lengths, k1, b, epsilon, progress, term_index)

    # -- construction -----------------------------------------------------------------------------

    @classmethod
    def from_tokenized(
        cls,
        parts: Iterable[EncodedDocs],
        vocabulary: Sequence[str],
        k1: float = 1.5,
        b: float = 0.75,
        epsilon: float = 0.25,
        progress: bool = False,
    ) -> FastBM25:
        """Build from documents already encoded with a :class:`Vocabulary` (see the module docstring).

        ``parts`` are concatenated in order (typically one per article); document indexes of the
        result count across them. ``vocabulary`` maps the ids in ``parts`` to terms (``Vocabulary.terms``);
        terms no document uses are left out of the index.
        """
        _check_parameters(k1, b, epsilon)
        parts = list(parts)
        if parts:
            term_ids = np.concatenate([np.asarray(p.term_ids) for p in parts]).astype(np.int64, copy=False)
            lengths = np.concatenate([np.asarray(p.lengths) for p in parts]).astype(np.int64, copy=False)
        else:
            term_ids = np.zeros(0, dtype=np.int64)
            lengths = np.zeros(0, dtype=np.int64)
        if term_ids.ndim != 1 or lengths.ndim != 1:
            raise ValueError("EncodedDocs arrays must be one-dimensional")
        if (lengths < 0).any() or int(lengths.sum()) != len(term_ids):
            raise ValueError("EncodedDocs lengths must be non-negative and sum to the number of term ids")
        if len(term_ids) and (int(term_ids.min()) < 0 or int(term_ids.max()) >= len(vocabulary)):
            raise ValueError(f"term ids must lie in [0, {len(vocabulary)}): encode with the same Vocabulary")
        # Renumber the terms that occur by first occurrence, so idf is averaged in BM25Okapi's order.
        n_tokens = len(term_ids)
        first = np.full(len(vocabulary), n_tokens, dtype=np.int64)
        np.minimum.at(first, term_ids, np.arange(n_tokens, dtype=np.int64))
        old_ids = np.flatnonzero(first < n_tokens)
        old_ids = old_ids[np.argsort(first[old_ids], kind="stable")]
        new_id = np.full(len(vocabulary), -1, dtype=np.int64)
        new_id[old_ids] = np.arange(len(old_ids), dtype=np.int64)
        terms = [vocabulary[i] for i in old_ids.tolist()]
        if len(set(terms)) != len(terms):
            raise ValueError("vocabulary has duplicate terms")
        index = cls.__new__(cls)
        index._build(terms, new_id[term_ids], lengths, k1, b, epsilon, progress)
        return index

    @classmethod
    def from_arrays(
        cls, arrays: PostingArrays, k1: float = 1.5, b: float = 0.75, epsilon: float = 0.25
    ) -> FastBM25:
        """Rebuild an index from :attr:`arrays` (used when loading a saved index).

        The arrays are checked for consistency; ``ValueError`` says what is wrong. ``doc_ids`` and
        ``tfs`` may be read-only memory maps; they are used as given, not copied.
        """
        _check_parameters(k1, b, epsilon)
        terms, doc_lengths, indptr, doc_ids, tfs = arrays
        _check_arrays(arrays)
        index = cls.__new__(cls)
        index._finish(
            list(terms),
            np.asarray(doc_lengths, dtype=np.int32),
            np.asarray(indptr, dtype=np.int64),
            doc_ids,
            tfs,
            k1,
            b,
            epsilon,
        )
        return index

    def _build(
        self,
        terms: list[str],
        term_ids: IntArray,
        lengths: IntArray,
        k1: float,
        b: float,
        epsilon: float,
        progress: bool,
        term_index: dict[str, int] | None = None,
    ) -> None:
        n_docs = len(lengths)
        stride = max(n_docs, 1)
        with tqdm(total=3, desc="BM25 postings", disable=not progress, leave=False) as bar:
            # One key per token, term * n_docs + doc, sorted: runs of equal keys are one posting each.
            key = np.repeat(np.arange(n_docs, dtype=np.int64), lengths)
            key += np.asarray(term_ids, dtype=np.int64) * stride
            key.sort()
            bar.update()
            boundary = np.empty(len(key), dtype=bool)
            boundary[:1] = True
            np.not_equal(key[1:], key[:-1], out=boundary[1:])
            starts = np.flatnonzero(boundary)
            del boundary
            counts = np.empty(len(starts), dtype=np.int64)
            np.subtract(starts[1:], starts[:-1], out=counts[:-1])
            counts[-1:] = len(key) - starts[-1:]
            unique = key[starts]
            del key, starts
            bar.update()
            indptr = np.searchsorted(unique, np.arange(len(terms) + 1, dtype=np.int64) * stride)
            doc_ids = (unique % stride).astype(np.int32)
            del unique
            small = not len(counts) or int(counts.max()) <= np.iinfo(np.uint16).max
            tfs: npt.NDArray[np.unsignedinteger] = counts.astype(np.uint16 if small else np.uint32)
            del counts
            bar.update()
        doc_lengths = np.asarray(lengths, dtype=np.int32)
        self._finish(terms, doc_lengths, indptr.astype(np.int64), doc_ids, tfs, k1, b, epsilon, term_index)

    def _finish(
        self,
        terms: list[str],
        doc_lengths: npt.NDArray[np.int32],
        indptr: npt.NDArray[np.int64],
        doc_ids: npt.NDArray[np.int32],
        tfs: npt.NDArray[np.unsignedinteger],
        k1: float,
        b: float,
        epsilon: float,
        term_index: dict[str, int] | None = None,
    ) -> None:
        """Derive idf and per-posting weights; ``term_index`` is ``terms`` inverted, if already at hand."""
        self._k1, self._b, self._epsilon = float(k1), float(b), float(epsilon)
        self._terms = terms
        self._term_id = {term: i for i, term in enumerate(terms)} if term_index is None else term_index
        self._doc_lengths = _readonly(doc_lengths)
        self._indptr = _readonly(indptr)
        self._doc_ids = _readonly(doc_ids)
        self._tfs = _readonly(tfs)
        n_docs = len(doc_lengths)
        total_length = int(doc_lengths.sum(dtype=np.int64))
        self._avgdl = total_length / n_docs if n_docs else 0.0

        # idf exactly as BM25Okapi._calc_idf: math.log, summed sequentially in first-occurrence order.
        df = np.diff(indptr).tolist()
        log = math.log
        idf = np.array([log(n_docs - f + 0.5) - log(f + 0.5) for f in df], dtype=np.float64)
        self._average_idf = float(np.cumsum(idf)[-1]) / len(idf) if len(idf) else 0.0
        idf[idf < 0] = self._epsilon * self._average_idf
        self._idf = _readonly(idf)

        # Per-posting contribution idf * (tf * (k1 + 1) / (tf + norm)), with BM25Okapi's float operations.
        if len(doc_ids):
            norm = self._k1 * (
                (1 - self._b) + (self._b * np.asarray(doc_lengths, dtype=np.float64)) / self._avgdl
            )
            # In place to bound memory; + and * commute exactly, so this is still
            # idf * ((tf * (k1 + 1)) / (tf + norm)) bit for bit.
            tf = np.array(tfs, dtype=np.float64)  # a copy: tfs itself stays as it is
            denominator = norm[doc_ids]
            denominator += tf
            impacts = tf
            impacts *= self._k1 + 1
            impacts /= denominator
            del denominator
            impacts *= np.repeat(idf, np.diff(indptr))
        else:
            impacts = np.zeros(0, dtype=np.float64)
        self._impacts = _readonly(impacts)
        self._local = threading.local()
        # Below this many postings a query merges them sparsely; above, it scatters into a dense buffer.
        self._sparse_limit = max(4096, n_docs // 32)

    # -- properties -------------------------------------------------------------------------------

    @property
    def n_docs(self) -> int:
        """Number of documents (sentences) in the index."""
        return len(self._doc_lengths)

    @property
    def vocabulary_size(self) -> int:
        """Number of distinct terms in the index."""
        return len(self._terms)

    @property
    def avgdl(self) -> float:
        """Average document length in tokens (0.0 for an empty corpus)."""
        return self._avgdl

    @property
    def average_idf(self) -> float:
        """Mean idf over all terms before the epsilon floor, as BM25Okapi's ``average_idf``."""
        return self._average_idf

    @property
    def k1(self) -> float:
        return self._k1

    @property
    def b(self) -> float:
        return self._b

    @property
    def epsilon(self) -> float:
        return self._epsilon

    @property
    def n_postings(self) -> int:
        """Number of (term, document) pairs."""
        return len(self._doc_ids)

    @property
    def arrays(self) -> PostingArrays:
        """The defining arrays (read-only views), for persistence."""
        return PostingArrays(list(self._terms), self._doc_lengths, self._indptr, self._doc_ids, self._tfs)

    # -- lookups ----------------------------------------------------------------------------------

    def doc_freq(self, term: str) -> int:
        """Number of documents containing ``term`` (0 if it is not in the index)."""
        tid = self._term_id.get(term)
        return 0 if tid is None else int(self._indptr[tid + 1] - self._indptr[tid])

    def idf(self, term: str) -> float:
        """The term's idf after the epsilon floor; 0.0 for a term not in the index (BM25Okapi's value too)."""
        tid = self._term_id.get(term)
        return 0.0 if tid is None else float(self._idf[tid])

    def __contains__(self, term: object) -> bool:
        return term in self._term_id

    def once(self, term: str, doc: int) -> float:
        """What ``term`` would add to document ``doc``'s score if it occurred there once:
        ``idf * (k1 + 1) / (1 + k1 * (1 - b + b * length / avgdl))`` (0.0 for a term not in the index)."""
        tid = self._term_id.get(term)
        if tid is None:
            return 0.0
        length = float(self._doc_lengths[doc])
        norm = self._k1 * (1 - self._b + self._b * length / self._avgdl)
        return float(self._idf[tid]) * (self._k1 + 1) / (1 + norm)

    # -- scoring ----------------------------------------------------------------------------------

    def get_scores(self, query: Sequence[str], weights: Sequence[float] | None = None) -> FloatArray:
        """Every document's score: ``BM25Okapi(corpus, k1=k1, b=b, epsilon=epsilon).get_scores(query)``.

        ``weights`` (one per query term, default 1) scale each term's contribution.
        """
        scores = np.zeros(self.n_docs, dtype=np.float64)
        for start, stop, weight in self._spans(query, weights):
            np.add.at(scores, self._doc_ids[start:stop], self._weighted(start, stop, weight))
        return scores

    def top_k(
        self, query: Sequence[str], k: int, weights: Sequence[float] | None = None
    ) -> list[tuple[int, float]]:
        """The ``k`` best documents containing at least one query term, as ``(doc index, score)``.

        Ordered by score, highest first, ties by lower document index: exactly the head of BM25Okapi's
        scores sorted that way over the documents that contain a query term. Scores are usually
        positive, but may be zero or negative when every term of the corpus is very common
        (BM25Okapi's epsilon floor is then negative); such documents are still returned. ``weights``
        (one per query term, positive, default 1) scale each term's contribution.
        """
        if k < 0:
            raise ValueError(f"k must be 0 or more, not {k}")
        spans = self._spans(query, weights)
        if k == 0 or not spans:
            return []
        total = sum(stop - start for start, stop, _ in spans)
        if total <= self._sparse_limit:
            return self._top_k_sparse(spans, k)
        return self._top_k_dense(spans, k)

    def _spans(
        self, query: Sequence[str], weights: Sequence[float] | None = None
    ) -> list[tuple[int, int, float]]:
        """Posting ranges and weights of the query's known terms, in query order, duplicates kept."""
        if weights is not None and len(weights) != len(query):
            raise ValueError(f"{len(weights)} weights for {len(query)} query terms")
        indptr = self._indptr
        spans = []
        for position, term in enumerate(query):
            tid = self._term_id.get(term)
            if tid is not None:
                weight = 1.0 if weights is None else float(weights[position])
                spans.append((int(indptr[tid]), int(indptr[tid + 1]), weight))
        return spans

    def _weighted(self, start: int, stop: int, weight: float) -> FloatArray:
        """The impacts of one posting range, scaled by ``weight`` (a view, unscaled, at weight 1)."""
        impacts = self._impacts[start:stop]
        return impacts if weight == 1.0 else impacts * weight

    def _top_k_sparse(self, spans: list[tuple[int, int, float]], k: int) -> list[tuple[int, float]]:
        docs = np.concatenate([self._doc_ids[s:e] for s, e, _ in spans])
        impacts = np.concatenate([self._weighted(s, e, w) for s, e, w in spans])
        candidates, position = np.unique(docs, return_inverse=True)
        scores = np.zeros(len(candidates), dtype=np.float64)
        np.add.at(scores, position, impacts)  # in query order per document, like BM25Okapi's loop
        return _select(candidates, scores, k)

    def _top_k_dense(self, spans: list[tuple[int, int, float]], k: int) -> list[tuple[int, float]]:
        scores = self._buffer()
        try:
            for start, stop, weight in spans:
                np.add.at(scores, self._doc_ids[start:stop], self._weighted(start, stop, weight))
            bound = self._lower_bound(scores, spans, k)
            if bound is not None and bound > 0:
                # Documents without a query term score 0 < bound, so this keeps only matches.
                candidates = np.flatnonzero(scores >= bound)
            else:
                matched = np.zeros(self.n_docs, dtype=bool)
                for start, stop, _ in spans:
                    matched[self._doc_ids[start:stop]] = True
                candidates = np.flatnonzero(matched)
            return _select(candidates, scores[candidates], k)
        finally:
            scores.fill(0.0)

    def _lower_bound(self, scores: FloatArray, spans: list[tuple[int, int, float]], k: int) -> float | None:
        """A score that at least ``k`` matched documents reach (from the rarest terms' documents)."""
        pieces: list[npt.NDArray[np.int32]] = []
        seen = 0
        for start, stop in sorted({(s, e) for s, e, _ in spans}, key=lambda span: span[1] - span[0]):
            pieces.append(self._doc_ids[start : min(stop, start + _SAMPLE_CAP)])
            sample = pieces[0] if len(pieces) == 1 else np.unique(np.concatenate(pieces))
            seen = len(sample)
            if seen >= k:
                values = scores[sample]
                return float(np.partition(values, seen - k)[seen - k])
        return None

    def _buffer(self) -> FloatArray:
        """This thread's zeroed score buffer (one per thread, so concurrent queries never share it)."""
        buffer: FloatArray | None = getattr(self._local, "scores", None)
        if buffer is None:
            buffer = np.zeros(self.n_docs, dtype=np.float64)
            self._local.scores = buffer
        return buffer


def _select(candidates: IntArray, scores: FloatArray, k: int) -> list[tuple[int, float]]:
    """Top ``k`` of ascending ``candidates`` by score descending, ties by lower index."""
    if len(candidates) > k:
        kth = np.partition(scores, len(scores) - k)[len(scores) - k]
        keep = scores >= kth
        candidates, scores = candidates[keep], scores[keep]
    order = np.argsort(-scores, kind="stable")[:k]
    return [(int(candidates[i]), float(scores[i])) for i in order]


def _readonly(array: _Array) -> _Array:
    view: _Array = array.view()
    view.flags.writeable = False
    return view


def _check_parameters(k1: float, b: float, epsilon: float) -> None:
    if not (math.isfinite(k1) and k1 >= 0):
        raise ValueError(f"k1 must be a finite number >= 0, not {k1!r}")
    if not (math.isfinite(b) and 0 <= b <= 1):
        raise ValueError(f"b must lie between 0 and 1, not {b!r}")
    if not math.isfinite(epsilon):
        raise ValueError(f"epsilon must be a finite number, not {epsilon!r}")


def _check_arrays(arrays: PostingArrays) -> None:
    """Raise ``ValueError`` unless the arrays form a consistent index."""
    terms, doc_lengths, indptr, doc_ids, tfs = arrays
    for name, array in (("doc_lengths", doc_lengths), ("indptr", indptr), ("doc_ids", doc_ids), ("tfs", tfs)):
        if not isinstance(array, np.ndarray) or array.ndim != 1 or array.dtype.kind not in "iu":
            raise ValueError(f"{name} must be a one-dimensional integer array")
    if not all(isinstance(term, str) for term in terms) or len(set(terms)) != len(terms):
        raise ValueError("terms must be distinct strings")
    n_docs, n_postings = len(doc_lengths), len(doc_ids)
    if len(indptr) != len(terms) + 1 or len(tfs) != n_postings:
        raise ValueError(
            "array lengths disagree (indptr must have one entry per term plus one; tfs one per posting)"
        )
    if int(indptr[0]) != 0 or int(indptr[-1]) != n_postings or (np.diff(indptr) <= 0).any():
        raise ValueError("indptr must start at 0, rise strictly and end at the number of postings")
    if n_docs and int(doc_lengths.min()) < 0:
        raise ValueError("doc_lengths must be non-negative")
    if n_postings:
        if int(doc_ids.min()) < 0 or int(doc_ids.max()) >= n_docs:
            raise ValueError("doc_ids out of range")
        if int(tfs.min()) < 1:
            raise ValueError("tfs must be at least 1")
        rising = np.diff(doc_ids.astype(np.int64)) > 0
        rising[indptr[1:-1] - 1] = True  # a new term's row may restart at any document
        if not rising.all():
            raise ValueError("doc_ids must rise strictly within each term")
        totals = np.bincount(doc_ids, weights=tfs, minlength=n_docs)
        if not np.array_equal(totals, doc_lengths):
            raise ValueError("term frequencies do not add up to doc_lengths")
    elif n_docs and int(doc_lengths.max()) != 0:
        raise ValueError("documents have lengths but there are no postings")
