"""Catalogue audit as the office sees it: demo catalogues, the 通报 paragraph, the 目录质量
sheet, the 目录审核.xlsx workbook and the `zwgk catalogue` command."""

from __future__ import annotations

import hashlib

import pandas as pd
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from pipeline.catalogue import (
    AUDIT_COLUMNS,
    audit_catalogues,
    catalogue_paragraph,
    catalogue_sheet,
    write_catalogue_workbook,
    write_demo_catalogues,
)
from pipeline.catalogue.audit import empty_audit
from pipeline.cli import main

Q = "2021Q1"


@pytest.fixture(scope="module")
def demo(tmp_path_factory, ref):
    ws = tmp_path_factory.mktemp("ws")
    written = write_demo_catalogues(ws / "inputs" / Q, ref, Q, seed=7)
    return ws, written, audit_catalogues(ws / "inputs" / Q / "目录", ref, Q)


def test_demo_catalogues_have_the_intended_faults(demo):
    _, written, result = demo
    found = set(zip(result.issues["unit_id"], result.issues["code"], strict=True))
    assert {("hubin", "catalogue-basis-missing"), ("hubin", "catalogue-time-limit-implausible"),
            ("hubin", "catalogue-method-missing"), ("hubin", "catalogue-item-duplicate"),
            ("hubin", "catalogue-domain-empty")} <= found
    sent = result.audit[result.audit["sent"]]
    assert (sent["unit_id"] == "lingbao").sum() == 26
    assert set(sent["unit_id"]) == {"lingbao", "hubin", "shanzhou"}
    counts = sent.set_index(["unit_id", "domain_id"])["items"]
    assert counts.to_dict() == written.set_index(["unit_id", "domain_id"])["items"].to_dict()
    lingbao = sent[sent["unit_id"] == "lingbao"]
    assert lingbao["complete_items"].sum() / lingbao["items"].sum() > 0.95


def test_demo_catalogues_are_deterministic(tmp_path, ref):
    def digest(folder):
        return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}

    write_demo_catalogues(tmp_path / "a", ref, Q, seed=1)
    write_demo_catalogues(tmp_path / "b", ref, Q, seed=1)
    assert digest(tmp_path / "a" / "目录") == digest(tmp_path / "b" / "目录")


def test_paragraph(demo, ref):
    _, _, result = demo
    text = catalogue_paragraph(result.audit, ref, result.items)
    total = int(result.audit["items"].sum())
    assert text.startswith("本季度共有3个基层政府（共8个）报送了标准目录")
    assert f"公开事项{total}条" in text and "湖滨区" in text and "另有1个领域目录为空表" in text
    assert "\n" not in text


def test_paragraph_with_mismatch_and_without_catalogues(demo, ref):
    _, _, result = demo
    audit = result.audit.copy()
    mask = (audit["unit_id"] == "lingbao") & (audit["domain_id"] == 1)
    audit.loc[mask, "count_matches"] = False
    assert "灵宝市有1个领域目录的事项数与季度报表填报的事项数量不一致" in catalogue_paragraph(audit, ref)
    assert catalogue_paragraph(empty_audit(), ref) == "本季度未收到基层政府报送的政务公开事项标准目录。"
    assert list(empty_audit().columns) == AUDIT_COLUMNS


def test_sheet_for_the_ranking_workbook(demo, ref):
    _, _, result = demo
    sheet = catalogue_sheet(result.audit, ref)
    assert list(sheet.columns) == ["单位", "报送领域数", "事项数", "要素齐全事项数", "要素齐全率",
                                   "与报表事项数不一致的领域", "要素齐全率最低的领域"]
    assert sheet["单位"].tolist() == ["湖滨区", "陕州区", "灵宝市"]  # reference order
    assert sheet.set_index("单位").loc["灵宝市", "报送领域数"] == 26
    assert catalogue_sheet(empty_audit(), ref).empty


def test_workbook(demo, ref, tmp_path):
    _, _, result = demo
    path = write_catalogue_workbook(result, ref, tmp_path / "out" / "目录审核.xlsx")
    wb = load_workbook(path)
    assert wb.sheetnames == ["汇总", "领域明细", "事项明细", "问题清单", "文件清单"]
    assert wb["文件清单"].max_row == len(result.files) + 1 and len(result.files) == 7
    issues = wb["问题清单"]
    assert issues.max_row == len(result.issues) + 1
    assert [c.value for c in issues[1]][:3] == ["单位", "位置", "严重程度"]
    assert not list((tmp_path / "out").glob(".*tmp"))


