"""Property tests: random workbooks and mutated valid returns never make read_returns raise,
and every file lands in the ledger (rejected ones with a reason)."""

from __future__ import annotations

import datetime as dt
import functools
import tempfile
from pathlib import Path

from fixtures_returns import standard_return, write_xls, write_xlsx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline import names as N
from pipeline.dates import parse_quarter
from pipeline.ingest import list_inputs, read_returns
from pipeline.issues import ISSUE_CODES
from pipeline.reference import load_reference

Q = parse_quarter("2020Q3")
REF = load_reference()
SETTINGS = settings(max_examples=15, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

_text = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=12)
_words = st.sampled_from([*N.TASK_COLUMNS, *N.TASK_STATUS_WORDS, N.INFO_UNIT, N.INFO_QUARTER, N.INFO_DATE,
                          "灵宝市", "陕州区", "2020年第三季度", "=1+1", "@SUM(A1)", "第3项", "三"])
_cell = st.one_of(st.none(), _text, _words, st.integers(-5, 100), st.floats(-1e6, 1e6),
                  st.dates(dt.date(1990, 1, 1), dt.date(2030, 12, 31)))
_sheet_names = st.sampled_from([N.SHEET_TASKS, N.SHEET_INFO, N.SHEET_DOMAINS, N.SHEET_META, N.SHEET_GUIDE,
                                "Sheet1", "数据"])
_sheets = st.dictionaries(_sheet_names, st.lists(st.lists(_cell, max_size=9), max_size=12),
                          min_size=1, max_size=4).filter(lambda d: any(not k.startswith("_") for k in d))


def _check(folder: Path) -> None:
    intake = read_returns(folder, REF, Q, workers=1)
    led = intake.files
    assert sorted(led["file"]) == sorted(p.relative_to(folder).as_posix() for p in list_inputs(folder))
    assert set(led["state"]) <= {"accepted", "rejected", "superseded"}
    assert led.loc[led["state"] != "accepted", "reason"].str.len().gt(0).all()
    assert set(intake.issues["code"]) <= set(ISSUE_CODES)
    rejected = set(led.loc[led["state"] == "rejected", "file"])
    assert rejected <= set(intake.issues["file"])  # each rejection is also an issue
    assert not set(intake.task_progress["file"]) & rejected


@SETTINGS
@given(books=st.lists(_sheets, min_size=1, max_size=3), names=st.lists(
    st.sampled_from(["灵宝市.xlsx", "陕州区.xlsx", "报表.xlsx", "义马市.xls", "x.xlsx"]), min_size=3, max_size=3,
    unique=True))
def test_random_workbooks(books, names):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "2020Q3"
        for sheets, name in zip(books, names, strict=False):
            write_xlsx(folder / name, sheets)
        _check(folder)


@functools.cache
def _valid(kind: str) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"灵宝市.{kind}"
        sheets = standard_return(REF, "lingbao", status="已完成",
                                 tasks={1: {"完成时间": dt.date(2020, 5, 30)}})
        (write_xlsx if kind == "xlsx" else write_xls)(path, sheets)
        return path.read_bytes()


_flips = st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(1, 255)), min_size=1, max_size=8)


@SETTINGS
@given(kind=st.sampled_from(["xlsx", "xls"]), flips=_flips, cut=st.one_of(st.none(), st.floats(0, 1)))
def test_byte_flips_and_truncation_of_a_valid_return(kind, flips, cut):
    data = bytearray(_valid(kind))
    for where, xor in flips:
        data[int(where * len(data))] ^= xor
    if cut is not None:
        data = data[: int(cut * len(data))]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "2020Q3"
        folder.mkdir()
        (folder / f"灵宝市.{kind}").write_bytes(bytes(data))
        (folder / "陕州区.xlsx").write_bytes(_valid("xlsx"))  # a good file beside it
        _check(folder)


@SETTINGS
@given(swaps=st.lists(st.tuples(st.integers(0, 40), st.integers(0, 8), st.integers(0, 40), st.integers(0, 8)),
                      min_size=1, max_size=6),
       sheet=st.sampled_from([N.SHEET_TASKS, N.SHEET_INFO, N.SHEET_DOMAINS]))
def test_cell_value_swaps_in_a_valid_return(swaps, sheet):
    sheets = standard_return(REF, "lingbao")
    rows = sheets[sheet] = [list(r) for r in sheets[sheet]]  # the builders share header lists
    for r1, c1, r2, c2 in swaps:
        if r1 < len(rows) and r2 < len(rows) and c1 < len(rows[r1]) and c2 < len(rows[r2]):
            rows[r1][c1], rows[r2][c2] = rows[r2][c2], rows[r1][c1]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "2020Q3"
        write_xlsx(folder / "灵宝市.xlsx", sheets)
        _check(folder)
