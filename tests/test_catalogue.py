"""Audit of the standard catalogues: one fixture workbook per defect, built here with openpyxl
(independently of the demo writer), each asserting the exact issue code and cell."""

from __future__ import annotations

import hashlib

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook

from pipeline.catalogue import AUDIT_COLUMNS, ITEM_COLUMNS, audit_catalogues
from pipeline.catalogue.checks import basis_plausible, channel_known, time_limit_plausible
from pipeline.catalogue.reader import cell_text, domain_in_text, ticked, unit_in_text
from pipeline.issues import ISSUE_CODES, ISSUE_COLUMNS

Q = "2021Q1"
TOP = ["序号", "公开事项", "公开事项", "公开内容（要素）", "公开依据", "公开时限", "公开主体", "公开渠道和载体",
       "公开对象", "公开对象", "公开方式", "公开方式", "公开层级", "公开层级"]
SUB = [None, "一级事项", "二级事项", None, None, None, None, None, "全社会", "特定群众", "主动", "依申请",
       "县级", "乡级"]
GOOD = {"l1": "规划许可", "l2": "建设工程规划许可证核发", "content": "申请材料、办理流程、办理时限及许可结果",
        "basis": "《中华人民共和国城乡规划法》", "time": "信息形成或者变更之日起20个工作日内",
        "subject": "灵宝市自然资源和规划局", "channel": "政府网站、政务新媒体", "all": "√", "specific": None,
        "active": "√", "request": None, "county": "√", "town": None}


def item(**changes) -> dict:
    return {**GOOD, **changes}


def grid(items, title: str | None = "灵宝市城乡规划领域基层政务公开标准目录", top=TOP, sub=SUB,
         merge_l1: bool = False):
    """Rows and merged ranges of a catalogue sheet in the usual two-row layout."""
    rows, merges = [], []
    if title is not None:
        rows.append([title] + [None] * 13)
        merges.append(f"A1:N{1}")
    h = len(rows) + 1
    rows.append(list(top))
    rows.append(list(sub))
    merges += [f"B{h}:C{h}", f"I{h}:J{h}", f"K{h}:L{h}", f"M{h}:N{h}"]
    merges += [f"{c}{h}:{c}{h + 1}" for c in "ADEFGH"]
    for n, it in enumerate(items, start=1):
        rows.append([n, it["l1"], it["l2"], it["content"], it["basis"], it["time"], it["subject"],
                     it["channel"], it["all"], it["specific"], it["active"], it["request"], it["county"],
                     it["town"]])
    if merge_l1:
        merges.append(f"B{h + 2}:B{h + 1 + len(items)}")
    return rows, merges


def save(path, sheets: dict):
    """sheets: name -> (rows, merges); merged cells other than the top-left are emptied."""
    from openpyxl.utils import range_boundaries

    wb = Workbook()
    wb.remove(wb.active)
    for name, (rows, merges) in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
        for ref in merges:
            c0, r0, c1, r1 = range_boundaries(ref)
            for r in range(r0, r1 + 1):
                for c in range(c0, c1 + 1):
                    if (r, c) != (r0, c0):
                        ws.cell(r, c).value = None
            ws.merge_cells(ref)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


@pytest.fixture
def folder(tmp_path):
    return tmp_path / "inputs" / Q / "目录"


def audit(folder, ref, progress=None):
    return audit_catalogues(folder, ref, Q, progress)


def codes(result) -> list[tuple[str, str]]:
    return list(zip(result.issues["code"], result.issues["cell"], strict=True))


# --- the clean case --------------------------------------------------------------------------
def test_complete_catalogue_has_no_issues(folder, ref):
    save(folder / "灵宝市城乡规划领域标准目录.xlsx", {"Sheet1": grid([item(), item(l2="乡村建设规划许可证核发")])})
    r = audit(folder, ref)
    assert r.issues.empty
    assert list(r.items.columns) == ITEM_COLUMNS and list(r.audit.columns) == AUDIT_COLUMNS
    assert list(r.issues.columns) == ISSUE_COLUMNS
    first = r.items.iloc[0]
    assert (first["unit_id"], first["domain_id"], first["row"]) == ("lingbao", 1, 4)
    assert first["audience"] == "全社会" and first["method"] == "主动" and first["level"] == "县级"
    assert r.items["complete"].all() and (r.items["missing"] == "").all()
    row = r.audit[(r.audit["unit_id"] == "lingbao") & (r.audit["domain_id"] == 1)].iloc[0]
    assert (row["items"], row["complete_items"], row["share_complete"]) == (2, 2, 1.0)
    assert len(r.audit) == 26 and r.audit["sent"].sum() == 1


