"""Ingest: read returns as they really arrive (DESIGN §2) into the ledger, progress and issue tables."""

from .intake import Intake, list_inputs, read_returns
from .returns import ParsedReturn, parse_code, read_return

__all__ = ["Intake", "ParsedReturn", "list_inputs", "parse_code", "read_return", "read_returns"]
