"""Run a function over many inputs in worker processes that a hostile input cannot take down.

Each worker is a long-lived child process with a cap on its address space (RLIMIT_AS) and no
core dumps; it reads one input at a time and the parent kills it when one input takes longer
than the time limit. A worker that dies (python-calamine aborts the whole process when an
allocation fails), runs out of memory or times out costs only its current input: the parent
reports a `Failure` for that input, starts a fresh worker and goes on with the rest.

Why a hand-rolled pool rather than concurrent.futures: ProcessPoolExecutor marks the whole pool
broken when one worker dies and cannot say which task killed it, nor kill a task that hangs.
Here every worker has its own pipe, so a death or a timeout is pinned on exactly one input.

Each worker is sent the input after its current one too, so it never waits for the parent
between inputs; when it dies or times out, only the current input is failed and the one queued
behind it goes to the next worker. Workers report their own CPU time with each result.

Workers are forked on Linux (about 10 ms each: the parent's imports and reference data are
inherited, nothing is pickled but the per-file arguments and results); elsewhere spawned.
"""

from __future__ import annotations

import contextlib
import faulthandler
import glob
import multiprocessing as mp
import os
import shutil
import signal
import tempfile
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import wait

from ..processes import die_with_parent

MB = 1024 * 1024
_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
_POLL = 0.25  # how often CPU time is looked at while inputs are being read
# Inputs sent to a worker ahead: the one it reads and the next, so it never waits for the parent.
_DEPTH = 2


@dataclass(frozen=True)
class Limits:
    """What one input may cost. `memory` is address space a worker may add to what it starts
    with (a real return needs a few MB, a 50,000-row sheet about 100 MB; a 6 KB .xls with one
    value in IV65536 makes python-calamine take 1 GB). `seconds` is CPU time,
    so a loaded machine does not turn a slow file into a rejected one; `wall` is the clock
    time after which an input that blocks without computing is given up."""

    memory: int = 512 * MB
    seconds: float = 60.0
    wall: float = 600.0


@dataclass(frozen=True)
class Failure:
    """An input whose worker did not hand back a result.

    kind: "crashed" (the process died, e.g. an abort in native code), "memory" (MemoryError or a
    failed native allocation), "timeout", or "error" (an exception escaped `func`).
    """

    kind: str
    detail: str = ""


def default_workers() -> int:
    return os.cpu_count() or 1


# --- the worker side ---------------------------------------------------------------------
def _address_space() -> int:
    """Current virtual size of this process in bytes (0 if unknown)."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def set_limits(limits: Limits) -> None:
    """Cap this process: address space = what it has now + `limits.memory`; no core files
    (an abort must not drop a multi-GB core into the user's workspace)."""
    try:
        import resource
    except ImportError:  # not on this platform: the time limit still applies
        return
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    current = _address_space()
    if current:
        cap = current + limits.memory
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            cap = min(cap, hard)
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_AS, (cap, hard))


def _worker(conn, func: Callable, limits: Limits, stderr_path: str, init: Callable | None,
            initargs: tuple, parent: int) -> None:
    die_with_parent(parent)
    # stderr goes to a file the parent reads if we die (a native abort prints its reason there),
    # rather than onto the user's terminal.
    redirected = False
    with contextlib.suppress(OSError):
        fd = os.open(stderr_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(fd, 2)
        os.close(fd)
        redirected = True
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    faulthandler.disable()  # a crash is reported by the parent; no dump onto the terminal
    os.environ["RUST_BACKTRACE"] = "0"  # a native abort: its one-line reason, not a backtrace
    set_limits(limits)
    broken = None
    if init is not None:
        try:
            init(*initargs)
        except BaseException as exc:  # report it with every input, never hang
            broken = Failure("error", f"worker setup: {type(exc).__name__}: {exc}"[:300])
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):  # the parent is gone
            return
        if msg is None:
            return
        index, args = msg
        if redirected:  # keep only what this input makes the worker print
            with contextlib.suppress(OSError):
                os.ftruncate(2, 0)
                os.lseek(2, 0, os.SEEK_SET)
        try:
            result = broken or func(*args)
        except MemoryError:
            result = Failure("memory", "MemoryError")
        except BaseException as exc:  # anything a hostile input provokes
            result = Failure("error", f"{type(exc).__name__}: {exc}"[:300])
        try:
            conn.send((index, result, _own_cpu()))
        except MemoryError:
            conn.send((index, Failure("memory", "MemoryError while sending the result"), _own_cpu()))
        except Exception as exc:  # an unpicklable result
            conn.send((index, Failure("error", f"{type(exc).__name__}: {exc}"[:300]), _own_cpu()))


