"""检查明细 and 扣分明细: one row per published visit, and one per deduction.

Both list visits in the same order, so each visit's deductions are one block of
扣分明细 rows; 检查明细 recomputes each section from its block (floored at 0) and
the total (with the zeroing rule) as formulas beside the stored scores.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from operator import attrgetter

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from inspection import scoring
from inspection.exports.context import (
    CHUNK,
    DEDUCTIONS,
    VISITS,
    WorkbookContext,
    inspector_column,
    store_columns,
    visit_number_column,
    visit_time_column,
)
from inspection.exports.engine import (
    ALERT,
    CHECK,
    INT,
    MINUTES,
    TEXT,
    WRAP,
    Column,
    Columns,
    RowCells,
    Sheet,
)
from inspection.models import Finding, ItemKind, Visit
from inspection.rules import localized

UNITS = {"min": "分钟", "count": "项"}
# 扣分明细 and 检查明细 list visits in this same order.
VISIT_ORDER = ("store__code", "visited_at", "pk")
DEDUCTION_FIELDS = (
    "visit_id",
    "visit__store_id",
    "visit__inspector_id",
    "visit__visited_at",
    "item__section__code",
    "item__code",
    "item__text",
    "item__kind",
    "item__unit",
    "item__limit",
    "item__lapse",
    "item__requirement_rules",
    "occurrences",
    "points",
    "deducted",
    "measurement",
    "peak",
    "note",
)


# --- 扣分明细 --------------------------------------------------------------


def deduction_findings(context: WorkbookContext) -> QuerySet[Finding]:
    """The findings 扣分明细 lists: every deduction, and every zeroing measurement."""
    return Finding.objects.filter(visit__in=context.visits()).filter(
        Q(deducted__gt=0)
        | Q(item__kind=ItemKind.ZEROING, measurement__isnull=False, not_applicable=False)
    )


def _deduction_facts():
    """How many times, and the remarks, of a deduction row: ranged items count their
    points, measured items have a measurement instead of a count."""
    # Translated once: these run once per deduction of the province.
    points_label, peak_label = _("各要点扣分：%(points)s"), _("高峰期/雨雪天")
    zeroed_label, lapse_label = _("整次检查零分"), _("现场发现不符合")

    def occurrences(row) -> int | None:
        if row.item__kind == ItemKind.RANGED:
            return len(row.points)
        if row.item__kind in (ItemKind.TIME, ItemKind.COUNT, ItemKind.ZEROING):
            return None
        return row.occurrences

    def remarks(row) -> str:
        lines = []
        if row.item__kind == ItemKind.RANGED:
            lines.append(points_label % {"points": "、".join(map(str, row.points))})
        if row.item__lapse and row.occurrences:
            lines.append(lapse_label)
        if row.peak:
            lines.append(peak_label)
        zeroing = row.item__kind == ItemKind.ZEROING and row.measurement is not None
        if zeroing and row.measurement >= row.item__limit:
            lines.append(zeroed_label)
        return "；".join(lines)

    return occurrences, remarks


def _deduction_text(stores):
    """The item's text, and for an item whose requirement the store decides (A4-10) the
    requirement that applied to this store."""
    requirement_label = _("本厅要求：%(requirement)s")

    def text(row) -> str:
        if not row.item__requirement_rules:
            return row.item__text
        store = stores[row.visit__store_id].scoring_attributes()
        rule = scoring.item_requirement({"requirement_rules": row.item__requirement_rules}, store)
        requirement = requirement_label % {"requirement": localized(rule["text"], rule["text_en"])}
        return f"{row.item__text}\n{requirement}"

    return text


def deduction_columns(context: WorkbookContext) -> Columns:
    stores, names = context.stores_by_id, context.inspector_names
    units = {unit: _(label) for unit, label in UNITS.items()}
    occurrences, remarks = _deduction_facts()
    return Columns(
        [
            visit_number_column(attrgetter("visit_id")),
            *store_columns(lambda row: stores[row.visit__store_id], category=False),
            visit_time_column(
                context, "visited_at", _("检查时间"), attrgetter("visit__visited_at")
            ),
            inspector_column(lambda row: names[row.visit__inspector_id]),
            Column("section", _("项目"), TEXT, 7, value=attrgetter("item__section__code")),
            Column("item", _("细项编码"), TEXT, 10, value=attrgetter("item__code")),
            Column("text", _("检查内容"), WRAP, 50, value=_deduction_text(stores)),
            Column("occurrences", _("次数"), INT, 7, value=occurrences),
            Column("deducted", _("扣分"), INT, 7, value=attrgetter("deducted")),
            Column("measurement", _("测量值"), MINUTES, 9, value=attrgetter("measurement")),
            Column("unit", _("单位"), TEXT, 7, value=lambda row: units.get(row.item__unit, "")),
            Column("remarks", _("说明"), WRAP, 18, value=remarks),
            Column("note", _("备注"), WRAP, 36, value=attrgetter("note")),
        ],
        context,
    )


def deduction_sheet(context: WorkbookContext) -> Sheet:
    findings = (
        deduction_findings(context)
        .order_by(*(f"visit__{key}" for key in VISIT_ORDER), "item__order")
        .values_list(*DEDUCTION_FIELDS, named=True)
    )
    return Sheet(
        DEDUCTIONS,
        deduction_columns(context),
        findings.iterator(chunk_size=CHUNK),
        frozen_columns=3,
    )


# --- 检查明细 --------------------------------------------------------------


@dataclass(slots=True)
class VisitLine:
    visit: Visit
    # This visit's block of 扣分明细 rows; empty when last < first.
    first: int
    last: int
    # Measured minutes of the zeroing items, by item code.
    zeroing: dict[str, Decimal]


def _zeroing_key(item) -> str:
    return f"zeroing:{item.code}"


def _section_formula(deductions: Sheet, section):
    """A section's score: its points less what the visit's block deducts in it, floored
    at 0. The visit number is matched too, so a block that no longer lines up (say,
    after sorting 扣分明细) shows as 不一致."""

    def formula(line: VisitLine, cells: RowCells) -> str:
        if line.last < line.first:
            return f"=MAX(0,{section.points}-0)"

        def block(key):
            return deductions.block(key, line.first, line.last)

        lost = (
            f"SUMIFS({block('deducted')},{block('visit')},${cells['visit']},"
            f'{block("section")},"{section.code}")'
        )
        return f"=MAX(0,{section.points}-{lost})"

    return formula


def _total_formula(context: WorkbookContext):
    first, last = (f"section:{s.code}" for s in (context.sections[0], context.sections[-1]))

    def formula(line: VisitLine, cells: RowCells) -> str:
        section_sum = f"SUM({cells[first]}:{cells[last]})"
        conditions = [
            f"AND(ISNUMBER({cells[_zeroing_key(item)]}),{cells[_zeroing_key(item)]}>={item.limit})"
            for item in context.zeroing_items
        ]
        if conditions:
            return f"=IF(OR({','.join(conditions)}),0,{section_sum})"
        return f"={section_sum}"

    return formula


def _agrees_formula(context: WorkbookContext):
    same, differ = _("一致"), _("不一致")

    def formula(line: VisitLine, cells: RowCells) -> str:
        pairs = [f"{cells['total_formula']}={cells['total']}"]
        pairs += [
            f"{cells[f'section:{s.code}']}={cells[f'stored:{s.code}']}" for s in context.sections
        ]
        return f'=IF(AND({",".join(pairs)}),"{same}","{differ}")'

    return formula


def zeroing_header(item) -> str:
    """The column holding a zeroing item's measured minutes, e.g. "A2-Z 无人值守（分钟）"."""
    minutes = _("无人值守（分钟）")
    return f"{item.code} {minutes}"


