"""The demo one level down: 灵宝市's own workspace with its 15 townships for 2021Q1 and 2021Q2.

`write_county_demo(city_root)` makes `<city_root>/灵宝市/` with `zwgk init --county 灵宝市`,
names the townships (the step a county does by hand), writes the townships' returns and
receipt logs. After the county's `run`, `send_summaries` puts the summary return into the
city's inputs: the 乡镇汇总 sheet is added to 灵宝市's own return of that quarter (the demo's
filled return stands for the county filling its own tasks in), which it replaces.

| 乡镇 | 情节 | 县级通报/市级汇总中应看到 |
|---|---|---|
| 西阎乡 | 2021Q1 未报送 | 2021Q1 报送14个 |
| 寺河乡 | 2021Q2 迟报（截止后3天收文） | 2021Q2 按时14个 |
| 各乡镇 | 乡级标准目录2020年10月至2021年8月陆续公开 | 目录覆盖率从一季度到二季度上升 |
"""

from __future__ import annotations

import datetime as dt
import io
import random
from pathlib import Path

import pandas as pd

from . import names
from .dates import Quarter, parse_quarter
from .demo import Plan, _day, _fill_info, _name, _report_dates, _state
from .outputs import atomic_path
from .reference import Reference, load_reference
from .templates import build_template, template_filename, workbook_bytes

COUNTY = "灵宝市"
COUNTY_ID = "lingbao"
QUARTERS = ("2021Q1", "2021Q2")
TOWNSHIPS = ["城关镇", "尹庄镇", "朱阳镇", "阳平镇", "故县镇", "豫灵镇", "大王镇", "阳店镇",
             "函谷关镇", "焦村镇", "川口乡", "寺河乡", "苏村乡", "五亩乡", "西阎乡"]
MISSING = {"2021Q1": "西阎乡"}
LATE = {"2021Q2": ("寺河乡", 3)}  # township, days after the due date it is received
D = dt.date


def county_root(city_root: str | Path) -> Path:
    return Path(city_root) / COUNTY


def _name_townships(reference_dir: Path) -> None:
    """Replace init's placeholders with 灵宝市's townships (ids unchanged)."""
    path = reference_dir / "units.csv"
    units = pd.read_csv(path, dtype=str, keep_default_na=False)
    units["short_name"] = TOWNSHIPS[: len(units)]
    units["name"] = units["short_name"].map(lambda n: n + ("人民政府" if n.endswith(("镇", "乡")) else "办事处"))
    units.to_csv(path, index=False, lineterminator="\n")


def _plans(reference: Reference, rng: random.Random) -> dict[str, Plan]:
    """Each township's milestones: catalogues published from 2020-10 to 2021-08 (task 1 closes
    with the last), task 3 by the end of 2020, the 公开专区 (task 4) during the first half of
    2021 for most, the long-running tasks only started."""
    plans = {}
    for unit in reference.reporting_units.itertuples():
        plan = Plan(unit.unit_id, unit.short_name, unit.group)
        pace = rng.randint(0, 240)  # days after 2020-10-01 its catalogues are all published
        for d in reference.domains["domain_id"]:
            published = D(2020, 10, 1) + dt.timedelta(days=rng.randint(0, pace))
            compiled = published - dt.timedelta(days=rng.randint(5, 20))
            plan.domains[int(d)] = (D(2020, 6, 15), compiled, published, rng.randint(4, 20))
        plan.tasks[1] = (D(2020, 6, 15), max(v[2] for v in plan.domains.values()))
        plan.tasks[3] = (D(2020, 8, 1), _day(rng, D(2020, 9, 1), D(2021, 1, 20)))
        plan.tasks[4] = (D(2021, 1, 10), _day(rng, D(2021, 2, 15), D(2021, 8, 15)))
        plan.tasks[5] = (D(2021, 3, 1), None)
        plan.tasks[8] = (D(2020, 6, 1), None)
        for task in (6, 7):
            plan.tasks[task] = (D(2020, 6, 1), None)
            plan.ongoing.add(task)
        plan.people = (_name(rng), f"0398-88{rng.randint(10000, 99999)}", _name(rng))
        plans[unit.unit_id] = plan
    return plans


