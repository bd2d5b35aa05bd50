"""Chinese for click's own words (用法、选项、命令、错误 …), so that every line a user reads is Chinese.

Click marks its texts for gettext (`from gettext import gettext as _` in each module). A .mo
catalogue would only be used when the user's LANG asks for zh_CN, which an office PC's shell or
a CI runner rarely does, so we bind click's `_` to a lookup in the table below instead. Texts
not in the table stay as click wrote them. Installed only while the CLI runs (`chinese()`),
never on import; the one help text click takes at decoration time (the version option's) is
given in Chinese where the option is declared.

`localize(group)` gives every command of the group, whenever and however it was added, Chinese
placeholders (`[选项]`, `季度`, `目录`, `文本` …: from the parameter's name, else its type) and
full-width colons after 用法/选项/命令; the CLI calls it before each run.
"""

from __future__ import annotations

import contextlib
import re
import unicodedata

import click
import click._compat
import click._textwrap
import click.core
import click.decorators
import click.exceptions
import click.formatting
import click.parser
import click.types

ZH = {
    "Usage:": "用法：",
    "Options": "选项",
    "Commands": "命令",
    "Positional arguments": "参数",
    "Show this message and exit.": "显示本帮助并退出。",
    "Show the version and exit.": "显示版本号并退出。",
    "Error: {message}": "错误：{message}",
    "Try '{command} {option}' for help.": "运行“{command} {option}”查看用法。",
    "Missing argument": "缺少参数",
    "Missing option": "缺少选项",
    "Missing parameter": "缺少参数",
    "Missing parameter: {param_name}": "缺少参数：{param_name}",
    "Missing command.": "缺少命令。",
    "No such option {name!r}.": "没有选项 {name!r}。",
    "No such command {name!r}.": "没有命令 {name!r}。",
    "Invalid value: {message}": "取值无效：{message}",
    "Invalid value for {param_hint}: {message}": "{param_hint} 取值无效：{message}",
    "Option {name!r} does not take a value.": "选项 {name!r} 不带取值。",
    "Option {name!r} requires an argument.": "选项 {name!r} 需要一个取值。",
    "{value!r} is not a valid {number_type}.": "{value!r} 不是有效的{number_type}。",
    "integer": "整数",
    "{name} {filename!r} does not exist.": "{name} {filename!r} 不存在。",
    "{name} {filename!r} is a file.": "{name} {filename!r} 是文件，应为目录。",
    "{name} {filename!r} is a directory.": "{name} {filename!r} 是目录，应为文件。",
    "{name} {filename!r} is not readable.": "{name} {filename!r} 无法读取。",
    "{name} {filename!r} is not writable.": "{name} {filename!r} 无法写入。",
    "file": "文件",
    "directory": "目录",
    "path": "路径",
    "default: {default}": "默认：{default}",
    "required": "必填",
    "(deprecated)": "（已弃用）",
    "env var: {var}": "环境变量：{var}",
    "Aborted!": "已中止。",
}
_PLURAL = {
    "Got unexpected extra argument ({args})": "多余的参数（{args}）",
    "Got unexpected extra arguments ({args})": "多余的参数（{args}）",
}


def gettext_zh(message: str) -> str:
    return ZH.get(message, message)


def ngettext_zh(singular: str, plural: str, n: int) -> str:
    text = singular if n == 1 else plural
    return _PLURAL.get(text, text)


_MODULES = (click.core, click.decorators, click.exceptions, click.formatting, click.parser, click.types)


def display_width(text: str) -> int:
    """Terminal columns of `text`: a Chinese character takes two. Click's help layout counts
    characters, so a Chinese placeholder (目录) would push the help column out of line; rich
    measures the same way but is not imported for `--help` (it must stay fast)."""
    plain = click._compat.strip_ansi(text)
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in plain)


_CLOSING = set("，。、；：？！）」』”’》〉】,.;:?!)")  # never start a line
_OPENING = set("（「『“‘《〈【(")  # never end a line


