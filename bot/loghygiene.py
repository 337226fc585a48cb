"""Log hygiene: one logging setup, and secrets (the bot token, the log secret) kept out of every record.

``configure_logging`` (the CLI calls it once) sets the format and level and quiets the chatty libraries.
``guard_secrets`` (``bot.app.build_application`` calls it before PTB logs its Bot API URL, token
included, at DEBUG) redacts each secret and its URL-encoded form twice over:

- in the logging *record factory*: every record is cleaned when it is created, before any logger or
  handler (pytest's caplog, a library's own handler) sees it. Its message is rendered then (``msg`` holds
  the redacted text, ``args`` is None), so an argument changed after the logging call cannot bring the
  secret back;
- in a filter on the root logger's handlers, for a record made without the factory.
"""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

REDACTED = "<TOKEN>"
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# httpx logs every request URL at INFO, and Bot API URLs contain the token.
_HTTP_LOGGERS = ("httpx", "httpcore")
# trafilatura and its helpers log what they discard; sanad's own one-line error says why a page failed.
_PAGE_LOGGERS = ("trafilatura", "htmldate", "courlan", "justext")


def configure_logging(*, verbose: bool = False) -> None:
    """Log to stderr at INFO (DEBUG when ``verbose``), without the HTTP clients' and page parsers' chatter."""
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO, format=LOG_FORMAT)
    for name in _HTTP_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    for name in _PAGE_LOGGERS:
        logging.getLogger(name).setLevel(logging.CRITICAL)


class RedactingFilter(logging.Filter):
    """Replaces each secret (and its URL-encoded form) in a record's message and traceback."""

    def __init__(self, secrets: Iterable[str | None]) -> None:
        super().__init__()
        self.secrets: list[str] = []  # each form once, longest first
        self.add(secrets)

    def add(self, secrets: Iterable[str | None]) -> None:
        forms = {form for secret in secrets if secret for form in (secret, quote(secret, safe=""))}
        self.secrets = sorted({*self.secrets, *forms}, key=len, reverse=True)

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        message = record.getMessage()
        cleaned = self.redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        return True


_lock = threading.Lock()
_redactor = RedactingFilter([])
_installed = False


def guard_secrets(secrets: Iterable[str | None]) -> None:
    """Redact each non-empty secret from every log record created from now on; call it again for a new
    secret (the record factory is installed once, chained to the previous one)."""
    global _installed
    with _lock:
        _redactor.add(secrets)
        if not _installed:
            previous = logging.getLogRecordFactory()

            def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
                record = previous(*args, **kwargs)
                _clean(record)
                return record

            logging.setLogRecordFactory(factory)
            _installed = True
        for handler in logging.getLogger().handlers:
            if _redactor not in handler.filters:
                handler.addFilter(_redactor)


def redact(text: str) -> str:
    """``text`` with every guarded secret replaced by ``<TOKEN>``."""
    return _redactor.redact(text)


def _clean(record: logging.LogRecord) -> None:
    if not _redactor.secrets:
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
