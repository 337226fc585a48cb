"""Retrieval parameters, filled from ``config.toml`` by ``bot.settings`` (this package reads no config)."""

from __future__ import annotations

from dataclasses import dataclass

STEMMERS = ("light", "snowball", "isri", "tashaphyne", "none")


@dataclass(frozen=True)
class RetrievalConfig:
    stemmer: str = "light"
    k1: float = 0.9
    b: float = 0.4
    top_k: int = 10
    min_coverage: float = 0.1
    min_topic_coverage: float = 0.4
    context_weight: float = 0.0

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
        if not 0 <= self.min_coverage <= 1:
            raise ValueError("min_coverage must be between 0 and 1")
