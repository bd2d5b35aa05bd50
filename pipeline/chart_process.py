"""Draw the charts in a forked process of its own, started before the quarter is computed.

The charts are the longest single output (matplotlib's import and font set-up ~0.3 s, the
drawing ~0.6 s), and the rest of the bulletin set does not need them until the .docx. So
`ChartProcess.start()` forks early: the child imports matplotlib and loads the chart font
while this process reads and scores, then draws the result it is sent while this process
writes the workbooks. (Two children forked here, each warming up, measured slower on two
vCPUs: the second warm-up took CPU from this process's reading. Once warm, the child forks a
sibling that draws half the charts instead: see `_drawn`.)

`begin(result)` hands the result over as soon as what the charts read of it is final (the
quarter scored: `stages.compute_quarter(on_scored=…)`), before the cross-quarter tables and the
summary: the child draws into a scratch folder of its own, and `draw` then only tells it the
folder to copy the charts into (the staging folder, which exists only once the quarter is
computed). Without it, `draw` sends the result and the child draws there and then.

The child never outlives the run: it exits after one result, on `close()`, when the pipe
closes, or when it notices its parent is gone (a killed run).
"""

from __future__ import annotations

import contextlib
import dataclasses
import multiprocessing as mp
import os
import pickle
import shutil
import tempfile
import threading
from pathlib import Path

from .errors import ZwgkError
from .outputs import atomic_path
from .processes import Forked, can_fork, die_with_parent
from .result import QuarterResult

_PARENT_CHECK = 0.25  # seconds between checks that the parent still lives, while idle


class ChartProcessError(ZwgkError):
    """The chart process died without an answer."""


def _next(conn, parent: int):
    """The parent's next message; None when it closed the pipe or is gone (a killed run)."""
    while not conn.poll(_PARENT_CHECK):
        if os.getppid() != parent:
            return None  # the run was killed: nobody will ask
    try:
        return conn.recv()
    except EOFError:
        return None


def _serve(conn, parent: int) -> None:
    """The child: warm up; then either ("draw", result, out_dir): draw, or ("begin", result):
    draw into a scratch folder of its own, then ("write", out_dir): copy them there. Sends
    (True, paths) or (False, exception)."""
    die_with_parent(parent)  # a killed run takes its chart process with it
    try:
        from .render.charts import warm_up

        warm_up()
    except BaseException as exc:  # noqa: BLE001 - reported when the parent asks for charts
        failure: BaseException | None = exc
    else:
        failure = None
    job = _next(conn, parent)
    if job is None:
        return
    if job[0] == "begin":  # drawn while the run finishes the quarter, copied when it asks
        with tempfile.TemporaryDirectory(prefix="zwgk-charts-") as scratch:
            reply = _attempt(failure, lambda: _drawn(job[1], Path(scratch)))
            job = _next(conn, parent)
            if job is None:
                return
            if reply[0]:
                drawn = reply[1]
                reply = _attempt(None, lambda: _copied(drawn, Path(job[1])))
    else:
        reply = _attempt(failure, lambda: _drawn(*job[1:]))
    try:
        conn.send(reply)
    except (BrokenPipeError, EOFError, OSError):
        pass
    except Exception:  # an exception that does not pickle: its type and text do
        conn.send((False, RuntimeError(f"{type(reply[1]).__name__}: {reply[1]}"[:500])))
    conn.close()


# Drawn by a second process forked from this one once it is warm (its imports and font
# loaded): these two take about as long as the other three.
SECOND_HALF = ("score_trend", "ranking_base")


def _drawn(result: QuarterResult, out_dir: Path) -> dict[str, Path]:
    """Every chart of `result` in out_dir, SECOND_HALF by a forked sibling while this process
    draws the rest (where it can fork); key → path in CHART_KEYS order. The sibling opens the
    font files anew (matplotlib's font cache and render.charts' own are cleared in a forked
    child: a shared file offset garbles glyphs). Should the sibling fail, its charts are drawn
    here."""
    from .render.charts import CHART_KEYS, SCALE_UNITS, render_charts

    # A province's charts are drawn per area, not per unit: quick next to the rest of its run, and
    # a second process there only adds memory (its own copy of the figures at 10,000 units).
    if not can_fork() or len(result.reference.units) > SCALE_UNITS:
        return render_charts(result, out_dir)
    sibling = Forked(lambda: render_charts(result, out_dir, only=SECOND_HALF), "zwgk-charts-2")
    try:
        drawn = render_charts(result, out_dir, only=[k for k in CHART_KEYS if k not in SECOND_HALF])
    except BaseException:
        with contextlib.suppress(BaseException):
            sibling.result()
        raise
    try:
        drawn |= sibling.result()
    except Exception:  # noqa: BLE001 - drawn here instead; a real drawing error is raised here
        drawn |= render_charts(result, out_dir, only=SECOND_HALF)
    return {key: drawn[key] for key in CHART_KEYS if key in drawn}


