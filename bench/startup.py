"""Benchmark start-up (cold build, warm start, reload after one article changed) and answer latency.

Usage::

    python bench/startup.py PATH_TO_SQUAD_JSON [--sizes 10000,100000] [--seed 2022] [--no-verify]
                            [--encoder e5|none] [--stand-in-vectors] [--questions 200]
    python bench/startup.py PATH_TO_SQUAD_JSON --bundled [--encoder e5|none]

``PATH_TO_SQUAD_JSON`` is any SQuAD-format file (XQuAD's Arabic file, for instance); no data ships
with the project. For each size a corpus of about that many sentences is written as article ``.md``
files (the bot's own format) to a temporary directory, then each phase runs ``load_retriever`` in a
fresh Python process, so nothing but the files on disk (and the operating system's page cache)
carries over from one phase to the next:

* **cold**: no ``.index`` yet: read the articles, segment, tokenise, assemble, save the cache;
* **warm**: an unchanged corpus: read the articles, restore the index from ``.index``;
* **reload**: one article changed (a sentence appended): only that article is segmented and
  tokenised, the corpus-wide stage runs again and the cache is rewritten;
* **in-process reload**: the same, but in the process that already holds a retriever, as the bot's
  ``/reload`` does.

* **answer**: a warm start, then ``Retriever.answer`` for ``--questions`` of the file's questions,
  each asked once (so no question vector comes from the encoder's memo): p50 / p95 latency.

Each phase reports the time ``load_retriever`` took (interpreter start-up and imports excluded) and,
for comparison, how long reading and parsing the article files alone takes (``load_corpus``). With
verification on (the default) the reload phase also builds the index from scratch without the cache
and checks that every question of the file gets the same answer (hits, scores, declines, missing
words) from both. Figures are printed, never asserted.

The sentence encoder (``--encoder``, ``e5`` as shipped) encodes every new sentence during a cold build,
at 25–110 ms a sentence on the shared 2-core machine: 100k sentences would take hours. With
``--stand-in-vectors`` the cold and reload phases first time the real model on ``--rate-sample``
sentences of the corpus, then give every sentence a stand-in vector (a fixed pseudo-random unit vector
per text) under the real model's name, so that what is kept on disk, the warm start, the memory and the
answers (whose question vectors always come from the real model) are exactly as with real vectors; the
cold figure is then reported with the encoding time extrapolated from the measured rate.

``--bundled`` times answers on the bundled corpus instead: every question of ``tests/data/dev.jsonl``
and ``--questions`` of the SQuAD file's, each asked once.

How a corpus of N sentences is made from XQuAD's 1,190 real ones
------------------------------------------------------------------
Contexts are split with the bot's own segmenter. Each synthetic sentence starts from a random real
sentence; half of the time its tail is swapped for the tail of another (crossover, so words meet in
new combinations and lengths vary); then each word of three letters or more is, with probability
0.15, given a suffix of Arabic letters spelling a number drawn from a Zipf law
(``numpy.random.zipf(1.6)``), so common words stay common while the vocabulary keeps growing with
the corpus, as it does in real news. Two in a hundred sentences are exact copies of an earlier one
(wire copies, indexed once and cited by every article carrying them). Articles have 3 to 7
paragraphs of 2 to 6 sentences and a title made from the first words of one more sentence.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

# Run as `python bench/startup.py`: put the repository root first on sys.path (see bench/retrieval.py).
_HERE = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

import numpy as np  # noqa: E402

from retrieval.config import RetrievalConfig  # noqa: E402

LETTERS = "بتثجحخدذرزسشصضطظعغفقكلمنهوي"
MUTATION_RATE = 0.15
CROSSOVER_RATE = 0.5
COPY_RATE = 0.02
ZIPF_A = 1.6
CHANGED_SENTENCE = "وأضاف المتحدث أن الاجتماع المقبل سيعقد في العاصمة الأسبوع القادم."


def read_squad(path: Path) -> tuple[list[str], list[str]]:
    """(sentences, questions) of a SQuAD-format file, sentences as the bot's segmenter splits them."""
    from retrieval.segment import split_sentences

    data = json.loads(path.read_text(encoding="utf-8"))["data"]
    sentences: list[str] = []
    questions: list[str] = []
    for article in data:
        for paragraph in article["paragraphs"]:
            sentences += split_sentences(paragraph["context"])
            questions += [qa["question"] for qa in paragraph["qas"]]
    return sentences, questions


