"""Sentence vectors of an index: computed once per sentence text, kept as int8, scored against a question.

:class:`SentenceVectors` holds one vector per row of a :class:`~retrieval.index.table.SentenceTable` (every
sentence of every article, in the table's order) with a digest of the row's exact text. It is kept
with the article digests and row keys of the table it was made for: a start on an unchanged corpus
reuses it whole, and after a change (new or edited articles, another segmentation or normalisation)
only sentences whose exact text it has never seen are encoded (:meth:`SentenceVectors.update`).
Each row is stored as int8, scaled so that its largest component is ±127: rankings on XQuAD-ar and the
dev questions came out as with float32 (within 0.002 Hit@1 and Hit@3), at a quarter of the memory
(38 MB for 100k sentences of 384 dimensions).

:class:`EntryVectors` picks the rows of the index's entries (deduplicated sentences) and scores them:
cosine similarity of a question vector with chosen entries (:meth:`EntryVectors.cosines`) or with all of
them, chunk by chunk (:meth:`EntryVectors.nearest`). Pure: no file I/O (``retrieval.index.cache`` keeps them).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from tqdm import tqdm  # tqdm ships no type stubs

from retrieval.encoder import Encoder, FloatArray
from retrieval.index.sentence_index import SentenceIndex
from retrieval.index.table import PROGRESS_DELAY, SentenceTable
from retrieval.models import Article

__all__ = ["EntryVectors", "SentenceVectors", "quantize", "table_texts", "text_key"]

Int8Array = npt.NDArray[np.int8]

CHUNK = 8192  # entries converted to float32 at a time by a full scan
ENCODE_BATCH = 256  # sentences per progress step


def quantize(vectors: FloatArray) -> Int8Array:
    """Rows scaled so each one's largest absolute component is 127, rounded to int8 (direction kept)."""
    vectors = np.asarray(vectors, dtype=np.float32)
    peak = np.abs(vectors).max(axis=1, keepdims=True) if len(vectors) else np.ones((0, 1), np.float32)
    scaled = vectors * (127.0 / np.where(peak > 0, peak, 1.0))
    return np.clip(np.rint(scaled), -127, 127).astype(np.int8)


def table_texts(table: SentenceTable, articles: Sequence[Article]) -> list[str]:
    """The text of every row of ``table`` (built from ``articles``), in row order."""
    texts: list[str] = []
    for number, article in enumerate(articles):
        start, end = int(table.article_ptr[number]), int(table.article_ptr[number + 1])
        for paragraph, _, begin, finish in table.rows[start:end].tolist():
            source = article.title if paragraph == 0 else article.paragraphs[paragraph - 1]
            texts.append(source[begin:finish])
    return texts


def text_key(text: str) -> int:
    """64-bit digest of a sentence's exact text: a vector is reused for the same text only."""
    digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "little")