def _attempt(failure: BaseException | None, work) -> tuple:
    """(True, what `work()` returns) or (False, the exception), `failure` raised first."""
    try:
        if failure is not None:
            raise failure
        return True, work()
    except BaseException as exc:  # noqa: BLE001 - handed to the parent, which re-raises it
        return False, exc


def _copied(drawn: dict[str, Path], out_dir: Path) -> dict[str, Path]:
    """The charts drawn into the scratch folder, copied into out_dir (charts/)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {}
    for key, src in drawn.items():
        with atomic_path(out_dir / src.name) as tmp:
            shutil.copyfile(src, tmp)
        paths[key] = out_dir / src.name
    return paths


# What render.charts reads of a result: the rest (the returns' rows, issues, ledger — most of
# the bytes, ~20 MB at 1,000 units) is not sent to the child.
CHART_COLUMNS = {"reconciliation": ["unit_id", "task_id", "verdict"],
                 "domain_reconciliation": ["unit_id", "domain_id", "kind", "status"]}
CHART_EXTRA = ("history",)


def for_charts(result: QuarterResult) -> QuarterResult:
    """The result cut down to what the charts read (same charts, a fraction of the pickle)."""
    cut = {name: getattr(result, name)[cols] for name, cols in CHART_COLUMNS.items()}
    # the reference without the views cached on it (assignments, domain duties: half the
    # pickle at 10,000 units); the charts read its units
    cut["reference"] = dataclasses.replace(result.reference)
    empty = {name: getattr(result, name).iloc[:0] for name in ("ledger", "task_progress", "domain_progress",
                                                               "issues")}
    extra = {k: v for k, v in result.extra.items() if k in CHART_EXTRA}
    # nor the earlier quarters (read back whole or for their scores: the history has what the
    # trend chart draws of them)
    return dataclasses.replace(result, **cut, **empty, extra=extra, previous=None, superseded={})


class ChartProcess:
    """The chart process of one quarter; see the module docstring."""

    def __init__(self, proc, conn):
        self.proc, self._conn = proc, conn
        self._sender: threading.Thread | None = None
        self._begun = self._asked = False  # a result handed over early; the charts asked for

    @classmethod
    def start(cls) -> ChartProcess | None:
        """Fork the chart process; None where fork is unavailable or there is one CPU (the
        caller then draws in its own process)."""
        if not can_fork():
            return None
        ctx = mp.get_context("fork")
        mine, theirs = ctx.Pipe(duplex=True)
        proc = ctx.Process(target=_serve, args=(theirs, os.getpid()), daemon=True, name="zwgk-charts")
        proc.start()
        theirs.close()
        return cls(proc, mine)

    def begin(self, result: QuarterResult) -> None:
        """Hand over a result as soon as what the charts read of it is final (the scores, the
        verdicts and the history: `stages.compute_quarter(on_scored=…)`), so that they are
        drawn while the rest of the quarter is computed and written; `draw` then only says
        where they go. Returns at once, as `draw` does."""
        self._post(("begin", for_charts(result)))
        self._begun = True

    def draw(self, result: QuarterResult, out_dir: Path) -> None:
        """Hand the result over (what the charts read of it, pickled here) and return at once:
        the bytes go down the pipe from a thread, as the child may still be warming up and a
        pipe holds only 64 KB. After `begin`, only out_dir is sent: the charts are those of
        the result begun with."""
        self._post(("write", Path(out_dir)) if self._begun else ("draw", for_charts(result), Path(out_dir)))
        self._asked = True

    def _post(self, job: tuple) -> None:
        data = pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL)
        self._sender = threading.Thread(target=self._send, args=(data, self._sender), daemon=True)
        self._sender.start()

    def _send(self, data: bytes, before: threading.Thread | None) -> None:
        if before is not None:  # in order: a result begun is still being sent
            before.join()
        with contextlib.suppress(OSError):  # the child died: wait() reports it
            self._conn.send_bytes(data)

    def wait(self) -> dict[str, Path]:
        """The chart paths, once drawn; re-raises what went wrong in the child."""
        if self._sender is not None:
            self._sender.join()
        try:
            ok, value = self._conn.recv()
        except EOFError:
            self.proc.join()
            ok, value = False, ChartProcessError(
                f"绘制图表的进程意外退出（退出码 {self.proc.exitcode}），请重新运行")
        finally:
            self.close()
        if not ok:
            raise value
        return value

    def close(self) -> None:
        """Let the child go (idle, it exits at once; drawing, when done) and reap it."""
        if self._conn.closed:
            return
        if self._sender is not None:
            self._sender.join()
        if not self._asked:
            with contextlib.suppress(OSError):
                self._conn.send(None)
        self._conn.close()
        self.proc.join()
