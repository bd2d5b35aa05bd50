"""Every sheet name, column name, synonym and status word of the return workbook.

One module so that the template writer, the reader and the renderers agree; nothing else
spells these strings.
"""

from __future__ import annotations

TEMPLATE_VERSION = 1

# --- sheets -------------------------------------------------------------------------------
SHEET_GUIDE = "填报说明"
SHEET_INFO = "基本信息"
SHEET_TASKS = "任务进展"
SHEET_DOMAINS = "试点领域"
SHEET_META = "_meta"
SHEET_LISTS = "_lists"  # hidden drop-down source lists in templates

# --- 基本信息 labels ----------------------------------------------------------------------
INFO_UNIT = "填报单位"
INFO_QUARTER = "所属季度"
INFO_DATE = "填报日期"
INFO_PERSON = "填报人"
INFO_PHONE = "联系电话"
INFO_REVIEWER = "审核负责人"
INFO_LABELS = [INFO_UNIT, INFO_QUARTER, INFO_DATE, INFO_PERSON, INFO_PHONE, INFO_REVIEWER]
INFO_SYNONYMS = {
    INFO_UNIT: ["填报单位", "报送单位", "单位名称", "单位"],
    INFO_QUARTER: ["所属季度", "报送季度", "季度"],
    INFO_DATE: ["填报日期", "报送日期", "填表日期", "日期"],
    INFO_PERSON: ["填报人", "填表人"],
    INFO_PHONE: ["联系电话", "电话"],
    INFO_REVIEWER: ["审核负责人", "审核人", "负责人"],
}

# --- 任务进展 columns: Chinese header -> table column ---------------------------------------
TASK_COLUMNS = {
    "任务编号": "task_id",
    "工作任务": "task_text",
    "时间进度": "deadline_text",
    "完成状态": "status_text",
    "完成时间": "completed_text",
    "进展情况": "note",
    "佐证材料": "evidence",
    "存在问题及下一步措施": "problems",
}
TASK_SYNONYMS = {
    "任务编号": ["任务编号", "序号", "编号", "任务序号"],
    "工作任务": ["工作任务", "任务内容", "任务"],
    "时间进度": ["时间进度", "完成时限", "时限要求", "时间节点"],
    "完成状态": ["完成状态", "完成情况", "进展状态", "状态"],
    "完成时间": ["完成时间", "完成日期", "实际完成时间"],
    "进展情况": ["进展情况", "工作进展", "推进情况", "进展"],
    "佐证材料": ["佐证材料", "佐证", "证明材料", "佐证材料（链接或文件名）"],
    "存在问题及下一步措施": ["存在问题及下一步措施", "存在问题", "下一步措施", "问题及措施"],
}
TASK_REQUIRED = ["任务编号", "完成状态"]

# --- 试点领域 columns (base units: catalogues) ---------------------------------------------
CATALOGUE_COLUMNS = {
    "领域编号": "domain_id",
    "试点领域": "domain_name",
    "目录编制状态": "status_text",
    "事项数量": "item_count_text",
    "公开网址": "url",
    "完成时间": "completed_text",
    "备注": "note",
}
# --- 试点领域 columns (lead departments: implementation plans) -------------------------------
PLAN_COLUMNS = {
    "领域编号": "domain_id",
    "试点领域": "domain_name",
    "实施方案状态": "status_text",
    "出台时间": "completed_text",
    "文号或网址": "url",
    "备注": "note",
}
DOMAIN_SYNONYMS = {
    "领域编号": ["领域编号", "序号", "编号"],
    "试点领域": ["试点领域", "领域名称", "领域"],
    "目录编制状态": ["目录编制状态", "编制状态", "目录状态", "编制情况"],
    "实施方案状态": ["实施方案状态", "方案状态", "出台情况", "实施方案出台情况"],
    "事项数量": ["事项数量", "事项数", "目录事项数量"],
    "公开网址": ["公开网址", "网址", "链接", "公开链接"],
    "完成时间": ["完成时间", "编制完成时间", "完成日期"],
    "出台时间": ["出台时间", "印发时间", "出台日期"],
    "文号或网址": ["文号或网址", "文号", "网址"],
    "备注": ["备注", "说明"],
}
DOMAIN_REQUIRED = ["领域编号"]

