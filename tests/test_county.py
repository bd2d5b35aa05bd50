"""One level down: a county workspace made by `init`, its roll-up, and the city reading it."""

from __future__ import annotations

import datetime as dt
import io
import shutil

import pandas as pd
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from pipeline import names as N
from pipeline import stages
from pipeline.cli import main
from pipeline.county import init_county, write_summary
from pipeline.county.init import InitError
from pipeline.county.rollup import summary_workbook, township_figures
from pipeline.dates import parse_quarter
from pipeline.demo import Plan, _fill_info
from pipeline.reference import ReferenceDataError, load_reference
from pipeline.render.township import township_annex_rows, township_paragraph
from pipeline.run import run_quarter
from pipeline.schemas import TABLE_COLUMNS
from pipeline.scoring import rank_in_groups
from pipeline.templates import build_template, template_filename, workbook_bytes
from pipeline.workspace import Workspace

Q = parse_quarter("2021Q1")  # as of 2021-03-20: township tasks 1 (2020-11-30) and 3 (2020-12-31) due
FILLED = dt.date(2021, 3, 15)
STAMP = dt.datetime(2021, 3, 1, 9)


# ---- init and validation -------------------------------------------------------------------

def test_init_makes_a_county_reference_that_passes_its_own_validation(tmp_path, ref):
    county = init_county("灵宝", tmp_path / "lb", townships=15, city=ref)
    again = load_reference(tmp_path / "lb" / "reference")  # as every command loads it
    assert again.level == county.level == "county"
    assert again.settings.reporting.root_unit_id == "lingbao"
    units = again.units
    assert list(units["unit_id"][:3]) == ["t01", "t02", "t03"] and len(units) == 15
    assert list(units["short_name"][:2]) == ["XX镇01", "XX镇02"]
    assert set(units["parent_id"]) == {"lingbao"} and set(units["group"]) == {"base"}
    assert set(units["level"]) == {"township"}
    assert again.settings.bulletin.issuer == "灵宝市人民政府办公室"
    assert again.settings.bulletin.recipients == "各乡镇人民政府、街道办事处，灵宝市人民政府各部门："
    assert again.lead_units == frozenset() and len(again.domains) == 26
    # Township tasks: catalogue (1), 公开专区 (4), 村(居)务公开清单 (5), the quarterly return (6).
    texts = again.tasks.set_index("task_id")["text"]
    assert "乡级政务公开事项目录" in texts[1] and "政务公开专区" in texts[4]
    assert "村（居）" in texts[5] and "报送本季度" in texts[6]
    assert again.catalogue_deadline("t01") == pd.Timestamp("2020-11-30")
    assert (tmp_path / "lb" / "inputs").is_dir() and (tmp_path / "lb" / "outputs").is_dir()


def test_init_never_overwrites_an_edited_reference(tmp_path, ref):
    init_county("灵宝市", tmp_path, townships=2, city=ref)
    units = tmp_path / "reference" / "units.csv"
    units.write_text(units.read_text(encoding="utf-8").replace("XX镇01", "城关镇"), encoding="utf-8")
    with pytest.raises(InitError, match="已存在且不为空"):
        init_county("灵宝市", tmp_path, townships=2, city=ref)
    assert "城关镇" in units.read_text(encoding="utf-8")


def test_init_refuses_a_department(tmp_path, ref):
    with pytest.raises(InitError, match="「市财政局」不是已登记的县"):
        init_county("市财政局", tmp_path, city=ref)
    assert not (tmp_path / "reference").exists()


def test_county_township_with_another_parent_is_named_by_row(tmp_path, ref):
    init_county("灵宝市", tmp_path, townships=3, city=ref)
    units = tmp_path / "reference" / "units.csv"
    units.write_text(units.read_text(encoding="utf-8").replace("t02,2,base,XX镇02,XX镇02人民政府,lingbao",
                                                               "t02,2,base,XX镇02,XX镇02人民政府,t01"),
                     encoding="utf-8")
    with pytest.raises(ReferenceDataError, match=r"units.csv 第3行：乡镇（街道）的上级单位应为本县「lingbao」"):
        load_reference(tmp_path / "reference")


