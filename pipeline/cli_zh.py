"""Chinese for click's own words (用法、选项、命令、错误 …), so that every line a user reads is Chinese.

Click marks its texts for gettext (`from gettext import gettext as _` in each module). A .mo
catalogue would only be used when the user's LANG asks for zh_CN, which an office PC's shell or
a CI runner rarely does, so we bind click's `_` to a lookup in the table below instead. Texts
not in the table stay as click wrote them. Installed only while the CLI runs (`chinese()`),
never on import; the one help text click takes at decoration time (the version option's) is
given in Chinese where the option is declared.
"""

from __future__ import annotations

import contextlib

import click
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


@contextlib.contextmanager
def chinese():
    """Click speaks Chinese inside the block (the CLI's run), as it did before outside it."""
    saved = [(m, m._, getattr(m, "ngettext", None)) for m in _MODULES]
    for module in _MODULES:
        module._ = gettext_zh
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext_zh
    try:
        yield
    finally:
        for module, gettext, ngettext in saved:
            module._ = gettext
            if ngettext is not None:
                module.ngettext = ngettext
