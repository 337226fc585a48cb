"""Saving and loading a FastBM25 index: plain arrays and JSON, keyed, atomic, and safe on a damaged cache."""

from __future__ import annotations

import json
import logging
import os
import random
from pathlib import Path

import numpy as np
import pytest

from retrieval.index import persist
from retrieval.index.bm25 import FastBM25
from retrieval.index.persist import load_index, save_index

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


# --- bundles (what retrieval.index.cache keeps a whole sentence index in) ---------------------------------

KIND = "test-bundle"


@pytest.fixture
def bundle(index: FastBM25, tmp_path: Path) -> Path:
    directory = tmp_path / "bundle"
    persist.save_bundle(
        directory,
        KIND,
        {"key": "k1", "n": 3},
        {"rows": np.arange(12, dtype=np.int32).reshape(4, 3), "keys": np.array([2**63, 1], dtype=np.uint64)},
        {"terms": ["قال", "الغاز"], "map": {"بجنود": "جنود"}},
        index=(index, KEY),
    )
    return directory


def test_bundle_round_trip(index: FastBM25, bundle: Path) -> None:
    loaded = persist.load_bundle(bundle, KIND)
    assert loaded is not None
    assert (loaded.meta["key"], loaded.meta["n"]) == ("k1", 3)
    assert np.array_equal(loaded.arrays["rows"], np.arange(12).reshape(4, 3))
    assert loaded.arrays["keys"].dtype == np.uint64
    assert loaded.arrays["keys"].tolist() == [2**63, 1]
    assert loaded.documents == {"terms": ["قال", "الغاز"], "map": {"بجنود": "جنود"}}
    copy = loaded.index(KEY)
    assert copy is not None
    assert copy.top_k(["في", "الغاز"], 5) == index.top_k(["في", "الغاز"], 5)
    assert loaded.index("another key") is None
    assert sorted(p.name for p in bundle.parent.iterdir()) == ["bundle"]  # no temporary leftovers


def test_bundle_of_another_kind_or_version_is_none(bundle: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="retrieval.persist"):
        assert persist.load_bundle(bundle, "other-kind") is None
    assert caplog.records
    meta = json.loads((bundle / "meta.json").read_text(encoding="utf-8"))
    meta["version"] = 99
    (bundle / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    assert persist.load_bundle(bundle, KIND) is None


def test_absent_bundle_is_none_quietly(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="retrieval.persist"):
        assert persist.load_bundle(tmp_path / "nothing", KIND) is None
    assert not caplog.records


@pytest.mark.parametrize("name", ["meta.json", "rows.npy", "keys.npy", "terms.json", "map.json"])
def test_damaged_bundle_file_is_none_with_a_warning(
    bundle: Path, name: str, caplog: pytest.LogCaptureFixture
) -> None:
    path = bundle / name
    path.write_bytes(path.read_bytes()[: max(1, path.stat().st_size // 2)])
    with caplog.at_level(logging.WARNING, logger="retrieval.persist"):
        assert persist.load_bundle(bundle, KIND) is None
    assert any(record.levelno == logging.WARNING for record in caplog.records)


@pytest.mark.parametrize("listed", ["../outside.json", "sub/rows.npy", "rows.pkl", "ROWS.npy"])
def test_bundle_meta_cannot_name_other_files(bundle: Path, listed: str) -> None:
    meta = json.loads((bundle / "meta.json").read_text(encoding="utf-8"))
    meta["files"][listed] = "0" * 32
    (bundle / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    assert persist.load_bundle(bundle, KIND) is None


def test_bundle_refuses_pickles_and_non_integer_arrays(tmp_path: Path) -> None:
    with pytest.raises(TypeError):
        persist.save_bundle(tmp_path / "b", KIND, {}, {"x": np.array([{"a": 1}], dtype=object)}, {})
    with pytest.raises(TypeError):
        persist.save_bundle(tmp_path / "b", KIND, {}, {"x": np.array([0.5])}, {})
    with pytest.raises(ValueError, match="names"):
        persist.save_bundle(tmp_path / "b", KIND, {}, {"x": np.zeros(1, np.int32)}, {"x": []})
    with pytest.raises(ValueError, match="names"):
        persist.save_bundle(tmp_path / "b", KIND, {}, {"../x": np.zeros(1, np.int32)}, {})
    with pytest.raises(ValueError, match="meta"):
        persist.save_bundle(tmp_path / "b", KIND, {"files": {}}, {}, {})
    assert list(tmp_path.iterdir()) == []


def test_a_pickled_array_swapped_into_a_bundle_is_refused(bundle: Path) -> None:
    np.save(bundle / "rows.npy", np.array([{"not": "rows"}], dtype=object), allow_pickle=True)
    meta = json.loads((bundle / "meta.json").read_text(encoding="utf-8"))
    meta["files"]["rows.npy"] = persist._digest(bundle / "rows.npy")
    (bundle / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    assert persist.load_bundle(bundle, KIND) is None


def test_bundle_refuses_to_replace_an_unrelated_directory(tmp_path: Path) -> None:
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "keep.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(FileExistsError, match="not a saved bundle"):
        persist.save_bundle(tmp_path / "notes", KIND, {}, {}, {"a": 1})
    assert (tmp_path / "notes" / "keep.txt").read_text(encoding="utf-8") == "mine"


def test_resaving_a_bundle_replaces_it_whole(bundle: Path) -> None:
    persist.save_bundle(bundle, KIND, {"key": "k2"}, {"only": np.zeros(2, np.int64)}, {})
    loaded = persist.load_bundle(bundle, KIND)
    assert loaded is not None
    assert loaded.meta["key"] == "k2"
    assert set(loaded.arrays) == {"only"}
    assert not (bundle / "rows.npy").exists()
    assert not (bundle / "bm25").exists()


def test_prune_keeps_the_newest_bundles_of_its_kind_and_nothing_else(tmp_path: Path) -> None:
    for number in range(4):
        persist.save_bundle(tmp_path / f"b{number}", KIND, {}, {}, {"n": number})
        os.utime(tmp_path / f"b{number}" / "meta.json", ns=(number * 10**9, number * 10**9))
    persist.save_bundle(tmp_path / "other", "other-kind", {}, {}, {})
    (tmp_path / "notes").mkdir()
    (tmp_path / ".b9.tmp-x").mkdir()
    removed = persist.prune_bundles(tmp_path, KIND, keep=2)
    assert sorted(p.name for p in removed) == ["b0", "b1"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [".b9.tmp-x", "b2", "b3", "notes", "other"]


def test_files_digest_covers_contents_and_order(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    a.write_text("x", encoding="utf-8")
    b.write_text("y", encoding="utf-8")
    base = persist.files_digest([a, b])
    assert persist.files_digest([a, b]) == base
    assert persist.files_digest([b, a]) != base
    b.write_text("yy", encoding="utf-8")
    assert persist.files_digest([a, b]) != base
    (tmp_path / "empty").write_bytes(b"")
    assert persist.files_digest([a, tmp_path / "missing"]) == persist.files_digest([a, tmp_path / "empty"])
