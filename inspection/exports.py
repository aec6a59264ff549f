"""The monthly headquarters workbook.

Each sheet is one `Sheet`: its columns and a generator of rows read straight from
the stored results (`MonthlyResult`, `Visit`, `Finding`, `BonusAward`), never
re-scored. `workbook_write` streams every sheet through openpyxl's write-only
mode, so a province month costs the memory of one row at a time.

Where an auditor checks the arithmetic, cells are live formulas with the stored
value beside them: 检查明细 recomputes each visit's sections from the rows of
扣分明细 (floored at 0) and its total (with the zeroing rule), and 汇总排名
recomputes each store's base score from 检查明细.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.formatting.rule import CellIsRule, ColorScaleRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from inspection.models import (
    BonusAward,
    Finding,
    ItemKind,
    MonthlyResult,
    Section,
    Standard,
    Visit,
    VisitStatus,
)
from inspection.months import month_bounds, previous_month
from inspection.scoring import round_half_up
from inspection.xlsx import text_cell
from stores.access import membership_of, role_of
from stores.models import Category, LocationClass, Role, Store

UNITS = {"min": "分钟", "count": "项"}
CHUNK = 2000

# --- Cells and sheets ------------------------------------------------------


@dataclass(frozen=True)
class Formula:
    """A formula the app wrote; every plain string is written as text instead."""

    text: str


# Cell kinds: each is one named style of the workbook.
TEXT = "text"
WRAP = "wrap"
# Paragraphs beside their labels (说明), read from the top.
PARAGRAPH = "paragraph"
INT = "int"
SCORE = "score"
MINUTES = "minutes"
DATETIME = "datetime"
MOVEMENT = "movement"
ALERT = "alert"
CHECK = "check"
NUMBER_FORMATS = {
    INT: "0",
    SCORE: "0.00",
    MINUTES: "0.0",
    DATETIME: "yyyy-mm-dd hh:mm",
    # Positive: climbed that many places since last month.
    MOVEMENT: '"↑"0;"↓"0;"→"',
}


@dataclass(frozen=True)
class Column:
    header: str
    kind: str = TEXT
    # Width in Excel units; a CJK character takes about two.
    width: float = 10
    # Hidden inside a collapsible group (the stored values beside the formulas).
    grouped: bool = False
    # What rows yielded as dicts are keyed by (the header is translated).
    key: str = ""


@dataclass
class Sheet:
    title: str
    columns: list[Column]
    rows: Iterator[list]
    # Headers (or keys) of the columns that get a red-yellow-green colour scale.
    color_scale: tuple[str, ...] = ()
    autofilter: bool = True
    # How many leading columns stay visible when scrolling right.
    frozen_columns: int = 0

    def letter(self, header: str) -> str:
        return column_letter(self.columns, header)


def column_letter(columns: list[Column], header: str) -> str:
    for index, column in enumerate(columns, start=1):
        if header in (column.header, column.key):
            return get_column_letter(index)
    raise KeyError(header)


def display_width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


@dataclass(frozen=True)
class CellStyle:
    number_format: str | None = None
    alignment: Alignment | None = None
    font: Font | None = None


# Vertical alignment stays Excel's default (bottom) everywhere, so the cells of a
# row with wrapped text share one baseline.
CENTER = Alignment(horizontal="center")
# Every data cell is styled by its column kind alone, and only where the default
# (General, bottom-left) would read badly: a province month has ~600,000 cells,
# and each styled one costs a style lookup. Printing draws gridlines instead of
# per-cell borders for the same reason.
CELL_STYLES = {
    TEXT: None,
    INT: None,
    WRAP: CellStyle(alignment=Alignment(wrap_text=True)),
    PARAGRAPH: CellStyle(alignment=Alignment(vertical="top", wrap_text=True)),
    SCORE: CellStyle(number_format=NUMBER_FORMATS[SCORE]),
    MINUTES: CellStyle(number_format=NUMBER_FORMATS[MINUTES]),
    DATETIME: CellStyle(number_format=NUMBER_FORMATS[DATETIME]),
    MOVEMENT: CellStyle(number_format=NUMBER_FORMATS[MOVEMENT], alignment=CENTER),
    ALERT: CellStyle(alignment=CENTER, font=Font(bold=True, color="C00000")),
    CHECK: CellStyle(alignment=CENTER),
}
# The font Chinese Office ships; elsewhere the system substitutes a sans-serif CJK font.
HEADER_FONT = Font(name="微软雅黑", bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
HEADER_ALIGNMENT = Alignment(horizontal="center", vertical="center", wrap_text=True)
HEADER_BORDER = Border(*(Side(style="thin", color="FFFFFF"),) * 4)


def _header_cell(ws, text: str) -> WriteOnlyCell:
    cell = text_cell(ws, text)
    cell.font = HEADER_FONT
    cell.fill = HEADER_FILL
    cell.alignment = HEADER_ALIGNMENT
    cell.border = HEADER_BORDER
    return cell


def _cell(ws, value, style: CellStyle | None):
    if value is None:
        return None
    if isinstance(value, Formula):
        cell = WriteOnlyCell(ws, value=value.text)
    elif isinstance(value, str | Promise):
        cell = text_cell(ws, value)
    elif style is None:
        return value
    else:
        cell = WriteOnlyCell(ws, value=value)
    if style is not None:
        if style.number_format:
            cell.number_format = style.number_format
        if style.alignment:
            cell.alignment = style.alignment
        if style.font:
            cell.font = style.font
    return cell


LINE_HEIGHT = 15


def text_lines(text: str, width: float) -> int:
    """How many lines wrapped text takes in a column `width` units wide."""
    usable = max(1, int(width) - 1)
    return sum(max(1, -(-display_width(line) // usable)) for line in text.split("\n"))


def _row_height(values: list, wrapped: list[tuple[int, float]]) -> float | None:
    """An explicit height for rows whose wrapped text needs more than one line:
    neither Excel nor LibreOffice grows a row to fit text when opening a file."""
    lines = max((text_lines(str(values[i]), width) for i, width in wrapped if values[i]), default=1)
    return LINE_HEIGHT * lines if lines > 1 else None


def _write_sheet(wb: Workbook, sheet: Sheet, header_left: str, header_right: str) -> None:
    ws = wb.create_sheet(sheet.title)
    columns = sheet.columns
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        ws.column_dimensions[letter].width = column.width
    grouped = [i for i, c in enumerate(columns, start=1) if c.grouped]
    if grouped:
        ws.column_dimensions.group(
            get_column_letter(grouped[0]), get_column_letter(grouped[-1]), hidden=True
        )
    ws.freeze_panes = f"{get_column_letter(sheet.frozen_columns + 1)}2"
    ws.row_dimensions[1].height = LINE_HEIGHT * max(text_lines(c.header, c.width) for c in columns)

    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_options.horizontalCentered = True
    ws.print_options.gridLines = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.print_title_rows = "1:1"
    ws.oddHeader.left.text = header_left
    ws.oddHeader.center.text = "&A"
    ws.oddHeader.right.text = header_right
    ws.oddFooter.center.text = _("第 &P 页，共 &N 页")

    ws.append([_header_cell(ws, c.header) for c in columns])
    styles = [CELL_STYLES[c.kind] for c in columns]
    wrapped = [(i, c.width) for i, c in enumerate(columns) if c.kind in (WRAP, PARAGRAPH)]
    last_row = 1
    for values in sheet.rows:
        last_row += 1
        height = _row_height(values, wrapped) if wrapped else None
        if height:
            ws.row_dimensions[last_row].height = height
        ws.append([_cell(ws, value, style) for value, style in zip(values, styles, strict=True)])
        if height:
            # Written with its row; keeping it would grow memory with the sheet.
            del ws.row_dimensions[last_row]

    last_col = get_column_letter(len(columns))
    if sheet.autofilter:
        ws.auto_filter.ref = f"A1:{last_col}{last_row}"
    if last_row > 1:
        for header in sheet.color_scale:
            letter = sheet.letter(header)
            ws.conditional_formatting.add(
                f"{letter}2:{letter}{last_row}",
                ColorScaleRule(
                    start_type="min",
                    start_color="F8696B",
                    mid_type="percentile",
                    mid_value=50,
                    mid_color="FFEB84",
                    end_type="max",
                    end_color="63BE7B",
                ),
            )
        for index, column in enumerate(columns, start=1):
            if column.kind == CHECK:
                letter = get_column_letter(index)
                ws.conditional_formatting.add(
                    f"{letter}2:{letter}{last_row}",
                    CellIsRule(
                        operator="equal",
                        formula=[f'"{_("不一致")}"'],
                        font=Font(bold=True, color="C00000"),
                        fill=PatternFill("solid", bgColor="FFC7CE"),
                    ),
                )


def workbook_write(
    *, sheets: Iterable[Sheet], out: str | IO[bytes], header_left: str = "", header_right: str = ""
) -> None:
    """Stream sheets into a workbook; rows are written as their generators yield them."""
    wb = Workbook(write_only=True)
    for sheet in sheets:
        _write_sheet(wb, sheet, header_left, header_right)
    wb.save(out)


# --- What the report covers --------------------------------------------------


# Inspectors never read the workbook: it ranks the halls they inspect.
REPORT_ROLES = (Role.HEADQUARTERS, Role.ADMINISTRATOR, Role.BRANCH_MANAGER, Role.STORE_MANAGER)


@dataclass(frozen=True)
class ReportScope:
    stores: QuerySet[Store]
    label: str
    show_inspectors: bool


def report_scope(user=None) -> ReportScope:
    """The stores a user's workbook covers; without a user, the whole province.

    Inspector names go to headquarters only: branch and store managers forward
    the workbook to the halls, who must not learn who inspected them.
    """
    everything = Store.objects.all()
    if user is None:
        return ReportScope(everything, _("全部营业厅"), True)
    role = role_of(user)
    membership = membership_of(user)
    if role in (Role.HEADQUARTERS, Role.ADMINISTRATOR):
        return ReportScope(everything, _("全部营业厅"), True)
    if role == Role.BRANCH_MANAGER:
        return ReportScope(
            everything.filter(branch_id=membership.branch_id), str(membership.branch), False
        )
    if role == Role.STORE_MANAGER:
        return ReportScope(everything.filter(pk=membership.store_id), str(membership.store), False)
    return ReportScope(everything.none(), "", False)


@dataclass
class Report:
    month: dt.date
    scope: ReportScope
    standard: Standard
    sections: list[Section] = field(init=False)
    zeroing_items: list = field(init=False)
    generated_at: dt.datetime = field(default_factory=timezone.localtime)

    def __post_init__(self):
        self.sections = list(self.standard.sections.filter(is_scored=True).order_by("order"))
        self.zeroing_items = list(self.standard.items.filter(kind=ItemKind.ZEROING))
        self.start, self.end = month_bounds(self.month)

    @property
    def month_label(self) -> str:
        return _("%(year)s年%(month)s月") % {"year": self.month.year, "month": self.month.month}

    def store_ids(self) -> QuerySet:
        return self.scope.stores.values("pk")

    def results(self) -> QuerySet[MonthlyResult]:
        return MonthlyResult.objects.filter(month=self.month, store__in=self.store_ids())

    def visits(self) -> QuerySet[Visit]:
        return Visit.objects.filter(
            status=VisitStatus.PUBLISHED,
            visited_at__gte=self.start,
            visited_at__lt=self.end,
            store__in=self.store_ids(),
        )

    def section_header(self, section: Section) -> str:
        return f"{section.code} {section.name}"


def _local(moment: dt.datetime) -> dt.datetime:
    # Excel has no time zones: write the wall-clock time of the halls.
    return timezone.localtime(moment).replace(tzinfo=None)


def _person(first: str, last: str, username: str) -> str:
    return f"{first} {last}".strip() or username


def _score(value) -> Decimal | None:
    return None if value is None else round_half_up(Decimal(str(value)))


def _sheet_ref(title: str, letter: str) -> str:
    return f"'{title}'!${letter}:${letter}"


def _labels(choices) -> dict[str, str]:
    """Choice labels translated once per sheet rather than once per row."""
    return {value: str(label) for value, label in choices}


# Sheet titles (also used in formulas that reach across sheets).
RANKING = "汇总排名"
BRANCHES = "分公司汇总"
VISITS = "检查明细"
DEDUCTIONS = "扣分明细"
RED_LINES = "红线"
BONUSES = "加分"
NOT_INSPECTED = "未检查"
NOTES = "说明"


# --- 扣分明细 --------------------------------------------------------------


def deduction_columns(report: Report) -> list[Column]:
    columns = [
        Column(_("检查编号"), INT, 9),
        Column(_("门店编码"), TEXT, 11),
        Column(_("营业厅"), TEXT, 24),
        Column(_("分公司"), TEXT, 14),
        Column(_("检查时间"), DATETIME, 18),
    ]
    if report.scope.show_inspectors:
        columns.append(Column(_("检查员"), TEXT, 12))
    return columns + [
        Column(_("项目"), TEXT, 7),
        Column(_("细项编码"), TEXT, 10),
        Column(_("检查内容"), WRAP, 50),
        Column(_("次数"), INT, 7),
        Column(_("扣分"), INT, 7),
        Column(_("测量值"), MINUTES, 9),
        Column(_("单位"), TEXT, 7),
        Column(_("说明"), WRAP, 18),
        Column(_("备注"), WRAP, 36),
    ]


def deduction_findings(report: Report) -> QuerySet[Finding]:
    """The findings 扣分明细 lists: every deduction, and every zeroing measurement."""
    return Finding.objects.filter(visit__in=report.visits()).filter(
        Q(deducted__gt=0)
        | Q(item__kind=ItemKind.ZEROING, measurement__isnull=False, not_applicable=False)
    )


# 扣分明细 and 检查明细 list visits in this same order, so each visit's deductions
# are one block of rows that its formulas can address.
VISIT_ORDER = ("store__code", "visited_at", "pk")


def deduction_rows(report: Report) -> Iterator[list]:
    findings = (
        deduction_findings(report)
        .order_by(*(f"visit__{key}" for key in VISIT_ORDER), "item__order")
        .values_list(
            "visit_id",
            "visit__store__code",
            "visit__store__name",
            "visit__store__branch__name",
            "visit__visited_at",
            "visit__inspector__first_name",
            "visit__inspector__last_name",
            "visit__inspector__username",
            "item__section__code",
            "item__code",
            "item__text",
            "item__kind",
            "item__unit",
            "item__limit",
            "occurrences",
            "points",
            "deducted",
            "measurement",
            "peak",
            "note",
        )
    )
    # Translated once: the loop runs once per deduction of the province.
    points_label, peak_label = _("各要点扣分：%(points)s"), _("高峰期/雨雪天")
    zeroed_label = _("整次检查零分")
    units = {unit: _(label) for unit, label in UNITS.items()}
    for (
        visit_id,
        code,
        name,
        branch,
        visited_at,
        first,
        last,
        username,
        section,
        item_code,
        item_text,
        kind,
        unit,
        limit,
        occurrences,
        points,
        deducted,
        measurement,
        peak,
        note,
    ) in findings.iterator(chunk_size=CHUNK):
        remarks = []
        if kind == ItemKind.RANGED:
            occurrences = len(points)
            remarks.append(points_label % {"points": "、".join(map(str, points))})
        if peak:
            remarks.append(peak_label)
        if kind == ItemKind.ZEROING and measurement is not None and measurement >= limit:
            remarks.append(zeroed_label)
        if kind in (ItemKind.TIME, ItemKind.COUNT, ItemKind.ZEROING):
            occurrences = None
        row = [visit_id, code, name, branch, _local(visited_at)]
        if report.scope.show_inspectors:
            row.append(_person(first, last, username))
        row += [
            section,
            item_code,
            item_text,
            occurrences,
            deducted,
            measurement,
            units.get(unit, ""),
            "；".join(remarks),
            note,
        ]
        yield row


def deduction_sheet(report: Report) -> Sheet:
    return Sheet(DEDUCTIONS, deduction_columns(report), deduction_rows(report), frozen_columns=3)


# --- 检查明细 (per visit, with the formulas an auditor checks) -----------------


def zeroing_header(item) -> str:
    """The column holding a zeroing item's measured minutes, e.g. "A2-Z 无人值守（分钟）"."""
    minutes = _("无人值守（分钟）")
    return f"{item.code} {minutes}"


