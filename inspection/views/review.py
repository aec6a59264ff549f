"""Reviewing submitted visits: headquarters sees every store, a branch manager
the stores of their branch. Publishing feeds the monthly results; a published
visit is corrected only through an amendment with a reason."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from inspection import services
from inspection.forms.visits import AmendForm, ReturnForm
from inspection.models import Visit, VisitStatus
from inspection.views.visits import REVIEWER_ROLES, visit_deductions
from stores.access import require_role, stores_in_scope

RECENTLY_PUBLISHED = 30


def reviewable_visit(user, pk) -> Visit:
    require_role(user, *REVIEWER_ROLES)
    return get_object_or_404(
        Visit.objects.select_related("store", "store__branch", "standard", "inspector").filter(
            store__in=stores_in_scope(user)
        ),
        pk=pk,
    )


@require_GET
@login_required
def review_list(request):
    require_role(request.user, *REVIEWER_ROLES)
    visits = Visit.objects.filter(store__in=stores_in_scope(request.user)).select_related(
        "store", "store__branch", "inspector"
    )
    return render(
        request,
        "inspection/visits/review_list.html",
        {
            "submitted": visits.filter(status=VisitStatus.SUBMITTED).order_by("submitted_at", "pk"),
            "published": visits.filter(status=VisitStatus.PUBLISHED).order_by(
                "-published_at", "-pk"
            )[:RECENTLY_PUBLISHED],
        },
    )


def _detail(request, visit: Visit, return_form: ReturnForm, status: int = 200):
    findings = services.visit_findings(visit)
    score, deductions = visit_deductions(visit, findings)
    return render(
        request,
        "inspection/visits/review_detail.html",
        {
            "visit": visit,
            "score": score,
            "deductions": deductions,
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
    return _detail(request, reviewable_visit(request.user, pk), ReturnForm())


@require_POST
@login_required
def review_publish(request, pk):
    visit = reviewable_visit(request.user, pk)
    try:
        services.visit_publish(visit=visit, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("review-detail", pk=visit.pk)
    messages.success(
        request, _("已发布 %(store)s 的检查，月度成绩已更新。") % {"store": visit.store}
    )
    return redirect("review-list")


@require_POST
@login_required
def review_return(request, pk):
    visit = reviewable_visit(request.user, pk)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        return _detail(request, visit, form, status=400)
    try:
        services.visit_return(visit=visit, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("review-detail", pk=visit.pk)
    messages.success(request, _("已退回给检查员修改。"))
    return redirect("review-list")


@require_http_methods(["GET", "POST"])
@login_required
def review_amend(request, pk):
    visit = reviewable_visit(request.user, pk)
    if visit.status != VisitStatus.PUBLISHED:
        messages.error(request, _("只有已发布的检查需要通过修改记录更正。"))
        return redirect("review-detail", pk=visit.pk)
    items = visit.standard.items.select_related("section")
    form = AmendForm(request.POST or None, items=items, findings=services.visit_findings(visit))
    if request.method == "POST" and form.is_valid():
        try:
            amendment = services.visit_amend(
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
                _("已修改：总分 %(before)s → %(after)s，月度成绩和排名已更新。")
                % {"before": amendment.total_before, "after": amendment.total_after},
            )
            return redirect("review-detail", pk=visit.pk)
    return render(request, "inspection/visits/review_amend.html", {"visit": visit, "form": form})