def _own_cpu() -> float:
    """This process's CPU seconds, as the parent reads them from /proc (so the two compare)."""
    t = os.times()
    return t.user + t.system


# --- the parent side ---------------------------------------------------------------------
class _Slot:
    """One worker process, its pipe, and the input it is working on."""

    def __init__(self, ctx, func, limits: Limits, folder: str, n: int, init, initargs):
        self.stderr = os.path.join(folder, f"worker{n}.stderr")
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker, args=(child, func, limits, self.stderr, init, initargs,
                                                    os.getpid()),
                                daemon=True)
        self.proc.start()
        child.close()
        self.queue: deque[tuple[int, tuple]] = deque()  # inputs sent; the first is being read
        self.started = 0.0
        self.cpu0: float | None = None

    @property
    def task(self) -> int | None:
        """The input the worker is on (None: idle)."""
        return self.queue[0][0] if self.queue else None

    def give(self, index: int, args: tuple) -> bool:
        """Send an input; the worker starts on it now, or when the ones before it are done.

        False if the worker is gone and the input stays with the caller: it died on an input
        sent before this one. A worker with nothing before it that is gone (it died starting
        up) keeps the input, so that its death is reported on it rather than retried forever."""
        try:
            self.conn.send((index, args))
        except OSError:  # a broken pipe
            if self.queue:
                return False
        if not self.queue:
            self.started, self.cpu0 = time.monotonic(), self.cpu()
        self.queue.append((index, args))
        return True

    def finished(self, cpu: float) -> None:
        """The current input's result came back; the worker, at `cpu` CPU seconds, is on the next
        (its own figure: no /proc read per input)."""
        self.queue.popleft()
        self.started = time.monotonic()
        self.cpu0 = self.cpu() if self.cpu0 is None else cpu

    def spent(self) -> float:
        """CPU seconds on the current input (Linux); else clock seconds."""
        now = self.cpu()
        return now - self.cpu0 if now is not None and self.cpu0 is not None else time.monotonic() - self.started

    def cpu(self) -> float | None:
        """CPU seconds the worker has used so far (None where /proc cannot tell)."""
        try:
            with open(f"/proc/{self.proc.pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / _TICKS
        except (OSError, ValueError, IndexError):
            return None

    def stderr_head(self) -> str:
        """What the worker printed on its current input (a native abort says why first)."""
        try:
            with open(self.stderr, "rb") as f:
                return f.read(4000).decode("utf-8", "replace")
        except OSError:
            return ""

    def kill(self) -> None:
        with contextlib.suppress(Exception):
            self.proc.kill()
        self.proc.join(5)
        self.conn.close()


def _death(slot: _Slot) -> Failure:
    """Why a worker died: a failed native allocation reads as memory, else the signal."""
    slot.proc.join(5)
    tail = slot.stderr_head()
    code = slot.proc.exitcode
    if "memory allocation" in tail or "MemoryError" in tail or "Cannot allocate memory" in tail:
        return Failure("memory", tail.strip().splitlines()[0][:200] if tail.strip() else "")
    if code is not None and code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = str(-code)
        return Failure("crashed", f"signal {name}")
    return Failure("crashed", f"exit code {code}")


_FOLDER_PREFIX = "zwgk-workers-"


def _tidy_worker_folders() -> None:
    """Remove the stderr folders of runs that were killed (their pid no longer lives)."""
    for folder in glob.glob(os.path.join(tempfile.gettempdir(), f"{_FOLDER_PREFIX}*-*")):
        pid = os.path.basename(folder)[len(_FOLDER_PREFIX):].split("-")[0]
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
        except OSError:
            pass


def map_isolated(func: Callable, arguments: Iterable[tuple], workers: int | None = None,
                 limits: Limits | None = None, context: str | None = None,
                 initializer: Callable | None = None, initargs: tuple = ()
                 ) -> Iterator[tuple[int, object]]:
    """Yield `(i, func(*arguments[i]))` in completion order, each call in a worker process;
    a call whose worker crashed, ran out of memory or timed out yields `(i, Failure)`.

    `func` (and `initializer`, run once per worker with `initargs`, e.g. to hand it reference
    data once rather than with every input) must be module-level functions: spawned workers
    import them. At most `workers` processes run at once (default: one per CPU), never more
    than there are inputs; a worker serves input after input until the end.
    """
    limits = limits or Limits()
    todo = deque(enumerate(arguments))
    if not todo:
        return
    n = max(1, min(workers or default_workers(), len(todo)))
    method = context or ("fork" if "fork" in mp.get_all_start_methods() else "spawn")
    ctx = mp.get_context(method)
    _tidy_worker_folders()
    with tempfile.TemporaryDirectory(prefix=f"{_FOLDER_PREFIX}{os.getpid()}-") as folder:
        made = 0
        slots: list[_Slot | None] = [None] * n  # None: no live worker (started when needed)
        next_check = 0.0  # when CPU times are next read from /proc
        try:
            while True:
                for i, slot in enumerate(slots):
                    if todo and (slot is None or (slot.task is None and not slot.proc.is_alive())):
                        if slot is not None:
                            slot.kill()
                        slot = slots[i] = _Slot(ctx, func, limits, folder, made, initializer, initargs)
                        made += 1
                    while slot is not None and len(slot.queue) < _DEPTH and todo:
                        if not slot.give(*todo[0]):
                            break  # the worker died on its current input: reported below
                        todo.popleft()
                busy = [s for s in slots if s is not None and s.task is not None]
                if not busy:
                    return
                deadline = min(s.started for s in busy) + limits.wall
                ready = set(wait([s.conn for s in busy] + [s.proc.sentinel for s in busy],
                                 timeout=min(_POLL, max(0.0, deadline - time.monotonic()))))
                now = time.monotonic()
                look = now >= next_check
                if look:
                    next_check = now + _POLL
                for i, slot in enumerate(slots):
                    if slot is None or slot.task is None:
                        continue
                    if slot.conn in ready or slot.proc.sentinel in ready:
                        with contextlib.suppress(EOFError, OSError):
                            while slot.queue and slot.conn.poll():
                                got, result, cpu = slot.conn.recv()
                                slot.finished(cpu)
                                yield got, result
                        if not slot.queue or slot.proc.sentinel not in ready:
                            continue  # all answered, or alive and on the next input
                        failure = _death(slot)
                    elif look and slot.spent() >= limits.seconds:
                        failure = Failure("timeout", f"cpu {limits.seconds:g} s")
                    elif now - slot.started >= limits.wall:
                        failure = Failure("timeout", f"wall {limits.wall:g} s")
                    else:
                        continue
                    index, _ = slot.queue.popleft()
                    todo.extendleft(reversed(slot.queue))  # sent behind it: read by the next worker
                    slot.kill()
                    slots[i] = None
                    yield index, failure
        finally:
            live = [s for s in slots if s is not None]
            for slot in live:
                with contextlib.suppress(Exception):
                    slot.conn.send(None)
            for slot in live:
                slot.proc.join(1)
                if slot.proc.is_alive():
                    slot.kill()
                with contextlib.suppress(Exception):
                    slot.conn.close()
