"""Flat-array helpers of the index's structures: CSR pointers, ranges, and the checks run on kept arrays."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = [
    "Columns",
    "Int32Array",
    "Int64Array",
    "check_pointer",
    "check_range",
    "columns_of",
    "int_array",
    "ranges",
    "read_columns",
    "row_pointer",
    "string_list",
]

Int32Array = npt.NDArray[np.int32]
Int64Array = npt.NDArray[np.int64]
Columns = Mapping[str, tuple[type[np.integer[Any]], tuple[int, ...]]]  # kept array: (dtype, shape; -1 any)


def ranges(starts: Int64Array, counts: Int64Array) -> Int64Array:
    """``concatenate([arange(s, s + c) for s, c in zip(starts, counts)])``, without a Python loop."""
    total = int(counts.sum())
    if not total:
        return np.zeros(0, dtype=np.int64)
    ends = np.cumsum(counts)
    shift = np.repeat(starts - (ends - counts), counts)
    return shift + np.arange(total, dtype=np.int64)


def int_array(value: object, name: str, dtype: type[np.integer[Any]], shape: tuple[int, ...]) -> Any:
    """``value`` as an integer array of ``shape`` (-1: any length), or ``ValueError`` naming the field."""
    if not isinstance(value, np.ndarray) or value.dtype.kind not in "iu":
        raise ValueError(f"{name} must be an integer array")
    fits = value.ndim == len(shape) and all(w in (-1, g) for w, g in zip(shape, value.shape, strict=True))
    if not fits:
        raise ValueError(f"{name} has shape {value.shape}, expected {shape}")
    return np.ascontiguousarray(value, dtype=dtype)


def columns_of(record: object, columns: Columns) -> dict[str, np.ndarray[Any, Any]]:
    """The ``columns`` of ``record`` (attributes of the same names), to be kept."""
    return {name: getattr(record, name) for name in columns}


def read_columns(arrays: Mapping[str, object], columns: Columns) -> dict[str, Any]:
    """The ``columns`` read back from kept ``arrays``, each checked by :func:`int_array`."""
    return {name: int_array(arrays.get(name), name, dtype, shape) for name, (dtype, shape) in columns.items()}


def check_pointer(pointer: Int64Array, name: str, size: int) -> None:
    if len(pointer) == 0 or int(pointer[0]) != 0 or int(pointer[-1]) != size or (np.diff(pointer) < 0).any():
        raise ValueError(f"{name} must rise from 0 to {size}")


def check_range(values: npt.NDArray[np.integer[Any]], name: str, low: int, high: int) -> None:
    if len(values) and (int(values.min()) < low or int(values.max()) >= high):
        raise ValueError(f"{name} out of range [{low}, {high})")


def string_list(value: object, name: str) -> list[str]:
    if not isinstance(value, list) or not set(map(type, value)) <= {str}:
        raise ValueError(f"{name} must be a list of strings")
    return value


def row_pointer(counts: npt.NDArray[np.integer[Any]]) -> Int64Array:
    """CSR row pointers for rows of ``counts`` items."""
    pointer = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(counts, out=pointer[1:])
    return pointer
