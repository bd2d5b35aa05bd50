"""Writing a quarter: compute it (`stages`) and write every output of outputs/<Q>/.

`run_quarter` is what `zwgk run` calls; `run_demo` writes the demo workspace and runs each
of its quarters.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import shutil
from collections.abc import Callable
from pathlib import Path

from . import manifest as M
from . import names as N
from . import schemas, stages
from .catalogue import CatalogueAudit, write_catalogue_workbook
from .chart_process import ChartProcess
from .county import write_summary
from .dates import Quarter
from .errors import writing
from .life import (
    QuarterPublished,
    frozen,
    publish_reference,
    report_of,
    with_draft_status,
    write_check_set,
)
from .outputs import atomic_path, staged_dir, tidy_leftovers, write_table
from .processes import Forked, can_fork
from .reference import Reference
from .render import feedback
from .render.bulletin_docx import prepare_bulletin, render_bulletin_docx
from .render.workbook import render_ranking_workbook
from .result import QuarterResult
from .stages import RunError
from .workspace import ARCHIVE_DIR, SUMMARY_DIR, Workspace
from .workspace import KEPT_OUTPUTS as KEPT


def write_outputs(result: QuarterResult, out_dir: Path, charts: ChartProcess | None = None, *,
                  inputs: dict[str, str] | None = None, earlier: dict[str, str] | None = None,
                  published: dict | None = None, archive: str | None = None,
                  today: dt.date | None = None, cache_dir: Path | None = None) -> dict[str, Path]:
    """Every output of DESIGN §5 under out_dir (outputs/<Q>/); returns the main paths.
    `charts`: a ChartProcess started earlier (one is started here otherwise).

    The set is written into a staging folder that then takes the place of out_dir, so a run that
    fails or is killed midway leaves the previous outputs as they were, whole. Of the old folder
    only what no input describes (templates/, the archive of earlier publications) is kept; with
    `archive` (a name), the old set itself is first kept under 已发布存档/<archive>/.
    `inputs` (file hashes of inputs/<Q>/, taken before computing) makes a manifest.json with
    `earlier` (the earlier quarters' input digests) and `published` (文号, date, who, when).
    `cache_dir` (outputs/.cache): feedback workbooks written before are copied from there, and
    the 通报 template's compiled parts are kept there."""

    out_dir = Path(out_dir)
    with writing(out_dir), staged_dir(out_dir, keep=KEPT) as stage:
        if archive and out_dir.is_dir():
            shutil.copytree(out_dir, stage / ARCHIVE_DIR / archive, symlinks=True,
                            ignore=lambda d, names: KEPT if Path(d) == out_dir else ())
        paths = _write_all(result, stage, charts, today, cache_dir)
        if inputs is not None:
            M.write(stage, M.build(result.quarter, result.as_of, inputs, result.reference, stage,
                                   draft=result.draft, missing=list(result.missing),
                                   published=published, earlier=earlier))
    return {k: out_dir / p.relative_to(stage) for k, p in paths.items()}


def _write_all(result: QuarterResult, out_dir: Path, charts: ChartProcess | None,
               today: dt.date | None = None, cache_dir: Path | None = None) -> dict[str, Path]:

    charts = charts or ChartProcess.start()
    # 问题清单, 反馈/ and 报送情况 exactly as `check` writes them, from this very result: in a
    # forked child while this process writes the tables and the bulletin set (a second core),
    # unless the feedback is split in two anyway (SPLIT_FROM units on): a third process then
    # only adds memory (at 10,000 units ~200 MB of pages it copies), not speed. Niced: the
    # charts and this process's bulletin set are the longer path, the check set fills the gaps
    checked = Forked(lambda: write_check_set(report_of(result), out_dir, today, cache_dir), "zwgk-checkset",
                     nice=10) \
        if can_fork() and len(result.reference.units) < feedback.SPLIT_FROM else None
    data = out_dir / "data"
    try:
        if charts:
            charts.draw(result, out_dir / "charts")  # first: the charts are the longest output
        for name, frame in result.tables().items():
            if name in schemas.TABLE_COLUMNS:
                schemas.check(name, frame)
            write_table(frame, data, name)
        paths = {"data": data} | render_outputs(result, out_dir, charts, cache_dir)
        pending, checked = checked, None  # waited for here, not again below
        paths |= pending.result() if pending else write_check_set(report_of(result), out_dir, today, cache_dir)
        if result.reference.level == "county":  # the roll-up for the city: outputs/<Q>/上报/
            paths["summary"] = write_summary(result, out_dir / SUMMARY_DIR)
        return paths
    except BaseException:
        if charts:  # the chart process finishes (and ends) before the staging folder goes
            charts.close()
        if checked:  # so does the check set's writer
            with contextlib.suppress(BaseException):
                checked.result()
        raise


def render_outputs(result: QuarterResult, out_dir: Path, charts: ChartProcess | None = None,
                   cache_dir: Path | None = None) -> dict[str, Path]:
    """The bulletin set (charts, 通报 .docx and .xlsx) and the catalogue audit.

    `charts`: a ChartProcess already drawing this result into out_dir/charts while the
    workbooks are written (see _write_all); None draws them here. `cache_dir` (outputs/.cache):
    the 通报 template's compiled parts are kept there."""

    q = str(result.quarter)
    paths = {"charts": out_dir / "charts"}
    xlsx = out_dir / f"通报_{q}.xlsx"
    with atomic_path(xlsx) as tmp:
        render_ranking_workbook(result, tmp)
    paths["workbook"] = xlsx
    if "catalogue_audit" in result.extra:
        cat_issues = result.issues[result.issues["file"].fillna("").str.startswith(N.CATALOGUE_DIR + "/")]
        audit = CatalogueAudit(result.extra["catalogue_items"], result.extra["catalogue_audit"], cat_issues,
                               result.extra["catalogue_files"])
        paths["catalogue"] = write_catalogue_workbook(audit, result.reference,
                                                      out_dir / N.CATALOGUE_WORKBOOK)
    prepared = prepare_bulletin(result, draft=result.draft)  # while the charts may still be drawn
    if charts:
        drawn = charts.wait()
    else:
        from .render.charts import render_charts  # matplotlib: only where it draws

        drawn = render_charts(result, out_dir / "charts")
    docx = out_dir / f"通报_{q}.docx"
    with atomic_path(docx) as tmp:
        render_bulletin_docx(result, tmp, drawn, prepared=prepared, cache_dir=cache_dir)
    paths["bulletin"] = docx
    return paths


def run_quarter(workspace: Workspace, quarter: Quarter, reference: Reference,
                as_of: dt.date | None = None, doc_number: str | None = None,
                date: dt.date | None = None, *, reopen: bool = False, today: dt.date | None = None,
                published: dict | None = None, on_file: Callable[[str], None] | None = None,
                notify: Callable[[str], None] | None = None) -> tuple[QuarterResult, dict[str, Path]]:
    """Compute one quarter and write outputs/<Q>/; returns the result and the output paths.

    `doc_number` (文号) and `date` (成文日期) of the 通报 override the settings for this run;
    `on_file(name)` is called after each return of the quarter is read (for a progress bar);
    `notify(text)` hears, in Chinese, of each earlier quarter computed again.

    The result is a draft (`result.draft`) before the due date or while units are missing,
    unless `published` (文号, date, who, when: see `publish_quarter`) makes it the final one. A
    published quarter is not changed (QuarterPublished; `life.frozen` says what is new
    in its inputs) unless `reopen`: then its published set is archived under 已发布存档/."""

    header = {k: v for k, v in (("doc_number", doc_number), ("date", date and date.isoformat())) if v}
    if header:  # the 通报's 文号 and 成文日期 for this run
        reference = dataclasses.replace(reference, settings=reference.settings.replace("bulletin", **header))
    out = workspace.quarter_outputs(quarter)
    tidy_leftovers(out)  # what a killed run left, even if this one stops early
    record = frozen(workspace, quarter)
    if record is not None and not reopen:
        raise QuarterPublished(record.text)
    archive = None
    if record is not None:
        pub = record.published
        archive = f"{pub.get('date', '')}_{pub.get('doc_number', '')}".replace("/", "_").replace("\\", "_")
    hashes: dict = {}  # each input folder hashed once: here and for the stored quarters' checks
    inputs = M.quarter_hashes(workspace, quarter, hashes)  # before reading: a file arriving
    earlier = M.earlier_inputs(workspace, quarter, hashes)  # meanwhile is "new" next time
    charts = ChartProcess.start()  # warms up matplotlib while the quarter is computed
    try:
        result = stages.compute_quarter(workspace, quarter, reference, as_of, on_file=on_file,
                                        notify=notify, hashes=hashes,
                                        on_scored=charts.begin if charts else None)
        result = with_draft_status(result, today)
        if published is not None:
            result = dataclasses.replace(result, draft=False)
        paths = write_outputs(result, out, charts, inputs=inputs, earlier=earlier,
                              published=published, archive=archive, today=today,
                              cache_dir=workspace.cache_dir)
    finally:
        if charts:
            charts.close()
    return result, paths


def publish_quarter(workspace: Workspace, quarter: Quarter, reference: Reference, number: str,
                    date: dt.date | None = None, as_of: dt.date | None = None,
                    today: dt.date | None = None) -> tuple[QuarterResult, dict[str, Path]]:
    """Write the final 通报 with 文号 `number` and 成文日期 `date` (default today) and freeze the
    quarter: manifest.json records it as published, with who and when."""

    if not number.strip():
        raise RunError("请用 --number 给出通报的文号，如 三政办〔2021〕12号")
    record = frozen(workspace, quarter)
    if record is not None:
        raise QuarterPublished(record.text)
    date = date or today or dt.date.today()
    info = {"doc_number": number.strip(), "date": date.isoformat(), "by": M.user_name(),
            "at": dt.datetime.now().astimezone().isoformat(timespec="seconds")}
    return run_quarter(workspace, quarter, publish_reference(reference, info["doc_number"], date),
                       as_of, today=today, published=info)


def run_demo(workspace: Workspace, reference: Reference, seed: int = 2020,
             on_file: Callable[[str], None] | None = None):
    """Write the demo quarters into workspace/inputs/ and run each; yields (result, paths).
    `on_file(name)` is called after each return read (for a progress bar)."""
    from .demo import write_demo  # the generator (openpyxl templates) only where the demo runs

    quarters = write_demo(workspace.root, reference, seed=seed)
    yield from _run_county_demo(workspace, reference, seed)
    results = stages.compute_quarters(workspace, quarters, reference, on_file=on_file)
    while True:
        charts = ChartProcess.start()  # one per quarter, warming up while it is computed
        try:
            result = next(results, None)
            if result is None:
                return
            result = with_draft_status(result)
            paths = write_outputs(result, workspace.quarter_outputs(result.quarter), charts,
                                  inputs=M.file_hashes(workspace.quarter_inputs(result.quarter)),
                                  earlier=M.earlier_inputs(workspace, result.quarter),
                                  cache_dir=workspace.cache_dir)
        finally:
            if charts:
                charts.close()
        yield result, paths


def _run_county_demo(workspace: Workspace, city: Reference, seed: int):
    """The county one level down (demo_county): write and run 灵宝市's workspace inside the
    demo workspace, then put each quarter's summary return into the city's inputs."""
    from .demo_county import send_summary, write_county_demo
    from .reference import load_reference

    root, quarters = write_county_demo(workspace.root, seed)
    county = Workspace(root)
    reference = load_reference(county.reference_dir)
    for result in stages.compute_quarters(county, quarters, reference):
        paths = write_outputs(result, county.quarter_outputs(result.quarter), cache_dir=county.cache_dir)
        send_summary(result, workspace.root, city)
        yield result, paths
