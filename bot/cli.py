"""The `sanad` command line: wiring only. Library errors become one clear line and exit code 2 here."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import time
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from bot import phrases
from bot.loghygiene import configure_logging
from bot.render import render_answer_text, render_sources_text, render_timeline_text
from bot.settings import ConfigError, Settings, load_settings
from retrieval import followup
from retrieval.answer import Retriever, load_retriever
from retrieval.errors import EmptyQuestionError, SanadError
from retrieval.followup import Turn
from retrieval.models import Answer, Citation, Hit
from retrieval.timeline import build_timeline, filter_topic

if TYPE_CHECKING:
    from retrieval.ingest import IngestResult

log = logging.getLogger("sanad")

EXIT_USAGE = 2
Handler = Callable[[argparse.Namespace, Settings], int]


class CliError(Exception):
    """A user-facing error: printed as one line, exit code 2."""


# --- commands --------------------------------------------------------------------------------------


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    """Start the Telegram bot when TELEGRAM_BOT_TOKEN is set, else the console chat."""
    if settings.bot.token:
        from bot.app import MissingTokenError, run_bot
        from bot.log import StoreError

        try:
            run_bot(settings)
        except (StoreError, MissingTokenError) as exc:
            raise CliError(f"the bot could not start: {exc}") from None
        return 0
    print("TELEGRAM_BOT_TOKEN is not set: opening the console chat instead.", file=sys.stderr)
    return cmd_chat(args, settings)


def cmd_chat(args: argparse.Namespace, settings: Settings) -> int:
    """Console chat on the bot's answer path, with /sources, /help and /quit."""
    retriever = _retriever(settings, progress=_progress(args))
    out = sys.stdout
    interactive = sys.stdin.isatty()
    info = retriever.info
    out.write(f"سند — {info.articles} مقالات، {info.sentences} جملة. اكتب سؤالك، أو /sources أو /quit.\n")
    last: tuple[Citation, ...] = ()
    turn: Turn | None = None  # the previous question, for follow-ups («ومتى؟»); /new forgets it
    window = settings.bot.followup_window_seconds
    while True:
        if interactive:
            out.write("؟ ")
            out.flush()
        line = sys.stdin.readline()
        if not line:
            break
        question = line.strip()
        if not question:
            continue
        if question in {"/quit", "/exit"}:
            break
        if question == "/sources":
            out.write((render_sources_text(last) or phrases.NO_SOURCES) + "\n\n")
            continue
        if question in {"/help", "/start"}:
            out.write("اكتب سؤالًا بالعربية عن أحداث كازاخستان في يناير 2022.\n")
            out.write("/sources مصادر الإجابة الأخيرة — /new موضوع جديد — /quit للخروج\n\n")
            continue
        if question == "/new":
            turn = None
            out.write(phrases.NEW_TOPIC + "\n\n")
            continue
        now = time.monotonic()
        resolution = followup.resolve(retriever, question, turn if window > 0 else None, now, window)
        if resolution.kind == "source":
            out.write(_source_text(resolution) + "\n\n")
            continue
        try:
            answer = followup.answer(retriever, resolution)
        except EmptyQuestionError:
            out.write("اكتب سؤالًا فيه كلمات يمكن البحث عنها، مثل: متى بدأت الاحتجاجات؟\n\n")
            continue
        turn = followup.next_turn(retriever, resolution, answer, now, turn)
        if not answer.declined:
            last = answer.citations
        if resolution.kind == "followup":
            out.write(phrases.FOLLOWUP_ABOUT.format(topic=followup.topic_label(resolution.context)) + "\n")
        out.write(_phrase(answer, settings, retriever) + "\n\n")
        out.flush()
    return 0


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    question = " ".join(args.question).strip()
    if not question:
        raise CliError('the question is empty: sanad ask "متى بدأت الاحتجاجات؟"')
    retriever = _retriever(settings, args.corpus, progress=_progress(args))
    try:
        answer = retriever.answer(question)
    except EmptyQuestionError:
        raise CliError("the question has no searchable words (only punctuation or stop words)") from None
    print(_phrase(answer, settings, retriever))
    return 0


def cmd_timeline(args: argparse.Namespace, settings: Settings) -> int:
    """The corpus's dated events in order, each a cited sentence; only those about TOPIC when given."""
    topic = " ".join(args.topic).strip()
    retriever = _retriever(settings, args.corpus, progress=_progress(args))
    events = build_timeline(retriever.corpus.articles, retriever.pipeline)
    if topic:
        try:
            events = filter_topic(events, topic, retriever.pipeline)
        except EmptyQuestionError:
            raise CliError(f"the topic has no searchable words: {topic!r}") from None
    print(render_timeline_text(events, topic=topic or None))
    return 0


