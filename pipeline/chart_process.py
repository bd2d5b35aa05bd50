"""Draw the charts in forked processes of their own, started before the quarter is computed.

The charts are the longest single output (matplotlib's import and font set-up ~0.3 s, the
drawing ~0.6 s), and the rest of the bulletin set does not need them until the .docx. So
`ChartProcess.start()` forks early: each child imports matplotlib and loads the chart font
while this process reads and scores, then draws its share of the result it is sent while this
process writes the workbooks (SHARES says which child draws which charts).

A child never outlives the run: it exits after one result, on `close()`, when the pipe
closes, or when it notices its parent is gone (a killed run).
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import pickle
import threading
from pathlib import Path

from .errors import ZwgkError
from .names import CHART_KEYS
from .result import QuarterResult

_PARENT_CHECK = 0.25  # seconds between checks that the parent still lives, while idle
# The charts each child draws. One child: with two (verdict matrix and ranking_base in one,
# the rest in the other) the city quarter took longer on this two-vCPU machine — their
# warm-up and drawing took CPU from the main process's reading and workbooks, which are as
# much on the critical path as the charts.
SHARES = (CHART_KEYS,)


class ChartProcessError(ZwgkError):
    """A chart process died without an answer."""


def _serve(conn, parent: int, keys: tuple[str, ...]) -> None:
    """A child: warm up, wait for (result, out_dir), draw `keys`, send (True, paths) or
    (False, exception)."""
    try:
        from .render.charts import render_charts, warm_up

        warm_up()
    except BaseException as exc:  # noqa: BLE001 - reported when the parent asks for charts
        failure: BaseException | None = exc
    else:
        failure = None
    while not conn.poll(_PARENT_CHECK):
        if os.getppid() != parent:
            return  # the run was killed: nobody will ask
    try:
        job = conn.recv()
    except EOFError:
        return
    if job is None:
        return
    try:
        if failure is not None:
            raise failure
        reply = (True, render_charts(*job, keys=keys))
    except BaseException as exc:  # noqa: BLE001 - handed to the parent, which re-raises it
        reply = (False, exc)
    try:
        conn.send(reply)
    except (BrokenPipeError, EOFError, OSError):
        pass
    except Exception:  # an exception that does not pickle: its type and text do
        conn.send((False, RuntimeError(f"{type(reply[1]).__name__}: {reply[1]}"[:500])))
    conn.close()


class _Child:
    def __init__(self, ctx, keys: tuple[str, ...]):
        self.conn, theirs = ctx.Pipe(duplex=True)
        self.proc = ctx.Process(target=_serve, args=(theirs, os.getpid(), keys), daemon=True,
                                name="zwgk-charts")
        self.proc.start()
        theirs.close()
        self.sent = False


class ChartProcess:
    """The chart processes of one quarter; see the module docstring."""

    def __init__(self, children: list[_Child]):
        self._children = children
        self._sender: threading.Thread | None = None

    @classmethod
    def start(cls) -> ChartProcess | None:
        """Fork the chart processes; None where fork is unavailable or there is one CPU (the
        caller then draws in its own process)."""
        if "fork" not in mp.get_all_start_methods() or (os.cpu_count() or 1) < 2:
            return None
        ctx = mp.get_context("fork")
        return cls([_Child(ctx, keys) for keys in SHARES])

    @property
    def drawing(self) -> bool:
        """True once draw() has handed a result over."""
        return self._sender is not None or any(c.sent for c in self._children)

    def draw(self, result: QuarterResult, out_dir: Path) -> None:
        """Hand the result over (pickled once here, ~0.3 MB for the city) and return at once:
        the bytes go down the pipes from a thread, as a child may still be warming up and a
        pipe holds only 64 KB."""
        data = pickle.dumps((result, Path(out_dir)), protocol=pickle.HIGHEST_PROTOCOL)
        self._sender = threading.Thread(target=self._send, args=(data,), daemon=True)
        self._sender.start()
        for child in self._children:
            child.sent = True

    def _send(self, data: bytes) -> None:
        for child in self._children:
            with contextlib.suppress(OSError):  # a child died: wait() reports it
                child.conn.send_bytes(data)

    def _sent_all(self) -> None:
        if self._sender is not None:
            self._sender.join()
            self._sender = None

    def wait(self) -> dict[str, Path]:
        """The chart paths, once all are drawn; re-raises what went wrong in a child."""
        self._sent_all()
        paths: dict[str, Path] = {}
        error: BaseException | None = None
        try:
            for child in self._children:
                try:
                    ok, value = child.conn.recv()
                except EOFError:
                    child.proc.join()
                    ok, value = False, ChartProcessError(
                        f"绘制图表的进程意外退出（退出码 {child.proc.exitcode}），请重新运行")
                if ok:
                    paths.update(value)
                elif error is None:
                    error = value
        finally:
            self.close()
        if error is not None:
            raise error
        return {k: paths[k] for k in CHART_KEYS if k in paths}

    def close(self) -> None:
        """Let the children go (an idle child exits at once; a drawing one when done) and
        reap them."""
        self._sent_all()
        for child in self._children:
            if child.conn.closed:
                continue
            with contextlib.suppress(OSError):
                if not child.sent:
                    child.conn.send(None)
            child.conn.close()
        for child in self._children:
            child.proc.join()
