"""Catalogues laid out as units really send them (issue #23) and in the formats they send
(issue #20): one fixture per layout or glyph, built by code, each asserting exact results."""

from __future__ import annotations

import pandas as pd
import pytest
from catalogue_layouts import (
    BASIS,
    CHANNEL,
    HEAD,
    SUB,
    docx_bytes,
    entry,
    ods_bytes,
    sheet_of,
    two_level,
    workbook_bytes,
    xls_bytes,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.catalogue import FILE_COLUMNS, audit_catalogues, write_catalogue_workbook
from pipeline.catalogue.reader import domain_in_text
from pipeline.catalogue.rules import load_rules

Q = "2021Q1"
LOWBAO = entry(1, ["社会救助", "最低生活保障"], ["1.法律法规和政策文件", "2.办理流程", "3.救助标准"])
TEKUN = entry(2, ["社会救助", "特困人员救助供养"], ["1.政策文件", "2.审批结果"])


@pytest.fixture
def folder(tmp_path):
    out = tmp_path / "inputs" / Q / "目录"
    out.mkdir(parents=True)
    return out


def run(folder, ref, progress=None):
    return audit_catalogues(folder, ref, Q, progress, workers=1)


def put(folder, name, rows_merges, sheet="Sheet1"):
    (folder / name).write_bytes(workbook_bytes({sheet: rows_merges}))


def codes(result) -> list[tuple[str, str]]:
    return list(zip(result.issues["code"], result.issues["cell"], strict=True))


def progress(count: int) -> pd.DataFrame:
    return pd.DataFrame({"quarter": [Q], "unit_id": ["lingbao"], "domain_id": [18], "kind": ["catalogue"],
                         "status": ["published"], "item_count": pd.array([count], dtype="Int64"),
                         "source": ["灵宝市.xlsx!试点领域!D20"]})


# --- items spanning rows ---------------------------------------------------------------------
@pytest.mark.parametrize("merge", [True, False], ids=["merged", "left_blank"])
def test_item_spanning_rows_is_one_item(folder, ref, merge):
    put(folder, "灵宝市社会救助.xlsx", sheet_of([LOWBAO, TEKUN], merge=merge))
    r = run(folder, ref, progress(2))
    assert r.issues.empty
    assert r.items[["row", "last_row"]].values.tolist() == [[4, 6], [7, 8]]
    assert r.items["item_l2"].tolist() == ["最低生活保障", "特困人员救助供养"]
    assert r.items["content"].iloc[0] == "1.法律法规和政策文件\n2.办理流程\n3.救助标准"
    assert r.items["basis"].tolist() == [BASIS, BASIS] and r.items["complete"].all()
    row = r.audit[(r.audit["unit_id"] == "lingbao") & (r.audit["domain_id"] == 18)].iloc[0]
    assert (row["items"], row["complete_items"], bool(row["count_matches"])) == (2, 2, True)


def test_missing_basis_of_a_multi_row_item_is_one_issue_over_its_rows(folder, ref):
    lowbao = entry(1, ["社会救助", "最低生活保障"], ["1.政策文件", "2.办理流程", "3.救助标准"], basis=None)
    put(folder, "灵宝市社会救助.xlsx", sheet_of([lowbao, TEKUN]))
    r = run(folder, ref)
    assert codes(r) == [("catalogue-basis-missing", "F4:F6")]
    assert "最低生活保障" in r.issues["message"].iloc[0]


def test_ticks_of_a_multi_row_item_are_read_from_its_merged_cells(folder, ref):
    ticks = (None, "√", "√", "√", None, "√")
    lowbao = entry(1, ["社会救助", "最低生活保障"], ["1.政策文件", "2.办理流程"], ticks=ticks)
    put(folder, "灵宝市社会救助.xlsx", sheet_of([lowbao]))
    it = run(folder, ref).items.iloc[0]
    assert (it["audience"], it["method"], it["level"]) == ("特定群众", "主动、依申请", "乡级")


def test_continuation_rows_raise_no_duplicate(folder, ref):
    """Before: each continuation row was an item 「与第4行重复」."""
    put(folder, "灵宝市社会救助.xlsx", sheet_of([LOWBAO, TEKUN], merge=False))
    r = run(folder, ref)
    assert not r.items["duplicate"].any() and "catalogue-item-duplicate" not in set(r.issues["code"])


def test_real_duplicate_across_items_is_still_flagged(folder, ref):
    again = entry(3, ["社会救助", "最低生活保障"], ["1.政策文件"])
    put(folder, "灵宝市社会救助.xlsx", sheet_of([LOWBAO, TEKUN, again]))
    r = run(folder, ref)
    assert codes(r) == [("catalogue-item-duplicate", "B9:D9")]
    assert "第4行" in r.issues["message"].iloc[0]


def test_row_with_own_number_but_no_name_is_its_own_item(folder, ref):
    nameless = entry(2, [], ["审批结果"])
    put(folder, "灵宝市社会救助.xlsx", sheet_of([LOWBAO, nameless]))
    r = run(folder, ref)
    assert codes(r) == [("catalogue-name-missing", "B7:D7")]
    assert len(r.items) == 2


# --- header rows and group headings ----------------------------------------------------------
def test_header_printed_above_every_item_is_skipped(folder, ref):
    put(folder, "灵宝市社会救助.xlsx", sheet_of([LOWBAO, TEKUN], header_above_each=True))
    r = run(folder, ref)
    assert r.issues.empty
    assert r.items["item_l2"].tolist() == ["最低生活保障", "特困人员救助供养"]
    assert r.items["row"].tolist() == [4, 9]
    assert "公开事项" not in set(r.items["item_l1"]) and "公开依据" not in set(r.items["basis"])


def test_first_level_heading_row_names_the_items_below(folder, ref):
    heading = [[None, "社会救助"] + [None] * (len(HEAD) - 2)]
    lowbao = entry(1, [None, "最低生活保障"], ["1.政策文件"])
    tekun = entry(2, [None, "特困人员救助供养"], ["1.政策文件"])
    put(folder, "灵宝市社会救助.xlsx", sheet_of([heading, lowbao, tekun]))
    r = run(folder, ref)
    assert r.issues.empty
    assert r.items[["row", "item_l1", "item_l2"]].values.tolist() == \
        [[5, "社会救助", "最低生活保障"], [6, "社会救助", "特困人员救助供养"]]


def test_section_row_in_the_number_column_is_not_an_item(folder, ref):
    section = [["一、社会救助类"] + [None] * (len(HEAD) - 1)]
    put(folder, "灵宝市社会救助.xlsx", sheet_of([section, LOWBAO]))
    r = run(folder, ref)
    assert r.issues.empty and len(r.items) == 1


# --- three levels ----------------------------------------------------------------------------
def test_third_level_items_are_distinct(folder, ref):
    death = entry(1, ["户口登记", "注销登记", "死亡注销"], ["办理条件", "办理流程"])
    army = entry(2, [None, None, "服现役注销"], ["办理条件"])
    rows, merges = sheet_of([death, army], title="灵宝市户籍管理领域基层政务公开标准目录", merge=False)
    merges += ["A4:A5", "D4:D5", "B4:B6", "C4:C6"]  # 一级 and 二级 merged over both third-level items
    put(folder, "灵宝市户籍管理.xlsx", (rows, merges))
    r = run(folder, ref)
    assert r.issues.empty
    assert r.items[["item_l1", "item_l2", "item_l3"]].values.tolist() == \
        [["户口登记", "注销登记", "死亡注销"], ["户口登记", "注销登记", "服现役注销"]]
    assert r.items[["row", "last_row"]].values.tolist() == [[4, 5], [6, 6]]


def test_two_level_layout_still_reads(folder, ref):
    head, sub = two_level()
    lowbao = entry(1, ["社会救助", "最低生活保障"], ["1.政策文件", "2.办理流程"], levels=2)
    put(folder, "灵宝市社会救助.xlsx", sheet_of([lowbao], head=head, sub=sub))
    r = run(folder, ref)
    assert r.issues.empty and r.items[["item_l2", "item_l3"]].values.tolist() == [["最低生活保障", ""]]


# --- 同上 ------------------------------------------------------------------------------------
def test_same_as_above_takes_the_cell_above(folder, ref):
    tekun = entry(2, ["社会救助", "特困人员救助供养"], ["1.政策文件"], basis="同上", time="同上。",
                  channel=" 同上 ")
    put(folder, "灵宝市社会救助.xlsx", sheet_of([LOWBAO, tekun]))
    r = run(folder, ref)
    assert r.issues.empty
    assert r.items[["basis", "time_limit", "channel"]].values.tolist()[1] == [BASIS, "信息形成或者变更之日起20个工作日内",
                                                                              CHANNEL]


def test_same_as_above_on_the_first_item_is_judged_as_written(folder, ref):
    first = entry(1, ["社会救助", "最低生活保障"], ["1.政策文件"], basis="同上")
    put(folder, "灵宝市社会救助.xlsx", sheet_of([first]))
    assert codes(run(folder, ref)) == [("catalogue-basis-implausible", "F4")]


# --- tick glyphs -----------------------------------------------------------------------------
@pytest.mark.parametrize("glyph", ["■", "▄", "√", "✓", "☑", "✔"])
def test_tick_glyphs_tick(folder, ref, glyph):
    ticks = (glyph, None, glyph, None, glyph, None)
    put(folder, "灵宝市社会救助.xlsx", sheet_of([entry(1, ["社会救助", "低保"], ["政策"], ticks=ticks)]))
    r = run(folder, ref)
    assert r.issues.empty and r.items.iloc[0]["method"] == "主动"


@pytest.mark.parametrize("glyph", ["□", "口", "☐", "×"])
def test_box_glyphs_do_not_tick(folder, ref, glyph):
    ticks = ("√", None, glyph, glyph, "√", None)
    put(folder, "灵宝市社会救助.xlsx", sheet_of([entry(1, ["社会救助", "低保"], ["政策"], ticks=ticks)]))
    assert codes(run(folder, ref)) == [("catalogue-method-missing", "L4:M4")]


def test_channel_list_with_every_box_unticked_is_missing(folder, ref):
    listed = "□政府网站 □政务新媒体 □公开栏 □便民服务站"
    put(folder, "灵宝市社会救助.xlsx", sheet_of([entry(1, ["社会救助", "低保"], ["政策"], channel=listed)]))
    r = run(folder, ref)
    assert codes(r) == [("catalogue-channel-missing", "I4")]
    assert "一项也未勾选" in r.issues["message"].iloc[0]


@pytest.mark.parametrize("listed", ["■政府网站 □政务新媒体 □公开栏", "口政府网站 ▄公开栏", "☑政务新媒体、☐公开栏"])
def test_channel_list_with_a_ticked_box_passes(folder, ref, listed):
    put(folder, "灵宝市社会救助.xlsx", sheet_of([entry(1, ["社会救助", "低保"], ["政策"], channel=listed)]))
    assert run(folder, ref).issues.empty


def test_method_written_as_a_box_list(folder, ref):
    head = [h for h in HEAD[:12]] + ["公开方式"]
    sub = list(SUB[:11]) + [None, None]
    head[11] = "公开方式"
    rows, merges = sheet_of([entry(1, ["社会救助", "低保"], ["政策"], ticks=("√", None, "□主动 □依申请")),
                             entry(2, ["社会救助", "特困"], ["政策"], ticks=("√", None, "■主动 □依申请"))],
                            head=head[:12], sub=sub[:12])
    put(folder, "灵宝市社会救助.xlsx", (rows, merges))
    r = run(folder, ref)
    assert codes(r) == [("catalogue-method-missing", "L4")]


# --- wording rules (catalogue_rules.toml) ----------------------------------------------------
@pytest.mark.parametrize("text", ["半年至少更新1次", "永久公开", "每季度更新", "实时", "及时公开", "长期公开",
                                  "自收到申请之日起20个工作日内", "每年3月底前"])
def test_time_limits_of_the_national_guidelines_are_clear(text):
    assert load_rules().time_clear_enough(text)


@pytest.mark.parametrize("text", ["尽快", "按要求", "适时", "不定期", "无"])
def test_vague_time_limits(text):
    assert not load_rules().time_clear_enough(text)


@pytest.mark.parametrize("text", ["投资项目在线审批监管平台", "信用中国", "国家企业信用信息公示系统",
                                  "全国公共资源交易平台（河南省）", "中国政府采购网", "政务公开专栏"])
def test_official_platforms_are_channels(text):
    assert load_rules().channel_known(text)


@pytest.mark.parametrize("text", ["口头告知", "领导批示", "无"])
def test_unknown_channels(text):
    assert not load_rules().channel_known(text)


@pytest.mark.parametrize("text,verdict", [
    ("相关政策文件", "generic"), ("信息公开规定", "generic"), ("有关规定", "generic"),
    ("根据国家有关法律法规", "generic"), ("上级要求", "generic"),
    ("《社会救助暂行办法》", "specific"), ("社会救助暂行办法", "specific"), ("政府信息公开条例", "specific"),
    ("豫政办〔2019〕12号", "specific"), ("城乡规划法第四十条", "specific"),
    ("民政部关于进一步加强最低生活保障工作的通知", "specific"), ("依法", "none"), ("无", "none")])
def test_basis_rule_is_one_rule(text, verdict):
    assert load_rules().basis_verdict(text) == verdict


def test_generic_basis_is_one_warning_saying_why(folder, ref):
    a = entry(1, ["社会救助", "低保"], ["政策"], basis="相关政策文件")
    b = entry(2, ["社会救助", "特困"], ["政策"], basis="信息公开规定")
    put(folder, "灵宝市社会救助.xlsx", sheet_of([a, b]))
    r = run(folder, ref)
    assert codes(r) == [("catalogue-basis-implausible", "F4"), ("catalogue-basis-implausible", "F5")]
    assert all("泛称" in m for m in r.issues["message"])


def test_rules_file_from_the_reference_folder_is_validated(tmp_path):
    from pipeline.reference import ReferenceDataError

    (tmp_path / "catalogue_rules.toml").write_text("[ticks]\nticked = []\n", encoding="utf-8")
    with pytest.raises(ReferenceDataError, match="same_as_above"):
        load_rules(tmp_path)


def test_domain_questions_name_real_domains(ref):
    names = set(ref.domains["name"])
    for candidates in load_rules().domain_questions.values():
        assert set(candidates) <= names


# --- domain names used on real pages ---------------------------------------------------------
@pytest.mark.parametrize("text,domain", [("财政预算决算", 5), ("乡村振兴领域", 17), ("住房保障", 10),
                                         ("灵宝市自然资源和规划局城乡规划", 1)])
def test_domain_names_from_real_pages(ref, text, domain):
    assert domain_in_text(text, ref)[0] == domain


def test_ambiguous_domain_name_asks(folder, ref):
    put(folder, "灵宝市目录.xlsx", sheet_of([LOWBAO], title="灵宝市自然资源领域基层政务公开标准目录"))
    r = run(folder, ref)
    assert codes(r) == [("catalogue-domain-unknown", "A1")]
    assert "“自然资源”可能指城乡规划、征地补偿领域" in r.issues["message"].iloc[0]


# --- formats (issue #20, catalogue side) -----------------------------------------------------
def test_word_table_catalogue(folder, ref):
    rows, merges = sheet_of([LOWBAO, TEKUN], title=None)
    (folder / "灵宝市目录.docx").write_bytes(docx_bytes("灵宝市社会救助领域基层政务公开标准目录", rows, merges))
    r = run(folder, ref)
    assert r.issues.empty
    assert r.items[["sheet", "row", "last_row", "domain_id"]].values.tolist() == \
        [["表格1", 3, 5, 18], ["表格1", 6, 7, 18]]
    assert r.files[["kind", "state", "sheets", "items"]].values.tolist() == [["Word表格", "已审核", 1, 2]]


@pytest.mark.parametrize("inner", ["xlsx", "xls"])
def test_wps_et_file_read_by_its_bytes(folder, ref, inner):
    rows, _ = sheet_of([entry(1, ["社会救助", "低保"], ["政策"], time="尽快")], title=None, merge=False)
    data = workbook_bytes({"社会救助": (rows, [])}) if inner == "xlsx" else xls_bytes("社会救助", rows)
    if data is None:
        pytest.skip("xlwt not installed")
    (folder / "灵宝市目录.et").write_bytes(data)
    r = run(folder, ref)
    assert codes(r) == [("catalogue-time-limit-implausible", "G3")]
    assert r.files[["kind", "state"]].values.tolist() == [["WPS表格", "已审核"]]


def test_ods_catalogue(folder, ref):
    rows, _ = sheet_of([entry(1, ["社会救助", "低保"], ["政策"], basis=None)], title=None, merge=False)
    (folder / "灵宝市目录.ods").write_bytes(ods_bytes("社会救助", rows))
    r = run(folder, ref)
    assert codes(r) == [("catalogue-basis-missing", "F3")]


@pytest.mark.parametrize("name,data,kind", [
    ("灵宝市社会救助.pdf", b"%PDF-1.4\n%...", "PDF"),
    ("灵宝市社会救助.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 20, "图片"),
    ("灵宝市社会救助.jpg", b"\xff\xd8\xff\xe0" + b"\0" * 20, "图片"),
    ("灵宝市目录.rar", b"Rar!\x1a\x07\x00" + b"\0" * 20, "压缩包"),
])
def test_files_that_cannot_be_audited_are_listed(folder, ref, name, data, kind):
    (folder / name).write_bytes(data)
    put(folder, "灵宝市城乡规划.xlsx", sheet_of([LOWBAO], title="灵宝市城乡规划领域基层政务公开标准目录"))
    r = run(folder, ref)
    bad = r.issues[r.issues["file"] == name]
    assert bad["code"].tolist() == ["catalogue-not-auditable"] and bad["severity"].tolist() == ["error"]
    assert list(r.files.columns) == FILE_COLUMNS
    f = r.files.set_index("file")
    assert (f.loc[name, "kind"], f.loc[name, "state"]) == (kind, "未审核") and f.loc[name, "reason"]
    assert f.loc["灵宝市城乡规划.xlsx", "state"] == "已审核"


def test_every_file_is_in_the_ledger_and_workbook(folder, ref, tmp_path):
    from openpyxl import load_workbook

    put(folder, "灵宝市社会救助.xlsx", sheet_of([LOWBAO]))
    (folder / "说明.txt").write_text("目录说明", encoding="utf-8")
    put(folder, "灵宝市其他.xlsx", ([["事项", "说明"], ["规划", "略"]], []))
    r = run(folder, ref)
    f = r.files.set_index("file")
    assert list(f.index) == ["灵宝市其他.xlsx", "灵宝市社会救助.xlsx", "说明.txt"]
    assert f["state"].tolist() == ["未审核", "已审核", "无法读取"]
    assert "表头" in f.loc["灵宝市其他.xlsx", "reason"] and "文本" in f.loc["说明.txt", "reason"]
    path = write_catalogue_workbook(r, ref, tmp_path / "目录审核.xlsx")
    ws = load_workbook(path)["文件清单"]
    assert [c.value for c in ws[1]][:3] == ["文件", "格式", "审核情况"] and ws.max_row == 4


# --- the rules doc and the rules file agree --------------------------------------------------
def _doc_examples():
    import re
    from pathlib import Path

    doc = (Path(__file__).parents[1] / "docs" / "目录审核规则.md").read_text(encoding="utf-8")
    table = doc.split("<!-- rule-examples")[1].split("\n\n", 2)[1]
    out = []
    for line in table.splitlines()[2:]:
        cells = [c.strip() for c in line.strip("|").split("|")]
        for col, expected in ((3, True), (4, False)):
            out += [(cells[0], text, expected) for text in re.findall(r"「([^」]*)」", cells[col])]
    return out


def _passes(element: str, text: str) -> bool:
    from pipeline.catalogue.checks import method_valid

    rules = load_rules()
    boxes = rules.ticked_options(text)
    plain = "、".join(boxes) if boxes is not None else text
    return {"时限": lambda: rules.time_clear_enough(text),
            "渠道": lambda: rules.channel_known(text),
            "渠道（勾选式）": lambda: bool(boxes),
            "依据": lambda: rules.basis_verdict(text) == "specific",
            "公开方式": lambda: method_valid(plain),
            "公开对象": lambda: bool(plain)}[element]()


def test_doc_has_examples_for_every_rule():
    elements = {e for e, _, _ in _doc_examples()}
    assert elements == {"时限", "渠道", "渠道（勾选式）", "依据", "公开方式", "公开对象"}
    assert len(_doc_examples()) >= 40


@pytest.mark.parametrize("element,text,expected", _doc_examples())
def test_doc_example_judged_as_documented(element, text, expected):
    assert _passes(element, text) == expected


def test_doc_lists_the_domain_questions():
    from pathlib import Path

    doc = (Path(__file__).parents[1] / "docs" / "目录审核规则.md").read_text(encoding="utf-8")
    for name, candidates in load_rules().domain_questions.items():
        assert f"| {name} | {'、'.join(candidates)} |" in doc


def test_superseded_file_says_why_in_the_ledger(folder, ref):
    put(folder, "灵宝市社会救助_v1.xlsx", sheet_of([LOWBAO]))
    put(folder, "灵宝市社会救助_v2.xlsx", sheet_of([LOWBAO, TEKUN]))
    f = run(folder, ref).files.set_index("file")
    assert f["state"].tolist() == ["未审核", "已审核"] and f["items"].tolist() == [0, 2]
    assert "灵宝市社会救助_v2.xlsx" in f.loc["灵宝市社会救助_v1.xlsx", "reason"]


def test_cli_lists_files_it_could_not_audit(folder, ref):
    from click.testing import CliRunner

    from pipeline.cli import main

    put(folder, "灵宝市社会救助.xlsx", sheet_of([LOWBAO]))
    (folder / "灵宝市城乡规划.pdf").write_bytes(b"%PDF-1.7\n")
    res = CliRunner().invoke(main, ["catalogue", str(folder)])
    assert res.exit_code == 1, res.output
    assert "灵宝市城乡规划.pdf  这是PDF文件，无法逐项审核目录要素" in res.output


def test_column_number_row_under_the_header_is_skipped(folder, ref):
    numbers = [list(range(1, len(HEAD) + 1))]
    put(folder, "灵宝市社会救助.xlsx", sheet_of([numbers, LOWBAO]))
    r = run(folder, ref)
    assert r.issues.empty and r.items["row"].tolist() == [5]


# --- item counts are exact whatever the spans ------------------------------------------------


def _sheet_in_memory(name, rows, merges):
    """A Sheet as calamine gives it: merged ranges filled with their top-left value."""
    from openpyxl.utils import range_boundaries

    from pipeline.ingest.workbook import Sheet, _fill_merged

    width = max(len(r) for r in rows)
    grid = [list(r) + [None] * (width - len(r)) for r in rows]
    ranges = []
    for ref in merges:
        c0, r0, c1, r1 = range_boundaries(ref)
        for r in range(r0, r1 + 1):
            for c in range(c0, c1 + 1):
                if (r, c) != (r0, c0):
                    grid[r - 1][c - 1] = None
        ranges.append(((r0 - 1, c0 - 1), (r1 - 1, c1 - 1)))
    return Sheet(name, grid, _fill_merged(grid, ranges))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 4), st.booleans(), st.sampled_from([2, 3])), min_size=1, max_size=8),
       st.booleans())