def test_unknown_level_is_a_settings_error(tmp_path, ref):
    init_county("灵宝市", tmp_path, townships=1, city=ref)
    path = tmp_path / "reference" / "settings.toml"
    path.write_text(path.read_text(encoding="utf-8").replace('level = "county"', 'level = "province"'),
                    encoding="utf-8")
    with pytest.raises(ReferenceDataError, match=r"\[reporting\] level 应为 city/county"):
        load_reference(tmp_path / "reference")


def test_shipped_reference_is_city_level(ref):
    assert ref.level == "city"
    assert set(ref.units.loc[ref.units["group"] == "base", "level"]) == {"county"}
    assert set(ref.units.loc[ref.units["group"] != "base", "level"]) == {"city"}


def test_workspace_finds_its_own_reference(tmp_path, ref):
    assert Workspace(tmp_path).reference_dir is None
    init_county("灵宝市", tmp_path, townships=2, city=ref)
    assert Workspace(tmp_path).reference_dir == tmp_path / "reference"


def test_cli_init_then_units_in_the_workspace(tmp_path, monkeypatch):
    runner = CliRunner()
    made = runner.invoke(main, ["init", "--county", "灵宝市", "--townships", "4", str(tmp_path / "lb")])
    assert made.exit_code == 0, made.output
    assert "乡镇（街道）4 个" in made.output
    monkeypatch.chdir(tmp_path / "lb")
    listed = runner.invoke(main, ["units"])
    assert listed.exit_code == 0, listed.output
    assert "XX镇04" in listed.output and "共 4 个单位：基层政府4个" in listed.output
    again = runner.invoke(main, ["init", "--county", "灵宝市", "."])
    assert again.exit_code == 2 and "已存在且不为空" in again.output  # usage (§6)


def test_ranking_stays_within_level_and_group():
    frame = pd.DataFrame({"group": ["base", "base", "base", "dept"],
                          "level": ["county", "county", "township", "city"],
                          "total": [90.0, 95.0, 99.0, 50.0]})
    assert list(rank_in_groups(frame)) == [2, 1, 1, 1]


# ---- the round trip: township returns → county run → summary → city run ---------------------

def _township_return(county, uid: str, task_status: dict, published: int):
    """A township's filled return: `task_status` {task: (status code, completed_on)}, the first
    `published` domains 已编制并公开 and the rest 编制中."""
    tasks = [{"unit_id": uid, "task_id": t, "status": s, "completed_on": pd.Timestamp(d) if d else pd.NaT,
              "note": "进展说明", "evidence": "", "problems": ""} for t, (s, d) in task_status.items()]
    domains = [{"unit_id": uid, "domain_id": d, "status": "published" if d <= published else "compiling",
                "item_count": 10 if d <= published else pd.NA, "url": "", "completed_on":
                pd.Timestamp("2020-11-01") if d <= published else pd.NaT, "note": ""} for d in range(1, 27)]
    wb = build_template(county, uid, Q, (pd.DataFrame(tasks), pd.DataFrame(domains)), generated_at=STAMP)
    plan = Plan(uid, county.unit_name(uid), "base")
    plan.people = ("张伟", "0398-8812345", "李娜")
    _fill_info(wb, plan, FILLED)
    return workbook_bytes(wb, STAMP)


ONGOING = {6: ("ongoing", None), 7: ("ongoing", None)}


@pytest.fixture(scope="module")
def county_run(tmp_path_factory):
    """A county of three townships: t01 task 1 on time, task 3 late, 5 catalogues published;
    t02 task 1 still in progress (overdue), task 3 on time, none published; t03 sends nothing."""
    root = tmp_path_factory.mktemp("county")
    city = load_reference()
    county = init_county("灵宝市", root, townships=3, city=city)
    folder = root / "inputs" / str(Q)
    folder.mkdir(parents=True)
    returns = {
        "t01": ({1: ("done", "2020-11-20"), 3: ("done", "2021-01-10"), 4: ("in_progress", None),
                 5: ("not_started", None), 8: ("in_progress", None)} | ONGOING, 5),
        "t02": ({1: ("in_progress", None), 3: ("done", "2020-12-01"), 4: ("not_started", None),
                 5: ("not_started", None), 8: ("not_started", None)} | ONGOING, 0),
    }
    for uid, (tasks, published) in returns.items():
        (folder / template_filename(county, uid, Q)).write_bytes(_township_return(county, uid, tasks, published))
    result, paths = run_quarter(Workspace(root), Q, county)
    return root, city, county, result, paths