def visit_columns(report: Report) -> list[Column]:
    columns = [
        Column(_("检查编号"), INT, 9),
        Column(_("门店编码"), TEXT, 11),
        Column(_("营业厅"), TEXT, 24),
        Column(_("分公司"), TEXT, 14),
        Column(_("类别"), TEXT, 15),
        Column(_("检查时间"), DATETIME, 18),
    ]
    if report.scope.show_inspectors:
        columns.append(Column(_("检查员"), TEXT, 12))
    columns += [Column(report.section_header(s), INT, 12) for s in report.sections]
    columns += [Column(zeroing_header(item), MINUTES, 12) for item in report.zeroing_items]
    columns += [
        Column(_("总分（公式）"), INT, 13),
        Column(_("系统总分"), INT, 9),
        Column(_("红线"), ALERT, 7),
        Column(_("核对"), CHECK, 8),
    ]
    columns += [
        Column(f"{report.section_header(s)}{_('（系统）')}", INT, 12, grouped=True)
        for s in report.sections
    ]
    return columns


def visit_rows(report: Report, columns: list[Column]) -> Iterator[list]:
    categories = _labels(Category.choices)
    letters = {c.header: get_column_letter(i) for i, c in enumerate(columns, start=1)}
    deduction_cols = deduction_columns(report)
    lost = column_letter(deduction_cols, _("扣分"))
    visit_key = column_letter(deduction_cols, _("检查编号"))
    section_key = column_letter(deduction_cols, _("项目"))
    id_col = letters[_("检查编号")]
    first_section = letters[report.section_header(report.sections[0])]
    last_section = letters[report.section_header(report.sections[-1])]
    total_col = letters[_("总分（公式）")]
    stored_total_col = letters[_("系统总分")]
    zeroing_cols = [(letters[zeroing_header(item)], item) for item in report.zeroing_items]
    zeroing_codes = [item.code for item in report.zeroing_items]
    stored = _("（系统）")
    section_pairs = [
        (letters[report.section_header(s)], letters[report.section_header(s) + stored])
        for s in report.sections
    ]
    red_label, same, differ = _("红线"), _("一致"), _("不一致")

    visits = report.visits().select_related("store__branch", "inspector").order_by(*VISIT_ORDER)
    deduction_counts = dict(
        deduction_findings(report)
        .values("visit_id")
        .annotate(n=Count("pk"))
        .values_list("visit_id", "n")
    )
    next_deduction_row = 2
    zeroing = defaultdict(dict)
    zeroing_findings = Finding.objects.filter(
        visit__in=report.visits(), item__code__in=zeroing_codes, not_applicable=False
    ).values_list("visit_id", "item__code", "measurement")
    for visit_id, code, measurement in zeroing_findings.iterator(chunk_size=CHUNK):
        zeroing[visit_id][code] = measurement

    for row_number, visit in enumerate(visits.iterator(chunk_size=CHUNK), start=2):
        store = visit.store
        row = [
            visit.pk,
            store.code,
            store.name,
            store.branch.name,
            categories.get(store.category, store.category),
            _local(visit.visited_at),
        ]
        if report.scope.show_inspectors:
            inspector = visit.inspector
            row.append(_person(inspector.first_name, inspector.last_name, inspector.username))
        # Each section: its full points less what this visit's block of 扣分明细
        # deducts in it, floored at 0. The visit number is matched too, so a block
        # that no longer lines up (say, after sorting 扣分明细) shows as 不一致.
        count = deduction_counts.get(visit.pk, 0)
        first, last = next_deduction_row, next_deduction_row + count - 1
        next_deduction_row += count

        def block(letter, first=first, last=last):
            return f"'{DEDUCTIONS}'!${letter}${first}:${letter}${last}"

        for section in report.sections:
            if count:
                lost_here = (
                    f"SUMIFS({block(lost)},{block(visit_key)},${id_col}{row_number},"
                    f'{block(section_key)},"{section.code}")'
                )
            else:
                lost_here = "0"
            row.append(Formula(f"=MAX(0,{section.points}-{lost_here})"))
        conditions = []
        for letter, item in zeroing_cols:
            row.append(zeroing[visit.pk].get(item.code))
            conditions.append(
                f"AND(ISNUMBER({letter}{row_number}),{letter}{row_number}>={item.limit})"
            )
        section_sum = f"SUM({first_section}{row_number}:{last_section}{row_number})"
        if conditions:
            row.append(Formula(f"=IF(OR({','.join(conditions)}),0,{section_sum})"))
        else:
            row.append(Formula(f"={section_sum}"))
        row.append(visit.total)
        row.append(red_label if visit.red_line else None)
        pairs = [f"{total_col}{row_number}={stored_total_col}{row_number}"]
        pairs += [f"{formula}{row_number}={kept}{row_number}" for formula, kept in section_pairs]
        row.append(Formula(f'=IF(AND({",".join(pairs)}),"{same}","{differ}")'))
        row += [visit.section_scores.get(section.code) for section in report.sections]
        yield row


