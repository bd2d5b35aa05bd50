"""settings.toml as a typed, validated object: every key is read by the code, none is guessed.

A missing, unknown or mistyped key is a `ReferenceDataError` naming the file, the section and
the key, so a typo in the office's edit cannot silently fall back to a default. Sections are
frozen dataclasses; `Settings.replace("bulletin", doc_number=…)` gives a changed copy.
"""

from __future__ import annotations

import dataclasses
import tomllib
import typing
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ZwgkError


class SettingsError(ZwgkError, ValueError):
    """settings.toml does not meet its contract; the message names file, section and key."""


LEVELS = ("city", "county")  # [reporting] level: who issues the returns


@dataclass(frozen=True)
class Reporting:
    due_day: int                 # returns are due on this day of the quarter's last month
    root_unit_id: str            # the root of the unit hierarchy (units.csv parent_id may name it)
    catalogue_task_base: int     # the task whose deadline is a base unit's catalogue deadline
    catalogue_task_lead: int     # the task whose deadline is a lead department's plan deadline
    name_prefixes: list[str]     # dropped from the front of a unit name before matching (三门峡市)
    name_suffixes: list[str]     # dropped from its end (人民政府)
    level: str = "city"          # the level of the issuing office: city (units are counties and
                                 # departments) or county (units are townships and departments)


@dataclass(frozen=True)
class Weights:
    timeliness: float
    completion: float
    catalogue: float
    quality: float


@dataclass(frozen=True)
class Timeliness:
    on_time: float
    late: float
    missing: float


@dataclass(frozen=True)
class Completion:
    on_time: float
    late: float
    overdue: float
    unreported: float
    ongoing_filled: float
    ongoing_empty: float
    no_task_due: float


@dataclass(frozen=True)
class Catalogue:
    base_before: dict[str, float]  # 目录编制状态 → credit before the catalogue deadline
    lead_before: dict[str, float]  # 实施方案状态 → credit before the plan deadline


@dataclass(frozen=True)
class Quality:
    penalty_per_error: float


@dataclass(frozen=True)
class Rules:
    commend_max_rank: int
    trend_threshold: float


@dataclass(frozen=True)
class Bulletin:
    issuer: str
    office: str = ""
    recipients: str = ""
    doc_number: str = ""
    date: str = ""
    contact_person: str = ""
    contact_phone: str = ""
    contact_email: str = ""
    next_steps: list[str] = field(default_factory=list)
    scope: str = ""              # whom the 通报 covers, in its opening sentence
    cc: str = ""                 # 版记 抄送 (left out when empty)
    printer: str = ""            # 版记 印发机关 (default: the issuer)


@dataclass(frozen=True)
class Settings:
    reporting: Reporting
    weights: Weights
    timeliness: Timeliness
    completion: Completion
    catalogue: Catalogue
    quality: Quality
    grades: dict[str, float]     # label → lowest total of the band, highest band first
    rules: Rules
    bulletin: Bulletin

    def replace(self, section: str, **changes) -> Settings:
        return dataclasses.replace(self, **{section: dataclasses.replace(getattr(self, section), **changes)})

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)

    @property
    def lowest_grade(self) -> str:
        return min(self.grades, key=self.grades.get)

    @property
    def best_grade(self) -> str:
        return max(self.grades, key=self.grades.get)

    def grade_of(self, total: float) -> str:
        """The band a total falls in (≥ its lower bound)."""
        for label, floor in sorted(self.grades.items(), key=lambda kv: -kv[1]):
            if total >= floor:
                return label
        return self.lowest_grade


def load_settings(path: Path) -> Settings:
    """Read and validate settings.toml."""
    if not path.exists():
        raise SettingsError(f"参考数据缺少文件：{path}")
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{path}：TOML 格式错误：{exc}") from exc
    settings = _build(Settings, raw, path, "")
    if any(v < 0 for v in dataclasses.asdict(settings.weights).values()):
        raise SettingsError(f"{path}：[weights] 的权重应为非负数")
    if not settings.grades:
        raise SettingsError(f"{path}：[grades] 不能为空")
    if settings.reporting.level not in LEVELS:
        raise SettingsError(f"{path}：[reporting] level 应为 {'/'.join(LEVELS)}，实际为“{settings.reporting.level}”")
    return settings


def _build(cls, raw: dict, path: Path, where: str):
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(raw) - set(fields))
    if unknown:
        raise SettingsError(f"{path}：{_section(where)}未知的设置项 {'、'.join(unknown)}（请检查拼写）")
    values = {}
    for name, f in fields.items():
        key = f"{where}.{name}" if where else name
        if name not in raw:
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                raise SettingsError(f"{path}：缺少设置项 {_label(key)}")
            continue
        values[name] = _value(hints[name], raw[name], path, key)
    return cls(**values)


def _value(kind, value, path: Path, key: str):
    if dataclasses.is_dataclass(kind):
        if not isinstance(value, dict):
            raise SettingsError(f"{path}：{_label(key)} 应为一节（[{key}]）")
        return _build(kind, value, path, key)
    origin = typing.get_origin(kind)
    if origin is dict:
        if not isinstance(value, dict):
            raise SettingsError(f"{path}：{_label(key)} 应为一节（[{key}]）")
        return {str(k): _value(float, v, path, f"{key}.{k}") for k, v in value.items()}
    if origin is list:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise SettingsError(f"{path}：{_label(key)} 应为文字列表")
        return list(value)
    if kind is float and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if kind is int and isinstance(value, int) and not isinstance(value, bool):
        return value
    if kind is str and isinstance(value, str):
        return value
    wanted = {float: "数值", int: "整数", str: "文字"}.get(kind, str(kind))
    raise SettingsError(f"{path}：{_label(key)} 应为{wanted}，实际为“{value}”")


def _section(where: str) -> str:
    return f"[{where}] " if where else ""


def _label(key: str) -> str:
    section, _, name = key.rpartition(".")
    return f"[{section}] {name}" if section else key