def synthesise(base: list[str], size: int, seed: int, directory: Path) -> tuple[int, int]:
    """Write articles holding about ``size`` sentences to ``directory/articles``; (articles, sentences)."""
    from retrieval.ingest import render_article
    from retrieval.models import Article

    rng = random.Random(seed)
    draws = iter(np.random.default_rng(seed).zipf(ZIPF_A, size=size * 40).tolist())
    words = [sentence.split() for sentence in base]
    made: list[str] = []

    def suffix(number: int) -> str:
        letters = ""
        while True:
            letters += LETTERS[number % len(LETTERS)]
            number //= len(LETTERS)
            if not number:
                return letters

    def sentence() -> str:
        if made and rng.random() < COPY_RATE:
            return rng.choice(made)
        chosen = words[rng.randrange(len(words))]
        if rng.random() < CROSSOVER_RATE:
            other = words[rng.randrange(len(words))]
            chosen = chosen[: rng.randint(1, len(chosen))] + other[rng.randint(0, len(other) - 1) :]
        varied = [
            w + suffix(next(draws, 1)) if len(w) >= 3 and w.isalpha() and rng.random() < MUTATION_RATE else w
            for w in chosen
        ]
        text = " ".join(varied)
        if text[-1] not in ".؟!?":
            text += "."
        made.append(text)
        return text

    (directory / "articles").mkdir(parents=True)
    total = number = 0
    while total < size:
        paragraphs = []
        for _ in range(rng.randint(3, 7)):
            count = rng.randint(2, 6)
            paragraphs.append(" ".join(sentence() for _ in range(count)))
            total += count
        title = " ".join(sentence().split()[:8]).rstrip(".")
        article = Article(
            id=f"{number:06d}_synthetic",
            title=title,
            paragraphs=tuple(paragraphs),
            outlet=f"وكالة {number % 7}",
            published=date(2022, 1, 1) + timedelta(days=number % 30),
        )
        path = directory / "articles" / f"{article.id}.md"
        path.write_text(render_article(article), encoding="utf-8")
        total += 1
        number += 1
    return number, total


def change_one_article(directory: Path, where: float) -> str:
    """Append a sentence to the article file at ``where`` (0 first, 1 last) in name order; its id."""
    files = sorted((directory / "articles").glob("*.md"))
    path = files[min(len(files) - 1, int(where * len(files)))]
    text = path.read_text(encoding="utf-8")
    path.write_text(text.rstrip("\n") + f" {CHANGED_SENTENCE}\n", encoding="utf-8")
    return path.stem


def peak_mb() -> float:
    """This process's peak resident memory in MB (VmHWM; 0 where /proc is missing)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def directory_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


# -- phases, each in its own process -----------------------------------------------------------------------


class StandIn:
    """The real encoder for questions; for sentences a fixed pseudo-random unit vector per text."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.name, self.dim = real.name, real.dim
        self.encoded = 0

    def passages(self, texts: list[str]) -> Any:
        import hashlib

        self.encoded += len(texts)
        rows = []
        for text in texts:
            seed = int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little")
            row = np.random.default_rng(seed).standard_normal(self.dim).astype(np.float32)
            rows.append(row / np.linalg.norm(row))
        return np.stack(rows) if rows else np.zeros((0, self.dim), np.float32)

    def query(self, text: str) -> Any:
        return self.real.query(text)