def visit_sheet(report: Report) -> Sheet:
    columns = visit_columns(report)
    return Sheet(
        VISITS,
        columns,
        visit_rows(report, columns),
        color_scale=(_("总分（公式）"),),
        frozen_columns=3,
    )


# --- 汇总排名 and 同类厅排名 ---------------------------------------------------


def ranking_columns(report: Report, *, category_first: bool = False) -> list[Column]:
    overall = Column(_("总排名"), INT, 8, key="rank_overall")
    in_category = Column(_("同类厅排名"), INT, 11, key="rank_category")
    return [
        in_category if category_first else overall,
        Column(_("门店编码"), TEXT, 11, key="code"),
        Column(_("营业厅"), TEXT, 24, key="name"),
        Column(_("分公司"), TEXT, 14, key="branch"),
        *(() if category_first else (Column(_("类别"), TEXT, 15, key="category"),)),
        Column(_("区域"), TEXT, 10, key="location"),
        *(Column(report.section_header(s), SCORE, 12, key=s.code) for s in report.sections),
        Column(_("检查次数"), INT, 9, key="visits"),
        Column(_("基础得分"), SCORE, 9, key="base"),
        Column(_("加分"), INT, 6, key="bonus"),
        Column(_("月度总分"), SCORE, 9, key="total"),
        overall if category_first else in_category,
        Column(_("分公司排名"), INT, 11, key="rank_branch"),
        Column(_("上月总排名"), INT, 11, key="last_rank"),
        Column(_("名次变化"), MOVEMENT, 9, key="movement"),
        Column(_("红线次数"), ALERT, 9, key="red_lines"),
        Column(_("零分次数"), ALERT, 9, key="zeroed"),
        Column(_("公式复核"), SCORE, 9, key="total_check"),
        Column(_("核对"), CHECK, 8, key="agrees"),
    ]


