"""Terminal output of the CLI: tables aligned for Chinese text, and progress bars.

rich measures every character by its display width (a Chinese character takes two columns),
draws the tables and the bars. Imported only inside commands (rich is not needed for `--help`).
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator

import pandas as pd
from rich import box
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

# Tables printed to a file or pipe are drawn at their natural width (no wrapping in cells, so
# every row stays one line for grep); in a terminal rich wraps cells to the window.
PIPE_WIDTH = 10_000
SHORT_COLUMN = 14  # display columns: 2020年11月底, 2020-05-31, 市人力资源社会保障局 (wraps)


def table(frame: pd.DataFrame, columns: dict[str, str]) -> Table:
    """A rich Table of `frame`'s `columns` (column → Chinese heading), cells as text."""
    out = Table(box=box.MINIMAL, show_edge=False, header_style="bold", pad_edge=False)
    cells = {col: [Text("" if _missing(v) else str(v)) for v in frame[col]] for col in columns}
    for col, heading in columns.items():
        right = pd.api.types.is_numeric_dtype(frame[col]) and not pd.api.types.is_bool_dtype(frame[col])
        # In a narrow window the long columns wrap (folding: Chinese has no spaces to wrap at);
        # short ones (codes, dates, names) stay whole.
        short = max((t.cell_len for t in [Text(heading), *cells[col]]), default=0) <= SHORT_COLUMN
        out.add_column(heading, justify="right" if right else "left", overflow="fold",
                       no_wrap=short)
    # Text, not str: a cell is shown as typed, never read as rich markup ("[/b]" in a file name)
    for row in zip(*cells.values(), strict=True):
        out.add_row(*row)
    return out


def _missing(value) -> bool:
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


def print_table(frame: pd.DataFrame, columns: dict[str, str], file=None, width: int | None = None
                ) -> None:
    """Print `frame`'s `columns` under their Chinese headings to `file` (default stdout)."""
    file = file or sys.stdout
    if width is None and not _is_terminal(file):
        width = PIPE_WIDTH
    console = Console(file=file, width=width, highlight=False, soft_wrap=False)
    console.print(table(frame, columns))


def _is_terminal(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class Steps:
    """The callable a `progress` block yields: one call, one step (`on_file(name)`)."""

    def __init__(self, bar: Progress, total: int | None, after: str):
        self._bar, self._total, self._after = bar, total, after
        self._task = bar.add_task("", total=total)

    def __call__(self, _name: str = "") -> None:
        self._bar.advance(self._task)
        if self._after and self._total is not None and self._bar.tasks[0].completed >= self._total:
            self.describe(self._after)

    def describe(self, text: str) -> None:
        """Say what is being done now (the label before the bar)."""
        self._bar.update(self._task, description=text)


@contextlib.contextmanager
def progress(label: str, total: int | None, after: str = "") -> Iterator[Steps]:
    """A progress bar on stderr while the block runs; yields `Steps`: call it once per step
    (it is an `on_file(name)` callback).

    Nothing is drawn when stderr is not a terminal (a pipe, a log, a test). When the count
    reaches `total`, the label becomes `after` (the work that follows the reading, e.g. writing
    the 通报), so the bar never sits full and silent. The bar is removed at the end."""
    console = Console(stderr=True)
    bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                   TimeElapsedColumn(), console=console, transient=True,
                   disable=not console.is_terminal)
    steps = Steps(bar, total, after)
    steps.describe(label)
    with bar:
        yield steps
