"""The rankings, store and overview pages, and the bonus award (rule 9 of the standard)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from inspection.access import get_bonus_award_for_user
from inspection.forms.reports import BonusAwardForm, RankingsForm, ResultsMonthForm
from inspection.models import MonthlyResult, Standard
from inspection.queries import overview, rankings, store_page
from inspection.queries.pages import paginate
from inspection.queries.results import (
    month_ranking,
    months_with_results,
    scored_sections,
    section_averages,
    sections_in_force,
)
from inspection.services import bonus
from stores.access import (
    can_award_bonus,
    get_store_for_user,
    ranked_stores,
    reads_overview,
    reads_results,
    require,
    store_ids_to_open,
    stores_in_scope,
)

NOT_INSPECTED_ON_OVERVIEW = 30
RANKINGS_PER_PAGE = 100
# The stores not inspected are listed up to this many; a filter narrows the rest.
NOT_INSPECTED_SHOWN = 100
# The overview lists the month's first red-line visits; the workbook has them all.
RED_LINES_ON_OVERVIEW = 50
# Ties at the top N of a category make hundreds of candidates in a national month.
CANDIDATES_ON_OVERVIEW = 60


def _month_query(month) -> str:
    return f"?month={month:%Y-%m}"


def _sort_headers(request, sections, current: str) -> list[dict]:
    labels = {
        "rank": _("名次"),
        "move": _("升降"),
        "store": _("营业厅"),
        "branch": _("分公司"),
        "category": _("类别"),
        "base": _("基础分"),
        "bonus": _("加分"),
        "total": _("总分"),
        "red": _("红线"),
    }
    sections_by_code = {s.code: s for s in sections}
    descending = current.startswith("-")
    active = current.removeprefix("-")
    headers = []
    for column in rankings.sort_columns(sections):
        section = sections_by_code.get(column)
        natural_desc = column in rankings.SCORE_COLUMNS or section is not None
        query = request.GET.copy()
        query.pop("page", None)
        if column == active:
            query["sort"] = column if descending else f"-{column}"
        else:
            query["sort"] = f"-{column}" if natural_desc else column
        headers.append(
            {
                "column": column,
                "label": labels.get(column, column),
                "section": section,
                "url": f"?{query.urlencode()}",
                "active": column == active,
                "descending": descending,
                "numeric": column not in ("store", "branch", "category"),
            }
        )
    return headers


@require_GET
@login_required
def rankings_page(request):
    require(request.user, reads_results)
    form = RankingsForm(
        request.GET or None, months=months_with_results(), sections_for=sections_in_force
    )
    filters = form.filters()
    month = filters["month"]
    context = {"form": form, "month": month}
    if month is None:
        return render(request, "inspection/reports/rankings.html", context)
    context["ranking"] = month_ranking(month)
    sections = form.sections
    listed = ranked_stores(request.user)
    linked = store_ids_to_open(request.user)
    rows = rankings.ranking_rows(
        month=month,
        view=filters["view"],
        sections=sections,
        stores=listed,
        branch=filters["branch"],
        category=filters["category"],
    )
    for row in rows:
        row.in_scope = linked is None or row.store.pk in linked
    sort = filters["sort"]
    rows = rankings.sort_rows(rows, sort.removeprefix("-"), sort.startswith("-"), sections)
    # A province is thousands of stores: a page a tablet (and a printer) can take.
    pages = paginate(rows, RANKINGS_PER_PAGE, request.GET.get("page"))
    page = pages["page"]
    without_page = request.GET.copy()
    without_page.pop("page", None)
    not_inspected = rankings.stores_not_inspected(
        month=month, stores=listed, branch=filters["branch"], category=filters["category"]
    )
    context.update(
        view=filters["view"],
        sections=sections,
        headers=_sort_headers(request, sections, sort),
        groups=rankings.ranking_groups(list(page), filters["view"]),
        row_count=len(rows),
        **pages,
        page_query=without_page.urlencode(),
        not_inspected=[
            (s, linked is None or s.pk in linked) for s in not_inspected[:NOT_INSPECTED_SHOWN]
        ],
        not_inspected_count=not_inspected.count(),
    )
    return render(request, "inspection/reports/rankings.html", context)


def _chart(labels, *series, unit: str = "", y_max=None) -> dict:
    """Chart data for static/inspection/js/charts.js: labels and one list per series."""
    return {
        "labels": [str(label) for label in labels],
        "series": [
            {**s, "data": [None if v is None else float(v) for v in s["data"]]} for s in series
        ],
        "unit": unit,
        "yMax": y_max,
    }


@require_GET
@login_required
def store_detail(request, pk):
    store = get_store_for_user(request.user, pk)
    form = ResultsMonthForm(
        request.GET or None,
        months=months_with_results(),
        default=store_page.latest_result_month(store),
    )
    month = form.filters()["month"] or timezone.localdate().replace(day=1)
    standard = Standard.in_force(month)
    sections = scored_sections(standard)
    history = store_page.store_history(store, month)
    window = store_page.twelve_months(month)
    result = (
        store.monthly_results.filter(month=month).first() if history[-1].total is not None else None
    )
    comparison = store_page.store_sections_against_category(result, store, month, sections)
    context = {
        "form": form,
        "store": store,
        "month": month,
        "standard": standard,
        "result": result,
        "ranking": month_ranking(month),
        "history": history,
        "comparison": comparison,
        "history_chart": _chart(
            [f"{p.month:%Y-%m}" for p in history],
            {"label": _("本厅总分"), "type": "line", "data": [p.total for p in history]},
            {
                "label": _("同类厅平均"),
                "type": "line",
                "data": [p.category_average for p in history],
            },
        ),
        "sections_chart": _chart(
            [c.section.label for c in comparison],
            {"label": _("本厅得分率"), "type": "bar", "data": [c.percent for c in comparison]},
            {
                "label": _("同类厅平均得分率"),
                "type": "bar",
                "data": [c.average_percent for c in comparison],
            },
            unit="%",
            y_max=100,
        ),
        "visits": store_page.published_visits(store, since=window[0], until=month),
        "frequent": store_page.store_frequent_deductions(store, since=window[0], until=month),
        "awards": store.bonus_awards.filter(month=month).prefetch_related("criteria"),
        "can_award": can_award_bonus(request.user) and result is not None,
    }
    return render(request, "inspection/reports/store.html", context)


@require_GET
@login_required
def dashboard(request):
    require(request.user, reads_overview)
    scope = stores_in_scope(request.user)
    form = ResultsMonthForm(request.GET or None, months=months_with_results())
    month = form.filters()["month"]
    context = {"form": form, "month": month}
    if month is None:
        return render(request, "inspection/reports/dashboard.html", context)
    standard = Standard.in_force(month)
    sections = scored_sections(standard)
    results = MonthlyResult.objects.filter(month=month, store__in=scope)
    summary = overview.month_summary(results)
    branches = overview.branch_averages(results)
    categories = overview.category_averages(results)
    distribution = overview.score_distribution(results)
    averages = section_averages(results, sections)
    deductions = overview.top_deductions(month=month, stores=scope)
    not_inspected = rankings.stores_not_inspected(month=month, stores=scope)
    red_lines = overview.red_line_visits(month=month, stores=scope)
    candidates = overview.bonus_candidates(month=month, stores=scope, standard=standard)
    context.update(
        ranking=month_ranking(month),
        standard=standard,
        summary=summary,
        branches=branches,
        categories=categories,
        distribution=distribution,
        section_rows=[(s, averages.get(s.code)) for s in sections],
        deductions=deductions,
        red_lines=red_lines[:RED_LINES_ON_OVERVIEW],
        red_line_count=red_lines.count(),
        not_inspected=not_inspected[:NOT_INSPECTED_ON_OVERVIEW],
        not_inspected_count=not_inspected.count(),
        candidates=candidates[:CANDIDATES_ON_OVERVIEW],
        candidate_count=len(candidates),
        can_award=can_award_bonus(request.user),
        branch_chart=_chart(
            [b.label for b in branches],
            {"label": _("平均总分"), "type": "bar", "data": [b.average for b in branches]},
        ),
        category_chart=_chart(
            [c.label for c in categories],
            {"label": _("平均总分"), "type": "bar", "data": [c.average for c in categories]},
        ),
        distribution_chart=_chart(
            [b.label for b in distribution],
            {"label": _("营业厅数"), "type": "bar", "data": [b.stores for b in distribution]},
        ),
        pareto_chart=_chart(
            [d.code for d in deductions],
            {"label": _("扣分合计"), "type": "bar", "data": [d.points for d in deductions]},
            {
                "label": _("累计占比 %"),
                "type": "line",
                "axis": "percent",
                "data": [d.cumulative_percent for d in deductions],
            },
        ),
    )
    return render(request, "inspection/reports/dashboard.html", context)


def _award_month(request, months):
    form = ResultsMonthForm(request.GET, months=months)
    # An award is for an explicit month: a link without one is a broken link.
    if not request.GET.get("month") or not form.is_valid():
        raise Http404
    return form.cleaned_data["month"]


@require_http_methods(["GET", "POST"])
@login_required
def bonus_award(request, pk):
    store = get_store_for_user(request.user, pk, permission=can_award_bonus)
    month = _award_month(request, months_with_results())
    standard = Standard.in_force(month)
    form = BonusAwardForm(request.POST or None, standard=standard)
    if request.method == "POST" and form.is_valid():
        try:
            bonus.bonus_award(
                store=store,
                month=month,
                points=form.cleaned_data["points"],
                criteria=form.cleaned_data["criteria"],
                highlight=form.cleaned_data["highlight"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("已为%(store)s加%(points)s分。")
                % {"store": store.name, "points": form.cleaned_data["points"]},
            )
            return redirect(f"{reverse('dashboard')}{_month_query(month)}")
    context = {
        "form": form,
        "store": store,
        "month": month,
        "standard": standard,
        "result": store.monthly_results.filter(month=month).first(),
        "awards": store.bonus_awards.filter(month=month).prefetch_related("criteria"),
    }
    return render(
        request, "inspection/reports/bonus_award.html", context, status=400 if form.errors else 200
    )


@require_POST
@login_required
def bonus_revoke(request, pk):
    award = get_bonus_award_for_user(request.user, pk)
    month = award.month
    bonus.bonus_revoke(award=award, by=request.user)
    messages.success(request, _("已撤销%(store)s的加分。") % {"store": award.store.name})
    return redirect(f"{reverse('dashboard')}{_month_query(month)}")
