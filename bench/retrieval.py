"""Benchmark FastBM25 against rank_bm25's full scan and bm25s on real Arabic sentences, at several sizes.

Usage::

    python bench/retrieval.py PATH_TO_SQUAD_JSON [--sizes 10000,100000,1000000] [--queries 200]
                              [--skip-full-scan-above N] [--tokenizer pipeline|simple]

``PATH_TO_SQUAD_JSON`` is any SQuAD-format file (XQuAD's Arabic file, for instance); no data ships
with the project. Contexts are split into sentences on ``. ! ? ؟`` and newlines and tokenised with
``retrieval.text.Pipeline().index_tokens`` (the bot's own index tokens: stop words dropped, light
stems, lexicon groups, adjacent-stem bigrams), or with a plain normalise-and-split tokenizer
(``--tokenizer simple``, also used when ``retrieval.text`` is missing). Queries are the file's
questions, tokenised the same way.

How a corpus of N sentences is made from a few thousand real ones
-----------------------------------------------------------------
XQuAD has about 1,300 sentences, so larger corpora are synthesised from them at the token level
(tokenising once; tokenising is not what is measured). Each synthetic sentence starts from a random
real sentence; half of the time its tail is swapped for the tail of another real sentence
(crossover, so terms co-occur in new combinations and lengths vary); then each token is, with
probability 0.15, replaced by a variant ``token + number`` whose number follows a Zipf law
(``numpy.random.zipf(1.6)``). Common words therefore stay common, so the long postings of frequent
terms that dominate query time are realistic (a plain repeat would keep them too, but would freeze
the vocabulary), while the vocabulary keeps growing with the corpus roughly as Heaps' law predicts
(distinct Zipf draws grow like n^(1/1.6)) instead of saturating at the real vocabulary. Shuffling
token order was rejected: BM25 is a bag of words, so it would change nothing.

Each size runs in its own subprocess, so the peak memory of one size (VmHWM from
``/proc/self/status``, reset between phases through ``/proc/self/clear_refs`` where the kernel
allows) does not leak into the next. Figures are printed, never asserted.

Compared systems
----------------
* ``FastBM25.top_k(query, 10)`` from this project.
* ``rank_bm25.BM25Okapi``: ``get_scores`` plus ``argsort`` (the full scan the bot used before). Only
  a sample of queries is run, sized from a few timed ones to fit ``--full-scan-budget`` seconds;
  skipped above ``--skip-full-scan-above`` documents. FastBM25's top 10 is checked against it.
* ``bm25s.BM25(method="robertson")`` with k1/b equal: its idf is log((N-n+0.5)/(n+0.5)) clipped at 0
  instead of BM25Okapi's epsilon * average idf floor, its tf part lacks the constant (k1 + 1)
  factor, and it stores scores as float32; rankings agree except where a query has a term that
  occurs in more than half of the sentences. Unknown query tokens are dropped before calling it.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path

# Run as `python bench/retrieval.py`: this file's folder comes first on sys.path and its name would
# hide the `retrieval` package, so put the repository root there instead.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

import numpy as np  # noqa: E402

from retrieval.index.bm25 import FastBM25  # noqa: E402
from retrieval.index.persist import load_index, save_index  # noqa: E402

Tokenizer = Callable[[str], list[str]]

_SENTENCE_END = re.compile(r"[.!?؟\n]+")
_MARKS = re.compile("[\u064b-\u065f\u0670\u0640]")
_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ى": "ي", "ة": "ه"})
_WORD = re.compile(r"[^\W_]+")
MUTATION_RATE = 0.15
CROSSOVER_RATE = 0.5
ZIPF_A = 1.6
K = 10


def simple_tokenize(text: str) -> list[str]:
    """Fallback tokenizer: NFKC, diacritics off, alef/yeh/teh marbuta folded, lower-cased words."""
    text = _MARKS.sub("", unicodedata.normalize("NFKC", text)).translate(_FOLD).lower()
    return _WORD.findall(text)


def make_tokenizer(name: str) -> Tokenizer:
    """The tokenizer called ``name``: ``pipeline`` (``retrieval.text``, if present) or ``simple``."""
    if name == "pipeline":
        try:
            from retrieval.text import Pipeline
        except ImportError:
            print("retrieval.text not available; using the simple tokenizer", file=sys.stderr)
        else:
            return Pipeline().index_tokens
    return simple_tokenize


def read_squad(path: Path) -> tuple[list[str], list[str]]:
    """(sentences, questions) of a SQuAD-format file; sentences split on . ! ? ؟ and newlines."""
    data = json.loads(path.read_text(encoding="utf-8"))["data"]
    sentences: list[str] = []
    questions: list[str] = []
    for article in data:
        for paragraph in article["paragraphs"]:
            sentences += [s.strip() for s in _SENTENCE_END.split(paragraph["context"]) if s.strip()]
            questions += [qa["question"] for qa in paragraph["qas"]]
    return sentences, questions


def synthesise(base: Sequence[list[str]], size: int, seed: int) -> list[list[str]]:
    """``size`` token lists varied from ``base`` (see the module docstring)."""
    rng = random.Random(seed)
    variants = np.random.default_rng(seed).zipf(ZIPF_A, size=size * 8).tolist()
    next_variant = iter(variants)
    corpus: list[list[str]] = []
    n = len(base)
    for _ in range(size):
        tokens = base[rng.randrange(n)]
        if rng.random() < CROSSOVER_RATE:
            other = base[rng.randrange(n)]
            tokens = tokens[: rng.randint(0, len(tokens))] + other[rng.randint(0, len(other)) :]
        else:
            tokens = list(tokens)
        for position in range(len(tokens)):
            if rng.random() < MUTATION_RATE:
                tokens[position] = f"{tokens[position]}{next(next_variant, 1)}"
        corpus.append(tokens)
    return corpus


# -- memory ---------------------------------------------------------------------------------------


def _status(field: str) -> float:
    """A /proc/self/status figure in MB (0 where /proc is missing)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def reset_peak() -> bool:
    """Reset VmHWM to the current RSS (Linux); False if the kernel does not allow it."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


# -- timing ---------------------------------------------------------------------------------------


def percentiles(samples_ms: Sequence[float]) -> tuple[float, float]:
    """(p50, p99) of ``samples_ms``."""
    array = np.asarray(samples_ms)
    return float(np.percentile(array, 50)), float(np.percentile(array, 99))


def time_queries(
    run: Callable[[list[str]], object], queries: Sequence[list[str]], warmup: int = 3
) -> list[float]:
    """Milliseconds per query after ``warmup`` untimed runs."""
    for query in queries[:warmup]:
        run(query)
    times = []
    for query in queries:
        start = time.perf_counter()
        run(query)
        times.append((time.perf_counter() - start) * 1000)
    return times


def full_scan_top(reference: object, query: list[str]) -> list[int]:
    scores = reference.get_scores(query)  # type: ignore[attr-defined]
    return np.argsort(scores)[::-1][:K].tolist()


# -- one size, in a subprocess ----------------------------------------------------------------------


def run_size(args: argparse.Namespace, size: int) -> dict[str, object]:
    """Every measurement for one corpus size; returned as JSON-ready figures."""
    tokenize = make_tokenizer(args.tokenizer)
    sentences, questions = read_squad(Path(args.squad))
    base = [tokens for tokens in map(tokenize, sentences) if tokens]
    rng = random.Random(args.seed)
    rng.shuffle(questions)
    queries = [tokens for tokens in map(tokenize, questions) if tokens][: args.queries]
    corpus = synthesise(base, size, args.seed)
    gc.collect()
    out: dict[str, object] = {
        "size": size,
        "tokens_per_doc": sum(map(len, corpus)) / size,
        "terms_per_query": statistics.mean(map(len, queries)),
        "n_queries": len(queries),
    }

    # FastBM25: build, memory, queries.
    rss_before = _status("VmRSS")
    exact_peak = reset_peak()
    start = time.perf_counter()
    index = FastBM25(corpus, k1=args.k1, b=args.b, progress=True)
    out["build_s"] = time.perf_counter() - start
    out["rss_before_mb"] = rss_before
    out["peak_mb"] = _status("VmHWM")
    out["peak_exact"] = exact_peak
    out["vocabulary"] = index.vocabulary_size
    out["postings"] = index.n_postings
    fast_ms = time_queries(lambda query: index.top_k(query, K), queries)
    out["fast_p50_ms"], out["fast_p99_ms"] = percentiles(fast_ms)
    out["fast_max_ms"] = max(fast_ms)
    candidates = [sum(index.doc_freq(term) for term in query) for query in queries]
    out["postings_per_query_p50"] = float(np.percentile(candidates, 50))

    # Persisted index: save, then time loads (warm page cache).
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp) / "index"
        start = time.perf_counter()
        save_index(index, directory, "bench", extra={"ids": list(range(size))})
        out["save_s"] = time.perf_counter() - start
        loads = []
        for _ in range(3):
            start = time.perf_counter()
            loaded = load_index(directory, "bench")
            loads.append(time.perf_counter() - start)
            assert loaded is not None  # noqa: S101 - a bench sanity check, not a timing assertion
        out["load_s"] = statistics.median(loads)
        del loaded

    # rank_bm25 full scan on a sample of queries.
    if size <= args.skip_full_scan_above:
        from rank_bm25 import BM25Okapi

        start = time.perf_counter()
        reference = BM25Okapi(corpus, k1=args.k1, b=args.b)
        out["okapi_build_s"] = time.perf_counter() - start
        probe = time_queries(lambda query: full_scan_top(reference, query), queries[:3], warmup=0)
        n = max(3, min(len(queries), int(args.full_scan_budget / (statistics.mean(probe) / 1000))))
        sample = queries[:n]
        okapi_ms = probe + time_queries(lambda query: full_scan_top(reference, query), sample[3:], warmup=0)
        same = 0
        for query in sample:
            expected = reference.get_scores(query)
            got = index.top_k(query, K)
            want = sorted(
                (d for d, freqs in enumerate(reference.doc_freqs) if any(t in freqs for t in query)),
                key=lambda d: (-expected[d], d),
            )[:K]
            same += [d for d, _ in got] == want and np.allclose([s for _, s in got], expected[want])
        out["okapi_queries"] = len(okapi_ms)
        out["okapi_p50_ms"], out["okapi_p99_ms"] = percentiles(okapi_ms)
        out["fast_p50_same_ms"] = percentiles(fast_ms[:n])[0]
        out["top10_identical"] = f"{same}/{len(sample)}"
        del reference
        gc.collect()

    # bm25s.
    try:
        import bm25s
    except ImportError:
        return out
    reset_peak()
    rss_before = _status("VmRSS")
    start = time.perf_counter()
    retriever = bm25s.BM25(method="robertson", k1=args.k1, b=args.b)
    retriever.index(corpus, show_progress=True)
    out["bm25s_build_s"] = time.perf_counter() - start
    out["bm25s_peak_mb"] = _status("VmHWM")
    out["bm25s_rss_before_mb"] = rss_before
    vocab = retriever.vocab_dict
    known = [[t for t in query if t in vocab] for query in queries]
    known = [query for query in known if query]

    def bm25s_top(query: list[str]) -> object:
        return retriever.retrieve([query], k=K, show_progress=False, n_threads=1)

    bm25s_ms = time_queries(bm25s_top, known)
    out["bm25s_p50_ms"], out["bm25s_p99_ms"] = percentiles(bm25s_ms)
    return out


# -- driver ------------------------------------------------------------------------------------------


def print_table(results: list[dict[str, object]]) -> None:
    def cell(row: dict[str, object], key: str, fmt: str) -> str:
        value = row.get(key)
        return "—" if value is None else format(value, fmt)

    header = (
        f"{'docs':>9} {'tok/doc':>7} {'vocab':>9} {'build s':>8} {'peak MB':>8} {'Δ MB':>6} "
        f"{'p50 ms':>7} {'p99 ms':>7} {'max ms':>7} {'load s':>7} | "
        f"{'okapi p50':>9} {'n':>4} {'×p50':>7} {'top10=':>8} | "
        f"{'bm25s bld':>9} {'bm25s p50':>9} {'p99':>7}"
    )
    print(header)
    print("-" * len(header))
    for row in results:
        ratio = None
        if "okapi_p50_ms" in row:
            ratio = float(row["okapi_p50_ms"]) / float(row["fast_p50_same_ms"])  # type: ignore[arg-type]
        delta = float(row["peak_mb"]) - float(row["rss_before_mb"])  # type: ignore[arg-type]
        print(
            f"{row['size']:>9,} {cell(row, 'tokens_per_doc', '.1f'):>7} {cell(row, 'vocabulary', ','):>9} "
            f"{cell(row, 'build_s', '.2f'):>8} {cell(row, 'peak_mb', '.0f'):>8} {delta:>6.0f} "
            f"{cell(row, 'fast_p50_ms', '.2f'):>7} {cell(row, 'fast_p99_ms', '.2f'):>7} "
            f"{cell(row, 'fast_max_ms', '.1f'):>7} {cell(row, 'load_s', '.3f'):>7} | "
            f"{cell(row, 'okapi_p50_ms', '.1f'):>9} {cell(row, 'okapi_queries', 'd'):>4} "
            f"{'—' if ratio is None else format(ratio, '.0f'):>7} {cell(row, 'top10_identical', 's'):>8} | "
            f"{cell(row, 'bm25s_build_s', '.2f'):>9} {cell(row, 'bm25s_p50_ms', '.2f'):>9} "
            f"{cell(row, 'bm25s_p99_ms', '.2f'):>7}"
        )
    print()
    print("peak MB: VmHWM of the size's own process during the FastBM25 build (corpus included);")
    print("Δ MB: that peak minus the RSS just before the build. ×p50: okapi p50 / FastBM25 p50 on the same")
    print(
        "queries. top10=: queries whose FastBM25 top 10 equals BM25Okapi's (ids by score then index; scores"
    )
    print("allclose). load s: load_index of the saved index, warm page cache, median of 3.")
    for row in results:
        print(
            f"  {row['size']:,}: {row['n_queries']} queries, {float(row['terms_per_query']):.1f} terms each, "  # type: ignore[arg-type]
            f"median {float(row['postings_per_query_p50']):,.0f} postings touched; "  # type: ignore[arg-type]
            f"okapi build {cell(row, 'okapi_build_s', '.1f')} s; save {float(row['save_s']):.2f} s; "  # type: ignore[arg-type]
            f"bm25s peak {cell(row, 'bm25s_peak_mb', '.0f')} MB; exact peak reset: {row['peak_exact']}"
        )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("squad", help="a SQuAD-format JSON file (e.g. XQuAD's Arabic file)")
    parser.add_argument("--sizes", default="10000,100000,1000000", help="comma-separated corpus sizes")
    parser.add_argument("--queries", type=int, default=200, help="questions to time (default 200)")
    parser.add_argument(
        "--skip-full-scan-above",
        type=int,
        default=1_000_000,
        help="no rank_bm25 run above this many documents",
    )
    parser.add_argument(
        "--full-scan-budget", type=float, default=60.0, help="seconds of rank_bm25 queries per size"
    )
    parser.add_argument("--tokenizer", choices=["pipeline", "simple"], default="pipeline")
    parser.add_argument("--k1", type=float, default=1.5)
    parser.add_argument("--b", type=float, default=0.75)
    parser.add_argument("--seed", type=int, default=2022)
    parser.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker is not None:
        print(json.dumps(run_size(args, args.worker)))
        return 0

    results = []
    for size in (int(s) for s in args.sizes.split(",")):
        print(f"== {size:,} sentences", file=sys.stderr)
        command = [sys.executable, str(Path(__file__).resolve()), *sys.argv[1:], "--worker", str(size)]
        done = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=True)  # noqa: S603
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
        print(json.dumps(results[-1]), file=sys.stderr)
    print_table(results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