def test_missing_folder_gives_empty_result(tmp_path, ref):
    r = audit(tmp_path / "nowhere", ref)
    assert r.items.empty and r.audit.empty and r.issues.empty
    assert list(r.items.columns) == ITEM_COLUMNS and list(r.audit.columns) == AUDIT_COLUMNS
    assert list(r.issues.columns) == ISSUE_COLUMNS


# --- one defect per fixture ------------------------------------------------------------------
def test_missing_basis(folder, ref):
    save(folder / "灵宝市城乡规划.xlsx", {"Sheet1": grid([item(), item(l2="规划批准文件", basis=None)])})
    r = audit(folder, ref)
    assert codes(r) == [("catalogue-basis-missing", "E5")]
    issue = r.issues.iloc[0]
    assert (issue["file"], issue["sheet"], issue["severity"], issue["unit_id"]) == \
        ("灵宝市城乡规划.xlsx", "Sheet1", "error", "lingbao")
    assert "规划批准文件" in issue["message"] and "公开依据" in issue["message"]
    assert r.items["complete"].tolist() == [True, False]
    assert r.items["missing"].tolist() == ["", "依据"]


def test_basis_that_names_no_document(folder, ref):
    save(folder / "灵宝市城乡规划.xlsx", {"Sheet1": grid([item(basis="上级有关要求")])})
    assert codes(audit(folder, ref)) == [("catalogue-basis-implausible", "E4")]


def test_implausible_time_limit(folder, ref):
    save(folder / "灵宝市城乡规划.xlsx", {"Sheet1": grid([item(time="尽快")])})
    r = audit(folder, ref)
    assert codes(r) == [("catalogue-time-limit-implausible", "F4")]
    assert r.issues.iloc[0]["severity"] == "warning" and "尽快" in r.issues.iloc[0]["message"]
    assert r.items["missing"].tolist() == ["时限不规范"] and not r.items["complete"].any()


def test_nothing_ticked_under_method(folder, ref):
    save(folder / "灵宝市城乡规划.xlsx", {"Sheet1": grid([item(active=None, request="×")])})
    r = audit(folder, ref)
    assert codes(r) == [("catalogue-method-missing", "K4:L4")]
    assert r.items.iloc[0]["method"] == "" and r.items.iloc[0]["missing"] == "方式"


def test_nothing_ticked_under_audience(folder, ref):
    save(folder / "灵宝市城乡规划.xlsx", {"Sheet1": grid([item(all=None, specific=None)])})
    assert codes(audit(folder, ref)) == [("catalogue-audience-missing", "I4:J4")]


def test_other_missing_elements_each_named(folder, ref):
    save(folder / "灵宝市城乡规划.xlsx", {"Sheet1": grid([item(content=None, subject=" ", channel=None)])})
    r = audit(folder, ref)
    assert codes(r) == [("catalogue-content-missing", "D4"), ("catalogue-subject-missing", "G4"),
                        ("catalogue-channel-missing", "H4")]
    assert r.items.iloc[0]["missing"] == "内容、主体、渠道"


def test_unknown_channel(folder, ref):
    save(folder / "灵宝市城乡规划.xlsx", {"Sheet1": grid([item(channel="口头告知")])})
    assert codes(audit(folder, ref)) == [("catalogue-channel-unknown", "H4")]


def test_duplicate_item(folder, ref):
    items = [item(), item(l2="乡村建设规划许可证核发"), item()]
    save(folder / "灵宝市城乡规划.xlsx", {"Sheet1": grid(items)})
    r = audit(folder, ref)
    assert codes(r) == [("catalogue-item-duplicate", "B6:C6")]
    assert "第4行" in r.issues.iloc[0]["message"]
    assert r.items["duplicate"].tolist() == [False, False, True]


