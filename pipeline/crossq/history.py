"""Unit × quarter history (trend charts, notebooks) and score changes against last quarter."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..scoring import round_half_up
from ._common import empty_frame

HISTORY_COLUMNS = ["quarter", "unit_id", "short_name", "group", "total", "rank", "grade",
                   "commended", "criticised", "on_time", "has_return"]
SCORE_CHANGE_COLUMNS = ["unit_id", "score_change", "trend"]


def history(results) -> pd.DataFrame:
    """One row per ranked unit and quarter, quarters in order, each in its ranking order."""
    frames = [r.scores.assign(quarter=str(r.quarter)).reindex(columns=HISTORY_COLUMNS)
              for r in results]
    if not frames:
        return empty_frame(HISTORY_COLUMNS)
    return pd.concat(frames, ignore_index=True)


def score_changes(scores: pd.DataFrame, previous_scores: pd.DataFrame | None,
                  threshold: float) -> pd.DataFrame:
    """unit_id, score_change (this total − last quarter's; NaN when new) and trend ↑/↓/''."""
    if previous_scores is not None and len(previous_scores):
        before = scores["unit_id"].map(previous_scores.set_index("unit_id")["total"])
    else:
        before = pd.Series(np.nan, index=scores.index)
    change = (scores["total"].astype(float) - before.astype(float)).map(round_half_up)
    trend = np.where(change >= threshold, "↑", np.where(change <= -threshold, "↓", ""))
    return pd.DataFrame({"unit_id": scores["unit_id"], "score_change": change.astype(float),
                         "trend": trend}).reset_index(drop=True)
