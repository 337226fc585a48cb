"""Shared fixtures: a temp copy of the bundled corpus and Settings loaded from a temp config.toml."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.settings import Settings, load_settings

REPO = Path(__file__).resolve().parents[1]
TEST_TOKEN = "123456:TEST-token-for-the-fake-api"

MakeSettings = Callable[..., Settings]


@pytest.fixture
def corpus_copy(tmp_path: Path) -> Path:
    """A private copy of corpus/ (articles, lexicon, examples; not the raw pages) to modify freely."""
    target = tmp_path / "corpus"
    shutil.copytree(REPO / "corpus", target, ignore=shutil.ignore_patterns("raw"))
    return target


@pytest.fixture
def make_settings(tmp_path: Path, corpus_copy: Path) -> MakeSettings:
    """Settings from the project's own config.toml, placed next to the temp corpus (temp DB too).

    Keyword arguments become environment overrides: ``token``, ``admin_ids`` (comma-separated),
    ``base_url``, ``base_file_url``, ``rate_limiter`` ("on"/"off"); ``env`` adds any other variables
    (e.g. ``{"SANAD_LOG_SECRET": ...}``); ``config_replace`` replaces text of config.toml.
    """

    def make(
        *,
        token: str | None = TEST_TOKEN,
        admin_ids: str = "",
        base_url: str | None = None,
        base_file_url: str | None = None,
        rate_limiter: str = "on",
        config_replace: dict[str, str] | None = None,
        env: dict[str, str] | None = None,
    ) -> Settings:
        text = (REPO / "config.toml").read_text(encoding="utf-8")
        for old, new in (config_replace or {}).items():
            if old not in text:
                raise AssertionError(f"{old!r} is not in config.toml")
            text = text.replace(old, new)
        config = tmp_path / "config.toml"
        config.write_text(text, encoding="utf-8")
        environ = {"SANAD_RATE_LIMITER": rate_limiter}
        if token:
            environ["TELEGRAM_BOT_TOKEN"] = token
        if admin_ids:
            environ["SANAD_ADMIN_IDS"] = admin_ids
        if base_url:
            environ["SANAD_TELEGRAM_BASE_URL"] = base_url
        if base_file_url:
            environ["SANAD_TELEGRAM_BASE_FILE_URL"] = base_file_url
        environ.update(env or {})
        settings = load_settings(config, environ=environ)
        assert settings.corpus_path == corpus_copy
        assert settings.database_path.is_relative_to(tmp_path)
        return settings

    return make
