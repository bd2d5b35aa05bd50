"""Plain Python rows of a frame, for the loops that walk a table of thousands of units.

pandas (3.x) stores text in Arrow and iterates such a column one boxed scalar at a time: about
0.5 µs a value, five times `Series.tolist()`. `zip(frame[a], frame[b])` and `itertuples` both
iterate that way, and at 2,000 units the check's main process spent ~0.2 s on it. Here such a
column is taken with `tolist()` (the same str and pd.NA values), any other as iterating it gives.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Iterator

import pandas as pd


def records(frame: pd.DataFrame, index: bool = True, name: str = "Pandas") -> Iterator[tuple]:
    """What `frame.itertuples(index, name)` yields: named tuples, the index first when `index`,
    fields renamed as itertuples renames them (positional `_1` for a name that is no identifier)."""
    fields = (["Index"] if index else []) + [str(c) for c in frame.columns]
    row = namedtuple(name, fields, rename=True)  # the type itertuples builds
    values = ([list(frame.index)] if index else []) + [_values(frame.iloc[:, k]) for k in range(frame.shape[1])]
    if not values:
        return iter([row()] * len(frame))
    return map(row._make, zip(*values, strict=True))


def columns(frame: pd.DataFrame, *names: str) -> Iterator[tuple]:
    """`zip(frame[a], frame[b], …)` of plain values."""
    return zip(*(_values(frame[n]) for n in names), strict=True)


def _values(column: pd.Series) -> list:
    """The column's values as iterating it gives them."""
    dtype = column.dtype
    if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow":
        return column.tolist()
    return list(column)
