"""The record of what a quarter's outputs were made from: `outputs/<Q>/manifest.json`.

Every `run` (and `publish`) writes one beside the outputs: the SHA-256 of every input file of
inputs/<Q>/ (returns, 收文登记.csv, 目录/), of the reference data and settings, of every output
written, the tool version, the as-of date, whether the 通报 is a draft (and which units were
missing), who wrote it and when; `published` holds 文号, 成文日期, who and when once published.

What it is for: a published quarter is frozen (`run` compares its inputs with the manifest and
reports what arrived late instead of changing it); later quarters read a stored quarter's
tables instead of recomputing it when it is published, or when its recorded inputs, reference
and tool version still match (`stored.py`); `check` keeps a run's outputs only while the
inputs they describe are unchanged.
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import json
import os
import weakref
from functools import cache
from pathlib import Path

import pandas as pd

from .errors import ZwgkError
from .outputs import atomic_path
from .workspace import KEPT_OUTPUTS

MANIFEST = "manifest.json"
FORMAT = 1


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def file_hashes(folder: Path, skip: frozenset[str] = frozenset()) -> dict[str, str]:
    """relative path (posix) → SHA-256 of every file under `folder` (empty if it is absent);
    top-level names in `skip` are left out."""
    folder = Path(folder)
    if not folder.is_dir():
        return {}
    found = []  # (parts, path): os.walk and strings, a long history has hundreds of files
    for root, dirs, files in os.walk(folder):
        rel = os.path.relpath(root, folder)
        parts = () if rel == "." else tuple(rel.split(os.sep))
        if not parts:
            dirs[:] = [d for d in dirs if d not in skip]
        for name in files:
            path = os.path.join(root, name)
            if (parts or name not in skip) and os.path.isfile(path):
                found.append(((*parts, name), path))
    found.sort()  # as sorted Paths: part by part
    return {"/".join(parts): sha256(path) for parts, path in found}


_REFERENCE_HASHES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def reference_hash(reference) -> str:
    """One hash of everything in the reference that decides the tables: units, tasks, domains,
    deadline overrides and settings, but not the 通报's header (文号, date, issuer), which
    changes no figure. Remembered per Reference (its tables are not changed once loaded, as
    its cached properties assume): a run asks once for each stored quarter."""
    try:
        known = _REFERENCE_HASHES.get(reference)
    except TypeError:  # not a Reference (no weak reference to it): hashed each time
        return _reference_hash(reference)
    if known is None:
        known = _REFERENCE_HASHES[reference] = _reference_hash(reference)
    return known


def _reference_hash(reference) -> str:
    h = hashlib.sha256()
    for frame in (reference.units, reference.tasks, reference.domains, reference.overrides):
        h.update(frame.to_csv(index=False).encode())
    settings = reference.settings.as_dict()
    settings.pop("bulletin", None)
    h.update(json.dumps(settings, sort_keys=True, default=str, ensure_ascii=False).encode())
    return h.hexdigest()


@cache
def tool_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("zwgk")
    except PackageNotFoundError:  # run from a source tree without installing
        return "0+unknown"


def user_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (a container's anonymous uid)
        return str(os.getuid()) if hasattr(os, "getuid") else "unknown"


def digest(hashes: dict[str, str]) -> str:
    """One hash of a folder's file hashes (what an earlier quarter's inputs were)."""
    return hashlib.sha256(json.dumps(hashes, sort_keys=True).encode()).hexdigest()


def earlier_inputs(workspace, quarter, memo: dict | None = None) -> dict[str, str]:
    """quarter → digest of its inputs, for every quarter with inputs before `quarter`: a
    stored quarter is reused only while the quarters it was compared with are unchanged too.
    `memo` (quarter → file hashes) spares hashing a folder twice within one computation; it
    keeps each quarter's digest too (under ("digest", quarter)): each stored quarter of a long
    history asks for all the quarters before it."""
    memo = {} if memo is None else memo
    out = {}
    for q in workspace.quarters():
        if q < quarter:
            if ("digest", q) not in memo:
                memo[("digest", q)] = digest(quarter_hashes(workspace, q, memo))
            out[str(q)] = memo[("digest", q)]
    return out


def quarter_hashes(workspace, quarter, memo: dict | None = None) -> dict[str, str]:
    """file_hashes of inputs/<Q>/, remembered in `memo` when given."""
    if memo is None:
        return file_hashes(workspace.quarter_inputs(quarter))
    if quarter not in memo:
        memo[quarter] = file_hashes(workspace.quarter_inputs(quarter))
    return memo[quarter]


def build(quarter, as_of: dt.date, inputs: dict[str, str], reference, out_dir: Path, *,
          draft: bool, missing: list[str], published: dict | None = None,
          earlier: dict[str, str] | None = None, now: dt.datetime | None = None) -> dict:
    """The manifest of the outputs in `out_dir` (hashed now: call it once they are written)."""
    now = now or dt.datetime.now().astimezone()
    return {
        "format": FORMAT,
        "quarter": str(quarter),
        "as_of": as_of.isoformat(),
        "draft": bool(draft),
        "missing_units": list(missing),
        "tool_version": tool_version(),
        "written_by": user_name(),
        "written_at": now.isoformat(timespec="seconds"),
        "reference": {"folder": str(reference.folder), "sha256": reference_hash(reference)},
        "inputs": inputs,
        "earlier_inputs": earlier or {},
        "outputs": file_hashes(out_dir, skip=frozenset({MANIFEST, *KEPT_OUTPUTS})),
        "published": published,
    }


def write(out_dir: Path, manifest: dict) -> Path:

    path = Path(out_dir) / MANIFEST
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
                       encoding="utf-8")
    return path


class ManifestError(ZwgkError):
    """A manifest that cannot be read (edited by hand, truncated)."""


def read(out_dir: Path) -> dict | None:
    """The manifest of outputs/<Q>/, or None when there is none."""
    path = Path(out_dir) / MANIFEST
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise ManifestError(f"“{path}”已损坏，无法读取（{exc}）：请从备份恢复该文件，"
                            "或删除它后重新运行（已发布的季度须先从备份恢复）") from None
    if not isinstance(data, dict) or "inputs" not in data:
        raise ManifestError(f"“{path}”不是本工具写出的清单：请从备份恢复，或删除它后重新运行")
    return data


def published(manifest: dict | None) -> dict | None:
    return (manifest or {}).get("published") or None


def input_changes(recorded: dict[str, str], now: dict[str, str]) -> dict[str, list[str]]:
    """Files added, changed and removed since `recorded` (relative paths, sorted)."""
    return {
        "added": sorted(set(now) - set(recorded)),
        "changed": sorted(f for f in set(now) & set(recorded) if now[f] != recorded[f]),
        "removed": sorted(set(recorded) - set(now)),
    }


def as_date(value) -> dt.date | None:
    return None if value in (None, "") else pd.Timestamp(value).date()
