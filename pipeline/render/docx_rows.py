"""The 通报's 附件 tables written as text: one prototype row rendered, the rows streamed.

An 附件 table lists every unit (the full ranking, the problem list, …): at province scale
some 10^5 cells. Rendered by docxtpl, each cell was first text in one multi-megabyte string,
then ~2.4 KB of lxml nodes (and python-docx objects while the widths were fitted): ~450 MB
at 10,000 units. So the template renders each such table with one row whose values are
markers (`with_row_markers`); the widths are fitted from the real texts (`real_rows`); and
while the package is written, that row of document.xml is repeated for every real row with
the values in place of the markers (`write_document`). The XML is what docxtpl and lxml
wrote for the same row: the same escaping, line breaks (`\\n` → w:br) and tabs (w:tab),
an empty text as `<w:t/>`.

The rows of a table repeat the prototype as it is: a 附件 row in an edited template is a
plain row of `{{ r.x }}` fields, with no per-row condition.
"""

from __future__ import annotations

import html
import re
import secrets
from collections.abc import Callable

# A marker names a table and a field, and a token of this process that no return's text can
# hold (a unit's name or a message is printed in the text around the tables).
TOKEN = secrets.token_hex(8)
MARK = re.compile(rf"@{TOKEN}:(\d+):(\w+)@")
# the rows of these context lists are 附件 table rows (`{%tr for r in … %}` in the template)
ROW_LISTS = ("rect_rows", "crit_rows", "township_rows", "issue_rows")
GROUP_ROWS = "rows"  # each ranking group's rows (context["groups"][i]["rows"])
# characters XML 1.0 does not allow (a return's text could carry them): left out
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_TEXT = re.compile(r"(<w:t(?: [^>]*)?>)([^<]*)</w:t>")
_RUN = re.compile(r"<w:r[ >]")
_RPR = re.compile(r"<w:rPr>.*?</w:rPr>")
_ROW_START = re.compile(r"<w:tr[ >]")
BATCH = 500  # rows per write


def cell_text(value) -> str:
    """The text a value shows in a cell (as Jinja prints it), line ends as \\n, without the
    characters XML cannot hold."""
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    return _NOT_XML.sub("", text)


def with_row_markers(context: dict) -> tuple[dict, list[list[dict]]]:
    """The context with each non-empty 附件 row list replaced by one row of markers
    (`@<TOKEN>:<table>:<field>@`), and the real rows by table number. The context given is not
    changed."""
    tables: list[list[dict]] = []

    def marked(rows: list[dict]) -> list[dict]:
        if not rows:
            return rows
        tables.append(rows)
        return [{k: f"@{TOKEN}:{len(tables) - 1}:{k}@" for k in rows[0]}]

    out = dict(context)
    out["groups"] = [g | {GROUP_ROWS: marked(g[GROUP_ROWS])} for g in context["groups"]]
    for key in ROW_LISTS:
        out[key] = marked(context[key])
    return out, tables


def real_rows(texts: list[str], tables: list[list[dict]]) -> list[list[str]]:
    """A table row's cell texts as [texts]; for a row of markers, the texts of each real row
    it stands for (what the cells will show)."""
    m = next((m for m in map(MARK.search, texts) if m), None)
    if m is None:
        return [texts]
    return [[MARK.sub(lambda m, row=row: cell_text(row[m.group(2)]), t) for t in texts]
            for row in tables[int(m.group(1))]]


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _element(open_tag: str, text: str) -> str:
    if not text:
        return open_tag[:-1] + "/>"
    return f"{open_tag}{_escape(text)}</w:t>"


def _texts(open_tag: str, text: str, rpr: str) -> str:
    """One w:t's text as docxtpl writes it: \\n a line break, \\t a tab run between runs."""
    out, tag = [], open_tag
    for piece in re.split(r"([\t\n])", text):
        if piece == "\n":
            out.append("<w:br/>")
        elif piece == "\t":
            out.append(f"</w:r><w:r>{rpr}<w:tab/></w:r><w:r>{rpr}")
        else:
            out.append(_element(tag, piece))
            tag = '<w:t xml:space="preserve">'
    return "".join(out)


def compile_row(row_xml: str) -> Callable[[dict], str]:
    """A function writing the prototype row `row_xml` (as serialised) for one row's values."""
    parts: list = []  # literal XML, or (open tag, content with markers, run properties)
    at = 0
    for m in _TEXT.finditer(row_xml):
        if not MARK.search(m.group(2)):
            continue
        run = max((r.start() for r in _RUN.finditer(row_xml, at, m.start())), default=at)
        rpr = _RPR.search(row_xml, run, m.start())
        parts.append(row_xml[at:m.start()])
        parts.append((m.group(1), html.unescape(m.group(2)), rpr.group(0) if rpr else ""))
        at = m.end()
    parts.append(row_xml[at:])

    def write(row: dict) -> str:
        return "".join(p if isinstance(p, str) else
                       _texts(p[0], MARK.sub(lambda m: cell_text(row[m.group(2)]), p[1]), p[2])
                       for p in parts)

    return write


def write_document(xml: str, tables: list[list[dict]], write: Callable[[str], object]) -> None:
    """Write document.xml with each prototype row repeated for its table's rows."""
    marks = [(int(m.group(1)), m.start(), m.end()) for m in MARK.finditer(xml)]
    spans = {}
    for t, start, end in marks:
        first, last = spans.get(t, (start, end))
        spans[t] = (min(first, start), max(last, end))
    at = 0
    for t, (first, last) in sorted(spans.items(), key=lambda kv: kv[1]):
        start = max(m.start() for m in _ROW_START.finditer(xml, at, first))
        end = xml.index("</w:tr>", last) + len("</w:tr>")
        write(xml[at:start])
        row = compile_row(xml[start:end])
        rows = tables[t]
        for i in range(0, len(rows), BATCH):
            write("".join(row(r) for r in rows[i:i + BATCH]))
        at = end
    write(xml[at:])
