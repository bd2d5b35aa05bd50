"""The quarter as the office lives it (DESIGN §5): receive, status, remind, draft, publish.

Returns trickle in; `receive` files each one into inputs/<Q>/, logs its 收文日期 in 收文登记.csv
and checks it at once; `status` and `remind` say who is missing or must fix what; a `run`
before the due date or with units missing is a draft (征求意见稿, `drafts`); `publish` stamps
文号 and 成文日期 and freezes the quarter (manifest.json, `frozen`), after which `run` reports
late files instead of changing the record.

Every command goes through the one composition (`check.check_quarter` → stages) and writes the
check outputs (问题清单.xlsx, 反馈/, 报送情况.xlsx) through `checkset.write_check_outputs` —
`run` through `write_check_set`, from its own result — in one staged swap of outputs/<Q>/:
after any of them no output of the quarter describes inputs that have since changed.
"""

from .checkset import (
    CHECK_SET,
    check_folder,
    check_workspace,
    report_of,
    write_check_outputs,
    write_check_set,
)
from .drafts import draft_warning, missing_units, with_draft_status
from .frozen import Frozen, QuarterPublished, frozen, publish_reference
from .receive import Received, log_receipts, logged_names, quarter_for, receive_files
from .status import (
    REMINDER,
    STATUS_LABELS,
    STATUS_WORKBOOK,
    Reminder,
    days_left,
    reminder_text,
    reminders,
    status_frame,
    status_heading,
    write_reminder,
    write_status_workbook,
)

__all__ = [
    "CHECK_SET", "REMINDER", "check_folder", "STATUS_LABELS", "STATUS_WORKBOOK", "Frozen", "QuarterPublished",
    "Received", "Reminder", "check_workspace", "days_left", "draft_warning", "frozen",
    "log_receipts", "logged_names", "missing_units", "publish_reference", "quarter_for",
    "receive_files", "reminder_text", "reminders", "report_of", "status_frame", "status_heading",
    "with_draft_status", "write_check_outputs", "write_check_set", "write_reminder",
    "write_status_workbook",
]
