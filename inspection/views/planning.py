"""Planning a month's mystery-shopper visits: headquarters (and administrators) plan
every branch, with inspectors from other branches than the store's. Branch and
store staff never see a plan (rulings R8 and R9)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from inspection.access import get_assignment_for_planner, stores_to_plan
from inspection.forms.planning import AssignmentForm, AutoPlanForm, PlanMonthForm
from inspection.months import FIRST_MONTH, LAST_MONTH, next_month, previous_month
from inspection.queries.planning import month_plan, plannable_inspectors
from inspection.services.planning import assignment_delete, assignment_set, assignments_autoplan
from inspection.views.errors import flash_errors


def _back(month):
    return redirect(f"{reverse('plan-month')}?month={month:%Y-%m}")


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
    return render(
        request,
        "inspection/visits/plan_month.html",
        {
            "month": month,
            "previous": previous_month(month) if month > FIRST_MONTH else None,
            "next": next_month(month) if month < LAST_MONTH else None,
            **month_plan(month=month, stores=stores),
            "autoplan_form": AutoPlanForm(initial={"month": f"{month:%Y-%m}"}),
        },
        status=200 if valid else 400,
    )


@require_POST
@login_required
def plan_autoplan(request):
    stores = stores_to_plan(request.user)
    form = AutoPlanForm(request.POST)
    if not form.is_valid():
        flash_errors(request, form)
        return redirect("plan-month")
    month = form.cleaned_data["month"]
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
    return _back(month)


def _assignment_form(request):
    return AssignmentForm(
        request.POST, stores=stores_to_plan(request.user), inspectors=plannable_inspectors()
    )


def _save(request, form, assignment=None):
    if not form.is_valid():
        flash_errors(request, form)
        month = assignment.month if assignment else timezone.localdate().replace(day=1)
        return _back(form.cleaned_data.get("month") or month)
    month = form.cleaned_data["month"]
    try:
        assignment_set(
            store=form.cleaned_data["store"],
            month=month,
            inspector=form.cleaned_data["inspector"],
            planned_on=form.cleaned_data["planned_on"],
            by=request.user,
            assignment=assignment,
        )
    except ValidationError as error:
        flash_errors(request, error)
    else:
        messages.success(request, _("计划已保存。"))
    return _back(month)


@require_POST
@login_required
def plan_assign(request):
    return _save(request, _assignment_form(request))


@require_POST
@login_required
def plan_change(request, pk):
    assignment = get_assignment_for_planner(request.user, pk)
    form = _assignment_form(request)
    if form.is_valid() and form.cleaned_data["store"] != assignment.store:
        messages.error(request, _("不能把已有的计划改到另一个营业厅。"))
        return _back(assignment.month)
    return _save(request, form, assignment)


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
    return _back(assignment.month)