def ranking_rows(
    report: Report, columns: list[Column], results: QuerySet[MonthlyResult]
) -> Iterator[list]:
    """One row per ranked store, from the stored monthly results; the last two
    columns recompute the total from 检查明细 so an auditor can see they agree."""
    categories, locations = _labels(Category.choices), _labels(LocationClass.choices)
    letters = {c.key: get_column_letter(i) for i, c in enumerate(columns, start=1)}
    visit_cols = visit_columns(report)
    visit_total = _sheet_ref(VISITS, column_letter(visit_cols, _("总分（公式）")))
    visit_store = _sheet_ref(VISITS, column_letter(visit_cols, _("门店编码")))
    code_col, bonus_col = letters["code"], letters["bonus"]
    total_col, check_col = letters["total"], letters["total_check"]
    new_label, same, differ = _("新上榜"), _("一致"), _("不一致")
    last_ranks = dict(
        MonthlyResult.objects.filter(
            month=previous_month(report.month), store__in=report.store_ids()
        ).values_list("store_id", "rank_overall")
    )
    for row_number, result in enumerate(results.iterator(chunk_size=CHUNK), start=2):
        store = result.store
        last_rank = last_ranks.get(store.pk)
        values = {
            "rank_overall": result.rank_overall,
            "code": store.code,
            "name": store.name,
            "branch": store.branch.name,
            "category": categories.get(store.category, store.category),
            "location": locations.get(store.location_class, store.location_class),
            "visits": result.visit_count,
            "base": result.base_display,
            "bonus": result.bonus,
            "total": result.total_display,
            "rank_category": result.rank_category,
            "rank_branch": result.rank_branch,
            "last_rank": last_rank,
            "movement": new_label if last_rank is None else last_rank - result.rank_overall,
            "red_lines": result.red_line_visits or None,
            "zeroed": result.zeroed_visits or None,
            "total_check": Formula(
                f"=AVERAGEIFS({visit_total},{visit_store},${code_col}{row_number})"
                f"+{bonus_col}{row_number}"
            ),
            "agrees": Formula(
                f"=IF(ROUND({check_col}{row_number},2)=ROUND({total_col}{row_number},2),"
                f'"{same}","{differ}")'
            ),
        }
        for section in report.sections:
            values[section.code] = _score(result.section_scores.get(section.code))
        yield [values[c.key] for c in columns]


