"""config.toml + environment -> one frozen Settings object, read once at start.

Each setting is one dataclass field that holds its default and its bounds: ``setting(default, at_least=1)``
in ``BotSettings`` (the [bot] table) and ``Settings`` (with its key: [corpus] and [database]), and
``RetrievalConfig``'s fields for [retrieval] (it checks its own values). ``load_settings`` reads every
field from config.toml by its type and bounds; a key the file leaves out keeps the default. The committed
config.toml documents each key with its default (tests/test_settings.py checks both agree).

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
from collections.abc import Iterator, Mapping
from dataclasses import MISSING, Field, dataclass, field, fields, is_dataclass, replace
from pathlib import Path
from typing import Any, TypeVar, get_origin, get_type_hints

from bot.log.privacy import MIN_SECRET_CHARS
from retrieval.config import RetrievalConfig


class ConfigError(Exception):
    """The configuration is invalid; the message names the key and how to fix it."""


# --- how a field is read -------------------------------------------------------------------------------

_RULE = "sanad.rule"  # field metadata: the Rule of a setting read from config.toml
_ENVIRONMENT = "sanad.environment"  # field metadata: the variable a field is set from instead


@dataclass(frozen=True)
class Rule:
    """How one setting is read from config.toml: its key, and the values it may take.

    The value must have the field's type (an integer is taken where a float is expected; a ``Path`` is
    written as a string, relative to the directory of config.toml; a ``frozenset[int]`` as a list).
    """

    key: str = ""  # "table.key" in config.toml; "" for the field's own name in its dataclass's table
    at_least: float | None = None
    more_than: float | None = None
    at_most: float | None = None
    choices: tuple[str, ...] = ()
    what: str = ""  # what the value must be, for the error message ("a TCP port (1-65535)")

    def bound_error(self, value: Any) -> str | None:
        """What is wrong with a value of the right type ("must be at least 1, got 0"), or None."""
        if self.choices and value not in self.choices:
            return f"must be {' or '.join(map(repr, self.choices))}, got {value!r}"
        if self.more_than is not None and value <= self.more_than:
            return f"must be more than {self.more_than:g}, got {value}"
        if self.at_least is not None and value < self.at_least:
            floor = "0 or more" if self.at_least == 0 else f"at least {self.at_least:g}"
            return f"must be {floor}, got {value}"
        if self.at_most is not None and value > self.at_most:
            return f"must be at most {self.at_most:g}, got {value}"
        return None


def setting(
    default: Any,
    *,
    key: str = "",
    at_least: float | None = None,
    more_than: float | None = None,
    at_most: float | None = None,
    choices: tuple[str, ...] = (),
    what: str = "",
) -> Any:
    """A field read from config.toml: its default and its bounds, declared once, here."""
    rule = Rule(key, at_least, more_than, at_most, choices, what)
    return field(default=default, metadata={_RULE: rule})


def from_environment(variable: str, *, secret: bool = False) -> Any:
    """A field set from the environment variable ``variable`` only (``load_settings``), never from
    config.toml; a ``secret`` one never appears in a repr."""
    return field(default=None, repr=not secret, metadata={_ENVIRONMENT: variable})


# --- the settings ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BotSettings:
    """The [bot] table (config.toml says what each setting does), and the secrets and Bot API server URLs
    from the environment."""

    token: str | None = from_environment("TELEGRAM_BOT_TOKEN", secret=True)  # never printed
    snippets: int = setting(3, at_least=1)
    max_question_chars: int = setting(500, at_least=1)
    rate_limit_count: int = setting(5, at_least=1)
    rate_limit_seconds: float = setting(30.0, more_than=0)
    admin_ids: frozenset[int] = setting(frozenset(), what="a list of Telegram user ids (integers)")
    max_upload_bytes: int = setting(200_000, at_least=1)
    max_pending_uploads: int = setting(3, at_least=1)  # per admin: previews waiting for «إضافة» / «إلغاء»
    max_corpus_files: int = setting(500, at_least=1)  # .md files in corpus/articles before uploads stop
    max_page_bytes: int = setting(3_000_000, at_least=1)  # a larger fetched or uploaded web page is refused
    fetch_timeout_seconds: float = setting(15.0, more_than=0)  # an admin's link, redirects included
    fetch_private_addresses: bool = setting(False)  # let links reach private/loopback/link-local addresses
    mode: str = setting("polling", choices=("polling", "webhook"))
    webhook_url: str = setting("")
    webhook_listen: str = setting("127.0.0.1")
    webhook_port: int = setting(8443, at_least=1, at_most=65535, what="a TCP port (1-65535)")
    rate_limiter: bool = setting(True)
    base_url: str | None = from_environment("SANAD_TELEGRAM_BASE_URL")
    base_file_url: str | None = from_environment("SANAD_TELEGRAM_BASE_FILE_URL")
    reply_attempts: int = setting(3, at_least=1)  # sends of one reply Telegram certainly did not take
    reply_retry_seconds: float = setting(1.0, at_least=0)  # first wait between them; doubles each time
    request_timeout_seconds: float = setting(10.0, more_than=0)  # Bot API calls other than getUpdates
    followup_window_seconds: float = setting(600.0, at_least=0)  # how soon a message may follow one up


@dataclass(frozen=True)
class Settings:
    """Everything ``load_settings`` reads. Paths are relative to the directory of config.toml."""

    # setting() returns a dataclasses.field (ruff only knows the built-in immutable types)
    corpus_path: Path = setting(Path("corpus"), key="corpus.path")  # noqa: RUF009
    # SANAD_DATABASE replaces database.path
    database_path: Path = setting(Path("data/sanad.sqlite3"), key="database.path")  # noqa: RUF009
    retention_days: int = setting(
        365, key="database.retention_days", at_least=0, what="0 (keep everything) or more"
    )
    retrieval: RetrievalConfig = field(default_factory=RetrievalConfig)  # the [retrieval] table
    bot: BotSettings = field(default_factory=BotSettings)  # the [bot] table
    log_secret: str | None = from_environment("SANAD_LOG_SECRET", secret=True)  # pseudonymous log ids
    # How long one SQLite statement waits for another process's write lock.
    busy_timeout_ms: int = setting(5000, key="database.busy_timeout_ms", at_least=1)
    # Tries of one log write that fails with a passing error (bot.log.writer), and the first wait between
    # them (it doubles each time).
    write_attempts: int = setting(4, key="database.write_attempts", at_least=1)
    write_retry_seconds: float = setting(0.5, key="database.write_retry_seconds", at_least=0)
    # Log writes waiting at most; more are counted as lost.
    write_queue_limit: int = setting(10_000, key="database.write_queue_limit", at_least=1)


# --- the loader ------------------------------------------------------------------------------------------

T = TypeVar("T")


def _table(data: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    value = data.get(name, {})
    if not isinstance(value, Mapping):
        raise ConfigError(f"[{name}] must be a table")
    return value


def _typed(key: str, value: Any, kind: Any) -> Any:
    """``value`` as the field type ``kind``, or ConfigError naming the type."""
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if get_origin(kind) is frozenset:  # frozenset[int], written as a list of integers
        if isinstance(value, list) and all(isinstance(i, int) and not isinstance(i, bool) for i in value):
            return frozenset(value)
        raise ConfigError(f"{key} must be a list of integers, got {value!r}")
    expected = str if kind is Path else kind
    if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
        raise ConfigError(f"{key} must be {expected.__name__}, got {value!r}")
    return Path(value) if kind is Path else value


def _checked(key: str, raw: Any, kind: Any, rule: Rule) -> Any:
    """config.toml's ``raw`` value of ``key`` as the field type ``kind``, within ``rule``'s bounds; else
    ConfigError saying what the value must be."""
    try:
        value = _typed(key, raw, kind)
    except ConfigError:
        if rule.what:
            raise ConfigError(f"{key} must be {rule.what}, got {raw!r}") from None
        raise
    problem = rule.bound_error(value)
    if problem is not None:
        raise ConfigError(f"{key} must be {rule.what}, got {value!r}" if rule.what else f"{key} {problem}")
    return value


def _config_fields(cls: Any, table: str) -> Iterator[tuple[Field[Any], Any, str, Rule]]:
    """The fields of the settings dataclass ``cls`` that config.toml sets, each with its type, its key
    ("bot.snippets"; for a dataclass field, the name of its table) and its rule."""
    hints = get_type_hints(cls)
    for item in fields(cls):
        if _ENVIRONMENT in item.metadata:
            continue
        kind = hints[item.name]
        rule = item.metadata.get(_RULE, Rule())
        yield item, kind, rule.key or (item.name if is_dataclass(kind) else f"{table}.{item.name}"), rule


def _read(cls: type[T], data: Mapping[str, Any], table: str, base: Path) -> T:
    """The settings dataclass ``cls`` from config.toml's ``data``: each field from its key, checked
    against its type and rule, else its default; a dataclass field from its own table. A ValueError from
    ``cls`` itself (``RetrievalConfig`` checks its values) names the table."""
    values: dict[str, Any] = {}
    for item, kind, key, rule in _config_fields(cls, table):
        if is_dataclass(kind):
            values[item.name] = _read(kind, data, key, base)  # type: ignore[arg-type]
            continue
        table_name, name = key.rsplit(".", 1)
        section = _table(data, table_name)
        if name in section:
            value = _checked(key, section[name], kind, rule)
        elif item.default is not MISSING:
            value = item.default
        else:
            continue
        values[item.name] = base / value if kind is Path else value
    try:
        return cls(**values)
    except ValueError as exc:
        raise ConfigError(f"[{table}] {exc}") from None


def config_keys(cls: Any = Settings, table: str = "") -> dict[str, Any]:
    """Every key config.toml may set ("bot.snippets"), with its default as config.toml writes it (the
    committed config.toml documents each one with that value: tests/test_settings.py)."""
    keys: dict[str, Any] = {}
    for item, kind, key, _rule in _config_fields(cls, table):
        if is_dataclass(kind):
            keys.update(config_keys(kind, key))
        else:
            keys[key] = _as_written(item.default)
    return keys


def _as_written(default: Any) -> Any:
    """A default as config.toml writes it: a path as a string, a set of ids as a sorted list."""
    if isinstance(default, Path):
        return str(default)
    if isinstance(default, frozenset):
        return sorted(default)
    return default


def _added_admin_ids(value: str | None) -> frozenset[int]:
    """SANAD_ADMIN_IDS: comma-separated Telegram user ids, added to ``bot.admin_ids``."""
    ids: set[int] = set()
    for part in (value or "").split(","):
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
    if env.get("SANAD_DATABASE"):  # replaces database.path (relative to the directory of config.toml too)
        data = {**data, "database": {**_table(data, "database"), "path": env["SANAD_DATABASE"]}}
    settings = _read(Settings, data, "", base)
    bot = settings.bot
    if bot.mode == "webhook" and not bot.webhook_url.startswith("https://"):
        raise ConfigError("bot.webhook_url must be an https:// URL when bot.mode is 'webhook'")
    rate_limiter = bot.rate_limiter
    if "SANAD_RATE_LIMITER" in env:
        rate_limiter = _flag(env["SANAD_RATE_LIMITER"], "SANAD_RATE_LIMITER")
    bot = replace(
        bot,
        token=env.get("TELEGRAM_BOT_TOKEN", "").strip() or None,
        admin_ids=bot.admin_ids | _added_admin_ids(env.get("SANAD_ADMIN_IDS")),
        rate_limiter=rate_limiter,
        base_url=env.get("SANAD_TELEGRAM_BASE_URL") or None,
        base_file_url=env.get("SANAD_TELEGRAM_BASE_FILE_URL") or None,
    )
    log_secret = env.get("SANAD_LOG_SECRET") or None
    if log_secret is not None and len(log_secret) < MIN_SECRET_CHARS:
        raise ConfigError(
            f"SANAD_LOG_SECRET must be at least {MIN_SECRET_CHARS} characters long "
            "(for example the output of: python -c 'import secrets; print(secrets.token_urlsafe(32))')"
        )
    return replace(settings, bot=bot, log_secret=log_secret)
