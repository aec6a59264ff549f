"""汇总排名 and 同类厅排名: one row per ranked store, from the stored monthly results.

The last two columns recompute each total from 检查明细 and 加分 (the mean of the
store's visit totals plus the awards 加分 says count), so an auditor can see they agree.
"""

from __future__ import annotations

from collections.abc import Iterator
from operator import attrgetter

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from inspection.exports.context import (
    BONUSES,
    CHUNK,
    RANKING,
    VISITS,
    WorkbookContext,
    labels,
    score,
    store_columns,
)
from inspection.exports.engine import ALERT, CHECK, INT, MOVEMENT, SCORE, Column, Columns, Sheet
from inspection.exports.lists import bonus_columns
from inspection.exports.visits import visit_columns
from inspection.models import MonthlyResult
from inspection.months import previous_month
from stores.models import Category


def ranking_columns(context: WorkbookContext, *, category_first: bool = False) -> Columns:
    last_ranks = dict(
        MonthlyResult.objects.filter(
            month=previous_month(context.month), store__in=context.store_ids()
        ).values_list("store_id", "rank_overall")
    )
    visits = Sheet(VISITS, visit_columns(context), ())
    visit_total, visit_store = visits.whole_column("total_formula"), visits.whole_column("code")
    bonuses = Sheet(BONUSES, bonus_columns(context), ())
    award_points, award_store = bonuses.whole_column("points"), bonuses.whole_column("code")
    award_counts = bonuses.whole_column("counts")
    new_label, same, differ, counts = _("新上榜"), _("一致"), _("不一致"), _("计入")

    def movement(result):
        last = last_ranks.get(result.store_id)
        return new_label if last is None else last - result.rank_overall

    overall = Column("rank_overall", _("总排名"), INT, 8, value=attrgetter("rank_overall"))
    in_category = Column(
        "rank_category", _("同类厅排名"), INT, 11, value=attrgetter("rank_category")
    )
    return Columns(
        [
            in_category if category_first else overall,
            *store_columns(attrgetter("store"), category=not category_first, location=True),
            *(
                Column(
                    f"section:{s.code}",
                    context.section_header(s),
                    SCORE,
                    12,
                    value=lambda result, code=s.code: score(result.section_scores.get(code)),
                )
                for s in context.sections
            ),
            Column("visits", _("检查次数"), INT, 9, value=attrgetter("visit_count")),
            Column("base", _("基础得分"), SCORE, 9, value=attrgetter("base_display")),
            Column("bonus", _("加分"), INT, 6, value=attrgetter("bonus")),
            Column("total", _("月度总分"), SCORE, 9, value=attrgetter("total_display")),
            overall if category_first else in_category,
            Column("rank_branch", _("分公司排名"), INT, 11, value=attrgetter("rank_branch")),
            Column(
                "last_rank",
                _("上月总排名"),
                INT,
                11,
                value=lambda result: last_ranks.get(result.store_id),
            ),
            Column("movement", _("名次变化"), MOVEMENT, 9, value=movement),
            Column(
                "red_lines",
                _("红线次数"),
                ALERT,
                9,
                value=lambda result: result.red_line_visits or None,
            ),
            Column(
                "zeroed", _("零分次数"), ALERT, 9, value=lambda result: result.zeroed_visits or None
            ),
            Column(
                "total_check",
                _("公式复核"),
                SCORE,
                9,
                # The mean of the visit totals plus the awards that count (加分 says which).
                formula=lambda result, cells: (
                    f"=AVERAGEIFS({visit_total},{visit_store},${cells['code']})"
                    f'+SUMIFS({award_points},{award_store},${cells["code"]},{award_counts},"{counts}")'
                ),
            ),
            Column(
                "agrees",
                _("核对"),
                CHECK,
                8,
                formula=lambda result, cells: (
                    f"=IF(ROUND({cells['total_check']},2)=ROUND({cells['total']},2),"
                    f'"{same}","{differ}")'
                ),
            ),
        ],
        context,
    )


def _ranked(context: WorkbookContext) -> QuerySet[MonthlyResult]:
    return context.results().select_related("store__branch")


def _ranking_sheet(title: str, context: WorkbookContext, results, **columns) -> Sheet:
    return Sheet(
        title,
        ranking_columns(context, **columns),
        results.iterator(chunk_size=CHUNK),
        color_scale=("total",),
        frozen_columns=3,
    )


def ranking_sheet(context: WorkbookContext) -> Sheet:
    results = _ranked(context).order_by("rank_overall", "store__code")
    return _ranking_sheet(RANKING, context, results)


def category_sheets(context: WorkbookContext) -> Iterator[Sheet]:
    """同类厅排名: one sheet per category that has ranked stores in the scope."""
    present = set(context.results().values_list("store__category", flat=True).distinct())
    prefix = _("同类厅")
    for category, label in labels(Category.choices).items():
        if category in present:
            results = (
                _ranked(context)
                .filter(store__category=category)
                .order_by("rank_category", "store__code")
            )
            yield _ranking_sheet(f"{prefix}-{label}", context, results, category_first=True)
