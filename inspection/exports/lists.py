"""红线, 加分 and 未检查: the month's red-line violations, bonus awards, and the active
stores without a published visit."""

from __future__ import annotations

from operator import attrgetter

from django.db.models import Count, Max, Q
from django.utils.translation import gettext as _

from inspection.exports.context import (
    BONUSES,
    CHUNK,
    NOT_INSPECTED,
    RED_LINES,
    WorkbookContext,
    inspector_column,
    local,
    store_columns,
    user_name,
    visit_number_column,
    visit_time_column,
)
from inspection.exports.engine import (
    CHECK,
    DATETIME,
    INT,
    SCORE,
    TEXT,
    WRAP,
    Column,
    Columns,
    RowCells,
    Sheet,
)
from inspection.models import BonusAward, Finding, VisitStatus


def red_line_sheet(context: WorkbookContext) -> Sheet:
    findings = (
        Finding.objects.filter(visit__in=context.visits(), item__red_line=True, deducted__gt=0)
        .select_related("visit__store__branch", "visit__inspector", "item__prohibition")
        .order_by("visit__store__code", "visit__visited_at", "item__order")
    )
    columns = Columns(
        [
            *store_columns(attrgetter("visit.store")),
            visit_number_column(attrgetter("visit.pk")),
            visit_time_column(context, "visited_at", _("检查时间"), attrgetter("visit.visited_at")),
            inspector_column(lambda finding: user_name(finding.visit.inspector)),
            Column("item", _("细项编码"), TEXT, 10, value=attrgetter("item.code")),
            Column("text", _("违规内容"), WRAP, 46, value=attrgetter("item.text")),
            Column(
                "prohibition",
                _("违反的禁令"),
                WRAP,
                30,
                value=lambda f: f"{f.item.prohibition.name} {f.item.prohibition.text}",
            ),
            Column("occurrences", _("次数"), INT, 7, value=attrgetter("occurrences")),
            Column("deducted", _("扣分"), INT, 7, value=attrgetter("deducted")),
            Column("total", _("该次检查总分"), INT, 13, value=attrgetter("visit.total")),
            Column("note", _("备注"), WRAP, 36, value=attrgetter("note")),
        ],
        context,
    )
    return Sheet(RED_LINES, columns, findings.iterator(chunk_size=CHUNK), frozen_columns=2)


def bonus_columns(context: WorkbookContext, results: dict | None = None) -> Columns:
    """加分's columns; `results` are the month's results by store id (none when another
    sheet only needs the columns' letters)."""
    results = results or {}
    top = context.standard.bonus_top_n
    counts, not_counting = _("计入"), _("不计入")

    def result_of(award, name):
        result = results.get(award.store_id)
        return getattr(result, name) if result else None

    def criteria(award):
        return sorted(award.criteria.all(), key=attrgetter("order"))

    def counting(award, cells: RowCells) -> str:
        # Rule 9, re-checked at every re-rank (ruling R7): the award counts while the
        # store's base score ranks in its category's top N.
        rank = cells["category_rank"]
        return f'=IF(AND(ISNUMBER({rank}),{rank}<={top}),"{counts}","{not_counting}")'

    return Columns(
        [
            *store_columns(attrgetter("store")),
            Column("base", _("基础得分"), SCORE, 9, value=lambda a: result_of(a, "base_display")),
            Column(
                "category_rank",
                _("同类厅基础分排名"),
                INT,
                10,
                value=lambda award: result_of(award, "category_base_rank"),
            ),
            Column("points", _("加分"), INT, 6, value=attrgetter("points")),
            Column("counts", _("是否计入"), CHECK, 9, formula=counting),
            Column("count", _("符合项数"), INT, 7, value=lambda award: len(criteria(award))),
            Column(
                "criteria",
                _("符合的加分项目"),
                WRAP,
                24,
                value=lambda award: "\n".join(f"{c.code} {c.name}" for c in criteria(award)),
            ),
            Column("highlight", _("创新或服务亮点"), WRAP, 52, value=attrgetter("highlight")),
            Column("by", _("加分人"), TEXT, 12, value=lambda award: user_name(award.awarded_by)),
            Column("awarded_at", _("加分时间"), DATETIME, 18, value=lambda a: local(a.awarded_at)),
        ],
        context,
    )


def bonus_sheet(context: WorkbookContext) -> Sheet:
    results = {
        r.store_id: r
        for r in context.results().only("store_id", "base_score", "category_base_rank")
    }
    awards = (
        BonusAward.objects.filter(month=context.month, store__in=context.store_ids())
        .select_related("store__branch", "awarded_by")
        .prefetch_related("criteria")
        .order_by("store__code", "awarded_at", "pk")
    )
    columns = bonus_columns(context, results)
    return Sheet(BONUSES, columns, awards.iterator(chunk_size=CHUNK), frozen_columns=2)


def not_inspected_sheet(context: WorkbookContext) -> Sheet:
    """Active stores with no published visit this month, so no monthly score (rule 7)."""
    stores = (
        context.scope.stores.filter(is_active=True)
        .exclude(monthly_results__month=context.month)
        .select_related("branch")
        .annotate(
            last_visit=Max(
                "visits__visited_at",
                filter=Q(
                    visits__status=VisitStatus.PUBLISHED, visits__visited_at__lt=context.start
                ),
            ),
            pending=Count(
                "visits",
                filter=Q(visits__visited_at__gte=context.start, visits__visited_at__lt=context.end)
                & ~Q(visits__status=VisitStatus.PUBLISHED),
            ),
        )
        .order_by("branch__code", "code")
    )
    columns = Columns(
        [
            *store_columns(lambda store: store, location=True),
            visit_time_column(
                context, "last_visit", _("上次发布检查时间"), attrgetter("last_visit")
            ),
            Column(
                "pending", _("本月未发布检查数"), INT, 10, value=lambda store: store.pending or None
            ),
        ],
        context,
    )
    return Sheet(NOT_INSPECTED, columns, stores.iterator(chunk_size=CHUNK))
