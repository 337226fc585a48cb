"""Save and load a built :class:`~retrieval.index.bm25.FastBM25` as ``.npy`` arrays and JSON; never pickle.

A saved index is a directory of its own::

    meta.json         format, version, the caller's cache key, k1/b/epsilon, sizes, a BLAKE2b digest per file
    terms.json        the vocabulary, a JSON list indexed by term id
    extra.json        whatever JSON the caller stored with the index (e.g. sentence ids)
    doc_lengths.npy   int32, tokens per document
    indptr.npy        int64, CSR row pointers (one row per term)
    doc_ids.npy       int32, postings: document ids, ascending within a term
    tfs.npy           uint16 or uint32, term frequency per posting

The cache ``key`` is the caller's (a hash of the corpus and of the text-pipeline version); a saved index
whose key differs is ignored. Saving writes a temporary sibling directory and renames it into place, so
a reader never sees half a save. Loading never raises on a bad cache: anything missing, truncated,
inconsistent or of another format is logged and reported as ``None``, and the caller rebuilds.
``doc_ids`` and ``tfs`` are memory-mapped read-only; idf values and per-posting weights are recomputed
on load (cheap, and k1/b/epsilon are stored, not trusted from elsewhere).

Bundles
-------
:func:`save_bundle` and :func:`load_bundle` keep any set of named integer arrays and JSON documents the
same way (one ``.npy`` or ``.json`` file each, a digest per file in ``meta.json``, atomic replacement,
``None`` on damage), optionally with a :class:`FastBM25` saved by :func:`save_index` in a ``bm25``
subdirectory. ``retrieval.index.cache`` keeps a whole sentence index this way.

This is the only module of the index that touches files.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

import numpy as np

from retrieval.index.bm25 import FastBM25, PostingArrays

__all__ = [
    "FORMAT",
    "VERSION",
    "Bundle",
    "files_digest",
    "load_bundle",
    "load_index",
    "prune_bundles",
    "save_bundle",
    "save_index",
]

logger = logging.getLogger("retrieval.persist")  # the name log lines show

FORMAT = "sanad-bm25-index"
VERSION = 1
_META = "meta.json"
_TERMS = "terms.json"
_EXTRA = "extra.json"
_ARRAYS = ("doc_lengths", "indptr", "doc_ids", "tfs")
_MAPPED = frozenset({"doc_ids", "tfs"})
_Loaded = TypeVar("_Loaded")


def save_index(index: FastBM25, directory: Path, key: str, extra: dict[str, object] | None = None) -> None:
    """Write ``index`` to ``directory`` (created or replaced as a whole), tagged with ``key``.

    ``extra`` must be JSON-serialisable; it comes back from :func:`load_index`. Raises ``TypeError``
    for an ``extra`` JSON cannot hold, and ``FileExistsError`` if ``directory`` exists but is not a
    saved index (so an unrelated folder is never deleted).
    """
    extra_text = json.dumps(extra or {}, ensure_ascii=False, allow_nan=False)
    arrays = index.arrays
    meta = {
        "format": FORMAT,
        "version": VERSION,
        "key": key,
        "k1": index.k1,
        "b": index.b,
        "epsilon": index.epsilon,
        "n_docs": index.n_docs,
        "n_terms": index.vocabulary_size,
        "n_postings": index.n_postings,
    }
    texts = {_TERMS: json.dumps(arrays.terms, ensure_ascii=False), _EXTRA: extra_text}
    named = {name: getattr(arrays, name) for name in _ARRAYS}
    _write_atomically(Path(directory), "index", named, texts, meta)


def _write_atomically(
    directory: Path,
    what: str,
    arrays: Mapping[str, np.ndarray[Any, Any]],
    texts: Mapping[str, str],
    meta: Mapping[str, object],
    nested: Callable[[Path], None] | None = None,
) -> None:
    """Replace ``directory`` as a whole by ``NAME.npy`` per array, each text under its file name, anything
    ``nested`` writes into the new directory, and ``meta.json``: ``meta`` plus a digest per file.

    Everything is written and synced in a temporary sibling that is then renamed into place, so a reader
    sees the old save or the new one. An existing ``directory`` that is not a saved ``what`` (it has no
    meta file) is never touched (``FileExistsError``); ``OSError`` when the place cannot be written.
    """
    if directory.exists() and not (directory / _META).is_file() and any(directory.iterdir()):
        raise FileExistsError(
            f"{directory} exists and is not a saved {what}; choose an empty or new directory"
        )
    directory.parent.mkdir(parents=True, exist_ok=True)
    temporary = Path(tempfile.mkdtemp(prefix=f".{directory.name}.tmp-", dir=directory.parent))
    try:
        digests: dict[str, str] = {}
        for name, array in arrays.items():
            digests[f"{name}.npy"] = _write_array(temporary / f"{name}.npy", array)
        for filename, text in texts.items():
            digests[filename] = _write_text(temporary / filename, text)
        if nested is not None:
            nested(temporary)
        _write_text(temporary / _META, json.dumps({**meta, "files": digests}, ensure_ascii=False, indent=1))
        _replace_directory(temporary, directory)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise


def _load(
    directory: Path, kind: str, version: int, read: Callable[[Path, dict[str, Any]], _Loaded | None]
) -> _Loaded | None:
    """``read(directory, meta)`` of a directory saved as ``kind`` and ``version``, or ``None``.

    ``None`` when nothing is saved there (logged at debug level), or when it is of another kind or
    version, or ``read`` raises (logged as a warning); never raises for a bad cache.
    """
    directory = Path(directory)
    if not (directory / _META).is_file():
        if directory.exists():
            logger.warning("index cache %s has no %s; ignoring it", directory, _META)
        else:
            logger.debug("no index cache at %s", directory)
        return None
    try:
        meta = json.loads((directory / _META).read_text(encoding="utf-8"))
        if not isinstance(meta, dict) or meta.get("format") != kind or meta.get("version") != version:
            logger.warning("index cache %s has another format or version; ignoring it", directory)
            return None
        return read(directory, meta)
    except Exception as error:  # any damage must mean "rebuild", never a crash at start-up
        logger.warning(
            "index cache %s is unreadable (%s: %s); ignoring it", directory, type(error).__name__, error
        )
        return None


def load_index(directory: Path, key: str) -> tuple[FastBM25, dict[str, object]] | None:
    """The index saved in ``directory`` under ``key`` and its ``extra``, or ``None``.

    ``None`` when nothing is saved there, the key differs, or the files are damaged (logged as a
    warning); never raises for a bad cache.
    """

    def read(directory: Path, meta: dict[str, Any]) -> tuple[FastBM25, dict[str, object]] | None:
        if meta.get("key") != key:
            logger.info("index cache %s was built for another corpus or pipeline; ignoring it", directory)
            return None
        return _read(directory, meta)

    return _load(directory, FORMAT, VERSION, read)


def _read(directory: Path, meta: dict[str, object]) -> tuple[FastBM25, dict[str, object]]:
    digests = meta["files"]
    if not isinstance(digests, dict):
        raise ValueError("meta.json: 'files' is not an object")
    expected = {f"{name}.npy" for name in _ARRAYS} | {_TERMS, _EXTRA}
    if set(digests) != expected:
        raise ValueError(f"meta.json lists files {sorted(digests)}, expected {sorted(expected)}")
    _check_digests(directory, digests)
    loaded = {
        name: np.load(
            directory / f"{name}.npy", mmap_mode="r" if name in _MAPPED else None, allow_pickle=False
        )
        for name in _ARRAYS
    }
    terms = json.loads((directory / _TERMS).read_text(encoding="utf-8"))
    extra = json.loads((directory / _EXTRA).read_text(encoding="utf-8"))
    if not isinstance(terms, list) or not isinstance(extra, dict):
        raise ValueError("terms.json must hold a list and extra.json an object")
    arrays = PostingArrays(terms, loaded["doc_lengths"], loaded["indptr"], loaded["doc_ids"], loaded["tfs"])
    index = FastBM25.from_arrays(
        arrays, k1=_number(meta, "k1"), b=_number(meta, "b"), epsilon=_number(meta, "epsilon")
    )
    sizes = (index.n_docs, index.vocabulary_size, index.n_postings)
    if sizes != (meta.get("n_docs"), meta.get("n_terms"), meta.get("n_postings")):
        raise ValueError(f"sizes {sizes} differ from meta.json")
    return index, extra


def _check_digests(directory: Path, digests: dict[str, object]) -> None:
    for filename, digest in digests.items():
        if _digest(directory / filename) != digest:
            raise ValueError(f"{filename} does not match its digest")


def _number(meta: dict[str, object], name: str) -> float:
    value = meta.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"meta.json: {name} is not a number")
    return float(value)


def _digest(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, lambda: hashlib.blake2b(digest_size=16)).hexdigest()


def _write_file(path: Path, write: Callable[[BinaryIO], object]) -> str:
    """Write a new file with ``write``, sync it to disk, and return its digest."""
    with path.open("wb") as handle:
        write(handle)
        handle.flush()
        os.fsync(handle.fileno())
    return _digest(path)


def _write_text(path: Path, text: str) -> str:
    return _write_file(path, lambda handle: handle.write(text.encode("utf-8")))


def _write_array(path: Path, array: np.ndarray[Any, Any]) -> str:
    return _write_file(path, lambda handle: np.save(handle, np.ascontiguousarray(array), allow_pickle=False))


def _replace_directory(new: Path, target: Path) -> None:
    """Move ``new`` to ``target``, replacing a previous save.

    A reader sees the old save or the new one, never a mixture; between the two renames it finds
    nothing and gets ``None`` (a rebuild), which is safe.
    """
    if not target.exists():
        new.rename(target)
        return
    old = target.with_name(f".{target.name}.old-{uuid.uuid4().hex}")
    target.rename(old)
    try:
        new.rename(target)
    except BaseException:
        old.rename(target)
        raise
    shutil.rmtree(old, ignore_errors=True)


# --- bundles -------------------------------------------------------------------------------------------

BUNDLE_VERSION = 1
_BM25_DIR = "bm25"
_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_")


def _is_bundle_file(filename: object) -> bool:
    """A file name ``save_bundle`` writes: ``NAME.npy`` or ``NAME.json`` (nothing outside the directory)."""
    if not isinstance(filename, str) or "." not in filename:
        return False
    name, suffix = filename.rsplit(".", 1)
    return suffix in ("npy", "json") and bool(name) and set(name) <= _NAME_CHARS


@dataclass(frozen=True)
class Bundle:
    """What :func:`load_bundle` read: the caller's metadata, arrays and JSON documents."""

    directory: Path
    meta: dict[str, Any]
    arrays: dict[str, np.ndarray[Any, Any]]
    documents: dict[str, Any]

    def index(self, key: str) -> FastBM25 | None:
        """The BM25 index saved with the bundle under ``key`` (``None`` if absent, other or damaged)."""
        loaded = load_index(self.directory / _BM25_DIR, key)
        return None if loaded is None else loaded[0]


