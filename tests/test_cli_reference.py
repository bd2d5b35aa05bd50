"""CliRunner runs of the reference-data commands."""

import pytest
from click.testing import CliRunner

from pipeline.cli import main


def test_units_lists_28_in_three_groups():
    out = CliRunner().invoke(main, ["units"])
    assert out.exit_code == 0, out.output
    assert "共 28 个单位：基层政府8个，市直部门19个，市政府办公室1个" in out.output
    assert "三门峡经济开发区管理委员会" in out.output


def test_tasks_lists_15_with_parsed_deadlines():
    out = CliRunner().invoke(main, ["tasks"])
    assert out.exit_code == 0, out.output
    assert "共 15 项任务。" in out.output
    assert "2022-04-30" in out.output and "（无固定时限）" in out.output


def test_domains_lists_26_with_leads():
    out = CliRunner().invoke(main, ["domains"])
    assert out.exit_code == 0, out.output
    assert "共 26 个试点领域。" in out.output and "市卫生健康委" in out.output


def test_bad_reference_is_a_chinese_click_error(tmp_path):
    (tmp_path / "units.csv").write_text("unit_id\n", encoding="utf-8")
    out = CliRunner().invoke(main, ["units", "--reference", str(tmp_path)])
    assert out.exit_code == 1 and "缺少列" in out.output


def test_bad_quarter_is_a_usage_error(tmp_path):
    out = CliRunner().invoke(main, ["run", "2021Q9", "-w", str(tmp_path)])
    assert out.exit_code == 2 and "无法识别的季度" in out.output


def test_run_without_inputs_says_which_folder(tmp_path):
    out = CliRunner().invoke(main, ["run", "2021Q1", "-w", str(tmp_path)])
    assert out.exit_code == 2 and "找不到本季度报表目录" in out.output  # usage, as in `check`


def test_unknown_unit_far_from_any_name_points_to_the_directory(tmp_path):
    out = CliRunner().invoke(main, ["templates", "2021Q1", "--unit", "nonexist", "-w", str(tmp_path)])
    assert out.exit_code == 2
    assert "无法识别的单位「nonexist」，请用 zwgk units 查看单位名录" in out.output
    assert "是否为" not in out.output and "市生态环境局" not in out.output


def test_unknown_unit_close_to_a_name_is_suggested(tmp_path):
    out = CliRunner().invoke(main, ["templates", "2021Q1", "--unit", "灵宝县", "-w", str(tmp_path)])
    assert out.exit_code == 2 and "无法识别的单位「灵宝县」，是否为：灵宝市？" in out.output


@pytest.mark.parametrize(("typed", "hint"), [
    ("nonexist", "请用 zwgk units 查看单位名录"),  # shares "st" with the id sthj: no suggestion
    ("abc", "请用 zwgk units 查看单位名录"),       # shares "a", "c" with the id mianchi
    ("某某局", "请用 zwgk units 查看单位名录"),
    ("市教体局", "是否为：市教育局？"),
    ("卢式县", "是否为：卢氏县？"),                # one character mistyped
    ("lingbaox", "是否为：灵宝市？"),              # an id mistyped
])
def test_unit_hint_only_when_close_enough(ref, typed, hint):
    assert ref.unit_hint(typed) == hint
