"""Measuring a command: wall and CPU seconds and the peak memory of its process tree.

Shared by the benchmarks (`bench.py`, `history.py`); no pipeline import here.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

IMPORTS = "import pandas, matplotlib, openpyxl, xlsxwriter"


def _cpu() -> float:
    """User + system seconds of this process and its waited-for children."""
    s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime


def _memory(p: int, page: int, pss: bool = True) -> tuple[int, int]:
    """(resident, proportional) bytes of process `p`. The proportional set size counts a page
    shared by n processes 1/n, so a forked child's inherited pages are not counted twice (the
    resident one where the kernel has no smaps_rollup, or `pss` is False)."""
    rss = int(Path(f"/proc/{p}/statm").read_text().split()[1]) * page
    if not pss:
        return rss, rss
    try:
        for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return rss, int(line.split()[1]) * 1024
    except OSError:
        pass
    return rss, rss


def _tree_memory(pid: int, pss: bool = True) -> tuple[int, int]:
    """(resident, proportional) bytes of `pid` and all its descendants, from /proc (the
    proportional ones only with `pss`, else the resident ones again)."""
    page = os.sysconf("SC_PAGE_SIZE")
    resident = proportional = 0
    todo, seen = [pid], set()
    while todo:
        p = todo.pop()
        if p in seen:
            continue
        seen.add(p)
        try:
            r, q = _memory(p, page, pss)
            resident, proportional = resident + r, proportional + q
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError, IndexError):
            continue
    return resident, proportional


def _tree_rss(pid: int) -> int:
    """Resident bytes of `pid` and all its descendants (shared pages counted in each)."""
    return _tree_memory(pid)[0]


class _RssSampler(threading.Thread):
    """Samples the tree RSS of a process every `every` seconds; `peak` is the largest sum seen.
    With `pss`, the tree's PSS too: reading smaps_rollup walks each process's page tables under
    its memory lock, which cost a 4-second check with three processes 0.2-0.5 s of wall time."""

    def __init__(self, pid: int, every: float = 0.05, pss: bool = True):
        super().__init__(daemon=True)
        self.pid, self.every, self.peak, self.peak_pss, self.pss = pid, every, 0, 0, pss
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.is_set():
            rss, pss = _tree_memory(self.pid, self.pss)
            self.peak, self.peak_pss = max(self.peak, rss), max(self.peak_pss, pss)
            self._done.wait(self.every)

    def stop(self) -> int:
        self._done.set()
        self.join()
        return self.peak


def run_measured(cmd: list[str], cwd: str | Path | None = None, env: dict | None = None,
                 ok: tuple[int, ...] = (0,), pss: bool = True, every: float = 0.05) -> dict:
    """Run `cmd`; wall seconds, CPU seconds and peak RSS (the tree's sum sampled every `every`
    seconds, and the kernel's largest single process) of it and everything it started, and with
    `pss` the tree's peak PSS (`tree_pss`; else the RSS); its stdout. An exit code not in `ok`
    raises."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    sampler = _RssSampler(proc.pid, every=every, pss=pss)
    sampler.start()
    out, err = [], []
    readers = [threading.Thread(target=lambda s=s, b=b: b.append(s.read()), daemon=True)
               for s, b in ((proc.stdout, out), (proc.stderr, err))]
    for r in readers:
        r.start()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    peak = sampler.stop()
    for r in readers:
        r.join()
    stdout, stderr = b"".join(out).decode(), b"".join(err).decode()
    if proc.returncode not in ok:
        raise RuntimeError(f"{' '.join(map(str, cmd))} failed ({proc.returncode}):\n{stderr[-3000:]}")
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "tree_rss": peak, "tree_pss": sampler.peak_pss,
            "max_rss": usage.ru_maxrss * 1024, "stdout": stdout}


ROOT = Path(__file__).resolve().parents[2]  # the checkout: `-m tools.bench` is run from there


def _python(*args: str) -> list[str]:
    return [sys.executable, *args]


# ---- the measurements ------------------------------------------------------------------------
def _zwgk(*args: str) -> list[str]:
    script = Path(sys.executable).with_name("zwgk")
    return [str(script), *args] if script.exists() else _python("-m", "pipeline.cli", *args)


