"""Version audit: values that changed between a unit's returns — a resubmission within a
quarter (superseded file → the next one) or the accepted returns of consecutive quarters."""

from __future__ import annotations

import pandas as pd

from ._common import accepted_rows, as_text, empty_frame

CHANGE_COLUMNS = ["unit_id", "quarter", "item", "item_id", "field", "old", "new", "old_file",
                  "new_file", "kind"]
FIELDS = {"task": ("status", "completed_on", "note"),
          "domain": ("status", "completed_on", "item_count", "url", "note")}
# Between quarters the narrative note is expected to change; only facts are audited.
QUARTER_FIELDS = ("status", "completed_on", "item_count", "url")
_KEY = {"task": "task_id", "domain": "domain_id"}


def _progress(result, item: str) -> pd.DataFrame:
    return result.task_progress if item == "task" else result.domain_progress


def diff_rows(old: pd.DataFrame, new: pd.DataFrame, item: str, fields) -> pd.DataFrame:
    """Changed fields of the rows `old` and `new` share (by unit_id, item id and any `version`)."""
    key = _KEY[item]
    on = ["unit_id", key] + (["version"] if "version" in old and "version" in new else [])
    fields = [f for f in fields if f in old and f in new]
    cols = on + fields + ["file"]  # only what is compared and printed is joined
    pairs = old[cols].merge(new[cols], on=on, suffixes=("_old", "_new"))
    frames = []
    for f in fields:
        a, b = pairs[f"{f}_old"], pairs[f"{f}_new"]
        if a.dtype == b.dtype:  # equal values (or both blank) print alike: only the rest is printed
            hit = ~((a == b).fillna(False).astype(bool) | (a.isna() & b.isna())).to_numpy()
            if not hit.any():
                continue
            a, b = a[hit], b[hit]
        o, n = a.map(as_text), b.map(as_text)
        hit = pairs.loc[o.index[o != n]]
        frames.append(pd.DataFrame({
            "unit_id": hit["unit_id"], "item": item, "item_id": hit[key].astype(int),
            "field": f, "old": o[o != n], "new": n[o != n],
            "old_file": hit["file_old"], "new_file": hit["file_new"]}))
    frames = [f for f in frames if len(f)]
    if not frames:
        return empty_frame([c for c in CHANGE_COLUMNS if c not in ("quarter", "kind")])
    return pd.concat(frames, ignore_index=True)


def _versions(rows: pd.DataFrame, ledger: pd.DataFrame) -> pd.DataFrame:
    """rows with `version`: each unit's files numbered in submission order, accepted last."""
    files = rows[["unit_id", "file"]].drop_duplicates()
    info = ledger.drop_duplicates("file").set_index("file")
    files = files.assign(
        accepted=files["file"].map(info["state"]).eq("accepted").fillna(False).astype(bool),
        submitted_on=pd.to_datetime(files["file"].map(info["submitted_on"].to_dict())),
    ).sort_values(["unit_id", "accepted", "submitted_on", "file"], na_position="first")
    files["version"] = files.groupby("unit_id").cumcount()
    return rows.merge(files[["unit_id", "file", "version"]], on=["unit_id", "file"])


def resubmission_changes(result, item: str, superseded: pd.DataFrame | None = None) -> pd.DataFrame:
    """What each later file of a unit changed against its earlier file within one quarter."""
    key = _KEY[item]
    frames = [_progress(result, item)]
    if superseded is not None and len(superseded):
        q = str(result.quarter)
        frames.append(superseded[superseded["quarter"].astype(str) == q] if "quarter" in superseded
                      else superseded)
    rows = pd.concat(frames, ignore_index=True).drop_duplicates(["unit_id", "file", key])
    if not rows[["unit_id", "file"]].drop_duplicates()["unit_id"].duplicated().any():
        # one file per unit (the usual quarter): nothing to compare, and no merges to pay for
        return empty_frame(CHANGE_COLUMNS)
    rows = _versions(rows, result.ledger)
    older = rows.assign(version=rows["version"] + 1)  # version v is compared with v + 1
    out = diff_rows(older, rows, item, FIELDS[item])
    return out.assign(quarter=str(result.quarter), kind="resubmission")


def quarter_changes(previous, current, item: str) -> pd.DataFrame:
    """What each unit's accepted return changed against its accepted return last quarter."""
    key = _KEY[item]
    old = accepted_rows(_progress(previous, item), previous.ledger, key)
    new = accepted_rows(_progress(current, item), current.ledger, key)
    out = diff_rows(old, new, item, QUARTER_FIELDS)
    return out.assign(quarter=str(current.quarter), kind="quarter")


def changes(results, superseded_tasks: pd.DataFrame | None = None,
            superseded_domains: pd.DataFrame | None = None) -> pd.DataFrame:
    """Version audit of the last of the chronological `results`: what its resubmissions changed
    within the quarter, and what each unit's accepted return changed against the quarter
    before. Earlier quarters' changes are in their own outputs (each quarter costs itself).

    Rows of superseded files may already be in the result's task_progress/domain_progress
    (told apart by the ledger's state); otherwise pass them as `superseded_tasks` /
    `superseded_domains` (same columns, with quarter and file).
    """
    extra = {"task": superseded_tasks, "domain": superseded_domains}
    current, previous = results[-1], (results[-2] if len(results) > 1 else None)
    frames = []
    for item in ("task", "domain"):
        frames.append(resubmission_changes(current, item, extra[item]))
        if previous is not None:
            frames.append(quarter_changes(previous, current, item))
    frames = [f for f in frames if len(f)]
    if not frames:
        return empty_frame(CHANGE_COLUMNS)
    out = pd.concat(frames, ignore_index=True)
    order = results[-1].reference.units.set_index("unit_id")["order"]
    fields = {f: i for i, f in enumerate(FIELDS["domain"])}
    out = out.assign(_u=out["unit_id"].map(order), _f=out["field"].map(fields),
                     _k=out["kind"].map({"resubmission": 0, "quarter": 1}),
                     _i=out["item"].map({"task": 0, "domain": 1}))
    out = out.sort_values(["quarter", "_k", "_u", "unit_id", "_i", "item_id", "_f"], kind="stable")
    return out[CHANGE_COLUMNS].reset_index(drop=True)
