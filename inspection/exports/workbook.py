"""The sheets of the monthly workbook, in order, and writing it."""

import datetime as dt
from collections.abc import Callable, Iterator
from typing import IO

from django.utils.translation import gettext as _

from inspection.exports.branches import branch_sheet
from inspection.exports.context import WorkbookContext, WorkbookScope
from inspection.exports.engine import Sheet, workbook_write
from inspection.exports.lists import bonus_sheet, not_inspected_sheet, red_line_sheet
from inspection.exports.notes import notes_sheet
from inspection.exports.rankings import category_sheets, ranking_sheet
from inspection.exports.visits import deduction_findings, deduction_sheet, visit_sheet
from inspection.models import Standard


def workbook_sheets(context: WorkbookContext) -> Iterator[Sheet]:
    yield ranking_sheet(context)
    yield from category_sheets(context)
    yield branch_sheet(context)
    yield visit_sheet(context)
    yield deduction_sheet(context)
    yield red_line_sheet(context)
    yield bonus_sheet(context)
    yield not_inspected_sheet(context)
    yield notes_sheet(context)


def _context(month: dt.date, scope: WorkbookScope) -> WorkbookContext:
    month = month.replace(day=1)
    return WorkbookContext(month=month, scope=scope, standard=Standard.in_force(month))


def workbook_rows_expected(*, month: dt.date, scope: WorkbookScope) -> int:
    """About how many data rows the workbook of `month` for `scope` has, for a progress
    bar: the sheets of a row per result (汇总排名, and 同类厅排名 again), per visit, per
    deduction and per store not inspected. The short lists are left out."""
    context = _context(month, scope)
    results = context.results().count()
    not_inspected = context.scope.stores.filter(is_active=True).count() - results
    visits = context.visits().count()
    return 2 * results + visits + deduction_findings(context).count() + max(0, not_inspected)


def report_write(
    *,
    month: dt.date,
    out: str | IO[bytes],
    scope: WorkbookScope,
    progress: Callable[[int], None] | None = None,
    progress_every: int = 1000,
) -> None:
    """Write the monthly workbook of `month` for `scope` to a path or binary file;
    `progress` is told the rows written every `progress_every` rows."""
    context = _context(month, scope)
    workbook_write(
        sheets=workbook_sheets(context),
        out=out,
        header_left=_("营业厅服务检查月报 %(month)s") % {"month": context.month_label},
        header_right=scope.label,
        progress=progress,
        progress_every=progress_every,
    )
