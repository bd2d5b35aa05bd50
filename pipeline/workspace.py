"""The workspace: where a quarter's inputs are read from and its outputs written to.

One folder holds `inputs/<QUARTER>/` (returns as received, never modified), `outputs/<QUARTER>/`
(everything derived) and `outputs/.cache/` (parsed returns by content; safe to delete). Every
path rule of the project lives here: commands, the notebook API and the benchmark ask a
`Workspace`, nothing else builds these paths.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from . import names as N
from .dates import Quarter, parse_quarter

INPUTS, OUTPUTS = "inputs", "outputs"
CACHE_DIR = ".cache"  # under outputs/: parsed returns by file hash, feedback workbooks by content
DATA_DIR = "data"
TEMPLATES_DIR = "templates"
ARCHIVE_DIR = "已发布存档"  # under outputs/<Q>/: a reopened quarter's published sets
# Entries of outputs/<Q>/ that no input describes: every rewrite of the quarter keeps them, and
# the manifest does not list them among the outputs.
KEPT_OUTPUTS = (TEMPLATES_DIR, ARCHIVE_DIR)
REFERENCE_DIR = "reference"  # a workspace's own reference set (a county's, from `zwgk init`)
SUMMARY_DIR = "上报"  # under outputs/<Q>/: a county's summary return for the city


def quarter_named(name: str) -> Quarter | None:
    """The quarter a folder name spells (2021Q1, 2021-Q1, 2021年第一季度), else None."""
    try:
        return parse_quarter(name)
    except ValueError:
        return None


@dataclass(frozen=True)
class Workspace:
    root: Path

    def __post_init__(self):
        object.__setattr__(self, "root", Path(self.root))

    # ---- finding the workspace --------------------------------------------------------
    @classmethod
    def locate(cls, folder: str | Path) -> tuple[Workspace, Quarter | None]:
        """The workspace a folder the user points at belongs to, and the quarter it names.

        `folder` may be the workspace itself, its `inputs/`, a quarter folder `inputs/<Q>` or
        that quarter's `目录/`. Any other folder is read as a quarter folder outside a
        workspace: its outputs go to the current directory's workspace.
        """
        here = Path(folder).resolve()
        if here.name == N.CATALOGUE_DIR and (here.parent.parent.name == INPUTS
                                             or quarter_named(here.parent.name)):
            here = here.parent
        if here.name == INPUTS:
            return cls(here.parent), None
        if here.parent.name == INPUTS:
            return cls(here.parent.parent), quarter_named(here.name)
        q = quarter_named(here.name)
        if q is not None:
            return cls(Path.cwd()), q
        return cls(here), None

    # ---- reference data -----------------------------------------------------------------
    @property
    def reference_dir(self) -> Path | None:
        """`reference/` when the workspace has its own reference set (units.csv in it): every
        command run in the workspace uses it unless told otherwise; None: the shipped set."""
        folder = self.root / REFERENCE_DIR
        return folder if (folder / "units.csv").is_file() else None

    # ---- inputs --------------------------------------------------------------------------
    @property
    def inputs(self) -> Path:
        return self.root / INPUTS

    def quarters(self) -> list[Quarter]:
        """Quarters under inputs/ holding at least one file (a return, or anything sent)."""
        if not self.inputs.is_dir():
            return []
        found = set()
        for folder in self.inputs.iterdir():
            q = quarter_named(folder.name)
            if q is not None and folder.is_dir() and any(
                    f.is_file() and f.name not in N.RECEIPT_LOGS and not f.name.startswith(".")
                    for f in folder.iterdir()):
                found.add(q)
        return sorted(found)

    def quarter_inputs(self, quarter: Quarter) -> Path:
        """inputs/2021Q1, or the folder that spells the quarter otherwise (inputs/2021-Q1)."""
        if self.inputs.is_dir():
            for folder in sorted(self.inputs.iterdir()):
                if folder.is_dir() and quarter_named(folder.name) == quarter:
                    return folder
        return self.inputs / str(quarter)

    def catalogue_dir(self, quarter: Quarter) -> Path:
        return self.quarter_inputs(quarter) / N.CATALOGUE_DIR

    def previous_quarter(self, quarter: Quarter) -> Quarter | None:
        """The latest quarter before `quarter` with inputs (what rank changes compare with)."""
        earlier = [q for q in self.quarters() if q < quarter]
        return earlier[-1] if earlier else None

    # ---- outputs -------------------------------------------------------------------------
    @property
    def outputs(self) -> Path:
        return self.root / OUTPUTS

    @property
    def cache_dir(self) -> Path:
        return self.outputs / CACHE_DIR

    def quarter_outputs(self, quarter: Quarter) -> Path:
        return self.outputs / str(quarter)

    def data_dir(self, quarter: Quarter) -> Path:
        return self.quarter_outputs(quarter) / DATA_DIR

    def templates_dir(self, quarter: Quarter) -> Path:
        return self.quarter_outputs(quarter) / TEMPLATES_DIR

    def summary_dir(self, quarter: Quarter) -> Path:
        return self.quarter_outputs(quarter) / SUMMARY_DIR
