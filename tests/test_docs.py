"""The docs that are generated from code stay in step with it."""

from pathlib import Path

from pipeline.issues import ISSUE_CODES, codes_markdown

DOC = Path(__file__).parents[1] / "docs" / "问题代码.md"
HEADER = "# 问题代码 / Issue codes\n\n由 `pipeline/issues.py` 的 `ISSUE_CODES` 生成（`make docs`）。代码稳定，可用于筛选和统计。\n\n"


def render_doc() -> str:
    return HEADER + codes_markdown()


def test_issue_code_doc_is_current():
    assert DOC.read_text(encoding="utf-8") == render_doc(), "运行 make docs 更新 docs/问题代码.md"


def test_every_code_has_severity_and_chinese_meaning():
    for code, (severity, meaning) in ISSUE_CODES.items():
        assert severity in {"error", "warning"} and meaning and code == code.lower()
