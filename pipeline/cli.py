"""The `zwgk` command line: parse options, call one library function, print.

Heavy libraries (pandas and everything that imports it) are imported inside the commands so
that `zwgk --help` stays fast; that is the only reason for the function-local imports here.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from . import cli_zh

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def _reference(path, workspace=None):
    """`--reference DIR`, else the workspace's own reference/ (a county's, from `zwgk init`;
    `workspace`: a Workspace, default the current directory's), else the shipped set."""
    from .reference import ReferenceDataError, load_reference
    from .workspace import Workspace

    if path is None:
        path = (workspace or Workspace.locate(Path("."))[0]).reference_dir
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


class _Group(click.Group):
    """Click's own texts in Chinese while the CLI runs (not on import: a notebook or another
    click program importing this module keeps its own); library errors meant for the user
    (pipeline.errors.ZwgkError) become click errors."""

    def main(self, *args, **kwargs):
        with cli_zh.chinese():
            return super().main(*args, **kwargs)

    def invoke(self, ctx):
        from .errors import ZwgkError

        try:
            return super().invoke(ctx)
        except ZwgkError as exc:
            raise click.ClickException(str(exc)) from exc


@click.group(cls=_Group, context_settings=CONTEXT)
@click.version_option(package_name="zwgk", message="zwgk %(version)s", help="显示版本号并退出。")
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
    groups = "，".join(f"{k}{v}个" for k, v in counts.items())
    click.echo(f"共 {len(ref.units)} 个单位：{groups}")


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
    from .run import run_quarter

    q = _quarter(quarter)
    try:
        as_of_date = parse_date(as_of) if as_of else None
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--as-of") from exc
    ws = _workspace(workspace)
    result, paths = run_quarter(ws, q, _reference(reference_dir, ws), as_of_date)
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
    from .reference import SHIPPED
    from .run import run_demo

    for result, paths in run_demo(_workspace(workspace), _reference(SHIPPED), seed=seed):
        if result.reference.level == "county":  # the county workspace one level down
            click.echo(f"[{result.reference.settings.bulletin.issuer}] ", nl=False)
        _print_run_summary(result, paths)
    click.echo(f"演示完成，结果在 {(workspace / 'outputs').resolve()}")


@main.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path), default=Path("."))
@click.option("--county", required=True, help="县（市、区）名称，如 灵宝市（须为市级名录中的基层政府）。")
@click.option("--townships", default=15, show_default=True, type=click.IntRange(1, 10000),
              help="预填的乡镇（街道）占位行数（XX镇01……，请改为实际名称）。")
def init(folder, county, townships):
    """新建县级工作目录（FOLDER，默认当前目录）：本县乡镇（街道）名录、乡级任务与通报设置。

    \b
    写出 FOLDER/reference/（units.csv、tasks.csv、domains.csv、deadline_overrides.csv、
    settings.toml，均可直接修改）及 inputs/、outputs/。在该目录中运行的各命令自动使用
    这套参考数据；zwgk run 另写出报市政府的汇总报表 outputs/<季度>/上报/<县>_汇总_<季度>.xlsx。
    """
    from .county import init_county

    ref = init_county(county, folder, townships)
    root = ref.settings.reporting.root_unit_id
    click.echo(f"已新建{ref.settings.bulletin.issuer.removesuffix('办公室')}工作目录（{root}）：{folder.resolve()}")
    click.echo(f"  乡镇（街道）{len(ref.reporting_units)} 个（占位名称，请在 {folder / 'reference' / 'units.csv'} 中改为实际名称，代码不变）")
    click.echo(f"  乡级任务 {len(ref.tasks)} 项（截止时间可在 tasks.csv 中修改）；通报抬头等在 settings.toml 中修改")


def _workspace(path: Path):
    from .workspace import Workspace

    return Workspace.locate(path)[0]


