"""retrieval/ is pure search: none of its modules imports telegram or any SQLite module."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
RETRIEVAL = REPO / "retrieval"
FORBIDDEN = {"telegram", "aiosqlite", "sqlite3"}
MODULES = sorted(RETRIEVAL.rglob("*.py"))  # subpackages too


def dotted(module: Path) -> str:
    """``retrieval.index.cache`` for ``retrieval/index/cache.py``; a package by its ``__init__``."""
    parts = module.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_roots(source: str) -> set[str]:
    """Top-level package of every import and from-import anywhere in ``source`` (functions included)."""
    roots: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_the_import_scanner_sees_nested_and_dotted_imports() -> None:
    source = "import os.path\ndef f():\n    from telegram.ext import Application\n    import sqlite3 as db\n"
    assert imported_roots(source) == {"os", "telegram", "sqlite3"}


def test_retrieval_has_modules_to_check() -> None:
    names = {dotted(m).removeprefix("retrieval.") for m in MODULES}
    assert names >= {"text", "segment", "index", "index.cache", "answer", "evaluate", "corpus"}


@pytest.mark.parametrize("module", MODULES, ids=dotted)
def test_retrieval_module_imports_neither_telegram_nor_sqlite(module: Path) -> None:
    assert imported_roots(module.read_text(encoding="utf-8")) & FORBIDDEN == set()


def test_importing_all_of_retrieval_loads_neither_telegram_nor_sqlite() -> None:
    names = [dotted(m) for m in MODULES]
    code = (
        "import importlib, sys\n"
        f"for name in {names!r}:\n"
        "    importlib.import_module(name)\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {sorted(FORBIDDEN)!r}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