def test_same_name_in_two_domains_is_no_duplicate(folder, ref):
    save(folder / "灵宝市目录.xlsx", {"城乡规划": grid([item()]), "征地补偿": grid([item()])})
    assert audit(folder, ref).issues.empty


def test_empty_domain(folder, ref):
    save(folder / "灵宝市救灾领域标准目录.xlsx", {"Sheet1": grid([], title="灵宝市救灾领域标准目录")})
    r = audit(folder, ref)
    assert codes(r) == [("catalogue-domain-empty", "A4")]
    row = r.audit[r.audit["domain_id"] == 7].iloc[0]
    assert bool(row["sent"]) and row["items"] == 0 and pd.isna(row["share_complete"])


def test_blank_sheet_named_after_a_domain_is_an_empty_domain(folder, ref):
    save(folder / "灵宝市目录.xlsx", {"城乡规划": grid([item()]), "救灾": ([], [])})
    assert codes(audit(folder, ref)) == [("catalogue-domain-empty", "A1")]


def test_stray_blank_sheets_are_ignored(folder, ref):
    save(folder / "灵宝市城乡规划.xlsx", {"Sheet1": grid([item()]), "Sheet2": ([], []), "Sheet3": ([], [])})
    r = audit(folder, ref)
    assert r.issues.empty and r.audit["sent"].sum() == 1


def test_unknown_unit_with_suggestions(folder, ref):
    save(folder / "卢式县城乡规划领域标准目录.xlsx", {"Sheet1": grid([item()], title="城乡规划领域标准目录")})
    r = audit(folder, ref)
    assert codes(r) == [("catalogue-unit-unknown", "")]
    assert "卢氏县" in r.issues.iloc[0]["message"] and r.items.empty and r.audit.empty


def test_unit_from_label_cell(folder, ref):
    rows, merges = grid([item()], title="城乡规划领域基层政务公开标准目录")
    rows.insert(1, ["填报单位：", "灵宝市人民政府"] + [None] * 12)
    merges = ["A1:N1", "B3:C3", "I3:J3", "K3:L3", "M3:N3"] + [f"{c}3:{c}4" for c in "ADEFGH"]
    save(folder / "目录（第一批）.xlsx", {"Sheet1": (rows, merges)})
    r = audit(folder, ref)
    assert r.issues.empty and r.items.iloc[0]["unit_id"] == "lingbao" and r.items.iloc[0]["row"] == 5


def test_unit_that_is_not_a_base_unit(folder, ref):
    save(folder / "市民政局社会救助.xlsx", {"Sheet1": grid([item()], title="社会救助领域目录")})
    r = audit(folder, ref)
    assert codes(r) == [("catalogue-unit-not-base", "")]
    assert r.issues.iloc[0]["unit_id"] == "mzj" and r.items.empty


def test_unreadable_file(folder, ref):
    folder.mkdir(parents=True)
    (folder / "灵宝市城乡规划.xlsx").write_bytes(b"not a workbook")
    r = audit(folder, ref)
    assert codes(r) == [("catalogue-unreadable", "")]


def test_workbook_without_catalogue_header(folder, ref):
    save(folder / "灵宝市城乡规划.xlsx", {"Sheet1": ([["事项", "说明"], ["规划", "略"]], [])})
    assert codes(audit(folder, ref)) == [("catalogue-header-missing", "")]


def test_domain_sheet_without_header(folder, ref):
    save(folder / "灵宝市目录.xlsx", {"城乡规划": grid([item()]), "救灾": ([["救灾事项清单"], ["略"]], [])})
    r = audit(folder, ref)
    assert list(zip(r.issues["code"], r.issues["sheet"], r.issues["cell"], strict=True)) == \
        [("catalogue-header-missing", "救灾", "A1")]


def test_column_missing_is_one_issue_for_the_sheet(folder, ref):
    top = [t if t != "公开依据" else "备注" for t in TOP]
    save(folder / "灵宝市城乡规划.xlsx", {"Sheet1": grid([item(), item(l2="其他")], top=top)})
    r = audit(folder, ref)
    assert codes(r) == [("catalogue-column-missing", "A2")]
    assert "依据" in r.issues.iloc[0]["message"]
    assert r.items["missing"].tolist() == ["依据", "依据"]