@dataclass(frozen=True, eq=False)
class SentenceVectors:
    """int8 vectors of every row of a sentence table (see the module docstring).

    ``values[r]`` is the vector of table row ``r``, whose exact text has digest ``text_keys[r]``
    (:func:`text_key`). ``digests`` and ``table_keys`` are the table's article digests and row keys
    when the vectors were made: while they match a table, the vectors fit it as they are. ``model`` is
    the encoder's name (vectors of another model are never reused).
    """

    model: str
    digests: tuple[str, ...]
    table_keys: npt.NDArray[np.uint64]
    text_keys: npt.NDArray[np.uint64]
    values: Int8Array

    def __post_init__(self) -> None:
        rows = len(self.values)
        if self.values.ndim != 2 or self.values.dtype != np.int8:
            raise ValueError("values must be an int8 matrix")
        if self.table_keys.shape != (rows, 2) or self.text_keys.shape != (rows,):
            raise ValueError("table_keys and text_keys need one line per sentence")

    def __len__(self) -> int:
        return len(self.values)

    def fits(self, table: SentenceTable, model: str) -> bool:
        """Whether these are the vectors of ``table``'s rows by ``model``, with nothing to encode."""
        return (
            self.model == model
            and self.digests == table.digests
            and np.array_equal(self.table_keys, table.keys)
        )

    @classmethod
    def build(
        cls, table: SentenceTable, articles: Sequence[Article], encoder: Encoder, *, progress: bool = False
    ) -> SentenceVectors:
        """Encode every sentence of ``table`` (built from ``articles``)."""
        return cls.update(None, table, articles, encoder, progress=progress)[0]

    @classmethod
    def update(
        cls,
        previous: SentenceVectors | None,
        table: SentenceTable,
        articles: Sequence[Article],
        encoder: Encoder,
        *,
        progress: bool = False,
    ) -> tuple[SentenceVectors, int]:
        """The vectors of ``table``'s rows, reusing every vector of ``previous`` whose text recurs.

        Only texts ``previous`` (from the same model) lacks are encoded, each once however often it
        occurs. Returns the vectors and how many texts were encoded.
        """
        if previous is not None and previous.fits(table, encoder.name):
            return previous, 0
        texts = table_texts(table, articles)
        keys = np.fromiter(map(text_key, texts), dtype=np.uint64, count=len(texts))
        values = np.empty((len(texts), encoder.dim), dtype=np.int8)
        known: dict[int, int] = {}
        same_model = previous is not None and previous.model == encoder.name
        if previous is not None and same_model and previous.values.shape[1] == encoder.dim:
            known = {key: row for row, key in enumerate(previous.text_keys.tolist())}
        wanted: dict[int, list[int]] = {}
        for row, key in enumerate(keys.tolist()):
            old = known.get(key)
            if old is not None and previous is not None:
                values[row] = previous.values[old]
            else:
                wanted.setdefault(key, []).append(row)
        firsts = [rows[0] for rows in wanted.values()]
        fresh = _encode(encoder, [texts[row] for row in firsts], progress)
        for vector, rows in zip(fresh, wanted.values(), strict=True):
            values[rows] = vector
        vectors = cls(encoder.name, table.digests, table.keys.copy(), keys, values)
        return vectors, len(firsts)

    def entries(self, index: SentenceIndex) -> EntryVectors:
        """The vectors of ``index``'s entries (``index`` must have been built from the same table)."""
        if self.digests != index.table.digests or len(self) != len(index.table):
            raise ValueError("these vectors belong to another sentence table")
        return EntryVectors(self.values[index.assembly.entry_rows.astype(np.int64)])

    # -- persistence (retrieval.index.cache writes them with retrieval.index.persist) ------------------

    def to_arrays(self) -> tuple[dict[str, np.ndarray[Any, Any]], dict[str, object]]:
        arrays: dict[str, np.ndarray[Any, Any]] = {
            "table_keys": self.table_keys,
            "text_keys": self.text_keys,
            "vectors": self.values,
        }
        return arrays, {"digests": list(self.digests), "model": self.model}

    @classmethod
    def from_arrays(cls, arrays: dict[str, Any], documents: dict[str, object]) -> SentenceVectors:
        """Rebuild vectors saved with :meth:`to_arrays`; ``ValueError`` when anything is inconsistent."""
        digests, model = documents.get("digests"), documents.get("model")
        if not isinstance(digests, list) or not all(isinstance(d, str) for d in digests):
            raise ValueError("digests must be a list of strings")
        if not isinstance(model, str):
            raise ValueError("model must be a string")
        table_keys, text_keys, values = (arrays.get(n) for n in ("table_keys", "text_keys", "vectors"))
        if not isinstance(values, np.ndarray) or values.dtype != np.int8:
            raise ValueError("vectors must be an int8 array")
        for name, array in (("table_keys", table_keys), ("text_keys", text_keys)):
            if not isinstance(array, np.ndarray) or array.dtype != np.uint64:
                raise ValueError(f"{name} must be a uint64 array")
        return cls(model, tuple(digests), table_keys, text_keys, values)  # type: ignore[arg-type]


def _encode(encoder: Encoder, texts: Sequence[str], progress: bool) -> Int8Array:
    if not texts:
        return np.zeros((0, encoder.dim), dtype=np.int8)
    out = np.empty((len(texts), encoder.dim), dtype=np.int8)
    bar = tqdm(
        total=len(texts), desc="Encoding sentences", unit="sentence", disable=not progress,
        delay=PROGRESS_DELAY, leave=False,
    )
    with bar:
        for start in range(0, len(texts), ENCODE_BATCH):
            chunk = texts[start : start + ENCODE_BATCH]
            out[start : start + len(chunk)] = quantize(encoder.passages(chunk))
            bar.update(len(chunk))
    return out


class EntryVectors:
    """int8 vectors of an index's entries with their norms, scored by cosine similarity."""

    def __init__(self, values: Int8Array) -> None:
        self.values = values
        norms = np.sqrt(np.einsum("ij,ij->i", values, values, dtype=np.float32))
        self._inverse = np.where(norms > 0, 1.0 / np.where(norms > 0, norms, 1.0), 0.0).astype(np.float32)

    def __len__(self) -> int:
        return len(self.values)

    @property
    def dim(self) -> int:
        return int(self.values.shape[1])

    def cosines(self, query: FloatArray, entries: npt.ArrayLike) -> FloatArray:
        """Cosine similarity of the unit vector ``query`` with each of ``entries`` (entry indexes)."""
        chosen = np.asarray(entries, dtype=np.int64)
        scores = self.values[chosen].astype(np.float32) @ np.asarray(query, dtype=np.float32)
        return (scores * self._inverse[chosen]).astype(np.float32)

    def nearest(self, query: FloatArray, k: int) -> list[tuple[int, float]]:
        """(entry, cosine) of the ``k`` entries most similar to ``query``, best first (ties: lower index)."""
        n = len(self.values)
        if n == 0 or k < 1:
            return []
        query = np.asarray(query, dtype=np.float32)
        scores = np.empty(n, dtype=np.float32)
        for start in range(0, n, CHUNK):
            block = self.values[start : start + CHUNK].astype(np.float32)
            scores[start : start + len(block)] = block @ query
        scores *= self._inverse
        k = min(k, n)
        best = np.argpartition(-scores, k - 1)[:k] if k < n else np.arange(n)
        order = best[np.lexsort((best, -scores[best]))]
        return [(int(i), float(scores[i])) for i in order]
