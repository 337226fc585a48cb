"""The conversation log's errors: every SQLite failure leaves the package as :class:`StoreError`."""

from __future__ import annotations

import sqlite3

__all__ = ["DatabaseNotFoundError", "StoreError", "is_transient"]


class StoreError(Exception):
    """Any failure of the conversation log (SQLite errors are wrapped; the original is ``__cause__``)."""


def is_transient(error: StoreError) -> bool:
    """True when the failure may pass if the write is tried again later: SQLite's operational errors
    (database locked or busy, disk full, read-only file, I/O error). Not for a closed store, bad data or
    constraint violations."""
    return isinstance(error.__cause__, sqlite3.OperationalError)


class DatabaseNotFoundError(StoreError, FileNotFoundError):
    """The database file to read does not exist (raised by :func:`export_rows`, which never creates it)."""