def test_county_run_writes_the_summary_return(county_run):
    root, _, _, _, paths = county_run
    assert paths["summary"] == root / "outputs" / "2021Q1" / "上报" / "灵宝市_汇总_2021Q1.xlsx"
    wb = load_workbook(paths["summary"])
    assert N.SHEET_ROLLUP in wb.sheetnames and N.SHEET_TASKS in wb.sheetnames
    sheet = wb[N.SHEET_ROLLUP]
    figures = {sheet.cell(r, 1).value: sheet.cell(r, 2).value for r in range(3, 3 + len(N.ROLLUP_LABELS))}
    assert figures == {"县（市、区）": "灵宝市", "所属季度": "2021Q1", "乡镇（街道）数": 3, "已报送": 2,
                       "按时报送": 2, "应完成任务（项次）": 6, "已完成任务（项次）": 3,
                       "乡级标准目录应编制（乡镇×领域）": 78, "乡级标准目录已编制并公开": 5}
    assert (root / "outputs" / "2021Q1" / "通报_2021Q1.docx").is_file()  # the county's own 通报


def test_township_figures_by_hand(county_run):
    _, _, _, result, _ = county_run
    figures = township_figures(result)
    assert figures[["unit_id", "reported", "on_time", "tasks_due", "tasks_done", "catalogue_due",
                    "catalogue_done"]].values.tolist() == [
        ["t01", True, True, 2, 2, 26, 5], ["t02", True, True, 2, 1, 26, 0], ["t03", False, False, 2, 0, 26, 0]]
    assert set(result.scores["level"]) == {"township"} and set(result.scores["parent_id"]) == {"lingbao"}


