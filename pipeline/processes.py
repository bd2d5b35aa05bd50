"""Processes the run forks (readers, the chart process, the check set's and the second feedback
writer) end with it; `Forked` runs one function in a forked child and hands back its answer."""

from __future__ import annotations

import contextlib
import ctypes
import gc
import os
import pickle
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
    return (os.cpu_count() or 1) >= 2 and hasattr(os, "fork")


class ForkedError(ZwgkError):
    """A forked child ended without an answer (killed, out of memory)."""


class Forked:
    """`fn()` in a forked child, which inherits this process's objects (nothing is pickled on the
    way in; the answer is). `result()` waits and returns the value or re-raises the exception.
    `nice`: added to the child's niceness.

    A bare fork and a pipe rather than multiprocessing: a child may fork in turn (the check
    set's child may split the feedback), which multiprocessing forbids in its daemonic children."""

    def __init__(self, fn: Callable[[], object], name: str, nice: int = 0):
        self.name = name
        parent = os.getpid()
        read, write = os.pipe()
        # the objects there are now out of the child's garbage collections: a collection writes
        # to every object it visits, which would copy each page the child shares with this one
        # (at 10,000 units, hundreds of MB); this process collects them as before
        gc.freeze()
        try:
            pid = os.fork()
        except BaseException:
            gc.unfreeze()
            os.close(read)
            os.close(write)
            raise
        if pid != 0:
            gc.unfreeze()
        if pid == 0:  # the child: answer down the pipe, then leave without the parent's atexit
            code = 1
            try:
                os.close(read)
                die_with_parent(parent)  # a killed run takes it along
                if nice:
                    os.nice(nice)  # second place to the parent's work when both want a core
                try:
                    reply = (True, fn())
                except BaseException as exc:  # noqa: BLE001 - handed to the parent, which re-raises it
                    reply = (False, exc)
                try:
                    data = pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL)
                except Exception:  # an answer that does not pickle: its type and text do
                    text = f"{type(reply[1]).__name__}: {reply[1]}" if not reply[0] else f"{name} 的结果无法传回"
                    data = pickle.dumps((False, RuntimeError(text[:500])))
                with os.fdopen(write, "wb") as pipe:
                    pipe.write(data)
                code = 0
            finally:
                os._exit(code)
        os.close(write)
        self.pid, self._read = pid, read
        self._outcome: tuple[bool, object] | None = None

    def result(self) -> object:
        """The child's value (or its exception raised); waits once, the same answer after."""
        if self._outcome is None:
            try:
                with os.fdopen(self._read, "rb") as pipe:
                    data = pipe.read()
            finally:
                _, status = os.waitpid(self.pid, 0)  # reaped even when the read was interrupted
            if data:
                self._outcome = pickle.loads(data)  # noqa: S301 - our own child's answer
            else:
                self._outcome = (False, ForkedError(
                    f"子进程 {self.name} 意外退出（退出码 {os.waitstatus_to_exitcode(status)}），请重新运行"))
        ok, value = self._outcome
        if ok:
            return value
        raise value
