"""pipeline.frames: the rows it gives are those itertuples and zip over the columns give."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.frames import columns, records


def _same(a, b) -> bool:
    """Equal and of one type; a missing value (pd.NA, NaT, nan, None) the same kind of missing."""
    if type(a) is not type(b):
        return False
    return bool(pd.isna(b)) if pd.isna(a) else bool(a == b)


def _mixed() -> pd.DataFrame:
    return pd.DataFrame({
        "text": pd.array(["湖滨区", None, "义马市"], dtype="string"),
        "count": pd.array([1, None, 3], dtype="Int64"),
        "when": pd.to_datetime(["2021-01-01", None, "2021-03-01"]),
        "flag": [True, False, True],
        "score": [1.5, np.nan, 2.0],
        "two words": ["p", "q", "r"],
        "1st": [0, 1, 2],
        "anything": [None, "a", 1],
    }, index=[5, 6, 7])


@pytest.mark.parametrize("index", [True, False])
def test_records_are_itertuples(index):
    frame = _mixed()
    want, got = list(frame.itertuples(index=index)), list(records(frame, index=index))
    assert type(got[0])._fields == type(want[0])._fields  # renamed as itertuples renames
    assert len(got) == len(want)
    for w, g in zip(want, got, strict=True):
        assert all(_same(a, b) for a, b in zip(w, g, strict=True)), (w, g)


def test_records_of_frames_without_rows_or_columns():
    assert list(records(_mixed().iloc[:0])) == []
    assert list(records(pd.DataFrame(index=[1, 2]), index=False)) == list(
        pd.DataFrame(index=[1, 2]).itertuples(index=False))


def test_arrow_text_is_taken_whole():
    """The point of the module: an Arrow-backed text column is read with tolist, not boxed
    value by value (pd.NA stays pd.NA)."""
    frame = _mixed()
    assert isinstance(frame["text"].dtype, pd.StringDtype) and frame["text"].dtype.storage == "pyarrow"
    got = [t for (t,) in columns(frame, "text")]
    assert got[0] == "湖滨区" and got[1] is pd.NA and got[2] == "义马市"


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.one_of(st.none(), st.text(max_size=5)), st.one_of(st.none(), st.integers(-5, 5))),
                max_size=12))
def test_columns_are_zip(rows):
    frame = pd.DataFrame({"t": pd.array([r[0] for r in rows], dtype="string"),
                          "n": pd.array([r[1] for r in rows], dtype="Int64")})
    want = list(zip(frame["t"], frame["n"], strict=True))
    got = list(columns(frame, "t", "n"))
    assert len(got) == len(want)
    assert all(_same(a, b) for w, g in zip(want, got, strict=True) for a, b in zip(w, g, strict=True))


@pytest.mark.parametrize("chunk", [1, 2, 3, 8192])
def test_rows_taken_a_chunk_at_a_time_are_the_same_rows(monkeypatch, chunk):
    """A province's tables are taken CHUNK rows at a time (the whole of them as lists would be
    tens of MB at the run's peak): the chunks' edges change nothing."""
    from pipeline import frames

    monkeypatch.setattr(frames, "CHUNK", chunk)
    frame = pd.concat([_mixed()] * 3).reset_index(drop=True)  # 9 rows: edges at every chunk size
    want, got = list(frame.itertuples()), list(records(frame))
    assert len(got) == len(want) == 9
    assert all(_same(a, b) for w, g in zip(want, got, strict=True) for a, b in zip(w, g, strict=True))
    pairs = list(columns(frame, "text", "count"))
    assert len(pairs) == 9
    assert all(_same(a, b) for w, g in zip(zip(frame["text"], frame["count"], strict=True), pairs, strict=True)
               for a, b in zip(w, g, strict=True))
