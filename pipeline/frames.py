"""Plain Python rows of a frame, for the loops that walk a table of thousands of units.

pandas (3.x) stores text in Arrow and iterates such a column one boxed scalar at a time: about
0.5 µs a value, five times `Series.tolist()`. `zip(frame[a], frame[b])` and `itertuples` both
iterate that way, and at 2,000 units the check's main process spent ~0.2 s on it. Here such a
column is taken with `tolist()` (the same str and pd.NA values), any other as iterating it gives,
CHUNK rows at a time: 100,000 rows of eight text columns (a province's issue list in a bad
quarter) held whole as lists took ~100 MB, in chunks ~8 MB; iterating held one row.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Iterator

import pandas as pd

CHUNK = 8192  # rows taken at a time


def records(frame: pd.DataFrame, index: bool = True, name: str = "Pandas") -> Iterator[tuple]:
    """What `frame.itertuples(index, name)` yields: named tuples, the index first when `index`,
    fields renamed as itertuples renames them (positional `_1` for a name that is no identifier)."""
    fields = (["Index"] if index else []) + [str(c) for c in frame.columns]
    row = namedtuple(name, fields, rename=True)  # the type itertuples builds
    if not fields:
        return iter([row()] * len(frame))
    return (r for part in _parts(frame) for r in map(row._make, zip(
        *([list(part.index)] if index else []), *(_values(part.iloc[:, k]) for k in range(part.shape[1])),
        strict=True)))


def columns(frame: pd.DataFrame, *names: str) -> Iterator[tuple]:
    """`zip(frame[a], frame[b], …)` of plain values."""
    return (t for part in _parts(frame) for t in zip(*(_values(part[n]) for n in names), strict=True))


def _parts(frame: pd.DataFrame) -> Iterator[pd.DataFrame]:
    for start in range(0, len(frame), CHUNK):
        yield frame.iloc[start:start + CHUNK]


def _values(column: pd.Series) -> list:
    """The column's values as iterating it gives them."""
    dtype = column.dtype
    if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow":
        return column.tolist()
    return list(column)