def encoder_rate(corpus: Path, sample: int, seed: int) -> float:
    """Seconds per sentence of the real e5 model on ``sample`` sentences of ``corpus`` (batched as built)."""
    from retrieval.encoder import load_encoder
    from retrieval.segment import split_sentences

    encoder = load_encoder("e5")
    if encoder is None:
        return float("nan")
    files = sorted((corpus / "articles").glob("*.md"))
    rng = random.Random(seed)
    texts: list[str] = []
    for path in rng.sample(files, min(len(files), sample)):
        body = path.read_text(encoding="utf-8").split("+++")[-1]
        texts += split_sentences(" ".join(body.split()))[:2]
    texts = [f"{t} {rng.random():.6f}" for t in texts[:sample]]  # never in the encoder's memo
    started = time.perf_counter()
    encoder.passages(texts)
    return (time.perf_counter() - started) / max(1, len(texts))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))] if ordered else float("nan")


def time_answers(retriever: Any, questions: list[str]) -> dict[str, object]:
    """Latency of ``retriever.answer`` over ``questions`` (ms): p50, p95, and the share declined."""
    from retrieval.errors import EmptyQuestionError

    times, cpu, declined = [], [], 0
    for question in questions:
        started, used = time.perf_counter(), time.thread_time()
        try:
            declined += retriever.answer(question).declined
        except EmptyQuestionError:
            declined += 1
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.thread_time() - used) * 1000)
    return {
        "p50_ms": percentile(times, 0.5),
        "p95_ms": percentile(times, 0.95),
        "cpu_p50_ms": percentile(cpu, 0.5),
        "cpu_p95_ms": percentile(cpu, 0.95),
        "questions": len(questions),
        "declined": declined,
    }