# --- status words -------------------------------------------------------------------------
TASK_STATUS_LABELS = {  # code -> the word the template offers
    "done": "已完成",
    "in_progress": "推进中",
    "not_started": "未启动",
    "ongoing": "持续推进",
    "not_applicable": "不适用",
}
TASK_STATUS_WORDS = {
    "已完成": "done", "完成": "done",
    "推进中": "in_progress", "进行中": "in_progress", "正在推进": "in_progress",
    "未启动": "not_started", "未开始": "not_started",
    "持续推进": "ongoing", "长期坚持": "ongoing", "常态化推进": "ongoing",
    "不适用": "not_applicable", "无此项": "not_applicable",
}
CATALOGUE_STATUS_LABELS = {
    "published": "已编制并公开",
    "compiled": "已编制未公开",
    "compiling": "编制中",
    "not_started": "未启动",
}
PLAN_STATUS_LABELS = {
    "issued": "已出台",
    "drafting": "起草中",
    "not_started": "未启动",
}
CATALOGUE_STATUS_WORDS = {v: k for k, v in CATALOGUE_STATUS_LABELS.items()}
PLAN_STATUS_WORDS = {v: k for k, v in PLAN_STATUS_LABELS.items()}

VERDICT_LABELS = {
    "on_time": "按期完成",
    "late": "逾期完成",
    "overdue": "逾期未完成",
    "pending": "推进中",
    "ongoing": "持续推进",
    "unreported": "未报送",
}
LEDGER_STATE_LABELS = {"accepted": "已接收", "rejected": "已拒收", "superseded": "已被替代", "ignored": "已忽略"}
SUBMISSION_STATE_LABELS = LEDGER_STATE_LABELS | {"missing": "未报送"}  # check's 报送情况: files + units
# check's 报送情况 sheet: column → header
CHECK_SUMMARY_LABELS = {"unit": "单位", "file": "文件", "state": "状态", "submitted_on": "报送日期",
                        "on_time": "按时", "errors": "错误", "warnings": "警告", "reason": "说明"}
SEVERITY_LABELS = {"error": "错误", "warning": "警告"}
GROUP_LABELS = {"base": "基层政府", "dept": "市直部门", "office": "市政府办公室"}
# The groups as a county's own 通报 names them (its units are townships and county departments).
COUNTY_GROUP_LABELS = {"base": "乡镇（街道）", "dept": "县直部门", "office": "县政府办公室"}


def group_labels(level: str) -> dict[str, str]:
    """The groups as the outputs of a workspace at `level` (city or county) name them."""
    return COUNTY_GROUP_LABELS if level == "county" else GROUP_LABELS

# --- receipt log --------------------------------------------------------------------------
RECEIPT_LOG = "收文登记.csv"
# The receipt log as the office may save it (the first one present is read; none is a return).
RECEIPT_LOGS = (RECEIPT_LOG, "收文登记.xlsx", "收文登记.xls")
RECEIPT_FILE = "文件"
RECEIPT_DATE = "收文日期"
CATALOGUE_DIR = "目录"

# --- _meta keys ---------------------------------------------------------------------------
META_KEYS = ["template_version", "unit_id", "quarter", "generated_at"]