def save_bundle(
    directory: Path,
    kind: str,
    meta: Mapping[str, object],
    arrays: Mapping[str, np.ndarray[Any, Any]],
    documents: Mapping[str, object],
    index: tuple[FastBM25, str] | None = None,
) -> None:
    """Write ``arrays`` (``NAME.npy``) and ``documents`` (``NAME.json``) to ``directory`` as one unit.

    ``kind`` names what the bundle holds (:func:`load_bundle` checks it); ``meta`` is stored in
    ``meta.json`` beside the format fields; ``index`` is a ``(FastBM25, key)`` pair kept with
    :func:`save_index`. Names are lower-case letters, digits and ``_``. Arrays must hold integers
    (no pickling, ever). The directory is replaced as a whole, and an existing directory that is not
    a saved bundle is never touched (``FileExistsError``). ``OSError`` when it cannot be written.
    """
    names = [*arrays, *documents]
    if len(set(names)) != len(names) or not all(name and set(name) <= _NAME_CHARS for name in names):
        raise ValueError(f"bundle names must be distinct lower-case words: {sorted(names)}")
    for name, array in arrays.items():
        if not isinstance(array, np.ndarray) or array.dtype.kind not in "iu":
            raise TypeError(f"array {name!r} must be a numpy integer array")
    texts = {
        f"{name}.json": json.dumps(document, ensure_ascii=False, allow_nan=False)
        for name, document in documents.items()
    }
    reserved = {"format", "version", "files"} & set(meta)
    if reserved:
        raise ValueError(f"meta must not set {sorted(reserved)}")

    def nested(temporary: Path) -> None:
        if index is not None:
            save_index(index[0], temporary / _BM25_DIR, index[1])

    record = {"format": kind, "version": BUNDLE_VERSION, **meta}
    _write_atomically(Path(directory), "bundle", arrays, texts, record, nested)


