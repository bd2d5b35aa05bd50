"""Terminal output: tables aligned by display width (a Chinese character takes two columns),
progress bars only on a terminal, run summaries in Chinese."""

from __future__ import annotations

import io
import sys
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
from click.testing import CliRunner
from rich.cells import cell_len

from pipeline.cli import _print_run_summary, main
from pipeline.dates import parse_quarter
from pipeline.terminal import print_table, progress

SEPARATORS = "│┼"


def _columns_of(line: str) -> list[int]:
    """Display columns at which the column separators of a table line stand."""
    return [cell_len(line[:i]) for i, ch in enumerate(line) if ch in SEPARATORS]


def _assert_aligned(text: str, columns: int) -> None:
    lines = [ln for ln in text.splitlines() if any(s in ln for s in SEPARATORS)]
    assert len(lines) > 2, text
    positions = {tuple(_columns_of(ln)) for ln in lines}
    assert len(positions) == 1, text  # every row, the heading and its rule: the same columns
    assert len(positions.pop()) == columns - 1


@pytest.mark.parametrize(("command", "columns", "wide"), [
    ("units", 6, "三门峡市城乡一体化示范区管理委员会"),
    ("tasks", 6, "市政府办公室、灵宝市"),
    ("domains", 4, "市自然资源和规划局"),
])
def test_reference_tables_line_up_by_display_width(command, columns, wide):
    out = CliRunner().invoke(main, [command])
    assert out.exit_code == 0, out.output
    assert wide in out.output
    _assert_aligned(out.output, columns)


def test_a_narrow_terminal_wraps_cells_and_keeps_the_columns(ref):
    """In an 80-column buffer long task texts wrap inside their cell; no line is wider."""
    buf = io.StringIO()
    frame = ref.tasks.assign(deadline=ref.tasks["deadline"].astype(str))
    print_table(frame, {"task_id": "编号", "deadline_text": "时间进度", "text": "工作任务"},
                file=buf, width=80)
    text = buf.getvalue()
    assert max(cell_len(ln) for ln in text.splitlines()) <= 80
    _assert_aligned(text, 3)
    assert len(text.splitlines()) > len(ref.tasks) + 2  # some texts took two lines


def test_missing_values_print_blank():
    buf = io.StringIO()
    print_table(pd.DataFrame({"a": ["甲", None], "b": [1.0, float("nan")]}), {"a": "甲列", "b": "乙列"},
                file=buf)
    assert "nan" not in buf.getvalue() and "None" not in buf.getvalue()


def test_tasks_show_chinese_applicability_not_codes():
    out = CliRunner().invoke(main, ["tasks"]).output
    assert "base|dept" not in out and "office|lingbao" not in out and "lead" not in out
    assert "基层政府、市直部门" in out and "牵头部门" in out


class _Tty(io.StringIO):
    def isatty(self):
        return True


def test_progress_draws_on_a_terminal_and_stays_silent_otherwise(monkeypatch):
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    with progress("读取报表", 3) as on_file:
        for name in "abc":
            on_file(name)
    assert sys.stderr.getvalue() == ""

    monkeypatch.setenv("TERM", "xterm")
    monkeypatch.setattr(sys, "stderr", _Tty())
    with progress("读取报表", 3, after="生成通报") as on_file:
        for name in "abc":
            on_file(name)
    drawn = sys.stderr.getvalue()
    assert "3/3" in drawn and "生成通报" in drawn


def test_run_summary_names_outputs_in_chinese(capsys):
    result = SimpleNamespace(
        quarter=parse_quarter("2021Q1"),
        scores=pd.DataFrame({"total": [90.0, 80.0], "commended": [True, False],
                             "criticised": [False, True]}),
        ledger=pd.DataFrame({"state": ["accepted", "rejected"]}),
        issues=pd.DataFrame({"severity": ["error"]}))
    out_dir = Path("outputs/2021Q1")
    paths = {"data": out_dir / "data", "bulletin": out_dir / "通报_2021Q1.docx",
             "workbook": out_dir / "通报_2021Q1.xlsx", "charts": out_dir / "charts",
             "feedback": out_dir / "反馈", "summary": out_dir / "汇总.xlsx"}
    _print_run_summary(result, paths)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("2021年第一季度：收到文件 2 个，接收 1 个")
    assert [ln.split("：")[0].strip() for ln in lines[1:]] == [
        "通报", "排名工作簿", "图表", "反馈表", "数据表", "汇总.xlsx"]
    assert not any(word in "\n".join(lines) for word in ("data:", "workbook:", "bulletin:"))


def test_cells_are_shown_as_typed_not_as_markup():
    buf = io.StringIO()
    typed = "[/b]湖滨区[bold]（更正）.xlsx"
    print_table(pd.DataFrame({"file": [typed]}), {"file": "文件"}, file=buf)
    assert typed in buf.getvalue()
