"""Colours shared by the PNG charts and the workbook's native charts and fills.

A module of its own so that the workbook writers do not import matplotlib for four dicts.
"""

GRADE_COLOURS = {"优秀": "#2E7D32", "良好": "#1565C0", "合格": "#F9A825", "不合格": "#C62828"}
VERDICT_COLOURS = {"on_time": "#66BB6A", "late": "#FFCA28", "overdue": "#E53935",
                   "pending": "#90CAF9", "ongoing": "#26A69A", "unreported": "#9E9E9E"}
CATALOGUE_COLOURS = {"published": "#43A047", "compiled": "#9CCC65", "compiling": "#FFCA28",
                     "not_started": "#E53935", None: "#BDBDBD"}
NOT_ASSIGNED = "#FFFFFF"