def visit_columns(context: WorkbookContext) -> Columns:
    stores, names = context.stores_by_id, context.inspector_names
    deductions = Sheet(DEDUCTIONS, deduction_columns(context), ())
    stored, red_label = _("（系统）"), _("红线")
    uncounted = _("各项得分不计入")
    return Columns(
        [
            visit_number_column(lambda line: line.visit.pk),
            *store_columns(lambda line: stores[line.visit.store_id]),
            visit_time_column(
                context, "visited_at", _("检查时间"), lambda line: line.visit.visited_at
            ),
            inspector_column(lambda line: names[line.visit.inspector_id]),
            *(
                Column(
                    f"section:{s.code}",
                    context.section_header(s),
                    INT,
                    12,
                    formula=_section_formula(deductions, s),
                )
                for s in context.sections
            ),
            *(
                Column(
                    _zeroing_key(item),
                    zeroing_header(item),
                    MINUTES,
                    12,
                    value=lambda line, code=item.code: line.zeroing.get(code),
                )
                for item in context.zeroing_items
            ),
            Column("total_formula", _("总分（公式）"), INT, 13, formula=_total_formula(context)),
            Column("total", _("系统总分"), INT, 9, value=lambda line: line.visit.total),
            Column(
                "red_line",
                _("红线"),
                ALERT,
                7,
                value=lambda line: red_label if line.visit.red_line else None,
            ),
            # Ruling R6: a zeroed visit's sections show what they would have scored,
            # and count 0 in the month's section averages.
            Column(
                "zeroed",
                _("整次零分"),
                ALERT,
                10,
                value=lambda line: uncounted if line.visit.zeroed else None,
            ),
            Column("agrees", _("核对"), CHECK, 8, formula=_agrees_formula(context)),
            *(
                Column(
                    f"stored:{s.code}",
                    f"{context.section_header(s)}{stored}",
                    INT,
                    12,
                    value=lambda line, code=s.code: line.visit.section_scores.get(code),
                    grouped=True,
                )
                for s in context.sections
            ),
        ],
        context,
    )


def visit_lines(context: WorkbookContext) -> Iterator[VisitLine]:
    deduction_counts = dict(
        deduction_findings(context)
        .values("visit_id")
        .annotate(n=Count("pk"))
        .values_list("visit_id", "n")
    )
    zeroing = defaultdict(dict)
    zeroing_findings = Finding.objects.filter(
        visit__in=context.visits(),
        item__code__in=[item.code for item in context.zeroing_items],
        not_applicable=False,
    ).values_list("visit_id", "item__code", "measurement")
    for visit_id, code, measurement in zeroing_findings.iterator(chunk_size=CHUNK):
        zeroing[visit_id][code] = measurement
    next_deduction_row = 2
    for visit in context.visits().order_by(*VISIT_ORDER).iterator(chunk_size=CHUNK):
        count = deduction_counts.get(visit.pk, 0)
        first, next_deduction_row = next_deduction_row, next_deduction_row + count
        yield VisitLine(visit, first, next_deduction_row - 1, zeroing[visit.pk])


def visit_sheet(context: WorkbookContext) -> Sheet:
    lines = visit_lines(context)
    return Sheet(VISITS, visit_columns(context), lines, ("total_formula",), frozen_columns=3)