def run_phase(
    phase: str, corpus: Path, squad: Path, verify: bool, args: argparse.Namespace
) -> dict[str, object]:
    """One measurement, in this process (the driver runs each in a fresh one)."""
    import retrieval.encoder
    import retrieval.index.table
    from retrieval.answer import Retriever, load_retriever
    from retrieval.corpus import load_corpus
    from retrieval.errors import EmptyQuestionError

    config = RetrievalConfig(encoder=args.encoder)
    out: dict[str, object] = {"phase": phase}
    stand_in: StandIn | None = None
    if args.encoder == "e5" and args.stand_in_vectors and phase in ("cold", "reload", "inprocess"):
        if phase == "cold":
            out["encode_s_per_sentence"] = encoder_rate(corpus, args.rate_sample, args.seed)
        real = retrieval.encoder.load_encoder("e5")
        if real is not None:
            stand_in = StandIn(real)
            retrieval.encoder.load_encoder = lambda name: stand_in if name == "e5" else None  # type: ignore[assignment]
    tokenised: list[str] = []
    tabulate = retrieval.index.table._tabulate

    def counting(article: object, *args: object) -> None:
        tokenised.append(article.id)  # type: ignore[attr-defined]
        tabulate(article, *args)  # type: ignore[arg-type]

    retrieval.index.table._tabulate = counting  # type: ignore[assignment]
    if phase == "cold":
        shutil.rmtree(corpus / ".index", ignore_errors=True)
    elif phase == "reload":
        out["changed"] = change_one_article(corpus, 0.5)
    elif phase == "inprocess":
        load_retriever(corpus, config)
        out["changed"] = change_one_article(corpus, 0.25)
        tokenised.clear()
    started = time.perf_counter()
    retriever = load_retriever(corpus, config)
    out["seconds"] = time.perf_counter() - started
    out["peak_mb"] = peak_mb()
    out["tokenised"] = len(tokenised)
    out["encoded"] = stand_in.encoded if stand_in is not None else None
    out["sentences"] = len(retriever.index)
    out["articles"] = retriever.info.articles
    started = time.perf_counter()
    load_corpus(corpus)
    out["load_corpus_s"] = time.perf_counter() - started
    if phase == "cold":
        out["cache_bytes"] = directory_size(corpus / ".index")
        out["corpus_bytes"] = directory_size(corpus / "articles")
    if phase == "answer":
        _, questions = read_squad(squad)
        random.Random(args.seed).shuffle(questions)
        out |= time_answers(retriever, questions[: args.questions])
        out["peak_mb"] = peak_mb()
    if verify and phase == "reload":
        from retrieval.encoder import load_encoder

        _, questions = read_squad(squad)
        fresh = Retriever(load_corpus(corpus), config, encoder=load_encoder(config.encoder))
        same = 0
        for question in questions:
            try:
                same += retriever.answer(question) == fresh.answer(question)
            except EmptyQuestionError:
                same += 1
        out["identical"] = f"{same}/{len(questions)}"
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("squad", help="a SQuAD-format JSON file (e.g. XQuAD's Arabic file)")
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated sentence counts")
    parser.add_argument("--seed", type=int, default=2022)
    parser.add_argument("--no-verify", dest="verify", action="store_false", help="skip the answer check")
    parser.add_argument("--encoder", choices=["e5", "none"], default="e5", help="retrieval.encoder (e5)")
    parser.add_argument(
        "--stand-in-vectors", action="store_true",
        help="time the model on a sample and give the corpus stand-in vectors (see the docstring)",
    )
    parser.add_argument("--rate-sample", type=int, default=200, help="sentences the model is timed on")
    parser.add_argument("--questions", type=int, default=200, help="questions timed by the answer phase")
    parser.add_argument("--bundled", action="store_true", help="time answers on the bundled corpus only")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--corpus", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    squad = Path(args.squad)

    if args.phase:
        print(json.dumps(run_phase(args.phase, Path(args.corpus), squad, args.verify, args)))
        return 0
    if args.bundled:
        return bundled_latency(args)

    base, _ = read_squad(squad)
    rows = []
    for size in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory(prefix="sanad-startup-") as tmp:
            corpus = Path(tmp) / "corpus"
            articles, _ = synthesise(base, size, args.seed, corpus)
            print(f"== {size:,} sentences: {articles:,} articles written", file=sys.stderr)
            row: dict[str, object] = {"size": size}
            for phase in ("cold", "warm", "reload", "warm", "inprocess", "answer"):
                command = [
                    sys.executable, str(Path(__file__).resolve()), str(squad),
                    "--phase", phase, "--corpus", str(corpus), "--encoder", args.encoder,
                    "--rate-sample", str(args.rate_sample), "--questions", str(args.questions),
                    "--seed", str(args.seed),
                ]
                if not args.verify:
                    command.append("--no-verify")
                if args.stand_in_vectors:
                    command.append("--stand-in-vectors")
                done = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=True)  # noqa: S603
                result = json.loads(done.stdout.strip().splitlines()[-1])
                print(json.dumps(result, ensure_ascii=False), file=sys.stderr)
                key = phase if phase not in row else f"{phase}2"
                row[key] = result
            rows.append(row)
    print_table(rows, args)
    return 0


def bundled_latency(args: argparse.Namespace) -> int:
    """Answer latency on the bundled corpus: the dev questions, then the SQuAD file's, each once."""
    from retrieval.answer import load_retriever
    from retrieval.evaluate import read_cases

    root = _HERE.parent
    started = time.perf_counter()
    retriever = load_retriever(root / "corpus", RetrievalConfig(encoder=args.encoder))
    loaded = time.perf_counter() - started
    started = time.perf_counter()
    retriever.warm_up()  # as the bot does in the background at start-up
    warmed = time.perf_counter() - started
    lines = (root / "tests" / "data" / "dev.jsonl").read_text(encoding="utf-8").splitlines()
    dev = [case.question for case in read_cases(lines)]
    _, questions = read_squad(Path(args.squad))
    random.Random(args.seed).shuffle(questions)
    sentences = len(retriever.index)
    print(
        f"bundled corpus, encoder {args.encoder}: {sentences} sentences, loaded in {loaded:.2f} s, "
        f"analyser warmed in the background in {warmed:.1f} s"
    )
    for name, asked in (("dev questions", dev), ("SQuAD questions", questions[: args.questions])):
        figures = time_answers(retriever, asked)
        print(
            f"  {name:<16} {figures['questions']:>4} asked, {figures['declined']:>4} declined: "
            f"p50 {figures['p50_ms']:.1f} ms, p95 {figures['p95_ms']:.1f} ms "
            f"(CPU time p50 {figures['cpu_p50_ms']:.1f} ms, p95 {figures['cpu_p95_ms']:.1f} ms)"
        )
    load = os.getloadavg()[0]
    print(f"  peak memory {peak_mb():.0f} MB; load average {load:.1f} on {os.cpu_count()} cores")
    return 0


