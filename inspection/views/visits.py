"""The mystery shopper's pages: home, the tablet form with its autosave and
photo endpoints, the summary before submitting, and the service worker that
keeps the form working offline."""

import hashlib
import json
import uuid
from functools import lru_cache

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.core.exceptions import ValidationError
from django.http import FileResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from inspection import scoring, services
from inspection.forms.visits import DraftForm, PhotoForm, SubmitForm
from inspection.models import FindingPhoto, ItemKind, Visit, VisitAssignment, VisitStatus
from inspection.months import month_of
from stores.access import require_role, role_of, stores_in_scope
from stores.models import Role

REVIEWER_ROLES = (Role.HEADQUARTERS, Role.ADMINISTRATOR, Role.BRANCH_MANAGER)
# What the service worker keeps so that an opened form works with no connection.
OFFLINE_ASSETS = (
    "inspection/js/scoring.js",
    "inspection/js/visit-form.js",
    "inspection/css/visit-form.css",
)


def own_visit(user, pk) -> Visit:
    """An inspector's own visit; anyone else's is a 404."""
    require_role(user, Role.INSPECTOR)
    return get_object_or_404(
        Visit.objects.select_related("store", "standard"), pk=pk, inspector=user
    )


def visit_for_reader(user, pk) -> Visit:
    """A visit its inspector or a reviewer of its store may read; store staff may read
    their store's published visits (the pages they see never name the inspector)."""
    role = role_of(user)
    if role == Role.INSPECTOR:
        return own_visit(user, pk)
    if role == Role.STORE_MANAGER:
        return get_object_or_404(
            Visit.objects.filter(store__in=stores_in_scope(user), status=VisitStatus.PUBLISHED),
            pk=pk,
        )
    require_role(user, *REVIEWER_ROLES)
    return get_object_or_404(
        Visit.objects.select_related("store", "standard").filter(store__in=stores_in_scope(user)),
        pk=pk,
    )


def photos_json(visit: Visit) -> list[dict]:
    return [
        {
            "id": photo.pk,
            "item": photo.item.code,
            "key": photo.client_key,
            "url": reverse("visit-photo", args=[visit.pk, photo.pk]),
        }
        for photo in visit.photos.select_related("item")
    ]


def visit_deductions(visit: Visit, findings: dict) -> tuple[scoring.VisitScore, list[dict]]:
    """The score of the findings as they stand, and one row per deducting item."""
    rules = visit.standard.rules()
    score = scoring.score_visit(rules, visit.store.scoring_attributes(), findings)
    rows = [
        {"item": item, "points": score.deductions[item["code"]], "finding": findings[item["code"]]}
        for item in rules["items"]
        if item["code"] in score.deductions
    ]
    return score, rows


@require_GET
@login_required
def inspector_home(request):
    require_role(request.user, Role.INSPECTOR)
    today = timezone.localdate()
    month = today.replace(day=1)
    assignments = list(
        VisitAssignment.objects.filter(inspector=request.user, month=month, visit__isnull=True)
        .select_related("store")
        .order_by("planned_on", "store__code", "pk")
    )
    visits = list(
        Visit.objects.filter(inspector=request.user)
        .exclude(status=VisitStatus.PUBLISHED)
        .select_related("store")
        .order_by("-visited_at", "pk")
    )
    return render(
        request,
        "inspection/visits/home.html",
        {
            "month": month,
            "today_assignments": [a for a in assignments if a.planned_on == today],
            "month_assignments": [a for a in assignments if a.planned_on != today],
            "returned": [v for v in visits if v.is_editable and v.return_reason],
            "drafts": [v for v in visits if v.is_editable and not v.return_reason],
            "submitted": [v for v in visits if v.status == VisitStatus.SUBMITTED],
        },
    )


@require_POST
@login_required
def assignment_start(request, pk):
    require_role(request.user, Role.INSPECTOR)
    assignment = get_object_or_404(VisitAssignment, pk=pk, inspector=request.user)
    if assignment.month != month_of(timezone.now()):
        messages.error(request, _("只能开始本月计划的检查。"))
        return redirect("inspector-home")
    try:
        visit = services.assignment_start(assignment=assignment)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("inspector-home")
    return redirect("visit-form", pk=visit.pk)


