"""bot.loghygiene: one logging setup for the CLI, and secrets redacted from every log record."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest

import bot.app
from bot.cli import main
from bot.loghygiene import REDACTED, RedactingFilter, configure_logging, guard_secrets, redact
from tests.conftest import REPO, TEST_TOKEN

QUIETED = ("httpx", "httpcore", "trafilatura", "htmldate", "courlan", "justext")


@pytest.fixture
def levels() -> Iterator[None]:
    """Put the quieted loggers' levels back after the test."""
    saved = {name: logging.getLogger(name).level for name in QUIETED}
    yield
    for name, level in saved.items():
        logging.getLogger(name).setLevel(level)


def test_redacting_filter_hides_the_token_in_messages_and_tracebacks() -> None:
    redactor = RedactingFilter([TEST_TOKEN])
    record = logging.LogRecord(
        "x", logging.ERROR, __file__, 1, "GET %s failed", (f"https://h/bot{TEST_TOKEN}/getMe",), None
    )
    try:
        raise RuntimeError(f"boom https://h/bot{TEST_TOKEN.replace(':', '%3A')}/x")
    except RuntimeError as exc:
        record.exc_info = (type(exc), exc, exc.__traceback__)
    assert redactor.filter(record)
    formatted = logging.Formatter().format(record)
    assert TEST_TOKEN not in formatted
    assert TEST_TOKEN.replace(":", "%3A") not in formatted
    assert REDACTED in formatted
    assert "GET https://h/bot<TOKEN>/getMe failed" in formatted


def test_guarded_secrets_are_redacted_when_a_record_is_created(caplog: pytest.LogCaptureFixture) -> None:
    secret = "654321:another-secret-for-this-test"
    guard_secrets([None, "", secret])
    assert redact(f"/bot{secret}/getMe") == f"/bot{REDACTED}/getMe"
    url = [f"https://h/bot{secret}/getFile"]
    with caplog.at_level(logging.DEBUG, logger="sanad.test"):
        logging.getLogger("sanad.test").debug("asked %s", url)
        url[0] = "changed after the call"  # the message was frozen when the record was made
    assert [record.getMessage() for record in caplog.records] == [
        f"asked ['https://h/bot{REDACTED}/getFile']"
    ]
    assert any(isinstance(f, RedactingFilter) for h in logging.getLogger().handlers for f in h.filters)


def test_configure_logging_quiets_the_http_clients_and_page_parsers(levels: None) -> None:
    configure_logging()
    assert logging.getLogger("httpx").level == logging.WARNING
    assert logging.getLogger("httpcore").level == logging.WARNING
    assert logging.getLogger("trafilatura").level == logging.CRITICAL


def test_sanad_run_sets_up_logging_before_the_bot_starts(
    levels: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TEST_TOKEN)
    seen: list[int] = []

    def run_bot(settings: Any) -> None:
        seen.append(logging.getLogger("httpx").level)

    monkeypatch.setattr(bot.app, "run_bot", run_bot)
    for name in QUIETED:
        logging.getLogger(name).setLevel(logging.NOTSET)
    assert main(["--config", str(REPO / "config.toml"), "run"]) == 0
    assert seen == [logging.WARNING]
