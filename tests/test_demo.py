"""Demo data: deterministic, the expected files, and the story of pipeline/demo.py visible in them."""

from __future__ import annotations

import hashlib
import io
import time
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from pipeline import names
from pipeline.dates import parse_quarter
from pipeline.demo import QUARTERS, write_demo
from pipeline.templates import FIRST_ROW, HEADER_ROW


def _hashes(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def demo(ref, tmp_path_factory):
    root = tmp_path_factory.mktemp("demo")
    started = time.perf_counter()
    quarters = write_demo(root, ref)
    elapsed = time.perf_counter() - started
    return root, quarters, elapsed


def _folder(demo, q: str) -> Path:
    return demo[0] / "inputs" / q


def _log(demo, q: str) -> pd.DataFrame:
    path = _folder(demo, q) / names.RECEIPT_LOG
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, for Excel
    return pd.read_csv(path, encoding="utf-8-sig", dtype=str)


def _book(demo, q: str, name: str) -> openpyxl.Workbook:
    return openpyxl.load_workbook(_folder(demo, q) / name)


def _tasks(wb) -> dict[int, tuple]:
    """task id -> (状态, 完成时间) of a template-shaped return."""
    ws = wb[names.SHEET_TASKS]
    return {ws.cell(r, 1).value: (ws.cell(r, 4).value, ws.cell(r, 5).value)
            for r in range(FIRST_ROW, ws.max_row + 1) if ws.cell(r, 1).value is not None}


def _info(wb) -> dict:
    return {r[0]: r[1] for r in wb[names.SHEET_INFO].iter_rows(values_only=True)}


def test_quarters_and_speed(demo):
    assert [str(q) for q in demo[1]] == list(QUARTERS)
    assert demo[2] < 15, f"demo took {demo[2]:.1f}s"  # ~4 s on 2 cores; generous for busy CI


def test_deterministic(ref, demo, tmp_path):
    # Serial in the second run: the bytes must not depend on parallelism either.
    write_demo(tmp_path, ref, workers=1)
    assert _hashes(tmp_path) == _hashes(demo[0])


def test_other_seed_differs_but_keeps_the_story(ref, demo, tmp_path):
    write_demo(tmp_path, ref, seed=7)
    assert _hashes(tmp_path) != _hashes(demo[0])
    assert sorted(_hashes(tmp_path)) == sorted(_hashes(demo[0]))  # same files


@pytest.mark.parametrize("q, returns, units", [
    ("2020Q2", 27, 27), ("2020Q3", 27, 27), ("2020Q4", 27, 26), ("2021Q1", 27, 27), ("2021Q2", 27, 27)])
def test_file_counts(demo, q, returns, units):
    files = [p for p in _folder(demo, q).iterdir() if p.suffix in (".xlsx", ".xls")]
    assert len(files) == returns
    assert (_folder(demo, q) / names.RECEIPT_LOG).exists()
    log = _log(demo, q)
    assert list(log.columns) == [names.RECEIPT_FILE, names.RECEIPT_DATE]
    assert len(log) == returns - 2 and set(log[names.RECEIPT_FILE]) <= {p.name for p in files}


def test_missing_late_and_resubmitted(demo):
    assert not any("经济开发区" in p.name for p in _folder(demo, "2020Q4").iterdir())
    log = _log(demo, "2020Q3").set_index(names.RECEIPT_FILE)[names.RECEIPT_DATE]
    assert log["市民政局_2020Q3.xlsx"] == "2020-09-24"
    log = _log(demo, "2021Q1").set_index(names.RECEIPT_FILE)[names.RECEIPT_DATE]
    assert log["陕州区_2021Q1.xlsx"] == "2021-03-25"
    log = _log(demo, "2020Q4").set_index(names.RECEIPT_FILE)[names.RECEIPT_DATE]
    assert log["义马市_2020Q4.xlsx"] < log["义马市_2020Q4（更正）.xlsx"]
    assert _tasks(_book(demo, "2020Q4", "义马市_2020Q4.xlsx"))[5][0] == "基本完成"
    assert _tasks(_book(demo, "2020Q4", "义马市_2020Q4（更正）.xlsx"))[5][0] in ("已完成", "推进中")


def test_retyped_return_and_alias(demo):
    wb = _book(demo, "2020Q3", "人社局2020年三季度政务公开工作进展.xlsx")
    assert names.SHEET_META not in wb.sheetnames
    assert _info(wb)[names.INFO_UNIT] == "市人社局"
    ws = wb[names.SHEET_TASKS]
    header = [c.value for c in ws[4]]
    assert header[:5] == ["序号", "工作任务", "完成情况", "完成时间", "完成时限"]  # reordered, synonyms
    assert ws["A1"].value == "附件" and ws["A5"].value == "３"  # title rows; full-width digits
    wb = _book(demo, "2021Q1", "灵宝市人民政府_2021Q1.xlsx")
    assert names.SHEET_META not in wb.sheetnames
    assert _info(wb)[names.INFO_UNIT] == "灵宝市人民政府"


def test_genuine_xls(demo):
    from python_calamine import CalamineWorkbook

    path = _folder(demo, "2020Q3") / "渑池县_2020Q3.xls"
    assert path.read_bytes()[:8] == bytes.fromhex("D0CF11E0A1B11AE1")  # OLE2 / BIFF
    book = CalamineWorkbook.from_path(str(path))
    assert names.SHEET_TASKS in book.sheet_names
    rows = book.get_sheet_by_name(names.SHEET_TASKS).to_python()
    assert rows[HEADER_ROW - 1][:4] == list(names.TASK_COLUMNS)[:4]


def test_text_dates_and_cell_mistakes(demo):
    hubin = _tasks(_book(demo, "2020Q2", "湖滨区_2020Q2.xlsx"))
    assert hubin[1] == ("已完成", "2020.6.10")  # late, and typed as text
    sfq = _tasks(_book(demo, "2020Q3", "城乡一体化示范区_2020Q3.xlsx"))
    assert all(str(d).endswith("日") for s, d in sfq.values() if s == "已完成")
    jyj = _tasks(_book(demo, "2021Q1", "市教育局_2021Q1.xlsx"))
    assert any("/" in str(d) for _, d in jyj.values())
    assert _tasks(_book(demo, "2020Q2", "市住建局_2020Q2.xlsx"))[3][0] == "基本完成"
    assert 15 not in _tasks(_book(demo, "2020Q2", "市公安局_2020Q2.xlsx"))
    assert _tasks(_book(demo, "2020Q4", "市文化广电和旅游局_2020Q4.xlsx"))[6][1] == "11月中旬"
    assert 11 not in _tasks(_book(demo, "2021Q2", "城乡一体化示范区_2021Q2.xlsx"))
    wb = _book(demo, "2021Q1", "渑池县_2021Q1.xlsx")
    status, done = _tasks(wb)[6]
    assert status == "已完成" and done.date() > _info(wb)[names.INFO_DATE].date()


def test_story_timeline(demo):
    for q in QUARTERS:  # 卢氏县 never finishes task 2
        assert _tasks(_book(demo, q, f"卢氏县_{q}.xlsx"))[2][0] == "推进中"
    published = []
    for q in QUARTERS:  # catalogues only move forward; 灵宝市 is done by 2020Q4
        ws = _book(demo, q, f"湖滨区_{q}.xlsx")[names.SHEET_DOMAINS]
        published.append(sum(ws.cell(r, 3).value == "已编制并公开" for r in range(FIRST_ROW, 29)))
    assert published == sorted(published) and published[0] == 0 and published[-1] == 26
    ws = _book(demo, "2020Q4", "灵宝市_2020Q4.xlsx")[names.SHEET_DOMAINS]
    assert {ws.cell(r, 3).value for r in range(FIRST_ROW, 29)} == {"已编制并公开"}
    cgj = _book(demo, "2020Q3", "市城市管理局_2020Q3.xlsx")
    assert _tasks(cgj)[4][0] == "推进中"
    plans = cgj[names.SHEET_DOMAINS]
    assert {plans.cell(r, 3).value for r in range(FIRST_ROW, plans.max_row + 1)} == {"起草中"}
    meta = _book(demo, "2021Q2", "市财政局_2021Q2.xlsx")[names.SHEET_META]
    assert meta["B4"].value == "2021-06-01T09:00:00"


def test_demo_reads_cleanly(ref, demo):
    """With the project's reader: nothing rejected; the late and superseded returns show."""
    stages = pytest.importorskip("pipeline.stages")
    seen = {}
    for q in QUARTERS:
        quarter = parse_quarter(q)
        ledger = stages.reconcile(stages.intake(_folder(demo, q), ref, quarter), ref, quarter).ledger
        assert "rejected" not in set(ledger["state"]), ledger[ledger["state"] == "rejected"]
        seen[q] = ledger
    assert set(seen["2020Q3"].loc[~seen["2020Q3"]["on_time"].astype(bool), "unit_id"]) == {"mzj"}
    assert set(seen["2021Q1"].loc[~seen["2021Q1"]["on_time"].astype(bool), "unit_id"]) == {"shanzhou"}
    superseded = seen["2020Q4"][seen["2020Q4"]["state"] == "superseded"]
    assert list(superseded["file"]) == ["义马市_2020Q4.xlsx"]
    assert "kfq" not in set(seen["2020Q4"]["unit_id"])
    units = set(seen["2020Q3"]["unit_id"])
    assert {"rsj", "mianchi"} <= units and len(units) == 27
    assert "lingbao" in set(seen["2021Q1"]["unit_id"])


def test_xlsx_properties_fixed(demo):
    wb = openpyxl.load_workbook(io.BytesIO((_folder(demo, "2020Q2") / "湖滨区_2020Q2.xlsx").read_bytes()))
    assert wb.properties.created == wb.properties.modified
