"""The `zwgk` command line: parse options, call one library function, print.

Heavy libraries are imported inside the commands so that `zwgk --help` stays fast.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def _reference(path):
    from .reference import ReferenceDataError, load_reference

    try:
        return load_reference(path)
    except ReferenceDataError as exc:
        raise click.ClickException(str(exc)) from exc


def _quarter(text):
    from .dates import parse_quarter

    try:
        return parse_quarter(text)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc


reference_option = click.option(
    "--reference", "reference_dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None, help="参考数据目录（units.csv、tasks.csv、domains.csv、settings.toml），默认使用内置数据。")
workspace_option = click.option(
    "--workspace", "-w", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
    show_default=True, help="工作目录（含 inputs/ 与 outputs/）。")


@click.group(context_settings=CONTEXT)
@click.version_option(package_name="zwgk", message="zwgk %(version)s")
def main():
    """三门峡市基层政务公开标准化规范化季度报送工具。

    \b
    常用流程：
      zwgk templates 2021Q1     生成各单位填报模板
      zwgk check inputs/2021Q1  校验收到的报表
      zwgk run 2021Q1           核对、评分、排名并生成通报
      zwgk demo                 用演示数据跑通全流程
    """


def _print_table(frame, columns: dict[str, str]) -> None:
    shown = frame[list(columns)].rename(columns=columns)
    click.echo(shown.to_string(index=False))


@main.command()
@reference_option
def units(reference_dir):
    """列出单位名录（28个单位，三个分组）。"""
    from .names import GROUP_LABELS

    ref = _reference(reference_dir)
    frame = ref.units.assign(group=ref.units["group"].map(GROUP_LABELS),
                             lead=ref.units["unit_id"].isin(ref.lead_units).map({True: "是", False: ""}))
    _print_table(frame, {"order": "序号", "unit_id": "代码", "short_name": "简称", "name": "全称",
                         "group": "分组", "lead": "牵头领域"})
    counts = ref.units["group"].map(GROUP_LABELS).value_counts(sort=False)
    click.echo("共 %d 个单位：%s" % (len(ref.units), "，".join(f"{k}{v}个" for k, v in counts.items())))


@main.command()
@reference_option
def tasks(reference_dir):
    """列出任务分工（附件2的14项及正文第15项）及解析后的截止日期。"""
    ref = _reference(reference_dir)
    frame = ref.tasks.assign(
        deadline=ref.tasks["deadline"].dt.strftime("%Y-%m-%d").fillna("（无固定时限）"),
        text=ref.tasks["text"].str.slice(0, 30))
    _print_table(frame, {"task_id": "编号", "deadline_text": "时间进度", "deadline": "截止日期",
                         "applies_to": "适用", "source": "来源", "text": "工作任务"})
    click.echo(f"共 {len(ref.tasks)} 项任务。")


@main.command()
@reference_option
def domains(reference_dir):
    """列出26个试点领域及牵头部门。"""
    ref = _reference(reference_dir)
    names = ref.units.set_index("unit_id")["short_name"]
    frame = ref.domains.assign(lead=ref.domains["lead_unit_id"].map(names))
    _print_table(frame, {"domain_id": "编号", "name": "试点领域", "lead": "牵头部门", "aliases": "别称"})
    click.echo(f"共 {len(ref.domains)} 个试点领域。")


@main.command()
@click.argument("quarter")
@workspace_option
@reference_option
@click.option("--as-of", "as_of", default=None, help="核对基准日（默认为本季度报送截止日，如 2021-03-20）。")
def run(quarter, workspace, reference_dir, as_of):
    """核对、评分、排名，生成本季度通报与数据表（QUARTER 如 2021Q1）。"""
    from .dates import parse_date
    from .run import RunError, run_quarter

    q = _quarter(quarter)
    try:
        as_of_date = parse_date(as_of) if as_of else None
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--as-of") from exc
    try:
        result, paths = run_quarter(workspace, q, _reference(reference_dir), as_of_date)
    except RunError as exc:
        raise click.ClickException(str(exc)) from exc
    _print_run_summary(result, paths)


def _print_run_summary(result, paths) -> None:
    s, led = result.scores, result.ledger
    accepted = (led["state"] == "accepted").sum()
    click.echo(f"{result.quarter.label}：收到文件 {len(led)} 个，接收 {accepted} 个；"
               f"排名单位 {len(s)} 个，平均分 {s['total'].mean():.1f}；"
               f"表扬 {int(s['commended'].sum())} 个，通报批评 {int(s['criticised'].sum())} 个；"
               f"问题 {len(result.issues)} 条（错误 {(result.issues['severity'] == 'error').sum()} 条）。")
    for name, path in paths.items():
        click.echo(f"  {name}: {path}")


@main.command()
@workspace_option
@click.option("--seed", default=2020, show_default=True, help="随机种子（相同种子生成相同文件）。")
def demo(workspace, seed):
    """生成多个季度的演示报表并跑通全流程（写入工作目录的 inputs/ 与 outputs/）。"""
    from .run import run_demo

    for result, paths in run_demo(workspace, _reference(None), seed=seed):
        _print_run_summary(result, paths)
    click.echo(f"演示完成，结果在 {(workspace / 'outputs').resolve()}")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
