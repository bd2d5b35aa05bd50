"""`make bench`: how fast the pipeline reads and runs, as ratios measured in one run.

    python -m tools.bench [--quick] [--out outputs/bench] [--corpus outputs/bench/corpus]

Measures, on this machine, over the same files:

* reading: `read_returns` (as the pipeline calls it) against a plain loop of
  `pandas.read_excel(engine="openpyxl", sheet_name=None)` and against bare python-calamine
  reading every cell of every sheet;
* the city quarter: `zwgk run` on the demo's 27 returns → every output, in a fresh process
  and a fresh workspace, against a fresh process that only imports pandas, matplotlib,
  openpyxl and xlsxwriter; best of three each, the two interleaved;
* scale: read + reconcile + score of 100, 1,000 and 10,000 synthetic returns (`bench_data`),
  each run in its own process, the smaller scales several times so that every scale's runs span
  a similar stretch of time, there and back (`scale_plan`); the mean of each scale's runs:
  seconds, files/s, peak RSS of the process tree (the largest of the runs), CPU utilisation;
* the whole run at scale: `zwgk run` on the 1,000 and 10,000 synthetic returns → every output
  (tables, 通报 .docx/.xlsx, charts, a feedback workbook per unit), one fresh process each;
* `zwgk check` over 2,000 synthetic returns (every check output) against a fresh process that
  only loops `pandas.read_excel(engine="openpyxl", sheet_name=None)` over the same files;
* `zwgk --help` in a fresh process.

Writes `bench.md` and `bench.json` to the output folder and prints the table. Timings are wall
clock (`time.perf_counter`); repeated runs keep the fastest, except the scales (their mean). Nothing here asserts a timing: the
table says pass or fail against the targets of the issue, the numbers are what was measured.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path

from tools.bench.measure import IMPORTS, ROOT, _cpu, _python, _tree_rss, _zwgk, run_measured  # noqa: F401

GiB = 1024 ** 3
TARGETS = {"vs_pandas": 8.0, "check_vs_pandas": 8.0, "vs_calamine": 1.5, "city_vs_imports": 3.0, "linear": 1.1,
           "memory": 1 * GiB, "help": 0.3, "busy_share": 0.75,
           "history_vs_imports": 3.0, "history_growth": 1.2, "history_cold": 1.3}
FULL = {"scales": (100, 1000, 10000), "reading": 100, "repeat": 3, "rounds": 2, "history": (1, 4, 12),
        "fullrun": (1000, 10000), "check": 2000}
QUICK = {"scales": (30, 60), "reading": 30, "repeat": 1, "rounds": 1, "history": (1, 2), "fullrun": (30,),
         "check": 30}


# ---- machine and process measurements ------------------------------------------------------
def machine() -> dict:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f"{kb / 1024 ** 2:.1f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return {"nproc": os.cpu_count(), "cpu": model or platform.processor(), "memory": mem,
            "python": platform.python_version(), "platform": platform.platform(),
            "load_average": [round(x, 2) for x in os.getloadavg()],
            "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")}


def _best(fn, repeat: int):
    """The fastest of `repeat` calls of fn() → (seconds, last value)."""
    best, value = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        value = fn()
        best = min(best, time.perf_counter() - t)
    return best, value


def bench_help(repeat: int) -> dict:
    cmd = _zwgk("--help")
    runs = [run_measured(cmd)["wall"] for _ in range(repeat)]
    return {"seconds": min(runs), "runs": runs, "command": " ".join(Path(c).name for c in cmd[:1]) + " --help"}


def _read_returns_call(folder: Path, reference, quarter, **extra):
    """read_returns as the pipeline calls it (defaults: its pool, no cache), plus `extra` where
    the installed read_returns accepts it."""
    import inspect

    from pipeline.ingest import read_returns

    params = inspect.signature(read_returns).parameters
    return read_returns(folder, reference, quarter, **{k: v for k, v in extra.items() if k in params})


def bench_reading(folder: Path, ref_dir: Path, quarter: str, repeat: int) -> dict:
    """Three readers over the same .xlsx files; throughput in files per second."""
    import pandas as pd
    import python_calamine as pc

    from pipeline.dates import parse_quarter
    from pipeline.reference import load_reference

    files = sorted(p for p in folder.iterdir() if p.suffix == ".xlsx")
    reference, q = load_reference(ref_dir), parse_quarter(quarter)

    def pandas_loop():
        for f in files:
            pd.read_excel(f, sheet_name=None, engine="openpyxl")

    def calamine_loop():
        cells = 0
        for f in files:
            wb = pc.CalamineWorkbook.from_path(str(f))
            for name in wb.sheet_names:
                cells += sum(len(r) for r in wb.get_sheet_by_name(name).to_python(skip_empty_area=False))
        return cells

    def ours():
        c0, t0 = _cpu(), time.perf_counter()
        intake = _read_returns_call(folder, reference, q)
        return intake, (_cpu() - c0) / (time.perf_counter() - t0)

    pd.read_excel(files[0], sheet_name=None, engine="openpyxl")  # imports and first-use costs
    t_pandas, _ = _best(pandas_loop, 1)
    t_calamine, cells = _best(calamine_loop, repeat)
    t_ours, (intake, util) = _best(ours, repeat)
    out = {"files": len(files), "cells": cells, "pandas_openpyxl": t_pandas, "calamine": t_calamine,
           "read_returns": t_ours, "read_returns_cpu_util": util,
           "accepted": int((intake.files["state"] == "accepted").sum())}
    import inspect

    from pipeline.ingest import read_returns

    params = inspect.signature(read_returns).parameters
    if "workers" in params:  # in this process, one core: the parse cost without the pool
        out["read_returns_serial"], _ = _best(lambda: _read_returns_call(folder, reference, q, workers=0), 1)
    with tempfile.TemporaryDirectory(prefix="zwgk-bench-cache-") as cache:
        if "cache_dir" in params:
            _read_returns_call(folder, reference, q, cache_dir=Path(cache))  # fill
            out["read_returns_cached"], _ = _best(
                lambda: _read_returns_call(folder, reference, q, cache_dir=Path(cache)), repeat)
    return out


def _city_run(ws: Path, quarter: str) -> dict:
    """`zwgk run QUARTER` in the workspace, a fresh process: what the office runs."""
    import re
    import shutil

    r = run_measured(_zwgk("run", quarter), cwd=ws)  # raises if the run fails
    files = re.search(r"收到文件 (\d+) 个", r["stdout"])
    outputs = [line for line in r["stdout"].splitlines() if line.startswith("  ")]
    shutil.rmtree(ws / "outputs" / quarter)  # the next cold run writes a whole set again
    return {"quarter": quarter, "seconds": r["wall"], "files": int(files.group(1)) if files else 0,
            "outputs": len(outputs), "cpu": r["cpu"], "tree_rss": r["tree_rss"]}


def bench_city(work: Path, repeat: int = 3) -> dict:
    """The demo city through `zwgk run` in fresh processes: the first quarter (27 returns, no
    history) cold — a fresh workspace each time, best of `repeat` — then again with the
    parsed-return cache warm, and the last quarter (read against the four before it)."""
    import shutil

    from pipeline.demo import write_demo
    from pipeline.reference import load_reference

    demo = work / "demo"
    quarters = [str(q) for q in write_demo(demo, load_reference())]
    cold, imports = [], []
    for i in range(repeat):  # interleaved with the baseline: a VM's speed drifts minute to minute
        imports.append(run_measured(_python("-c", IMPORTS))["wall"])
        ws = work / f"city{i}"
        shutil.copytree(demo / "inputs", ws / "inputs")
        cold.append(_city_run(ws, quarters[0]))
    first = min(cold, key=lambda c: c["seconds"])
    first["runs"] = [c["seconds"] for c in cold]
    return {"first": first, "first_warm": _city_run(work / "city0", quarters[0]),
            "last": _city_run(work / f"city{repeat - 1}", quarters[-1]),
            "imports": {"seconds": min(imports), "runs": imports}}


def bench_fullrun(corpus_root: Path, scales, quarter: str, log) -> list[dict]:
    """`zwgk run QUARTER --reference REF` over each scale's synthetic returns in a fresh
    workspace (inputs/<Q> links to the scale folder), fresh process: every output is written,
    the feedback workbooks included. One run per scale (10,000 takes minutes)."""
    import shutil

    from tools.bench.bench_data import scale_folder

    rows = []
    for n in scales:
        folder, ref_dir = scale_folder(corpus_root, n, quarter, log=log)
        log(f"规模 {n}：完整运行 zwgk run（全部输出，含各单位反馈表）……")
        load = os.getloadavg()[0]
        with tempfile.TemporaryDirectory(prefix="zwgk-fullrun-") as work:
            ws = Path(work)
            (ws / "inputs").mkdir()
            (ws / "inputs" / quarter).symlink_to(folder.resolve(), target_is_directory=True)
            r = run_measured(_zwgk("run", quarter, "--reference", str(Path(ref_dir).resolve())), cwd=ws)
            out = ws / "outputs" / quarter
            feedback = len(list((out / "反馈").glob("*.xlsx")))
            size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
            shutil.rmtree(ws / "outputs")
        rows.append({"n": n, "seconds": r["wall"], "cpu": r["cpu"], "tree_rss": r["tree_rss"], "tree_pss": r["tree_pss"],
                     "feedback": feedback, "bytes": size,
                     "load": [round(load, 2), round(os.getloadavg()[0], 2)]})
    return rows


PANDAS_LOOP = ("import pathlib, sys, pandas as pd\n"
               "for f in sorted(pathlib.Path(sys.argv[1]).glob('*.xlsx')):\n"
               "    pd.read_excel(f, sheet_name=None, engine='openpyxl')\n")


def bench_check_vs_pandas(corpus_root: Path, n: int, quarter: str, log, rounds: int = 2,
                          pause: float = 3.0, work_root: Path | None = None) -> dict:
    """`zwgk check QUARTER --reference REF` over `n` synthetic returns (a fresh workspace and
    process: reading, reconciling, 问题清单, 报送情况 and every 反馈 workbook) against a fresh
    process that only loops `pandas.read_excel(engine="openpyxl", sheet_name=None)` over the
    same files; `rounds` of each, alternating, the fastest of each kept (as for the city
    quarter: this VM's speed drifts within minutes). Before each measured run the file system
    is synced and left a moment (`settle`).

    The rounds' workspaces are made in one folder under `work_root` (the results folder, where
    the bench deletes nothing) and deleted together only after the last round. On an ext4
    without a journal (this VM's), the kernel passes over every inode of a block group deleted
    in the last one to six minutes each time it allocates one there (`recently_deleted` in
    fs/ext4/ialloc.c): right after the bench's temporary folders of thousands of files were
    deleted, creating a file in that group cost 0.5-0.8 ms of kernel CPU instead of 0.02 ms
    (measured with perf), which is the deletions' cost, not the check's. `create_ms` records
    what creating an empty file cost in that folder just before the first round. Memory is
    sampled as RSS only (the target on memory is the full run's): sampling PSS slowed the
    check itself (run_measured), and every quarter second (SPARSE) rather than twentieth: each
    sample reads a file per process and thread of the tree, beside a run of four seconds. Exit
    code 1 (returns with errors, as the corpus has) is a finished check."""
    import shutil

    from tools.bench.bench_data import scale_folder

    folder, ref_dir = scale_folder(corpus_root, n, quarter, log=log)
    files = sum(1 for p in folder.iterdir() if p.suffix == ".xlsx")
    log(f"规模 {n}：zwgk check 与 pandas+openpyxl 逐个读取 {files} 个文件（各 {rounds} 次，交替）……")
    load = os.getloadavg()[0]
    checks, agains, pandas_runs = [], [], []
    root = Path(work_root) if work_root is not None else Path(tempfile.gettempdir())
    root.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="zwgk-check-", dir=root))
    try:
        create_ms = create_cost(work / "probe")
        for i in range(rounds):
            ws = work / f"round-{i + 1}"
            (ws / "inputs").mkdir(parents=True)
            (ws / "inputs" / quarter).symlink_to(folder.resolve(), target_is_directory=True)
            args = _zwgk("check", quarter, "--reference", str(Path(ref_dir).resolve()))
            settle(pause)
            checks.append(run_measured(args, cwd=ws, ok=(0, 1), pss=False, every=SPARSE))
            feedback = len(list((ws / "outputs" / quarter / "反馈").glob("*.xlsx")))
            # the office checks again as returns arrive: the same files, parse and feedback caches filled
            agains.append(run_measured(args, cwd=ws, ok=(0, 1), pss=False, every=SPARSE))
            settle(pause)
            pandas_runs.append(run_measured(_python("-c", PANDAS_LOOP, str(folder.resolve())), pss=False,
                                           every=SPARSE))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    check = min(checks, key=lambda r: r["wall"])
    again = min(agains, key=lambda r: r["wall"])
    pandas = min(pandas_runs, key=lambda r: r["wall"])
    return {"n": n, "files": files, "feedback": feedback, "check": check["wall"], "check_cpu": check["cpu"],
            "again": again["wall"], "again_cpu": again["cpu"],
            "check_tree_rss": check["tree_rss"], "pandas": pandas["wall"], "pandas_cpu": pandas["cpu"],
            "check_all": [round(r["wall"], 2) for r in checks], "pandas_all": [round(r["wall"], 2) for r in pandas_runs],
            "create_ms": round(create_ms, 3), "work_root": str(root),
            "load": [round(load, 2), round(os.getloadavg()[0], 2)]}


SPARSE = 0.25  # seconds between memory samples where memory is not what is measured


def create_cost(folder: Path, n: int = 500) -> float:
    """Milliseconds to create one empty file in a new `folder`, over `n` files (left in place:
    deleting them would slow the next creates there, see bench_check_vs_pandas)."""
    folder.mkdir(parents=True)
    t0 = time.perf_counter()
    for i in range(n):
        os.close(os.open(folder / f"{i}", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    return (time.perf_counter() - t0) / n * 1000


def settle(pause: float = 3.0) -> None:
    """Flush the file system and wait a moment before a measured run (see bench_check_vs_pandas)."""
    os.sync()
    time.sleep(pause)


def scale_worker(folder: str, ref_dir: str, quarter: str) -> None:
    """In a process of its own: read + reconcile + score one scale folder; JSON on stdout."""
    t0 = time.perf_counter()

    from pipeline import stages
    from pipeline.dates import parse_quarter
    from pipeline.reference import load_reference
    from pipeline.scoring import scores

    t_import = time.perf_counter() - t0
    q = parse_quarter(quarter)
    t = time.perf_counter()
    ref = load_reference(ref_dir)
    ref.assignments, ref.domain_duties  # noqa: B018  (derived views; part of loading)
    t_ref = time.perf_counter() - t
    c0, t0 = _cpu(), time.perf_counter()
    intake = _read_returns_call(Path(folder), ref, q)
    t_read, c_read = time.perf_counter() - t0, _cpu() - c0
    as_of = stages.as_of_default(ref, q)
    t = time.perf_counter()
    decided = stages.reconcile(intake, ref, q, as_of)
    rec, issues = decided.reconciliation, decided.issues
    t_rec = time.perf_counter() - t
    t = time.perf_counter()
    sc = scores(rec, decided.domain_reconciliation, decided.ledger, issues, ref, q, as_of)
    t_score = time.perf_counter() - t
    wall, cpu = time.perf_counter() - t0, _cpu() - c0
    print(json.dumps({
        "files": len(decided.ledger), "accepted": int((decided.ledger["state"] == "accepted").sum()),
        "units": len(sc), "reconciliation_rows": len(rec), "issues": len(issues),
        "import": t_import, "reference": t_ref, "read": t_read, "reconcile": t_rec, "score": t_score,
        "seconds": wall, "cpu": cpu, "cpu_util": cpu / wall, "read_cpu_util": c_read / t_read,
        "max_rss_self": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        "max_rss_children": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024}))


def bench_scale(corpus_root: Path, scales, quarter: str, log, rounds: int = 1) -> list[dict]:
    """Each scale in fresh processes, in the order of `scale_plan`; per scale the mean of its runs
    (`mean_run`)."""
    from tools.bench.bench_data import scale_folder

    runs: dict[int, list[dict]] = {n: [] for n in scales}
    plan = scale_plan(scales, rounds)
    for k, n in enumerate(plan):
        folder, ref_dir = scale_folder(corpus_root, n, quarter, log=log)
        log(f"规模 {n}：读取 + 核对 + 评分（第 {k + 1}/{len(plan)} 次）……")
        load = os.getloadavg()[0]
        r = run_measured(_python("-m", "tools.bench", "--scale-worker", str(folder), str(ref_dir), quarter),
                         cwd=ROOT)
        row = json.loads(r["stdout"].strip().splitlines()[-1])
        row.update(n=n, process_wall=r["wall"], process_cpu=r["cpu"], tree_rss=r["tree_rss"],
                   max_rss=r["max_rss"], load=[round(load, 2), round(os.getloadavg()[0], 2)])
        runs[n].append(row)
    return [mean_run(runs[n]) for n in scales]


def scale_plan(scales, rounds: int, cap: int = 10) -> list[int]:
    """The runs, in order. This VM's speed drifts by half within minutes, so a 2 s run and a 20 s
    run taken once each compare two moments, not two sizes. A smaller scale therefore runs
    several times in a row (largest ÷ n, at most `cap`), so that each scale's runs span a
    similar stretch of time, and the rounds go small→large, then large→small (a steady drift
    then weighs on every scale alike): (100, 1000), 2 → 10 × 100, 1000, 1000, 10 × 100."""
    largest = max(scales)
    times = {n: max(1, min(cap, largest // n)) for n in scales}
    return [n for r in range(rounds) for n in (scales if r % 2 == 0 else scales[::-1]) for _ in range(times[n])]


_MEAN = ("seconds", "cpu", "read", "reconcile", "score", "reference", "cpu_util", "read_cpu_util",
         "process_wall", "process_cpu")


def mean_run(runs: list[dict]) -> dict:
    """One scale's runs as one row: the mean of the timings, the largest peak memory (memory is
    not averaged), every run's seconds and CPU seconds."""
    out = dict(runs[0])
    for key in _MEAN:
        if all(key in r for r in runs):
            out[key] = sum(r[key] for r in runs) / len(runs)
    out.update(runs=[r["seconds"] for r in runs], cpu_runs=[r["cpu"] for r in runs],
               tree_rss=max(r["tree_rss"] for r in runs), load=[runs[0]["load"][0], runs[-1]["load"][1]]
               if all("load" in r for r in runs) else None)
    return out


# ---- verdicts and the table ------------------------------------------------------------------
def verdicts(res: dict) -> list[dict]:
    """One row per target: what was measured, the target, pass or fail."""
    out = []
    nproc = res["machine"]["nproc"] or 1

    def add(what, measured, target, ok, note=""):
        out.append({"target": what, "measured": measured, "goal": target, "pass": bool(ok), "note": note})

    rd = res.get("reading")
    if rd:
        vs_pandas = rd["pandas_openpyxl"] / rd["read_returns"]
        vs_cal = rd["read_returns"] / rd["calamine"]
        add("读取吞吐 / pandas+openpyxl 逐个读取", f"{vs_pandas:.1f}×", f"≥ {TARGETS['vs_pandas']:g}×",
            vs_pandas >= TARGETS["vs_pandas"], f"{rd['files']} 个文件")
        add("读取耗时 / 裸 python-calamine", f"{vs_cal:.2f}×", f"≤ {TARGETS['vs_calamine']:g}×",
            vs_cal <= TARGETS["vs_calamine"], f"{rd['files']} 个文件，{rd['cells']} 个单元格")
    city, imp = res.get("city"), res.get("imports")
    if city and imp:
        ratio = city["first"]["seconds"] / imp["seconds"]
        add("全市一个季度（27份报表→全部输出）/ 导入四个库", f"{ratio:.2f}×",
            f"≤ {TARGETS['city_vs_imports']:g}×", ratio <= TARGETS["city_vs_imports"],
            f"{city['first']['quarter']}，首次（无缓存）{city['first']['seconds']:.2f} 秒；"
            f"导入 {imp['seconds']:.2f} 秒")
    sc = res.get("scale") or []
    for a, b in zip(sc, sc[1:], strict=False):
        ratio, files = b["seconds"] / a["seconds"], b["n"] / a["n"]
        best_of = (f"，{len(a['runs'])} 次与 {len(b['runs'])} 次的平均"
                   if len(a.get("runs", [])) > 1 or len(b.get("runs", [])) > 1 else "")
        add(f"线性：{b['n']} 份 / {a['n']} 份耗时", f"{ratio:.2f}×",
            f"≤ {files * TARGETS['linear']:.3g}×", ratio <= files * TARGETS["linear"], "墙钟时间" + best_of)
        cpu = b["cpu"] / a["cpu"]
        add(f"线性：{b['n']} 份 / {a['n']} 份 CPU 时间", f"{cpu:.2f}×",
            f"≤ {files * TARGETS['linear']:.3g}×", cpu <= files * TARGETS["linear"],
            "用户+系统 CPU 秒（含子进程），不受其他进程争用影响" + best_of)
    if sc:
        big = sc[-1]
        add(f"峰值内存（{big['n']} 份，进程树）", _mib(big["tree_rss"]), "< 1 GiB",
            big["tree_rss"] < TARGETS["memory"], "各规模：" + "、".join(_mib(r["tree_rss"]) for r in sc))
        add(f"CPU 利用率（{big['n']} 份，读取阶段）", f"{big['read_cpu_util']:.2f} 核",
            f"≥ {TARGETS['busy_share'] * nproc:.2f} 核（{nproc} 核）",
            big["read_cpu_util"] >= TARGETS["busy_share"] * nproc,
            f"读取+核对+评分全程 {big['cpu_util']:.2f} 核")
    hist = res.get("history")
    if hist:
        longest, shortest = hist[max(hist)], hist[min(hist)]
        ratio = longest["warm"] / longest["imports"]
        add(f"全市季度，{max(hist)} 个季度历史，缓存命中 / 导入四个库", f"{ratio:.2f}×",
            f"≤ {TARGETS['history_vs_imports']:g}×", ratio <= TARGETS["history_vs_imports"],
            f"{longest['warm']:.2f} 秒 / {longest['imports']:.2f} 秒")
        growth = longest["warm"] / shortest["warm"]
        add(f"{max(hist)} 个季度历史 / {min(hist)} 个季度历史（缓存命中）", f"{growth:.2f}×",
            f"≤ {TARGETS['history_growth']:g}×", growth <= TARGETS["history_growth"],
            "、".join(f"{n} 季 {h['warm']:.2f} 秒" for n, h in sorted(hist.items())))
        cold = longest["cold"] / longest["warm"]
        add(f"{max(hist)} 个季度历史，无解析缓存 / 缓存命中", f"{cold:.2f}×",
            f"≤ {TARGETS['history_cold']:g}×", cold <= TARGETS["history_cold"],
            f"{longest['cold']:.2f} 秒 / {longest['warm']:.2f} 秒")
    fr = res.get("fullrun") or []
    for a, b in zip(fr, fr[1:], strict=False):
        ratio, units = b["seconds"] / a["seconds"], b["n"] / a["n"]
        add(f"完整运行线性：{b['n']} 份 / {a['n']} 份耗时", f"{ratio:.2f}×", f"≤ {units * TARGETS['linear']:.3g}×",
            ratio <= units * TARGETS["linear"], f"CPU 时间 {b['cpu'] / a['cpu']:.2f}×")
    if fr:
        big = fr[-1]
        pss = big.get("tree_pss", big["tree_rss"])
        add(f"完整运行峰值内存（{big['n']} 份，进程树 PSS）", _mib(pss), "< 1 GiB", pss < TARGETS["memory"],
            f"各进程 RSS 之和（共享页重复计入）{_mib(big['tree_rss'])}")
    ck = res.get("check")
    if ck:
        ratio = ck["pandas"] / ck["check"]
        add(f"zwgk check（{ck['files']} 份，全部输出）/ pandas+openpyxl 逐个读取", f"{ratio:.1f}×",
            f"≥ {TARGETS['check_vs_pandas']:g}×", ratio >= TARGETS["check_vs_pandas"],
            f"check {ck['check']:.1f} 秒，pandas {ck['pandas']:.1f} 秒（均为全新进程，各取 "
            f"{len(ck.get('check_all', [0]))} 次中最快；各次 check {ck.get('check_all', '—')}，pandas {ck.get('pandas_all', '—')}；"
            f"工作区所在目录新建一个文件 {ck.get('create_ms', '—')} 毫秒）")
    hp = res.get("help")
    if hp:
        add("zwgk --help", f"{hp['seconds']:.3f} 秒", f"< {TARGETS['help']:g} 秒", hp["seconds"] < TARGETS["help"])
    return out


def _spread(xs: list[float]) -> str:
    """"1.41–2.53（20 次）", or the one figure."""
    return f"{min(xs):.2f}–{max(xs):.2f}（{len(xs)} 次）" if len(xs) > 1 else f"{xs[0]:.2f}"


def _mib(n: float) -> str:
    return f"{n / 1024 ** 2:.0f} MiB"


def markdown(res: dict) -> str:
    m = res["machine"]
    lines = [f"# 性能基准 {m['date']}", "",
             f"机器：{m['nproc']} 核 {m['cpu']}，内存 {m['memory']}，Python {m['python']}（{m['platform']}）；"
             f"负载（1/5/15 分钟平均）开始 {m['load_average']}、结束 {m.get('load_average_end', '')}"
             + ("（快速模式）" if res.get("quick") else ""),
             "", "同一台机器上若有其他进程争用 CPU，墙钟时间和 CPU 利用率会偏低，CPU 秒基本不受影响。", "",
             "| 目标 | 实测 | 要求 | 结论 | 说明 |", "|---|---|---|---|---|"]
    for v in res["verdicts"]:
        lines.append(f"| {v['target']} | {v['measured']} | {v['goal']} | {'通过' if v['pass'] else '未达到'} | {v['note']} |")
    rd = res.get("reading")
    if rd:
        lines += ["", f"读取（{rd['files']} 个 .xlsx 文件）：", "", "| 读取方式 | 秒 | 文件/秒 |", "|---|---|---|"]
        for label, key in (("pandas.read_excel(openpyxl) 逐个", "pandas_openpyxl"),
                           ("python-calamine 裸读全部单元格（单进程）", "calamine"),
                           ("read_returns（流水线）", "read_returns"),
                           ("read_returns（workers=0，本进程单核，仅供参考）", "read_returns_serial"),
                           ("read_returns（解析缓存命中）", "read_returns_cached")):
            if key in rd:
                lines.append(f"| {label} | {rd[key]:.2f} | {rd['files'] / rd[key]:.0f} |")
    city = res.get("city")
    if city:
        lines += ["", "全市季度（全新进程，含解释器启动与导入）：", "",
                  "| 运行 | 季度 | 文件 | 输出 | 秒 | CPU 秒 | 峰值内存 |", "|---|---|---|---|---|---|---|"]
        for label, key in (("首季度，无缓存", "first"), ("首季度，缓存命中", "first_warm"),
                           ("末季度（连同前四个季度）", "last")):
            c = city[key]
            lines.append(f"| {label} | {c['quarter']} | {c['files']} | {c['outputs']} | {c['seconds']:.2f} | "
                         f"{c['cpu']:.2f} | {_mib(c['tree_rss'])} |")
        lines.append(f"\n导入 pandas、matplotlib、openpyxl、xlsxwriter（全新进程）：{res['imports']['seconds']:.2f} 秒")
    hist = res.get("history")
    if hist:
        lines += ["", "全市季度与历史长度（全新进程；每次运行与导入基线交替，各取最快）：", "",
                  "| 历史季度数 | 季度 | 缓存命中 秒 | 无解析缓存 秒 | 导入基线 秒 |", "|---|---|---|---|---|"]
        for n, h in sorted(hist.items()):
            lines.append(f"| {n} | {h['quarter']} | {h['warm']:.2f} | {h['cold']:.2f} | {h['imports']:.2f} |")
    sc = res.get("scale")
    if sc:
        how = ("每次运行一个全新进程；小规模连续多次运行，使各规模的运行时长相近，次序由小到大再由大到小，"
               "表中为各次的平均（峰值内存取最大）"
               if any(len(r.get("runs", [])) > 1 for r in sc) else "每个规模一个全新进程")
        lines += ["", f"规模（{how}；秒数为读取+核对+评分，不含导入和参考数据加载）：", "",
                  "| 报表数 | 读取 秒 | 核对 秒 | 评分 秒 | 合计 秒 | CPU 秒 | 文件/秒 | CPU 利用率（读取/全程） "
                  "| 峰值内存（进程树） | 参考数据加载 秒 | 负载（前/后） | 各次合计 秒（次数） | 各次 CPU 秒 |",
                  "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
        for r in sc:
            load = r.get("load") or ["", ""]
            lines.append(f"| {r['files']} | {r['read']:.2f} | {r['reconcile']:.2f} | {r['score']:.2f} | "
                         f"{r['seconds']:.2f} | {r['cpu']:.2f} | {r['files'] / r['seconds']:.0f} | "
                         f"{r['read_cpu_util']:.2f} / {r['cpu_util']:.2f} | {_mib(r['tree_rss'])} | "
                         f"{r['reference']:.2f} | {load[0]} / {load[1]} | "
                         f"{_spread(r.get('runs', [r['seconds']]))} | {_spread(r.get('cpu_runs', [r['cpu']]))} |")
    fr = res.get("fullrun")
    if fr:
        lines += ["", "完整运行（zwgk run，全新进程，写出全部输出含各单位反馈表；每个规模一次）：", "",
                  "| 报表数 | 秒 | CPU 秒 | 峰值内存（进程树 RSS 之和） | 峰值内存（PSS） | 反馈表 | 输出大小 | 负载 |",
                  "|---|---|---|---|---|---|---|---|"]
        for r in fr:
            load = r.get("load") or ["", ""]
            lines.append(f"| {r['n']} | {r['seconds']:.1f} | {r['cpu']:.1f} | {_mib(r['tree_rss'])} | "
                         f"{_mib(r.get('tree_pss', r['tree_rss']))} | "
                         f"{r['feedback']} | {_mib(r['bytes'])} | {load[0]} / {load[1]} |")
    ck = res.get("check")
    if ck:
        lines += ["", "zwgk check 对比 pandas+openpyxl 逐个读取（全新进程，同一批文件）：", "",
                  "| 报表数 | check 秒 | check CPU 秒 | check 峰值内存 | 反馈表 | 再次 check 秒（缓存已有） | pandas 秒 | "
                  "pandas CPU 秒 | 负载 |",
                  "|---|---|---|---|---|---|---|---|---|",
                  f"| {ck['files']} | {ck['check']:.1f} | {ck['check_cpu']:.1f} | {_mib(ck['check_tree_rss'])} | "
                  f"{ck['feedback']} | {_again(ck)} | {ck['pandas']:.1f} | {ck['pandas_cpu']:.1f} | "
                  f"{ck['load'][0]} / {ck['load'][1]} |"]
    return "\n".join(lines) + "\n"


def _again(ck: dict) -> str:
    return f"{ck['again']:.1f}" if "again" in ck else "—"  # results saved before it was measured


def main(argv: list[str] | None = None) -> dict:
    p = argparse.ArgumentParser(prog="python -m tools.bench", description="性能基准（结果写入 outputs/bench/）")
    p.add_argument("--quick", action="store_true", help="小规模（30、60 份），用于冒烟测试")
    p.add_argument("--out", type=Path, default=Path("outputs/bench"), help="结果目录")
    p.add_argument("--corpus", type=Path, default=None, help="合成报表缓存目录（默认 <out>/corpus）")
    p.add_argument("--scales", default=None, help="规模，逗号分隔，如 100,1000,10000")
    p.add_argument("--fullrun", default=None, help="完整运行的规模，逗号分隔，如 1000,10000")
    p.add_argument("--check-vs-pandas", type=int, default=None, metavar="N",
                   help="zwgk check 对比 pandas 逐个读取的报表数（默认 2000，--quick 为 30）")
    p.add_argument("--skip", action="append", default=[],
                   choices=["reading", "city", "scale", "fullrun", "help", "history", "check"],
                   help="跳过某项测量（可多次使用）")
    p.add_argument("--scale-worker", nargs=3, metavar=("FOLDER", "REFERENCE", "QUARTER"), help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.scale_worker:
        scale_worker(*args.scale_worker)
        return {}
    cfg = QUICK if args.quick else FULL
    scales = tuple(int(s) for s in args.scales.split(",")) if args.scales else cfg["scales"]
    corpus_root = args.corpus or args.out / "corpus"

    def log(msg):
        print(msg, file=sys.stderr, flush=True)

    from tools.bench.bench_data import QUARTER, scale_folder

    res: dict = {"machine": machine(), "quick": args.quick, "targets": TARGETS}
    t_all = time.perf_counter()
    if "help" not in args.skip:
        log("zwgk --help ……")
        res["help"] = bench_help(max(cfg["repeat"], 3))
    if "city" not in args.skip:
        log("导入基线与全市季度 ……")
        with tempfile.TemporaryDirectory(prefix="zwgk-bench-") as work:
            res["city"] = bench_city(Path(work), max(cfg["repeat"], 3))
        res["imports"] = res["city"].pop("imports")
    if "history" not in args.skip:
        from tools.bench.history import bench_history

        with tempfile.TemporaryDirectory(prefix="zwgk-history-") as work:
            res["history"] = bench_history(Path(work), cfg["history"], max(cfg["repeat"], 3), log)
    if "reading" not in args.skip:
        folder, ref_dir = scale_folder(corpus_root, cfg["reading"], QUARTER, log=log)
        log(f"读取对比（{cfg['reading']} 份）……")
        res["reading"] = bench_reading(folder, ref_dir, QUARTER, cfg["repeat"])
    if "scale" not in args.skip:
        res["scale"] = bench_scale(corpus_root, scales, QUARTER, log, cfg["rounds"])
    if "fullrun" not in args.skip:
        full = tuple(int(s) for s in args.fullrun.split(",")) if args.fullrun else cfg["fullrun"]
        res["fullrun"] = bench_fullrun(corpus_root, full, QUARTER, log)
    if "check" not in args.skip:
        res["check"] = bench_check_vs_pandas(corpus_root, args.check_vs_pandas or cfg["check"], QUARTER, log,
                                             rounds=cfg["rounds"], pause=0.0 if args.quick else 3.0,
                                             work_root=args.out)
    res["total_seconds"] = time.perf_counter() - t_all
    res["machine"]["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    res["verdicts"] = verdicts(res)
    text = markdown(res)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "bench.md").write_text(text, encoding="utf-8")
    (args.out / "bench.json").write_text(json.dumps(res, ensure_ascii=False, indent=1, default=str),
                                         encoding="utf-8")
    print(text)
    print(f"结果已写入 {args.out / 'bench.md'} 与 {args.out / 'bench.json'}（用时 {res['total_seconds']:.0f} 秒）")
    return res


if __name__ == "__main__":
    main()
