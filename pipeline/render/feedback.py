"""反馈/<单位简称>.xlsx: per unit, the issues to fix and (after a run) its task verdicts, to send back."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import io
import json
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd

from .. import names as N
from ..dates import Quarter
from ..fingerprint import code_fingerprint
from ..formatting import cn_date, iso_date, location
from ..frames import records
from ..outputs import XLSX_OPTIONS, replace_with, write_new
from ..processes import Forked, can_fork
from ..reference import Reference
from .palette import HEADER_FILL
from .xlsx_fill import MARK, Prototype, Sheet, cell_value

FEEDBACK_DIR = "反馈"
ISSUE_HEADERS = ["位置", "严重程度", "问题说明"]
VERDICT_HEADERS = ["任务编号", "工作任务", "时间进度", "填报状态", "完成时间", "核对结果", "逾期天数", "说明"]


def _issue_rows(issues: pd.DataFrame) -> dict[str, list[list[str]]]:
    """unit_id → its issue rows, errors first, then by file and sheet (one sort, one pass over
    plain column lists)."""
    ordered = issues.assign(_e=issues["severity"] != "error").sort_values(["_e", "file", "sheet"], kind="stable")
    out: dict[str, list[list[str]]] = {}
    for unit, file, sheet, cell, severity, message in zip(
            *(ordered[c].tolist() for c in ("unit_id", "file", "sheet", "cell", "severity", "message")), strict=True):
        out.setdefault(unit, []).append([location(file, sheet, cell), N.SEVERITY_LABELS.get(severity, severity),
                                         message])
    return out


NOTES = {"overdue": "请尽快完成并在下期报送完成时间", "late": "已完成但超过时限",
         "unreported": "报表中没有本任务，请补报"}


def _verdict_rows(recon: pd.DataFrame, texts: dict) -> dict[str, list[list[object]]]:
    """unit_id → its verdict rows in task order (one sort, one pass over plain column lists:
    itertuples over the Arrow-backed text columns was a third of the feedback's time at 2,000 units)."""
    r = recon.sort_values("task_id", kind="stable")
    done = r["completed_on"]
    done = (done.dt.strftime("%Y-%m-%d").where(done.notna(), "") if pd.api.types.is_datetime64_any_dtype(done)
            else done.map(iso_date)).tolist()
    days = [int(d) if pd.notna(d) else "" for d in r["days_overdue"].tolist()]
    out: dict[str, list[list[object]]] = {}
    for unit, task, deadline, status, verdict, on, late in zip(
            r["unit_id"].tolist(), r["task_id"].tolist(), r["deadline_text"].tolist(),
            r["reported_status"].tolist(), r["verdict"].tolist(), done, days, strict=True):
        status = status if isinstance(status, str) else None
        out.setdefault(unit, []).append(
            [int(task), str(texts.get(task, ""))[:60], deadline,
             N.TASK_STATUS_LABELS.get(status, "（未填或无效）" if verdict != "unreported" else ""),
             on, N.VERDICT_LABELS.get(verdict, verdict), late, NOTES.get(verdict, "")])
    return out


def write_feedback(out_dir: str | Path, reference: Reference, quarter: Quarter, issues: pd.DataFrame,
                   reconciliation: pd.DataFrame | None = None, ledger: pd.DataFrame | None = None,
                   cache_dir: str | Path | None = None, first: Callable[[], object] | None = None
                   ) -> list[Path]:
    """Write `out_dir/反馈/<单位简称>.xlsx` for each unit with issues or verdicts; returns the paths.
    `first`: other work of the caller's, done by this process before it writes workbooks (with
    two writers, while the other one already does: see in_two).

    With the `ledger`, a unit that sent no accepted return is told so rather than that its
    return is free of problems. With `cache_dir` (outputs/.cache), a workbook whose content is
    that of one written before is copied from there instead of written again (FeedbackCache)."""
    folder = Path(out_dir) / FEEDBACK_DIR
    with_issues = set(issues["unit_id"].dropna())
    with_verdicts = set(reconciliation["unit_id"].dropna()) if reconciliation is not None else set()
    returned = (set(ledger.loc[ledger["state"] == "accepted", "unit_id"].dropna())
                if ledger is not None else None)
    due = quarter.due_date(reference.settings.reporting.due_day)
    # split once (not one mask, sort and frame walk per unit): 27 units, or thousands in a province
    texts = dict(zip(reference.tasks["task_id"], reference.tasks["text"], strict=True))
    issues_of = _issue_rows(issues)
    recon_of = _verdict_rows(reconciliation, texts) if reconciliation is not None else {}
    wanted = with_issues | with_verdicts  # once: a union per unit is quadratic
    jobs = []
    for unit in records(reference.units):
        if unit.unit_id not in wanted:
            continue
        empty = ("本期报表未发现需整改的问题。" if returned is None or unit.unit_id in returned else
                 f"本季度未收到本单位的报表（应于{cn_date(due)}前报送），请尽快补报。")
        verdicts = recon_of.get(unit.unit_id, []) if reconciliation is not None else None
        jobs.append((folder / f"{unit.short_name}.xlsx", unit.short_name, issues_of.get(unit.unit_id, []),
                     verdicts, empty))
    cache = None
    if cache_dir is not None:
        with contextlib.suppress(OSError):  # this module's source unreadable: written without
            cache = FeedbackCache(cache_dir, quarter)
    keys = [cache.key(job) if cache else "" for job in jobs]
    # A folder made here (the check set's staged folder) holds no file yet: each workbook is
    # created at its name, or linked from the cache, with no temporary name and rename (two
    # thousand of each cost ~0.3 s of system calls); into an existing folder, each replaces
    # its file in one rename.
    fresh = not folder.exists()
    folder.mkdir(parents=True, exist_ok=True)
    for verdicts in {job[3] is not None for job in jobs}:
        _prototype(verdicts, quarter)  # made once, before the writer forks
    in_two(list(zip(jobs, keys, strict=True)), lambda part: _written(part, quarter, cache, fresh), first)
    if cache:
        cache.keep_only(keys)
    return [job[0] for job in jobs]


def _written(jobs: list[tuple[tuple, str]], quarter: Quarter, cache: FeedbackCache | None, fresh: bool) -> None:
    """Each (job, key)'s workbook: copied from the cache when there, else filled here and put on
    disk (and kept in the cache) by a second thread, so that filling the next one goes on while
    the disk creates the last: creating a file took 0.02 ms on the machine measured, but up to
    0.6 ms (as long as filling a workbook) in a folder where thousands of files had just been
    deleted, and the thread waits for the kernel, not for this process's CPU."""
    with ThreadPoolExecutor(1, thread_name_prefix="zwgk-feedback-disk") as disk:
        pending = []
        for job, key in jobs:
            if cache is not None and cache.copy(key, job[0], fresh):
                continue
            pending.append(disk.submit(_kept, job[0], key, _workbook(*job, quarter), fresh, cache))
        for done in pending:
            done.result()  # the thread's error (a full disk), raised here


def _kept(path: Path, key: str, data: bytes, fresh: bool, cache: FeedbackCache | None) -> None:
    _put(path, data, fresh)
    if cache is not None:
        cache.put(key, path, data)


def _workbook(path: Path, short_name: str, issue_rows: list, verdict_rows: list | None, empty: str,
              quarter: Quarter) -> bytes:
    """The bytes of the feedback workbook to be written at `path`."""
    return _prototype(verdict_rows is not None, quarter).package(
        _layout(short_name, issue_rows, verdict_rows, empty, quarter), short_name)


def _put(path: Path, data: bytes, fresh: bool) -> None:
    if fresh:
        with contextlib.suppress(FileExistsError):  # something already there (short names are unique
            write_new(path, data)                  # on load): replaced below, never written through
            return
    replace_with(path, data)


# What decides a workbook's bytes besides its rows: this module's layout, the header colour,
# the xlsxwriter options, the quarter's wording, and xlsxwriter itself.
_LAYOUT_MODULES = ("render/feedback.py", "render/xlsx_fill.py", "render/palette.py", "outputs.py", "dates.py")


@functools.lru_cache(maxsize=1)
def _layout_fingerprint() -> str:
    return code_fingerprint(_LAYOUT_MODULES, ("XlsxWriter",))


class FeedbackCache:
    """Feedback workbooks already written, under outputs/.cache/feedback/<Q>/, by content.

    The office checks again after every return that arrives; at a province's thousands of
    units nearly every workbook is the one written last time, and xlsxwriter takes ~3 ms each.
    An entry's key is everything its bytes depend on (the rows, the unit's name, the quarter,
    the layout's code, the versions of xlsxwriter, Python and zlib), its name carries a checksum
    of its bytes (a torn or changed entry is not used, and is written again). Entries and
    outputs are hard links to one file where the file system has them (10,000 workbooks are
    not kept twice; an output edited in place fails the checksum). The folder is ours and safe
    to delete. Raises OSError when this module's own source cannot be read (no cache then)."""

    def __init__(self, folder: str | Path, quarter: Quarter):
        self.folder = Path(folder) / "feedback" / str(quarter)
        self._about = [_layout_fingerprint(), str(quarter), quarter.label, quarter.end.isoformat()]
        try:  # key → entry file name; one listing, not a look-up per workbook
            self._entries = {name.split(".", 1)[0]: name for name in os.listdir(self.folder)
                             if name.endswith(".xlsx") and not name.startswith(".")}
        except OSError:
            self._entries = {}
        self._made = False

    def key(self, job: tuple) -> str:
        path, short_name, issue_rows, verdict_rows, empty = job
        data = json.dumps([*self._about, path.name, short_name, issue_rows, verdict_rows, empty],
                          ensure_ascii=False, default=str)
        return hashlib.sha256(data.encode()).hexdigest()[:40]

    def copy(self, key: str, path: Path, fresh: bool = False) -> bool:
        """Put the entry for `key` at `path` (a new file when `fresh`); False when there is none
        (or it is damaged)."""
        name = self._entries.get(key)
        if name is None:
            return False
        entry = self.folder / name
        try:
            data = entry.read_bytes()
        except OSError:
            return False
        if name != _entry_name(key, data):  # torn or changed: written again (and this one goes)
            with contextlib.suppress(OSError):
                os.unlink(entry)
            return False
        if fresh:
            try:
                os.link(entry, path)
                return True
            except FileExistsError:
                pass
            except OSError:  # no hard links here: a copy
                _put(path, data, fresh)
                return True
        replace_with(path, data, link_from=entry)
        return True

    def put(self, key: str, path: Path, data: bytes) -> None:
        """Keep the workbook just written at `path` (holding `data`) as the entry for `key` (a
        cache that cannot be written only costs speed)."""
        entry = self.folder / _entry_name(key, data)
        with contextlib.suppress(OSError):
            if not self._made:
                self.folder.mkdir(parents=True, exist_ok=True)
                self._made = True
            try:  # the entry's name carries its checksum: one already there holds these bytes
                os.link(path, entry)
            except FileExistsError:
                pass
            except OSError:
                replace_with(entry, data, link_from=path)

    def keep_only(self, keys: list[str]) -> None:
        """Remove the entries of this quarter not among `keys` (the workbooks of earlier checks
        that no unit has any more), and what a killed writer left half-written."""
        wanted = set(keys)
        with contextlib.suppress(OSError):
            for name in os.listdir(self.folder):
                if name.split(".", 1)[0] not in wanted or name.startswith("."):
                    with contextlib.suppress(OSError):
                        os.unlink(self.folder / name)


def _entry_name(key: str, data: bytes) -> str:
    return f"{key}.{hashlib.sha256(data).hexdigest()[:16]}.xlsx"


# From this many workbooks a forked child writes some of them (one core's work otherwise; the
# child inherits the rows, nothing is pickled).
SPLIT_FROM = 200
CHUNK = 8  # workbooks taken at a time by each writer


def in_two(jobs: list, write: Callable[[list], object], first: Callable[[], object] | None = None) -> None:
    """`write(jobs)`, and `first()` (other work of the caller's) before it. With SPLIT_FROM jobs or
    more and a second CPU, a forked child and this process each take the next CHUNK jobs not yet
    taken until none is left (a counter in shared memory), the child from the start and this
    process once `first` is done, so both end together; re-raises what went wrong in the child.
    `first` runs here, not in the child: the child stays as small as the rows it writes."""
    if len(jobs) < SPLIT_FROM or not can_fork():
        if first is not None:
            first()
        write(jobs)
        return
    import multiprocessing as mp

    taken = mp.get_context("fork").Value("q", 0)  # the next job not yet taken

    def claim() -> None:
        while True:
            with taken.get_lock():
                start = taken.value
                taken.value = start + CHUNK
            if start >= len(jobs):
                return
            write(jobs[start:start + CHUNK])

    child = Forked(claim, "zwgk-feedback")
    try:
        if first is not None:
            first()
        claim()
    finally:
        child.result()


def _layout(short_name: str, issue_rows: list, verdict_rows: list | None, empty: str,
            quarter: Quarter) -> list[Sheet]:
    """The workbook's sheets: the issues to fix, and (after a run) the task verdicts."""
    sheets = [Sheet("需整改问题", f"{short_name}{quarter.label}报表需整改问题", tuple(ISSUE_HEADERS),
                    (36, 10, 80), issue_rows, empty)]
    if verdict_rows is not None:
        sheets.append(Sheet("任务核对结果", f"{short_name}{quarter.label}任务核对结果", tuple(VERDICT_HEADERS),
                            (9, 50, 14, 12, 12, 12, 9, 30), verdict_rows))
    return sheets


@functools.lru_cache(maxsize=4)
def _prototype(verdicts: bool, quarter: Quarter) -> Prototype:
    """The layout drawn once by xlsxwriter for this quarter, with or without the verdict sheet
    (made before the feedback writer forks, so both writers share it)."""
    sample = _layout(MARK, [["位置", "错误", "说明"]], [[1, "任务", "时限", "已完成", "", "按时完成", "", ""]]
                     if verdicts else None, "本期报表未发现需整改的问题。", quarter)
    return Prototype(functools.partial(_drawn, quarter=quarter), sample)


def _drawn(sheets: list[Sheet], short_name: str, quarter: Quarter) -> bytes:
    """The workbook as xlsxwriter writes it (the reference the prototype is filled to match)."""
    import xlsxwriter

    # zipped in memory and written in one go: onto a file, zipfile seeks back to each part's
    # header and tells where it is, ~70 system calls a workbook (thousands of workbooks)
    package = io.BytesIO()
    wb = xlsxwriter.Workbook(package, XLSX_OPTIONS)
    title = wb.add_format({"bold": True, "font_size": 14})
    head = wb.add_format({"bold": True, "bg_color": HEADER_FILL, "border": 1, "valign": "vcenter"})
    wrap = wb.add_format({"text_wrap": True, "valign": "top", "border": 1})
    for sheet in sheets:
        _write(wb, sheet, title, head, wrap)
    # a fixed creation time (xlsxwriter would stamp "now"): same inputs, same bytes
    wb.set_properties({"title": f"{short_name}{quarter.label}报表反馈",
                       "created": dt.datetime.combine(quarter.end, dt.time(9, 0))})
    wb.close()
    return package.getvalue()


def _write(wb, sheet: Sheet, title, head, wrap) -> None:
    ws = wb.add_worksheet(sheet.name)
    ws.write_string(0, 0, sheet.title, title)
    for c, (h, w) in enumerate(zip(sheet.headers, sheet.widths, strict=True)):
        ws.write_string(1, c, h, head)
        ws.set_column(c, c, w)
    for r, row in enumerate(sheet.rows, start=2):
        for c, value in enumerate(row):
            value = cell_value(value)
            if isinstance(value, str):
                ws.write_string(r, c, value, wrap)
            else:
                ws.write_number(r, c, value, wrap)
    if not sheet.rows and sheet.note:
        ws.write_string(2, 0, sheet.note)
    ws.freeze_panes(2, 0)
    ws.autofilter(1, 0, max(len(sheet.rows) + 1, 2), len(sheet.headers) - 1)
    ws.set_landscape()
    ws.repeat_rows(1)
    ws.fit_to_pages(1, 0)
