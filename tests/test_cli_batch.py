"""`sanad ingest` with several raw files, and progress bars (stderr, on a terminal or with --progress)."""

from __future__ import annotations

import argparse
import io
import shutil
from pathlib import Path

import pytest

from bot import cli
from retrieval.corpus import parse_article
from tests.test_cli import REPO, assert_one_line_error, sanad

RAW = sorted((REPO / "corpus" / "raw").glob("*.txt"))


def relative(paths: list[Path]) -> list[str]:
    return [str(path.relative_to(REPO)) for path in paths]


def test_several_files_become_one_article_each(tmp_path: Path) -> None:
    result = sanad("ingest", *relative(RAW), "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    for raw in RAW:
        written = tmp_path / f"{raw.stem}.md"
        curated = REPO / "corpus" / "articles" / written.name
        assert parse_article(written.read_text(encoding="utf-8"), written.name) == parse_article(
            curated.read_text(encoding="utf-8"), curated.name
        )
    wrote = [line for line in result.stdout.splitlines() if line.startswith("wrote ")]
    assert len(wrote) == len(RAW)
    assert result.stdout.splitlines()[-1] == f"{len(RAW)} articles written to {tmp_path}"
    removed = [line for line in result.stderr.splitlines() if "removed line " in line]
    assert removed
    assert all(line.split(": removed line ")[0] in relative(RAW) for line in removed)
    assert "Ingesting" not in result.stderr  # stderr is not a terminal here


def test_one_file_keeps_its_messages(tmp_path: Path) -> None:
    result = sanad("ingest", *relative(RAW[2:3]), "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0].startswith(f"wrote {tmp_path / RAW[2].stem}.md: «")
    assert result.stdout.splitlines()[1].endswith(" lines removed (listed on stderr)")
    assert len(result.stdout.splitlines()) == 2
    assert all(line.startswith("removed line ") for line in result.stderr.splitlines())


def test_progress_flag_shows_the_bar_on_stderr(tmp_path: Path) -> None:
    result = sanad("--progress", "ingest", *relative(RAW[:2]), "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "Ingesting" in result.stderr
    assert "Ingesting" not in result.stdout


def test_nothing_is_written_when_one_target_exists(tmp_path: Path) -> None:
    existing = tmp_path / f"{RAW[3].stem}.md"
    existing.write_text("edited by hand\n", encoding="utf-8")
    line = assert_one_line_error(sanad("ingest", *relative(RAW), "--out", str(tmp_path)))
    assert "--force" in line
    assert str(existing) in line
    assert sorted(p.name for p in tmp_path.iterdir()) == [existing.name]
    assert existing.read_text(encoding="utf-8") == "edited by hand\n"
    forced = sanad("ingest", *relative(RAW), "--out", str(tmp_path), "--force")
    assert forced.returncode == 0, forced.stderr
    assert existing.read_text(encoding="utf-8").startswith("+++\n")


def test_a_broken_file_is_named_and_nothing_is_written(tmp_path: Path) -> None:
    empty = tmp_path / "empty_page.txt"
    empty.write_text("", encoding="utf-8")
    out = tmp_path / "out"
    line = assert_one_line_error(sanad("ingest", *relative(RAW[:2]), str(empty), "--out", str(out)))
    assert str(empty) in line
    assert not out.exists()


def test_two_files_with_one_name_are_refused(tmp_path: Path) -> None:
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        shutil.copy(RAW[0], tmp_path / folder / RAW[0].name)
    out = tmp_path / "out"
    first, second = tmp_path / "a" / RAW[0].name, tmp_path / "b" / RAW[0].name
    line = assert_one_line_error(sanad("ingest", str(first), str(second), "--out", str(out)))
    assert "rename one" in line
    assert not out.exists()


def test_id_with_several_files_is_refused(tmp_path: Path) -> None:
    line = assert_one_line_error(sanad("ingest", *relative(RAW[:2]), "--id", "x", "--out", str(tmp_path)))
    assert "--id" in line
    assert list(tmp_path.iterdir()) == []


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_is_on_for_a_terminal_or_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stderr", io.StringIO())
    assert cli._progress(argparse.Namespace(progress=False)) is False
    assert cli._progress(argparse.Namespace(progress=True)) is True
    monkeypatch.setattr("sys.stderr", FakeTerminal())
    assert cli._progress(argparse.Namespace(progress=False)) is True


def test_commands_that_load_the_index_pass_progress_on(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[str, bool]] = []

    def fake_load(path: Path, config: object, *, progress: bool = False) -> object:
        seen.append((Path(path).name, progress))
        raise cli.CliError("stop here")

    monkeypatch.setattr(cli, "load_retriever", fake_load)
    settings = cli.load_settings(REPO / "config.toml", environ={})
    dev = str(REPO / "tests" / "data" / "dev.jsonl")
    parser = cli.build_parser()
    for argv in (
        ["chat"],
        ["ask", "سؤال"],
        ["search"],
        ["eval", dev],
        ["ask", "سؤال", "--corpus", "elsewhere"],
    ):
        for flag in ([], ["--progress"]):
            args = parser.parse_args([*flag, *argv])
            with pytest.raises(cli.CliError, match="stop here"):
                args.handler(args, settings)
    expected = [(name, asked) for name in ("corpus",) * 4 + ("elsewhere",) for asked in (False, True)]
    assert seen == expected
