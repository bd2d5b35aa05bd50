"""Every colour of the outputs: the PNG charts, the workbook's native charts and its cell fills.

A module of its own so that the workbook writers do not import matplotlib for four dicts.
"""

GRADE_COLOURS = {"优秀": "#2E7D32", "良好": "#1565C0", "合格": "#F9A825", "不合格": "#C62828"}
VERDICT_COLOURS = {"on_time": "#66BB6A", "late": "#FFCA28", "overdue": "#E53935",
                   "pending": "#90CAF9", "ongoing": "#26A69A", "unreported": "#9E9E9E"}
CATALOGUE_COLOURS = {"published": "#43A047", "compiled": "#9CCC65", "compiling": "#FFCA28",
                     "not_started": "#E53935", None: "#BDBDBD"}
NOT_ASSIGNED = "#FFFFFF"
# Light fills of workbook cells (the strong colours above would hide the text).
GRADE_FILLS = {"优秀": "#C8E6C9", "良好": "#BBDEFB", "合格": "#FFF9C4", "不合格": "#FFCDD2"}
VERDICT_FILLS = {"on_time": "#C8E6C9", "late": "#FFF59D", "overdue": "#EF9A9A",
                 "pending": "#BBDEFB", "ongoing": "#B2DFDB", "unreported": "#E0E0E0"}
DOMAIN_FILLS = {"published": "#C8E6C9", "issued": "#C8E6C9", "compiled": "#DCEDC8",
                "compiling": "#FFF59D", "drafting": "#FFF59D", "not_started": "#EF9A9A",
                "missing": "#E0E0E0"}
# Workbook text and highlights: headers, notes, errors, better/worse, the ranking bars.
HEADER_FILL = "#D9E1F2"
NOTE_FONT = "#595959"
ERROR_FONT = "#C00000"
GOOD_FILL, WARN_FILL, BAD_FILL, ALERT_FILL = "#C8E6C9", "#FFF59D", "#FFCDD2", "#EF9A9A"
UP_FONT, DOWN_FONT = "#2E7D32", "#C62828"
BAR = "#1565C0"
OTHER = "#757575"  # a grade the palette does not know
