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
    assert res.exit_code == 2 and "错误：缺少参数“季度”" in res.output
    res = CliRunner().invoke(main, ["check", str(tmp_path / "没有这个目录")])
    assert res.exit_code == 2 and "不存在" in res.output
    res = CliRunner().invoke(main, ["frob"])
    assert res.exit_code == 2 and "没有命令" in res.output


def test_library_errors_meant_for_the_user_are_click_errors(monkeypatch, tmp_path):
    """An UnsafeEnvironment (XML defences off) is a Chinese error line, not a traceback."""
    from pipeline import safety

    def refuse(*_a, **_k):
        raise safety.UnsafeEnvironment("openpyxl 未启用 defusedxml。")

    (tmp_path / "inputs" / "2021Q1").mkdir(parents=True)
    monkeypatch.setattr("pipeline.ingest.intake.verify_xml_defences", refuse, raising=False)
    res = CliRunner().invoke(main, ["run", "2021Q1", "--workspace", str(tmp_path)])
    assert res.exit_code == 2 and "错误：openpyxl 未启用 defusedxml" in res.output
    assert "Traceback" not in res.output


def test_click_is_left_as_it_was_after_a_run():
    """A notebook or another click program in the same process keeps click's own behaviour."""
    import click._textwrap
    import click.formatting

    before = (click.formatting.term_len, click._textwrap.TextWrapper, click.core._,
              click.exceptions.MissingParameter.format_message)
    CliRunner().invoke(main, ["run", "--help"])
    after = (click.formatting.term_len, click._textwrap.TextWrapper, click.core._,
             click.exceptions.MissingParameter.format_message)
    assert after == before
