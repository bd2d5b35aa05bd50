"""The `zwgk` command line: parse options, call one library function, print.

Heavy libraries (pandas and everything that imports it) are imported inside the commands so
that `zwgk --help` stays fast; that is the only reason for the function-local imports here.
"""

from __future__ import annotations

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
    default=None, help="参考数据目录（单位名录、任务分工、试点领域、评分设置），默认使用内置数据。")
workspace_option = click.option(
    "--workspace", "-w", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
    show_default=True, help="工作目录（含 inputs/ 与 outputs/）。")


class _Group(click.Group):
    """Click's own texts in Chinese while the CLI runs (not on import: a notebook or another
    click program importing this module keeps its own), Chinese placeholders and headings on
    every command however it was added; library errors meant for the user
    (pipeline.errors.ZwgkError) become click errors."""

    def main(self, *args, **kwargs):
        cli_zh.localize(self)
        with cli_zh.chinese():
            return super().main(*args, **kwargs)

    def invoke(self, ctx):
        """Exit codes of DESIGN §6: a ZwgkError exits with its `exit_code` (2 usage, 3 the
        workspace); an OSError of the workspace (no space, read-only, no permission), even
        wrapped by a library, becomes a Chinese sentence and 3 — never a traceback."""
        from .errors import ZwgkError, os_error_in, workspace_error

        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except ZwgkError as exc:
            raise _exit_error(str(exc), exc.exit_code) from exc
        except Exception as exc:
            found = os_error_in(exc)
            if found is None:
                raise
            error = workspace_error(found)
            raise _exit_error(str(error), error.exit_code) from exc


def _exit_error(message: str, code: int) -> click.ClickException:
    error = click.ClickException(message)
    error.exit_code = code
    return error


@click.group(cls=_Group, context_settings=CONTEXT)
@click.version_option(package_name="zwgk", message="zwgk %(version)s", help="显示版本号并退出。")
def main():
    """三门峡市基层政务公开标准化规范化季度报送工具。

    \b
    常用流程：
      zwgk templates 2021Q1     生成各单位填报模板
      zwgk receive 文件.xlsx    收文：存入 inputs/<季度>/、登记收文日期并当场校验
      zwgk status 2021Q1        报送情况：谁已报、谁未报、谁有错误、距截止日几天
      zwgk remind 2021Q1        生成催报名单（.docx/.txt）
      zwgk check inputs/2021Q1  校验收到的报表
      zwgk run 2021Q1           核对、评分、排名并生成通报（未报齐时为征求意见稿）
      zwgk publish 2021Q1 --number 三政办〔2021〕12号   定稿发布并冻结本季度
      zwgk demo                 用演示数据跑通全流程

    \b
    退出码：0 完成；1 报表有错误（check、receive）；2 用法错误；
    3 工作目录无法读写（磁盘已满、只读、无权限）。
    """


def _print_table(frame, columns: dict[str, str]) -> None:
    from .terminal import print_table

    print_table(frame, columns)


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
    from .labels import applies_to_label

    ref = _reference(reference_dir)
    names = dict(zip(ref.units["unit_id"], ref.units["short_name"], strict=True))
    text = ref.tasks["text"]
    frame = ref.tasks.assign(
        deadline=ref.tasks["deadline"].dt.strftime("%Y-%m-%d").fillna("（无固定时限）"),
        applies_to=ref.tasks["applies_to"].map(lambda t: applies_to_label(t, names)),
        text=text.str.slice(0, 30) + text.str.len().gt(30).map({True: "…", False: ""}))
    _print_table(frame, {"task_id": "编号", "deadline_text": "时间进度", "deadline": "截止日期",
                         "applies_to": "适用", "source": "来源", "text": "工作任务"})
    click.echo(f"共 {len(ref.tasks)} 项任务。")