def _city_quarter(tmp_path, files: dict[str, bytes]):
    folder = tmp_path / "inputs" / str(Q)
    folder.mkdir(parents=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return stages.compute_quarter(Workspace(tmp_path), Q, load_reference(), cache=False)


def test_city_reads_the_summary_into_township_summary(county_run, tmp_path):
    _, _, _, _, paths = county_run
    result = _city_quarter(tmp_path, {paths["summary"].name: paths["summary"].read_bytes()})
    table = result.extra["township_summary"]
    assert list(table.columns) == TABLE_COLUMNS["township_summary"]
    row = table.iloc[0].to_dict()
    assert len(table) == 1
    assert {k: row[k] for k in ["unit_id", "short_name", "parent_id", "level", "townships", "reporting",
                                "on_time", "tasks_due", "tasks_done", "catalogue_due", "catalogue_done",
                                "county_quarter", "file"]} == {
        "unit_id": "lingbao", "short_name": "灵宝市", "parent_id": "smx", "level": "county", "townships": 3,
        "reporting": 2, "on_time": 2, "tasks_due": 6, "tasks_done": 3, "catalogue_due": 78,
        "catalogue_done": 5, "county_quarter": "2021Q1", "file": "灵宝市_汇总_2021Q1.xlsx"}
    assert row["completion_rate"] == pytest.approx(0.5) and row["catalogue_rate"] == pytest.approx(5 / 78)
    # The summary is the county's return too: accepted as 灵宝市's, not rejected or unknown.
    led = result.ledger.set_index("file").loc["灵宝市_汇总_2021Q1.xlsx"]
    assert (led["unit_id"], led["state"]) == ("lingbao", "accepted")
    assert "rollup-bad" not in set(result.issues["code"])


def test_only_a_county_directly_under_the_city_is_read_for_a_summary(county_run, tmp_path):
    """A unit listed under a county (a township in a province-wide registry) is not asked for a
    乡镇汇总 sheet; its return still counts as its own."""
    import dataclasses

    from pipeline.county.summary import township_summary

    _, _, _, _, paths = county_run
    result = _city_quarter(tmp_path, {paths["summary"].name: paths["summary"].read_bytes()})
    city = result.reference
    assert len(township_summary(tmp_path / "inputs" / str(Q), result.ledger, city, Q)[0]) == 1
    units = city.units.assign(parent_id=city.units["parent_id"].mask(city.units["unit_id"] == "lingbao", "lushi"))
    below = dataclasses.replace(city, units=units)
    table, issues = township_summary(tmp_path / "inputs" / str(Q), result.ledger, below, Q)
    assert len(table) == 0 and len(issues) == 0
    blank = dataclasses.replace(city, units=city.units.assign(
        parent_id=city.units["parent_id"].mask(city.units["unit_id"] == "lingbao", "")))
    assert len(township_summary(tmp_path / "inputs" / str(Q), result.ledger, blank, Q)[0]) == 1  # blank: under the city


def _ordinary(city, uid="lingbao") -> bytes:
    wb = build_template(city, uid, Q, generated_at=STAMP)
    return workbook_bytes(wb, STAMP)


def test_city_quarter_without_summaries_has_an_empty_table(tmp_path, ref):
    result = _city_quarter(tmp_path, {"灵宝市_2021Q1.xlsx": _ordinary(ref), "卢氏县_2021Q1.xlsx": _ordinary(ref, "lushi")})
    table = result.extra["township_summary"]
    assert list(table.columns) == TABLE_COLUMNS["township_summary"] and len(table) == 0
    assert "rollup-bad" not in set(result.issues["code"])
    assert township_paragraph(table, ref) == "" and township_annex_rows(table) == []


def test_summary_with_a_text_count_is_a_warning_naming_the_cell(county_run, tmp_path, ref):
    _, _, _, result, _ = county_run
    wb = summary_workbook(result, ref, generated_at=STAMP)
    wb[N.SHEET_ROLLUP]["B7"] = "十四"  # 按时报送
    city = _city_quarter(tmp_path, {"灵宝市_汇总_2021Q1.xlsx": workbook_bytes(wb, STAMP)})
    assert len(city.extra["township_summary"]) == 0
    bad = city.issues[city.issues["code"] == "rollup-bad"]
    assert bad[["file", "sheet", "cell", "severity", "unit_id"]].values.tolist() == [
        ["灵宝市_汇总_2021Q1.xlsx", "乡镇汇总", "B7", "warning", "lingbao"]]
    assert "“按时报送”应为非负整数，实际为“十四”" in bad["message"].iloc[0]


def test_summary_with_done_above_due_is_a_warning(county_run, tmp_path, ref):
    _, _, _, result, _ = county_run
    wb = summary_workbook(result, ref, generated_at=STAMP)
    wb[N.SHEET_ROLLUP]["B9"] = 9  # 已完成任务 9 > 应完成 6
    city = _city_quarter(tmp_path, {"灵宝市_汇总_2021Q1.xlsx": workbook_bytes(wb, STAMP)})
    bad = city.issues[city.issues["code"] == "rollup-bad"]
    assert bad["cell"].tolist() == ["B9"]
    assert "“已完成任务（项次）”（9）大于“应完成任务（项次）”（6）" in bad["message"].iloc[0]


def test_a_summary_built_on_a_filled_return_keeps_its_answers(county_run, tmp_path, ref):
    """The demo's way: 灵宝市's own filled return gains the 乡镇汇总 sheet."""
    _, _, _, result, _ = county_run
    base = load_workbook(io.BytesIO(_ordinary(ref)))
    wb = summary_workbook(result, ref, base=base)
    assert wb.sheetnames.index(N.SHEET_ROLLUP) == wb.sheetnames.index(N.SHEET_DOMAINS) + 1


def test_write_summary_of_a_county_the_city_does_not_list(county_run, tmp_path):
    """A county set up by hand with an id the city lacks still gets its 乡镇汇总 sheet."""
    root, _, county, result, _ = county_run
    other = tmp_path / "ref"
    shutil.copytree(root / "reference", other)
    path = other / "settings.toml"
    path.write_text(path.read_text(encoding="utf-8").replace('"lingbao"', '"xx"'), encoding="utf-8")
    units = other / "units.csv"
    units.write_text(units.read_text(encoding="utf-8").replace(",lingbao,", ",xx,"), encoding="utf-8")
    import dataclasses
    moved = dataclasses.replace(result, reference=load_reference(other))
    out = write_summary(moved, tmp_path / "上报")
    assert out.name == "xx_汇总_2021Q1.xlsx"
    assert load_workbook(out).sheetnames == [N.SHEET_ROLLUP]


# ---- the texts for the 通报 and workbook ----------------------------------------------------

def _summary_frame():
    return pd.DataFrame([{"quarter": "2021Q1", "unit_id": "lingbao", "short_name": "灵宝市", "parent_id": "smx",
                          "level": "county", "townships": 15, "reporting": 14, "on_time": 13, "tasks_due": 30,
                          "tasks_done": 24, "catalogue_due": 390, "catalogue_done": 341,
                          "completion_rate": 0.8, "catalogue_rate": 341 / 390, "county_quarter": "2021Q1",
                          "file": "灵宝市_汇总_2021Q1.xlsx"}], columns=TABLE_COLUMNS["township_summary"])


def test_township_paragraph(ref):
    assert township_paragraph(_summary_frame(), ref) == (
        "乡镇（街道）工作进展方面，灵宝市15个乡镇（街道）中14个报送工作进展、13个按时报送，应完成任务30项次、"
        "已完成24项次（完成率80.0%），乡级标准目录已编制并公开341个（覆盖率87.4%）。"
        "其余7个基层政府未报送乡镇汇总。")


def test_township_annex_rows():
    assert township_annex_rows(_summary_frame()) == [
        ["县（市、区）", "乡镇（街道）数", "已报送", "按时报送", "应完成任务", "已完成任务", "任务完成率",
         "乡级目录应编制", "已编制并公开", "目录覆盖率"],
        ["灵宝市", 15, 14, 13, 30, 24, "80.0%", 390, 341, "87.4%"]]


# ---- the demo's county ---------------------------------------------------------------------

def test_demo_county_story_and_summary_sent_to_the_city(tmp_path, ref):
    """灵宝市's demo workspace: 西阎乡 misses 2021Q1, 寺河乡 is late in 2021Q2; the summary
    replaces 灵宝市's own return in the city's inputs and the receipt log follows."""
    from pipeline.demo_county import send_summary, write_county_demo

    root, quarters = write_county_demo(tmp_path, seed=2020)
    assert root == tmp_path / "灵宝市" and [str(q) for q in quarters] == ["2021Q1", "2021Q2"]
    county = load_reference(root / "reference")
    assert list(county.units["short_name"][:2]) == ["城关镇", "尹庄镇"] and len(county.units) == 15
    q1, q2 = stages.compute_quarters(Workspace(root), quarters, county, cache=False)
    f1, f2 = township_figures(q1), township_figures(q2)
    assert (f1["reported"].sum(), f1["on_time"].sum()) == (14, 14)
    assert not f1.set_index("short_name").at["西阎乡", "reported"]
    assert (f2["reported"].sum(), f2["on_time"].sum()) == (15, 14)
    assert not f2.set_index("short_name").at["寺河乡", "on_time"]
    assert f2["catalogue_done"].sum() >= f1["catalogue_done"].sum()

    city_in = tmp_path / "inputs" / "2021Q1"
    city_in.mkdir(parents=True)
    (city_in / "灵宝市_2021Q1.xlsx").write_bytes(_ordinary(ref))
    (city_in / N.RECEIPT_LOG).write_bytes("文件,收文日期\n灵宝市_2021Q1.xlsx,2021-03-18\n".encode("utf-8-sig"))
    sent = send_summary(q1, tmp_path, ref)
    assert sent == city_in / "灵宝市_汇总_2021Q1.xlsx"
    assert sorted(p.name for p in city_in.iterdir()) == ["收文登记.csv", "灵宝市_汇总_2021Q1.xlsx"]
    assert "灵宝市_汇总_2021Q1.xlsx,2021-03-18" in (city_in / N.RECEIPT_LOG).read_text(encoding="utf-8-sig")
    assert send_summary(q2, tmp_path, ref) is None  # no city return of 灵宝市 that quarter


def test_ranking_workbook_shows_the_township_summary(county_run, tmp_path):
    from pipeline.render.workbook import render_ranking_workbook

    _, _, _, _, paths = county_run
    result = _city_quarter(tmp_path, {paths["summary"].name: paths["summary"].read_bytes()})
    out = render_ranking_workbook(result, tmp_path / "通报.xlsx", charts=False)
    ws = load_workbook(out)["乡镇汇总"]
    header = [c.value for c in ws[1]]
    assert header[:10] == ["季度", "单位代码", "单位", "上级单位", "层级", "乡镇（街道）数", "已报送乡镇",
                           "按时报送", "应完成任务", "已完成任务"]
    row = [c.value for c in ws[2]]
    assert row[2:10] == ["灵宝市", "smx", "县级", 3, 2, 2, 6, 3]


def test_ranking_workbook_without_summaries_has_no_township_sheet(tmp_path, ref):
    from pipeline.render.workbook import render_ranking_workbook

    result = _city_quarter(tmp_path, {"灵宝市_2021Q1.xlsx": _ordinary(ref)})
    out = render_ranking_workbook(result, tmp_path / "通报.xlsx", charts=False)
    assert "乡镇汇总" not in load_workbook(out).sheetnames


def test_notebook_api_uses_the_county_reference(county_run):
    import pipeline

    root, *_ = county_run
    result = pipeline.compute_quarter(root, "2021Q1")
    assert result.reference.folder == root / "reference"
    assert set(result.scores["unit_id"]) == {"t01", "t02", "t03"}


def test_city_bulletin_has_the_township_paragraph_and_annex(county_run, tmp_path):
    import docx

    from pipeline.render.bulletin_docx import render_bulletin_docx

    _, _, _, _, paths = county_run
    result = _city_quarter(tmp_path, {paths["summary"].name: paths["summary"].read_bytes()})
    document = docx.Document(render_bulletin_docx(result, tmp_path / "通报.docx", date="2021-03-25"))
    text = "\n".join(p.text for p in document.paragraphs)
    assert ("乡镇（街道）工作进展方面，灵宝市3个乡镇（街道）中2个报送工作进展、2个按时报送，"
            "应完成任务6项次、已完成3项次（完成率50.0%）") in text
    assert "各县（市、区）乡镇（街道）工作进展汇总" in text
    annex = next(t for t in document.tables if t.rows[0].cells[0].text == "县（市、区）")
    assert [c.text for c in annex.rows[1].cells][:7] == ["灵宝市", "3", "2", "2", "6", "3", "50.0%"]


def test_city_bulletin_without_summaries_has_no_township_text(tmp_path, ref):
    import docx

    from pipeline.render.bulletin_docx import render_bulletin_docx

    result = _city_quarter(tmp_path, {"灵宝市_2021Q1.xlsx": _ordinary(ref)})
    document = docx.Document(render_bulletin_docx(result, tmp_path / "通报.docx", date="2021-03-25"))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "乡镇（街道）工作进展" not in text
    assert not any(t.rows[0].cells[0].text == "县（市、区）" for t in document.tables)


def test_the_county_bulletin_speaks_of_townships_not_the_city(county_run, tmp_path):
    import docx

    from pipeline.render.bulletin_docx import render_bulletin_docx

    _, _, _, result, _ = county_run
    document = docx.Document(render_bulletin_docx(result, tmp_path / "通报.docx", date="2021-03-25"))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "对各乡镇人民政府、街道办事处和县直有关部门2021年第一季度" in text
    assert "乡镇（街道）应编制试点领域标准目录" in text and "个牵头部门应出台" not in text
    assert "基层政府" not in text and "市直" not in text


def test_the_county_workbook_and_charts_name_its_groups(county_run, tmp_path):
    from pipeline.names import group_labels
    from pipeline.render.charts import areas
    from pipeline.render.workbook import render_ranking_workbook

    _, _, _, result, _ = county_run
    ws = load_workbook(render_ranking_workbook(result, tmp_path / "通报.xlsx", charts=False))["排名"]
    values = {c.value for row in ws.iter_rows() for c in row}
    assert "乡镇（街道）" in values and "基层政府" not in values
    assert set(areas(result, result.scores["unit_id"])) == {"乡镇（街道）"}
    assert group_labels("city")["base"] == "基层政府" and group_labels("county")["dept"] == "县直部门"