def _target(target: str, workspace: Path | None, quarter_text: str | None, what: str):
    """(Workspace, Quarter, folder) from what the user named: a quarter (read in the
    workspace, `-w` or the current directory) or a folder (inputs/<Q>, or any folder)."""
    from .workspace import Workspace, quarter_named

    folder = Path(target)
    if not folder.is_dir() and quarter_named(target) is not None:
        ws = Workspace.locate(workspace or Path("."))[0]
        q = _quarter(quarter_text) if quarter_text else quarter_named(target)
        return ws, q, (ws.catalogue_dir(q) if what == "catalogue" else ws.quarter_inputs(q))
    if not folder.is_dir():
        raise click.BadParameter(f"“{target}”不存在：请给出季度（如 2021Q1）或报表所在的目录", param_hint="目标")
    ws, named = Workspace.locate(folder)
    if ws.root == folder.resolve():  # a folder outside any workspace: outputs go to the current one
        ws = Workspace.locate(Path("."))[0]
    if workspace is not None:
        ws = Workspace.locate(workspace)[0]
    q = _quarter(quarter_text) if quarter_text else named
    if q is None:
        raise click.UsageError(f"无法从路径“{folder}”识别季度，请用 --quarter 指定，如 --quarter 2021Q1")
    return ws, q, folder


def _print_issues(issues) -> None:
    from .formatting import location
    from .names import SEVERITY_LABELS

    if len(issues):
        click.echo("\n问题：")
    for r in issues.itertuples():
        click.echo(f"  [{SEVERITY_LABELS.get(r.severity, r.severity)}] {location(r.file, r.sheet, r.cell)}  {r.message}")


@main.command()
@click.argument("target")
@click.option("--workspace", "-w", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="工作目录（含 inputs/ 与 outputs/），默认为当前目录或 TARGET 所在的工作目录。")
@reference_option
@click.option("--quarter", "quarter_text", default=None,
              help="季度（如 2021Q1）；默认取自目录名 inputs/<季度>。")
def check(target, workspace, reference_dir, quarter_text):
    """校验收到的报表（TARGET 为季度如 2021Q1，或目录如 inputs/2021Q1），列出各单位需整改的问题。

    \b
    写出 outputs/<季度>/问题清单.xlsx 和 outputs/<季度>/反馈/<单位简称>.xlsx
    （各单位需整改的问题及任务核对结果，可直接发回）。
    退出码：0 无错误，1 有错误，2 用法错误。
    """
    from .check import (
        ISSUE_LIST,
        STATE_LABELS,
        check_quarter,
        write_issue_list,
        write_unit_feedback,
    )
    from .ingest import list_inputs

    ws, q, folder = _target(target, workspace, quarter_text, "returns")
    ref = _reference(reference_dir, ws)
    count = len(list_inputs(folder)) if folder.is_dir() else 0
    if count > 20:
        with click.progressbar(length=count, label="读取报表", file=sys.stderr) as bar:
            report = check_quarter(folder, ref, q, on_file=lambda _name: bar.update(1))
    else:
        report = check_quarter(folder, ref, q)
    out = ws.quarter_outputs(q) / ISSUE_LIST
    write_issue_list(report, out)
    feedback = write_unit_feedback(report, out.parent)

    summary = report.summary.assign(state=report.summary["state"].map(STATE_LABELS))
    click.echo(f"{q.label}报表校验（{folder}）")
    if len(summary):
        _print_table(summary, {"unit": "单位", "file": "文件", "state": "状态", "errors": "错误", "warnings": "警告"})
    _print_issues(report.issues.fillna(""))
    led = report.ledger
    states = led["state"].value_counts()
    click.echo(f"\n共 {len(led)} 个文件：已接收 {states.get('accepted', 0)}，已拒收 {states.get('rejected', 0)}，"
               f"已被替代 {states.get('superseded', 0)}；未报送单位 {(report.summary['state'] == 'missing').sum()} 个；"
               f"错误 {report.error_count} 条，警告 {report.warning_count} 条。")
    click.echo(f"问题清单：{out}")
    if feedback:
        click.echo(f"各单位反馈（{len(feedback)} 份）：{feedback[0].parent}")
    click.get_current_context().exit(1 if report.error_count else 0)


@main.command()
@click.argument("target")
@click.option("--workspace", "-w", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="工作目录（含 inputs/ 与 outputs/），默认为当前目录或 TARGET 所在的工作目录。")
@reference_option
@click.option("--quarter", "quarter_text", default=None,
              help="季度（如 2021Q1）；默认取自目录路径 inputs/<季度>/目录。")