def cmd_search(args: argparse.Namespace, settings: Settings) -> int:
    """Questions on stdin, one per line; one JSON object per line on stdout (see README for the contract)."""
    retriever = _retriever(settings, args.corpus, progress=_progress(args))
    top_k = args.top_k or settings.retrieval.top_k
    for line in sys.stdin:
        question = line.strip()
        if not question:
            continue
        started = time.perf_counter()
        try:
            answer = retriever.answer(question, top_k=top_k)
        except EmptyQuestionError:
            answer = Answer(question, (), (), True, (), "empty question")
        elapsed = (time.perf_counter() - started) * 1000
        row = search_row(answer)
        if args.timings:
            row["ms"] = round(elapsed, 3)
        if args.json:
            print(json.dumps(row, ensure_ascii=False), flush=True)
        else:
            print(question)
            if answer.declined:
                print(f"  declined: {', '.join(answer.missing_terms) or answer.reason}")
            for result in row["results"]:
                print(f"  {result['score']:7.3f}  {result['sentence_id']}  {result['text']}")
    return 0


def _result(hit: Hit) -> dict[str, Any]:
    first = hit.citations[0]
    return {
        "text": hit.sentence.text,
        "score": round(hit.score if hit.fused is None else hit.fused, 6),  # the ranking score
        "doc_id": first.doc_id,
        "title": first.title,
        "outlet": first.outlet,
        "published": first.published.isoformat() if first.published else None,
        "sentence_id": hit.sentence.id,
    }


def search_row(answer: Answer) -> dict[str, Any]:
    """The stable JSON contract of `sanad search --json` (documented in the README).

    A declined question whose topic the corpus does mention also carries ``related``: its closest
    sentences, shaped like ``results`` (which stays empty), never to be shown as the answer.
    """
    row: dict[str, Any] = {
        "question": answer.question,
        "declined": answer.declined,
        "missing_terms": list(answer.missing_terms),
        "results": [_result(hit) for hit in answer.hits],
    }
    if answer.declined:
        row["related"] = [_result(hit) for hit in answer.related]
    return row


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    from retrieval.encoder import load_encoder
    from retrieval.evaluate import baseline_report, evaluate, read_cases, squad_cases

    path = Path(args.file)
    text = _read_text(path)
    started = time.perf_counter()
    if text.lstrip().startswith("{") and '"data"' in text[:200]:
        try:
            corpus, cases = squad_cases(json.loads(text))
        except (ValueError, KeyError, TypeError) as exc:
            raise CliError(f"{path} is not a SQuAD-format file: {exc}") from None
        encoder = load_encoder(settings.retrieval.encoder)
        retriever = Retriever(corpus, settings.retrieval, progress=_progress(args), encoder=encoder)
        report = evaluate(retriever, cases, decide=False)
        kind = "squad"
    else:
        try:
            cases = read_cases(text.splitlines())
        except ValueError as exc:
            raise CliError(f"{path}: {exc}") from None
        retriever = _retriever(settings, args.corpus, progress=_progress(args))
        report = evaluate(retriever, cases)
        kind = "questions"
    seconds = time.perf_counter() - started
    floor = baseline_report(retriever, cases)
    summary = report.summary() | {"kind": kind, "seconds": round(seconds, 2)}
    floor_summary = {k: floor.summary()[k] for k in ("hit@1", "hit@3", "mrr@10")}
    if args.json:
        failures = [
            {
                "id": r.case.id,
                "question": r.case.question,
                "declined": r.declined,
                "rank": r.rank,
                "missing_terms": list(r.missing_terms),
                "top": r.shown[:1],
            }
            for r in report.failures
        ]
        by_style = {style: part.summary() for style, part in report.by_style().items()}
        extra = {"styles": by_style} if by_style else {}
        print(
            json.dumps({**summary, "floor": floor_summary, **extra, "failures": failures}, ensure_ascii=False)
        )
        return 0
    for failure in report.failures:
        verdict = "declined" if failure.declined else f"rank {failure.rank or '>10'}"
        if not failure.case.answerable:
            verdict = "answered (should decline)"
        top = failure.shown[0][:90] if failure.shown else ""
        print(f"FAIL {failure.case.id} [{verdict}] {failure.case.question}  →  {top}")
    print(
        f"{kind}: {summary['questions']} questions ({summary['answerable']} answerable), "
        f"{summary['sentences']} sentences, {summary['seconds']} s"
    )
    print(f"Hit@1 {report.hit1:.3f}  Hit@3 {report.hit3:.3f}  MRR@10 {report.mrr10:.3f}")
    if kind == "questions":
        print(
            f"unanswerable declined {report.unanswerable_declined:.3f}  "
            f"false declines {report.false_declines:.3f}"
        )
        styles = report.by_style()
        if styles:
            print("style        answerable  Hit@1  Hit@3  declined  unanswerable  declined")
            for style, part in styles.items():
                answerable = sum(r.case.answerable for r in part.results)
                print(
                    f"{style:<12} {answerable:>10}  {part.hit1:.3f}  {part.hit3:.3f}  "
                    f"{part.false_declines:>8.3f}  {len(part.results) - answerable:>12}  "
                    f"{part.unanswerable_declined:>8.3f}"
                )
    print(
        f"floor (rank-bm25, whitespace tokens, same sentences): Hit@1 {floor.hit1:.3f}  "
        f"Hit@3 {floor.hit3:.3f}  MRR@10 {floor.mrr10:.3f}"
    )
    return 0


