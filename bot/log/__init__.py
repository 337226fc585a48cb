"""The conversation log: every message that got a reply, votes, refusals, reloads, and the updates handled.

- ``schema``: the migrations (named tuples of statements, recorded by name) and the outcomes a row records;
- ``records``: the row types (``Exchange`` and its constructors); ``codec``: how values are stored;
- ``store``: the only writer and reader of the SQLite file (``errors``: what its failures raise);
- ``export``: ``sanad export`` (JSON lines or CSV, read-only);
- ``privacy``: pseudonymous user and chat ids;
- ``ledger``: the handled update ids in memory; ``writer``: the queue that applies writes off the reply
  path, and owns the ledger (loads and saves it); ``journal``: what handlers call to log a reply;
- ``retention``: purging old rows, at start-up and daily.
"""

from bot.log.errors import DatabaseNotFoundError, StoreError, is_transient
from bot.log.export import EXPORT_FORMATS, export_rows
from bot.log.ledger import UpdateLedger
from bot.log.privacy import Pseudonymizer
from bot.log.records import Exchange, InboxEntry, Origin, Stats
from bot.log.schema import MIGRATIONS, OUTCOMES, QUESTION_OUTCOMES, RESOLVED_QUESTION_MIGRATION, Migration
from bot.log.store import Store
from bot.log.writer import LogWriter

__all__ = [
    "EXPORT_FORMATS",
    "MIGRATIONS",
    "OUTCOMES",
    "QUESTION_OUTCOMES",
    "RESOLVED_QUESTION_MIGRATION",
    "DatabaseNotFoundError",
    "Exchange",
    "InboxEntry",
    "LogWriter",
    "Migration",
    "Origin",
    "Pseudonymizer",
    "Stats",
    "Store",
    "StoreError",
    "UpdateLedger",
    "export_rows",
    "is_transient",
]