# --- which domain ----------------------------------------------------------------------------
def test_domain_from_sheet_name(folder, ref):
    save(folder / "灵宝市标准目录.xlsx", {"救灾领域": grid([item()], title=None),
                                       "１８.社会救助": grid([item()], title=None)})
    r = audit(folder, ref)
    assert r.issues.empty and sorted(set(r.items["domain_id"])) == [7, 18]


def test_domain_from_file_name(folder, ref):
    save(folder / "灵宝市_社会救助.xlsx", {"Sheet1": grid([item()], title=None)})
    r = audit(folder, ref)
    assert r.issues.empty and r.items["domain_id"].tolist() == [18]


def test_unit_and_domain_from_sub_folders(folder, ref):
    save(folder / "灵宝市" / "社会救助" / "目录.xlsx", {"Sheet1": grid([item()], title=None)})
    r = audit(folder, ref)
    assert r.issues.empty and r.items[["unit_id", "domain_id", "file"]].values.tolist() == \
        [["lingbao", 18, "灵宝市/社会救助/目录.xlsx"]]


def test_domain_from_title_row(folder, ref):
    save(folder / "灵宝市目录2.xlsx", {"Sheet1": grid([item()], title="灵宝市养老服务领域基层政务公开标准目录")})
    r = audit(folder, ref)
    assert r.issues.empty and r.items["domain_id"].tolist() == [19]


def test_sheet_name_beats_file_name(folder, ref):
    save(folder / "灵宝市城乡规划.xlsx", {"城乡规划": grid([item()]), "征地补偿": grid([item()])})
    assert sorted(set(audit(folder, ref).items["domain_id"])) == [1, 2]


def test_domain_unknown(folder, ref):
    save(folder / "灵宝市目录.xlsx", {"Sheet1": grid([item()], title="灵宝市基层政务公开标准目录")})
    r = audit(folder, ref)
    assert codes(r) == [("catalogue-domain-unknown", "A1")]
    assert r.issues.iloc[0]["unit_id"] == "lingbao" and r.items.empty


def test_title_naming_two_domains_is_ambiguous(folder, ref):
    save(folder / "灵宝市目录.xlsx", {"Sheet1": grid([item()], title="灵宝市城乡规划、征地补偿领域标准目录")})
    r = audit(folder, ref)
    assert codes(r) == [("catalogue-domain-unknown", "A1")]
    assert "城乡规划、征地补偿" in r.issues.iloc[0]["message"]


def test_domain_names_in_text(ref):
    assert domain_in_text("１.城乡规划领域", ref)[0] == 1
    assert domain_in_text("就业", ref)[0] == 21 and domain_in_text("就业创业领域", ref)[0] == 21
    assert domain_in_text("生态环境", ref)[0] == 14
    assert domain_in_text("农村集体土地征收", ref)[0] == 2
    assert domain_in_text("城乡规划、征地补偿", ref) == (None, [1, 2])
    assert domain_in_text("Sheet1", ref) == (None, [])


@given(st.integers(min_value=1, max_value=26),
       st.sampled_from(["", "1.", "０１、", "灵宝市", "三门峡市城乡一体化示范区"]),
       st.sampled_from(["", "领域", "领域标准目录", "（修订）"]), st.sampled_from(["", " ", "\u3000"]))
def test_every_domain_found_in_decorated_text(ref, domain_id, prefix, suffix, space):
    name = ref.domains.set_index("domain_id").loc[domain_id, "name"]
    assert domain_in_text(f"{space}{prefix}{name}{suffix}{space}", ref)[0] == domain_id


def test_units_in_text(ref):
    assert unit_in_text("灵宝市人民政府", ref) == "lingbao"
    assert unit_in_text("灵宝市城市管理局城乡规划目录", ref) == "lingbao"  # base unit preferred
    assert unit_in_text("三门峡市城乡一体化示范区城乡规划", ref) == "sfq"
    assert unit_in_text("城乡规划领域标准目录", ref) is None