def test_item_count_is_exact_for_any_spans(ref, spans, headers):
    """Items of 1–4 rows, merged or left blank, two or three name levels, optionally a header
    above each: one item per entry, spanning exactly its rows, never a duplicate."""
    from pipeline.catalogue.checks import check_items
    from pipeline.catalogue.reader import _read_sheet

    entries = []
    for n, (height, _, levels) in enumerate(spans, start=1):
        names = ["社会救助", f"事项{n}"] if levels == 2 else ["社会救助", "救助", f"事项{n}"]
        entries.append(entry(n, names, [f"{i}.内容{n}" for i in range(1, height + 1)]))
    # sheet_of merges all items or none; here each item is merged or left blank on its own
    rows, merges = sheet_of(entries, merge=False, header_above_each=headers)
    r0 = 4
    expected = []
    for height, merged, _ in spans:
        r0 += 2 if headers and expected else 0
        expected.append([r0, r0 + height - 1])
        if merged and height > 1:
            merges += [f"{c}{r0}:{c}{r0 + height - 1}" for c in "ABCDFGHIJKLMNO"]
        r0 += height
    found = _read_sheet(_sheet_in_memory("社会救助", rows, merges), ref)
    assert [[it["row"], it["last_row"]] for it in found["items"]] == expected
    raw = pd.DataFrame([{"quarter": Q, "unit_id": "lingbao", "domain_id": 18, "file": "f.xlsx",
                         "sheet": "社会救助", **it} for it in found["items"]])
    items, issues = check_items(raw)
    assert not items["duplicate"].any() and items["complete"].all() and not issues


