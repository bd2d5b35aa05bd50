"""Audit of the base units' standard catalogues (标准目录, 正文 二（一）) in `inputs/<Q>/目录/`.

Every item must carry 名称、内容、依据、时限、主体、方式、渠道、公开对象; the audit reads the
workbooks (`reader`), checks each item (`checks`), counts per unit × domain and cross-checks the
counts against the returns (`audit`), and says it in Chinese (`report`).
"""

from .audit import AUDIT_COLUMNS, FILE_COLUMNS, CatalogueAudit, audit_catalogues
from .checks import ITEM_COLUMNS
from .demo import write_demo_catalogues
from .report import catalogue_paragraph, catalogue_sheet, write_catalogue_workbook

__all__ = ["AUDIT_COLUMNS", "FILE_COLUMNS", "ITEM_COLUMNS", "CatalogueAudit", "audit_catalogues", "catalogue_paragraph",
           "catalogue_sheet", "write_catalogue_workbook", "write_demo_catalogues"]