def _ranked(report: Report) -> QuerySet[MonthlyResult]:
    return report.results().select_related("store__branch")


def ranking_sheet(report: Report) -> Sheet:
    columns = ranking_columns(report)
    results = _ranked(report).order_by("rank_overall", "store__code")
    return Sheet(
        RANKING,
        columns,
        ranking_rows(report, columns, results),
        color_scale=(_("月度总分"),),
        frozen_columns=3,
    )


def category_sheets(report: Report) -> Iterator[Sheet]:
    """同类厅排名: one sheet per category that has ranked stores in the scope."""
    present = set(report.results().values_list("store__category", flat=True).distinct())
    prefix = _("同类厅")
    for category, label in Category.choices:
        if category not in present:
            continue
        columns = ranking_columns(report, category_first=True)
        results = (
            _ranked(report)
            .filter(store__category=category)
            .order_by("rank_category", "store__code")
        )
        yield Sheet(
            f"{prefix}-{label}",
            columns,
            ranking_rows(report, columns, results),
            color_scale=(_("月度总分"),),
            frozen_columns=3,
        )


# --- 分公司汇总 ---------------------------------------------------------------


def branch_columns(report: Report) -> list[Column]:
    # The measure on the first line, the statistic below it: headers stay two
    # tidy lines instead of wrapping mid-word.
    mean, highest, lowest = _("（平均）"), _("（最高）"), _("（最低）")
    base, total = _("基础得分"), _("月度总分")
    return [
        Column(_("分公司"), TEXT, 14),
        Column(_("营业厅数"), INT, 9),
        Column(_("已检查"), INT, 7),
        Column(_("未检查"), INT, 7),
        Column(_("检查次数"), INT, 9),
        Column(f"{base}\n{mean}", SCORE, 10),
        Column(f"{total}\n{mean}", SCORE, 10, key="total_mean"),
        Column(f"{total}\n{highest}", SCORE, 10),
        Column(f"{total}\n{lowest}", SCORE, 10),
        Column(_("获加分厅数"), INT, 11),
        Column(_("红线次数"), ALERT, 9),
        Column(_("零分次数"), ALERT, 9),
        *(Column(f"{report.section_header(s)}\n{mean}", SCORE, 12) for s in report.sections),
    ]


