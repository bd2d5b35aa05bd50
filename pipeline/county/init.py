"""`zwgk init --county`: a county workspace whose reference set lists the county's townships.

The workspace holds `reference/` (units.csv with placeholder 乡镇/街道 the county renames, the
township tasks shipped in `pipeline/reference/county/`, the city's domains without leads, no
deadline overrides, the county's settings), `inputs/` and `outputs/`. Every command run in the
workspace finds `reference/` through `Workspace.reference_dir`.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from string import Template

from ..errors import ZwgkError
from ..reference import SHIPPED, Reference, load_reference
from ..workspace import INPUTS, OUTPUTS, REFERENCE_DIR

COUNTY_SHIPPED = SHIPPED / "county"  # township tasks and the settings template
DEFAULT_TOWNSHIPS = 15
UNIT_COLUMNS = ["unit_id", "order", "group", "short_name", "name", "parent_id", "is_pilot", "aliases"]


class InitError(ZwgkError):
    """The county is unknown or the workspace already has a reference set."""


def county_unit(county: str, city: Reference | None = None) -> dict:
    """The county's row of the city's units (id, short_name, name); InitError if not a base unit."""
    city = city or load_reference()
    unit_id = city.resolve_unit(county)
    if unit_id is None or city.group(unit_id) != "base":
        base = city.units.loc[city.units["group"] == "base", "short_name"]
        raise InitError(f"「{county}」不是已登记的县（市、区），应为其中之一：{'、'.join(base)}")
    row = city.units[city.units["unit_id"] == unit_id].iloc[0]
    return {"unit_id": unit_id, "short_name": row["short_name"], "name": row["name"]}


def township_placeholders(parent_id: str, count: int) -> list[dict]:
    """`count` placeholder townships (ids t01…; names XX镇01… for the county to replace)."""
    width = max(2, len(str(count)))
    return [{"unit_id": f"t{i:0{width}d}", "order": i, "group": "base",
             "short_name": f"XX镇{i:0{width}d}", "name": f"XX镇{i:0{width}d}人民政府",
             "parent_id": parent_id, "is_pilot": "false", "aliases": ""}
            for i in range(1, count + 1)]


def _csv(rows: list[dict], columns: list[str]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def county_files(county: dict, townships: list[dict], city: Reference) -> dict[str, str]:
    """{file name: text} of a county's reference set."""
    domains = city.domains.assign(lead_unit_id="")  # the county names its own leads, if any
    domain_cols = ["domain_id", "name", "lead_unit_id", "aliases", "guideline_title", "guideline_url"]
    short = county["short_name"]
    issuer = county["name"].removesuffix("人民政府") + "人民政府办公室"
    settings = Template((COUNTY_SHIPPED / "settings.toml").read_text(encoding="utf-8")).substitute(
        county=short, root=county["unit_id"], issuer=issuer, office=issuer + "政务公开办公室",
        short_name=short, doc_example=f"{short[0]}政办〔2021〕1号")
    return {
        "units.csv": _csv(townships, UNIT_COLUMNS),
        "tasks.csv": (COUNTY_SHIPPED / "tasks.csv").read_text(encoding="utf-8"),
        "domains.csv": _csv(domains[domain_cols].to_dict("records"), domain_cols),
        "deadline_overrides.csv": "task_id,unit_id,deadline_text,source\n",
        "settings.toml": settings,
    }


def init_county(county: str, folder: str | Path, townships: int = DEFAULT_TOWNSHIPS,
                city: Reference | None = None) -> Reference:
    """Write a county workspace at `folder` and return its reference set, loaded and validated.

    Refuses (InitError) when `folder/reference/` already has files: a county's edited names and
    deadlines are never overwritten."""
    if townships < 1:
        raise InitError("乡镇（街道）数量应至少为1")
    city = city or load_reference()
    unit = county_unit(county, city)
    root = Path(folder)
    ref_dir = root / REFERENCE_DIR
    if ref_dir.is_dir() and any(ref_dir.iterdir()):
        raise InitError(f"{ref_dir} 已存在且不为空，为免覆盖已修改的参考数据，未作任何改动")
    ref_dir.mkdir(parents=True, exist_ok=True)
    for name, text in county_files(unit, township_placeholders(unit["unit_id"], townships), city).items():
        (ref_dir / name).write_text(text, encoding="utf-8")
    (root / INPUTS).mkdir(exist_ok=True)
    (root / OUTPUTS).mkdir(exist_ok=True)
    return load_reference(ref_dir)
