"""The conversation log's schema: named migrations, applied in order and recorded in the database, and the
outcomes an exchange row records."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "MIGRATIONS",
    "OUTCOMES",
    "QUESTION_OUTCOMES",
    "RESOLVED_QUESTION_MIGRATION",
    "Migration",
    "check_migrations",
    "question_outcome",
]


# A migration is (name, statements): each statement is run in order, all in one transaction, and the name
# is recorded in the ``migrations`` table. Never rename or edit an applied migration: append a new one.
Migration = tuple[str, tuple[str, ...]]

# A follow-up question («ومتى؟») as the bot read it: the message with the topic words it carried from the
# user's previous question («ومتى؟ (عن: مطار ألماتي)»); NULL for a question read on its own. It only adds
# a nullable column to exchanges, so it applies in any order relative to other migrations.
RESOLVED_QUESTION_MIGRATION: Migration = (
    "0005_resolved_question",
    ("ALTER TABLE exchanges ADD COLUMN resolved_question TEXT",),
)

MIGRATIONS: tuple[Migration, ...] = (
    (
        "0001_conversation_log",
        (
            """CREATE TABLE exchanges (
                id INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused, so old buttons cannot reach new rows
                created_at TEXT NOT NULL,               -- ISO-8601 UTC
                chat_id INTEGER NOT NULL,
                user_id INTEGER,
                chat_type TEXT NOT NULL,
                message_id INTEGER,
                reply_message_id INTEGER,
                question TEXT NOT NULL,
                normalized_query TEXT NOT NULL,
                results TEXT NOT NULL,                  -- JSON [{"sentence_id", "score"}] in shown order
                citations TEXT NOT NULL,                -- JSON [{doc_id, title, outlet, published, url}]
                declined INTEGER NOT NULL CHECK (declined IN (0, 1)),
                missing_terms TEXT NOT NULL,            -- JSON list of strings
                latency_ms REAL NOT NULL,
                corpus_version TEXT NOT NULL
            )""",
            "CREATE INDEX exchanges_chat_id_id ON exchanges (chat_id, id)",
            "CREATE INDEX exchanges_created_at ON exchanges (created_at)",
            "CREATE INDEX exchanges_user_id ON exchanges (user_id)",
            "CREATE INDEX exchanges_chat_id_reply ON exchanges (chat_id, reply_message_id)",
            """CREATE TABLE feedback (
                exchange_id INTEGER NOT NULL REFERENCES exchanges (id) ON DELETE CASCADE,
                user_id INTEGER NOT NULL,
                value INTEGER NOT NULL CHECK (value IN (-1, 1)),
                created_at TEXT NOT NULL,
                PRIMARY KEY (exchange_id, user_id)
            )""",
            "CREATE INDEX feedback_user_id ON feedback (user_id)",
            """CREATE TABLE reloads (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                created_at TEXT NOT NULL,
                user_id INTEGER,
                ok INTEGER NOT NULL CHECK (ok IN (0, 1)),
                articles_before INTEGER NOT NULL,
                articles_after INTEGER NOT NULL,
                sentences_before INTEGER NOT NULL,
                sentences_after INTEGER NOT NULL,
                content_hash TEXT NOT NULL,
                duration_ms REAL NOT NULL,
                error TEXT
            )""",
            "CREATE INDEX reloads_created_at ON reloads (created_at)",
            """CREATE TABLE denied (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                created_at TEXT NOT NULL,
                user_id INTEGER,
                chat_id INTEGER NOT NULL,
                command TEXT NOT NULL
            )""",
            "CREATE INDEX denied_created_at ON denied (created_at)",
            "CREATE INDEX denied_user_id ON denied (user_id)",
        ),
    ),
    (
        # Every message that gets a reply is logged, not only questions: `outcome` says what happened
        # (see OUTCOMES). Rows written before this migration were all questions.
        "0002_outcome",
        (
            "ALTER TABLE exchanges ADD COLUMN outcome TEXT NOT NULL DEFAULT 'answered'",
            "UPDATE exchanges SET outcome = 'declined' WHERE declined = 1",
            "CREATE INDEX exchanges_outcome_created_at ON exchanges (outcome, created_at)",
        ),
    ),
    (
        # Telegram update ids the bot has finished handling, so that an update delivered again after a
        # crash or restart is not answered twice (bot.log.ledger). Per bot: another token, another
        # sequence of ids. Kept for two days.
        "0003_processed_updates",
        (
            """CREATE TABLE processed_updates (
                bot_id INTEGER NOT NULL,
                update_id INTEGER NOT NULL,
                created_at TEXT NOT NULL,               -- ISO-8601 UTC
                PRIMARY KEY (bot_id, update_id)
            )""",
            "CREATE INDEX processed_updates_created_at ON processed_updates (created_at)",
        ),
    ),
    (
        # The durable inbox (bot.inbox): every update fetched from Telegram is written here, in one
        # transaction per getUpdates batch (or webhook burst), before its offset is confirmed. A row is
        # deleted in the transaction that records its id in processed_updates; what is left at start-up
        # was never handled and is handled first. `attempts` counts start-up replays that began handling
        # it; a row replayed twice without finishing is set aside (`failed_at`). Kept for two days.
        "0004_inbox",
        (
            """CREATE TABLE inbox (
                id INTEGER PRIMARY KEY,                 -- arrival order
                bot_id INTEGER NOT NULL,
                update_id INTEGER NOT NULL,
                payload TEXT NOT NULL,                  -- the update as Telegram sent it (JSON)
                attempts INTEGER NOT NULL DEFAULT 0,
                created_at TEXT NOT NULL,               -- ISO-8601 UTC
                failed_at TEXT,                         -- set when the update was given up
                UNIQUE (bot_id, update_id)
            )""",
            "CREATE INDEX inbox_created_at ON inbox (created_at)",
        ),
    ),
    RESOLVED_QUESTION_MIGRATION,
)

# What an exchange row records (``exchanges.outcome``). Only "answered" and "declined" are questions that
# reached the retriever; the others are messages that got a notice instead of an answer.
OUTCOMES = (
    "answered",  # a question answered with cited snippets
    "declined",  # a question the corpus does not answer (the reply says so)
    "empty",  # no searchable words: whitespace, punctuation, emoji, stop words, "/ask" alone
    "too_long",  # longer than bot.max_question_chars
    "rate_limited",  # over the per-user limit (only the message that got the notice is logged)
    "non_text",  # a photo, sticker, location… in a private chat
    "command",  # /start, /help, /sources, an admin's /reload or /stats, an unknown command
    "refused",  # a non-admin tried an admin command or sent a file (also in the `denied` table)
    "upload",  # an admin's file became a preview awaiting «إضافة»
    "upload_rejected",  # an admin's file was refused (type, size, encoding, format)
    "error",  # handling failed; the user got the Arabic error notice
    "inline",  # an inline query (@bot سؤال in any chat) answered with cited results, or with none
)
QUESTION_OUTCOMES = ("answered", "declined")


def question_outcome(declined: bool) -> str:
    """The outcome of a question that reached the retriever; also that of every row written before
    ``0002_outcome``, when every row was a question."""
    return "declined" if declined else "answered"


def check_migrations(migrations: Sequence[Migration]) -> None:
    """Refuse migrations with an empty or repeated name, or without statements (a tuple of strings)."""
    seen: set[str] = set()
    for name, statements in migrations:
        if not name or name in seen:
            raise ValueError(f"migration names must be unique and non-empty, got {name!r} twice or empty")
        if isinstance(statements, str) or not statements or not all(isinstance(s, str) for s in statements):
            raise ValueError(f"migration {name!r} needs a tuple of SQL statements, got {statements!r:.80}")
        seen.add(name)
