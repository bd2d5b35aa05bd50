"""The bundle of tables one quarter's run produces; what renderers and notebooks receive."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from .dates import Quarter
from .reference import Reference


@dataclass
class QuarterResult:
    quarter: Quarter
    as_of: dt.date
    reference: Reference
    ledger: pd.DataFrame
    task_progress: pd.DataFrame
    domain_progress: pd.DataFrame
    issues: pd.DataFrame
    reconciliation: pd.DataFrame
    domain_reconciliation: pd.DataFrame
    scores: pd.DataFrame
    # Cross-quarter and optional tables (empty frames when not computed); name -> frame.
    extra: dict[str, pd.DataFrame] = field(default_factory=dict)
    previous: QuarterResult | None = None
    # Rows of superseded returns ('task_progress', 'domain_progress'), for the version audit only.
    superseded: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)
    # A draft (征求意见稿): run before the due date or while reporting units are missing
    # (`life.with_draft_status`); `missing` lists the unit_ids without an accepted return.
    draft: bool = False
    missing: tuple[str, ...] = ()

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table to write to data/, by name."""
        core = {
            "ledger": self.ledger,
            "task_progress": self.task_progress,
            "domain_progress": self.domain_progress,
            "issues": self.issues,
            "reconciliation": self.reconciliation,
            "domain_reconciliation": self.domain_reconciliation,
            "scores": self.scores,
        }
        return core | self.extra
