"""Docs generated from code: `python -m tools.docs` (make docs) rewrites docs/问题代码.md."""

from __future__ import annotations

from pathlib import Path

from pipeline.issues import codes_markdown

DOC = Path(__file__).resolve().parents[1] / "docs" / "问题代码.md"
HEADER = "# 问题代码 / Issue codes\n\n由 `pipeline/issues.py` 的 `ISSUE_CODES` 生成（`make docs`）。代码稳定，可用于筛选和统计。\n\n"


def render_doc() -> str:
    return HEADER + codes_markdown()


if __name__ == "__main__":
    DOC.write_text(render_doc(), encoding="utf-8")
    print(f"已更新 {DOC}")