@require_GET
@login_required
def visit_form(request, pk):
    visit = own_visit(request.user, pk)
    if not visit.is_editable:
        return redirect("visit-summary", pk=visit.pk)
    sections = list(visit.standard.sections.filter(is_scored=True).select_related("parent"))
    items = list(visit.standard.items.all())
    store = visit.store.scoring_attributes()
    by_section = {}
    for item in items:
        item.applies = scoring.item_applies({"applies_to": item.applies_to}, store)
        if item.kind == ItemKind.RANGED:
            item.point_choices = range(item.points_min, item.points_max + 1)
        by_section.setdefault(item.section_id, []).append(item)
    for section in sections:
        section.form_items = by_section.get(section.pk, [])
    data = {
        "visit": visit.pk,
        "revision": visit.revision,
        "visited_at": timezone.localtime(visit.visited_at).strftime("%Y-%m-%dT%H:%M"),
        "findings": services.visit_findings(visit),
        "photos": photos_json(visit),
        "store": store,
        "rules_url": reverse("standard-rules", args=[visit.standard.version]),
        "save_url": reverse("visit-autosave", args=[visit.pk]),
        "photo_url": reverse("visit-photo-upload", args=[visit.pk]),
        "worker_url": reverse("visit-service-worker"),
        "csrf": get_token(request),
    }
    return render(
        request,
        "inspection/visits/form.html",
        {"visit": visit, "sections": sections, "data": data, "texts": _form_texts()},
    )


def _form_texts() -> dict:
    """What the form's script says, translated here so the page works offline."""
    return {
        "saved": _("已保存"),
        "separator": _("；"),
        "offline": _("离线——已保存在本机"),
        "syncing": _("正在同步…"),
        "unsaved": _("有修改，即将保存…"),
        "conflict": _("有冲突，尚未保存"),
        "failed": _("未能保存"),
        "need_reason": _("请填写不适用的原因（已保存在本机）"),
        "login": _("登录已过期，请重新登录（内容已保存在本机）"),
        "start": _("开始计时"),
        "stop": _("停止计时"),
        "limit": _("限值 %(limit)s 分钟"),
        "required": _("要求至少 %(count)s 项"),
        "exceeded": _("超过限值，扣 %(points)s 分"),
        "short": _("数量不足，扣 %(points)s 分"),
        "within": _("未超过限值，不扣分"),
        "enough": _("数量足够，不扣分"),
        "zeroing": _("满 %(limit)s 分钟整次检查计0分"),
        "zeroed": _("已满 %(limit)s 分钟：整次检查计0分"),
        "point": _("要点 %(n)s"),
        "pending": _("待上传"),
        "remove": _("删除照片"),
        "photo_failed": _("照片上传失败："),
        "photo_offline_full": _("本机存储空间不足，离线照片未能保存，请联网后重拍。"),
        "offline_summary": _("离线时无法提交，请联网后再查看汇总并提交。"),
    }


@require_POST
@login_required
def visit_autosave(request, pk):
    visit = own_visit(request.user, pk)
    form = DraftForm.from_json(request.body, items=visit.standard.items.all())
    if not form.is_valid():
        return JsonResponse(
            {"errors": [e for errors in form.errors.values() for e in errors]}, status=400
        )
    try:
        visit = services.visit_save_draft(
            visit=visit,
            revision=form.cleaned_data["revision"],
            visited_at=form.cleaned_data["visited_at"],
            findings=form.cleaned_data["findings"],
        )
    except services.StaleRevision as stale:
        current = stale.visit
        return JsonResponse(
            {
                "error": _("这份草稿已在另一个标签页或设备上修改过。"),
                "revision": current.revision,
                "visited_at": timezone.localtime(current.visited_at).strftime("%Y-%m-%dT%H:%M"),
                "findings": services.visit_findings(current),
                "editable": current.is_editable,
            },
            status=409,
        )
    except ValidationError as error:
        return JsonResponse({"errors": error.messages}, status=400)
    return JsonResponse({"revision": visit.revision})


