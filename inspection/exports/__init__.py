"""The monthly headquarters workbook.

Each sheet is read straight from the stored results (`MonthlyResult`, `Visit`,
`Finding`, `BonusAward`), never re-scored, and streamed through openpyxl's
write-only mode by `engine`, so a province month costs the memory of one row at a
time. One module per sheet or family of sheets declares its columns; `notes`
holds the 说明 text as data.

Where an auditor checks the arithmetic, cells are live formulas with the stored
value beside them: 检查明细 recomputes each visit's sections from the rows of
扣分明细 (floored at 0) and its total (with the zeroing rule), and 汇总排名
recomputes each store's base score from 检查明细.
"""

from inspection.exports.context import WorkbookScope, report_scope, scope_named
from inspection.exports.workbook import report_write, workbook_rows_expected

__all__ = [
    "WorkbookScope",
    "report_scope",
    "report_write",
    "scope_named",
    "workbook_rows_expected",
]