@main.command()
@reference_option
def domains(reference_dir):
    """列出26个试点领域及牵头部门。"""
    ref = _reference(reference_dir)
    names = ref.units.set_index("unit_id")["short_name"]
    frame = ref.domains.assign(lead=ref.domains["lead_unit_id"].map(names),
                               aliases=ref.domains["aliases"].str.replace("|", "、", regex=False))
    _print_table(frame, {"domain_id": "编号", "name": "试点领域", "lead": "牵头部门", "aliases": "别称"})
    click.echo(f"共 {len(ref.domains)} 个试点领域。")


@main.command()
@click.argument("quarter")
@workspace_option
@reference_option
@click.option("--as-of", "as_of", default=None, help="核对基准日（默认为本季度报送截止日，如 2021-03-20）。")
@click.option("--number", "doc_number", default=None, help="通报的文号，如 三政办〔2021〕12号（默认取 settings.toml）。")
@click.option("--date", "date", default=None, help="通报的成文日期，如 2021-03-25（默认取 settings.toml，未设则为当天）。")
@click.option("--reopen", is_flag=True, default=False,
              help="重新生成已发布（定稿）的季度；原发布版本存档于 outputs/<季度>/已发布存档/。")
def run(quarter, workspace, reference_dir, as_of, doc_number, date, reopen):
    """核对、评分、排名，生成本季度通报与数据表（季度如 2021Q1）。

    \b
    截止日前或尚有单位未报送时生成征求意见稿，并提示未报送单位。
    已发布的季度不再改动：只报告 inputs/ 中新到或改动的文件（除非 --reopen）。
    """
    from .ingest import list_inputs
    from .life import draft_warning, frozen
    from .run import run_quarter
    from .terminal import progress

    q = _quarter(quarter)
    as_of_date, date_value = _date(as_of, "--as-of"), _date(date, "--date")
    ws = _workspace(workspace)
    record = frozen(ws, q)
    if record is not None and not reopen:
        click.echo(record.text)
        return
    ref = _reference(reference_dir, ws)
    folder = ws.quarter_inputs(q)
    count = len(list_inputs(folder)) if folder.is_dir() else 0
    with progress("读取报表", count, after="生成通报、工作簿和图表") as on_file:
        result, paths = run_quarter(ws, q, ref, as_of_date, doc_number, date_value, reopen=reopen,
                                    on_file=on_file, notify=lambda text: click.echo(text, err=True))
    warning = draft_warning(result)
    if warning:
        click.echo(warning, err=True)
    _print_run_summary(result, paths)


# What each output of a run is called (keys of run_quarter's paths), in the order shown.
OUTPUT_LABELS = {"bulletin": "通报", "workbook": "排名工作簿", "charts": "图表", "feedback": "反馈表",
                 "catalogue": "目录审核", "data": "数据表"}


def _date(text, hint):
    from .dates import parse_date

    if not text:
        return None
    try:
        value = parse_date(text)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint=hint) from exc
    if value is None:
        raise click.BadParameter(f"无法识别的日期「{text}」，请写作 2021-03-18", param_hint=hint)
    return value


def _print_run_summary(result, paths) -> None:
    s, led = result.scores, result.ledger
    accepted = (led["state"] == "accepted").sum()
    click.echo(f"{result.quarter.label}：收到文件 {len(led)} 个，接收 {accepted} 个；"
               f"排名单位 {len(s)} 个，平均分 {s['total'].mean():.1f}；"
               f"表扬 {int(s['commended'].sum())} 个，通报批评 {int(s['criticised'].sum())} 个；"
               f"问题 {len(result.issues)} 条（错误 {(result.issues['severity'] == 'error').sum()} 条）。")
    order = [k for k in OUTPUT_LABELS if k in paths] + [k for k in paths if k not in OUTPUT_LABELS]
    for name in order:  # an output without a label is named by its file
        click.echo(f"  {OUTPUT_LABELS.get(name, paths[name].name)}：{paths[name]}")