def test_workbook_never_writes_formulas(ref, tmp_path):
    from pipeline.catalogue import CatalogueAudit
    from pipeline.catalogue.checks import empty_items
    from pipeline.issues import Issue, issues_frame

    issues = issues_frame([Issue(code="catalogue-basis-implausible", message="=HYPERLINK(\"http://x\")",
                                 file="=cmd.xlsx", unit_id="lingbao", quarter=Q)])
    path = write_catalogue_workbook(CatalogueAudit(empty_items(), empty_audit(), issues), ref,
                                    tmp_path / "x.xlsx")
    ws = load_workbook(path)["问题清单"]
    assert ws["F2"].value == "=HYPERLINK(\"http://x\")" and ws["F2"].data_type == "s"


# --- CLI -----------------------------------------------------------------------------------
def test_cli_on_demo_catalogues(tmp_path, ref):
    write_demo_catalogues(tmp_path / "inputs" / Q, ref, Q)
    res = CliRunner().invoke(main, ["catalogue", str(tmp_path / "inputs" / Q / "目录")])
    assert res.exit_code == 1, res.output
    assert "2021年第一季度标准目录审核" in res.output
    assert "湖滨区城乡规划领域标准目录.xlsx!Sheet1!E6" in res.output
    assert "本季度共有3个基层政府" in res.output
    assert (tmp_path / "outputs" / Q / "目录审核.xlsx").is_file()


def test_cli_clean_catalogue_exits_zero(tmp_path, ref):
    folder = tmp_path / "inputs" / "2021-Q2"
    write_demo_catalogues(folder, ref, "2021Q2")
    for p in (folder / "目录").iterdir():
        if not p.name.startswith("陕州区"):
            p.unlink()
    res = CliRunner().invoke(main, ["catalogue", str(folder)])  # the quarter folder works too
    assert res.exit_code == 0, res.output
    assert "陕州区" in res.output and "错误 0 条" in res.output
    assert (tmp_path / "outputs" / "2021Q2" / "目录审核.xlsx").is_file()


def test_cli_quarter_option_and_usage_error(tmp_path, ref, monkeypatch):
    folder = tmp_path / "cats"
    folder.mkdir()
    res = CliRunner().invoke(main, ["catalogue", str(folder)])
    assert res.exit_code == 2 and "--quarter" in res.output
    monkeypatch.chdir(tmp_path)  # outside inputs/<Q>/目录 the workspace is the current directory
    res = CliRunner().invoke(main, ["catalogue", str(folder), "--quarter", "2021年第一季度"])
    assert res.exit_code == 0, res.output
    assert "未收到" in res.output
    assert (tmp_path / "outputs" / Q / "目录审核.xlsx").is_file()


def test_cli_cross_checks_the_returns(tmp_path, ref, monkeypatch):
    """With returns beside 目录/, their 事项数量 are compared with the catalogues."""
    import pipeline.stages as stages

    write_demo_catalogues(tmp_path / "inputs" / Q, ref, Q)
    (tmp_path / "inputs" / Q / "灵宝市.xlsx").write_bytes(b"placeholder")
    progress = pd.DataFrame({"quarter": [Q], "unit_id": ["lingbao"], "domain_id": [1], "kind": ["catalogue"],
                             "status": ["published"], "item_count": pd.array([9], dtype="Int64"),
                             "source": ["灵宝市.xlsx!试点领域!D5"]})

    class FakeReconciled:
        domain_progress = progress

    monkeypatch.setattr(stages, "intake", lambda folder, reference, quarter: None)
    monkeypatch.setattr(stages, "reconcile", lambda intake, reference, quarter: FakeReconciled())
    res = CliRunner().invoke(main, ["catalogue", str(tmp_path / "inputs" / Q / "目录")])
    assert "不一致" in res.output and "灵宝市.xlsx!试点领域!D5" in res.output


def test_cli_with_a_real_return(tmp_path, ref):
    from fixtures_returns import standard_return, write_xlsx

    folder = tmp_path / "inputs" / Q
    write_demo_catalogues(folder, ref, Q)
    counts = {1: {"事项数量": 4, "目录编制状态": "已编制并公开"}, 2: {"事项数量": 9, "目录编制状态": "已编制并公开"}}
    write_xlsx(folder / "灵宝市.xlsx", standard_return(ref, "lingbao", quarter="2021年第一季度",
                                                     filled="2021-03-15", domains=counts))
    res = CliRunner().invoke(main, ["catalogue", str(folder / "目录")])
    assert "征地补偿领域目录有3条事项，而季度报表（灵宝市.xlsx!试点领域第3行）填报的事项数量为9" in res.output
    assert "城乡规划领域目录有4条事项" not in res.output
