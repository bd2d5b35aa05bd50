"""Do two workspaces hold the same tables? `python -m tools.compare_tables A B [--rev REV]`.

Compares every table of every quarter in `A/outputs/<Q>/data/` with `B`'s by content (rows in
any order, columns by name; a table or column only one side has is reported). With `--rev REV`,
`A` is first made afresh: the demo of revision REV (a temporary git worktree of this checkout)
and `B` the demo of the working tree — the proof that a restructuring changed no figure
(`make same-tables REV=…`).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]


def _canonical(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    out = frame[columns].astype("string").fillna("<NA>")
    return out.sort_values(columns, kind="stable").reset_index(drop=True)


def compare(a: Path, b: Path) -> list[str]:
    """Differences between the data tables of two workspaces (empty: the same)."""
    problems = []
    for qa in sorted((a / "outputs").glob("*/data")):
        quarter = qa.parent.name
        qb = b / "outputs" / quarter / "data"
        names_a = {p.stem for p in qa.glob("*.parquet")}
        names_b = {p.stem for p in qb.glob("*.parquet")}
        for name in sorted(names_a ^ names_b):
            problems.append(f"{quarter}/{name}: 只在{'前者' if name in names_a else '后者'}中")
        for name in sorted(names_a & names_b):
            fa, fb = pd.read_parquet(qa / f"{name}.parquet"), pd.read_parquet(qb / f"{name}.parquet")
            only = set(fa.columns) ^ set(fb.columns)
            if only:
                problems.append(f"{quarter}/{name}: 列不同 {sorted(only)}")
            common = [c for c in fa.columns if c in fb.columns]
            if len(fa) != len(fb):
                problems.append(f"{quarter}/{name}: 行数 {len(fa)} ≠ {len(fb)}")
            elif not _canonical(fa, common).equals(_canonical(fb, common)):
                problems.append(f"{quarter}/{name}: 内容不同")
    return problems


def _demo(source: Path, workspace: Path) -> None:
    env_path = str(source)
    subprocess.run([sys.executable, "-c", "import sys; sys.path.insert(0, sys.argv[1]); "
                    "from pipeline.cli import main; main(['demo', '-w', sys.argv[2]])",
                    env_path, str(workspace)], check=True, cwd=source, stdout=subprocess.DEVNULL)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m tools.compare_tables", description=__doc__.splitlines()[0])
    p.add_argument("a", nargs="?", type=Path)
    p.add_argument("b", nargs="?", type=Path)
    p.add_argument("--rev", help="build A from this git revision's demo and B from the working tree's")
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        a, b = args.a, args.b
        if args.rev:
            tree = Path(tmp) / "rev"
            subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(tree), args.rev], check=True)
            try:
                a, b = Path(tmp) / "a", Path(tmp) / "b"
                _demo(tree, a)
                _demo(ROOT, b)
            finally:
                subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], check=False)
        problems = compare(a, b)
    for line in problems:
        print(line)
    print("数据表一致" if not problems else f"共 {len(problems)} 处不同")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
