"""Loading the corpus: broken files become issues with line numbers, good files still load."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from retrieval.corpus import (
    ArticleFormatError,
    LexiconFormatError,
    corpus_fingerprint,
    load_corpus,
    load_lexicon,
    parse_article,
)
from retrieval.errors import CorpusNotFoundError, SanadError
from retrieval.models import CorpusIssue

CORPUS = Path(__file__).resolve().parent.parent / "corpus"

GOOD = """+++
id = "good"
title = "عنوان جيد"
published = 2022-01-08
+++

فقرة أولى عن كازاخستان.

## عنوان فرعي

فقرة ثانية.
"""


def write(directory: Path, name: str, text: str | bytes) -> Path:
    path = directory / "articles" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def article_text(doc_id: str, body: str = "نص المقال.", extra: str = "") -> str:
    return f'+++\nid = "{doc_id}"\ntitle = "عنوان {doc_id}"\n{extra}+++\n\n{body}\n'


def only_issue(issues: tuple[CorpusIssue, ...]) -> CorpusIssue:
    assert len(issues) == 1, issues
    return issues[0]


# --------------------------------------------------------------------------- the bundled corpus


def test_bundled_corpus_loads_five_articles_with_no_issues() -> None:
    corpus = load_corpus(CORPUS)
    assert corpus.issues == ()
    assert [article.id for article in corpus.articles] == sorted(
        path.stem for path in (CORPUS / "articles").glob("*.md")
    )
    assert len(corpus.articles) == 5
    assert all(article.path == f"articles/{article.id}.md" for article in corpus.articles)


def test_bundled_articles_carry_only_stated_dates() -> None:
    published = {article.id[:3]: article.published for article in load_corpus(CORPUS).articles}
    assert published == {
        "000": None,
        "001": date(2022, 1, 10),
        "002": date(2022, 1, 8),
        "003": None,
        "004": date(2022, 1, 6),
    }


# --------------------------------------------------------------------------- parse_article


def test_parse_article_reads_front_matter_and_paragraphs() -> None:
    article = parse_article(GOOD, "articles/good.md")
    assert article.id == "good"
    assert article.title == "عنوان جيد"
    assert article.published == date(2022, 1, 8)
    assert article.paragraphs == ("فقرة أولى عن كازاخستان.", "## عنوان فرعي", "فقرة ثانية.")
    assert article.path == "articles/good.md"
    assert article.outlet is None
    assert article.url is None


def test_paragraphs_split_on_blank_lines_with_crlf_and_extra_blanks() -> None:
    text = '+++\r\nid = "a"\r\ntitle = "t"\r\n+++\r\n\r\n\r\n  first.  \r\n \r\n\r\nsecond.\r\n\r\n'
    assert parse_article(text, "").paragraphs == ("first.", "second.")


def test_published_may_be_an_iso_string() -> None:
    text = article_text("a", extra='published = "2022-01-07"\n')
    assert parse_article(text, "").published == date(2022, 1, 7)


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("id = 'a'\n+++\n", 1, "must start with a '\\+\\+\\+' line"),
        ('+++\nid = "a"\ntitle = "t"\n\nbody\n', 1, "never closed"),
        ('+++\nid = "a"\ntitle = "unterminated\n+++\n\nbody\n', 3, "invalid TOML"),
        ('+++\ntitle = "t"\n+++\n\nbody\n', 1, "missing the required key 'id'"),
        ('+++\nid = "a"\n+++\n\nbody\n', 1, "missing the required key 'title'"),
        ('+++\nid = ""\ntitle = "t"\n+++\n\nbody\n', 2, "id must be"),
        ('+++\nid = "../etc"\ntitle = "t"\n+++\n\nbody\n', 2, "id must be"),
        ('+++\nid = "a:1"\ntitle = "t"\n+++\n\nbody\n', 2, "id must be"),
        ('+++\nid = "a"\ntitle = "  "\n+++\n\nbody\n', 3, "title must be a non-empty string"),
        ('+++\nid = "a"\ntitle = "t"\npublised = 2022-01-01\n+++\n\nbody\n', 4, "unknown front-matter key"),
        ('+++\nid = "a"\ntitle = "t"\nid = "b"\n+++\n\nbody\n', 4, "invalid TOML"),
        ('+++\nid = "a"\ntitle = "t"\n[table]\n+++\n\nbody\n', 4, "unknown front-matter key 'table'"),
        ('+++\nid = "a"\ntitle = "t"\npublished = "yesterday"\n+++\n\nbody\n', 4, "published must be"),
        ('+++\nid = "a"\ntitle = "t"\npublished = 2022-01-08T07:00:00\n+++\n\nbody\n', 4, "not a date-time"),
        ('+++\nid = "a"\ntitle = "t"\npublished = "2022-02-30"\n+++\n\nbody\n', 4, "not a real date"),
        ('+++\nid = "a"\ntitle = "t"\nurl = "ftp://x.org/a"\n+++\n\nbody\n', 4, "url must be an http"),
        ('+++\nid = "a"\ntitle = "t"\n+++\n\n\n  \n', 4, "body is empty"),
    ],
)
def test_parse_article_reports_the_line_of_the_problem(text: str, line: int, message: str) -> None:
    with pytest.raises(ArticleFormatError, match=message) as caught:
        parse_article(text, "articles/a.md")
    assert caught.value.line == line
    assert isinstance(caught.value, SanadError)


# --------------------------------------------------------------------------- load_corpus


def test_bad_toml_becomes_an_issue_with_its_line_and_good_files_still_load(tmp_path: Path) -> None:
    write(tmp_path, "a.md", article_text("a"))
    write(tmp_path, "b.md", '+++\nid = "b"\ntitle = "no closing quote\n+++\n\nbody\n')
    corpus = load_corpus(tmp_path)
    assert [article.id for article in corpus.articles] == ["a"]
    issue = only_issue(corpus.issues)
    assert (issue.path, issue.line) == ("articles/b.md", 3)
    assert "invalid TOML" in issue.message


def test_missing_id_is_an_issue(tmp_path: Path) -> None:
    write(tmp_path, "a.md", article_text("a"))
    write(tmp_path, "b.md", '+++\ntitle = "t"\n+++\n\nbody\n')
    corpus = load_corpus(tmp_path)
    assert len(corpus.articles) == 1
    assert "missing the required key 'id'" in only_issue(corpus.issues).message


def test_empty_body_is_an_issue(tmp_path: Path) -> None:
    write(tmp_path, "a.md", article_text("a"))
    write(tmp_path, "b.md", '+++\nid = "b"\ntitle = "t"\n+++\n')
    corpus = load_corpus(tmp_path)
    assert [article.id for article in corpus.articles] == ["a"]
    issue = only_issue(corpus.issues)
    assert (issue.path, issue.line) == ("articles/b.md", 4)
    assert "body is empty" in issue.message


def test_duplicate_id_is_an_issue_on_the_second_file(tmp_path: Path) -> None:
    write(tmp_path, "1.md", article_text("same"))
    write(tmp_path, "2.md", '+++\ntitle = "another"\nid = "same"\n+++\n\nbody\n')
    corpus = load_corpus(tmp_path)
    assert [article.path for article in corpus.articles] == ["articles/1.md"]
    issue = only_issue(corpus.issues)
    assert (issue.path, issue.line) == ("articles/2.md", 3)
    assert "duplicate id 'same'" in issue.message
    assert "articles/1.md" in issue.message


def test_non_utf8_file_is_an_issue(tmp_path: Path) -> None:
    write(tmp_path, "a.md", article_text("a"))
    write(tmp_path, "b.md", article_text("b", body="كازاخستان").encode("cp1256"))
    corpus = load_corpus(tmp_path)
    assert [article.id for article in corpus.articles] == ["a"]
    issue = only_issue(corpus.issues)
    assert issue.path == "articles/b.md"
    assert issue.line == 3  # the Arabic title is the first non-ASCII byte
    assert "not valid UTF-8" in issue.message


def test_issue_paths_are_relative_to_the_corpus_directory(tmp_path: Path) -> None:
    write(tmp_path, "a.md", article_text("a"))
    write(tmp_path, "bad.md", "no front matter\n")
    corpus = load_corpus(tmp_path)
    assert str(only_issue(corpus.issues)) == "articles/bad.md:1: " + only_issue(corpus.issues).message
    assert str(tmp_path) not in str(corpus.issues)
    assert str(tmp_path) not in corpus.articles[0].path


def test_articles_load_in_file_name_order_and_other_files_are_ignored(tmp_path: Path) -> None:
    for name in ("b.md", "a.md", "c.md"):
        write(tmp_path, name, article_text(name[0]))
    write(tmp_path, "notes.txt", "not an article")
    assert [article.id for article in load_corpus(tmp_path).articles] == ["a", "b", "c"]


def test_missing_directory_raises_corpus_not_found_naming_the_path(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    with pytest.raises(CorpusNotFoundError, match="nowhere"):
        load_corpus(missing)


def test_directory_without_article_files_raises_corpus_not_found(tmp_path: Path) -> None:
    with pytest.raises(CorpusNotFoundError, match="articles"):
        load_corpus(tmp_path)
    (tmp_path / "articles").mkdir()
    with pytest.raises(CorpusNotFoundError, match=r"no article files \(\*\.md\)"):
        load_corpus(tmp_path)


# --------------------------------------------------------------------------- lexicon and examples

LEXICON = """# comment
[[variants]]
terms = ["ألماتي", "ألما آتا"]

