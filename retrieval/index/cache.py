"""Keep a built sentence index next to the corpus, so that a start or a reload indexes only what changed.

The cache lives in ``corpus/.index/`` (``cache_dir`` overrides it), one directory per text pipeline::

    .index/light-0123456789abcdef/    the stemmer and 16 hex digits of the pipeline key
        meta.json                     keys, sizes and a digest per file (retrieval.index.persist bundle)
        *.npy, *.json                 the SentenceTable (per article) and the Assembly (corpus-wide)
        bm25/                         the FastBM25 postings (retrieval.index.persist.save_index)

Two keys decide what can be reused:

* the **pipeline key** covers everything that turns an article into table rows: the cache layout
  (``CACHE_VERSION``), ``retrieval.text.PIPELINE_VERSION``, the stemmer, the lexicon, and a digest of
  the source of the modules that segment, normalise, tokenise and index (so an edit there can never
  leave stale rows behind, even if nobody bumps a version). Another pipeline means another directory;
  the three most recently written are kept, so switching stemmers back and forth rebuilds nothing.
* the **index key** adds k1, b and the digest of every article, in order
  (:func:`retrieval.index.table.article_digest`: id, metadata, title and paragraphs).

On a matching index key the index is restored without segmenting, tokenising or assembling anything.
Otherwise the saved table's rows are reused for every article whose digest it holds, only new or
changed articles are segmented and tokenised, the corpus-wide stage runs again (numpy and
dictionaries; it needs every article because a sentence may be shared across articles and proclitics
are split against the whole vocabulary), and the result is saved for next time.

**Sentence vectors** (``retrieval.vectors``) of a sentence encoder are kept the same way in a directory
of their own, ``.index/vectors-<encoder>-<16 hex digits>/`` (:func:`cached_vectors`): reused whole while
the table's articles and rows are unchanged, otherwise reused sentence by sentence (by a digest of each
sentence's exact text), so only new sentences are encoded. Their key is the encoder's name and the
vector layout (``VECTORS_VERSION``), not the text pipeline: a new stemmer or lexicon re-encodes nothing.

A damaged cache is logged as a warning and rebuilt; a directory that cannot be written (a read-only
corpus) is logged at info level and the index is simply not kept. Nothing here raises because of the
cache. File access goes through ``retrieval.index.persist``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from retrieval import segment as segment_module
from retrieval import text as text_module
from retrieval.config import RetrievalConfig
from retrieval.index import arrays as arrays_module
from retrieval.index import assembly as assembly_module
from retrieval.index import bm25 as bm25_module
from retrieval.index import table as table_module
from retrieval.index.assembly import Assembly
from retrieval.index.persist import Bundle, files_digest, load_bundle, prune_bundles, save_bundle
from retrieval.index.sentence_index import SentenceIndex
from retrieval.index.table import SentenceTable, article_digest
from retrieval.models import Corpus
from retrieval.text import Pipeline
from retrieval.vectors import SentenceVectors

if TYPE_CHECKING:
    from retrieval.encoder import Encoder

__all__ = ["CACHE_DIR", "CACHE_VERSION", "cached_index", "cached_vectors", "index_key", "pipeline_key"]

logger = logging.getLogger("retrieval.cache")  # the name log lines show

CACHE_DIR = ".index"
CACHE_VERSION = 1  # bump when the saved arrays change meaning
KIND = "sanad-sentence-index"
KEEP = 3  # pipeline directories kept side by side
EPSILON = 0.25  # FastBM25's default, which SentenceIndex uses
VECTORS_KIND = "sanad-sentence-vectors"
VECTORS_VERSION = 1  # bump when the saved vectors change meaning
_Kept = TypeVar("_Kept")


@cache
def _code_digest() -> str:
    """Digest of the source of the modules that turn articles into an index."""
    modules = (text_module, segment_module, table_module, assembly_module, arrays_module, bm25_module)
    return files_digest([Path(module.__file__ or "") for module in modules])


def pipeline_key(stemmer: str, lexicon: Sequence[Sequence[str]]) -> str:
    """What the per-article rows depend on (see the module docstring)."""
    parts = {
        "cache": CACHE_VERSION,
        "pipeline": text_module.PIPELINE_VERSION,
        "stemmer": stemmer,
        "lexicon": [list(group) for group in lexicon],
        "code": _code_digest(),
    }
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode()).hexdigest()


def index_key(pipeline: str, digests: Sequence[str], k1: float, b: float) -> str:
    """What the whole index depends on: the pipeline key, k1, b and every article, in order."""
    digest = hashlib.sha256(f"{pipeline}\n{float(k1)!r}\n{float(b)!r}\n{EPSILON!r}\n".encode())
    for article in digests:
        digest.update(article.encode())
        digest.update(b"\n")
    return digest.hexdigest()


def cached_index(
    corpus: Corpus,
    pipeline: Pipeline,
    config: RetrievalConfig,
    directory: Path | None,
    *,
    progress: bool = False,
) -> SentenceIndex:
    """The sentence index of ``corpus``, reusing and refreshing the cache in ``directory`` (``None``: none).

    ``pipeline`` must be the one ``config.stemmer`` and ``corpus.lexicon`` make (as ``load_retriever``
    builds it): the cache is keyed by those, not by the object.
    """
    articles = corpus.articles
    if directory is None:
        return SentenceIndex(articles, pipeline, config.k1, config.b, config.context_weight, progress)
    started = time.perf_counter()
    digests = [article_digest(article) for article in articles]
    pipeline_id = pipeline_key(config.stemmer, corpus.lexicon)
    index_id = index_key(pipeline_id, digests, config.k1, config.b)
    home = Path(directory) / f"{config.stemmer}-{pipeline_id[:16]}"
    saved = load_bundle(home, KIND)
    table = _table(saved, pipeline_id)
    if saved is not None and table is not None and saved.meta.get("index") == index_id:
        restored = _restore(saved, table, index_id, corpus, pipeline, config)
        if restored is not None:
            logger.debug(
                "index restored from %s: %d sentences in %.2f s",
                home, len(restored), time.perf_counter() - started,
            )
            return restored
    table, rebuilt = SentenceTable.update(table, articles, pipeline, digests=digests, progress=progress)
    index = SentenceIndex(
        articles, pipeline, config.k1, config.b, config.context_weight, progress, table=table
    )
    logger.debug(
        "indexed %d of %d articles again (%d sentences) in %.2f s",
        rebuilt, len(articles), len(index), time.perf_counter() - started,
    )
    _save(home, index, pipeline_id, index_id)
    return index


def _table(saved: Bundle | None, pipeline_id: str) -> SentenceTable | None:
    if saved is not None and saved.meta.get("pipeline") != pipeline_id:
        logger.warning("index cache %s was built for another pipeline; ignoring it", saved.directory)
        return None
    return _read(saved, SentenceTable.from_arrays, "index cache %s is inconsistent (%s); ignoring it")


def _read(
    saved: Bundle | None, read: Callable[[dict[str, Any], dict[str, Any]], _Kept], complaint: str
) -> _Kept | None:
    """``read(arrays, documents)`` of a loaded bundle; ``None`` when there is none or ``read`` finds
    the arrays inconsistent (logged as a warning with ``complaint``, given the directory and the error).
    """
    if saved is None:
        return None
    try:
        return read(saved.arrays, saved.documents)
    except ValueError as error:
        logger.warning(complaint, saved.directory, error)
        return None


def _restore(
    saved: Bundle,
    table: SentenceTable,
    index_id: str,
    corpus: Corpus,
    pipeline: Pipeline,
    config: RetrievalConfig,
) -> SentenceIndex | None:
    bm25 = saved.index(index_id)
    if bm25 is None:
        return None  # load_index logged why
    try:
        assembly = Assembly.from_arrays(saved.arrays, saved.documents, bm25)
        return SentenceIndex.restore(corpus.articles, table, assembly, pipeline, config.context_weight)
    except ValueError as error:
        logger.warning("index cache %s is inconsistent (%s); rebuilding it", saved.directory, error)
        return None


def _save(home: Path, index: SentenceIndex, pipeline_id: str, index_id: str) -> None:
    table_arrays, table_documents = index.table.to_arrays()
    assembly_arrays, assembly_documents = index.assembly.to_arrays()
    meta = {
        "pipeline": pipeline_id,
        "index": index_id,
        "articles": len(index.table.digests),
        "rows": len(index.table),
        "sentences": len(index),
    }
    arrays, documents = table_arrays | assembly_arrays, table_documents | assembly_documents
    bm25 = (index.assembly.bm25, index_id)
    _keep("the index", home, KIND, lambda: save_bundle(home, KIND, meta, arrays, documents, index=bm25))


def _keep(what: str, home: Path, kind: str, save: Callable[[], None]) -> None:
    """Run ``save`` (of a bundle of ``kind`` in ``home``) and prune old bundles of that kind; a directory
    that cannot be written is only logged.
    """
    try:
        save()
    except OSError as error:
        logger.info(
            "cannot keep %s in %s (%s); it will be computed again at the next start",
            what, home, error.strerror or error,
        )
        return
    try:
        prune_bundles(home.parent, kind, keep=KEEP)
    except OSError as error:
        logger.info("cannot remove old copies of %s in %s (%s)", what, home.parent, error.strerror or error)


def cached_vectors(
    index: SentenceIndex, encoder: Encoder, directory: Path | None, *, progress: bool = False
) -> SentenceVectors:
    """The sentence vectors of ``index`` by ``encoder``, reusing and refreshing those kept in ``directory``.

    ``None``: nothing is kept. Like :func:`cached_index`, never raises because of the cache.
    """
    table, articles = index.table, index.articles
    if directory is None:
        return SentenceVectors.build(table, articles, encoder, progress=progress)
    started = time.perf_counter()
    key = hashlib.sha256(json.dumps([VECTORS_VERSION, encoder.name]).encode()).hexdigest()[:16]
    label = "".join(c if c.isalnum() else "-" for c in encoder.name.lower())[:40]
    home = Path(directory) / f"vectors-{label}-{key}"
    previous = _read(
        load_bundle(home, VECTORS_KIND), SentenceVectors.from_arrays,
        "sentence vectors in %s are inconsistent (%s); ignoring them",
    )
    vectors, encoded = SentenceVectors.update(previous, table, articles, encoder, progress=progress)
    logger.debug(
        "sentence vectors: %d of %d sentences encoded in %.2f s", encoded, len(vectors),
        time.perf_counter() - started,
    )
    if vectors is not previous:
        _keep_vectors(home, vectors)
    return vectors


def _keep_vectors(home: Path, vectors: SentenceVectors) -> None:
    parts = vectors.to_arrays()
    meta: dict[str, object] = {"model": vectors.model, "sentences": len(vectors)}
    _keep("the sentence vectors", home, VECTORS_KIND, lambda: save_bundle(home, VECTORS_KIND, meta, *parts))
