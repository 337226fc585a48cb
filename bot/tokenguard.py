"""Keep secrets (the bot token, the log secret) out of every log record, whatever handler receives it.

``bot.redact.install_redaction`` filters the handlers the root logger has when it is called; records can
still reach handlers added later (pytest's caplog, a library's own handler), and PTB logs its Bot API URL,
token included, at DEBUG while the Application is being built (``Set Bot API URL: …/bot<token>``), as
httpx does for every request at INFO. This module wraps the logging *record factory* instead: every record
is cleaned when it is created, before any logger or handler sees it, so no handler can print the secret.
Once a secret is guarded, each record's message is rendered at creation (``msg`` holds the redacted text,
``args`` is None), so an argument changed after the logging call cannot bring the secret back.

Install it before building the Application (``bot.app.build_application`` does) and again for every new
secret; it chains to the previous factory and is installed only once.
"""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Iterable
from typing import Any

from bot.redact import RedactingFilter

_lock = threading.Lock()
_secrets: set[str] = set()
_redactor = RedactingFilter([])
_installed = False


def guard_secrets(secrets: Iterable[str | None]) -> None:
    """Redact each non-empty secret (and its URL-encoded form) from every log record created from now on."""
    global _redactor, _installed
    with _lock:
        _secrets.update(secret for secret in secrets if secret)
        _redactor = RedactingFilter(sorted(_secrets))
        if not _installed:
            previous = logging.getLogRecordFactory()

            def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
                record = previous(*args, **kwargs)
                _clean(record)
                return record

            logging.setLogRecordFactory(factory)
            _installed = True


def redact(text: str) -> str:
    """``text`` with every guarded secret replaced by ``<TOKEN>``."""
    return _redactor.redact(text)


def _clean(record: logging.LogRecord) -> None:
    if not _secrets:
        return
    try:
        message = record.getMessage()
    except (TypeError, ValueError):  # arguments that do not match the format: leave it to the handler
        message = str(record.msg)
    # Always freeze the message: an argument mutated after the call (PTB logs the getFile result, then
    # rewrites its file_path into a download URL holding the token) cannot leak into a later formatting.
    record.msg, record.args = redact(message), None
    if record.exc_info and record.exc_info[1] is not None:
        text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        record.exc_text = redact(text)
    if record.stack_info:
        record.stack_info = redact(record.stack_info)
