"""One level down: a county's workspace (init), its townships' roll-up for the city (rollup),
and the city's reading of those roll-ups (summary)."""

from .init import InitError, init_county
from .rollup import township_figures, write_summary
from .summary import township_summary

__all__ = ["InitError", "init_county", "township_figures", "township_summary", "write_summary"]
