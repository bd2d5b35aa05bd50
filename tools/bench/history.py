"""The city quarter against a long history: does a run cost one quarter however many came before?

One set of demo-like quarters (the demo's timeline carried on past 2021Q2) is written once; for
each history length N the workspace holds the last N+1 of them, and the office's life is
replayed — every earlier quarter was run when it was current — before `zwgk run` of the last
quarter is measured in fresh processes:
- warm: the parse cache and the earlier quarters' outputs as the office's own runs left them;
- cold: the parse cache deleted before each run (the earlier quarters' outputs kept).
Each run is paired with a fresh process that only imports pandas, matplotlib, openpyxl and
xlsxwriter, interleaved, so that the VM's drift weighs on both alike.
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

from pipeline import demo
from pipeline.dates import Quarter
from pipeline.reference import load_reference
from pipeline.workspace import CACHE_DIR

from .measure import IMPORTS, _python, _zwgk, run_measured

FIRST = Quarter(2020, 2)


def quarters(n: int) -> list[Quarter]:
    out, q = [], FIRST
    for _ in range(n):
        out.append(q)
        q = Quarter(q.year + q.q // 4, q.q % 4 + 1)
    return out


def write_history(root: Path, count: int, seed: int = 2020) -> list[Quarter]:
    """inputs/<Q>/ for `count` consecutive quarters from 2020Q2 (demo returns, same timeline)."""
    reference = load_reference()
    plans = demo._timeline(reference, random.Random(seed))
    qs = quarters(count)
    for q in qs:
        if not (root / "inputs" / str(q)).is_dir():
            demo._write_quarter(root, reference, plans, q, seed)
    return qs


def _workspace(source: Path, work: Path, kept: list[Quarter]) -> Path:
    ws = work / f"history{len(kept) - 1}"
    shutil.rmtree(ws, ignore_errors=True)
    for q in kept:
        shutil.copytree(source / "inputs" / str(q), ws / "inputs" / str(q))
    for q in kept[:-1]:  # the office ran each earlier quarter when it was current
        run_measured(_zwgk("run", str(q)), cwd=ws)
    return ws


def bench_history(work: Path, lengths=(1, 4, 12), repeat: int = 3, log=print) -> dict:
    """{N: {warm, cold, imports}} seconds (best of `repeat`) of `zwgk run` with N earlier quarters."""
    source = work / "all"
    qs = write_history(source, max(lengths) + 1)
    out = {}
    for n in lengths:
        kept = qs[-(n + 1):]
        log(f"历史 {n} 个季度：准备工作目录（逐季运行）……")
        ws = _workspace(source, work, kept)
        last = str(kept[-1])
        run_measured(_zwgk("run", last), cwd=ws)  # the office's first run of the quarter
        warm, cold, imports = [], [], []
        for _ in range(repeat):
            imports.append(run_measured(_python("-c", IMPORTS))["wall"])
            warm.append(run_measured(_zwgk("run", last), cwd=ws)["wall"])
            shutil.rmtree(ws / "outputs" / CACHE_DIR, ignore_errors=True)
            cold.append(run_measured(_zwgk("run", last), cwd=ws)["wall"])
        out[n] = {"quarter": last, "warm": min(warm), "cold": min(cold), "imports": min(imports),
                  "warm_runs": warm, "cold_runs": cold, "import_runs": imports}
    return out
