"""One level down: a county's workspace (init), its townships' roll-up for the city (rollup),
and the city's reading of those roll-ups (summary)."""

from .init import InitError, init_county
from .rollup import township_figures, write_summary
from .summary import ANNEX_HEADER, township_annex_rows, township_paragraph, township_summary

__all__ = ["ANNEX_HEADER", "InitError", "init_county", "township_annex_rows", "township_figures",
           "township_paragraph", "township_summary", "write_summary"]
