"""Benchmark start-up: cold build, warm start from corpus/.index, and a reload after one article changed.

Usage::

    python bench/startup.py PATH_TO_SQUAD_JSON [--sizes 10000,100000] [--seed 2022] [--no-verify]

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

Each phase reports the time ``load_retriever`` took (interpreter start-up and imports excluded) and,
for comparison, how long reading and parsing the article files alone takes (``load_corpus``). With
verification on (the default) the reload phase also builds the index from scratch without the cache
and checks that every question of the file gets the same answer (hits, scores, declines, missing
words) from both. Figures are printed, never asserted.

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


def run_phase(phase: str, corpus: Path, squad: Path, verify: bool) -> dict[str, object]:
    """One measurement, in this process (the driver runs each in a fresh one)."""
    import retrieval.index
    from retrieval.answer import Retriever, load_retriever
    from retrieval.corpus import load_corpus
    from retrieval.errors import EmptyQuestionError

    config = RetrievalConfig()
    tokenised: list[str] = []
    tabulate = retrieval.index._tabulate

    def counting(article: object, *args: object) -> None:
        tokenised.append(article.id)  # type: ignore[attr-defined]
        tabulate(article, *args)  # type: ignore[arg-type]

    retrieval.index._tabulate = counting  # type: ignore[assignment]
    out: dict[str, object] = {"phase": phase}
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
    out["sentences"] = len(retriever.index)
    out["articles"] = retriever.info.articles
    started = time.perf_counter()
    load_corpus(corpus)
    out["load_corpus_s"] = time.perf_counter() - started
    if phase == "cold":
        out["cache_bytes"] = directory_size(corpus / ".index")
        out["corpus_bytes"] = directory_size(corpus / "articles")
    if verify and phase == "reload":
        _, questions = read_squad(squad)
        fresh = Retriever(load_corpus(corpus), config)
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
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--corpus", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    squad = Path(args.squad)

    if args.phase:
        print(json.dumps(run_phase(args.phase, Path(args.corpus), squad, args.verify)))
        return 0

    base, _ = read_squad(squad)
    rows = []
    for size in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory(prefix="sanad-startup-") as tmp:
            corpus = Path(tmp) / "corpus"
            articles, _ = synthesise(base, size, args.seed, corpus)
            print(f"== {size:,} sentences: {articles:,} articles written", file=sys.stderr)
            row: dict[str, object] = {"size": size}
            for phase in ("cold", "warm", "reload", "warm", "inprocess"):
                command = [
                    sys.executable, str(Path(__file__).resolve()), str(squad),
                    "--phase", phase, "--corpus", str(corpus),
                ]
                if not args.verify:
                    command.append("--no-verify")
                done = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=True)  # noqa: S603
                result = json.loads(done.stdout.strip().splitlines()[-1])
                print(json.dumps(result, ensure_ascii=False), file=sys.stderr)
                key = phase if phase not in row else f"{phase}2"
                row[key] = result
            rows.append(row)
    print_table(rows)
    return 0


def _phase(row: dict[str, object], name: str) -> dict[str, Any]:
    result = row[name]
    if not isinstance(result, dict):
        raise TypeError(f"no {name} figures")
    return result


def print_table(rows: list[dict[str, object]]) -> None:
    header = (
        f"{'sentences':>9} {'articles':>8} {'cold s':>7} {'warm s':>7} {'reload s':>8} {'in-proc s':>9} "
        f"{'re-tok':>6} {'files s':>7} {'cache MB':>8} {'corpus MB':>9} {'peak MB':>13} {'same answers':>12}"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        cold, warm, reload, inprocess = (_phase(row, n) for n in ("cold", "warm", "reload", "inprocess"))
        print(
            f"{cold['sentences']:>9,} {cold['articles']:>8,} {cold['seconds']:>7.2f} {warm['seconds']:>7.2f} "
            f"{reload['seconds']:>8.2f} {inprocess['seconds']:>9.2f} "
            f"{reload['tokenised']:>6} {warm['load_corpus_s']:>7.2f} "
            f"{cold['cache_bytes'] / 1e6:>8.1f} {cold['corpus_bytes'] / 1e6:>9.1f} "
            f"{cold['peak_mb']:>6.0f} / {warm['peak_mb']:>4.0f} "
            f"{reload.get('identical', '—'):>12}"
        )
    print()
    print("sentences: indexed (distinct) sentences. cold: load_retriever without a cache (builds, saves it);")
    print("warm: unchanged corpus, fresh process; reload: one article changed, fresh process; in-proc: the")
    print("same in a process already holding a retriever (as /reload). re-tok: articles segmented and")
    print("tokenised by the reload. files s: load_corpus alone (read and parse the .md files), included in")
    print("every other figure. same answers: XQuAD questions answered identically after the reload and by")
    print("an index built from scratch without the cache. peak MB: the process's peak resident memory,")
    print("cold / warm (Python and numpy included).")


if __name__ == "__main__":
    raise SystemExit(main())
