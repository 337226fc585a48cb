"""The `sanad` command line, run for real in a subprocess (`python -m bot`) from the repository root."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from bot import phrases
from bot.cli import build_parser
from retrieval.corpus import parse_article

REPO = Path(__file__).resolve().parents[1]
RAW_002 = next((REPO / "corpus" / "raw").glob("002_*.txt"))
CONTRACT_KEYS = {"question", "declined", "missing_terms", "results"}
RESULT_KEYS = {"text", "score", "doc_id", "title", "outlet", "published", "sentence_id"}


def sanad(
    *args: str, stdin: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `python -m bot ARGS` with no Telegram token and none of the SANAD_* overrides."""
    clean = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN" and not k.startswith("SANAD_")}
    clean["PYTHONUTF8"] = "1"
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=REPO,
        env=clean | (env or {}),
        input=stdin,
        stdin=None if stdin is not None else subprocess.DEVNULL,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        check=False,
    )


def assert_one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("sanad: error: ")
    return lines[0]


# --- ask ---------------------------------------------------------------------------------------------


def test_ask_prints_cited_arabic_snippets_and_sources() -> None:
    result = sanad("ask", "متى بدأت الاحتجاجات في كازاخستان؟")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert "بدأت أعمال الاحتجاج" in result.stdout
    assert "[1]" in result.stdout
    assert "المصادر:" in result.stdout
    sources = result.stdout.split("المصادر:", 1)[1]
    assert sources.strip().startswith("[1] ")


def test_ask_joins_the_words_of_an_unquoted_question() -> None:
    result = sanad("ask", "متى", "بدأت", "الاحتجاجات؟")
    assert result.returncode == 0
    assert "المصادر:" in result.stdout


def test_ask_an_unanswerable_question_prints_the_decline() -> None:
    result = sanad("ask", "ما موقف الصين من أحداث كازاخستان؟")
    assert result.returncode == 0
    assert result.stdout.startswith("لا تذكر المصادر المتاحة: الصين")
    assert "المصادر:" not in result.stdout


@pytest.mark.parametrize("question", ["؟؟", "من هو؟"])
def test_ask_without_searchable_words_is_a_one_line_error(question: str) -> None:
    assert_one_line_error(sanad("ask", question))


# --- search --json -----------------------------------------------------------------------------------


def search_rows(*args: str, stdin: str) -> list[dict[str, object]]:
    result = sanad("search", "--json", *args, stdin=stdin)
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_search_json_prints_one_contract_row_per_question() -> None:
    rows = search_rows(stdin="متى بدأت الاحتجاجات؟\n\nما موقف الصين؟\n")
    assert len(rows) == 2
    answered, declined = rows
    for row in rows:
        # a declined row also carries "related" (its closest sentences), shaped like results
        assert set(row) == CONTRACT_KEYS | ({"related"} if row["declined"] else set())
        assert all(set(r) == RESULT_KEYS for r in row.get("related", []))
        assert isinstance(row["declined"], bool)
        assert isinstance(row["missing_terms"], list)
        assert isinstance(row["results"], list)
    assert answered["question"] == "متى بدأت الاحتجاجات؟"
    assert answered["declined"] is False
    assert answered["results"]
    assert declined == {
        "question": "ما موقف الصين؟",
        "declined": True,
        "missing_terms": ["الصين"],
        "results": [],
        "related": [],
    }


def test_search_row_carries_related_sentences_only_with_a_decline() -> None:
    from bot.cli import search_row
    from retrieval.models import Answer, Citation, Hit, Sentence

    citation = (Citation("a", "عنوان", None, None, None),)
    hit = Hit(Sentence("a", 1, 0, "أعلنت الحكومة استقالتها."), 2.5, citation)
    declined = search_row(Answer("من رئيس الوزراء الجديد؟", (), (), True, ("الجديد",), related=(hit,)))
    assert declined["results"] == []
    assert [r["text"] for r in declined["related"]] == ["أعلنت الحكومة استقالتها."]
    assert set(declined["related"][0]) == RESULT_KEYS
    answered = search_row(Answer("متى استقالت الحكومة؟", (), (hit,), False))
    assert "related" not in answered


def test_search_json_results_have_the_documented_fields_and_types() -> None:
    (row,) = search_rows(stdin="كم قتيلا سقط في مدينة ألماتي؟\n")
    results = row["results"]
    assert isinstance(results, list)
    assert 1 <= len(results) <= 10
    scores = []
    for item in results:
        assert set(item) == RESULT_KEYS
        assert isinstance(item["text"], str)
        assert item["text"]
        assert isinstance(item["score"], float)
        assert isinstance(item["doc_id"], str)
        assert isinstance(item["title"], str)
        assert item["outlet"] is None or isinstance(item["outlet"], str)
        assert item["published"] is None or isinstance(item["published"], str)
        assert isinstance(item["sentence_id"], str)
        assert item["sentence_id"].startswith(item["doc_id"] + ":")
        paragraph, position = item["sentence_id"].removeprefix(item["doc_id"] + ":").split(":")
        assert paragraph.isdigit()
        assert position.isdigit()
        scores.append(item["score"])
        if item["published"] is not None:
            date.fromisoformat(item["published"])
    assert scores == sorted(scores, reverse=True)
    assert "103 من القتلى" in results[0]["text"]
    assert any(item["published"] for item in results)


