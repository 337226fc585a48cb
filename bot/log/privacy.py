"""Pseudonymous ids for the conversation log (pure: no I/O, no Telegram).

When ``SANAD_LOG_SECRET`` is set, every user and chat id the log stores is replaced by
``HMAC-SHA256(secret, id)`` folded into a 63-bit integer, so the columns stay integers, the same person
maps to the same pseudonym (``/sources``, ``/forget`` and per-user statistics keep working) and nobody
without the secret can tell who asked what. Pseudonyms lie in ``[2**62, 2**63)``: Telegram user ids use
at most 52 bits and chat ids of groups are negative, so a pseudonym never equals a real id.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field

MIN_SECRET_CHARS = 16
_DOMAIN = b"sanad-log-id:"
_LOW_BITS = (1 << 62) - 1
_HIGH_BIT = 1 << 62


@dataclass(frozen=True)
class Pseudonymizer:
    """Maps Telegram ids to stable pseudonyms with a secret key."""

    key: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if len(self.key) < MIN_SECRET_CHARS:
            raise ValueError(f"the pseudonym secret needs at least {MIN_SECRET_CHARS} characters")

    @classmethod
    def from_secret(cls, secret: str) -> Pseudonymizer:
        return cls(secret.encode("utf-8"))

    def __call__(self, value: int) -> int:
        digest = hmac.new(self.key, _DOMAIN + str(int(value)).encode("ascii"), hashlib.sha256).digest()
        return (int.from_bytes(digest[:8], "big") & _LOW_BITS) | _HIGH_BIT
