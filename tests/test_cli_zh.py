"""Click's own texts (usage, headings, errors) are Chinese too."""

from click.testing import CliRunner

from pipeline.cli import main


def test_help_is_chinese():
    res = CliRunner().invoke(main, ["--help"])
    assert res.exit_code == 0
    assert "用法：" in res.output and "选项" in res.output and "命令" in res.output
    assert "显示本帮助并退出" in res.output and "Show this message" not in res.output


def test_usage_errors_are_chinese_and_exit_2(tmp_path):
    res = CliRunner().invoke(main, ["run"])
    assert res.exit_code == 2 and "错误：缺少参数" in res.output and "QUARTER" in res.output
    res = CliRunner().invoke(main, ["check", str(tmp_path / "没有这个目录")])
    assert res.exit_code == 2 and "不存在" in res.output
    res = CliRunner().invoke(main, ["frob"])
    assert res.exit_code == 2 and "没有命令" in res.output