@main.command()
@workspace_option
@click.option("--seed", default=2020, show_default=True, help="随机种子（相同种子生成相同文件）。")
def demo(workspace, seed):
    """生成多个季度的演示报表并跑通全流程（写入工作目录的 inputs/ 与 outputs/）。"""
    from .demo import QUARTERS
    from .reference import SHIPPED
    from .run import run_demo
    from .terminal import progress

    with progress("生成演示报表", len(QUARTERS)) as quarters:
        def reading(_name):  # returns are read once the demo files are written
            quarters.describe("逐季核对、生成通报")

        for result, paths in run_demo(_workspace(workspace), _reference(SHIPPED), seed=seed,
                                      on_file=reading):
            if result.reference.level == "county":  # the county workspace one level down
                click.echo(f"[{result.reference.settings.bulletin.issuer}] ", nl=False)
            else:
                quarters()
            _print_run_summary(result, paths)
    click.echo(f"演示完成，结果在 {(workspace / 'outputs').resolve()}")


@main.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path), required=False)
@click.option("--workspace", "-w", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="要新建的工作目录（也可直接写在命令末尾），默认当前目录。")
@click.option("--county", required=True, help="县（市、区）名称，如 灵宝市（须为市级名录中的基层政府）。")
@click.option("--townships", default=15, show_default=True, type=click.IntRange(1, 10000),
              help="预填的乡镇（街道）占位行数（XX镇01……，请改为实际名称）。")
def init(folder, workspace, county, townships):
    """新建县级工作目录（默认当前目录）：本县乡镇（街道）名录、乡级任务与通报设置。

    \b
    写出 <目录>/reference/（units.csv、tasks.csv、domains.csv、
    deadline_overrides.csv、settings.toml，均可直接修改）及 inputs/、outputs/。
    在该目录中运行的各命令自动使用这套参考数据；zwgk run 另写出报市政府的
    汇总报表 outputs/<季度>/上报/<县>_汇总_<季度>.xlsx。
    """
    from .county import init_county

    if folder is not None and workspace is not None and folder.resolve() != workspace.resolve():
        raise click.UsageError("工作目录只需给出一次：写在命令末尾，或用 -w 指定")
    folder = folder or workspace or Path(".")
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


# Up to this many rows, check and status list every file and every unit that sent nothing;
# beyond (a province: thousands), only those to act on: a table of 2,000 rows hides the few to fix.
LISTED_FILES = 60


# How the rows a long listing leaves out are counted, by state.
_COUNTED = {"accepted": "个文件已接收且无问题", "superseded": "个文件已被替代", "ignored": "个文件已忽略",
            "missing": "个单位未报送"}


def _counted(states, written, accepted: str = _COUNTED["accepted"]) -> str:
    """「另有 …，未逐行列出（…）。」 for the states of the rows not listed; `accepted`: how the
    accepted files left out are described."""
    from .life import STATUS_WORKBOOK

    counts = states.value_counts()
    wording = _COUNTED | {"accepted": accepted}
    parts = [f"{counts[state]} {what}" for state, what in wording.items() if counts.get(state)]
    parts += [f"{n} 个文件" for state, n in counts.items() if state not in wording]  # a state not worded
    where = f"全部见 {STATUS_WORKBOOK}，催报名单可用 zwgk remind 生成" if written else "本次未写出文件"
    return f"另有 {'，'.join(parts)}，未逐行列出（{where}）。"


def _listed(summary):
    """The check summary's rows to list: all of them up to LISTED_FILES; else the files to act
    on (errors or warnings, or not accepted: rejected, superseded, ignored). Those accepted
    without a problem and the units that sent nothing are then only counted."""
    if len(summary) <= LISTED_FILES:
        return summary
    state = summary["state"]
    fine = (state == "accepted") & (summary["errors"] == 0) & (summary["warnings"] == 0)
    return summary[~fine & (state != "missing")]


@main.command()
@click.argument("target")
@click.option("--workspace", "-w", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="工作目录（含 inputs/ 与 outputs/），默认为当前目录或目标所在的工作目录。")
@reference_option
@click.option("--quarter", "quarter_text", default=None,
              help="季度（如 2021Q1）；默认取自目录名 inputs/<季度>。")