@require_POST
@login_required
def visit_photo_upload(request, pk):
    visit = own_visit(request.user, pk)
    form = PhotoForm(request.POST, request.FILES, items=visit.standard.items.all())
    if not form.is_valid():
        return JsonResponse(
            {"errors": [e for errors in form.errors.values() for e in errors]}, status=400
        )
    try:
        photo = services.photo_add(
            visit=visit,
            item=form.cleaned_data["item"],
            image=form.cleaned_data["image"],
            client_key=form.cleaned_data["client_key"],
            by=request.user,
        )
    except ValidationError as error:
        return JsonResponse({"errors": error.messages}, status=400)
    return JsonResponse(
        {
            "id": photo.pk,
            "item": photo.item.code,
            "key": photo.client_key,
            "url": reverse("visit-photo", args=[visit.pk, photo.pk]),
        }
    )


@require_POST
@login_required
def visit_photo_delete(request, pk, photo_pk):
    visit = own_visit(request.user, pk)
    photo = get_object_or_404(FindingPhoto, pk=photo_pk, visit=visit)
    try:
        services.photo_delete(photo=photo)
    except ValidationError as error:
        return JsonResponse({"errors": error.messages}, status=400)
    return JsonResponse({"deleted": photo_pk})


@require_GET
@login_required
def visit_photo(request, pk, photo_pk):
    visit = visit_for_reader(request.user, pk)
    photo = get_object_or_404(FindingPhoto, pk=photo_pk, visit=visit)
    response = FileResponse(photo.image.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=86400"
    return response


@require_GET
@login_required
def visit_summary(request, pk):
    """Every deduction and the total before the inspector confirms; after
    submitting, the same page is the inspector's read-only copy."""
    visit = own_visit(request.user, pk)
    findings = services.visit_findings(visit)
    score, deductions = visit_deductions(visit, findings)
    errors = []
    if visit.is_editable:
        errors = services.visit_validate(
            store=visit.store,
            visited_at=visit.visited_at,
            rules=visit.standard.rules(),
            findings=findings,
        )
    form = SubmitForm(initial={"revision": visit.revision, "key": _submit_key(visit)})
    return render(
        request,
        "inspection/visits/summary.html",
        {
            "visit": visit,
            "score": score,
            "deductions": deductions,
            "sections": visit.standard.sections.filter(is_scored=True),
            "errors": errors,
            "form": form,
            "photos": visit.photos.select_related("item"),
        },
    )


def _submit_key(visit: Visit) -> str:
    # One key per rendering of the summary: a double tap or a retried request
    # repeats it, while a draft returned and edited again is shown with a new one.
    return f"{visit.pk}-{uuid.uuid4().hex}"


@require_POST
@login_required
def visit_submit(request, pk):
    visit = own_visit(request.user, pk)
    form = SubmitForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("提交请求不完整，请重新打开汇总页后再提交。"))
        return redirect("visit-summary", pk=visit.pk)
    try:
        services.visit_submit_once(
            visit=visit, revision=form.cleaned_data["revision"], key=form.cleaned_data["key"]
        )
    except services.StaleRevision:
        messages.error(request, _("草稿在打开汇总页后又被修改过，请核对后再提交。"))
        return redirect("visit-summary", pk=visit.pk)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("visit-summary", pk=visit.pk)
    messages.success(request, _("检查已提交，等待审核。"))
    return redirect("inspector-home")


@lru_cache(maxsize=1)
def _assets_version() -> str:
    digest = hashlib.sha256()
    for name in OFFLINE_ASSETS:
        with open(finders.find(name), "rb") as asset:
            digest.update(asset.read())
    return digest.hexdigest()[:12]


@require_GET
@login_required
def service_worker(request):
    """Served under /visits/ so that its scope covers the form pages."""
    require_role(request.user, Role.INSPECTOR)
    config = {
        "version": _assets_version(),
        "assets": [static(name) for name in OFFLINE_ASSETS],
        "scope": reverse("inspector-home"),
    }
    script = render(
        request,
        "inspection/visits/sw.js",
        {"config": json.dumps(config)},
        content_type="text/javascript; charset=utf-8",
    )
    script["Cache-Control"] = "no-cache"
    return script
