"""Issue records: every problem found in an input is a row, never an exception.

Codes are stable slugs; `ISSUE_CODES` is the one list of them (docs/问题代码.md is built
from it) with the default severity and what the code means.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import pandas as pd

from .formatting import location
from .names import SEVERITY_LABELS

ISSUE_COLUMNS = ["quarter", "file", "unit_id", "sheet", "cell", "severity", "code", "message"]

ISSUE_CODES: dict[str, tuple[str, str]] = {
    # file level
    "file-unreadable": ("error", "文件无法读取（不是Excel工作簿、已损坏或加密）"),
    "file-unsafe": ("error", "文件结构异常或体积过大，出于安全原因拒收"),
    "unit-unknown": ("error", "无法识别填报单位"),
    "unit-mismatch": ("error", "基本信息的填报单位与模板所属单位（_meta）不一致"),
    "unit-not-reporting": ("warning", "该单位不属于报送单位"),
    "quarter-mismatch": ("error", "所属季度与本期不一致"),
    "return-stale": ("error", "报送的是以前季度的报表（所属季度较早且填报日期未晚于该季度截止日，或与以前季度已接收的报表完全相同），已拒收"),
    "sheet-missing": ("error", "缺少必需的工作表或表头"),
    "sheet-hidden": ("warning", "与必需工作表同名的工作表被隐藏（读取可见的一张；只有隐藏的则读取隐藏表）"),
    "duplicate-return": ("warning", "同一单位本季度有多份报表，以较晚报送的为准"),
    "submitted-on-missing": ("error", "无法确定报送日期（收文登记和填报日期均缺失）"),
    "receipt-log-bad": ("error", "收文登记表格式有误"),
    "rollup-bad": ("warning", "县（市、区）报表中的乡镇汇总数字无法识别或前后矛盾，未计入乡镇汇总"),
    # row / cell level
    "task-unknown": ("error", "任务编号不存在"),
    "task-not-applicable": ("warning", "该任务不属于本单位，已忽略"),
    "task-duplicate": ("error", "同一任务填报了多行"),
    "task-missing": ("error", "漏报了应填报的任务"),
    "status-invalid": ("error", "完成状态不是规定的选项"),
    "status-missing": ("error", "完成状态未填写"),
    "status-na-assigned": ("error", "本单位承担的任务填写了“不适用”"),
    "status-ongoing-deadline": ("warning", "有明确时限的任务填写了“持续推进”，按推进中处理"),
    "status-ongoing-not-started": ("warning", "持续推进类任务填写了“未启动”"),
    "date-invalid": ("error", "日期无法识别"),
    "cell-error": ("error", "单元格为Excel错误值（#REF!、#N/A等）或未保存计算结果的公式"),
    "date-missing": ("error", "已完成的任务未填写完成时间"),
    "date-after-submission": ("error", "完成时间晚于报送日期"),
    "domain-unknown": ("error", "领域编号不存在"),
    "domain-not-led": ("warning", "该领域不由本单位牵头，已忽略"),
    "domain-duplicate": ("error", "同一领域填报了多行"),
    "domain-missing": ("error", "漏报了应填报的试点领域"),
    "count-invalid": ("error", "事项数量不是非负整数"),
    "info-missing": ("warning", "基本信息填写不全"),
    # standard catalogues (inputs/<Q>/目录/)
    "catalogue-unreadable": ("error", "标准目录文件无法读取"),
    "catalogue-not-auditable": ("error", "标准目录文件不是表格（PDF、图片、压缩包等），无法审核"),
    "catalogue-unit-unknown": ("error", "无法识别标准目录所属单位"),
    "catalogue-unit-not-base": ("warning", "标准目录所属单位不是基层政府，已忽略"),
    "catalogue-domain-unknown": ("error", "无法识别标准目录所属试点领域"),
    "catalogue-domain-duplicate": ("warning", "同一单位同一领域有多份目录，以文件名排在最后的为准"),
    "catalogue-header-missing": ("error", "找不到标准目录表头（公开事项、公开内容、公开依据等）"),
    "catalogue-column-missing": ("error", "标准目录缺少要素列"),
    "catalogue-domain-empty": ("error", "试点领域目录中没有公开事项"),
    "catalogue-item-duplicate": ("warning", "同一领域目录中公开事项重复"),
    "catalogue-name-missing": ("error", "公开事项缺少名称（一级/二级事项）"),
    "catalogue-content-missing": ("error", "公开事项缺少公开内容"),
    "catalogue-basis-missing": ("error", "公开事项缺少公开依据"),
    "catalogue-basis-implausible": ("warning", "公开依据未写明法律法规或文件名称"),
    "catalogue-time-limit-missing": ("error", "公开事项缺少公开时限"),
    "catalogue-time-limit-implausible": ("warning", "公开时限不是明确的时限"),
    "catalogue-subject-missing": ("error", "公开事项缺少公开主体"),
    "catalogue-channel-missing": ("error", "公开事项缺少公开渠道和载体"),
    "catalogue-channel-unknown": ("warning", "公开渠道不是常见的公开渠道和载体"),
    "catalogue-method-missing": ("error", "公开方式未勾选（主动/依申请）"),
    "catalogue-audience-missing": ("error", "公开对象未勾选（全社会/特定群众）"),
    "catalogue-count-mismatch": ("warning", "目录事项数与报表填报的事项数量不一致"),
    # across quarters (pipeline/crossq)
    "consistency-undone": ("warning", "上季度已报完成的任务本季度填报为未完成"),
    "consistency-date-changed": ("warning", "已完成任务的完成时间与上季度填报不一致"),
    "consistency-catalogue-backwards": ("warning", "目录编制或实施方案状态较上季度倒退"),
}


# The wording of the issues that the decision rules raise from a table row (reconcile): code →
# template with the row's {fields}. Kept beside the codes, so that changing what the office reads
# is one edit here; ingest words its cell-level issues where it reads the cell.
MESSAGES: dict[str, str] = {
    "task-missing": "报表中缺少第{task_id}项任务（时限：{deadline_text}），请补填该任务的完成状态、完成时间和进展情况",
    "status-na-assigned": "第{task_id}项任务属于本单位职责，不能填“不适用”，请填写实际完成状态；本期按“未启动”计",
    "date-after-submission": "第{task_id}项任务完成时间（{completed}）晚于报送日期（报送日期不详时为统计截止日），"
                             "是尚未到来的日期，请核实；本期按未完成计",
    "status-ongoing-deadline": "第{task_id}项任务有明确时限（{deadline_text}），不能填“持续推进”，"
                               "请填写已完成、推进中或未启动；本期按“推进中”计",
    "status-ongoing-not-started": "第{task_id}项任务为持续推进类任务，填写了“未启动”，请尽快启动并填写进展情况；本期不得分",
    "date-missing": "第{task_id}项任务填写“已完成”但未填写完成时间，请补填（如 2020-05-31）；"
                    "本期按报送日期判断：报送时已过时限的按逾期完成计",
    "domain-missing": "报表中缺少第{domain_id}个试点领域（{domain}）的{column}，请补填；本期该领域不得分",
    "submitted-on-missing": "无法确定报送日期：收文登记未登记本文件，基本信息中“填报日期”也未填写或无法识别，"
                            "请补填填报日期（本期按逾期报送计）",
    "duplicate-return": "{unit}本季度另报送了“{winner}”（{when}），以该文件为准，本文件不再使用；如有误请说明",
}


@dataclass(frozen=True)
class Issue:
    code: str
    message: str
    file: str = ""
    sheet: str = ""
    cell: str = ""
    unit_id: str = ""
    quarter: str = ""
    severity: str = ""

    def __post_init__(self):
        if self.code not in ISSUE_CODES:
            raise KeyError(f"unregistered issue code {self.code!r}")
        if not self.severity:
            object.__setattr__(self, "severity", ISSUE_CODES[self.code][0])

    @property
    def location(self) -> str:
        return location(self.file, self.sheet, self.cell)


def worded(code: str, *, file: str = "", sheet: str = "", cell: str = "", unit_id: str = "",
           quarter: str = "", **fields) -> Issue:
    """An Issue whose message is the registered template of `code` filled with `fields`."""
    return Issue(code=code, message=MESSAGES[code].format(**fields), file=file, sheet=sheet,
                 cell=cell, unit_id=unit_id, quarter=quarter)


def issues_frame(issues: list[Issue]) -> pd.DataFrame:
    """The `issues` table (DESIGN §4) from records, in a stable order."""
    if not issues:
        return pd.DataFrame(columns=ISSUE_COLUMNS, dtype="string")
    frame = pd.DataFrame([asdict(i) for i in issues])[ISSUE_COLUMNS].astype("string")
    return frame.reset_index(drop=True)


def codes_markdown() -> str:
    """The code table for the docs."""
    rows = ["| 代码 | 严重程度 | 含义 |", "|---|---|---|"]
    labels = SEVERITY_LABELS
    rows += [f"| `{c}` | {labels[s]} | {m} |" for c, (s, m) in ISSUE_CODES.items()]
    return "\n".join(rows) + "\n"
