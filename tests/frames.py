"""Tiny hand-made frames in the contract's columns, for tests of pure stages."""

from __future__ import annotations

import pandas as pd

from pipeline.schemas import TABLE_COLUMNS


def ts(text):
    return pd.Timestamp(text) if text else pd.NaT


def ledger(*rows, quarter="2020Q3"):
    """rows: (unit_id, file, submitted_on, on_time[, state])."""
    recs = []
    for r in rows:
        unit, file, sub, on_time, *rest = r
        recs.append({"quarter": quarter, "file": file, "sha256": "0" * 64, "unit_id": unit,
                     "submitted_on": ts(sub), "submitted_source": "收文登记", "on_time": on_time,
                     "state": rest[0] if rest else "accepted", "reason": ""})
    return pd.DataFrame(recs, columns=TABLE_COLUMNS["ledger"])


def progress(unit, file, tasks, quarter="2020Q3"):
    """tasks: {task_id: (status, completed_on, note)}; status None = empty/invalid cell."""
    recs = []
    for i, (task_id, (status, done, note)) in enumerate(sorted(tasks.items())):
        row = 3 + i
        recs.append({"quarter": quarter, "unit_id": unit, "task_id": task_id, "status": status,
                     "completed_on": ts(done) if done != "bad" else pd.NaT, "note": note,
                     "evidence": "", "problems": "", "source": f"{file}!任务进展!{row}",
                     "file": file, "status_text": status or "", "status_cell": f"D{row}",
                     "date_cell": f"E{row}", "date_invalid": done == "bad"})
    return pd.DataFrame(recs, columns=TABLE_COLUMNS["task_progress"])


def domains(unit, file, statuses, kind="catalogue", quarter="2020Q3"):
    """statuses: {domain_id: status code}."""
    recs = [{"quarter": quarter, "unit_id": unit, "domain_id": d, "kind": kind, "status": s,
             "item_count": None, "url": "", "completed_on": pd.NaT, "note": "",
             "source": f"{file}!试点领域!{2 + d}", "file": file, "status_cell": f"C{2 + d}"}
            for d, s in statuses.items()]
    return pd.DataFrame(recs, columns=TABLE_COLUMNS["domain_progress"])


def issues(*rows, quarter="2020Q3"):
    """rows: (unit_id, file, severity, code)."""
    recs = [{"quarter": quarter, "file": f, "unit_id": u, "sheet": "任务进展", "cell": "D3",
             "severity": s, "code": c, "message": "测试"} for u, f, s, c in rows]
    return pd.DataFrame(recs, columns=TABLE_COLUMNS["issues"])


def concat(*frames):
    return pd.concat(frames, ignore_index=True)
