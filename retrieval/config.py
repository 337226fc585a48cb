"""Retrieval parameters, filled from ``config.toml`` by ``bot.settings`` (this package reads no config)."""

from __future__ import annotations

from dataclasses import dataclass

STEMMERS = ("light", "snowball", "isri", "tashaphyne", "none")
ENCODERS = ("e5", "none")  # sentence encoders retrieval.encoder can load ("none": BM25 alone)


@dataclass(frozen=True)
class RetrievalConfig:
    stemmer: str = "light"
    k1: float = 0.9
    b: float = 0.4
    top_k: int = 10
    min_coverage: float = 0.1
    min_topic_coverage: float = 0.3
    context_weight: float = 0.0
    # The sentence encoder that re-ranks BM25's candidates ("none": BM25 alone). ``load_retriever`` loads
    # it; a ``Retriever`` built directly uses only the encoder it is given.
    encoder: str = "e5"
    encoder_weight: float = 0.5  # share of the (min-max scaled) cosine in the fused score
    encoder_depth: int = 100  # BM25 candidates the encoder re-ranks

    def __post_init__(self) -> None:
        if self.stemmer not in STEMMERS:
            raise ValueError(f"unknown stemmer {self.stemmer!r}; choose one of: {', '.join(STEMMERS)}")
        if self.k1 <= 0:
            raise ValueError("k1 must be positive")
        if not 0 <= self.b <= 1:
            raise ValueError("b must be between 0 and 1")
        if self.top_k < 1:
            raise ValueError("top_k must be at least 1")
        if not 0 <= self.context_weight <= 1:
            raise ValueError("context_weight must be between 0 and 1")
        if not 0 <= self.min_topic_coverage <= 1:
            raise ValueError("min_topic_coverage must be between 0 and 1")
        if self.encoder not in ENCODERS:
            raise ValueError(f"unknown encoder {self.encoder!r}; choose one of: {', '.join(ENCODERS)}")
        if not 0 <= self.encoder_weight <= 1:
            raise ValueError("encoder_weight must be between 0 and 1")
        if self.encoder_depth < 1:
            raise ValueError("encoder_depth must be at least 1")
        if not 0 <= self.min_coverage <= 1:
            raise ValueError("min_coverage must be between 0 and 1")