[[variants]]
terms = ["نور سلطان", "أستانا", "أستانا"]
"""


def test_load_lexicon_returns_groups_of_terms(tmp_path: Path) -> None:
    path = tmp_path / "lexicon.toml"
    path.write_text(LEXICON, encoding="utf-8")
    assert load_lexicon(path) == (("ألماتي", "ألما آتا"), ("نور سلطان", "أستانا"))


def test_load_lexicon_rejects_a_group_with_one_term_naming_its_line(tmp_path: Path) -> None:
    path = tmp_path / "lexicon.toml"
    path.write_text(LEXICON + '\n[[variants]]\nterms = ["وحيد", " "]\n', encoding="utf-8")
    with pytest.raises(LexiconFormatError, match="non-empty") as caught:
        load_lexicon(path)
    assert caught.value.line == 8


def test_load_lexicon_reports_bad_toml_line(tmp_path: Path) -> None:
    path = tmp_path / "lexicon.toml"
    path.write_text('[[variants]]\nterms = ["a", "b"\n', encoding="utf-8")
    with pytest.raises(LexiconFormatError, match="invalid TOML"):
        load_lexicon(path)


def test_load_corpus_keeps_good_lexicon_groups_and_reports_bad_ones(tmp_path: Path) -> None:
    write(tmp_path, "a.md", article_text("a"))
    (tmp_path / "lexicon.toml").write_text(LEXICON + '\n[[variants]]\nterms = ["وحيد"]\n', encoding="utf-8")
    corpus = load_corpus(tmp_path)
    assert corpus.lexicon == (("ألماتي", "ألما آتا"), ("نور سلطان", "أستانا"))
    issue = only_issue(corpus.issues)
    assert (issue.path, issue.line) == ("lexicon.toml", 8)
    assert "at least two different terms" in issue.message


def test_corpus_without_lexicon_has_an_empty_lexicon(tmp_path: Path) -> None:
    write(tmp_path, "a.md", article_text("a"))
    corpus = load_corpus(tmp_path)
    assert (corpus.lexicon, corpus.issues, corpus.examples) == ((), (), ())


def test_example_questions_are_loaded(tmp_path: Path) -> None:
    write(tmp_path, "a.md", article_text("a"))
    (tmp_path / "examples.toml").write_text('questions = ["متى بدأت الاحتجاجات؟", " "]\n', encoding="utf-8")
    corpus = load_corpus(tmp_path)
    assert corpus.examples == ("متى بدأت الاحتجاجات؟",)
    assert only_issue(corpus.issues).path == "examples.toml"


# --------------------------------------------------------------------------- fingerprint


def test_fingerprint_is_stable_and_changes_when_a_file_changes(tmp_path: Path) -> None:
    path = write(tmp_path, "a.md", article_text("a"))
    first = corpus_fingerprint(tmp_path)
    assert first == corpus_fingerprint(tmp_path)
    assert len(first) == 64
    path.write_text(article_text("a", body="نص معدل."), encoding="utf-8")
    second = corpus_fingerprint(tmp_path)
    assert second != first
    (tmp_path / "lexicon.toml").write_text(LEXICON, encoding="utf-8")
    third = corpus_fingerprint(tmp_path)
    assert third != second
    path.rename(path.with_name("b.md"))
    assert corpus_fingerprint(tmp_path) != third


def test_fingerprint_of_missing_directory_raises(tmp_path: Path) -> None:
    with pytest.raises(CorpusNotFoundError):
        corpus_fingerprint(tmp_path / "nowhere")
