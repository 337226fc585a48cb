"""Saving and loading a FastBM25 index: plain arrays and JSON, keyed, atomic, and safe on a damaged cache."""

from __future__ import annotations

import json
import logging
import random
from pathlib import Path

import numpy as np
import pytest

from retrieval import persist
from retrieval.bm25 import FastBM25
from retrieval.persist import load_index, save_index

WORDS = ["قال", "الرئيس", "كازاخستان", "ألماتي", "احتجاجات", "الغاز", "في", "من", "gas", "2022"]
KEY = "corpus-sha256:abc|pipeline:1"
ARRAY_FILES = ["doc_lengths.npy", "indptr.npy", "doc_ids.npy", "tfs.npy"]
ALL_FILES = ["meta.json", "terms.json", "extra.json", *ARRAY_FILES]


@pytest.fixture
def index() -> FastBM25:
    rng = random.Random(5)
    corpus = [rng.choices(WORDS, k=rng.randint(0, 12)) for _ in range(300)]
    return FastBM25(corpus, k1=1.2, b=0.7, epsilon=0.3)


@pytest.fixture
def saved(index: FastBM25, tmp_path: Path) -> Path:
    directory = tmp_path / "index"
    save_index(index, directory, KEY, extra={"sentence_ids": [f"doc{i}:1:{i}" for i in range(index.n_docs)]})
    return directory


def test_round_trip_gives_identical_scores(index: FastBM25, saved: Path) -> None:
    loaded = load_index(saved, KEY)
    assert loaded is not None
    copy, extra = loaded
    assert extra == {"sentence_ids": [f"doc{i}:1:{i}" for i in range(index.n_docs)]}
    assert (copy.k1, copy.b, copy.epsilon) == (index.k1, index.b, index.epsilon)
    assert copy.arrays.terms == index.arrays.terms
    for query in (["في", "الغاز"], ["قال", "absent", "قال"], ["gas", "2022", "من"]):
        assert np.array_equal(copy.get_scores(query), index.get_scores(query))
        assert copy.top_k(query, 10) == index.top_k(query, 10)


def test_arabic_extra_survives(index: FastBM25, tmp_path: Path) -> None:
    save_index(index, tmp_path / "i", KEY, extra={"العنوان": "احتجاجات كازاخستان", "n": 3})
    loaded = load_index(tmp_path / "i", KEY)
    assert loaded is not None
    assert loaded[1] == {"العنوان": "احتجاجات كازاخستان", "n": 3}


def test_files_are_plain_arrays_and_json(saved: Path) -> None:
    assert sorted(path.name for path in saved.iterdir()) == sorted(ALL_FILES)
    assert not list(saved.parent.rglob("*.pkl"))
    for name in ARRAY_FILES:
        array = np.load(saved / name, allow_pickle=False)
        assert array.dtype.kind in "iu"
    for name in ("meta.json", "terms.json", "extra.json"):
        json.loads((saved / name).read_text(encoding="utf-8"))


def test_postings_are_memory_mapped(saved: Path) -> None:
    loaded = load_index(saved, KEY)
    assert loaded is not None
    assert isinstance(loaded[0].arrays.doc_ids.base, np.memmap)


def test_absent_cache_is_none(tmp_path: Path) -> None:
    assert load_index(tmp_path / "nothing-here", KEY) is None


def test_key_mismatch_is_none(saved: Path) -> None:
    assert load_index(saved, "corpus-sha256:other|pipeline:1") is None
    assert load_index(saved, KEY) is not None


@pytest.mark.parametrize("name", ALL_FILES)
def test_truncated_file_is_none_with_a_warning(
    saved: Path, name: str, caplog: pytest.LogCaptureFixture
) -> None:
    path = saved / name
    path.write_bytes(path.read_bytes()[: max(1, path.stat().st_size // 2)])
    with caplog.at_level(logging.WARNING, logger="retrieval.persist"):
        assert load_index(saved, KEY) is None
    assert any(record.levelno == logging.WARNING for record in caplog.records)


@pytest.mark.parametrize("name", ALL_FILES)
def test_missing_or_empty_file_is_none(saved: Path, name: str) -> None:
    (saved / name).unlink()
    assert load_index(saved, KEY) is None
    (saved / name).write_bytes(b"")
    assert load_index(saved, KEY) is None


@pytest.mark.parametrize("name", [*ARRAY_FILES, "terms.json"])
def test_flipped_byte_is_none(saved: Path, name: str) -> None:
    path = saved / name
    data = bytearray(path.read_bytes())
    data[len(data) - 2] ^= 0x41
    path.write_bytes(bytes(data))
    assert load_index(saved, KEY) is None


def test_inconsistent_arrays_with_valid_digests_are_none(saved: Path) -> None:
    """Even if the digests were rewritten to match, arrays that do not form an index are rejected."""
    doc_ids = np.load(saved / "doc_ids.npy", allow_pickle=False)
    doc_ids[0] = 10**6
    np.save(saved / "doc_ids.npy", doc_ids, allow_pickle=False)
    meta = json.loads((saved / "meta.json").read_text(encoding="utf-8"))
    meta["files"]["doc_ids.npy"] = persist._digest(saved / "doc_ids.npy")
    (saved / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    assert load_index(saved, KEY) is None


@pytest.mark.parametrize(
    "change", [{"format": "other"}, {"version": 99}, {"k1": "1.2"}, {"n_docs": 1}, {"files": []}]
)
def test_unexpected_metadata_is_none(saved: Path, change: dict[str, object]) -> None:
    meta = json.loads((saved / "meta.json").read_text(encoding="utf-8"))
    meta.update(change)
    (saved / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    assert load_index(saved, KEY) is None


def test_pickled_array_is_refused(saved: Path) -> None:
    np.save(saved / "doc_ids.npy", np.array([{"not": "an int"}], dtype=object), allow_pickle=True)
    assert load_index(saved, KEY) is None


def test_save_replaces_a_previous_save_atomically(index: FastBM25, saved: Path) -> None:
    smaller = FastBM25([["a", "b"], ["b"]])
    save_index(smaller, saved, "new-key")
    assert load_index(saved, KEY) is None
    loaded = load_index(saved, "new-key")
    assert loaded is not None
    assert loaded[0].n_docs == 2
    assert sorted(path.name for path in saved.parent.iterdir()) == ["index"]  # no temporary leftovers


def test_resaving_a_loaded_index_in_place(saved: Path) -> None:
    loaded = load_index(saved, KEY)
    assert loaded is not None
    copy, extra = loaded
    save_index(copy, saved, KEY, extra)  # the old files are memory-mapped by `copy`
    again = load_index(saved, KEY)
    assert again is not None
    assert again[0].top_k(["في"], 5) == copy.top_k(["في"], 5)


def test_unserialisable_extra_writes_nothing(index: FastBM25, tmp_path: Path) -> None:
    with pytest.raises(TypeError):
        save_index(index, tmp_path / "i", KEY, extra={"when": object()})
    assert list(tmp_path.iterdir()) == []


def test_refuses_to_replace_an_unrelated_directory(index: FastBM25, tmp_path: Path) -> None:
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "keep.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(FileExistsError, match="not a saved index"):
        save_index(index, tmp_path / "notes", KEY)
    assert (tmp_path / "notes" / "keep.txt").read_text(encoding="utf-8") == "mine"


def test_empty_index_round_trip(tmp_path: Path) -> None:
    save_index(FastBM25([[], []]), tmp_path / "i", KEY)
    loaded = load_index(tmp_path / "i", KEY)
    assert loaded is not None
    assert loaded[0].n_docs == 2
    assert loaded[0].top_k(["a"], 3) == []