def load_bundle(directory: Path, kind: str) -> Bundle | None:
    """The bundle of ``kind`` saved in ``directory``, or ``None``.

    ``None`` when nothing is saved there (logged at debug level), or when it is of another kind or
    format version, or damaged (logged as a warning); never raises for a bad bundle.
    """

    def read(directory: Path, meta: dict[str, Any]) -> Bundle:
        digests = meta.get("files")
        if not isinstance(digests, dict) or not all(map(_is_bundle_file, digests)):
            raise ValueError("meta.json: 'files' must list .npy and .json files")
        _check_digests(directory, digests)
        arrays: dict[str, np.ndarray[Any, Any]] = {}
        documents: dict[str, Any] = {}
        for filename in digests:
            path = directory / filename
            name, suffix = filename.rsplit(".", 1)
            if suffix == "npy":
                array = np.load(path, allow_pickle=False)
                if array.dtype.kind not in "iu":
                    raise ValueError(f"{filename} does not hold integers")
                arrays[name] = array
            else:
                documents[name] = json.loads(path.read_text(encoding="utf-8"))
        return Bundle(directory, meta, arrays, documents)

    return _load(directory, kind, BUNDLE_VERSION, read)


def prune_bundles(parent: Path, kind: str, keep: int) -> list[Path]:
    """Delete all but the ``keep`` most recently saved bundles of ``kind`` directly in ``parent``.

    Only directories whose ``meta.json`` names ``kind`` are considered; anything else is left alone.
    Returns the directories removed.
    """
    bundles: list[tuple[int, Path]] = []
    for child in Path(parent).iterdir():
        meta_path = child / _META
        if child.name.startswith(".") or not meta_path.is_file():
            continue
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(meta, dict) and meta.get("format") == kind:
            bundles.append((meta_path.stat().st_mtime_ns, child))
    bundles.sort(reverse=True)
    removed = [path for _, path in bundles[keep:]]
    for path in removed:
        shutil.rmtree(path)
    return removed


def files_digest(paths: list[Path]) -> str:
    """Hex digest of the contents of ``paths`` in order (a missing or unreadable file counts as empty)."""
    digest = hashlib.sha256()
    for path in paths:
        try:
            data = Path(path).read_bytes()
        except OSError:
            data = b""
        digest.update(b"%d\0" % len(data))
        digest.update(data)
    return digest.hexdigest()
