"""Read and validate the curated corpus: the only module in ``retrieval`` that touches files.

A corpus directory holds ``articles/*.md`` (one article per file) and, optionally,
``lexicon.toml`` (groups of name variants such as ``ألماتي`` / ``ألما آتا``).

Article file format::

    +++
    id = "000_562716bbd30af7a0"
    title = "..."
    outlet = "..."           # optional, only when the page names the outlet
    published = 2022-01-08   # optional, a TOML date (or an ISO "YYYY-MM-DD" string)
    url = "https://..."      # optional
    byline = "..."           # optional
    source = "..."           # optional: the agency the outlet credits («المصدر: تاس»)
    title_derived = true     # optional: the page has no headline; the title is its first sentence
    +++

    First paragraph.

    ## A subheading (kept as is; the indexer skips it)

    Next paragraph.

``examples.toml`` (optional) holds ``questions = ["...", ...]``, example questions the bot
shows with /help and declines; they land in ``Corpus.examples``.

A broken article becomes a :class:`~retrieval.models.CorpusIssue` and the other files still
load. Lexicon problems are reported the same way: :func:`load_corpus` keeps every valid
variant group and records one issue per bad group, while :func:`load_lexicon` is strict
and raises :class:`LexiconFormatError` on the first problem. Issue paths are relative to
the corpus directory (``articles/003_x.md``, ``lexicon.toml``), never absolute.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlparse

from retrieval.errors import CorpusNotFoundError, SanadError
from retrieval.models import Article, Corpus, CorpusIssue

T = TypeVar("T")

__all__ = [
    "ALLOWED_KEYS",
    "ArticleFormatError",
    "CorpusFormatError",
    "LexiconFormatError",
    "corpus_fingerprint",
    "is_valid_id",
    "load_corpus",
    "load_lexicon",
    "parse_article",
]

DELIMITER = "+++"
ALLOWED_KEYS = ("id", "title", "outlet", "published", "url", "byline", "source", "title_derived")
LEXICON_FILE = "lexicon.toml"
EXAMPLES_FILE = "examples.toml"
ARTICLES_DIR = "articles"

# Letters (any script), digits, '_', '-', '.'; must start with a letter or digit; no '..'.
# ':' is excluded because sentence ids are "doc_id:paragraph:position".
_ID_RE = re.compile(r"[^\W_][\w.\-]{0,127}")
_TOML_LINE_RE = re.compile(r"at line (\d+)")
_KEY_RE = re.compile(r"""^\s*(?:"([^"]*)"|'([^']*)'|([A-Za-z0-9_\-]+))\s*=""")
_TABLE_RE = re.compile(r"^\s*\[\[?\s*([^\].]+?)\s*[\].]")
_ISO_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_VARIANTS_HEADER_RE = re.compile(r"^\s*\[\[\s*variants\s*\]\]")