def _phase(row: dict[str, object], name: str) -> dict[str, Any]:
    result = row[name]
    if not isinstance(result, dict):
        raise TypeError(f"no {name} figures")
    return result


def print_table(rows: list[dict[str, object]], args: argparse.Namespace) -> None:
    header = (
        f"{'sentences':>9} {'articles':>8} {'cold s':>7} {'warm s':>7} {'reload s':>8} {'in-proc s':>9} "
        f"{'re-tok':>6} {'files s':>7} {'cache MB':>8} {'corpus MB':>9} {'peak MB':>13} {'same answers':>12} "
        f"{'answer p50/p95 ms':>17} {'answer peak MB':>14}"
    )
    print(f"encoder: {args.encoder}" + (" (stand-in sentence vectors)" if args.stand_in_vectors else ""))
    print(header)
    print("-" * len(header))
    for row in rows:
        cold, warm, reload, inprocess, answer = (
            _phase(row, n) for n in ("cold", "warm", "reload", "inprocess", "answer")
        )
        print(
            f"{cold['sentences']:>9,} {cold['articles']:>8,} {cold['seconds']:>7.2f} {warm['seconds']:>7.2f} "
            f"{reload['seconds']:>8.2f} {inprocess['seconds']:>9.2f} "
            f"{reload['tokenised']:>6} {warm['load_corpus_s']:>7.2f} "
            f"{cold['cache_bytes'] / 1e6:>8.1f} {cold['corpus_bytes'] / 1e6:>9.1f} "
            f"{cold['peak_mb']:>6.0f} / {warm['peak_mb']:>4.0f} "
            f"{reload.get('identical', '—'):>12} "
            f"{answer['p50_ms']:>8.1f} / {answer['p95_ms']:>6.1f} {answer['peak_mb']:>14.0f}"
        )
        rate = cold.get("encode_s_per_sentence")
        if isinstance(rate, float) and cold.get("encoded"):
            encoded = int(cold["encoded"])  # type: ignore[call-overload]
            print(
                f"{'':>9} cold with real sentence vectors ≈ {cold['seconds'] + encoded * rate:,.0f} s: "
                f"{encoded:,} sentences × {rate * 1000:.0f} ms measured on {args.rate_sample} of them "
                f"(the stand-in build took {cold['seconds']:.1f} s)"
            )
    print()
    print("sentences: indexed (distinct) sentences. cold: load_retriever without a cache (builds, saves it);")
    print("warm: unchanged corpus, fresh process; reload: one article changed, fresh process; in-proc: the")
    print("same in a process already holding a retriever (as /reload). re-tok: articles segmented and")
    print("tokenised by the reload. files s: load_corpus alone (read and parse the .md files), included in")
    print("every other figure. same answers: XQuAD questions answered identically after the reload and by")
    print("an index built from scratch without the cache. peak MB: the process's peak resident memory,")
    print("cold / warm (Python and numpy included). answer: a warm start, then each of --questions of the")
    print("file's questions answered once (latency of Retriever.answer; peak memory of that process).")


if __name__ == "__main__":
    raise SystemExit(main())
