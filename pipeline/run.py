"""Writing a quarter: compute it (`stages`) and write every output of outputs/<Q>/.

`run_quarter` is what `zwgk run` calls; `run_demo` writes the demo workspace and runs each
of its quarters.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from . import names as N
from . import schemas, stages
from .chart_process import ChartProcess
from .dates import Quarter
from .reference import Reference
from .result import QuarterResult
from .workspace import Workspace


def write_outputs(result: QuarterResult, out_dir: Path, charts: ChartProcess | None = None
                  ) -> dict[str, Path]:
    """Every output of DESIGN §5 under out_dir (outputs/<Q>/); returns the main paths.
    `charts`: a ChartProcess started earlier (one is started here otherwise).

    The set is written into a staging folder that then takes the place of out_dir, so a run that
    fails or is killed midway leaves the previous outputs as they were, whole."""
    from .outputs import staged_dir

    out_dir = Path(out_dir)
    with staged_dir(out_dir) as stage:
        paths = _write_all(result, stage, charts)
    return {k: out_dir / p.relative_to(stage) for k, p in paths.items()}


def _write_all(result: QuarterResult, out_dir: Path, charts: ChartProcess | None) -> dict[str, Path]:
    from .outputs import write_table

    charts = charts or ChartProcess.start()
    if charts:
        charts.draw(result, out_dir / "charts")  # first: the charts are the longest output
    data = out_dir / "data"
    try:
        for name, frame in result.tables().items():
            if name in schemas.TABLE_COLUMNS:
                schemas.check(name, frame)
            write_table(frame, data, name)
        paths = {"data": data} | render_outputs(result, out_dir, charts)
        if result.reference.level == "county":  # the roll-up for the city: outputs/<Q>/上报/
            from .county import write_summary
            from .workspace import SUMMARY_DIR

            paths["summary"] = write_summary(result, out_dir / SUMMARY_DIR)
        return paths
    except BaseException:
        if charts:  # the chart process finishes (and ends) before the staging folder goes
            charts.close()
        raise


def render_outputs(result: QuarterResult, out_dir: Path, charts: ChartProcess | None = None
                   ) -> dict[str, Path]:
    """The bulletin set (charts, 通报 .docx and .xlsx), the catalogue audit and the feedback.

    `charts`: a ChartProcess already drawing this result into out_dir/charts while the
    workbooks are written (see _write_all); None draws them here."""
    from .outputs import atomic_path
    from .render.bulletin_docx import prepare_bulletin, render_bulletin_docx
    from .render.feedback import FEEDBACK_DIR, write_feedback
    from .render.workbook import render_ranking_workbook

    q = str(result.quarter)
    paths = {"charts": out_dir / "charts"}
    xlsx = out_dir / f"通报_{q}.xlsx"
    with atomic_path(xlsx) as tmp:
        render_ranking_workbook(result, tmp)
    paths["workbook"] = xlsx
    if "catalogue_audit" in result.extra:
        from .catalogue import CatalogueAudit, write_catalogue_workbook

        cat_issues = result.issues[result.issues["file"].fillna("").str.startswith(N.CATALOGUE_DIR + "/")]
        audit = CatalogueAudit(result.extra["catalogue_items"], result.extra["catalogue_audit"], cat_issues)
        paths["catalogue"] = write_catalogue_workbook(audit, result.reference,
                                                      out_dir / N.CATALOGUE_WORKBOOK)
    write_feedback(out_dir, result.reference, result.quarter, result.issues, result.reconciliation,
                   result.ledger)
    paths["feedback"] = out_dir / FEEDBACK_DIR
    prepared = prepare_bulletin(result)  # meanwhile the chart process may still be drawing
    if charts:
        drawn = charts.wait()
    else:
        from .render.charts import render_charts  # matplotlib: only where it draws

        drawn = render_charts(result, out_dir / "charts")
    docx = out_dir / f"通报_{q}.docx"
    with atomic_path(docx) as tmp:
        render_bulletin_docx(result, tmp, drawn, prepared=prepared)
    paths["bulletin"] = docx
    return paths


def run_quarter(workspace: Workspace, quarter: Quarter, reference: Reference,
                as_of: dt.date | None = None) -> tuple[QuarterResult, dict[str, Path]]:
    """Compute one quarter and write outputs/<Q>/; returns the result and the output paths."""
    charts = ChartProcess.start()  # warms up matplotlib while the quarter is computed
    try:
        result = stages.compute_quarter(workspace, quarter, reference, as_of)
        paths = write_outputs(result, workspace.quarter_outputs(quarter), charts)
    finally:
        if charts:
            charts.close()
    return result, paths


def run_demo(workspace: Workspace, reference: Reference, seed: int = 2020):
    """Write the demo quarters into workspace/inputs/ and run each; yields (result, paths)."""
    from .demo import write_demo

    quarters = write_demo(workspace.root, reference, seed=seed)
    yield from _run_county_demo(workspace, reference, seed)
    results = stages.compute_quarters(workspace, quarters, reference)
    while True:
        charts = ChartProcess.start()  # one per quarter, warming up while it is computed
        try:
            result = next(results, None)
            if result is None:
                return
            paths = write_outputs(result, workspace.quarter_outputs(result.quarter), charts)
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
        paths = write_outputs(result, county.quarter_outputs(result.quarter))
        send_summary(result, workspace.root, city)
        yield result, paths
