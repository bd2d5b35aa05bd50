"""A quarter as stored in outputs/<Q>/data/, read back as a `QuarterResult`.

`stages.compute_quarters` reads an earlier quarter from here instead of recomputing it when the
quarter is published (its published ranks and criticisms are the record later quarters compare
with, DESIGN §4–5) or when its manifest says the stored tables were made from the very inputs,
reference data and tool version there are now (nothing would change, so nothing is redone).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from . import manifest as M
from . import schemas
from .dates import Quarter
from .errors import ZwgkError
from .reference import Reference
from .result import QuarterResult
from .workspace import Workspace

CORE = ("ledger", "task_progress", "domain_progress", "issues", "reconciliation",
        "domain_reconciliation", "scores")


class StoredQuarterError(ZwgkError):
    """A published quarter's stored tables are missing or broken."""


# What a quarter further back than the last one is read for: its scores (history, trends) and
# its ledger (a return resent from any earlier quarter is recognised by its bytes).
SCORES_ONLY = ("scores", "ledger")


def read_tables(data_dir: Path, names=CORE) -> dict[str, pd.DataFrame]:
    """The tables `names` of data/ (name → frame), each checked against its contract.

    Only what a later quarter compares with (CORE for the quarter just before it, SCORES_ONLY
    further back): the across-quarter tables (history, changes) and the 通报's own (summary,
    catalogues) are not read back, so that a run's cost does not grow with the history."""
    tables = {name: _read(p) for name in names if (p := Path(data_dir) / f"{name}.parquet").is_file()}
    missing = [name for name in names if name not in tables]
    if missing:
        raise schemas.TableContractError(f"缺少数据表 {'、'.join(missing)}")
    for name, frame in tables.items():
        if name in schemas.TABLE_COLUMNS:
            schemas.check(name, frame)
    return tables


def _read(path: Path) -> pd.DataFrame:
    """A table as `pd.read_parquet` reads it, through pyarrow directly: the tables were written
    by pandas, whose metadata gives each column its dtype, and a long history reads two per
    quarter, each a third quicker so."""
    import pyarrow.parquet as pq

    return pq.ParquetFile(path).read().to_pandas()


_EMPTY: dict[str, pd.DataFrame] = {}


def _empty(name: str) -> pd.DataFrame:
    """schemas.empty(name), made once per table (a quarter read for its scores has five)."""
    if name not in _EMPTY:
        _EMPTY[name] = schemas.empty(name)
    return _EMPTY[name].copy()


def load_result(data_dir: Path, quarter: Quarter, reference: Reference, as_of,
                previous: QuarterResult | None = None, names=CORE) -> QuarterResult:
    """The QuarterResult whose tables are in `data_dir` (raises TableContractError or OSError);
    the core tables not in `names` are empty."""
    tables = read_tables(data_dir, names)
    core = {name: tables.pop(name) if name in tables else _empty(name) for name in CORE}
    return QuarterResult(quarter, as_of, reference, **core, extra=tables, previous=previous)


def reusable(manifest: dict | None, inputs: dict[str, str], reference: Reference,
             default_as_of, earlier: dict[str, str] | None = None) -> bool:
    """Whether stored tables can stand in for recomputing: published, or made from the same
    inputs, reference and tool version as of the default date, and not a draft-only leftover."""
    if manifest is None:
        return False
    if M.published(manifest):
        return True
    return (manifest.get("inputs") == inputs
            and manifest.get("reference", {}).get("sha256") == M.reference_hash(reference)
            and manifest.get("tool_version") == M.tool_version()
            and manifest.get("as_of") == default_as_of.isoformat()
            and (earlier is None or manifest.get("earlier_inputs") == earlier))


def usable(workspace: Workspace, quarter: Quarter, reference: Reference, default_as_of,
           memo: dict | None = None) -> dict | None:
    """The manifest of `quarter` when its stored tables may stand in for a recomputation."""
    manifest = M.read(workspace.quarter_outputs(quarter))
    if manifest is None or M.published(manifest):
        return manifest
    inputs = M.quarter_hashes(workspace, quarter, memo)
    earlier = M.earlier_inputs(workspace, quarter, memo)
    return manifest if reusable(manifest, inputs, reference, default_as_of, earlier) else None


def stored_quarter(workspace: Workspace, quarter: Quarter, reference: Reference, default_as_of,
                   previous: QuarterResult | None = None, memo: dict | None = None,
                   names=CORE, manifest: dict | None = None) -> QuarterResult | None:
    """The stored result of `quarter` when it may stand in for a recomputation, else None.

    A published quarter whose tables are missing or broken is an error (its figures are the
    record and must not silently be recomputed from inputs that may have changed since).
    `memo`: input hashes by quarter, shared by the calls of one computation; `names`: the
    tables to read (CORE or SCORES_ONLY); `manifest`: what `usable` returned, if asked before."""
    manifest = manifest or usable(workspace, quarter, reference, default_as_of, memo)
    if manifest is None:
        return None
    try:
        return load_result(workspace.data_dir(quarter), quarter, reference,
                           M.as_date(manifest.get("as_of")) or default_as_of, previous, names)
    except (schemas.TableContractError, OSError, ValueError) as exc:
        if M.published(manifest):
            raise StoredQuarterError(
                f"已发布的{quarter.label}数据表缺失或损坏（{workspace.data_dir(quarter)}：{exc}）："
                f"请从备份恢复 outputs/{quarter}/，或用 zwgk run {quarter} --reopen 重新生成") from None
        return None


def recompute_reason(workspace: Workspace, quarter: Quarter) -> str:
    """Why an earlier quarter is computed again rather than read back (for the user)."""
    if M.read(workspace.quarter_outputs(quarter)) is None:
        return f"{quarter.label}尚无运行结果，本次一并计算（运行 zwgk run {quarter} 后可直接读取）"
    return (f"{quarter.label}的报表、参考数据或工具版本与上次运行时不同，本次重新计算该季度"
            f"（其 outputs/{quarter}/ 未改动；需要时运行 zwgk run {quarter} 更新）")

