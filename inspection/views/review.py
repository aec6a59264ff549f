"""Reviewing submitted visits, by headquarters and administrators only (ruling R8:
a branch manager never changes their own branch's scores). Publishing feeds the
monthly results; a published visit is corrected only through an amendment with a
reason, and a return records who sent the visit back and why."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from inspection.access import get_visit_for_reviewer, visits_for_reviewer
from inspection.forms.visits import AmendForm, ReturnForm
from inspection.models import Visit, VisitStatus
from inspection.queries.pages import paginate
from inspection.queries.visits import review_lists, visit_deductions, visit_notes
from inspection.services.findings import visit_findings
from inspection.services.visits import visit_amend, visit_publish, visit_return
from inspection.views.errors import flash_errors
from stores.access import can_amend, can_publish, can_return

REVIEW_PER_PAGE = 50


@require_GET
@login_required
def review_list(request):
    context = review_lists(visits_for_reviewer(request.user))
    # A province's month can leave thousands waiting: oldest first, a page at a time.
    context.update(paginate(context.pop("submitted"), REVIEW_PER_PAGE, request.GET.get("page")))
    return render(request, "inspection/visits/review_list.html", context)


def _detail(request, visit: Visit, return_form: ReturnForm, status: int = 200):
    findings = visit_findings(visit)
    score, deductions = visit_deductions(visit, findings)
    return render(
        request,
        "inspection/visits/review_detail.html",
        {
            "visit": visit,
            "score": score,
            "deductions": deductions,
            **visit_notes(visit, score),
            "remarks": [
                (code, finding)
                for code, finding in findings.items()
                if finding.get("na") or finding.get("note")
            ],
            "sections": visit.standard.sections.filter(is_scored=True),
            "photos": visit.photos.select_related("item"),
            "amendments": visit.amendments.select_related("amended_by"),
            "return_form": return_form,
        },
        status=status,
    )


@require_GET
@login_required
def review_detail(request, pk):
    return _detail(request, get_visit_for_reviewer(request.user, pk), ReturnForm())


@require_POST
@login_required
def review_publish(request, pk):
    visit = get_visit_for_reviewer(request.user, pk, permission=can_publish)
    try:
        visit_publish(visit=visit, by=request.user)
    except ValidationError as error:
        flash_errors(request, error)
        return redirect("review-detail", pk=visit.pk)
    messages.success(
        request, _("已发布 %(store)s 的检查，月度成绩和排名随后更新。") % {"store": visit.store}
    )
    return redirect("review-list")


@require_POST
@login_required
def review_return(request, pk):
    visit = get_visit_for_reviewer(request.user, pk, permission=can_return)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        return _detail(request, visit, form, status=400)
    try:
        visit_return(visit=visit, by=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        flash_errors(request, error)
        return redirect("review-detail", pk=visit.pk)
    messages.success(request, _("已退回给检查员修改。"))
    return redirect("review-list")


@require_http_methods(["GET", "POST"])
@login_required
def review_amend(request, pk):
    visit = get_visit_for_reviewer(request.user, pk, permission=can_amend)
    if visit.status != VisitStatus.PUBLISHED:
        messages.error(request, _("只有已发布的检查需要通过修改记录更正。"))
        return redirect("review-detail", pk=visit.pk)
    items = visit.standard.items.select_related("section")
    form = AmendForm(request.POST or None, items=items, findings=visit_findings(visit))
    if request.method == "POST" and form.is_valid():
        try:
            amendment = visit_amend(
                visit=visit,
                by=request.user,
                reason=form.cleaned_data["reason"],
                findings=form.cleaned_data["findings"],
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(
                request,
                _("已修改：总分 %(before)s → %(after)s，月度成绩和排名随后更新。")
                % {"before": amendment.total_before, "after": amendment.total_after},
            )
            return redirect("review-detail", pk=visit.pk)
    return render(request, "inspection/visits/review_amend.html", {"visit": visit, "form": form})
