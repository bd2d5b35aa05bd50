"""Synthetic province for the benchmark: a reference with many townships and their returns.

`province_reference(n, folder)` writes a reference set with `n` reporting units: the 27 of the
shipped set plus `n - 27` townships (group base) under the eight counties (parent_id). The
returns are made with the template builder and the demo's timeline (`pipeline.demo`), so they
read like real ones, with per-unit variety: report dates, tasks finished late or not at all,
the odd status word or text date, and a few units that send nothing.

A unit's file depends only on its id and the quarter (not on `n`), so one corpus of the largest
size serves every scale: `scale_folder` hard-links the first `n` units' files into a folder of
their own. The corpus is written once under `outputs/bench/corpus/` and reused; its folder name
carries `GENERATOR_VERSION`, so changing the generator starts a fresh one.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing as mp
import os
import random
import shutil
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pandas as pd

from pipeline.dates import Quarter, parse_quarter
from pipeline.reference import SHIPPED, Reference, load_reference

GENERATOR_VERSION = 1
QUARTER = "2021Q1"
SHIPPED_REPORTING = 27
_SYLLABLES = ("阳店 故县 朱阳 五亩 焦村 苏村 豫灵 函谷 程村 西阎 川口 寺河 尹庄 大王 阳平 "
              "官道口 观音堂 张湾 西李村 菜园 宫前 张村 原店 大营 西张村 硖石 店子 王家后 "
              "仁村 天池 段村 英豪 城关 坡头 果园 洪阳 南村 陈村 仰韶 张汴 杜关 五里川 双槐树 "
              "官坡 徐家湾 狮子坪 横涧 沙河 东明 范里 潘河 瓦窑沟 汤河 文峪 木桐 朱阳关 "
              "东坡 高庙 交口 磁钟 会兴 崖底 向阳 前进 车站 涧河 湖滨 新城 东城 北营 南关").split()
_SUFFIXES = ("镇", "乡", "街道办事处")
_SHORT_SUFFIX = {"镇": "镇", "乡": "乡", "街道办事处": "街道"}


def _township_names(counties: list[tuple[str, str, str]], count: int) -> list[dict]:
    """Distinct township units, round-robin over the counties (id, short name, full name)."""
    rng = random.Random("province-names")
    out, seen = [], set()
    i = 0
    while len(out) < count:
        county_id, county_short, county_name = counties[i % len(counties)]
        base = rng.choice(_SYLLABLES)
        suffix = rng.choice(_SUFFIXES)
        label = base
        if f"{county_short}{label}{_SHORT_SUFFIX[suffix]}" in seen:
            label = f"{base}{len(out) + 1}"  # the same name twice in a county: number it
        short = f"{county_short}{label}{_SHORT_SUFFIX[suffix]}"
        seen.add(short)
        prefix = county_name.removesuffix("人民政府").removesuffix("管理委员会")
        out.append({"unit_id": f"t{len(out) + 1:05d}", "group": "base", "short_name": short,
                    "name": f"{prefix}{label}{suffix}", "parent_id": county_id,
                    "is_pilot": "false", "aliases": ""})
        i += 1
    return out


def province_reference(n: int, folder: str | Path) -> Path:
    """Write a reference set with `n` reporting units (27 shipped + townships) into `folder`."""
    if n < SHIPPED_REPORTING:
        raise ValueError(f"至少需要 {SHIPPED_REPORTING} 个报送单位")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("tasks.csv", "domains.csv", "deadline_overrides.csv", "settings.toml"):
        shutil.copyfile(SHIPPED / name, folder / name)
    units = pd.read_csv(SHIPPED / "units.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    counties = [(r.unit_id, r.short_name, r.name) for r in units.itertuples() if r.group == "base"]
    towns = pd.DataFrame(_township_names(counties, n - SHIPPED_REPORTING))
    if len(towns):
        towns["order"] = [str(len(units) + 1 + i) for i in range(len(towns))]
        units = pd.concat([units, towns[units.columns]], ignore_index=True)
    units.to_csv(folder / "units.csv", index=False, encoding="utf-8")
    return folder


# ---- returns ------------------------------------------------------------------------------
_REF: Reference | None = None


def _plan(reference: Reference, unit, rows: pd.DataFrame, rng: random.Random):
    """A unit's timeline as in demo._timeline, with province-wide variety mixed in."""
    from pipeline import demo

    plan = demo.Plan(unit.unit_id, unit.short_name, unit.group)
    if unit.group == "base":
        plan.domains = demo._catalogue(rng, unit.unit_id)
    elif unit.unit_id in reference.lead_units:
        led = reference.domains.loc[reference.domains["lead_unit_id"] == unit.unit_id, "domain_id"]
        plan.domains = demo._plans(rng, unit.unit_id, [int(d) for d in led])
    for row in rows.itertuples():
        task_id = int(row.task_id)
        deadline = None if pd.isna(row.deadline) else row.deadline.date()
        if deadline is None:
            plan.ongoing.add(task_id)
        start, done = demo._task_window(rng, unit.unit_id, task_id, deadline)
        if task_id == 4 and plan.domains:
            start, done = min(v[0] for v in plan.domains.values()), max(v[1] for v in plan.domains.values())
        elif task_id == 5 and plan.domains:
            start, done = min(v[0] for v in plan.domains.values()), max(v[2] for v in plan.domains.values())
        roll = rng.random()
        if done is not None and deadline is not None and roll < 0.08:  # finished late
            done = deadline + dt.timedelta(days=rng.randint(3, 60))
        elif done is not None and roll < 0.12:  # not finished yet
            done = None
        if done is not None:
            start = min(start, done - dt.timedelta(days=20))
        plan.tasks[task_id] = (start, done)
    plan.people = (demo._name(rng), f"0398-{rng.randint(2000000, 8999999)}", demo._name(rng))
    return plan