def branch_rows(report: Report) -> Iterator[list]:
    """Per branch: store counts and the plain means of its stores' monthly scores."""
    branches = (
        report.scope.stores.filter(is_active=True)
        .values("branch_id", "branch__name", "branch__code")
        .annotate(stores=Count("pk"))
        .order_by("branch__code")
    )
    tally = defaultdict(lambda: defaultdict(Decimal))
    extremes: dict[int, list[Decimal]] = {}
    results = report.results().values_list(
        "store__branch_id", "visit_count", "base_score", "total", "bonus", "red_line_visits",
        "zeroed_visits", "section_scores",
    )  # fmt: skip
    for branch_id, visits, base, total, bonus, red, zeroed, sections in results.iterator(
        chunk_size=CHUNK
    ):
        t = tally[branch_id]
        t["ranked"] += 1
        t["visits"] += visits
        t["base"] += base
        t["total"] += total
        t["bonus"] += 1 if bonus else 0
        t["red"] += red
        t["zeroed"] += zeroed
        for code, value in sections.items():
            t[code] += Decimal(str(value))
        low, high = extremes.get(branch_id, (total, total))
        extremes[branch_id] = [min(low, total), max(high, total)]
    for branch in branches:
        t = tally[branch["branch_id"]]
        ranked = int(t["ranked"])

        def mean(key, t=t, ranked=ranked):
            return round_half_up(t[key] / ranked) if ranked else None

        low, high = extremes.get(branch["branch_id"], (None, None))
        yield [
            branch["branch__name"],
            branch["stores"],
            ranked,
            max(0, branch["stores"] - ranked),
            int(t["visits"]),
            mean("base"),
            mean("total"),
            None if high is None else round_half_up(high),
            None if low is None else round_half_up(low),
            int(t["bonus"]),
            int(t["red"]) or None,
            int(t["zeroed"]) or None,
            *(mean(s.code) for s in report.sections),
        ]


def branch_sheet(report: Report) -> Sheet:
    return Sheet(
        BRANCHES,
        branch_columns(report),
        branch_rows(report),
        color_scale=("total_mean",),
        frozen_columns=1,
    )


# --- 红线, 加分, 未检查 ---------------------------------------------------------


def red_line_columns(report: Report) -> list[Column]:
    columns = [
        Column(_("门店编码"), TEXT, 11),
        Column(_("营业厅"), TEXT, 24),
        Column(_("分公司"), TEXT, 14),
        Column(_("类别"), TEXT, 15),
        Column(_("检查编号"), INT, 9),
        Column(_("检查时间"), DATETIME, 18),
    ]
    if report.scope.show_inspectors:
        columns.append(Column(_("检查员"), TEXT, 12))
    return columns + [
        Column(_("细项编码"), TEXT, 10),
        Column(_("违规内容"), WRAP, 46),
        Column(_("次数"), INT, 7),
        Column(_("扣分"), INT, 7),
        Column(_("该次检查总分"), INT, 13),
        Column(_("备注"), WRAP, 36),
    ]