def check(target, workspace, reference_dir, quarter_text):
    """校验收到的报表（目标为季度如 2021Q1，或目录如 inputs/2021Q1），列出各单位需整改的问题。

    \b
    写出 outputs/<季度>/问题清单.xlsx、报送情况.xlsx
    和 outputs/<季度>/反馈/<单位简称>.xlsx
    （各单位需整改的问题及任务核对结果，可直接发回），与 zwgk run 写出的完全一致。
    退出码：0 无错误，1 有错误，2 用法错误，3 工作目录无法读写。
    """
    from .check import STATE_LABELS
    from .ingest import list_inputs
    from .life import check_folder, check_workspace
    from .stages import RunError
    from .terminal import progress

    ws, q, folder = _target(target, workspace, quarter_text, "returns")
    ref = _reference(reference_dir, ws)
    if not folder.is_dir():
        raise RunError(f"找不到本季度报表目录：{folder}")
    # the workspace's own quarter folder: computed as `run` computes it; any other folder alone
    in_workspace = folder.resolve() == ws.quarter_inputs(q).resolve()
    with progress("读取报表", len(list_inputs(folder))) as on_file:
        if in_workspace:
            report = check_workspace(ws, q, ref, on_file=on_file)
        else:
            report = check_folder(folder, ref, q, on_file=on_file)
    written, dropped = _write_check_outputs(ws, report, folder)

    summary = report.summary.assign(state=report.summary["state"].map(STATE_LABELS))
    click.echo(f"{q.label}报表校验（{folder}）")
    shown = _listed(report.summary)
    if len(shown):
        _print_table(summary.loc[shown.index],
                     {"unit": "单位", "file": "文件", "state": "状态", "errors": "错误", "warnings": "警告"})
    if len(shown) < len(summary):
        click.echo(_counted(report.summary.drop(shown.index)["state"], written))
    _print_issues(report.issues.fillna(""))
    led = report.ledger
    states = led["state"].value_counts()
    click.echo(f"\n共 {len(led)} 个文件：已接收 {states.get('accepted', 0)}，已拒收 {states.get('rejected', 0)}，"
               f"已被替代 {states.get('superseded', 0)}，已忽略 {states.get('ignored', 0)}；未报送单位 {(report.summary['state'] == 'missing').sum()} 个；"
               f"错误 {report.error_count} 条，警告 {report.warning_count} 条。")
    _print_written(written, dropped, q)
    click.get_current_context().exit(1 if report.error_count else 0)


def _write_check_outputs(ws, report, folder=None):
    """问题清单, 反馈/ and 报送情况 into outputs/<Q>/ (a published quarter is left as it is)."""
    from .life import QuarterPublished, write_check_outputs

    try:
        return write_check_outputs(ws, report, inputs_dir=folder)
    except QuarterPublished as exc:
        click.echo(str(exc), err=True)
        return {}, False


def _print_written(written, dropped, q) -> None:
    if not written:
        return
    if dropped:
        click.echo(f"报表已有变化：原通报与数据表已移除（它们描述的是变化前的报表），请重新运行 zwgk run {q}",
                   err=True)
    click.echo(f"问题清单：{written['issues']}")
    feedback = sorted(written["feedback"].glob("*.xlsx")) if written["feedback"].is_dir() else []
    if feedback:
        click.echo(f"各单位反馈（{len(feedback)} 份）：{written['feedback']}")
    click.echo(f"报送情况：{written['status']}")


@main.command()
@click.argument("target")
@click.option("--workspace", "-w", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="工作目录（含 inputs/ 与 outputs/），默认为当前目录或目标所在的工作目录。")
@reference_option
@click.option("--quarter", "quarter_text", default=None,
              help="季度（如 2021Q1）；默认取自目录路径 inputs/<季度>/目录。")
