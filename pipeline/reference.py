"""Reference data of the plan (units, tasks, domains, settings): loaded from files, validated.

The shipped set lives in `pipeline/reference/`; `--reference DIR` points at another folder
with the same file names. Every check failure names the file and row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pandas as pd

from .dates import parse_deadline
from .errors import ZwgkError
from .frames import columns, records
from .settings import Settings, SettingsError, load_settings
from .textnorm import norm

SHIPPED = Path(__file__).with_name("reference")
GROUPS = ("base", "dept", "office")
RANKED_GROUPS = ("base", "dept")
# A unit's level follows from the workspace's (settings [reporting] level) and its group: the
# base units are the level below the issuing office, departments and the office its own level.
LEVEL_BELOW = {"city": "county", "county": "township"}
LEVEL_LABELS = {"city": "市级", "county": "县级", "township": "乡级"}
FILES = ("units.csv", "tasks.csv", "domains.csv", "deadline_overrides.csv", "settings.toml")


SUGGEST_MIN_SCORE = 60  # below this score a name is no suggestion at all
UNITS_HINT = "请用 zwgk units 查看单位名录"
SUGGEST_SPREAD = 12     # suggestions score within this many points of the best one


class ReferenceDataError(ZwgkError, ValueError):
    """The reference files are inconsistent; the message names file and row."""


def _read_csv(folder: Path, name: str, columns: list[str]) -> pd.DataFrame:
    path = folder / name
    if not path.exists():
        raise ReferenceDataError(f"参考数据缺少文件：{path}")
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ReferenceDataError(f"{path}：缺少列 {'、'.join(missing)}")
    return frame.map(str.strip)


def _fail(name: str, index: int, what: str) -> ReferenceDataError:
    return ReferenceDataError(f"{name} 第{index + 2}行：{what}")  # +2: header row, 1-based


@dataclass(frozen=True, eq=False, repr=False)
class Reference:
    units: pd.DataFrame
    tasks: pd.DataFrame
    domains: pd.DataFrame
    overrides: pd.DataFrame
    settings: Settings = field(repr=False)
    folder: Path = SHIPPED

    def __repr__(self) -> str:
        return f"Reference({self.folder}: {len(self.units)} units, {len(self.tasks)} tasks, {len(self.domains)} domains)"

    # ---- derived views ----------------------------------------------------------------
    @property
    def level(self) -> str:
        """The level of the workspace's issuing office: "city" or "county"."""
        return self.settings.reporting.level

    @cached_property
    def lead_units(self) -> frozenset[str]:
        return frozenset(self.domains["lead_unit_id"]) - {""}  # "": no lead at this level

    @cached_property
    def reporting_units(self) -> pd.DataFrame:
        """Units expected to send a return (the ranked groups), in reference order."""
        return self.units[self.units["group"].isin(RANKED_GROUPS)].reset_index(drop=True)

    @cached_property
    def assignments(self) -> pd.DataFrame:
        """unit × applicable task with the unit's own deadline (overrides applied)."""
        # The task table is a few dozen rows and the unit table up to a province's townships:
        # iterate plain tuples (a pandas row iterator per unit made 10,000 units take 8 s).
        tasks = list(zip(self.tasks["task_id"], self.tasks["applies_to"].str.split("|"),
                         self.tasks["deadline_text"], strict=True))
        rows = [(unit_id, task_id, text)
                for unit_id, group in columns(self.units, "unit_id", "group")
                for task_id, applies_to, text in tasks
                if _applies(applies_to, unit_id, group, self.lead_units)]
        frame = pd.DataFrame(rows, columns=["unit_id", "task_id", "deadline_text"])
        ov = self.overrides.set_index(["unit_id", "task_id"])["deadline_text"]
        keys = pd.MultiIndex.from_frame(frame[["unit_id", "task_id"]])
        frame["deadline_text"] = ov.reindex(keys).fillna(pd.Series(frame["deadline_text"].values, index=keys)).values
        parsed = {t: parse_deadline(t) for t in frame["deadline_text"].unique()}
        frame["deadline"] = pd.to_datetime([parsed[t] for t in frame["deadline_text"]])
        return frame

    @cached_property
    def domain_duties(self) -> pd.DataFrame:
        """unit × domain the unit must report: base units all 26 (catalogue), leads theirs (plan)."""
        base = self.units.loc[self.units["group"] == "base", "unit_id"]
        cat = pd.MultiIndex.from_product([base, self.domains["domain_id"]]).to_frame(
            index=False, name=["unit_id", "domain_id"])
        cat["kind"] = "catalogue"
        led = self.domains[self.domains["lead_unit_id"] != ""]
        plan = led[["lead_unit_id", "domain_id"]].rename(columns={"lead_unit_id": "unit_id"})
        plan = plan.assign(kind="plan")
        return pd.concat([cat, plan], ignore_index=True)

    @cached_property
    def unit_ids(self) -> frozenset[str]:
        return frozenset(self.units["unit_id"])

    @cached_property
    def _unit_fields(self) -> tuple[dict[str, str], dict[str, str]]:
        """(unit_id → short name, unit_id → group) as dicts: a look-up per file must not scan."""
        u = self.units
        return dict(columns(u, "unit_id", "short_name")), dict(columns(u, "unit_id", "group"))

    @cached_property
    def _alias_index(self) -> dict[str, str]:
        index: dict[str, str] = {}
        for unit in records(self.units):
            names = [unit.unit_id, unit.short_name, unit.name, *unit.aliases.split("|")]
            for name in names:
                if name:
                    index.setdefault(norm(name), unit.unit_id)
        return index

    @cached_property
    def task_ids(self) -> frozenset[int]:
        return frozenset(int(t) for t in self.tasks["task_id"])

    @cached_property
    def domain_ids(self) -> frozenset[int]:
        return frozenset(int(d) for d in self.domains["domain_id"])

    @cached_property
    def tasks_of(self) -> dict[str, frozenset[int]]:
        """unit_id → the task ids that apply to it (a dict: read once per return, per file)."""
        a = self.assignments
        out: dict[str, set[int]] = {}
        for unit, task in columns(a, "unit_id", "task_id"):
            out.setdefault(unit, set()).add(int(task))
        return {u: frozenset(t) for u, t in out.items()}

    @cached_property
    def domains_led(self) -> dict[str, frozenset[int]]:
        """lead unit_id → the domain ids it leads."""
        out: dict[str, set[int]] = {}
        for unit, domain in zip(self.domains["lead_unit_id"], self.domains["domain_id"], strict=True):
            if unit:
                out.setdefault(unit, set()).add(int(domain))
        return {u: frozenset(d) for u, d in out.items()}

    @cached_property
    def domain_by_name(self) -> dict[str, int]:
        """Normalised domain name or alias → domain id."""
        d = self.domains
        out = {norm(n): int(i) for i, n in zip(d["domain_id"], d["name"], strict=True)}
        for i, aliases in zip(d["domain_id"], d["aliases"], strict=True):
            out.update({norm(a): int(i) for a in aliases.split("|") if a})
        return out

    @cached_property
    def catalogue_deadlines(self) -> dict[str, pd.Timestamp]:
        """unit_id → the deadline of its catalogue task (units without one are absent)."""
        rep = self.settings.reporting
        a = self.assignments
        out = {}
        for unit, task, deadline in columns(a, "unit_id", "task_id", "deadline"):
            wanted = rep.catalogue_task_base if self.group(unit) == "base" else rep.catalogue_task_lead
            if task == wanted:
                out.setdefault(unit, deadline)
        return out

    def unit_name(self, unit_id: str) -> str:
        return self._unit_fields[0].get(unit_id, unit_id)

    def catalogue_deadline(self, unit_id: str) -> pd.Timestamp | None:
        """The deadline from which catalogue credit counts only finished work."""
        return self.catalogue_deadlines.get(unit_id)

    def group(self, unit_id: str) -> str:
        return self._unit_fields[1].get(unit_id, "")

    def resolve_unit(self, name: object) -> str | None:
        """Exact match on id, short name, full name or alias (after normalisation); failing
        that, the same with a leading 三门峡市 and a trailing 人民政府 dropped (三门峡市文化广电旅游局
        → 市文化广电旅游局, an alias of 市文化广电和旅游局)."""
        key = norm(name)
        if not key:
            return None
        reporting = self.settings.reporting
        for candidate in _name_variants(key, reporting.name_prefixes, reporting.name_suffixes):
            hit = self._alias_index.get(candidate) or self._alias_index.get(
                candidate.replace("（", "(").replace("）", ")"))
            if hit:
                return hit
        return None

    def suggest_units(self, name: object, limit: int = 3) -> list[str]:
        """Closest known unit names for an unknown one (never applied automatically)."""
        from rapidfuzz import process

        hits = process.extract(norm(name), list(self._alias_index), scorer=_name_score, limit=limit * 4)
        # Only names nearly as close as the closest: "灵宝县人民政俯" suggests 灵宝市, not also
        # 市民政局 (which shares 民政 and scores 60 against the best's 90).
        floor = max(SUGGEST_MIN_SCORE, (hits[0][1] if hits else 0) - SUGGEST_SPREAD)
        out: list[str] = []
        for key, score, _ in hits:
            short = self.unit_name(self._alias_index[key])
            if score >= floor and short not in out:
                out.append(short)
        return out[:limit]

    def unit_hint(self, name: object) -> str:
        """What to tell a user who typed an unknown unit: the close names, else where to look."""
        hints = self.suggest_units(name)
        return f"是否为：{'、'.join(hints)}？" if hints else UNITS_HINT