def test_search_top_k_limits_the_results() -> None:
    (row,) = search_rows("--top-k", "2", stdin="متى بدأت الاحتجاجات في كازاخستان؟\n")
    assert len(row["results"]) == 2


def test_search_timings_adds_ms() -> None:
    timed = search_rows("--timings", stdin="متى بدأت الاحتجاجات؟\n")[0]
    assert set(timed) == CONTRACT_KEYS | {"ms"}
    assert isinstance(timed["ms"], float)
    assert timed["ms"] >= 0
    plain = search_rows(stdin="متى بدأت الاحتجاجات؟\n")[0]
    assert "ms" not in plain


def test_search_json_declines_a_question_without_words_instead_of_failing() -> None:
    rows = search_rows(stdin="؟؟\nمتى بدأت الاحتجاجات؟\n")
    assert rows[0] == {"question": "؟؟", "declined": True, "missing_terms": [], "results": [], "related": []}
    assert rows[1]["declined"] is False


# --- eval --------------------------------------------------------------------------------------------


def test_eval_json_prints_the_metrics() -> None:
    result = sanad("eval", "tests/data/dev.jsonl", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    metrics = {"hit@1", "hit@3", "mrr@10", "unanswerable_declined", "false_declines"}
    counts = {"questions", "answerable", "unanswerable", "sentences"}
    assert metrics | counts | {"floor", "failures"} <= set(report)
    assert report["kind"] == "questions"
    assert report["questions"] == report["answerable"] + report["unanswerable"]
    assert all(0.0 <= report[key] <= 1.0 for key in metrics)
    assert set(report["floor"]) == {"hit@1", "hit@3", "mrr@10"}
    assert isinstance(report["failures"], list)


def test_eval_on_a_missing_file_is_a_one_line_error(tmp_path: Path) -> None:
    line = assert_one_line_error(sanad("eval", str(tmp_path / "missing.jsonl")))
    assert "missing.jsonl" in line


def test_eval_on_a_malformed_question_file_names_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    good = '{"id": "a", "question": "q", "answerable": true, "answers": []}'
    bad.write_text(f"{good}\n{{oops\n", encoding="utf-8")
    assert "line 2" in assert_one_line_error(sanad("eval", str(bad)))


# --- configuration errors ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "named"),
    [
        pytest.param("[retrieval\nk1 = 1\n", "not valid TOML", id="invalid-toml"),
        pytest.param('[retrieval]\nk1 = "high"\n', "retrieval.k1", id="string-for-float"),
        pytest.param("[bot]\nsnippets = true\n", "bot.snippets", id="bool-for-int"),
        pytest.param('[retrieval]\nstemmer = "porter"\n', "stemmer", id="unknown-stemmer"),
        pytest.param('[bot]\nmode = "webhook"\nwebhook_url = "http://x"\n', "webhook_url", id="webhook-http"),
    ],
)
def test_bad_config_is_a_one_line_error_naming_the_problem(tmp_path: Path, text: str, named: str) -> None:
    config = tmp_path / "config.toml"
    config.write_text(text, encoding="utf-8")
    line = assert_one_line_error(sanad("--config", str(config), "ask", "متى بدأت الاحتجاجات؟"))
    assert named in line


def test_missing_config_file_is_a_one_line_error(tmp_path: Path) -> None:
    line = assert_one_line_error(sanad("--config", str(tmp_path / "nope.toml"), "ask", "سؤال"))
    assert "nope.toml" in line


# --- ingest ------------------------------------------------------------------------------------------