# --- standard catalogues (目录/): two-row header, see pipeline/catalogue -------------------
# Upper header row: canonical name -> synonyms (a parenthetical tail such as （要素） is ignored).
CATALOGUE_HEAD_SYNONYMS = {
    "序号": ["序号", "编号"],
    "公开事项": ["公开事项", "事项名称", "公开事项名称", "事项"],
    "公开内容": ["公开内容", "公开内容要素", "公开要素", "内容"],
    "公开依据": ["公开依据", "依据", "政策依据", "法律依据", "公开依据（文件名称及文号）"],
    "公开时限": ["公开时限", "时限", "公开时间"],
    "公开主体": ["公开主体", "主体", "责任主体", "公开责任主体"],
    "公开渠道": ["公开渠道和载体", "公开渠道及载体", "公开渠道", "渠道", "公开载体", "渠道和载体"],
    "公开对象": ["公开对象", "对象"],
    "公开方式": ["公开方式", "方式"],
    "公开层级": ["公开层级", "层级"],
}
# Lower header row (under the merged 公开事项 / 公开对象 / 公开方式 / 公开层级 cells).
CATALOGUE_SUB_SYNONYMS = {
    "一级事项": ["一级事项", "一级", "一级目录"],
    "二级事项": ["二级事项", "二级", "二级目录"],
    "全社会": ["全社会", "社会公众"],
    "特定群众": ["特定群众", "特定群体", "特定对象"],
    "主动": ["主动", "主动公开"],
    "依申请": ["依申请", "依申请公开"],
    "县级": ["县级", "县级政府", "县"],
    "乡级": ["乡级", "乡镇级", "乡镇", "乡"],
}
# The 8 elements every item must carry (正文 二（一）): table column -> label.
CATALOGUE_ELEMENTS = {
    "name": "名称", "content": "内容", "basis": "依据", "time_limit": "时限",
    "subject": "主体", "method": "方式", "channel": "渠道", "audience": "公开对象",
}
CATALOGUE_UNIT_LABELS = {"填报单位": ["填报单位", "编制单位", "报送单位", "单位名称", "制表单位", "单位"]}
CATALOGUE_WORKBOOK = "目录审核.xlsx"

# Codes of the cross-quarter tables (rectification, changes), shown in Chinese.
RECTIFICATION_KIND_LABELS = {"missing_return": "未报送", "late_return": "逾期报送",
                             "overdue_task": "任务逾期未完成", "unreported_task": "任务漏报",
                             "failing_grade": "等次不合格"}
# … and as the 通报's 上期整改 paragraph words them
RECTIFICATION_KIND_PHRASES = {"missing_return": "未报送工作进展", "late_return": "逾期报送工作进展",
                              "overdue_task": "有到期任务逾期未完成", "unreported_task": "报表漏报到期任务",
                              "failing_grade": "综合得分等次为不合格"}
CHANGE_KIND_LABELS = {"resubmission": "同一季度重新报送", "quarter": "与上季度相比"}
CHANGE_ITEM_LABELS = {"task": "任务", "domain": "试点领域"}
CHANGE_FIELD_LABELS = {"status": "状态", "completed_on": "完成时间", "note": "进展情况/备注",
                       "item_count": "事项数量", "url": "公开网址/文号"}
# --- a county's summary return (roll-up of its townships) ---------------------------------
SHEET_ROLLUP = "乡镇汇总"
ROLLUP_FILE = "{county}_汇总_{quarter}.xlsx"  # under outputs/<Q>/上报/ of the county workspace
ROLLUP_LABELS = {  # field -> the label in column A of the 乡镇汇总 sheet's figures block
    "county": "县（市、区）",
    "quarter": "所属季度",
    "townships": "乡镇（街道）数",
    "reporting": "已报送",
    "on_time": "按时报送",
    "tasks_due": "应完成任务（项次）",
    "tasks_done": "已完成任务（项次）",
    "catalogue_due": "乡级标准目录应编制（乡镇×领域）",
    "catalogue_done": "乡级标准目录已编制并公开",
}
ROLLUP_DETAIL = ["乡镇（街道）", "是否报送", "是否按时", "应完成任务", "已完成任务",
                 "标准目录应编制", "已编制并公开", "综合得分", "等次"]