def red_line_rows(report: Report) -> Iterator[list]:
    categories = _labels(Category.choices)
    findings = (
        Finding.objects.filter(visit__in=report.visits(), item__red_line=True, deducted__gt=0)
        .select_related("visit__store__branch", "visit__inspector", "item")
        .order_by("visit__store__code", "visit__visited_at", "item__order")
    )
    for finding in findings.iterator(chunk_size=CHUNK):
        visit, store = finding.visit, finding.visit.store
        row = [
            store.code,
            store.name,
            store.branch.name,
            categories.get(store.category, store.category),
            visit.pk,
            _local(visit.visited_at),
        ]
        if report.scope.show_inspectors:
            inspector = visit.inspector
            row.append(_person(inspector.first_name, inspector.last_name, inspector.username))
        row += [
            finding.item.code,
            finding.item.text,
            finding.occurrences,
            finding.deducted,
            visit.total,
            finding.note,
        ]
        yield row


def red_line_sheet(report: Report) -> Sheet:
    return Sheet(RED_LINES, red_line_columns(report), red_line_rows(report), frozen_columns=2)


def bonus_columns() -> list[Column]:
    return [
        Column(_("门店编码"), TEXT, 11),
        Column(_("营业厅"), TEXT, 24),
        Column(_("分公司"), TEXT, 14),
        Column(_("类别"), TEXT, 15),
        Column(_("基础得分"), SCORE, 9),
        Column(_("同类厅基础分排名"), INT, 10),
        Column(_("加分"), INT, 6),
        Column(_("符合项数"), INT, 7),
        Column(_("符合的加分项目"), WRAP, 24),
        Column(_("创新或服务亮点"), WRAP, 52),
        Column(_("加分人"), TEXT, 12),
        Column(_("加分时间"), DATETIME, 18),
    ]


def bonus_rows(report: Report) -> Iterator[list]:
    categories = _labels(Category.choices)
    results = {
        r.store_id: r for r in report.results().only("store_id", "base_score", "category_base_rank")
    }
    awards = (
        BonusAward.objects.filter(month=report.month, store__in=report.store_ids())
        .select_related("store__branch", "awarded_by")
        .prefetch_related("criteria")
        .order_by("store__code", "awarded_at", "pk")
    )
    for award in awards.iterator(chunk_size=CHUNK):
        store, result = award.store, results.get(award.store_id)
        criteria = sorted(award.criteria.all(), key=lambda c: c.order)
        by = award.awarded_by
        yield [
            store.code,
            store.name,
            store.branch.name,
            categories.get(store.category, store.category),
            result.base_display if result else None,
            result.category_base_rank if result else None,
            award.points,
            len(criteria),
            "\n".join(f"{c.code} {c.name}" for c in criteria),
            award.highlight,
            _person(by.first_name, by.last_name, by.username),
            _local(award.awarded_at),
        ]


def bonus_sheet(report: Report) -> Sheet:
    return Sheet(BONUSES, bonus_columns(), bonus_rows(report), frozen_columns=2)


def not_inspected_columns() -> list[Column]:
    return [
        Column(_("门店编码"), TEXT, 11),
        Column(_("营业厅"), TEXT, 24),
        Column(_("分公司"), TEXT, 14),
        Column(_("类别"), TEXT, 15),
        Column(_("区域"), TEXT, 10),
        Column(_("上次发布检查时间"), DATETIME, 18),
        Column(_("本月未发布检查数"), INT, 10),
    ]


def not_inspected_rows(report: Report) -> Iterator[list]:
    """Active stores with no published visit this month, so no monthly score (rule 7)."""
    categories, locations = _labels(Category.choices), _labels(LocationClass.choices)
    stores = (
        report.scope.stores.filter(is_active=True)
        .exclude(monthly_results__month=report.month)
        .select_related("branch")
        .annotate(
            last_visit=Max(
                "visits__visited_at",
                filter=Q(visits__status=VisitStatus.PUBLISHED, visits__visited_at__lt=report.start),
            ),
            pending=Count(
                "visits",
                filter=Q(visits__visited_at__gte=report.start, visits__visited_at__lt=report.end)
                & ~Q(visits__status=VisitStatus.PUBLISHED),
            ),
        )
        .order_by("branch__code", "code")
    )
    for store in stores.iterator(chunk_size=CHUNK):
        yield [
            store.code,
            store.name,
            store.branch.name,
            categories.get(store.category, store.category),
            locations.get(store.location_class, store.location_class),
            _local(store.last_visit) if store.last_visit else None,
            store.pending or None,
        ]


def not_inspected_sheet(report: Report) -> Sheet:
    return Sheet(NOT_INSPECTED, not_inspected_columns(), not_inspected_rows(report))


# --- 说明 --------------------------------------------------------------------