def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    """One article per raw file, saved web page or link. With several, every one is checked before any is
    written."""
    from tqdm import tqdm

    from retrieval.ingest import render_article

    several = len(args.raw) > 1
    if several and args.id:
        raise CliError("--id names one article: give a single file with --id, or leave --id out")
    out_dir = Path(args.out) if args.out else settings.corpus_path / "articles"
    planned: dict[Path, tuple[str, IngestResult]] = {}
    show = several and _progress(args)
    bar = tqdm(args.raw, desc="Ingesting", unit="file", disable=not show, leave=False)
    with bar:
        for raw in bar:
            try:
                result = _ingest_one(raw, args.id, settings)
            except SanadError as exc:
                if several:
                    raise CliError(f"{raw}: {exc}") from None
                raise
            target = out_dir / f"{result.article.id}.md"
            if target in planned:
                first = planned[target][0]
                raise CliError(f"{first} and {raw} would both become {target}; rename one of them")
            if target.exists() and not args.force:
                raise CliError(f"{target} exists; pass --force to overwrite it")
            planned[target] = (raw, result)
    out_dir.mkdir(parents=True, exist_ok=True)
    for target, (raw, result) in planned.items():
        article = result.article
        prefix = f"{raw}: " if several else ""
        for removal in result.removed:
            line = f"removed line {removal.line}: {removal.reason}: {removal.text[:70]}"
            print(prefix + line, file=sys.stderr)
        for note in result.notes:
            print(f"{prefix}note: {note}", file=sys.stderr)
        target.write_text(render_article(article), encoding="utf-8")
        published = article.published.isoformat() if article.published else "no date on the page"
        print(f"wrote {target}: «{article.title}» ({published}), {len(article.paragraphs)} paragraphs")
        print(f"{len(result.removed)} lines removed (listed on stderr)")
    if several:
        print(f"{len(planned)} articles written to {out_dir}")
    return 0


def _ingest_one(raw: str, doc_id: str | None, settings: Settings) -> IngestResult:
    """A link (fetched: the operator may give any address, loopback included), a saved page or pasted text."""
    from bot.fetch import FetchPolicy, fetch_page_sync, link_in
    from retrieval.ingest import ingest, slugify_id
    from retrieval.webpage import PAGE_SUFFIXES, ingest_page, ingest_page_bytes, looks_like_html, url_id

    link = link_in(raw)
    if link is not None:
        policy = FetchPolicy(
            timeout_seconds=settings.bot.fetch_timeout_seconds,
            max_bytes=settings.bot.max_page_bytes,
            allow_private=True,
        )
        page = fetch_page_sync(link, policy)
        return ingest_page_bytes(page.data, doc_id or url_id(page.url), url=page.url, charset=page.charset)
    path = Path(raw)
    name = doc_id or slugify_id(path.stem)
    if path.suffix.lower() in PAGE_SUFFIXES:
        return ingest_page_bytes(_read_bytes(path), name)
    text = _read_text(path)
    return ingest_page(text, name) if looks_like_html(text) else ingest(text, name)


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    from bot.log import StoreError, export_rows

    since = None
    if args.since:
        try:
            since = date.fromisoformat(args.since)
        except ValueError:
            raise CliError(f"--since must be a date like 2022-01-31, got {args.since!r}") from None
    database = Path(args.database) if args.database else settings.database_path
    if not database.exists():
        raise CliError(f"no conversation log at {database} yet (the bot creates it on first run)")
    output: TextIO = open(args.output, "w", encoding="utf-8", newline="") if args.output else sys.stdout  # noqa: SIM115
    try:
        count = asyncio.run(export_rows(database, output, fmt=args.format, since=since))
    except (StoreError, ValueError) as exc:
        raise CliError(str(exc)) from None
    finally:
        if output is not sys.stdout:
            output.close()
    print(f"exported {count} exchanges", file=sys.stderr)
    return 0


# --- helpers ---------------------------------------------------------------------------------------