def _name_score(typed: str, key: str, **kwargs) -> float:
    """How close a typed name is to a known one (0–100, rapidfuzz). A unit id (the ASCII keys)
    counts only as a whole: WRatio's partial match let "nonexist" score 60 against sthj (市生态环境局)
    by two letters. A name may sit inside longer text (a file name), so it keeps WRatio."""
    from rapidfuzz import fuzz

    return (fuzz.ratio if key.isascii() else fuzz.WRatio)(typed, key, **kwargs)


def _name_variants(key: str, prefixes: list[str], suffixes: list[str]):
    """The name, then without a prefix (also as 市…: 三门峡市财政局 → 财政局, 市财政局), each
    also without a suffix (灵宝市人民政府 → 灵宝市)."""
    names = [key]
    for prefix in map(norm, prefixes):
        if prefix and key.startswith(prefix) and len(key) > len(prefix):
            bare = key[len(prefix):]
            names += [bare, "市" + bare]
    for name in names:
        yield name
        for suffix in map(norm, suffixes):
            if suffix and name.endswith(suffix) and len(name) > len(suffix):
                yield name[: -len(suffix)]


def _rows(frame: pd.DataFrame):
    """(index, row as a dict) — iterrows builds a Series per row, which is slow for 10,000 units."""
    return zip(frame.index, frame.to_dict("records"), strict=True)


