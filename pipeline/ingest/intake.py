"""Read a quarter's folder of returns into the four ingest tables (the `Intake`)."""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import hashlib
import pickle
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import pandas as pd

from .. import names as N
from ..dates import Quarter
from ..issues import Issue, issues_frame
from ..reference import Reference
from ..safety import defuse_process, preload_defusedxml, verify_xml_defences
from .archive import (
    PACKED,
    PACKED_SUFFIXES,
    SEPARATOR,
    ZIP_SUFFIXES,
    UnreadableArchive,
    zip_members,
)
from .cache import ReturnCache, dumps
from .isolation import MB, Failure, Limits, map_isolated
from .receipts import match_log, read_receipt_log
from .returns import (
    ParsedReturn,
    _columns,
    _frame,
    columns_frame,
    read_return,
    row_tuple,
    unit_from_filename,
)
from .workbook import RESAVE, UnreadableWorkbook, check_size


@dataclass
class Intake:
    """What ingest hands on: columns as in schemas.TABLE_COLUMNS. `files` lists every file
    seen and what it says; the progress rows are those of every readable file (reconcile
    decides which file of a unit counts)."""

    files: pd.DataFrame
    task_progress: pd.DataFrame
    domain_progress: pd.DataFrame
    issues: pd.DataFrame


def list_inputs(folder: str | Path) -> list[Path]:
    """Every file of the quarter folder and of its subfolders (as offices file them), sorted,
    except the receipt log and the 目录/ folder (the office's, not returns). Leftovers and
    attachments are listed too: the ledger shows them as `ignored` (`not_a_return`). A link
    to a folder is listed, not followed (it could loop)."""
    out: list[Path] = []

    def walk(here: Path, top: bool) -> None:
        for p in sorted(here.iterdir(), key=lambda p: p.name):
            if top and p.name in (*N.RECEIPT_LOGS, N.CATALOGUE_DIR):
                continue
            if p.is_dir() and not p.is_symlink():
                walk(p, False)
            else:
                out.append(p)

    walk(Path(folder), True)
    return out


# Left by the OS or Office, never sent on purpose.
_LEFTOVER_NAMES = {"thumbs.db", "ehthumbs.db", "desktop.ini", ".ds_store"}
_LEFTOVER = re.compile(r"^(~\$.*|\.~lock\..*#|~wrl.*\.tmp|.*\.lnk|\._.*)$", re.I | re.S)
# Scans and cover letters sent beside a return.
_ATTACHMENT_SUFFIXES = (".pdf", ".ofd", ".doc", ".docx", ".wps", ".jpg", ".jpeg", ".png", ".gif",
                        ".bmp", ".tif", ".tiff", ".heic", ".webp")


def not_a_return(name: str) -> str:
    """Why a file (a ledger name: an archive's member too) is no return and is ignored, or ""."""
    parts = PurePosixPath(name.replace(SEPARATOR, "/")).parts
    base = parts[-1] if parts else name
    if "__MACOSX" in parts or base.lower() in _LEFTOVER_NAMES or _LEFTOVER.match(base):
        return "系统或Office自动生成的临时文件（如缩略图缓存、锁定文件、快捷方式），不是报表，已忽略"
    if base.startswith("."):
        return "隐藏文件（文件名以“.”开头），不是报表，已忽略"
    if PurePosixPath(base).suffix.lower() in _ATTACHMENT_SUFFIXES:
        return "附件（扫描件、报送函或图片），不是报表，已忽略；工作进展请填入Excel报表报送"
    return ""


def _ignore(name: str, reason: str) -> ParsedReturn:
    return ParsedReturn(file=name, reason=reason, ignored=True)


def _reject(name: str, quarter: Quarter, code: str, message: str, sha256: str = "") -> ParsedReturn:
    p = ParsedReturn(file=name, sha256=sha256, reason=message)
    p.issues.append(Issue(code=code, message=message, file=name, quarter=str(quarter)))
    return p