def _retriever(settings: Settings, corpus: str | None = None, *, progress: bool = False) -> Retriever:
    path = Path(corpus) if corpus else settings.corpus_path
    retriever = load_retriever(path, settings.retrieval, progress=progress)
    for issue in retriever.corpus.issues:
        print(f"warning: {issue}", file=sys.stderr)
    return retriever


def _progress(args: argparse.Namespace) -> bool:
    """Progress bars on stderr: when it is a terminal, or when asked with --progress.

    Index builds show them only once they have run for a moment (a cached start shows nothing).
    """
    return bool(getattr(args, "progress", False)) or sys.stderr.isatty()


def _phrase(answer: Answer, settings: Settings, retriever: Retriever) -> str:
    examples = retriever.examples_for(answer.question) if answer.declined else ()
    return render_answer_text(answer, snippets=settings.bot.snippets, examples=examples)


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise CliError(f"no such file: {path}") from None
    except OSError as exc:
        raise CliError(f"cannot read {path}: {exc.strerror}") from None


def _source_text(resolution: followup.Resolution) -> str:
    """The console's reply to «مين قال هالكلام؟»: the sentence last shown and its full source."""
    shown = resolution.source
    if shown is None:
        return phrases.FOLLOWUP_NO_SOURCE
    return f"{phrases.FOLLOWUP_SOURCE}\n«{shown.sentence.text}»\n{render_sources_text(shown.citations)}"


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CliError(f"no such file: {path}") from None
    except UnicodeDecodeError:
        raise CliError(f"{path} is not UTF-8 text") from None
    except OSError as exc:
        raise CliError(f"cannot read {path}: {exc.strerror}") from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sanad", description="Sanad: cited answers about Kazakhstan's January 2022 unrest."
    )
    parser.add_argument("--config", default="config.toml", help="settings file (default: ./config.toml)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more")
    parser.add_argument(
        "--progress", action="store_true", help="progress bars on stderr even when it is not a terminal"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def add(name: str, handler: Handler, text: str) -> argparse.ArgumentParser:
        command = sub.add_parser(name, help=text, description=text)
        command.set_defaults(handler=handler)
        return command

    add("run", cmd_run, "start the Telegram bot (console chat when TELEGRAM_BOT_TOKEN is unset)")
    add("chat", cmd_chat, "console chat on the bot's answer path (/sources, /new, /quit)")
    ask = add("ask", cmd_ask, "answer one question as the bot would, in plain text")
    ask.add_argument("question", nargs="+")
    ask.add_argument("--corpus", help="corpus directory (default: from config)")
    timeline = add("timeline", cmd_timeline, "the corpus's dated events in order, each a cited sentence")
    timeline.add_argument("topic", nargs="*", help="only events about this topic (e.g. المطار)")
    timeline.add_argument("--corpus", help="corpus directory (default: from config)")
    search = add("search", cmd_search, "questions on stdin, ranked sentences out")
    search.add_argument("--json", action="store_true", help="one JSON object per line")
    search.add_argument("--top-k", type=int, default=None, help="results per question")
    search.add_argument("--corpus", help="corpus directory (default: from config)")
    search.add_argument("--timings", action="store_true", help='add retrieval time as "ms"')
    evaluate = add("eval", cmd_eval, "measure answer quality on a .jsonl question set or a SQuAD file")
    evaluate.add_argument("file")
    evaluate.add_argument("--json", action="store_true", help="print the metrics as JSON")
    evaluate.add_argument("--corpus", help="corpus directory (default: from config)")
    ingest = add("ingest", cmd_ingest, "news pages (links, saved .html, pasted text) into curated articles")
    ingest.add_argument("raw", nargs="+", help="http(s) links, saved .html/.htm pages or UTF-8 text files")
    ingest.add_argument("--out", help="directory for the articles (default: the corpus's articles/)")
    ingest.add_argument("--id", help="article id, with a single file (default: from the file name)")
    ingest.add_argument("--force", action="store_true", help="overwrite existing articles")
    export = add("export", cmd_export, "export the conversation log")
    export.add_argument("--since", help="only exchanges on or after this date (YYYY-MM-DD)")
    export.add_argument("--format", choices=("jsonl", "csv"), default="jsonl")
    export.add_argument("--output", help="file to write (default: stdout)")
    export.add_argument("--database", help="SQLite file (default: from config / SANAD_DATABASE)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    configure_logging(verbose=args.verbose)
    if not getattr(args, "handler", None):
        args = parser.parse_args([*(argv or sys.argv[1:]), "run"])
    try:
        settings = load_settings(Path(args.config))
        return int(args.handler(args, settings))
    except (CliError, ConfigError, SanadError) as exc:
        print(f"sanad: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `sanad search … | head`
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