# --- layout tolerance ------------------------------------------------------------------------
def test_merged_first_level_cells(folder, ref):
    items = [item(l2="建设工程规划许可证核发"), item(l1=None, l2="乡村建设规划许可证核发"),
             item(l1=None, l2="临时建设许可")]
    save(folder / "灵宝市城乡规划.xlsx", {"Sheet1": grid(items, merge_l1=True)})
    r = audit(folder, ref)
    assert r.issues.empty
    assert r.items["item_l1"].tolist() == ["规划许可"] * 3
    assert r.items["row"].tolist() == [4, 5, 6]


def test_first_level_left_blank_is_carried_down(folder, ref):
    items = [item(), item(l1=None, l2="乡村建设规划许可证核发"), item(l1="规划编制", l2="规划草案")]
    save(folder / "灵宝市城乡规划.xlsx", {"Sheet1": grid(items)})
    r = audit(folder, ref)
    assert r.issues.empty and r.items["item_l1"].tolist() == ["规划许可", "规划许可", "规划编制"]


def test_row_without_name(folder, ref):
    items = [item(), item(l1=None, l2=None)]
    save(folder / "灵宝市城乡规划.xlsx", {"Sheet1": grid(items)})
    r = audit(folder, ref)
    assert codes(r) == [("catalogue-name-missing", "B5:C5")]
    assert r.items["missing"].tolist() == ["", "名称"]


def test_table_away_from_a1_keeps_references(folder, ref):
    """calamine would drop leading empty rows and columns unless asked not to."""
    rows, _ = grid([item(), item(l2="其他事项", basis=None)], title=None)
    shifted = [[None] * 14] * 3 + [[None, None] + r for r in rows]
    merges = ["D4:E4", "K4:L4", "M4:N4", "O4:P4"] + [f"{c}4:{c}5" for c in "CFGHIJ"]
    save(folder / "灵宝市城乡规划.xlsx", {"Sheet1": (shifted, merges)})
    r = audit(folder, ref)
    assert codes(r) == [("catalogue-basis-missing", "G7")]
    assert r.items["row"].tolist() == [6, 7]


def test_header_synonyms_full_width_and_notes(folder, ref):
    top = [" 序 号", "公开事项", "公开事项", "公开内容", "依据", "公开时限", "公开主体", "公开渠道",
           "公开对象", "公开对象", "公开方式", "公开方式", "公开层级", "公开层级"]
    sub = [None, "一级事项", "二级事项", None, None, None, None, None, "全社会", "特定群体", "主动公开",
           "依申请公开", "县级", "乡镇级"]
    rows, merges = grid([item(all=None, specific="✓", request="是", town="√")], top=top, sub=sub)
    rows.append(["注：本目录根据上级标准指引编制。"] + [None] * 13)
    rows.append([None] * 14)
    save(folder / "灵宝市城乡规划.xlsx", {"Sheet1": (rows, merges)})
    r = audit(folder, ref)
    assert r.issues.empty and len(r.items) == 1
    it = r.items.iloc[0]
    assert (it["audience"], it["method"], it["level"]) == ("特定群众", "主动、依申请", "县级、乡级")


def test_single_row_header_with_text_columns(folder, ref):
    top = ["序号", "一级事项", "二级事项", "公开内容", "公开依据", "公开时限", "公开主体", "公开渠道和载体",
           "公开对象", "公开方式"]
    rows = [top, [1, "规划许可", "许可证核发", "结果", "《城乡规划法》", "20个工作日内", "灵宝市资规局",
                  "政府网站", "全社会", "主动"],
            [2, "规划许可", "其他", "结果", "《城乡规划法》", "20个工作日内", "灵宝市资规局", "政府网站",
             "全社会", "公开"]]
    save(folder / "灵宝市城乡规划.xlsx", {"Sheet1": (rows, [])})
    r = audit(folder, ref)
    assert codes(r) == [("catalogue-method-missing", "J3")]
    assert "公开" in r.issues.iloc[0]["message"]


def test_xls_workbook(folder, ref):
    xlwt = pytest.importorskip("xlwt")
    book = xlwt.Workbook(encoding="utf-8")
    ws = book.add_sheet("社会救助")
    rows, _ = grid([item(), item(l2="低保", time="尽快")], title=None)
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            if v is not None and not (r == 0 and c in (2, 9, 11, 13)):
                ws.write(r, c, v)
    folder.mkdir(parents=True)
    book.save(str(folder / "灵宝市目录.xls"))
    r = audit(folder, ref)
    assert codes(r) == [("catalogue-time-limit-implausible", "F4")]
    assert r.items["domain_id"].tolist() == [18, 18]


