"""Processes the run forks (readers, the chart process, the check set's and the second feedback
writer) end with it; `Forked` runs one function in a forked child and hands back its answer."""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing as mp
import os
import signal
import sys
import threading
import time
from collections.abc import Callable

from .errors import ZwgkError

_PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int) -> None:
    """Make this (forked) process end when `parent` does, so a killed run leaves no workers.

    On Linux the kernel sends SIGKILL at the parent's death (prctl PR_SET_PDEATHSIG); elsewhere
    a daemon thread watches the parent. A parent already gone before the request took effect
    is caught by the getppid check that follows it."""
    armed = False
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            armed = ctypes.CDLL(None, use_errno=True).prctl(
                _PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
    if os.getppid() != parent:
        os._exit(0)
    if not armed:
        def watch():
            while os.getppid() == parent:
                time.sleep(0.5)
            os._exit(0)

        threading.Thread(target=watch, daemon=True, name="zwgk-parent-watch").start()


def can_fork() -> bool:
    """Fork is available and there is a second CPU for the child to use."""
    return (os.cpu_count() or 1) >= 2 and "fork" in mp.get_all_start_methods()


class ForkedError(ZwgkError):
    """A forked child ended without an answer (killed, out of memory)."""


def _answer(conn, fn: Callable[[], object], parent: int, name: str) -> None:
    die_with_parent(parent)  # a killed run takes it along
    try:
        reply = (True, fn())
    except BaseException as exc:  # noqa: BLE001 - handed to the parent, which re-raises it
        reply = (False, exc)
    try:
        conn.send(reply)
    except Exception:  # an answer that does not pickle: its type and text do
        text = f"{type(reply[1]).__name__}: {reply[1]}" if not reply[0] else f"{name} 的结果无法传回"
        conn.send((False, RuntimeError(text[:500])))
    conn.close()


class Forked:
    """`fn()` in a forked child, which inherits this process's objects (nothing is pickled on the
    way in; the answer is). `result()` waits and returns the value or re-raises the exception."""

    def __init__(self, fn: Callable[[], object], name: str):
        ctx = mp.get_context("fork")
        self._conn, theirs = ctx.Pipe(duplex=False)
        # not a daemon: the child may fork in turn (the check set's child splits the feedback);
        # it is always waited for, and dies with this process (die_with_parent)
        self.proc = ctx.Process(target=_answer, args=(theirs, fn, os.getpid(), name), name=name)
        self.proc.start()
        theirs.close()

    def result(self) -> object:
        try:
            ok, value = self._conn.recv()
        except EOFError:
            ok, value = False, None
        finally:
            self._conn.close()
            self.proc.join()
        if ok:
            return value
        raise value if value is not None else ForkedError(
            f"子进程 {self.proc.name} 意外退出（退出码 {self.proc.exitcode}），请重新运行")