def test_ingest_writes_an_article_that_round_trips(tmp_path: Path) -> None:
    result = sanad("ingest", str(RAW_002.relative_to(REPO)), "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    written = tmp_path / f"{RAW_002.stem}.md"
    text = written.read_text(encoding="utf-8")
    article = parse_article(text, written.name)
    assert article.id == RAW_002.stem
    assert article.title == 'بلينكن: انسحاب الروس من كازاخستان سيكون "صعبا جدا"'
    assert article.paragraphs
    curated = REPO / "corpus" / "articles" / written.name
    assert parse_article(curated.read_text(encoding="utf-8"), curated.name) == article
    removed = [line for line in result.stderr.splitlines() if line.startswith("removed line ")]
    assert removed
    assert any("مشاركة" in line for line in removed)
    assert f"{len(removed)} lines removed" in result.stdout


def test_ingest_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    raw = str(RAW_002.relative_to(REPO))
    assert sanad("ingest", raw, "--out", str(tmp_path)).returncode == 0
    written = tmp_path / f"{RAW_002.stem}.md"
    written.write_text("edited by hand\n", encoding="utf-8")
    refused = sanad("ingest", raw, "--out", str(tmp_path))
    assert refused.returncode == 2
    assert "Traceback" not in refused.stderr
    last = refused.stderr.splitlines()[-1]
    assert last.startswith("sanad: error: ")
    assert "--force" in last
    assert written.read_text(encoding="utf-8") == "edited by hand\n"
    forced = sanad("ingest", raw, "--out", str(tmp_path), "--force")
    assert forced.returncode == 0
    assert written.read_text(encoding="utf-8").startswith("+++\n")


# --- chat, run, export -------------------------------------------------------------------------------


def test_chat_answers_and_lists_the_sources() -> None:
    result = sanad("chat", stdin="متى بدأت الاحتجاجات في كازاخستان؟\n/sources\n/quit\nلن يُقرأ هذا\n")
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("المصادر:") == 2  # once under the answer, once for /sources
    answer, listed = result.stdout.rsplit("المصادر:", 1)
    assert "بدأت أعمال الاحتجاج" in answer
    assert "[1] " in answer
    assert listed.strip().startswith("[1] ")
    assert "لن يُقرأ" not in result.stdout


def test_chat_sources_before_any_answer_says_there_is_none() -> None:
    result = sanad("chat", stdin="/sources\n")
    assert result.returncode == 0
    assert phrases.NO_SOURCES in result.stdout


@pytest.mark.parametrize("args", [("run",), ()], ids=["run", "no-command"])
def test_run_without_a_token_opens_the_console_chat_and_exits_at_end_of_input(args: tuple[str, ...]) -> None:
    result = sanad(*args)
    assert result.returncode == 0, result.stderr
    assert "TELEGRAM_BOT_TOKEN" in result.stderr
    assert result.stdout.startswith("سند")


def test_export_without_a_database_is_a_one_line_error(tmp_path: Path) -> None:
    missing = tmp_path / "log.sqlite3"
    line = assert_one_line_error(sanad("export", env={"SANAD_DATABASE": str(missing)}))
    assert "log.sqlite3" in line
    assert not missing.exists()


def test_export_rejects_a_bad_since_date(tmp_path: Path) -> None:
    line = assert_one_line_error(sanad("export", "--since", "yesterday", "--database", str(tmp_path / "x")))
    assert "--since" in line


# --- documentation -----------------------------------------------------------------------------------


def subcommands() -> list[str]:
    parser = build_parser()
    (action,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return sorted(action.choices)


def test_the_parser_has_the_documented_commands() -> None:
    assert subcommands() == sorted(["run", "chat", "ask", "search", "eval", "ingest", "export", "timeline"])


@pytest.mark.parametrize("command", subcommands())
def test_every_command_is_in_the_readme_command_line_section(command: str) -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "## Command line" in readme, "README.md has no '## Command line' section"
    section = readme.split("## Command line", 1)[1].split("\n## ", 1)[0]
    assert f"`sanad {command}" in section, f"`sanad {command}` is not documented under README's Command line"


def _log_two_exchanges(path: Path) -> None:
    import asyncio
    from datetime import UTC, datetime

    from bot.log import Exchange, Store

    async def write() -> None:
        store = await Store.open(path)
        try:
            for day, question, declined in ((3, "متى بدأت الاحتجاجات؟", False), (9, "ما موقف الصين؟", True)):
                await store.log_exchange(
                    Exchange(
                        chat_id=1, user_id=2, chat_type="private", message_id=day, question=question,
                        normalized_query=question, results=(), citations=(), declined=declined,
                        missing_terms=("الصين",) if declined else (), latency_ms=1.0, corpus_version="v",
                        created_at=datetime(2022, 1, day, 12, tzinfo=UTC),
                    )
                )
        finally:
            await store.close()

    asyncio.run(write())


def test_export_writes_the_conversation_log_as_jsonl_and_csv(tmp_path: Path) -> None:
    database = tmp_path / "log.sqlite3"
    _log_two_exchanges(database)
    jsonl = sanad("export", "--database", str(database), "--since", "2022-01-05")
    assert jsonl.returncode == 0, jsonl.stderr
    rows = [json.loads(line) for line in jsonl.stdout.splitlines()]
    assert [row["question"] for row in rows] == ["ما موقف الصين؟"]  # --since drops the 3 January row
    assert rows[0]["declined"] is True
    assert rows[0]["missing_terms"] == ["الصين"]
    out = tmp_path / "log.csv"
    csv_run = sanad("export", "--database", str(database), "--format", "csv", "--output", str(out))
    assert csv_run.returncode == 0, csv_run.stderr
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 3  # header + both rows
    assert "متى بدأت الاحتجاجات؟" in lines[1]
    assert "exported 2 exchanges" in csv_run.stderr
