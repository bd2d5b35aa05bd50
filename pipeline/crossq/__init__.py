"""Across quarters: a bulletin is read against the last one.

Pure functions over the chronological list of QuarterResults up to the current quarter (the
last item): the unit × quarter history, score changes, the rectification of last quarter's
criticism (上期问题整改情况), consistency warnings between consecutive returns, and the
version audit of changed values.
"""

from __future__ import annotations

import pandas as pd

from .changes import CHANGE_COLUMNS, changes
from .consistency import consistency_issues
from .history import HISTORY_COLUMNS, SCORE_CHANGE_COLUMNS, history, score_changes
from .rectification import RECTIFICATION_COLUMNS, criticised_items, rectification

__all__ = ["history", "score_changes", "rectification", "criticised_items",
           "consistency_issues", "changes", "cross_quarter_tables", "cross_quarter_issues",
           "HISTORY_COLUMNS", "SCORE_CHANGE_COLUMNS", "RECTIFICATION_COLUMNS", "CHANGE_COLUMNS"]


def _current_and_previous(results):
    results = list(results)
    if not results:
        raise ValueError("results is empty: at least the current quarter is needed")
    return results, results[-1], (results[-2] if len(results) > 1 else None)


def cross_quarter_tables(results, superseded_tasks: pd.DataFrame | None = None,
                         superseded_domains: pd.DataFrame | None = None) -> dict[str, pd.DataFrame]:
    """{'history', 'rectification', 'changes', 'score_changes'} for the last of `results`."""
    results, current, previous = _current_and_previous(results)
    threshold = current.reference.settings.rules.trend_threshold
    return {
        "history": history(results),
        "rectification": rectification(previous, current),
        "changes": changes(results, superseded_tasks, superseded_domains),
        "score_changes": score_changes(current.scores,
                                       previous.scores if previous else None, threshold),
    }


def cross_quarter_issues(results) -> pd.DataFrame:
    """Consistency warnings of the current quarter's returns against the previous quarter's."""
    _, current, previous = _current_and_previous(results)
    return consistency_issues(previous, current)