def catalogue(target, workspace, reference_dir, quarter_text):
    """审核基层政府报送的政务公开事项标准目录（TARGET 为季度如 2021Q1，或目录如 inputs/2021Q1/目录）。

    \b
    逐条检查名称、内容、依据、时限、主体、方式、渠道、公开对象8项要素，
    并与同季度报表中填报的事项数量核对；写出 outputs/<季度>/目录审核.xlsx。
    退出码：0 无错误，1 有错误，2 用法错误。
    """
    from . import stages
    from .catalogue import audit_catalogues, catalogue_paragraph, write_catalogue_workbook
    from .ingest import list_inputs
    from .names import CATALOGUE_DIR, CATALOGUE_WORKBOOK

    ws, q, folder = _target(target, workspace, quarter_text, "catalogue")
    folder = folder.resolve()
    if folder.name != CATALOGUE_DIR and (folder / CATALOGUE_DIR).is_dir():
        folder = folder / CATALOGUE_DIR  # inputs/<Q> given
    if not folder.is_dir():
        raise click.BadParameter(f"找不到标准目录文件夹：{folder}", param_hint="目标")
    quarter_dir = folder.parent
    ref = _reference(reference_dir, ws)
    progress = None
    if any(p.is_file() for p in list_inputs(quarter_dir)):
        read = stages.intake(quarter_dir, ref, q)
        progress = stages.reconcile(read, ref, q).domain_progress
    result = audit_catalogues(folder, ref, q, progress)
    out = write_catalogue_workbook(result, ref, ws.quarter_outputs(q) / CATALOGUE_WORKBOOK)

    click.echo(f"{q.label}标准目录审核（{folder}）")
    sent = result.audit[result.audit["sent"]]
    if len(sent):
        names = ref.domains.set_index("domain_id")["name"]
        shown = sent.assign(
            unit=sent["unit_id"].map(ref.unit_name), domain=sent["domain_id"].map(names),
            share=sent["share_complete"].map(lambda s: "" if s != s else f"{s:.0%}"),
            reported=sent["reported_count"].astype("object").fillna(""),
            match=sent["count_matches"].map({True: "一致", False: "不一致"}).astype("object").fillna(""))
        _print_table(shown, {"unit": "单位", "domain": "领域", "items": "事项", "complete_items": "要素齐全",
                             "share": "齐全率", "reported": "报表事项数", "match": "核对"})
    _print_issues(result.issues.fillna(""))
    warnings = int((result.issues["severity"] == "warning").sum())
    click.echo(f"\n{catalogue_paragraph(result.audit, ref, result.items)}")
    click.echo(f"错误 {result.error_count} 条，警告 {warnings} 条。审核结果：{out}")
    click.get_current_context().exit(1 if result.error_count else 0)


@main.command()
@click.argument("quarter_text", metavar="QUARTER")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="输出目录，默认 outputs/<季度>/templates/。")
@click.option("--unit", "unit_names", multiple=True,
              help="只生成指定单位（代码、简称或全称，可多次使用），默认全部27个报送单位。")
@workspace_option
@reference_option
def templates(quarter_text, out_dir, unit_names, workspace, reference_dir):
    """生成各报送单位本季度的填报模板（预填上季度已接收报表的内容）。"""
    from .stages import previous_returns
    from .templates import write_templates

    ws = _workspace(workspace)
    ref = _reference(reference_dir, ws)
    quarter = _quarter(quarter_text)
    ids = []
    for name in unit_names:
        unit_id = ref.resolve_unit(name)
        if unit_id is None:
            hint = "、".join(ref.suggest_units(name))
            raise click.BadParameter(f"无法识别的单位「{name}」" + (f"，是否为：{hint}" if hint else ""),
                                     param_hint="--unit")
        ids.append(unit_id)
    out_dir = out_dir or ws.templates_dir(quarter)
    try:
        previous = previous_returns(ws, ref, quarter)
    except Exception as exc:  # carry-forward is a convenience; never block the templates
        click.echo(f"警告：读取上季度报表失败，模板不预填上季度内容（{exc}）", err=True)
        previous = None
    paths = write_templates(ref, quarter, out_dir, ids or None, previous)
    carried = "，已预填上季度报送内容" if previous is not None else ""
    click.echo(f"已生成 {len(paths)} 份{quarter.label}填报模板{carried}：{out_dir}")


def entry() -> None:
    """The `zwgk` program (console script): `main`, then a quick exit.

    At exit the interpreter's last garbage collections walk every object pandas, pyarrow and
    the rest created (~0.3 s after a run, a tenth of the whole city quarter); frozen objects
    are skipped, and a program about to end has no garbage worth collecting. Only here, not in
    `main`, which tests and notebooks call in a process that goes on.
    """
    import gc

    try:
        main()
    finally:
        gc.freeze()


if __name__ == "__main__":  # pragma: no cover
    entry()
