"""Planning a month's mystery-shopper visits. Headquarters plans every branch;
a branch manager plans the stores of their branch with inspectors from other
branches. Store staff never see a plan."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from inspection import services
from inspection.forms.visits import AssignmentForm, AutoPlanForm, MonthForm
from inspection.models import VisitAssignment
from inspection.months import next_month, previous_month
from stores.access import require_role, stores_in_scope
from stores.models import Role

PLANNER_ROLES = (Role.HEADQUARTERS, Role.ADMINISTRATOR, Role.BRANCH_MANAGER)


def _active_stores(user):
    return stores_in_scope(user).filter(is_active=True).order_by("code")


def _inspectors():
    return (
        get_user_model()
        .objects.filter(is_active=True, membership__role=Role.INSPECTOR)
        .select_related("membership", "membership__branch")
        .order_by("username")
    )


def _back(month):
    return redirect(f"{reverse('plan-month')}?month={month:%Y-%m}")


@require_GET
@login_required
def plan_month(request):
    require_role(request.user, *PLANNER_ROLES)
    form = MonthForm(request.GET)
    month = (form.cleaned_data["month"] if form.is_valid() else None) or (
        timezone.localdate().replace(day=1)
    )
    stores = list(_active_stores(request.user))
    inspectors = list(_inspectors())
    assignments = {}
    for assignment in (
        VisitAssignment.objects.filter(month=month, store__in=stores)
        .select_related("inspector", "visit")
        .order_by("store__code", "pk")
    ):
        assignments.setdefault(assignment.store_id, []).append(assignment)
    load = {}
    for assignment in (
        VisitAssignment.objects.filter(month=month)
        .order_by()
        .values_list("inspector_id", flat=True)
    ):
        load[assignment] = load.get(assignment, 0) + 1
    rows = [
        {
            "store": store,
            "assignments": assignments.get(store.pk, []),
            "inspectors": [i for i in inspectors if i.membership.branch_id != store.branch_id],
        }
        for store in stores
    ]
    return render(
        request,
        "inspection/visits/plan_month.html",
        {
            "month": month,
            "previous": previous_month(month),
            "next": next_month(month),
            "rows": rows,
            "unplanned": sum(1 for row in rows if not row["assignments"]),
            "load": [(i, load.get(i.pk, 0)) for i in inspectors],
            "autoplan_form": AutoPlanForm(initial={"month": f"{month:%Y-%m}"}),
        },
    )


@require_POST
@login_required
def plan_autoplan(request):
    require_role(request.user, *PLANNER_ROLES)
    form = AutoPlanForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("plan-month")
    month = form.cleaned_data["month"]
    try:
        created = services.assignments_autoplan(
            month=month,
            stores=_active_stores(request.user),
            visits_per_store=form.cleaned_data["visits_per_store"],
            by=request.user,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("已自动安排 %(count)s 次检查。") % {"count": len(created)})
    return _back(month)


def _assignment_form(request):
    return AssignmentForm(
        request.POST, stores=_active_stores(request.user), inspectors=_inspectors()
    )


def _save(request, form, assignment=None):
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        month = assignment.month if assignment else timezone.localdate().replace(day=1)
        return _back(form.cleaned_data.get("month") or month)
    month = form.cleaned_data["month"]
    try:
        services.assignment_set(
            store=form.cleaned_data["store"],
            month=month,
            inspector=form.cleaned_data["inspector"],
            planned_on=form.cleaned_data["planned_on"],
            by=request.user,
            assignment=assignment,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("计划已保存。"))
    return _back(month)


@require_POST
@login_required
def plan_assign(request):
    require_role(request.user, *PLANNER_ROLES)
    return _save(request, _assignment_form(request))


def _assignment_in_scope(user, pk) -> VisitAssignment:
    require_role(user, *PLANNER_ROLES)
    return get_object_or_404(VisitAssignment, pk=pk, store__in=_active_stores(user))


@require_POST
@login_required
def plan_change(request, pk):
    assignment = _assignment_in_scope(request.user, pk)
    form = _assignment_form(request)
    if form.is_valid() and form.cleaned_data["store"] != assignment.store:
        messages.error(request, _("不能把已有的计划改到另一个营业厅。"))
        return _back(assignment.month)
    return _save(request, form, assignment)


@require_POST
@login_required
def plan_delete(request, pk):
    assignment = _assignment_in_scope(request.user, pk)
    try:
        services.assignment_delete(assignment=assignment)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("已删除这次计划的检查。"))
    return _back(assignment.month)