class CorpusFormatError(SanadError):
    """A corpus file is malformed at ``line`` (1-based; 0 means the whole file)."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.message = message


class ArticleFormatError(CorpusFormatError):
    """An article file breaks the front-matter or body rules."""


class LexiconFormatError(CorpusFormatError):
    """``lexicon.toml`` breaks the variant-group rules."""


def is_valid_id(value: str) -> bool:
    """True when ``value`` is a safe document id (no path separators, no '..', no ':')."""
    return bool(_ID_RE.fullmatch(value)) and ".." not in value


# --------------------------------------------------------------------------- articles


def parse_article(text: str, path: str) -> Article:
    """Parse one article file's text; ``path`` is stored on the article for reports.

    Raises :class:`ArticleFormatError` with the 1-based line of the first problem.
    """
    text = text.removeprefix("\ufeff")
    lines = [line.removesuffix("\r") for line in text.split("\n")]
    if lines[0].strip() != DELIMITER:
        raise ArticleFormatError(
            1, f"the file must start with a '{DELIMITER}' line opening the TOML front matter"
        )
    close = next((i for i in range(1, len(lines)) if lines[i].strip() == DELIMITER), None)
    if close is None:
        raise ArticleFormatError(
            1, f"the front matter opened on line 1 is never closed; add a '{DELIMITER}' line after the keys"
        )
    front_lines = lines[1:close]
    try:
        data = tomllib.loads("\n".join(front_lines) + "\n")
    except tomllib.TOMLDecodeError as exc:
        raise ArticleFormatError(
            _toml_error_line(exc, first_line=2, default=close + 1), f"invalid TOML in front matter: {exc}"
        ) from exc
    key_lines = _key_lines(front_lines, first_line=2)

    def line_of(key: str) -> int:
        return key_lines.get(key, 1)

    unknown = [key for key in data if key not in ALLOWED_KEYS]
    if unknown:
        key = min(unknown, key=line_of)
        raise ArticleFormatError(
            line_of(key), f"unknown front-matter key {key!r}; allowed keys: {', '.join(ALLOWED_KEYS)}"
        )
    for required in ("id", "title"):
        if required not in data:
            raise ArticleFormatError(1, f"front matter is missing the required key {required!r}")

    doc_id = data["id"]
    if not isinstance(doc_id, str) or not is_valid_id(doc_id):
        raise ArticleFormatError(
            line_of("id"),
            f"id must be a non-empty string of letters, digits, '_', '-' or '.' "
            f"(no '..', no '/' or ':'), got {doc_id!r}",
        )
    title = _optional_text(data, "title", line_of("title"))
    if title is None:  # unreachable: "title" is present, and empty strings raise above
        raise ArticleFormatError(line_of("title"), "title must not be empty")

    body_start = close + 1  # index into ``lines`` of the first body line
    paragraphs = _paragraphs(lines[body_start:])
    if not paragraphs:
        raise ArticleFormatError(
            close + 1, f"the article body is empty; add paragraphs after the closing '{DELIMITER}'"
        )
    return Article(
        id=doc_id,
        title=title,
        paragraphs=paragraphs,
        outlet=_optional_text(data, "outlet", line_of("outlet")),
        published=_published(data.get("published"), line_of("published")),
        url=_url(data.get("url"), line_of("url")),
        byline=_optional_text(data, "byline", line_of("byline")),
        path=path,
        source=_optional_text(data, "source", line_of("source")),
        title_derived=_flag(data, "title_derived", line_of("title_derived")),
    )


def _paragraphs(body_lines: list[str]) -> tuple[str, ...]:
    """Split on blank lines, strip each paragraph, drop empties; '## ' headings stay as they are."""
    paragraphs: list[str] = []
    current: list[str] = []
    for line in [*body_lines, ""]:
        if line.strip():
            current.append(line)
        elif current:
            paragraphs.append("\n".join(current).strip())
            current = []
    return tuple(paragraph for paragraph in paragraphs if paragraph)


def _optional_text(data: dict[str, Any], key: str, line: int) -> str | None:
    if key not in data:
        return None
    value = data[key]
    if not isinstance(value, str) or not value.strip():
        raise ArticleFormatError(line, f"{key} must be a non-empty string (omit the key when it is unknown)")
    return value.strip()


def _flag(data: dict[str, Any], key: str, line: int) -> bool:
    value = data.get(key, False)
    if not isinstance(value, bool):
        raise ArticleFormatError(line, f"{key} must be true or false, got {value!r}")
    return value


def _published(value: object, line: int) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        raise ArticleFormatError(line, "published must be a date like 2022-01-08, not a date-time")
    if isinstance(value, date):
        return value
    if isinstance(value, str) and _ISO_DATE_RE.fullmatch(value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError as exc:
            raise ArticleFormatError(line, f"published is not a real date: {value!r} ({exc})") from exc
    raise ArticleFormatError(line, f"published must be a TOML date such as 2022-01-08, got {value!r}")


def _url(value: object, line: int) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        parsed = urlparse(value.strip())
        if parsed.scheme in ("http", "https") and parsed.netloc:
            return value.strip()
    raise ArticleFormatError(line, f"url must be an http:// or https:// address, got {value!r}")


def _toml_error_line(exc: tomllib.TOMLDecodeError, *, first_line: int, default: int) -> int:
    """Map a TOMLDecodeError position to a file line; the TOML text starts at ``first_line``."""
    match = _TOML_LINE_RE.search(str(exc))
    if match is None:  # "at end of document"
        return default
    return int(match.group(1)) + first_line - 1


def _key_lines(lines: list[str], *, first_line: int) -> dict[str, int]:
    """File line of each top-level key: ``key =`` before any table, or a ``[table]`` header."""
    found: dict[str, int] = {}
    in_table = False
    for offset, line in enumerate(lines):
        header = _TABLE_RE.match(line)
        if header:
            in_table = True
            found.setdefault(header.group(1).strip().strip("\"'"), first_line + offset)
            continue
        match = None if in_table else _KEY_RE.match(line)
        if match:
            key = next(group for group in match.groups() if group is not None)
            found.setdefault(key, first_line + offset)
    return found


# --------------------------------------------------------------------------- lexicon


def load_lexicon(path: Path) -> tuple[tuple[str, ...], ...]:
    """Read a ``[[variants]] terms = [...]`` file; raise :class:`LexiconFormatError` on any problem."""
    path = Path(path)
    if not path.is_file():
        raise CorpusNotFoundError(f"lexicon file not found: {path}")
    text = _decode(path.read_bytes(), LexiconFormatError)
    groups, problems = _parse_lexicon(text)
    if problems:
        line, message = problems[0]
        more = f" (and {len(problems) - 1} more problem(s))" if len(problems) > 1 else ""
        raise LexiconFormatError(line, message + more)
    return groups


def _parse_lexicon(text: str) -> tuple[tuple[tuple[str, ...], ...], list[tuple[int, str]]]:
    """Valid variant groups plus ``(line, message)`` for every problem (bad groups are skipped)."""
    text = text.removeprefix("\ufeff")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return (), [(_toml_error_line(exc, first_line=1, default=1), f"invalid TOML: {exc}")]
    lines = text.split("\n")
    problems: list[tuple[int, str]] = []
    key_lines = _key_lines(lines, first_line=1)
    headers = [number for number, line in enumerate(lines, 1) if _VARIANTS_HEADER_RE.match(line)]
    for key in data:
        if key != "variants":
            problems.append(
                (key_lines.get(key, 1), f"unknown key {key!r}; the lexicon holds only [[variants]] tables")
            )
    variants = data.get("variants", [])
    if not isinstance(variants, list):
        problems.append((key_lines.get("variants", 1), "variants must be an array of [[variants]] tables"))
        return (), problems
    groups: list[tuple[str, ...]] = []
    for number, group in enumerate(variants):
        line = headers[number] if number < len(headers) else key_lines.get("variants", 1)
        if not isinstance(group, dict) or not isinstance(group.get("terms"), list):
            problems.append((line, 'each [[variants]] table needs terms = ["...", "..."]'))
            continue
        extra = sorted(key for key in group if key != "terms")
        if extra:
            message = f"unknown key(s) {', '.join(extra)} in [[variants]]; only 'terms' is read"
            problems.append((line, message))
        terms = group["terms"]
        if not all(isinstance(term, str) and term.strip() for term in terms):
            problems.append((line, "every term must be a non-empty string"))
            continue
        distinct = tuple(dict.fromkeys(term.strip() for term in terms))
        if len(distinct) < 2:
            problems.append((line, "a variant group needs at least two different terms"))
            continue
        groups.append(distinct)
    return tuple(groups), problems


# --------------------------------------------------------------------------- directory


def _load_optional(
    directory: Path,
    name: str,
    error: type[CorpusFormatError],
    parse: Callable[[str], tuple[T, list[tuple[int, str]]]],
    issues: list[CorpusIssue],
) -> T | None:
    """Parse the optional file ``name`` if present; its problems go to ``issues`` (the corpus still loads)."""
    path = directory / name
    if not path.is_file():
        return None
    try:
        text = _decode(path.read_bytes(), error)
    except (OSError, CorpusFormatError) as exc:
        issues.append(_issue(name, exc))
        return None
    value, problems = parse(text)
    issues.extend(CorpusIssue(name, line, message) for line, message in problems)
    return value


def load_corpus(directory: Path) -> Corpus:
    """Load ``directory/articles/*.md`` (sorted by name) and ``directory/lexicon.toml`` if present.

    Raises :class:`~retrieval.errors.CorpusNotFoundError` when the directory or its article
    files are missing; every other problem becomes an entry in ``Corpus.issues``.
    """
    directory = Path(directory)
    articles: list[Article] = []
    issues: list[CorpusIssue] = []
    seen: dict[str, str] = {}
    for file in _article_files(directory):
        rel = f"{ARTICLES_DIR}/{file.name}"
        loaded = _load_article(file, rel)
        if isinstance(loaded, CorpusIssue):
            issues.append(loaded)
            continue
        article, text = loaded
        if article.id in seen:
            line = _key_lines(text.removeprefix("\ufeff").split("\n"), first_line=1).get("id", 1)
            issues.append(
                CorpusIssue(
                    rel,
                    line,
                    f"duplicate id {article.id!r}: already used by {seen[article.id]}; "
                    "give each article its own id",
                )
            )
            continue
        seen[article.id] = rel
        articles.append(article)
    lexicon = _load_optional(directory, LEXICON_FILE, LexiconFormatError, _parse_lexicon, issues) or ()
    examples = _load_optional(directory, EXAMPLES_FILE, CorpusFormatError, _parse_examples, issues) or ()
    return Corpus(articles=tuple(articles), lexicon=lexicon, issues=tuple(issues), examples=examples)


def _parse_examples(text: str) -> tuple[tuple[str, ...], list[tuple[int, str]]]:
    """Example questions (``questions = [...]``) plus ``(line, message)`` problems."""
    text = text.removeprefix("\ufeff")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return (), [(_toml_error_line(exc, first_line=1, default=1), f"invalid TOML: {exc}")]
    key_lines = _key_lines(text.split("\n"), first_line=1)
    problems = [
        (key_lines.get(key, 1), f"unknown key {key!r}; the file holds only questions = [...]")
        for key in data
        if key != "questions"
    ]
    questions = data.get("questions", [])
    line = key_lines.get("questions", 1)
    if not isinstance(questions, list):
        return (), [*problems, (line, "questions must be a list of strings")]
    kept = tuple(q.strip() for q in questions if isinstance(q, str) and q.strip())
    if len(kept) != len(questions):
        problems.append((line, "every question must be a non-empty string"))
    return kept, problems


def _load_article(file: Path, rel: str) -> tuple[Article, str] | CorpusIssue:
    try:
        text = _decode(file.read_bytes(), ArticleFormatError)
        return parse_article(text, rel), text
    except (OSError, ArticleFormatError) as exc:
        return _issue(rel, exc)


def _issue(rel: str, exc: OSError | CorpusFormatError) -> CorpusIssue:
    if isinstance(exc, CorpusFormatError):
        return CorpusIssue(rel, exc.line, exc.message)
    return CorpusIssue(rel, 0, f"cannot read the file: {exc.strerror or exc}")


def _decode(data: bytes, error: type[CorpusFormatError]) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise error(
            line, f"not valid UTF-8 (byte 0x{data[exc.start]:02x} on line {line}); save the file as UTF-8"
        ) from exc


def _article_files(directory: Path) -> list[Path]:
    if not directory.is_dir():
        raise CorpusNotFoundError(f"corpus directory not found: {directory}")
    articles_dir = directory / ARTICLES_DIR
    if not articles_dir.is_dir():
        raise CorpusNotFoundError(
            f"no '{ARTICLES_DIR}' folder in {directory}; the corpus keeps one .md file per article there"
        )
    files = sorted((path for path in articles_dir.glob("*.md") if path.is_file()), key=lambda path: path.name)
    if not files:
        raise CorpusNotFoundError(f"no article files (*.md) in {articles_dir}")
    return files


def corpus_fingerprint(directory: Path) -> str:
    """Hex sha256 over the names and contents of ``articles/*.md``, ``lexicon.toml`` and ``examples.toml``."""
    directory = Path(directory)
    files = [(f"{ARTICLES_DIR}/{path.name}", path) for path in _article_files(directory)]
    for name in (LEXICON_FILE, EXAMPLES_FILE):
        if (directory / name).is_file():
            files.append((name, directory / name))
    digest = hashlib.sha256()
    for rel, path in files:
        data = path.read_bytes()
        for part in (rel.encode("utf-8"), str(len(data)).encode("ascii"), data):
            digest.update(part)
            digest.update(b"\0")
    return digest.hexdigest()
