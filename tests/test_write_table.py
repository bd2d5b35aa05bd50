"""write_table writes a data table's CSV in slices of CSV_ROWS rows: the file is the one a
single to_csv of the whole (formula-safe) table writes, header and BOM once."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline import outputs
from pipeline.outputs import csv_safe, write_table


def _frame(n: int) -> pd.DataFrame:
    return pd.DataFrame({
        "unit_id": [f"u{i}" for i in range(n)],
        "note": ["=1+1" if i % 3 == 0 else ("-3" if i % 3 == 1 else None) for i in range(n)],
        "kind": pd.Categorical(["plan" if i % 2 else "@catalogue" for i in range(n)]),
        "score": [i / 3 if i % 4 else float("nan") for i in range(n)],
        "day": pd.to_datetime(["2021-03-20"] * n),
    })


@pytest.mark.parametrize("n", [0, 1, 7, 12])
def test_the_csv_in_slices_is_the_csv_of_the_whole_table(tmp_path, monkeypatch, n):
    monkeypatch.setattr(outputs, "CSV_ROWS", 5)
    frame = _frame(n)
    whole = tmp_path / "whole.csv"
    csv_safe(frame).to_csv(whole, index=False, encoding="utf-8-sig", date_format="%Y-%m-%d")
    _, csv = write_table(frame, tmp_path / "data", "t")
    assert csv.read_bytes() == whole.read_bytes()
    assert csv.read_bytes().count(b"\xef\xbb\xbf") == 1 and csv.read_text("utf-8-sig").count("unit_id") == 1
    if n:
        assert "'=1+1" in csv.read_text("utf-8-sig")
