"""Planning a month's mystery-shopper visits: headquarters (and administrators) plan
every branch, with inspectors from other branches than the store's, on a filtered,
paginated list of the planned visits (or of the stores without one): auto-planning a
scope, moving selected visits to another inspector or day, and an inspector's month.
Branch and store staff never see a plan (rulings R8 and R9)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from inspection.access import get_assignment_for_planner, stores_to_plan
from inspection.forms.planning import (
    AddForm,
    AutoPlanForm,
    PlanFilterForm,
    PlanMonthForm,
    ReassignForm,
)
from inspection.months import FIRST_MONTH, LAST_MONTH, next_month, previous_month
from inspection.queries.planning import (
    MONTH_SHOWN,
    inspector_loads,
    inspector_month,
    plan_assignments,
    plan_page,
    plannable_branches,
    plannable_inspectors,
    unplanned_stores,
)
from inspection.services.planning import (
    assignment_delete,
    assignments_add,
    assignments_autoplan,
    assignments_reassign,
)
from inspection.views.errors import flash_errors
from stores.access import can_inspect, require

# The filters a write sends back so that the planner returns to the rows they saw.
KEPT = ("month", "status", "branch", "category", "inspector", "planned_on", "q", "page")


def _month(data):
    form = PlanMonthForm(data)
    return (form.cleaned_data["month"] if form.is_valid() else None) or (
        timezone.localdate().replace(day=1)
    )


def _back(request, month):
    """The plan page with the filters the form was posted from (only known ones)."""
    sent = QueryDict(request.POST.get("back", ""))
    query = QueryDict(mutable=True)
    for name in KEPT:
        if sent.get(name):
            query[name] = sent[name]
    query["month"] = f"{month:%Y-%m}"
    return redirect(f"{reverse('plan-month')}?{query.urlencode()}")


@require_GET
@login_required
def plan_month(request):
    stores = stores_to_plan(request.user)
    form = PlanMonthForm(request.GET)
    valid = form.is_valid()
    if not valid:
        # A bad link: say why, and show this month's plan instead.
        flash_errors(request, form)
    month = (form.cleaned_data["month"] if valid else None) or timezone.localdate().replace(day=1)
    branches = plannable_branches(stores)
    pool = plannable_inspectors()
    filter_form = PlanFilterForm(request.GET, branches=branches, inspectors=pool)
    filters = filter_form.filters()
    without_page = request.GET.copy()
    without_page.pop("page", None)
    without_page["month"] = f"{month:%Y-%m}"
    context = plan_page(
        month=month, stores=stores, filters=filters, page_number=request.GET.get("page")
    )
    return render(
        request,
        "inspection/visits/plan_month.html",
        {
            **context,
            "month": month,
            "previous": previous_month(month) if month > FIRST_MONTH else None,
            "next": next_month(month) if month < LAST_MONTH else None,
            "status": filters["status"],
            "filter_form": filter_form,
            "page_query": without_page.urlencode(),
            "back": request.GET.urlencode(),
            "load": inspector_loads(month),
            "autoplan_form": AutoPlanForm(
                initial={"month": f"{month:%Y-%m}", "branch": filters["branch"]},
                branches=branches,
            ),
            "add_form": AddForm(
                initial={"month": f"{month:%Y-%m}"}, stores=stores, inspectors=pool
            ),
            "reassign_form": ReassignForm(
                initial={"month": f"{month:%Y-%m}"},
                assignments=plan_assignments(month=month, stores=stores),
                inspectors=pool,
            ),
        },
        status=200 if valid else 400,
    )


@require_POST
@login_required
def plan_autoplan(request):
    stores = stores_to_plan(request.user)
    form = AutoPlanForm(request.POST, branches=plannable_branches(stores))
    if not form.is_valid():
        flash_errors(request, form)
        return _back(request, _month(request.POST))
    month = form.cleaned_data["month"]
    if form.cleaned_data["branch"]:
        stores = stores.filter(branch=form.cleaned_data["branch"])
    if form.cleaned_data["scope"] == AutoPlanForm.UNPLANNED:
        stores = unplanned_stores(month=month, stores=stores)
    try:
        created = assignments_autoplan(
            month=month,
            stores=stores,
            visits_per_store=form.cleaned_data["visits_per_store"],
            by=request.user,
        )
    except ValidationError as error:
        flash_errors(request, error)
    else:
        messages.success(request, _("已自动安排 %(count)s 次检查。") % {"count": len(created)})
    return _back(request, month)


def _plan_change(request, *, form_class, rows_field: str, rows, service, done: str):
    """A change to ticked rows: the form checks the ticks against the rows the planner
    may change (`rows(month)`), the service does all of it or nothing, the page says
    which."""
    month = _month(request.POST)
    form = form_class(request.POST, **{rows_field: rows(month)}, inspectors=plannable_inspectors())
    if not form.is_valid():
        flash_errors(request, form)
        return _back(request, month)
    fields = {k: v for k, v in form.cleaned_data.items() if k != "month"}
    try:
        count = service(month=month, by=request.user, **fields)
    except ValidationError as error:
        flash_errors(request, error)
    else:
        messages.success(request, done % {"count": count})
    return _back(request, month)


@require_POST
@login_required
def plan_add(request):
    stores = stores_to_plan(request.user)
    return _plan_change(
        request,
        form_class=AddForm,
        rows_field="stores",
        rows=lambda month: unplanned_stores(month=month, stores=stores),
        service=assignments_add,
        done=_("已安排 %(count)s 次检查。"),
    )


@require_POST
@login_required
def plan_reassign(request):
    stores = stores_to_plan(request.user)
    return _plan_change(
        request,
        form_class=ReassignForm,
        rows_field="assignments",
        rows=lambda month: plan_assignments(month=month, stores=stores).select_related("store"),
        service=assignments_reassign,
        done=_("已调整 %(count)s 次计划。"),
    )


@require_POST
@login_required
def plan_delete(request, pk):
    assignment = get_assignment_for_planner(request.user, pk)
    try:
        assignment_delete(assignment=assignment, by=request.user)
    except ValidationError as error:
        flash_errors(request, error)
    else:
        messages.success(request, _("已删除这次计划的检查。"))
    return _back(request, assignment.month)


def _month_page(request, *, inspector, stores, planner: bool):
    month = _month(request.GET)
    return render(
        request,
        "inspection/visits/inspector_month.html",
        {
            "inspector": inspector,
            "month": month,
            "previous": previous_month(month),
            "next": next_month(month),
            **inspector_month(inspector=inspector, month=month, stores=stores),
            "shown": MONTH_SHOWN,
            "planner": planner,
        },
    )


@require_GET
@login_required
def plan_inspector(request, pk):
    """A planner reads one inspector's month (only the visits to the planner's stores)."""
    stores = stores_to_plan(request.user)
    inspector = get_object_or_404(plannable_inspectors(), pk=pk)
    return _month_page(request, inspector=inspector, stores=stores, planner=True)


@require_GET
@login_required
def inspector_own_month(request):
    require(request.user, can_inspect)
    return _month_page(request, inspector=request.user, stores=None, planner=False)