def _precheck(path: Path, name: str, quarter: Quarter) -> ParsedReturn | None:
    """A rejection decided from `stat` alone, before anything reads the file: folders, pipes and
    devices (reading one could block or never end), empty and oversized files."""
    try:
        st = path.stat()
    except OSError as exc:
        why = {errno.ENOENT: "文件不存在，可能是失效的快捷方式或链接", errno.EACCES: "没有读取权限",
               errno.ELOOP: "链接循环指向自身"}.get(exc.errno, exc.strerror or str(exc))
        return _reject(name, quarter, "file-unreadable", f"文件无法打开（{why}），请重新报送")
    if stat.S_ISDIR(st.st_mode):
        return _reject(name + "/", quarter, "file-unreadable",
                       "这是指向文件夹的链接，不会读取，请将报表文件直接放在季度目录下")
    if not stat.S_ISREG(st.st_mode):
        return _reject(name, quarter, "file-unsafe", "不是普通文件（可能是管道、设备或失效的链接），已拒收，请报送Excel文件")
    try:
        check_size(st.st_size)
    except UnreadableWorkbook as exc:
        return _reject(name, quarter, exc.code, str(exc), _sha256(path) if st.st_size == 0 else "")
    return None


def _sha256(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""


def _failed(name: str, path: Path | None, quarter: Quarter, failure: Failure, limits: Limits) -> ParsedReturn:
    """The rejection of a file whose worker died, ran out of memory or time (file-unsafe), or
    hit a reader bug (file-unreadable)."""
    if failure.kind == "memory":
        code, message = "file-unsafe", (
            f"读取本文件所需内存超过上限（{limits.memory // MB}MB），出于安全原因拒收；文件可能含有远超报表范围的"
            f"单元格（如XFD1048576）或被篡改的结构，请删除多余的行和列，{RESAVE}")
    elif failure.kind == "timeout":
        spent = (f"计算时间超过{limits.seconds:g}秒" if failure.detail.startswith("cpu")
                 else f"超过{limits.wall:g}秒仍未完成")
        code, message = "file-unsafe", f"读取本文件{spent}，出于安全原因拒收；请删除无关内容，{RESAVE}"
    elif failure.kind == "crashed":
        code, message = "file-unsafe", (
            f"读取本文件时解析程序异常终止（{failure.detail}），文件结构异常，出于安全原因拒收；{RESAVE}")
    elif "PanicException" in failure.detail:  # the native reader gave up on a malformed file
        code, message = "file-unreadable", f"文件已损坏，无法解析（{failure.detail[:80]}），{RESAVE}"
    else:
        code, message = "file-unreadable", f"文件读取出错（{failure.detail}），请联系政务公开办"
    return _reject(name, quarter, code, message, _sha256(path) if path is not None else "")


# --- the worker side: reference data is handed over once per worker, not with every file ----
_WORKER_REFERENCE: Reference | None = None
_WORKER_CACHE: ReturnCache | None = None


def _init_worker(reference: Reference, cache: ReturnCache | None = None) -> None:
    global _WORKER_REFERENCE, _WORKER_CACHE
    _WORKER_REFERENCE, _WORKER_CACHE = reference, cache
    defuse_process()


def _warm(reference: Reference) -> None:
    """Compute once, before forking, what every worker would otherwise compute for itself
    (~40 ms each): the reference's derived tables and the defusedxml modules."""
    _ = (reference.assignments, reference.lead_units, reference.unit_ids, reference.task_ids,
         reference.tasks_of, reference.domain_ids, reference.domains_led, reference.domain_by_name)
    reference.resolve_unit("-")
    reference.group("-")
    preload_defusedxml()


def _read(source: str | bytes, name: str, reference: Reference, quarter: Quarter) -> ParsedReturn:
    if isinstance(source, bytes):
        return read_return(None, reference, quarter, name=name, data=source)
    return read_return(source, reference, quarter, name=name)


def _read_in_worker(source: str | bytes, name: str, quarter: Quarter) -> ParsedReturn:
    return _read(source, name, _WORKER_REFERENCE, quarter)


def _read_for_cache(source: str | bytes, name: str, quarter: Quarter, key: str) -> tuple[bytes, str, bytes]:
    """Read one input and pickle its result here, in parallel and off the parent's path:
    (the pickled result, the key to keep it under and its sha256, or "" and b"" when it is not
    to be kept). The result travels as the entry's payload: pickled once for both; the parent
    adds the entry once the result has reached it."""
    result = _read_in_worker(source, name, quarter)
    payload = dumps(result)
    key = _entry_key(_WORKER_CACHE, key, name, result)
    return payload, key, hashlib.sha256(payload).digest() if key else b""


def _entry_key(cache: ReturnCache | None, key: str, name: str, result: ParsedReturn) -> str:
    """The key to keep `result` under, or "" when it is not to be kept: only when the bytes
    parsed are the bytes hashed. `key` is the one looked up, of the hash the parent took; ""
    when nothing was looked up (the cache had no entry to find), and then the key is the one
    of the hash the reader took of the bytes it parsed."""
    if cache is None or not result.sha256:
        return ""
    own = cache.key(result.sha256, name)
    return own if not key or own == key else ""


def read_returns(folder: str | Path, reference: Reference, quarter: Quarter,
                 on_file: Callable[[str], None] | None = None, *, workers: int | None = None,
                 cache_dir: str | Path | None = None, limits: Limits | None = None) -> Intake:
    """Read every file of `inputs/<QUARTER>/`; one bad file never stops the others.

    Each file is parsed in a worker process capped by `limits` (memory, seconds), `workers` at
    a time (default one per CPU): a file that crashes, exhausts or hangs its worker is rejected
    (file-unsafe) and the others go on. `workers=0` parses in this process instead: for
    debugging only, as one hostile file can then abort the whole run. With `cache_dir`, parsed
    returns are kept there by content and unchanged files are not parsed again; the workers
    pickle the results, and one becomes an entry only once it has reached this process.
    `on_file(name)` is called after each file (for a progress bar).
    """
    verify_xml_defences()
    folder = Path(folder)
    limits = limits or Limits()
    paths = list_inputs(folder)
    cache = None
    if cache_dir is not None:
        with contextlib.suppress(OSError):  # the reader's own source unreadable: read without the cache
            cache = ReturnCache(cache_dir, reference, quarter)
    # Files are hashed here to be looked up; when there is nothing to find, the workers hash the
    # bytes they read (the key is that of the bytes parsed) and this process reads no file twice.
    look = cache is not None and not cache.empty()
    parsed: list[ParsedReturn] = []
    rows = _Rows(parsed)
    # (slot in parsed, name, path or the member's bytes, cache key or "")
    todo: list[tuple[int, str, str | bytes, str]] = []

    def done(result: ParsedReturn, at: int | None = None) -> None:
        if at is None:
            parsed.append(result)
            rows.finished(len(parsed) - 1)
        else:
            parsed[at] = result
            rows.finished(at)
        if on_file:
            on_file(result.file)

    def queue(name: str, source: Path | bytes, digest: str) -> None:
        key = cache.key(digest, name) if look and digest else ""
        hit = cache.get(key, name) if key else None
        if hit is not None and hit.sha256 == digest:
            done(hit)
            return
        parsed.append(ParsedReturn(file=name))  # placeholder: keeps the folder's order
        rows.pending()
        todo.append((len(parsed) - 1, name, source if isinstance(source, bytes) else str(source), key))

    for path in paths:
        name = path.relative_to(folder).as_posix()
        why = not_a_return(name)
        if why and not path.is_dir():
            done(_ignore(name, why))
            continue
        early = _precheck(path, name, quarter)
        if early is not None:
            done(early)
            continue
        suffix = path.suffix.lower()
        if suffix in PACKED_SUFFIXES:
            done(_reject(name, quarter, "file-unreadable", PACKED, _sha256(path)))
        elif suffix in ZIP_SUFFIXES:
            for member in _members(path, name, quarter):
                if isinstance(member, ParsedReturn):
                    done(member)
                else:
                    queue(*member)
        else:
            queue(name, path, _sha256(path) if look else "")

    if workers == 0:
        def serial():
            for j, (_, name, source, key) in enumerate(todo):
                result = _read(source, name, reference, quarter)
                key = _entry_key(cache, key, name, result)
                if key:
                    cache.put(key, result)
                yield j, result

        results = serial()
    else:
        _warm(reference)
        if cache is None:
            func, arguments = _read_in_worker, [(source, name, quarter) for _, name, source, _ in todo]
        else:
            func, arguments = _read_for_cache, [(source, name, quarter, key) for _, name, source, key in todo]
        results = map_isolated(func, arguments, workers=workers, limits=limits,
                               initializer=_init_worker, initargs=(reference, cache))
    try:
        for j, result in results:
            at, name, source, key = todo[j]
            if isinstance(result, Failure):
                path = Path(source) if isinstance(source, str) else None
                done(_failed(name, path, quarter, result, limits), at)
                continue
            if isinstance(result, tuple):  # from a worker: its pickled result, and the entry's key and checksum
                payload, key, digest = result
                result = pickle.loads(payload)  # noqa: S301 - pickled by our own worker
                if key:
                    cache.add(key, payload, digest)
            done(result, at)
    finally:  # the entries of the results that came back, even from a run cut short
        if cache is not None:
            cache.close()
    return _assemble(parsed, rows, folder, reference, quarter)


class _Rows:
    """The task and domain rows of the files read so far, gathered into columns as the results
    come in, so that only the columns' conversion is left for the end, when the workers are done
    and one core idles (transposing a province's rows there cost as much again). A file's rows
    join in the folder's order: once every file before it is read (results come back nearly in
    the order the files were sent). A little at a time: a worker has only the next input queued,
    so a long pause here would leave it waiting."""

    def __init__(self, parsed: list[ParsedReturn]):
        self._parsed = parsed
        self._waiting: set[int] = set()  # slots in `parsed` whose file is still being read
        self._taken = 0  # the files before this slot have their rows in `_columns`
        self._columns = {table: [[] for _ in _columns(table)] for table in ("task_progress", "domain_progress")}

    def pending(self) -> None:
        """The last slot of `parsed` is a file sent to be read."""
        self._waiting.add(len(self._parsed) - 1)

    def finished(self, at: int) -> None:
        """The file in slot `at` has its final result."""
        self._waiting.discard(at)
        while self._taken < len(self._parsed) and self._taken not in self._waiting:
            p = self._parsed[self._taken]
            if not p.rejected:
                for table, rows in (("task_progress", p.task_rows), ("domain_progress", p.domain_rows)):
                    if rows:
                        for column, values in zip(self._columns[table], zip(*rows, strict=True), strict=True):
                            column.extend(values)
            if p.task_rows or p.domain_rows:  # its rows live on in the columns only (a province's
                # row tuples kept to the end were ~50 MB more at the run's peak)
                self._parsed[self._taken] = dataclasses.replace(p, task_rows=[], domain_rows=[])
            self._taken += 1

    def frame(self, table: str) -> pd.DataFrame:
        """Every readable file's rows of `table`, in the folder's order."""
        if self._taken < len(self._parsed):  # a slot never answered: taken as it stands
            self._waiting.clear()
            self.finished(self._taken)
        return columns_frame(table, self._columns[table])


def _members(path: Path, name: str, quarter: Quarter):
    """An archive's members: (ledger name, bytes, sha256) to read, or a ParsedReturn decided
    here (ignored, rejected); the archive itself when it cannot be opened or holds nothing."""
    try:
        data = path.read_bytes()
        members = zip_members(data)
    except OSError as exc:
        return [_reject(name, quarter, "file-unreadable", f"文件无法打开（{exc.strerror or exc}），请重新报送")]
    except UnreadableArchive as exc:
        return [_reject(name, quarter, exc.code, str(exc), hashlib.sha256(data).hexdigest())]
    if not members:
        return [_reject(name, quarter, "file-unreadable", "压缩包是空的，请将报表直接报送",
                        hashlib.sha256(data).hexdigest())]
    out: list = []
    for m in members:
        full = f"{name}{SEPARATOR}{m.name}"
        why = not_a_return(full)
        digest = hashlib.sha256(m.data).hexdigest() if m.data else ""
        if why:
            out.append(_ignore(full, why))
        elif m.problem:
            out.append(_reject(full, quarter, m.code, m.problem))
        elif PurePosixPath(m.name).suffix.lower() in ZIP_SUFFIXES + PACKED_SUFFIXES:
            out.append(_reject(full, quarter, "file-unreadable", f"压缩包中又含{PACKED}", digest))
        else:
            try:
                check_size(len(m.data))
            except UnreadableWorkbook as exc:
                out.append(_reject(full, quarter, exc.code, str(exc), digest))
                continue
            out.append((full, m.data, digest))
    return out


def _named_by_file(p: ParsedReturn, reference: Reference) -> ParsedReturn:
    """A rejected file that could not be opened names its unit by its file name, so that the unit
    hears of it (feedback, status) instead of keeping an old "no problems" word."""
    if not p.rejected or p.ignored or p.unit_id:
        return p
    unit = unit_from_filename(PurePosixPath(p.file.rsplit(SEPARATOR, 1)[-1]).stem, reference)
    if unit is None:
        return p
    return dataclasses.replace(p, unit_id=unit, issues=[
        dataclasses.replace(i, unit_id=i.unit_id or unit) for i in p.issues])


def _assemble(parsed: list[ParsedReturn], rows: _Rows, folder: Path, reference: Reference,
              quarter: Quarter) -> Intake:
    log, log_issues = read_receipt_log(folder, quarter)
    archives = sorted({p.file.split(SEPARATOR, 1)[0] for p in parsed if SEPARATOR in p.file})
    received, unmatched = match_log(log, [p.file for p in parsed] + archives)
    log_name = next((n for n in N.RECEIPT_LOGS if (folder / n).is_file()), N.RECEIPT_LOG)
    log_issues += [Issue(code="receipt-log-bad", severity="warning", file=log_name, quarter=str(quarter),
                         message=f"收文登记中的文件“{name}”在本季度目录中找不到，请核对文件名")
                   for name in unmatched]
    q = str(quarter)
    parsed = [_named_by_file(p, reference) for p in parsed]
    files = [row_tuple("files", {
        "quarter": q, "file": p.file, "sha256": p.sha256, "unit_id": p.unit_id,
        "filled_on": p.filled_on, "filled_sheet": p.filled_at[0], "filled_cell": p.filled_at[1],
        # an archive's members were received with it
        "received_on": received.get(p.file, received.get(p.file.split(SEPARATOR, 1)[0])),
        "state": "ignored" if p.ignored else "rejected" if p.rejected else "accepted",
        "reason": p.reason, "quarter_text": p.quarter_text, "quarter_sheet": p.quarter_at[0],
        "quarter_cell": p.quarter_at[1]}) for p in parsed]
    return Intake(  # frames of many files at once (not per file): pandas construction dominates otherwise
        files=_frame("files", files),
        task_progress=rows.frame("task_progress"),
        domain_progress=rows.frame("domain_progress"),
        issues=issues_frame(log_issues + [i for p in parsed for i in p.issues]),
    )