def unit_return(reference: Reference, unit_id: str, quarter: Quarter) -> tuple[str, bytes] | None:
    """(file name, .xlsx bytes) of one unit's return, or None if the unit sends nothing."""
    from pipeline import demo
    from pipeline.templates import build_template, template_filename, workbook_bytes

    rng = random.Random(f"{GENERATOR_VERSION}:{unit_id}:{quarter}")
    if rng.random() < 0.03:
        return None
    unit = reference.units.set_index("unit_id").loc[unit_id]
    unit = pd.Series({"unit_id": unit_id, **unit.to_dict()})
    a = reference.assignments
    plan = _plan(reference, unit, a[a["unit_id"] == unit_id], rng)
    due = quarter.due_date(reference.settings.reporting.due_day)
    report = due - dt.timedelta(days=rng.randint(1, 9))
    if rng.random() < 0.06:  # a late return
        report = due + dt.timedelta(days=rng.randint(1, 10))
    tasks, domains = demo._state(plan, reference, report, rng)
    stamp = dt.datetime(quarter.year, 3 * quarter.q, 1, 9, 0)
    wb = build_template(reference, unit_id, quarter, (tasks, domains), generated_at=stamp)
    demo._fill_info(wb, plan, report)
    roll = rng.random()
    if roll < 0.02:
        demo._apply(wb, "status", rng.choice(list(plan.tasks)), "基本完成")
    elif roll < 0.07:
        demo._apply(wb, "text_dates", None, rng.choice(["{y}.{m}.{d}", "{y}年{m}月{d}日", "{y}/{m}/{d}"]))
    elif roll < 0.09:
        demo._apply(wb, "blank_note", 12, None)
    return template_filename(reference, unit_id, quarter), workbook_bytes(wb, stamp)


def _init(reference: Reference) -> None:
    global _REF
    _REF = reference


def _write_chunk(unit_ids: list[str], quarter: Quarter, folder: str) -> list[tuple[str, str]]:
    """Write the returns of `unit_ids` into `folder`; (unit_id, file name) of those written."""
    out = []
    for unit_id in unit_ids:
        made = unit_return(_REF, unit_id, quarter)
        if made is None:
            continue
        name, data = made
        tmp = Path(folder) / f".{name}.tmp"
        tmp.write_bytes(data)
        tmp.replace(Path(folder) / name)
        out.append((unit_id, name))
    return out


def corpus(root: str | Path, n: int, quarter: str = QUARTER, workers: int | None = None,
           log=print) -> tuple[Path, Reference, pd.DataFrame]:
    """The corpus of `n` reporting units under `root` (generated once, then reused).

    Returns (folder with every file, reference, index frame unit_id → file). A corpus of at
    least `n` units of the same generator version is reused as it is.
    """
    q = parse_quarter(quarter)
    root = Path(root)
    for old in sorted(root.glob(f"v{GENERATOR_VERSION}-{q}-*"), key=lambda p: -int(p.name.rsplit("-", 1)[1])):
        if int(old.name.rsplit("-", 1)[1]) >= n and (old / "index.csv").exists():
            ref = load_reference(old / "reference")
            return old / "files", ref, pd.read_csv(old / "index.csv", dtype=str)
    base = root / f"v{GENERATOR_VERSION}-{q}-{n}"
    shutil.rmtree(base, ignore_errors=True)
    files = base / "files"
    files.mkdir(parents=True)
    ref = load_reference(province_reference(n, base / "reference"))
    ids = list(ref.reporting_units["unit_id"])
    ref.assignments  # noqa: B018  (computed once, inherited by the forked writers)
    workers = workers or os.cpu_count() or 1
    log(f"生成合成报表 {len(ids)} 份（只需一次，写入 {base}）……")
    chunks = [ids[i:i + 100] for i in range(0, len(ids), 100)]
    written: list[tuple[str, str]] = []
    if workers > 1 and "fork" in mp.get_all_start_methods():
        with ProcessPoolExecutor(workers, mp_context=mp.get_context("fork"),
                                 initializer=_init, initargs=(ref,)) as pool:
            for part in pool.map(_write_chunk, chunks, [q] * len(chunks), [str(files)] * len(chunks)):
                written += part
    else:
        _init(ref)
        for chunk in chunks:
            written += _write_chunk(chunk, q, str(files))
    index = pd.DataFrame(written, columns=["unit_id", "file"])
    index.to_csv(base / "index.csv", index=False)  # last: marks the corpus complete
    return files, ref, index


def scale_folder(root: str | Path, n: int, quarter: str = QUARTER, log=print) -> tuple[Path, Path]:
    """(inputs folder, reference folder) for `n` reporting units, hard-linked from the corpus."""
    files, _ref, index = corpus(root, n, quarter, log=log)
    q = parse_quarter(quarter)
    base = Path(root) / f"v{GENERATOR_VERSION}-{q}-scale-{n}"
    folder, ref_dir = base / str(q), base / "reference"
    if not (base / "done").exists():
        shutil.rmtree(base, ignore_errors=True)
        folder.mkdir(parents=True)
        province_reference(n, ref_dir)
        wanted = set(load_reference(ref_dir).reporting_units["unit_id"])
        for row in index[index["unit_id"].isin(wanted)].itertuples():
            try:
                os.link(files / row.file, folder / row.file)
            except OSError:  # another file system: copy
                shutil.copyfile(files / row.file, folder / row.file)
        (base / "done").write_text("ok")
    return folder, ref_dir
