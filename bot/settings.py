"""config.toml + environment -> one frozen Settings object, read once at start.

Secrets come only from the environment and never appear in a repr:

- ``TELEGRAM_BOT_TOKEN``: the bot's token.
- ``SANAD_LOG_SECRET`` (optional, at least 16 characters): when set, every user and chat id written to
  the conversation log (exchanges, feedback, refused admin attempts, reloads) is replaced by a keyed
  pseudonym, HMAC-SHA256(secret, id) (see ``bot.log.privacy``). Keep the secret stable: with another one the
  same person gets another pseudonym, and ``/forget`` no longer finds their earlier rows.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.log.privacy import MIN_SECRET_CHARS
from retrieval.config import RetrievalConfig


class ConfigError(Exception):
    """The configuration is invalid; the message names the key and how to fix it."""


@dataclass(frozen=True)
class BotSettings:
    token: str | None = field(default=None, repr=False)  # never printed
    snippets: int = 3
    max_question_chars: int = 500
    rate_limit_count: int = 5
    rate_limit_seconds: float = 30.0
    admin_ids: frozenset[int] = frozenset()
    max_upload_bytes: int = 200_000
    max_pending_uploads: int = 3  # per admin: previews waiting for «إضافة» / «إلغاء»
    max_corpus_files: int = 500  # uploads are refused once corpus/articles holds this many .md files
    max_page_bytes: int = 3_000_000  # a fetched or uploaded web page (.html) larger than this is refused
    fetch_timeout_seconds: float = 15.0  # the whole fetch of an admin's link, redirects included
    fetch_private_addresses: bool = False  # let admins' links reach private/loopback/link-local addresses
    mode: str = "polling"
    webhook_url: str = ""
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443
    rate_limiter: bool = True
    base_url: str | None = None
    base_file_url: str | None = None
    reply_attempts: int = 3  # sends of one reply when Telegram certainly did not take it (bot.delivery)
    reply_retry_seconds: float = 1.0  # first wait between them; doubles each time
    request_timeout_seconds: float = 10.0  # read timeout of Bot API calls other than getUpdates
    followup_window_seconds: float = 600.0  # a message this soon after the user's last one may follow it up


@dataclass(frozen=True)
class Settings:
    corpus_path: Path
    database_path: Path
    retention_days: int = 365
    retrieval: RetrievalConfig = field(default_factory=RetrievalConfig)
    bot: BotSettings = field(default_factory=BotSettings)
    log_secret: str | None = field(default=None, repr=False)  # SANAD_LOG_SECRET: pseudonymous log ids
    busy_timeout_ms: int = 5000  # how long one SQLite statement waits for another process's write lock
    write_attempts: int = 4  # tries of one log write that fails with a passing error (bot.log.writer)
    write_retry_seconds: float = 0.5  # first wait between them; doubles each time
    write_queue_limit: int = 10_000  # log writes waiting at most; more are counted as lost


def _section(data: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    value = data.get(name, {})
    if not isinstance(value, Mapping):
        raise ConfigError(f"[{name}] must be a table")
    return value


def _typed(section: Mapping[str, Any], where: str, key: str, kind: type, default: Any) -> Any:
    value = section.get(key, default)
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ConfigError(f"{where}.{key} must be {kind.__name__}, got {value!r}")
    return value


def _bounded(
    section: Mapping[str, Any], where: str, key: str, kind: type, default: Any, *, above: float | None = None
) -> Any:
    """A number at least 1 (int) / at least 0 (float), or more than ``above`` when given; else ConfigError."""
    value = _typed(section, where, key, kind, default)
    if above is not None:
        if value <= above:
            raise ConfigError(f"{where}.{key} must be more than {above:g}, got {value}")
    elif kind is int and value < 1:
        raise ConfigError(f"{where}.{key} must be at least 1, got {value}")
    elif kind is float and value < 0:
        raise ConfigError(f"{where}.{key} must be 0 or more, got {value}")
    return value


def _admin_ids(raw: Any, env: str | None) -> frozenset[int]:
    ids: set[int] = set()
    if not isinstance(raw, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in raw):
        raise ConfigError("bot.admin_ids must be a list of Telegram user ids (integers)")
    ids.update(raw)
    for part in (env or "").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            ids.add(int(part))
        except ValueError:
            raise ConfigError(f"SANAD_ADMIN_IDS must be comma-separated integers, got {part!r}") from None
    return frozenset(ids)


def _flag(value: str, name: str) -> bool:
    lowered = value.strip().lower()
    if lowered in {"on", "true", "1", "yes"}:
        return True
    if lowered in {"off", "false", "0", "no"}:
        return False
    raise ConfigError(f"{name} must be 'on' or 'off', got {value!r}")


def load_settings(path: Path, environ: Mapping[str, str] | None = None) -> Settings:
    """Read ``path`` and apply environment overrides. Raises ConfigError with a fixable message."""
    env = os.environ if environ is None else environ
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"config file not found: {path} (pass --config PATH)") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from None
    base = path.resolve().parent

    corpus = _section(data, "corpus")
    retrieval = _section(data, "retrieval")
    bot = _section(data, "bot")
    database = _section(data, "database")

    try:
        retrieval_config = RetrievalConfig(
            stemmer=_typed(retrieval, "retrieval", "stemmer", str, "light"),
            k1=_typed(retrieval, "retrieval", "k1", float, 0.9),
            b=_typed(retrieval, "retrieval", "b", float, 0.4),
            top_k=_typed(retrieval, "retrieval", "top_k", int, 10),
            min_coverage=_typed(retrieval, "retrieval", "min_coverage", float, 0.25),
            min_topic_coverage=_typed(retrieval, "retrieval", "min_topic_coverage", float, 0.5),
            context_weight=_typed(retrieval, "retrieval", "context_weight", float, 0.0),
            encoder=_typed(retrieval, "retrieval", "encoder", str, "e5"),
            encoder_weight=_typed(retrieval, "retrieval", "encoder_weight", float, 0.5),
            encoder_depth=_typed(retrieval, "retrieval", "encoder_depth", int, 100),
        )
    except ValueError as exc:
        raise ConfigError(f"[retrieval] {exc}") from None

    mode = _typed(bot, "bot", "mode", str, "polling")
    if mode not in {"polling", "webhook"}:
        raise ConfigError(f"bot.mode must be 'polling' or 'webhook', got {mode!r}")
    webhook_url = _typed(bot, "bot", "webhook_url", str, "")
    if mode == "webhook" and not webhook_url.startswith("https://"):
        raise ConfigError("bot.webhook_url must be an https:// URL when bot.mode is 'webhook'")
    rate_limiter = _typed(bot, "bot", "rate_limiter", bool, True)
    if "SANAD_RATE_LIMITER" in env:
        rate_limiter = _flag(env["SANAD_RATE_LIMITER"], "SANAD_RATE_LIMITER")
    positive = {
        "snippets": _bounded(bot, "bot", "snippets", int, 3),
        "max_question_chars": _bounded(bot, "bot", "max_question_chars", int, 500),
        "rate_limit_count": _bounded(bot, "bot", "rate_limit_count", int, 5),
        "max_upload_bytes": _bounded(bot, "bot", "max_upload_bytes", int, 200_000),
        "max_pending_uploads": _bounded(bot, "bot", "max_pending_uploads", int, 3),
        "max_corpus_files": _bounded(bot, "bot", "max_corpus_files", int, 500),
        "max_page_bytes": _bounded(bot, "bot", "max_page_bytes", int, 3_000_000),
    }
    reply_attempts = _bounded(bot, "bot", "reply_attempts", int, 3)
    reply_retry_seconds = _bounded(bot, "bot", "reply_retry_seconds", float, 1.0)
    request_timeout_seconds = _bounded(bot, "bot", "request_timeout_seconds", float, 10.0, above=0)
    rate_limit_seconds = _bounded(bot, "bot", "rate_limit_seconds", float, 30.0, above=0)
    fetch_timeout_seconds = _bounded(bot, "bot", "fetch_timeout_seconds", float, 15.0, above=0)
    followup_window_seconds = _bounded(bot, "bot", "followup_window_seconds", float, 600.0)
    webhook_port = _typed(bot, "bot", "webhook_port", int, 8443)
    if not 1 <= webhook_port <= 65535:
        raise ConfigError(f"bot.webhook_port must be a TCP port (1-65535), got {webhook_port}")
    token = env.get("TELEGRAM_BOT_TOKEN", "").strip() or None
    bot_settings = BotSettings(
        token=token,
        rate_limit_seconds=rate_limit_seconds,
        admin_ids=_admin_ids(bot.get("admin_ids", []), env.get("SANAD_ADMIN_IDS")),
        mode=mode,
        webhook_url=webhook_url,
        webhook_listen=_typed(bot, "bot", "webhook_listen", str, "127.0.0.1"),
        webhook_port=webhook_port,
        rate_limiter=rate_limiter,
        base_url=env.get("SANAD_TELEGRAM_BASE_URL") or None,
        base_file_url=env.get("SANAD_TELEGRAM_BASE_FILE_URL") or None,
        reply_attempts=reply_attempts,
        reply_retry_seconds=reply_retry_seconds,
        request_timeout_seconds=request_timeout_seconds,
        fetch_timeout_seconds=fetch_timeout_seconds,
        fetch_private_addresses=_typed(bot, "bot", "fetch_private_addresses", bool, False),
        followup_window_seconds=followup_window_seconds,
        **positive,
    )

    corpus_path = base / _typed(corpus, "corpus", "path", str, "corpus")
    db_raw = env.get("SANAD_DATABASE") or _typed(database, "database", "path", str, "data/sanad.sqlite3")
    retention = _typed(database, "database", "retention_days", int, 365)
    if retention < 0:
        raise ConfigError("database.retention_days must be 0 (keep everything) or more")
    writes = {
        "busy_timeout_ms": _bounded(database, "database", "busy_timeout_ms", int, 5000),
        "write_attempts": _bounded(database, "database", "write_attempts", int, 4),
        "write_queue_limit": _bounded(database, "database", "write_queue_limit", int, 10_000),
    }
    write_retry_seconds = _bounded(database, "database", "write_retry_seconds", float, 0.5)
    log_secret = env.get("SANAD_LOG_SECRET") or None
    if log_secret is not None and len(log_secret) < MIN_SECRET_CHARS:
        raise ConfigError(
            f"SANAD_LOG_SECRET must be at least {MIN_SECRET_CHARS} characters long "
            "(for example the output of: python -c 'import secrets; print(secrets.token_urlsafe(32))')"
        )
    return Settings(
        corpus_path=corpus_path,
        database_path=(base / db_raw) if not Path(db_raw).is_absolute() else Path(db_raw),
        retention_days=retention,
        retrieval=retrieval_config,
        bot=bot_settings,
        log_secret=log_secret,
        write_retry_seconds=write_retry_seconds,
        **writes,
    )
