"""Settings: config.toml plus environment overrides, fixable errors, and a token that never shows."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from bot.settings import ConfigError, Settings, config_keys, load_settings
from retrieval.config import STEMMERS, RetrievalConfig

REPO = Path(__file__).resolve().parents[1]
TOKEN = "123456789:AAEhBP0av28pWXuo-nUSQ3ZfPr-SecretToken"


def settings_from(tmp_path: Path, text: str = "", **env: str) -> Settings:
    config = tmp_path / "config.toml"
    config.write_text(text, encoding="utf-8")
    return load_settings(config, environ=env)


# --- the committed config.toml -----------------------------------------------------------------------


def test_committed_config_loads_with_the_documented_values() -> None:
    settings = load_settings(REPO / "config.toml", environ={})
    assert settings.corpus_path == REPO / "corpus"
    assert settings.database_path == REPO / "data" / "sanad.sqlite3"
    assert settings.retrieval == RetrievalConfig()
    assert settings.bot.token is None
    assert settings.bot.mode == "polling"
    assert settings.bot.rate_limiter is True


def test_committed_config_sets_every_setting_to_its_default() -> None:
    """config.toml documents every setting, with the default the settings dataclasses declare."""
    with (REPO / "config.toml").open("rb") as handle:
        data = tomllib.load(handle)
    written = {f"{table}.{key}": value for table, keys in data.items() for key, value in keys.items()}
    assert written == config_keys()


def test_an_empty_config_gives_the_committed_values(tmp_path: Path) -> None:
    committed = load_settings(REPO / "config.toml", environ={})
    defaults = settings_from(tmp_path)
    assert committed.retrieval == defaults.retrieval
    assert committed.bot == defaults.bot
    assert committed.retention_days == defaults.retention_days
    assert committed.database_path.relative_to(REPO) == defaults.database_path.relative_to(tmp_path)


def test_committed_config_holds_no_token() -> None:
    text = (REPO / "config.toml").read_text(encoding="utf-8")
    assert not re.search(r"\d{6,}:[A-Za-z0-9_-]{30,}", text)
    assert not re.search(r"^\s*(token|bot_token|telegram_bot_token)\s*=", text, re.MULTILINE | re.IGNORECASE)


def test_every_committed_setting_has_a_comment() -> None:
    """Rule: a run of consecutive `key = value` lines must have a `#` line directly above its first key.

    So each key is either commented right above, or belongs to a block of keys (no blank line between
    them) whose first key is.
    """
    lines = (REPO / "config.toml").read_text(encoding="utf-8").splitlines()
    is_key = [bool(re.match(r"^[A-Za-z_][\w-]*\s*=", line)) for line in lines]
    uncommented = []
    for number, line in enumerate(lines):
        if not is_key[number]:
            continue
        first = number
        while first > 0 and is_key[first - 1]:
            first -= 1
        if first == 0 or not lines[first - 1].lstrip().startswith("#"):
            uncommented.append(line)
    assert sum(is_key) > 10
    assert uncommented == []


# --- environment overrides ---------------------------------------------------------------------------


def test_defaults_when_the_file_is_empty(tmp_path: Path) -> None:
    settings = settings_from(tmp_path)
    assert settings.corpus_path == tmp_path / "corpus"
    assert settings.database_path == tmp_path / "data" / "sanad.sqlite3"
    assert settings.retention_days == 365
    assert settings.bot.admin_ids == frozenset()
    assert (settings.bot.base_url, settings.bot.base_file_url) == (None, None)


def test_token_comes_from_the_environment(tmp_path: Path) -> None:
    assert settings_from(tmp_path, TELEGRAM_BOT_TOKEN=f"  {TOKEN} ").bot.token == TOKEN
    assert settings_from(tmp_path, TELEGRAM_BOT_TOKEN="   ").bot.token is None


def test_token_never_appears_in_repr(tmp_path: Path) -> None:
    settings = settings_from(tmp_path, TELEGRAM_BOT_TOKEN=TOKEN)
    assert TOKEN not in repr(settings)
    assert TOKEN not in str(settings)
    assert TOKEN not in repr(settings.bot)
    assert "SecretToken" not in repr(settings)


def test_admin_ids_from_the_environment_add_to_the_file(tmp_path: Path) -> None:
    settings = settings_from(tmp_path, "[bot]\nadmin_ids = [7]\n", SANAD_ADMIN_IDS=" 11, 22 ,33,, ")
    assert settings.bot.admin_ids == frozenset({7, 11, 22, 33})


def test_admin_ids_that_are_not_integers_name_the_variable(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"SANAD_ADMIN_IDS.*'abc'"):
        settings_from(tmp_path, SANAD_ADMIN_IDS="12,abc")


def test_database_from_the_environment(tmp_path: Path) -> None:
    relative = settings_from(tmp_path, '[database]\npath = "x.sqlite3"\n', SANAD_DATABASE="logs/y.sqlite3")
    assert relative.database_path == tmp_path / "logs" / "y.sqlite3"
    absolute = tmp_path / "elsewhere" / "z.sqlite3"
    assert settings_from(tmp_path, SANAD_DATABASE=str(absolute)).database_path == absolute


def test_bot_api_server_urls_from_the_environment(tmp_path: Path) -> None:
    settings = settings_from(
        tmp_path,
        SANAD_TELEGRAM_BASE_URL="http://localhost:8081/bot",
        SANAD_TELEGRAM_BASE_FILE_URL="http://localhost:8081/file/bot",
    )
    assert settings.bot.base_url == "http://localhost:8081/bot"
    assert settings.bot.base_file_url == "http://localhost:8081/file/bot"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("on", True), ("off", False), ("OFF", False), (" true ", True), ("0", False), ("yes", True)],
)
def test_rate_limiter_switch_from_the_environment(tmp_path: Path, value: str, expected: bool) -> None:
    flipped = "false" if expected else "true"
    settings = settings_from(tmp_path, f"[bot]\nrate_limiter = {flipped}\n", SANAD_RATE_LIMITER=value)
    assert settings.bot.rate_limiter is expected


def test_rate_limiter_switch_rejects_other_values(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"SANAD_RATE_LIMITER must be 'on' or 'off', got 'maybe'"):
        settings_from(tmp_path, SANAD_RATE_LIMITER="maybe")


def test_environment_is_read_from_os_environ_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SANAD_ADMIN_IDS", "5")
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    config = tmp_path / "config.toml"
    config.write_text("", encoding="utf-8")
    settings = load_settings(config)
    assert settings.bot.admin_ids == frozenset({5})
    assert settings.bot.token is None


# --- errors ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param('[retrieval]\nk1 = "x"\n', r"retrieval\.k1 must be float, got 'x'", id="k1-string"),
        pytest.param("[retrieval]\ntop_k = 2.5\n", r"retrieval\.top_k must be int", id="top_k-float"),
        pytest.param("[bot]\nsnippets = true\n", r"bot\.snippets must be int, got True", id="snippets-bool"),
        pytest.param("[bot]\nsnippets = 0\n", r"bot\.snippets must be at least 1", id="snippets-zero"),
        pytest.param('[bot]\nrate_limiter = "off"\n', r"bot\.rate_limiter must be bool", id="flag-string"),
        pytest.param('[bot]\nadmin_ids = ["42"]\n', r"bot\.admin_ids must be a list", id="admin-strings"),
        pytest.param("[bot]\nadmin_ids = 42\n", r"bot\.admin_ids must be a list", id="admin-int"),
        pytest.param("[corpus]\npath = 3\n", r"corpus\.path must be str", id="path-int"),
        pytest.param("[database]\nretention_days = -1\n", r"database\.retention_days", id="retention"),
        pytest.param('bot = "x"\n', r"\[bot\] must be a table", id="section-not-table"),
        pytest.param('[retrieval]\nstemmer = "porter"\n', r"unknown stemmer 'porter'", id="stemmer"),
        pytest.param("[retrieval]\nb = 1.5\n", r"\[retrieval\] b must be between 0 and 1", id="b-range"),
        pytest.param('[bot]\nmode = "push"\n', r"bot\.mode must be 'polling' or 'webhook'", id="mode"),
        pytest.param('[retrieval]\nencoder = "bert"\n', r"unknown encoder 'bert'; choose", id="encoder"),
        pytest.param("[retrieval]\nencoder_weight = 1.5\n", r"encoder_weight must be between", id="weight"),
        pytest.param("[retrieval]\nencoder_depth = 0\n", r"encoder_depth must be at least 1", id="depth"),
        pytest.param(
            "[bot]\nwebhook_port = 70000\n",
            r"webhook_port must be a TCP port \(1-65535\)",
            id="port",
        ),
        pytest.param(
            "[database]\nretention_days = -1\n",
            r"0 \(keep everything\) or more, got -1",
            id="keep",
        ),
        pytest.param(
            "[bot]\nreply_retry_seconds = -1\n",
            r"reply_retry_seconds must be 0 or more",
            id="wait",
        ),
        pytest.param(
            "[bot]\nrequest_timeout_seconds = 0\n",
            r"timeout_seconds must be more than 0",
            id="timeout",
        ),
        pytest.param(
            "[database]\nwrite_queue_limit = 1.5\n",
            r"write_queue_limit must be int, got 1\.5",
            id="queue",
        ),
    ],
)
def test_wrong_values_raise_config_error_naming_the_key(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        settings_from(tmp_path, text)


def test_the_encoder_is_on_by_default_and_can_be_switched_off(tmp_path: Path) -> None:
    assert settings_from(tmp_path).retrieval.encoder == "e5"
    assert load_settings(REPO / "config.toml", environ={}).retrieval.encoder == "e5"
    assert settings_from(tmp_path, '[retrieval]\nencoder = "none"\n').retrieval.encoder == "none"


def test_bad_stemmer_lists_the_valid_choices(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        settings_from(tmp_path, '[retrieval]\nstemmer = "porter"\n')
    assert all(name in str(caught.value) for name in STEMMERS)


@pytest.mark.parametrize("url", ["", "http://bot.example.org/hook"])
def test_webhook_mode_needs_an_https_url(tmp_path: Path, url: str) -> None:
    with pytest.raises(ConfigError, match=r"bot\.webhook_url must be an https:// URL"):
        settings_from(tmp_path, f'[bot]\nmode = "webhook"\nwebhook_url = "{url}"\n')


def test_webhook_mode_with_https_is_accepted(tmp_path: Path) -> None:
    settings = settings_from(
        tmp_path, '[bot]\nmode = "webhook"\nwebhook_url = "https://bot.example.org/hook"\n'
    )
    assert settings.bot.mode == "webhook"


def test_integers_are_accepted_where_floats_are_expected(tmp_path: Path) -> None:
    settings = settings_from(tmp_path, "[retrieval]\nk1 = 1\n[bot]\nrate_limit_seconds = 60\n")
    assert settings.retrieval.k1 == 1.0
    assert isinstance(settings.retrieval.k1, float)
    assert settings.bot.rate_limit_seconds == 60.0


def test_missing_file_says_how_to_fix_it(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"config file not found: .*--config"):
        load_settings(tmp_path / "nope.toml", environ={})


def test_invalid_toml_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"config\.toml is not valid TOML"):
        settings_from(tmp_path, "[retrieval\n")


def test_rate_limit_window_must_be_positive(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"bot\.rate_limit_seconds"):
        settings_from(tmp_path, "[bot]\nrate_limit_seconds = 0\n")