def _applies(tokens: list[str], unit_id: str, group: str, leads: frozenset[str]) -> bool:
    for token in tokens:
        if token == group or token == unit_id:
            return True
        if token == "lead" and unit_id in leads:
            return True
    return False


def load_reference(folder: str | Path | None = None) -> Reference:
    """Load and validate the reference files; raises ReferenceDataError naming file and row."""
    folder = Path(folder) if folder else SHIPPED
    units = _read_csv(folder, "units.csv", ["unit_id", "order", "group", "short_name", "name",
                                            "parent_id", "is_pilot", "aliases"])
    tasks = _read_csv(folder, "tasks.csv", ["task_id", "applies_to", "deadline_text",
                                            "units_phrase", "source", "text"])
    domains = _read_csv(folder, "domains.csv", ["domain_id", "name", "lead_unit_id", "aliases",
                                                "guideline_title", "guideline_url"])
    overrides = _read_csv(folder, "deadline_overrides.csv", ["task_id", "unit_id", "deadline_text", "source"])
    try:
        settings = load_settings(folder / "settings.toml")
    except SettingsError as exc:
        raise ReferenceDataError(str(exc)) from None

    ids = set(units["unit_id"])
    root = settings.reporting.root_unit_id
    for i, row in _rows(units):
        if not row["unit_id"]:
            raise _fail("units.csv", i, "unit_id 为空")
        if row["group"] not in GROUPS:
            raise _fail("units.csv", i, f"未知分组「{row['group']}」，应为 {'/'.join(GROUPS)}")
        if row["parent_id"] and row["parent_id"] not in ids and row["parent_id"] != root:
            raise _fail("units.csv", i, f"上级单位「{row['parent_id']}」不存在")
        if not row["order"].isdigit():
            raise _fail("units.csv", i, f"排序「{row['order']}」不是整数")
        if settings.reporting.level == "county" and row["group"] == "base" and row["parent_id"] != root:
            raise _fail("units.csv", i, f"乡镇（街道）的上级单位应为本县「{root}」，实际为「{row['parent_id']}」")
    if units["unit_id"].duplicated().any():
        i = units.index[units["unit_id"].duplicated()][0]
        raise _fail("units.csv", i, f"unit_id「{units.loc[i, 'unit_id']}」重复")
    # The short name names a unit's files (its template, its 反馈 workbook) and its returns are
    # recognised by it: two units of one short name would share, and lose, each other's.
    repeated = units["short_name"].duplicated() & units["short_name"].ne("")
    if repeated.any():
        again = units.index[repeated][0]
        first = units.index[units["short_name"] == units.loc[again, "short_name"]][0]
        raise _fail("units.csv", again, f"简称「{units.loc[again, 'short_name']}」与第{first + 2}行重复；"
                    "简称用于模板和反馈表的文件名及识别报表，须各不相同（同名乡镇可加上所属县名区分）")
    units["order"] = units["order"].astype(int)
    units["is_pilot"] = units["is_pilot"].str.lower().isin(["true", "1", "是"])
    units = units.sort_values("order", kind="stable").reset_index(drop=True)
    level = settings.reporting.level
    units["level"] = units["group"].map(lambda g: LEVEL_BELOW[level] if g == "base" else level)

    valid_tokens = set(GROUPS) | {"lead"} | ids
    for i, row in _rows(tasks):
        if not row["task_id"].isdigit():
            raise _fail("tasks.csv", i, f"任务编号「{row['task_id']}」不是整数")
        bad = [t for t in row["applies_to"].split("|") if t not in valid_tokens]
        if bad or not row["applies_to"]:
            raise _fail("tasks.csv", i, f"适用范围「{row['applies_to']}」含未知分组或单位")
        try:
            parse_deadline(row["deadline_text"])
        except ValueError as exc:
            raise _fail("tasks.csv", i, str(exc)) from None
    tasks["task_id"] = tasks["task_id"].astype(int)
    if tasks["task_id"].duplicated().any():
        raise ReferenceDataError("tasks.csv：任务编号重复")
    tasks["deadline"] = pd.to_datetime([parse_deadline(t) for t in tasks["deadline_text"]])

    for i, row in _rows(domains):
        if not row["domain_id"].isdigit():
            raise _fail("domains.csv", i, f"领域编号「{row['domain_id']}」不是整数")
        if row["lead_unit_id"] and row["lead_unit_id"] not in ids:  # empty: no lead at this level
            raise _fail("domains.csv", i, f"牵头单位「{row['lead_unit_id']}」不是已登记的单位")
    domains["domain_id"] = domains["domain_id"].astype(int)

    for i, row in _rows(overrides):
        if row["unit_id"] not in ids:
            raise _fail("deadline_overrides.csv", i, f"单位「{row['unit_id']}」不存在")
        if not row["task_id"].isdigit() or int(row["task_id"]) not in set(tasks["task_id"]):
            raise _fail("deadline_overrides.csv", i, f"任务编号「{row['task_id']}」不存在")
        try:
            parse_deadline(row["deadline_text"])
        except ValueError as exc:
            raise _fail("deadline_overrides.csv", i, str(exc)) from None
    overrides["task_id"] = overrides["task_id"].astype(int)

    return Reference(units, tasks, domains, overrides, settings, folder)
