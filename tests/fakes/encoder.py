"""A deterministic stand-in for a sentence encoder: bag-of-words vectors, for testing the logic around one.

Every word gets a fixed pseudo-random direction (seeded by a digest of the word); a text's vector is the
normalised sum of its words' directions, so texts sharing words are similar and others nearly
orthogonal. It counts what it encodes, and can be told to fail.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

DIM = 32


def word_direction(word: str) -> npt.NDArray[np.float32]:
    seed = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "little")
    return np.random.default_rng(seed).standard_normal(DIM).astype(np.float32)


def bag_vector(text: str) -> npt.NDArray[np.float32]:
    total = np.zeros(DIM, dtype=np.float32)
    for word in text.split():
        total += word_direction(word.strip(".،؟?!"))
    norm = float(np.linalg.norm(total))
    return total / norm if norm else total


class FakeEncoder:
    """Implements ``retrieval.encoder.Encoder``."""

    def __init__(self, name: str = "fake-bag-of-words") -> None:
        self._name = name
        self.encoded: list[str] = []  # every passage text encoded, in order
        self.queries: list[str] = []
        self.fail = False

    @property
    def name(self) -> str:
        return self._name

    @property
    def dim(self) -> int:
        return DIM

    def passages(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        if self.fail:
            raise RuntimeError("encoder broken")
        self.encoded.extend(texts)
        return np.stack([bag_vector(t) for t in texts]) if texts else np.zeros((0, DIM), np.float32)

    def query(self, text: str) -> npt.NDArray[np.float32]:
        if self.fail:
            raise RuntimeError("encoder broken")
        self.queries.append(text)
        return bag_vector(text)
