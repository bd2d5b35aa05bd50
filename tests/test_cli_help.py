"""Every command's --help is Chinese: placeholders, headings and one punctuation style.

The walk covers every command registered on `zwgk` (commands added later are walked too).
"""

from __future__ import annotations

import re

import click
import pytest
from click.testing import CliRunner

from pipeline.cli import main

# Click's English words that must never reach a user (headings, placeholders, help lines).
CLICK_ENGLISH = re.compile(r"\b(Usage|Options|Commands|Arguments|OPTIONS|COMMAND|ARGS|TEXT|INTEGER|"
                           r"FLOAT|BOOLEAN|DIRECTORY|FILENAME|FILE|PATH|default|required|Show)\b")
# An English placeholder in a help text (QUARTER, TARGET …); file formats are not placeholders.
UPPER_WORD = re.compile(r"\b[A-Z][A-Z_]{3,}\b")
FORMATS = {"TOML", "XLSX", "DOCX", "JSON", "HTML"}
HALF_WIDTH_COLON = re.compile(r"[\u4e00-\u9fff）」”]:")  # a CJK word then an ASCII colon


def _commands(group: click.Group, path=()):
    for name, cmd in sorted(group.commands.items()):
        yield (*path, name)
        if isinstance(cmd, click.Group):
            yield from _commands(cmd, (*path, name))


def _help(args, width: int = 80) -> str:
    res = CliRunner().invoke(main, [*args, "--help"], prog_name="zwgk", terminal_width=width)
    assert res.exit_code == 0, res.output
    return res.output


def _problems(text: str) -> list[str]:
    out = [f"英文：{m.group()}" for m in CLICK_ENGLISH.finditer(text)]
    out += [f"英文占位符：{w}" for w in UPPER_WORD.findall(text) if w not in FORMATS]
    out += [f"半角冒号：{m.group()}" for m in HALF_WIDTH_COLON.finditer(text)]
    for line in text.splitlines():  # option and usage columns: flags, then Chinese only
        if line.startswith("用法："):
            rest = line.removeprefix("用法：").split()[1:]
            out += [f"用法行：{w}" for w in rest if re.search("[A-Za-z]", w) and w not in COMMANDS]
        elif re.match(r"\s+-", line):
            first = re.split(r"\s{2,}", line.strip())[0]
            words = [w for w in first.replace(",", " ").split() if not w.startswith("-")]
            out += [f"选项占位符：{w}" for w in words if re.search("[A-Za-z]", w)]
    return out


COMMANDS = {"zwgk", *main.commands}


@pytest.mark.parametrize("args", [(), *_commands(main)], ids=lambda a: " ".join(a) or "zwgk")
def test_help_is_chinese_with_one_colon_style(args):
    text = _help(args)
    assert text.startswith("用法：zwgk"), text
    assert "选项：" in text and "选项:" not in text and "命令:" not in text
    assert _problems(text) == [], text


@pytest.mark.parametrize("args", [(), *_commands(main)], ids=lambda a: " ".join(a) or "zwgk")
def test_help_fits_an_80_column_terminal(args):
    """Chinese takes two columns: click's wrapping is taught to measure so (and to break
    between Chinese characters), so no line runs past the window and wraps unindented."""
    from rich.cells import cell_len

    text = _help(args, width=80)
    assert max(cell_len(line) for line in text.splitlines()) <= 80, text


def test_the_walk_sees_every_command():
    walked = {a[0] for a in _commands(main)}
    assert {"units", "tasks", "domains", "run", "check", "catalogue", "templates", "demo"} <= walked


def test_a_command_added_later_gets_chinese_placeholders():
    """A new command inherits the conventions: nothing to do in the command itself."""

    @main.command("_试验")
    @click.argument("folder")
    @click.argument("extra", required=False)
    @click.option("--count", type=int, help="份数。")
    @click.option("--name", help="名称。")
    @click.option("--dry-run", is_flag=True, help="只列出。")
    def probe(folder, extra, count, name, dry_run):
        """试验命令。"""

    try:
        text = _help(["_试验"])
    finally:
        del main.commands["_试验"]
    assert "用法：zwgk _试验 [选项] 目录 [文本]" in text
    assert "--count 整数" in text and "--name 文本" in text and "--dry-run " in text
    assert _problems(text) == []


def test_help_columns_line_up_by_display_width():
    """The help of each option starts in the same terminal column although 目录 is 4 wide."""
    from rich.cells import cell_len

    text = _help(["run"])
    starts = set()
    for line in text.splitlines():
        if re.match(r"\s+-", line):
            first = re.match(r"(\s+\S.*?\S)\s{2,}\S", line)
            starts.add(cell_len(line[:first.end() - 1]))
    assert len(starts) == 1, text


def test_missing_argument_reads_as_chinese():
    res = CliRunner().invoke(main, ["run"])
    assert res.exit_code == 2 and "错误：缺少参数“季度”。" in res.output


def test_the_checks_catch_english_placeholders_and_half_width_colons():
    text = "用法：zwgk run [OPTIONS] QUARTER\n\n选项:\n  --as-of TEXT  核对基准日。\n"
    assert set(_problems(text)) == {"英文：OPTIONS", "英文：TEXT", "英文占位符：OPTIONS",
                                    "英文占位符：QUARTER", "英文占位符：TEXT", "半角冒号：项:", "用法行：[OPTIONS]",
                                    "用法行：QUARTER", "选项占位符：TEXT"}


REFERENCE_ONLY = {"units", "tasks", "domains"}  # read the reference data, no workspace


@pytest.mark.parametrize("name", sorted(set(main.commands) - REFERENCE_ONLY))
def test_every_command_on_a_workspace_takes_w(name):
    options = {opt for p in main.commands[name].params for opt in getattr(p, "opts", [])}
    assert {"-w", "--workspace"} <= options


def test_version():
    res = CliRunner().invoke(main, ["--version"], prog_name="zwgk")
    assert res.exit_code == 0 and res.output.startswith("zwgk ")