# --- files, counts, cross-check --------------------------------------------------------------
def test_two_files_for_one_domain_the_later_wins(folder, ref):
    save(folder / "灵宝市城乡规划_v1.xlsx", {"Sheet1": grid([item(basis=None)])})
    save(folder / "灵宝市城乡规划_v2.xlsx", {"Sheet1": grid([item(), item(l2="其他")])})
    r = audit(folder, ref)
    assert codes(r) == [("catalogue-domain-duplicate", "")]
    assert r.issues.iloc[0]["file"] == "灵宝市城乡规划_v1.xlsx" and "_v2" in r.issues.iloc[0]["message"]
    assert set(r.items["file"]) == {"灵宝市城乡规划_v2.xlsx"}


def test_audit_counts_and_cross_check(folder, ref):
    save(folder / "灵宝市目录.xlsx", {
        "城乡规划": grid([item(), item(l2="乡村建设规划许可证核发"), item(l2="其他", basis=None)]),
        "救灾": grid([item(), item(l2="灾情")]),
        "社会救助": grid([item()]),
    })
    save(folder / "湖滨区养老服务.xlsx", {"Sheet1": grid([item(time="尽快")], title=None)})
    progress = pd.DataFrame({
        "quarter": [Q, Q, Q, Q, "2020Q4", Q, Q],
        "unit_id": ["lingbao", "lingbao", "lingbao", "lingbao", "lingbao", "zrzy", "hubin"],
        "domain_id": [1, 7, 2, 18, 18, 1, 19],
        "kind": ["catalogue"] * 5 + ["plan", "catalogue"],
        "status": ["published"] * 7,
        "item_count": pd.array([3, 5, 4, None, 9, 2, 1], dtype="Int64"),
        "source": ["灵宝市.xlsx!试点领域!D5", "灵宝市.xlsx!试点领域!D11", "灵宝市.xlsx!试点领域!D6", "", "", "", ""],
    })
    r = audit(folder, ref, progress)
    a = r.audit.set_index(["unit_id", "domain_id"])
    assert len(r.audit) == 2 * 26 and list(r.audit["unit_id"].unique()) == ["hubin", "lingbao"]
    assert a.loc[("lingbao", 1), ["items", "complete_items"]].tolist() == [3, 2]
    assert a.loc[("lingbao", 1), "share_complete"] == pytest.approx(2 / 3)
    assert a.loc[("lingbao", 1), "count_matches"] == True  # noqa: E712
    assert a.loc[("lingbao", 7), "reported_count"] == 5 and a.loc[("lingbao", 7), "count_matches"] == False  # noqa: E712
    assert pd.isna(a.loc[("lingbao", 2), "count_matches"]) and not a.loc[("lingbao", 2), "sent"]
    assert a.loc[("lingbao", 2), "reported_count"] == 4
    assert pd.isna(a.loc[("lingbao", 18), "reported_count"])       # other quarter ignored
    assert a.loc[("hubin", 19), "count_matches"] == True  # noqa: E712
    assert a.loc[("hubin", 19), "complete_items"] == 0
    mism = r.issues[r.issues["code"] == "catalogue-count-mismatch"]
    assert len(mism) == 1
    m = mism.iloc[0]
    assert (m["file"], m["sheet"], m["unit_id"], m["severity"]) == ("灵宝市目录.xlsx", "救灾", "lingbao", "warning")
    assert "2条" in m["message"] and "5" in m["message"] and "灵宝市.xlsx!试点领域!D11" in m["message"]
    assert r.error_count == 1  # the missing basis


def test_inputs_are_not_modified(folder, ref):
    path = save(folder / "灵宝市城乡规划.xlsx", {"Sheet1": grid([item(basis=None)])})
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    audit(folder, ref)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


def test_every_catalogue_code_is_registered():
    import re
    from pathlib import Path

    import pipeline.catalogue as pkg

    source = "".join(p.read_text(encoding="utf-8") for p in Path(pkg.__file__).parent.glob("*.py"))
    used = set(re.findall(r'"(catalogue-[a-z-]+)"', source))
    assert used and used <= set(ISSUE_CODES)


