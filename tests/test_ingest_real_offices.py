"""Returns as real offices send them (WPS/LibreOffice saves, copies, zips, renames): one fixture
per case, built by code and named after it, asserting the ledger state, the values read and the
issue (code, cell)."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pandas as pd
import pytest
from fixtures_returns import find_row, standard_return, write_xlsx
from hypothesis import given
from hypothesis import strategies as st

from pipeline import names as N
from pipeline import stages
from pipeline.dates import Quarter
from pipeline.ingest import read_return
from pipeline.ingest.archive import member_name
from pipeline.ingest.receipts import receipt_date
from pipeline.ingest.workbook import a1, error_cells

Q = Quarter(2020, 3)  # due 2020-09-20


def quarter_folder(tmp_path):
    f = tmp_path / "inputs" / str(Q)
    f.mkdir(parents=True)
    return f


def decided(folder, ref):
    return stages.reconcile(stages.intake(folder, ref, Q), ref, Q)


def codes(parsed):
    return [(i.code, i.severity, i.sheet, i.cell) for i in parsed.issues]


def xlsx_bytes(tmp_path, sheets, name="tmp.xlsx", hide=None):
    path = write_xlsx(tmp_path / "_build" / name, sheets)
    if hide:
        from openpyxl import load_workbook

        wb = load_workbook(path)
        for sheet, state in hide.items():
            wb[sheet].sheet_state = state
        wb.save(path)
    return path.read_bytes()


def task(parsed, task_id):
    hit = parsed.tasks[parsed.tasks["task_id"] == task_id]
    assert len(hit) == 1
    return hit.iloc[0]


# --- hidden stale sheets ---------------------------------------------------------------------
@pytest.mark.parametrize("state", ["hidden", "veryHidden"])
@pytest.mark.parametrize("copy", ["任务进展 (2)", "任务进展（更新）"])
def test_hidden_stale_original_beside_an_updated_copy(tmp_path, ref, state, copy):
    stale = standard_return(ref)
    fresh = standard_return(ref, tasks={1: {"完成状态": "已完成", "完成时间": "2020-05-20"}})
    sheets = dict(stale) | {copy: fresh[N.SHEET_TASKS]}
    path = tmp_path / "灵宝市.xlsx"
    path.write_bytes(xlsx_bytes(tmp_path, sheets, hide={N.SHEET_TASKS: state}))
    p = read_return(path, ref, Q)
    assert task(p, 1)["status"] == "done" and task(p, 1)["source"] == f"灵宝市.xlsx!{copy}!2"
    assert codes(p) == [("sheet-hidden", "warning", N.SHEET_TASKS, "")]
    assert copy in p.issues[0].message and "未读取" in p.issues[0].message


def test_only_a_hidden_task_sheet_is_read_with_a_warning(tmp_path, ref):
    sheets = standard_return(ref, tasks={1: {"完成状态": "已完成", "完成时间": "2020-05-20"}})
    path = tmp_path / "灵宝市.xlsx"
    path.write_bytes(xlsx_bytes(tmp_path, sheets, hide={N.SHEET_TASKS: "hidden"}))
    p = read_return(path, ref, Q)
    assert task(p, 1)["status"] == "done" and not p.rejected
    assert codes(p) == [("sheet-hidden", "warning", N.SHEET_TASKS, "")]
    assert "已读取该隐藏表" in p.issues[0].message


# --- Excel error values and formulas saved without a value ----------------------------------
def test_ref_error_in_completion_date_is_named_not_missing(tmp_path, ref):
    sheets = standard_return(ref, tasks={1: {"完成状态": "已完成", "完成时间": "#REF!"}})
    path = tmp_path / "灵宝市.xlsx"
    path.write_bytes(xlsx_bytes(tmp_path, sheets))
    p = read_return(path, ref, Q)
    row = find_row(sheets[N.SHEET_TASKS], 1)
    assert codes(p) == [("cell-error", "error", N.SHEET_TASKS, f"E{row}")]
    assert "“#REF!”" in p.issues[0].message and "未填写" not in p.issues[0].message
    t = task(p, 1)
    assert t["status"] == "done" and pd.isna(t["completed_on"]) and bool(t["date_invalid"])


def test_na_error_in_status_is_named_not_missing(tmp_path, ref):
    sheets = standard_return(ref, tasks={2: {"完成状态": "#N/A"}})
    path = tmp_path / "灵宝市.xlsx"
    path.write_bytes(xlsx_bytes(tmp_path, sheets))
    p = read_return(path, ref, Q)
    row = find_row(sheets[N.SHEET_TASKS], 2)
    assert codes(p) == [("cell-error", "error", N.SHEET_TASKS, f"D{row}")]
    assert "“#N/A”" in p.issues[0].message and pd.isna(task(p, 2)["status"])


def test_div0_in_item_count_is_an_error_not_an_empty_cell(tmp_path, ref):
    sheets = standard_return(ref, domains={3: {"事项数量": "#DIV/0!"}})
    path = tmp_path / "灵宝市.xlsx"
    path.write_bytes(xlsx_bytes(tmp_path, sheets))
    p = read_return(path, ref, Q)
    assert codes(p) == [("cell-error", "error", N.SHEET_DOMAINS, "D4")]
    assert "“#DIV/0!”" in p.issues[0].message
    assert pd.isna(p.domains.set_index("domain_id").loc[3, "item_count"])


def test_formula_saved_without_a_value_says_recalculate(tmp_path, ref):
    sheets = standard_return(ref, tasks={1: {"完成状态": "已完成", "完成时间": "=DATE(2020,5,20)"}})
    path = tmp_path / "灵宝市.xlsx"
    path.write_bytes(xlsx_bytes(tmp_path, sheets))
    p = read_return(path, ref, Q)
    row = find_row(sheets[N.SHEET_TASKS], 1)
    assert codes(p) == [("cell-error", "error", N.SHEET_TASKS, f"E{row}")]
    assert "“=DATE(2020,5,20)”" in p.issues[0].message and "重新计算" in p.issues[0].message


def test_formula_with_its_computed_value_is_read(tmp_path, ref):
    """What Excel/WPS save: the formula and its value. Only the value matters."""
    sheets = standard_return(ref, tasks={1: {"完成状态": "已完成", "完成时间": "=DATE(2020,5,20)"}})
    data = xlsx_bytes(tmp_path, sheets)
    zin = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            body = zin.read(info)
            if info.filename.startswith("xl/worksheets/"):
                body = body.replace(b"<f>DATE(2020,5,20)</f><v></v>", b"<f>DATE(2020,5,20)</f><v>43971</v>")
            zout.writestr(info, body)
    path = tmp_path / "灵宝市.xlsx"
    path.write_bytes(out.getvalue())
    p = read_return(path, ref, Q)
    assert p.issues == [] and task(p, 1)["completed_on"] == pd.Timestamp("2020-05-20")


def test_error_value_in_filled_on(tmp_path, ref):
    path = tmp_path / "灵宝市.xlsx"
    path.write_bytes(xlsx_bytes(tmp_path, standard_return(ref, filled="#VALUE!")))
    p = read_return(path, ref, Q)
    assert ("cell-error", "error", N.SHEET_INFO, "B4") in codes(p) and p.filled_on is None


# --- archives --------------------------------------------------------------------------------
def zip_of(members: dict[str, bytes], gbk: bool = False) -> bytes:
    """A zip as Windows tools write it: names UTF-8 (flagged), or with `gbk` as WinRAR/360 write
    them, GBK bytes without the UTF-8 flag (zipfile cannot write that: ASCII placeholders of
    the same length are written, then replaced in place; names are not covered by the CRC)."""
    names = {n: (chr(0x41 + i) * len(n.encode("gbk")) if gbk else n) for i, n in enumerate(members)}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(zipfile.ZipInfo(names[name], date_time=(2020, 9, 15, 0, 0, 0)), data,
                        compress_type=zipfile.ZIP_DEFLATED)
    raw = out.getvalue()
    for name, placeholder in names.items():
        if gbk:
            raw = raw.replace(placeholder.encode(), name.encode("gbk"))
    return raw


@pytest.mark.parametrize("gbk", [False, True], ids=["utf8-names", "gbk-names"])
def test_county_zips_two_returns(tmp_path, ref, gbk):
    f = quarter_folder(tmp_path)
    lingbao = xlsx_bytes(tmp_path, standard_return(ref, filled="2020-09-15"), "a.xlsx")
    hubin = xlsx_bytes(tmp_path, standard_return(ref, "hubin", filled="2020-09-16"), "b.xlsx")
    (f / "报表.zip").write_bytes(zip_of({"灵宝市.xlsx": lingbao, "三季度/湖滨区/湖滨区.xlsx": hubin,
                                          "三季度/Thumbs.db": b"\0"}, gbk=gbk))
    rec = decided(f, ref)
    led = rec.ledger.set_index("file")
    assert list(led.index) == ["报表.zip!灵宝市.xlsx", "报表.zip!三季度/湖滨区/湖滨区.xlsx", "报表.zip!三季度/Thumbs.db"]
    assert list(led["state"]) == ["accepted", "accepted", "ignored"]
    assert list(led["unit_id"].iloc[:2]) == ["lingbao", "hubin"]
    assert led.loc["报表.zip!灵宝市.xlsx", "submitted_on"] == pd.Timestamp("2020-09-15")
    assert rec.issues.empty
    assert set(rec.task_progress["file"]) == {"报表.zip!灵宝市.xlsx", "报表.zip!三季度/湖滨区/湖滨区.xlsx"}
    assert rec.task_progress["source"].iloc[0] == "报表.zip!灵宝市.xlsx!任务进展!2"


def test_gbk_member_name_decoded():
    info = zipfile.ZipInfo("灵宝市.xlsx".encode("gbk").decode("cp437"))
    assert member_name(info) == "灵宝市.xlsx"


def test_archive_members_take_the_archives_receipt_date(tmp_path, ref):
    f = quarter_folder(tmp_path)
    lingbao = xlsx_bytes(tmp_path, standard_return(ref, filled="2020-09-15"))
    (f / "灵宝.zip").write_bytes(zip_of({"灵宝市.xlsx": lingbao}))
    (f / "收文登记.csv").write_text("文件,收文日期\n灵宝.zip,2020-09-22\n", encoding="utf-8")
    rec = decided(f, ref)
    row = rec.ledger.set_index("file").loc["灵宝.zip!灵宝市.xlsx"]
    assert (row["submitted_on"], bool(row["on_time"])) == (pd.Timestamp("2020-09-22"), False)
    assert rec.issues.empty


@pytest.mark.parametrize("name", ["报表.rar", "报表.7z"])
def test_rar_and_7z_are_rejected_asking_to_unpack(tmp_path, ref, name):
    f = quarter_folder(tmp_path)
    (f / name).write_bytes(b"Rar!\x1a\x07\x00" if name.endswith(".rar") else b"7z\xbc\xaf\x27\x1c")
    rec = decided(f, ref)
    row = rec.ledger.set_index("file").loc[name]
    assert row["state"] == "rejected" and row["reason"] == "压缩包，请解压后报送"
    assert list(rec.issues["code"]) == ["file-unreadable"]


def test_broken_and_empty_archives_are_one_rejected_row(tmp_path, ref):
    f = quarter_folder(tmp_path)
    (f / "坏.zip").write_bytes(b"PK\x03\x04broken")
    (f / "空.zip").write_bytes(zip_of({}))
    led = decided(f, ref).ledger.set_index("file")
    assert list(led["state"]) == ["rejected", "rejected"]
    assert "已损坏" in led.loc["坏.zip", "reason"] and "空" in led.loc["空.zip", "reason"]


def test_zip_bomb_member_is_refused(tmp_path, ref, monkeypatch):
    from pipeline.ingest import archive

    monkeypatch.setattr(archive, "MAX_FILE_BYTES", 1000)
    f = quarter_folder(tmp_path)
    (f / "炸弹.zip").write_bytes(zip_of({"灵宝市.xlsx": b"\0" * 5000}))
    row = decided(f, ref).ledger.set_index("file").loc["炸弹.zip!灵宝市.xlsx"]
    assert row["state"] == "rejected" and "过大" in row["reason"]


# --- unit names ------------------------------------------------------------------------------
@pytest.mark.parametrize(("written", "unit"), [
    ("三门峡市文化广电旅游局", "wglj"), ("三门峡市卫计委", "wjw"), ("市环境保护局", "sthj"),
    ("市文化广电新闻出版局", "wglj"), ("三门峡市义马市人民政府", "yima"), ("三门峡市财政局", "czj"),
])
def test_city_prefixed_and_former_names_are_recognised(tmp_path, ref, written, unit):
    sheets = standard_return(ref, unit, unit=written, meta=False)
    path = tmp_path / "报表.xlsx"
    path.write_bytes(xlsx_bytes(tmp_path, sheets))
    p = read_return(path, ref, Q)
    assert p.unit_id == unit and not p.rejected


# --- receipt log ------------------------------------------------------------------------------
def test_receipt_log_date_with_time_of_day(tmp_path, ref):
    f = quarter_folder(tmp_path)
    write_xlsx(f / "灵宝市.xlsx", standard_return(ref, filled="2020-09-15"))
    (f / "收文登记.csv").write_text("文件,收文日期\n灵宝市.xlsx,2020/9/21 14:25\n", encoding="utf-8")
    rec = decided(f, ref)
    row = rec.ledger.set_index("file").loc["灵宝市.xlsx"]
    assert (row["submitted_on"], row["submitted_source"]) == (pd.Timestamp("2020-09-21"), "收文登记")
    assert rec.issues.empty


def test_receipt_log_saved_as_xlsx_is_the_log_not_a_return(tmp_path, ref):
    f = quarter_folder(tmp_path)
    write_xlsx(f / "灵宝市.xlsx", standard_return(ref, filled="2020-09-15"))
    write_xlsx(f / "收文登记.xlsx", {"Sheet1": [["文件", "收文日期"], ["灵宝市.xlsx", dt.datetime(2020, 9, 19, 9, 30)]]})
    rec = decided(f, ref)
    assert list(rec.ledger["file"]) == ["灵宝市.xlsx"]
    assert rec.ledger["submitted_on"].iloc[0] == pd.Timestamp("2020-09-19")
    assert rec.issues.empty


# --- leftovers and attachments ----------------------------------------------------------------
def test_leftovers_and_attachments_are_ignored_without_issues(tmp_path, ref):
    f = quarter_folder(tmp_path)
    write_xlsx(f / "灵宝市.xlsx", standard_return(ref))
    names = ["~$灵宝市.xlsx", ".~lock.灵宝市.xlsx#", "Thumbs.db", "desktop.ini", ".DS_Store",
             "~WRL0001.tmp", "灵宝市.lnk", "灵宝市报送函.pdf", "扫描件.jpg", "说明.docx"]
    for name in names:
        (f / name).write_bytes(b"\0junk")
    rec = decided(f, ref)
    led = rec.ledger.set_index("file")
    assert sorted(led.index) == sorted(names + ["灵宝市.xlsx"])
    assert (led.drop("灵宝市.xlsx")["state"] == "ignored").all()
    assert led.drop("灵宝市.xlsx")["reason"].str.len().gt(0).all()
    assert rec.issues.empty
    assert led.loc["灵宝市.xlsx", "state"] == "accepted"


# --- the invariant: every file once; an unrelated file changes no unit's figures -------------
def _generated_folder(tmp_path, ref, seed: int):
    """Returns loose, in subfolders and in archives (with folders inside), beside leftovers,
    attachments and junk, chosen by `seed`."""
    import random

    rng = random.Random(seed)
    f = quarter_folder(tmp_path)
    units = list(ref.reporting_units["unit_id"])
    rng.shuffle(units)
    files: set[str] = set()
    zipped: dict[str, bytes] = {}
    for i, unit in enumerate(units[:10]):
        statuses = {t: {"完成状态": rng.choice(["已完成", "推进中", "未启动"]), "完成时间": "2020-05-20"}
                    for t in (1, 3, 6)}
        data = xlsx_bytes(tmp_path, standard_return(ref, unit, filled=f"2020-09-{rng.randint(10, 25)}",
                                                    tasks=statuses), f"{unit}.xlsx")
        where = rng.choice(["loose", "sub", "zip"])
        name = f"{ref.unit_name(unit)}.xlsx"
        if where == "zip":
            zipped[f"{i}/{name}" if rng.random() < 0.5 else name] = data
            continue
        path = f / name if where == "loose" else f / f"第{i % 2}批" / name
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(data)
        files.add(path.relative_to(f).as_posix())
    zipped["Thumbs.db"] = b"\0"
    (f / "县区.zip").write_bytes(zip_of(zipped))
    files |= {f"县区.zip!{n}" for n in zipped}
    for name in ("~$草稿.xlsx", "desktop.ini", "报送函.pdf", "第0批/扫描.png", "读我.txt"):
        (f / name).parent.mkdir(exist_ok=True)
        (f / name).write_bytes(b"junk")
        files.add(name)
    return f, files


def _figures(folder, ref):
    result = stages.quarter_result(stages.intake(folder, ref, Q), ref, Q)
    return result, result.scores.set_index("unit_id")[["total", "rank", "timeliness", "completion", "quality"]]


@pytest.mark.parametrize("seed", [1, 2])
def test_every_file_once_and_an_unrelated_file_changes_nothing(tmp_path, ref, seed):
    folder, files = _generated_folder(tmp_path, ref, seed)
    before, figures = _figures(folder, ref)
    assert sorted(before.ledger["file"]) == sorted(files)
    assert before.ledger["file"].is_unique
    for extra, data in (("附件/照片.jpg", b"\xff\xd8"), (".DS_Store", b"\0"), ("别的.xlsx", b"not a workbook"),
                        ("新.zip", zip_of({"说明.docx": b"x"}))):
        (folder / extra).parent.mkdir(exist_ok=True)
        (folder / extra).write_bytes(data)
    after, figures_after = _figures(folder, ref)
    pd.testing.assert_frame_equal(figures, figures_after)
    assert len(after.ledger) == len(files) + 4 and after.ledger["file"].is_unique


def test_archive_member_logged_by_its_own_name(tmp_path, ref):
    f = quarter_folder(tmp_path)
    lingbao = xlsx_bytes(tmp_path, standard_return(ref, filled="2020-09-15"))
    (f / "县区.zip").write_bytes(zip_of({"三季度/灵宝市.xlsx": lingbao}))
    (f / "收文登记.csv").write_text("文件,收文日期\n灵宝市.xlsx,2020-09-21\n", encoding="utf-8")
    rec = decided(f, ref)
    assert rec.ledger.set_index("file").loc["县区.zip!三季度/灵宝市.xlsx", "submitted_on"] == pd.Timestamp("2020-09-21")
    assert rec.issues.empty


# --- parsers (property tests) -------------------------------------------------------------------

_DAYS = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2099, 12, 31))


@given(_DAYS, st.integers(0, 23), st.integers(0, 59), st.sampled_from(["{y}/{m}/{d}", "{y}-{m:02d}-{d:02d}", "{y}年{m}月{d}日"]),
       st.sampled_from([" {H}:{M:02d}", " {H:02d}:{M:02d}:00", "T{H:02d}:{M:02d}", "  {H}：{M:02d}", ""]))
def test_receipt_date_keeps_the_date_of_any_date_time(day, hour, minute, date_form, time_form):
    text = date_form.format(y=day.year, m=day.month, d=day.day) + time_form.format(H=hour, M=minute)
    assert receipt_date(text) == day
    assert receipt_date(dt.datetime.combine(day, dt.time(hour, minute))) == day


@given(st.dictionaries(st.tuples(st.integers(0, 200), st.integers(0, 60)),
                       st.sampled_from(["#REF!", "#N/A", "#DIV/0!", "#VALUE!", "#NAME?", "#NUM!", "#NULL!"]),
                       max_size=8),
       st.sets(st.tuples(st.integers(201, 300), st.integers(0, 60)), max_size=4))
def test_error_cells_finds_every_error_value_and_uncomputed_formula(errors, formulas):
    cells = [f'<c r="{a1(r, c)}" t="e"><v>{v}</v></c>' for (r, c), v in errors.items()]
    cells += [f'<c r="{a1(r, c)}"><f>SUM(A1:A2)</f><v></v></c>' for r, c in formulas]
    cells += ['<c r="A500"><f>1+1</f><v>2</v></c>', '<c r="B500" t="str"><f>""</f><v></v></c>',
              '<c r="C500" s="1"/>']
    found = error_cells(("<sheetData><row>" + "".join(cells) + "</row></sheetData>").encode())
    assert found == {**errors, **{rc: "=SUM(A1:A2)" for rc in formulas}}


def test_two_visible_copies_never_fall_back_to_the_hidden_original(tmp_path, ref):
    """Two visible copies and no exact name: the copies are ambiguous, the header search picks
    the first visible one with a task header; the hidden original is still not read."""
    stale = standard_return(ref)
    fresh = standard_return(ref, tasks={1: {"完成状态": "已完成", "完成时间": "2020-05-20"}})
    sheets = dict(stale) | {"任务进展 (2)": fresh[N.SHEET_TASKS], "任务进展（更新）": fresh[N.SHEET_TASKS]}
    path = tmp_path / "灵宝市.xlsx"
    path.write_bytes(xlsx_bytes(tmp_path, sheets, hide={N.SHEET_TASKS: "hidden"}))
    p = read_return(path, ref, Q)
    assert task(p, 1)["status"] == "done" and task(p, 1)["source"] == "灵宝市.xlsx!任务进展 (2)!2"
    assert codes(p) == [("sheet-hidden", "warning", N.SHEET_TASKS, "")]


# ---- other spreadsheet formats: read by their bytes, whatever the name says -------------------
def test_wps_et_holding_xlsx_bytes_is_read(tmp_path, ref):
    path = tmp_path / "灵宝市.et"
    write_xlsx(tmp_path / "a.xlsx", standard_return(ref))
    path.write_bytes((tmp_path / "a.xlsx").read_bytes())
    got = read_return(path, ref, Q)
    assert got.reason == "" and got.unit_id == "lingbao" and len(got.task_rows) == 12


def test_libreoffice_ods_is_read(tmp_path, ref):
    import shutil
    import subprocess

    if not shutil.which("soffice"):
        pytest.skip("LibreOffice (soffice) is not installed: make sysdeps")
    write_xlsx(tmp_path / "灵宝市.xlsx", standard_return(ref))
    subprocess.run(["soffice", "--headless", "--convert-to", "ods", "--outdir", str(tmp_path / "out"),
                    str(tmp_path / "灵宝市.xlsx")], check=True, capture_output=True, timeout=120)
    got = read_return(tmp_path / "out" / "灵宝市.ods", ref, Q)
    assert got.reason == "" and got.unit_id == "lingbao"
    assert len(got.task_rows) == 12 and len(got.domain_rows) == 26


def test_an_unreadable_file_names_its_unit_by_file_name(tmp_path, ref):
    """The unit hears of a file it sent that cannot be opened (feedback, status): the ledger and
    the issue carry the unit the file name names; nothing is accepted from it."""
    folder = tmp_path / "inputs" / str(Q)
    folder.mkdir(parents=True)
    (folder / "灵宝市_2020Q3.xlsx").write_bytes(b"PK\x03\x04 this is not a workbook")
    rec = stages.reconcile(stages.intake(folder, ref, Q), ref, Q)
    row = rec.ledger.set_index("file").loc["灵宝市_2020Q3.xlsx"]
    assert (row["state"], row["unit_id"]) == ("rejected", "lingbao")
    bad = rec.issues[rec.issues["file"] == "灵宝市_2020Q3.xlsx"]
    assert set(bad["unit_id"]) == {"lingbao"} and set(bad["severity"]) == {"error"}
    assert "lingbao" not in set(rec.task_progress["unit_id"])


def test_error_value_in_a_legacy_xls_is_named_not_missing(tmp_path, ref):
    """The same #REF! in a return saved as .xls (BIFF): calamine reads it as empty; the cell is
    still an error at its place, never "未填写"."""
    import shutil
    import subprocess

    if not shutil.which("soffice"):
        pytest.skip("LibreOffice (soffice) is not installed: make sysdeps")
    sheets = standard_return(ref, tasks={1: {"完成状态": "已完成", "完成时间": "#REF!"}})
    (tmp_path / "灵宝市.xlsx").write_bytes(xlsx_bytes(tmp_path, sheets))
    subprocess.run(["soffice", "--headless", "--convert-to", "xls", "--outdir", str(tmp_path / "out"),
                    str(tmp_path / "灵宝市.xlsx")], check=True, capture_output=True, timeout=120)
    p = read_return(tmp_path / "out" / "灵宝市.xls", ref, Q)
    row = find_row(sheets[N.SHEET_TASKS], 1)
    assert ("cell-error", "error", N.SHEET_TASKS, f"E{row}") in codes(p)
    assert not [i for i in p.issues if i.code == "date-missing" or "未填写" in i.message]
    assert "#REF!" in next(i.message for i in p.issues if i.code == "cell-error")
