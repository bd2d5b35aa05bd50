"""Published quarters: the record (manifest.json's `published`) and what arrived since."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from .. import manifest as M
from ..dates import Quarter
from ..errors import ZwgkError
from ..formatting import cn_date
from ..reference import Reference
from ..workspace import ARCHIVE_DIR, Workspace


class QuarterPublished(ZwgkError):
    """The quarter is published: it is not changed without --reopen."""


def _published_text(quarter: Quarter, recorded: dict) -> str:
    pub = M.published(recorded) or {}
    return (f"{quarter.label}已于{cn_date(pub.get('date'))}发布（文号 {pub.get('doc_number', '')}，"
            f"{pub.get('by', '')}）")


@dataclass
class Frozen:
    """A published quarter's record, and what changed in inputs/<Q>/ since it was published."""
    quarter: Quarter
    published: dict
    changes: dict[str, list[str]]

    @property
    def text(self) -> str:
        lines = [_published_text(self.quarter, {"published": self.published}) + "，已定稿，本次未改动。"]
        labels = {"added": "新收到", "changed": "内容有变化", "removed": "已不在"}
        for kind, files in self.changes.items():
            lines += [f"  {labels[kind]}：{f}" for f in files]
        if not any(self.changes.values()):
            lines.append("  发布以来 inputs/ 中没有新的或改动的文件。")
        else:
            lines.append(f"以上文件未计入已发布的通报。确需重新生成，请运行 zwgk run {self.quarter} --reopen"
                         f"（原发布版本存档于 outputs/{self.quarter}/{ARCHIVE_DIR}/）。")
        return "\n".join(lines)


def frozen(workspace: Workspace, quarter: Quarter) -> Frozen | None:
    """The record of a published quarter (None when it is not published)."""
    recorded = M.read(workspace.quarter_outputs(quarter))
    if not M.published(recorded):
        return None
    now = M.file_hashes(workspace.quarter_inputs(quarter))
    return Frozen(quarter, M.published(recorded), M.input_changes(recorded.get("inputs", {}), now))


def publish_reference(reference: Reference, number: str, date: dt.date) -> Reference:
    """The reference whose 通报 header carries 文号 and 成文日期."""
    settings = reference.settings.replace("bulletin", doc_number=number, date=date.isoformat())
    return dataclasses.replace(reference, settings=settings)