def _write_quarter(root: Path, reference: Reference, plans: dict[str, Plan], quarter: Quarter,
                   seed: int) -> None:
    rng = random.Random(f"{seed}:{COUNTY}:{quarter}")
    q = str(quarter)
    due = quarter.due_date(reference.settings.reporting.due_day)
    stamp = dt.datetime(quarter.year, 3 * quarter.q, 1, 9, 0)
    folder = root / "inputs" / q
    folder.mkdir(parents=True, exist_ok=True)
    log = []
    for uid, plan in plans.items():
        report, received = _report_dates(rng, quarter, due)
        if MISSING.get(q) == plan.short_name:
            continue
        if q in LATE and LATE[q][0] == plan.short_name:
            report = received = due + dt.timedelta(days=LATE[q][1])
        wb = build_template(reference, uid, quarter, _state(plan, reference, report, rng), generated_at=stamp)
        _fill_info(wb, plan, report)
        name = template_filename(reference, uid, quarter)
        with atomic_path(folder / name) as tmp:
            tmp.write_bytes(workbook_bytes(wb, stamp))
            tmp.chmod(0o644)
        log.append((received, name))
    frame = pd.DataFrame({names.RECEIPT_FILE: [f for _, f in sorted(log)],
                          names.RECEIPT_DATE: [d.isoformat() for d, _ in sorted(log)]})
    (folder / names.RECEIPT_LOG).write_bytes(frame.to_csv(index=False, lineterminator="\n").encode("utf-8-sig"))


def write_county_demo(city_root: str | Path, seed: int = 2020) -> tuple[Path, list[Quarter]]:
    """Write the county workspace `<city_root>/灵宝市/` (reference set and inputs); returns
    (its folder, its quarters). An existing reference set is made again (it is the demo's)."""
    import shutil

    from .county import init_county

    root = county_root(city_root)
    ref_dir = root / "reference"
    if ref_dir.is_dir():
        shutil.rmtree(ref_dir)
    init_county(COUNTY, root, len(TOWNSHIPS))
    _name_townships(ref_dir)
    reference = load_reference(ref_dir)
    plans = _plans(reference, random.Random(f"{seed}:{COUNTY}"))
    quarters = [parse_quarter(q) for q in QUARTERS]
    for quarter in quarters:
        _write_quarter(root, reference, plans, quarter, seed)
    return root, quarters


def send_summary(county_result, city_root: str | Path, city: Reference | None = None) -> Path | None:
    """Put the county's summary return of a quarter into the city's inputs/<Q>/: 灵宝市's own
    return there gains the 乡镇汇总 sheet and is renamed 灵宝市_汇总_<Q>.xlsx (the receipt log
    follows). None when the city has no return of 灵宝市 that quarter."""
    from openpyxl import load_workbook

    from .county.rollup import summary_filename, summary_workbook

    city = city or load_reference()
    quarter = county_result.quarter
    folder = Path(city_root) / "inputs" / str(quarter)
    own = [folder / template_filename(city, COUNTY_ID, quarter)]
    own += sorted(p for p in folder.glob(f"*_{quarter}.xlsx")
                  if p.name.startswith(city.unit_name(COUNTY_ID)) and "_汇总_" not in p.name)
    found = next((p for p in own if p.is_file()), None)
    if found is None:
        return None
    wb = summary_workbook(county_result, city, base=load_workbook(io.BytesIO(found.read_bytes())))
    target = folder / summary_filename(county_result, city)
    stamp = dt.datetime(quarter.year, 3 * quarter.q, 1, 9, 0)
    with atomic_path(target) as tmp:
        tmp.write_bytes(workbook_bytes(wb, stamp))
        tmp.chmod(0o644)
    if found != target:
        found.unlink()
        log = folder / names.RECEIPT_LOG
        if log.is_file():
            text = log.read_bytes().decode("utf-8-sig").replace(found.name + ",", target.name + ",")
            log.write_bytes(text.encode("utf-8-sig"))
    return target
