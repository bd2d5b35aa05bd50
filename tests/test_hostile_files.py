"""Hostile and broken files in one quarter folder: each is rejected with a Chinese reason in the
ledger, nothing crashes the run, and the good returns beside them are read as if alone."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from fixtures_returns import standard_return, write_xlsx
from hostile_corpus import (
    docx_bytes,
    encrypted_xls,
    encrypted_xlsx,
    far_cell_xls,
    far_cell_xlsx,
    random_bytes,
    xml_attack_xlsx,
    zip_bomb,
)

from pipeline import names as N
from pipeline.dates import parse_quarter
from pipeline.ingest import read_returns
from pipeline.ingest.workbook import UnreadableWorkbook, open_book

Q = parse_quarter("2020Q3")

# file name → (expected issue code, a word the Chinese reason must contain)
CASES = {
    "灵宝市_far_cell.xlsx": ("file-unsafe", "XFD1048576"),
    "灵宝市_far_cell.xls": ("file-unsafe", "内存"),
    "灵宝市_zip_bomb.xlsx": ("file-unsafe", "压缩炸弹"),
    "灵宝市_zip_bomb_lying.xlsx": ("file-unreadable", "损坏"),
    "灵宝市_billion_laughs.xlsx": ("file-unsafe", "DTD"),
    "灵宝市_external_entity.xlsx": ("file-unsafe", "DTD"),
    "灵宝市_quadratic.xlsx": ("file-unsafe", "DTD"),
    "灵宝市_encrypted.xlsx": ("file-unreadable", "密码"),
    "灵宝市_encrypted.xls": ("file-unreadable", "密码"),
    "灵宝市_random.xlsx": ("file-unreadable", "无法识别"),
    "灵宝市_zero.xlsx": ("file-unreadable", "0字节"),
    "灵宝市_blank.xlsx": ("file-unreadable", "空白"),
    "灵宝市_truncated.xlsx": ("file-unreadable", "损坏"),
    "灵宝市_csv.xlsx": ("file-unreadable", "CSV"),
    "灵宝市_word.xlsx": ("file-unreadable", "Word"),
    "灵宝市_html.xls": ("file-unreadable", "HTML"),
    "灵宝市_pdf.xlsx": ("file-unreadable", "PDF"),
    "灵宝市_no_sheet.xlsx": ("sheet-missing", "找不到"),
    "灵宝市_pipe.xlsx": ("file-unsafe", "不是普通文件"),
    "灵宝市_dangling.xlsx": ("file-unreadable", "失效的快捷方式"),
}
JUNK_ROWS = 50_000


def _valid_bytes(tmp: Path, ref, unit_id: str) -> bytes:
    return write_xlsx(tmp / f"{unit_id}.xlsx", standard_return(ref, unit_id)).read_bytes()


def _junk_return(path: Path, ref) -> Path:
    """灵宝市's clean return with 50,000 junk rows below the task table: blank-looking cells
    (spaces, ideographic spaces, empty strings typed in) and a stray mark far to the right."""
    import xlsxwriter

    sheets = standard_return(ref, "lingbao")
    wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False})
    for name, rows in sheets.items():
        ws = wb.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value not in (None, ""):
                    ws.write(r, c, value)
        if name == N.SHEET_TASKS:
            for r in range(len(rows) + 1, len(rows) + 1 + JUNK_ROWS):
                ws.write_string(r, 1, " " if r % 2 else "\u3000")
                ws.write_string(r, 12, ".")
        if name.startswith("_"):
            ws.hide()
    wb.close()
    return path


@pytest.fixture(scope="module")
def hostile(tmp_path_factory, ref):
    """The folder and what read_returns made of it (pooled, two workers)."""
    folder = tmp_path_factory.mktemp("hostile") / "2020Q3"
    folder.mkdir()
    scratch = tmp_path_factory.mktemp("scratch")
    valid = _valid_bytes(scratch, ref, "lingbao")
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "Sheet1"
    wb.active["A1"] = "你好"
    wb.save(scratch / "nosheet.xlsx")
    files = {
        "灵宝市_far_cell.xlsx": far_cell_xlsx(),
        "灵宝市_far_cell.xls": far_cell_xls(),
        "灵宝市_zip_bomb.xlsx": zip_bomb(),
        "灵宝市_zip_bomb_lying.xlsx": zip_bomb(declared=1000),
        "灵宝市_billion_laughs.xlsx": xml_attack_xlsx("billion-laughs"),
        "灵宝市_external_entity.xlsx": xml_attack_xlsx("external-entity"),
        "灵宝市_quadratic.xlsx": xml_attack_xlsx("quadratic"),
        "灵宝市_encrypted.xlsx": encrypted_xlsx(),
        "灵宝市_encrypted.xls": encrypted_xls(),
        "灵宝市_random.xlsx": random_bytes(),
        "灵宝市_zero.xlsx": b"",
        "灵宝市_blank.xlsx": b"  \r\n\t ",
        "灵宝市_truncated.xlsx": valid[: len(valid) // 2],
        "灵宝市_csv.xlsx": "任务编号,完成状态\n1,已完成\n".encode("gb18030"),
        "灵宝市_word.xlsx": docx_bytes(),
        "灵宝市_html.xls": "<html><body><table><tr><td>任务编号</td></tr></table></body></html>".encode(),
        "灵宝市_pdf.xlsx": b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n",
        "灵宝市_no_sheet.xlsx": (scratch / "nosheet.xlsx").read_bytes(),
        "陕州区.xlsx": _valid_bytes(scratch, ref, "shanzhou"),
    }
    for name, data in files.items():
        (folder / name).write_bytes(data)
    os.mkfifo(folder / "灵宝市_pipe.xlsx")  # reading it would block forever
    (folder / "灵宝市_dangling.xlsx").symlink_to(folder / "已删除.xlsx")
    _junk_return(folder / "灵宝市.xlsx", ref)
    before = _digests(folder)
    seen: list[str] = []
    intake = read_returns(folder, ref, Q, on_file=seen.append, workers=2)
    return folder, intake, seen, before


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.iterdir()) if p.is_file()}


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_hostile_file_is_rejected_with_a_chinese_reason(hostile, name):
    _, intake, _, _ = hostile
    led = intake.files.set_index("file")
    code, word = CASES[name]
    assert led.at[name, "state"] == "rejected"
    assert word in led.at[name, "reason"]
    own = intake.issues[intake.issues["file"] == name]
    assert own["code"].tolist()[-1] == code and own["message"].tolist()[-1] == led.at[name, "reason"]


def test_every_file_is_in_the_ledger_and_reported_once(hostile):
    folder, intake, seen, _ = hostile
    names = sorted(p.name for p in folder.iterdir())
    assert sorted(intake.files["file"]) == names
    assert sorted(seen) == names


def test_good_returns_beside_them_are_read_as_if_alone(hostile, ref, tmp_path):
    folder, intake, _, _ = hostile
    led = intake.files.set_index("file")
    assert led.loc[["灵宝市.xlsx", "陕州区.xlsx"], "state"].tolist() == ["accepted", "accepted"]
    alone = tmp_path / "2020Q3"
    alone.mkdir()
    for name in ("灵宝市.xlsx", "陕州区.xlsx"):
        (alone / name).write_bytes((folder / name).read_bytes())
    expected = read_returns(alone, ref, Q, workers=0)
    for table in ("task_progress", "domain_progress"):
        pd.testing.assert_frame_equal(getattr(intake, table), getattr(expected, table))


def test_fifty_thousand_junk_rows_below_the_table(hostile, ref, tmp_path):
    _, intake, _, _ = hostile
    clean = write_xlsx(tmp_path / "2020Q3" / "灵宝市.xlsx", standard_return(ref, "lingbao"))
    expected = read_returns(clean.parent, ref, Q, workers=0)
    got = intake.task_progress[intake.task_progress["unit_id"] == "lingbao"].reset_index(drop=True)
    cols = ["task_id", "status", "completed_on", "note", "problems", "status_cell"]
    pd.testing.assert_frame_equal(got[cols], expected.task_progress[cols])
    assert len(got) == len(ref.assignments.query("unit_id == 'lingbao'"))
    assert not intake.issues["file"].eq("灵宝市.xlsx").any()  # junk is not an issue either


def test_inputs_are_byte_identical_after_reading(hostile):
    folder, _, _, before = hostile
    assert _digests(folder) == before


def test_the_far_cell_really_aborts_python_calamine_in_process(tmp_path):
    """The hazard the worker processes exist for: reading the sheet kills the interpreter."""
    path = tmp_path / "far.xlsx"
    path.write_bytes(far_cell_xlsx())
    code = ("import python_calamine as pc, sys; wb = pc.CalamineWorkbook.from_path(sys.argv[1]); "
            "wb.get_sheet_by_name(wb.sheet_names[0])")
    proc = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, timeout=60)
    assert proc.returncode < 0, proc.stderr[-500:]  # killed by a signal (SIGABRT), no exception
    assert b"memory allocation" in proc.stderr


def test_the_far_cell_is_refused_before_python_calamine_sees_it():
    """So in-process readers (the catalogue audit, workers=0) do not abort either."""
    with pytest.raises(UnreadableWorkbook, match="XFD1048576") as err:
        open_book(far_cell_xlsx())
    assert err.value.code == "file-unsafe"


def test_in_process_reading_agrees_on_files_that_do_not_crash(hostile, ref, tmp_path):
    folder, intake, _, _ = hostile
    calm = tmp_path / "2020Q3"
    calm.mkdir()
    crashers = {"灵宝市_far_cell.xls", "灵宝市_pipe.xlsx", "灵宝市_dangling.xlsx"}  # 1 GB; blocks; copy
    for p in folder.iterdir():
        if p.name not in crashers:
            (calm / p.name).write_bytes(p.read_bytes())
    inline = read_returns(calm, ref, Q, workers=0).files.set_index("file")
    pooled = intake.files.set_index("file").drop(index=list(crashers))
    pd.testing.assert_frame_equal(inline.sort_index(), pooled.sort_index())
