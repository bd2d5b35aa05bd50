"""The docs that are generated from code stay in step with it."""

from pipeline.issues import ISSUE_CODES
from tools.docs import DOC, render_doc


def test_issue_code_doc_is_current():
    assert DOC.read_text(encoding="utf-8") == render_doc(), "运行 make docs 更新 docs/问题代码.md"


def test_every_code_has_severity_and_chinese_meaning():
    for code, (severity, meaning) in ISSUE_CODES.items():
        assert severity in {"error", "warning"} and meaning and code == code.lower()