def catalogue(target, workspace, reference_dir, quarter_text):
    """审核基层政府报送的政务公开事项标准目录（目标为季度如 2021Q1，或目录如 inputs/2021Q1/目录）。

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


def _life_quarter(ws, quarter_text):
    """The quarter named, else the latest one with inputs."""
    if quarter_text:
        return _quarter(quarter_text)
    quarters = ws.quarters()
    if not quarters:
        raise click.UsageError(f"{ws.inputs} 下还没有任何季度的报表，请指定季度，如 2021Q1")
    return quarters[-1]


@main.command()
@click.argument("files", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--date", "date_text", default=None, help="收文日期（默认今天），如 2021-03-18。")
@click.option("--quarter", "quarter_text", default=None,
              help="季度（如 2021Q1）；默认取报送截止日离收文日期最近的季度。")
@workspace_option
@reference_option
def receive(files, date_text, quarter_text, workspace, reference_dir):
    """收文：把收到的报表存入 inputs/<季度>/，登记收文日期，并当场校验。

    \b
    同名的不同文件不会覆盖原文件，另存为“原名（YYYYMMDD收）.xlsx”；
    同一文件重复收文只登记一次。收文日期写入 inputs/<季度>/收文登记.csv
    （文件、收文日期两列），报送是否按时以它为准。
    退出码：0 所收报表无错误，1 有错误，2 用法错误，3 工作目录无法读写。
    """
    import datetime as dt

    from .life import check_workspace, quarter_for, receive_files
    from .names import LEDGER_STATE_LABELS as N_STATE
    from .names import SEVERITY_LABELS

    ws = _workspace(workspace)
    ref = _reference(reference_dir, ws)
    date = _date(date_text, "--date") or dt.date.today()
    q = _quarter(quarter_text) if quarter_text else quarter_for(date, ref)
    if not quarter_text:
        click.echo(f"按收文日期 {date} 归入{q.label}（如不对，请用 --quarter 指定）")
    received = receive_files(ws, list(files), q, date)
    report = check_workspace(ws, q, ref)
    led, issues = report.ledger.set_index("file"), report.issues.fillna("")
    names = ref.units.set_index("unit_id")["short_name"]
    errors = 0
    for r in received:
        where = ws.quarter_inputs(q) / r.name
        if not r.copied:
            logged = f"，补登收文日期 {r.date}" if r.logged else ""
            click.echo(f"{r.source.name}：与已收的“{r.name}”内容相同，不重复收文{logged}")
            continue
        renamed = f"（已有同名文件，另存为“{r.name}”）" if r.renamed else ""
        click.echo(f"收文：{r.source.name} → {where}{renamed}，收文日期 {r.date}")
        row = led.loc[r.name] if r.name in led.index else None
        if row is None:
            continue
        unit = names.get(row["unit_id"], "（未识别单位）")
        mine = issues[issues["file"] == r.name]
        n_err = int((mine["severity"] == "error").sum())
        errors += n_err
        timely = "" if row["state"] != "accepted" else ("，按时" if row["on_time"] else "，逾期")
        reason = f"（{row['reason']}）" if isinstance(row["reason"], str) and row["reason"] else ""
        click.echo(f"  {unit}：{N_STATE.get(row['state'], row['state'])}{reason}{timely}；"
                   f"错误 {n_err} 条，警告 {int((mine['severity'] == 'warning').sum())} 条")
        for i in mine.itertuples():
            click.echo(f"    [{SEVERITY_LABELS.get(i.severity, i.severity)}] "
                       f"{'!'.join(p for p in (i.sheet, i.cell) if p)}  {i.message}")
    written, dropped = _write_check_outputs(ws, report)
    _print_written(written, dropped, q)
    click.get_current_context().exit(1 if errors else 0)





@main.command()
@click.argument("quarter_text", required=False)
@workspace_option
@reference_option
def status(quarter_text, workspace, reference_dir):
    """报送情况：各单位是否已报、收文日期、是否按时、待改错误、距截止日天数。

    \b
    季度默认为 inputs/ 下最近的季度。同时写出 outputs/<季度>/报送情况.xlsx
    （以及与 zwgk check 相同的问题清单和反馈）。
    """
    from .life import STATUS_LABELS, check_workspace, status_frame, status_heading

    ws = _workspace(workspace)
    q = _life_quarter(ws, quarter_text)
    ref = _reference(reference_dir, ws)
    report = check_workspace(ws, q, ref)
    click.echo(status_heading(report))
    frame = status_frame(report).fillna("")
    # beyond LISTED_FILES rows (a province), the rows with something to do: units missing,
    # files rejected or with errors; the others are counted by state
    to_do = frame["state_code"].isin(["missing", "rejected"]) | \
        ((frame["state_code"] == "accepted") & (frame["errors"] > 0))
    shown = frame if len(frame) <= LISTED_FILES else frame[to_do]
    if len(shown):
        _print_table(shown, STATUS_LABELS)
    written, dropped = _write_check_outputs(ws, report)
    if len(shown) < len(frame):
        # status lists what is to be done: an accepted file with warnings only is not listed
        click.echo(_counted(frame.drop(shown.index)["state_code"], written, "个文件已接收且无错误"))
    _print_written(written, dropped, q)


@main.command()
@click.argument("quarter_text", required=False)
@workspace_option
@reference_option
def remind(quarter_text, workspace, reference_dir):
    """生成催报名单：未报送的单位和报表有错误（或被拒收）的单位，各自需办理的事项。

    \b
    写出 outputs/<季度>/催报名单.docx 与 催报名单.txt，
    可直接发送或电话催报时对照。
    季度默认为 inputs/ 下最近的季度。
    """
    from .life import check_workspace, reminder_text, reminders, write_reminder

    ws = _workspace(workspace)
    q = _life_quarter(ws, quarter_text)
    ref = _reference(reference_dir, ws)
    report = check_workspace(ws, q, ref)
    written, dropped = _write_check_outputs(ws, report)
    if not written:  # published: print the list, write nothing into the frozen quarter
        click.echo(reminder_text(report, reminders(report)))
        return
    _print_written(written, dropped, q)
    items, paths = write_reminder(report, ws.quarter_outputs(q))
    click.echo(reminder_text(report, items))
    click.echo(f"催报名单：{paths['docx']}、{paths['txt']}")


@main.command()
@click.argument("quarter_text", metavar="QUARTER")
@click.option("--number", "number", required=True, help="通报文号，如 三政办〔2021〕12号。")
@click.option("--date", "date_text", default=None, help="成文日期（默认今天），如 2021-04-02。")
@click.option("--as-of", "as_of", default=None, help="核对基准日（默认为本季度报送截止日）。")
@workspace_option
@reference_option
def publish(quarter_text, number, date_text, as_of, workspace, reference_dir):
    """定稿发布：生成带文号和成文日期的正式通报，并冻结本季度。

    \b
    冻结后 outputs/<季度>/ 保持发布时的样子（manifest.json 记录全部输入、
    输出、参考数据的 SHA-256、工具版本、发布人和时间）；
    此后 zwgk run 不再改动它，只报告新到的文件；
    以后各季度的排名变化和上期整改都与发布的数字比较。
    """
    from .run import publish_quarter

    q = _quarter(quarter_text)
    ws = _workspace(workspace)
    result, paths = publish_quarter(ws, q, _reference(reference_dir, ws), number,
                                    _date(date_text, "--date"), _date(as_of, "--as-of"))
    if result.missing:
        click.echo(f"注意：发布时仍有 {len(result.missing)} 个单位未报送，通报中按未报送列出。", err=True)
    _print_run_summary(result, paths)
    click.echo(f"已定稿发布（文号 {number.strip()}）：{ws.quarter_outputs(q) / 'manifest.json'}")


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
            raise click.BadParameter(f"无法识别的单位「{name}」，{ref.unit_hint(name)}",
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