def notes_rows(report: Report) -> Iterator[list]:
    standard = report.standard
    yield [_("服务标准"), f"{standard.name}（{standard.version}）"]
    yield [_("月份"), report.month_label]
    yield [_("范围"), report.scope.label]
    yield [_("生成时间"), report.generated_at.strftime("%Y-%m-%d %H:%M")]
    parts = "；".join(
        f"{part.code} {part.name} {part.points}分" for part in standard.parts.order_by("order")
    )
    yield [
        _("满分"),
        _("每次检查满分100分：%(parts)s。C 加分项目只加在月度总分上，不加在单次检查上。")
        % {"parts": parts},
    ]
    yield [
        _("各项目满分"),
        "；".join(f"{s.code} {s.name} {s.points}分" for s in report.sections),
    ]
    yield [
        _("扣分与保底"),
        _(
            "每个项目从满分开始扣分，扣完为止，最低0分；一个项目的扣分不会转到其他项目。"
            "同一问题出现多次按次数扣分，标明“每次检查只扣一次”的细项最多扣一次。"
            "不适用的细项不扣分。"
        ),
    ]
    for item in report.zeroing_items:
        yield [
            _("零分规则"),
            _(
                "%(code)s %(text)s：等候满%(limit)s分钟前台仍无人，该次检查总分记0分；"
                "各项扣分照常记录在扣分明细中。"
            )
            % {"code": item.code, "text": item.text, "limit": f"{item.limit.normalize():f}"},
        ]
    yield [
        _("检查总分"),
        _("检查总分 = 各项目得分之和（0–100分），触发零分规则时为0分。"),
    ]
    yield [
        _("月度基础得分"),
        _(
            "该厅本月所有已发布检查总分的算术平均值。表中四舍五入保留两位小数，"
            "排名按未舍入的精确值。本月没有已发布检查的营业厅不参加排名，列在“未检查”表中。"
        ),
    ]
    yield [
        _("加分规则"),
        _(
            "基础得分在同类厅排名前%(top)s名（含并列第%(top)s名），至少符合%(min)s项加分项目，"
            "并有值得推广的创新或服务亮点，方可加1–%(max)s分；每厅每月最多加%(max)s分。"
            "月度总分 = 基础得分 + 加分（最高%(highest)s分）。"
        )
        % {
            "top": standard.bonus_top_n,
            "min": standard.bonus_min_criteria,
            "max": standard.bonus_max_points,
            "highest": 100 + standard.bonus_max_points,
        },
    ]
    yield [
        _("排名"),
        _(
            "按月度总分从高到低排名，分数相同名次相同，下一名次顺延（1、2、2、4）。"
            "分别给出总排名、同类厅排名和分公司内排名。"
            "名次变化 = 上月总排名 − 本月总排名：↑ 为上升，↓ 为下降，→ 为持平。"
        ),
    ]
    red_items = "、".join(
        f"{i.code} {i.text}" for i in standard.items.filter(red_line=True).order_by("order")
    )
    yield [
        _("红线"),
        _("%(items)s 属于“五条禁令”，除扣分外该次检查标记为红线，列在“红线”表中。")
        % {"items": red_items},
    ]
    yield [
        _("公式核对"),
        _(
            "“检查明细”中各项目得分和总分是公式：项目得分 = MAX(0, 满分 − "
            "扣分明细中该次检查该项目的扣分合计)，总分 = 各项目之和（零分规则成立时为0）。"
            "“汇总排名”中的公式复核 = "
            "该厅各次检查总分的平均值 + 加分。“核对”列比较公式结果与系统保存的分数，"
            "应全部为“一致”。检查明细的公式按行引用扣分明细，查看扣分明细请用筛选，不要排序。系统保存的各项目得分在“检查明细”右侧的折叠列中。"
        ),
    ]
    yield [
        _("工作表"),
        "\n".join(
            (
                _("汇总排名：本月有已发布检查的营业厅，按总排名排列；含各项目平均得分和名次变化。"),
                _("同类厅-…：每个营业厅类别一张，按同类厅排名排列。"),
                _("分公司汇总：各分公司的营业厅数、检查次数和平均得分。"),
                _("检查明细：每次已发布的检查一行，项目得分和总分为公式。"),
                _("扣分明细：本月每一项扣分（含触发零分规则的记录）。"),
                _(
                    "红线：有红线违规的检查；加分：本月加分及其依据；未检查：本月没有已发布检查的营业厅。"
                ),
            )
        ),
    ]
    if not report.scope.show_inspectors:
        yield [_("检查员"), _("本报表不显示检查员姓名。")]


def notes_sheet(report: Report) -> Sheet:
    return Sheet(
        NOTES,
        [Column(_("项目"), PARAGRAPH, 16), Column(_("内容"), PARAGRAPH, 110)],
        notes_rows(report),
        autofilter=False,
    )


# --- The workbook ------------------------------------------------------------


def report_sheets(report: Report) -> Iterator[Sheet]:
    yield ranking_sheet(report)
    yield from category_sheets(report)
    yield branch_sheet(report)
    yield visit_sheet(report)
    yield deduction_sheet(report)
    yield red_line_sheet(report)
    yield bonus_sheet(report)
    yield not_inspected_sheet(report)
    yield notes_sheet(report)


def report_write(*, month: dt.date, out: str | IO[bytes], scope: ReportScope) -> None:
    """Write the monthly workbook of `month` for `scope` to a path or binary file."""
    month = month.replace(day=1)
    report = Report(month=month, scope=scope, standard=Standard.in_force(month))
    workbook_write(
        sheets=report_sheets(report),
        out=out,
        header_left=_("营业厅服务检查月报 %(month)s") % {"month": report.month_label},
        header_right=scope.label,
    )