# --- plausibility rules ----------------------------------------------------------------------
@pytest.mark.parametrize("text", ["《中华人民共和国政府信息公开条例》", "城乡规划法第四十条", "豫政办〔2019〕12号",
                                  "社会救助暂行办法", "国务院关于进一步加强政务公开的意见"])
def test_rule_plausible_basis(text):
    assert basis_plausible(text)


@pytest.mark.parametrize("text", ["上级要求", "依法", "按照有关精神", "无"])
def test_rule_implausible_basis(text):
    assert not basis_plausible(text)


@pytest.mark.parametrize("text", ["信息形成或者变更之日起20个工作日内", "二十个工作日内", "实时", "及时公开", "长期公开",
                                  "自批准之日起", "每年3月底前", "常年公开", "15日内"])
def test_rule_plausible_time_limit(text):
    assert time_limit_plausible(text)


@pytest.mark.parametrize("text", ["尽快", "按要求", "适时", "待定", "无"])
def test_rule_implausible_time_limit(text):
    assert not time_limit_plausible(text)


@pytest.mark.parametrize("text", ["政府网站", "政务新媒体", "村务公开栏", "公示栏", "便民服务站", "广播电视", "报刊",
                                  "政务服务中心", "入户", "精准推送", "其他"])
def test_rule_known_channels(text):
    assert channel_known(text)


@given(st.one_of(st.none(), st.text(max_size=8), st.integers(), st.floats(), st.booleans()))
def test_tick_and_text_never_raise(value):
    assert isinstance(ticked(value), bool) and isinstance(cell_text(value), str)


def test_tick_words():
    assert all(ticked(v) for v in ["√", "✓", "是", "1", 1, True, " √ "])
    assert not any(ticked(v) for v in [None, "", "×", "否", "/", 0, False, "　", "□"])


def test_template_rows_with_empty_tick_boxes_are_not_items(folder, ref):
    blank = {k: None for k in GOOD} | {"all": "□", "specific": "□", "active": "□", "request": "□"}
    save(folder / "灵宝市城乡规划.xlsx", {"Sheet1": grid([item(), blank, blank])})
    r = audit(folder, ref)
    assert r.issues.empty and len(r.items) == 1


_CELLS = st.one_of(st.none(), st.sampled_from(TOP + [s for s in SUB if s] + ["√", "×", "□", "尽快", "《法》"]),
                   st.text(max_size=6), st.integers(-5, 50), st.floats(allow_nan=True), st.booleans())


@given(st.lists(st.lists(_CELLS, min_size=0, max_size=16), min_size=0, max_size=12))
def test_any_grid_reads_and_checks_without_raising(ref, rows):
    from pipeline.catalogue.checks import check_items
    from pipeline.catalogue.reader import _read_sheet
    from pipeline.ingest.workbook import Sheet

    for top in (rows, [TOP, SUB, *rows]):
        found = _read_sheet(Sheet("城乡规划", [list(r) for r in top]), ref)
        raw = pd.DataFrame([{"quarter": Q, "unit_id": "lingbao", "domain_id": 1, "file": "f.xlsx",
                             "sheet": "城乡规划", **it} for it in found["items"]])
        items, issues = check_items(raw)
        assert len(items) == len(found["items"])
        assert all(i.code in ISSUE_CODES for i in issues)


def test_a_catalogue_that_kills_its_reader_is_reported_and_the_rest_read(folder, ref):
    """A 6 KB .xls with a value in IV65536 makes calamine ask for ~1 GB: the worker dies under
    its memory cap, that file is one issue, the good catalogue beside it is still audited."""
    from hostile_corpus import far_cell_xls

    save(folder / "灵宝市城乡规划领域标准目录.xlsx", {"Sheet1": grid([item()])})
    (folder / "灵宝市扶贫领域标准目录.xls").write_bytes(far_cell_xls())
    r = audit(folder, ref)
    bad = r.issues[r.issues["file"] == "灵宝市扶贫领域标准目录.xls"]
    assert bad["code"].tolist() == ["catalogue-unreadable"] and "无法解析" in bad["message"].iloc[0]
    assert r.audit.loc[r.audit["sent"], "domain_id"].tolist() == [1]