class Wrapper(click._textwrap.TextWrapper):
    """Click's help wrapper, able to break between Chinese characters (which have no spaces
    between them), never before a closing or after an opening punctuation mark. Widths are
    measured by `display_width` (click's wrapper measures through `term_len`, patched)."""

    def _split(self, text: str) -> list[str]:
        out: list[str] = []
        for chunk in super()._split(text):
            for piece in re.findall(r"[^\x00-\x7f]|[\x00-\x7f]+", chunk):
                glue = out and (piece[0] in _CLOSING or out[-1][-1] in _OPENING) and out[-1].strip()
                if glue and piece.strip():
                    out[-1] += piece
                else:
                    out.append(piece)
        return out


_click_missing = click.exceptions.MissingParameter.format_message


def _missing_message(self) -> str:
    """Click ends "Missing argument 'X'." with an English full stop: 缺少参数“季度”。"""
    return re.sub(r"^(\S+) '([^']+)'\.", r"\1“\2”。", _click_missing(self))


@contextlib.contextmanager
def chinese():
    """Click speaks Chinese inside the block (the CLI's run), as it did before outside it."""
    saved = [(m, m._, getattr(m, "ngettext", None)) for m in _MODULES]
    saved_len = click.formatting.term_len
    saved_wrapper = click._textwrap.TextWrapper
    saved_missing = click.exceptions.MissingParameter.format_message
    click.formatting.term_len = click._textwrap.term_len = display_width
    click._textwrap.TextWrapper = Wrapper
    click.exceptions.MissingParameter.format_message = _missing_message
    for module in _MODULES:
        module._ = gettext_zh
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext_zh
    try:
        yield
    finally:
        click.formatting.term_len = click._textwrap.term_len = saved_len
        click._textwrap.TextWrapper = saved_wrapper
        click.exceptions.MissingParameter.format_message = saved_missing
        for module, gettext, ngettext in saved:
            module._ = gettext
            if ngettext is not None:
                module.ngettext = ngettext


# Placeholders: by parameter name first (what the value is), else by click type (its kind).
METAVAR_BY_NAME = {
    "quarter": "季度", "quarter_text": "季度", "target": "目标", "folder": "目录",
    "workspace": "目录", "reference_dir": "目录", "out_dir": "目录", "out": "目录",
    "as_of": "日期", "date": "日期", "unit": "单位", "unit_names": "单位", "units": "单位",
    "file": "文件", "files": "文件", "path": "路径", "doc_number": "文号", "seed": "整数",
}
METAVAR_BY_TYPE = {
    "text": "文本", "integer": "整数", "float": "数值", "boolean": "是否", "directory": "目录",
    "file": "文件", "filename": "文件", "path": "路径", "integer range": "整数",
    "float range": "数值", "datetime": "日期", "uuid": "编号",
}


class Formatter(click.HelpFormatter):
    """Headings and the usage line with a full-width colon (用法：… 选项： 命令：)."""

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{heading}：\n")

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, "用法：" if prefix is None else prefix)


class Context(click.Context):
    formatter_class = Formatter


def metavar(param: click.Parameter) -> str | None:
    """The Chinese placeholder of `param`, or None to keep click's (choices, flags)."""
    if isinstance(param.type, click.Choice | click.types.BoolParamType) or getattr(param, "is_flag", False):
        return None
    names = [(param.metavar or "").lower(), param.name or ""]
    text = next((METAVAR_BY_NAME[n] for n in names if n in METAVAR_BY_NAME), None)
    text = text or METAVAR_BY_TYPE.get(param.type.name.lower())
    if text is None:
        return None
    if isinstance(param, click.Argument) and not param.required:
        text = f"[{text}]"
    return text + ("..." if param.nargs != 1 else "")


def localize(command: click.Command) -> None:
    """Chinese placeholders and headings for `command` and, for a group, every subcommand."""
    if command.options_metavar == "[OPTIONS]":
        command.options_metavar = "[选项]"
    if command.context_class is click.Context:
        command.context_class = Context
    for param in command.params:
        if param.metavar is None or re.fullmatch(r"[A-Z_]+", param.metavar):  # none, or English
            param.metavar = metavar(param) or param.metavar
    if isinstance(command, click.Group):
        command.subcommand_metavar = command.subcommand_metavar.replace("COMMAND", "命令").replace(
            "ARGS", "参数")
        for sub in command.commands.values():
            localize(sub)
