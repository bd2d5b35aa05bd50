"""Audit of a quarter's standard catalogues: read the folder, check the items, count per unit ×
domain and cross-check the counts against the 事项数量 units report in their returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..dates import Quarter, parse_quarter
from ..ingest.archive import SEPARATOR, ZIP_SUFFIXES, UnreadableArchive, zip_members
from ..ingest.isolation import Failure, map_isolated
from ..issues import ISSUE_COLUMNS, Issue, issues_frame
from ..reference import Reference
from ..safety import defuse_process
from .checks import check_items, empty_items
from .reader import list_catalogues, read_catalogue_file
from .rules import load_rules

AUDIT_COLUMNS = ["quarter", "unit_id", "domain_id", "sent", "items", "complete_items",
                 "share_complete", "reported_count", "count_matches", "source"]
# One row per file found in 目录/: nothing is skipped in silence.
FILE_COLUMNS = ["quarter", "file", "kind", "state", "unit_id", "sheets", "items", "reason"]


def empty_files() -> pd.DataFrame:
    return _files_frame(pd.DataFrame(columns=FILE_COLUMNS))


def _files_frame(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.reindex(columns=FILE_COLUMNS)
    text = [c for c in FILE_COLUMNS if c not in ("sheets", "items")]
    return out.astype({**dict.fromkeys(text, "string"), "sheets": "int64", "items": "int64"}).reset_index(drop=True)


@dataclass
class CatalogueAudit:
    """The tables of a catalogue audit (columns: ITEM_COLUMNS, AUDIT_COLUMNS, ISSUE_COLUMNS, and
    FILE_COLUMNS for the ledger of every file in 目录/)."""

    items: pd.DataFrame
    audit: pd.DataFrame
    issues: pd.DataFrame
    files: pd.DataFrame = field(default_factory=empty_files)

    @property
    def error_count(self) -> int:
        return int((self.issues["severity"] == "error").sum())


_FAILURES = {"memory": "所需内存超过上限", "timeout": "读取超时", "crashed": "解析程序异常终止",
             "error": "读取出错"}
_WORKER_REFERENCE: Reference | None = None


def _init_worker(reference: Reference) -> None:
    global _WORKER_REFERENCE
    _WORKER_REFERENCE = reference
    defuse_process()


def _read_in_worker(path: str, name: str, quarter: str, data: bytes | None = None):
    return read_catalogue_file(Path(path), name, _WORKER_REFERENCE, quarter, data)


def _entries(folder: Path, names: list[str], q: str, files: list[dict], issues: list[Issue]) -> list[tuple]:
    """(path, name, quarter, bytes or None) to read: each file, and each member of a .zip as if it
    lay in the folder (`a.zip!b.xlsx`), under the archive bomb limits of the returns. An archive
    or member that cannot be taken out is listed in `files` with its reason, and an issue."""
    out = []
    for name in names:
        if Path(name).suffix.lower() not in ZIP_SUFFIXES:
            out.append((str(folder / name), name, q, None))
            continue
        try:
            members = zip_members((folder / name).read_bytes())
        except (UnreadableArchive, OSError) as exc:
            _unread(files, issues, q, name, "ZIP", str(exc))
            continue
        for m in members:
            member = f"{name}{SEPARATOR}{m.name}"
            if m.problem:
                _unread(files, issues, q, member, Path(m.name).suffix.lstrip(".").upper(), m.problem)
            else:
                out.append((str(folder / name), member, q, m.data))
    return out


def _unread(files: list[dict], issues: list[Issue], q: str, name: str, kind: str, message: str) -> None:
    issues.append(Issue(code="catalogue-unreadable", file=name, quarter=q, message=message))
    files.append({"quarter": q, "file": name, "kind": kind, "state": "无法读取", "unit_id": "",
                  "sheets": 0, "items": 0, "reason": message})


def audit_catalogues(folder: str | Path, reference: Reference, quarter: Quarter | str,
                     domain_progress: pd.DataFrame | None = None, workers: int | None = None
                     ) -> CatalogueAudit:
    """Audit every catalogue workbook under `folder` (`inputs/<Q>/目录/`); a missing folder gives
    an empty result. `domain_progress` (from the returns) supplies the reported 事项数量."""
    q = str(parse_quarter(quarter))
    folder = Path(folder)
    sheets, raw, issues, files = [], [], [], []
    entries = _entries(folder, [p.relative_to(folder).as_posix() for p in list_catalogues(folder)],
                       q, files, issues)
    names = [e[1] for e in entries]
    # Catalogues are as untrusted as returns: each is read in an isolated worker (ingest.isolation).
    readings = dict(map_isolated(_read_in_worker, entries,
                                 workers=workers, initializer=_init_worker, initargs=(reference,)))
    for i, name in enumerate(names):
        reading = readings[i]
        if isinstance(reading, Failure):  # crashed, out of memory or time, or a reader bug
            message = (f"文件内容无法解析（{_FAILURES.get(reading.kind, reading.kind)}），"
                       "请删除多余的行和列，另存为标准格式的.xlsx后重新报送")
            issues.append(Issue(code="catalogue-unreadable", file=name, quarter=q, message=message))
            files.append({"quarter": q, "file": name, "kind": Path(name).suffix.lstrip(".").upper(),
                          "state": "无法读取", "unit_id": "", "sheets": 0, "items": 0, "reason": message})
            continue
        files.append({"quarter": q, "file": name, "kind": reading.kind, "state": reading.state,
                      "unit_id": "", "sheets": 0, "items": 0, "reason": reading.reason})
        sheets += reading.sheets
        raw += reading.items
        issues += reading.issues
    sheet_frame = pd.DataFrame(sheets, columns=["quarter", "unit_id", "domain_id", "file", "sheet",
                                                "items", "first_cell"])
    raw_frame = pd.DataFrame(raw)
    sheet_frame, raw_frame, source_issues = select_sources(sheet_frame, raw_frame, reference)
    rules = load_rules(reference.folder)
    items, item_issues = check_items(raw_frame, rules) if len(raw_frame) else (empty_items(), [])
    audit, audit_issues = audit_table(items, sheet_frame, reference, q, domain_progress)
    all_issues = issues + source_issues + empty_domain_issues(sheet_frame, reference) + item_issues + audit_issues
    frame = issues_frame(all_issues).reindex(columns=ISSUE_COLUMNS)
    frame = frame.sort_values("file", kind="stable").reset_index(drop=True)  # one file's problems together
    return CatalogueAudit(items, audit, frame, file_ledger(files, sheet_frame, items, all_issues))


def file_ledger(files: list[dict], sheets: pd.DataFrame, items: pd.DataFrame, issues: list[Issue]) -> pd.DataFrame:
    """The `files` table: each file's format, whether it was audited, the unit, the catalogue
    sheets and items taken from it, and why not when it was not."""
    if not files:
        return empty_files()
    frame = pd.DataFrame(files)
    per_sheet = sheets.groupby("file")["sheet"].nunique() if len(sheets) else pd.Series(dtype="int64")
    per_item = items.groupby("file").size() if len(items) else pd.Series(dtype="int64")
    unit = sheets.groupby("file")["unit_id"].first() if len(sheets) else pd.Series(dtype="string")
    frame["sheets"] = frame["file"].map(per_sheet).fillna(0).astype("int64")
    frame["items"] = frame["file"].map(per_item).fillna(0).astype("int64")
    frame["unit_id"] = frame["file"].map(unit).astype("object").fillna("")
    first_error: dict[str, str] = {}
    for issue in sorted(issues, key=lambda i: bool(i.sheet)):  # why a file gave no catalogue: a
        if issue.file and issue.file not in first_error:          # file-level issue first
            first_error[issue.file] = issue.message
    audited = frame["state"] == "已审核"
    none_taken = audited & (frame["sheets"] == 0)
    frame.loc[none_taken, "state"] = "未审核"
    frame.loc[none_taken, "reason"] = [first_error.get(f, r) or "文件中没有可审核的目录工作表"
                                       for f, r in zip(frame.loc[none_taken, "file"], frame.loc[none_taken, "reason"],
                                                       strict=True)]
    return _files_frame(frame)


def select_sources(sheets: pd.DataFrame, raw: pd.DataFrame, reference: Reference
                   ) -> tuple[pd.DataFrame, pd.DataFrame, list[Issue]]:
    """One source file per unit × domain: when two files hold the same domain of a unit, the one
    whose name sorts last wins (sheets of one file are taken together)."""
    if sheets.empty:
        return sheets, raw, []
    last = sheets.groupby(["unit_id", "domain_id"])["file"].transform("max")
    dropped = sheets[sheets["file"] != last]
    issues = []
    names = reference.domains.set_index("domain_id")["name"]
    for row, keep in zip(dropped.itertuples(index=False), last[sheets["file"] != last], strict=True):
        issues.append(Issue(
            code="catalogue-domain-duplicate", file=row.file, sheet=row.sheet, unit_id=row.unit_id,
            quarter=row.quarter,
            message=f"{reference.unit_name(row.unit_id)}的{names[row.domain_id]}领域目录另有文件“{keep}”，"
                    "本表未审核；如本表才是最新版本，请撤回另一份"))
    kept = sheets[sheets["file"] == last].reset_index(drop=True)
    if len(raw):
        keys = set(zip(kept["file"], kept["sheet"], strict=True))
        raw = raw[[k in keys for k in zip(raw["file"], raw["sheet"], strict=True)]].reset_index(drop=True)
    return kept, raw, issues


def empty_domain_issues(sheets: pd.DataFrame, reference: Reference) -> list[Issue]:
    names = reference.domains.set_index("domain_id")["name"]
    return [Issue(code="catalogue-domain-empty", file=s.file, sheet=s.sheet, cell=s.first_cell,
                  unit_id=s.unit_id, quarter=s.quarter,
                  message=f"{names[s.domain_id]}领域目录中没有公开事项，请按标准指引填写事项，"
                          "尚未编制的领域请勿报送空表")
            for s in sheets.itertuples(index=False) if s.items == 0]


def _reported(domain_progress: pd.DataFrame | None, quarter: str) -> pd.DataFrame:
    """unit × domain → the 事项数量 reported (last row wins) and where it was reported."""
    cols = ["unit_id", "domain_id", "reported_count", "reported_at"]
    if domain_progress is None or domain_progress.empty:
        return pd.DataFrame(columns=cols)
    dp = domain_progress
    if "quarter" in dp:
        dp = dp[dp["quarter"].astype("string").fillna(quarter) == quarter]
    if "kind" in dp:
        dp = dp[dp["kind"].astype("string").fillna("catalogue") == "catalogue"]
    where = dp["source"] if "source" in dp else dp.get("file", pd.Series("", index=dp.index))
    out = pd.DataFrame({"unit_id": dp["unit_id"].astype("string"),
                        "domain_id": dp["domain_id"].astype("int64"),
                        "reported_count": pd.to_numeric(dp["item_count"], errors="coerce").astype("Int64"),
                        "reported_at": where.astype("string").fillna("").str.replace(
                            r"!(\d+)$", r"第\1行", regex=True)})
    out = out[out["reported_count"].notna()]
    return out.drop_duplicates(["unit_id", "domain_id"], keep="last")[cols]


def audit_table(items: pd.DataFrame, sheets: pd.DataFrame, reference: Reference, quarter: str,
                domain_progress: pd.DataFrame | None = None) -> tuple[pd.DataFrame, list[Issue]]:
    """`catalogue_audit`: every base unit that sent a catalogue × the 26 domains, with the count
    mismatches against the returns as warnings."""
    units = [u for u in reference.units.loc[reference.units["group"] == "base", "unit_id"]
             if u in set(sheets["unit_id"])]
    if not units:
        return empty_audit(), []
    grid = pd.MultiIndex.from_product([units, reference.domains["domain_id"].tolist()],
                                      names=["unit_id", "domain_id"]).to_frame(index=False)
    counts = items.groupby(["unit_id", "domain_id"]).agg(items=("row", "size"),
                                                          complete_items=("complete", "sum"))
    src = sheets.assign(source=sheets["file"] + "!" + sheets["sheet"]).groupby(
        ["unit_id", "domain_id"])["source"].agg(lambda s: "；".join(dict.fromkeys(s)))
    frame = (grid.merge(counts.reset_index(), how="left", on=["unit_id", "domain_id"])
             .merge(src.reset_index(), how="left", on=["unit_id", "domain_id"])
             .merge(_reported(domain_progress, quarter), how="left", on=["unit_id", "domain_id"]))
    frame["sent"] = frame["source"].notna()
    frame["items"] = frame["items"].fillna(0).astype("int64")
    frame["complete_items"] = frame["complete_items"].fillna(0).astype("int64")
    frame["share_complete"] = (frame["complete_items"] / frame["items"].where(frame["items"] > 0)).astype("float64")
    reported = frame["reported_count"].astype("Int64")
    checkable = frame["sent"] & reported.notna()
    frame["count_matches"] = pd.array([bool(i == r) if c else pd.NA for i, r, c in
                                       zip(frame["items"], reported, checkable, strict=True)], dtype="boolean")
    frame = frame.assign(quarter=quarter, reported_count=reported, source=frame["source"].fillna(""))
    names = reference.domains.set_index("domain_id")["name"]
    issues = []
    first = sheets.drop_duplicates(["unit_id", "domain_id"]).set_index(["unit_id", "domain_id"])
    for row in frame[frame["count_matches"].eq(False).fillna(False)].itertuples(index=False):
        where = first.loc[(row.unit_id, row.domain_id)]
        at = f"（{row.reported_at}）" if row.reported_at else ""
        issues.append(Issue(
            code="catalogue-count-mismatch", file=where["file"], sheet=where["sheet"], unit_id=row.unit_id,
            quarter=quarter,
            message=f"{names[row.domain_id]}领域目录有{row.items}条事项，而季度报表{at}填报的事项数量为"
                    f"{row.reported_count}，请核对后更正目录或报表"))
    return _audit_frame(frame), issues


def _audit_frame(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.reindex(columns=AUDIT_COLUMNS)
    return out.astype({"quarter": "string", "unit_id": "string", "domain_id": "int64", "sent": "bool",
                       "items": "int64", "complete_items": "int64", "share_complete": "float64",
                       "reported_count": "Int64", "count_matches": "boolean",
                       "source": "string"}).reset_index(drop=True)


def empty_audit() -> pd.DataFrame:
    return _audit_frame(pd.DataFrame(columns=AUDIT_COLUMNS))