@pytest.mark.parametrize("body,why", [(b"<w:document>not closed", "损坏"),
                                      (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "a">]><x/>', "DTD")])
def test_damaged_or_hostile_word_file_is_unreadable(folder, ref, body, why):
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", body)
    (folder / "灵宝市社会救助.docx").write_bytes(buf.getvalue())
    r = run(folder, ref)
    assert r.issues["code"].tolist() == ["catalogue-unreadable"] and why in r.issues["message"].iloc[0]
    assert r.files[["kind", "state"]].values.tolist() == [["Word表格", "无法读取"]]


def test_same_as_above_in_a_name_column(folder, ref):
    tekun = entry(2, ["同上", "特困人员救助供养"], ["1.政策文件"])
    put(folder, "灵宝市社会救助.xlsx", sheet_of([LOWBAO, tekun]))
    r = run(folder, ref)
    assert r.issues.empty and r.items["item_l1"].tolist() == ["社会救助", "社会救助"]


def test_zip_members_are_audited_as_if_they_lay_in_the_folder(folder, ref):
    """A county zips its catalogues (GBK member names, as WinRAR/360 write them, in a folder): each
    member is audited as `archive.zip!folder/member`, a damaged member listed with its reason."""
    from test_ingest_real_offices import zip_of

    good = workbook_bytes({"Sheet1": sheet_of([LOWBAO], title="灵宝市城乡规划领域基层政务公开标准目录")})
    (folder / "灵宝市目录.zip").write_bytes(zip_of({"灵宝市/灵宝市城乡规划.xlsx": good,
                                                "灵宝市/灵宝市社会救助.xlsx": b"PK\x03\x04 damaged"}, gbk=True))
    r = run(folder, ref)
    f = r.files.set_index("file")
    assert f.loc["灵宝市目录.zip!灵宝市/灵宝市城乡规划.xlsx", "state"] == "已审核"
    assert f.loc["灵宝市目录.zip!灵宝市/灵宝市社会救助.xlsx", "state"] == "无法读取"
    assert set(r.items["file"]) == {"灵宝市目录.zip!灵宝市/灵宝市城乡规划.xlsx"}
    assert r.items[["unit_id", "domain_id"]].drop_duplicates().values.tolist() == [["lingbao", 1]]
    bad = r.issues[r.issues["file"] == "灵宝市目录.zip!灵宝市/灵宝市社会救助.xlsx"]
    assert bad["code"].tolist() == ["catalogue-unreadable"]

