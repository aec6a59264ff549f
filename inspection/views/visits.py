"""The mystery shopper's pages: home, the tablet form with its autosave and
photo endpoints, the summary before submitting, and the service worker that
keeps the form working offline."""

import datetime as dt
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
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from inspection.access import (
    get_assignment_for_inspector,
    get_photo_for_reader,
    get_visit_for_inspector,
)
from inspection.forms.visits import DraftForm, PhotoForm, SubmitForm
from inspection.models import FindingPhoto, Visit
from inspection.months import FIRST_MONTH, LAST_MONTH, month_of, next_month
from inspection.queries.visits import (
    form_sections,
    inspector_worklist,
    visit_deductions,
    visit_notes,
)
from inspection.services import planning
from inspection.services.drafts import (
    StaleRevision,
    photo_add,
    photo_delete,
    visit_save_draft,
    visit_submit_once,
)
from inspection.services.findings import visit_findings
from inspection.services.visits import visit_validate
from inspection.views.errors import error_messages, flash_errors
from stores.access import can_inspect, require

# What the service worker keeps so that an opened form works with no connection.
OFFLINE_ASSETS = (
    "inspection/js/page.js",
    "inspection/js/scoring.js",
    "inspection/js/visit-form.js",
    "inspection/css/visit-form.css",
)


def _photo_json(photo: FindingPhoto) -> dict:
    return {
        "id": photo.pk,
        "item": photo.item.code,
        "key": photo.client_key,
        "url": reverse("visit-photo", args=[photo.visit_id, photo.pk]),
    }


@require_GET
@login_required
def inspector_home(request):
    require(request.user, can_inspect)
    context = inspector_worklist(request.user, timezone.localdate())
    return render(request, "inspection/visits/home.html", context)


@require_POST
@login_required
def assignment_start(request, pk):
    assignment = get_assignment_for_inspector(request.user, pk)
    if assignment.month != month_of(timezone.now()):
        messages.error(request, _("只能开始本月计划的检查。"))
        return redirect("inspector-home")
    try:
        visit = planning.assignment_start(assignment=assignment)
    except ValidationError as error:
        flash_errors(request, error)
        return redirect("inspector-home")
    return redirect("visit-form", pk=visit.pk)


@require_GET
@login_required
def visit_form(request, pk):
    visit = get_visit_for_inspector(request.user, pk)
    if not visit.is_editable:
        return redirect("visit-summary", pk=visit.pk)
    sections = form_sections(visit)
    # The picker offers the plan's month, or the months the app knows (ruling R10).
    planned = visit.planned_month
    first, last = (planned, planned) if planned else (FIRST_MONTH, LAST_MONTH)
    time_range = (
        f"{first:%Y-%m-%d}T00:00",
        f"{next_month(last) - dt.timedelta(days=1):%Y-%m-%d}T23:59",
    )
    data = {
        # The device keeps drafts and pages under the user's id: see page.js.
        "user": request.user.pk,
        "visit": visit.pk,
        # What the logout warning calls an unsynced draft.
        "label": f"{visit.store.name} {timezone.localtime(visit.visited_at):%Y-%m-%d %H:%M}",
        "revision": visit.revision,
        "visited_at": timezone.localtime(visit.visited_at).strftime("%Y-%m-%dT%H:%M"),
        "findings": visit_findings(visit),
        "photos": [_photo_json(photo) for photo in visit.photos.select_related("item")],
        "store": visit.store.scoring_attributes(),
        "rules_url": reverse("standard-rules", args=[visit.standard.version]),
        "save_url": reverse("visit-autosave", args=[visit.pk]),
        "photo_url": reverse("visit-photo-upload", args=[visit.pk]),
        "worker_url": reverse("visit-service-worker"),
        "csrf": get_token(request),
    }
    return render(
        request,
        "inspection/visits/form.html",
        {
            "visit": visit,
            "sections": sections,
            "data": data,
            "texts": _form_texts(),
            "time_range": time_range,
        },
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
        # How the conflict banner tells this page's copy from the saved one.
        "blank": _("未记录"),
        "visited_at": _("检查时间"),
        "times": _("%(n)s 次"),
        "points": _("各要点扣分："),
        "list": _("、"),
        "measured": _("测量值："),
        "peak": _("（高峰期或雨雪天）"),
        "na": _("不适用："),
        "note": _("备注："),
    }


@require_POST
@login_required
def visit_autosave(request, pk):
    visit = get_visit_for_inspector(request.user, pk)
    form = DraftForm.from_json(request.body, items=visit.standard.items.all())
    if not form.is_valid():
        return JsonResponse({"errors": error_messages(form)}, status=400)
    try:
        revision = visit_save_draft(visit=visit, **form.cleaned_data)
    except StaleRevision as stale:
        current = stale.visit
        return JsonResponse(
            {
                "error": _("这份草稿已在另一个标签页或设备上修改过。"),
                "revision": current.revision,
                "visited_at": timezone.localtime(current.visited_at).strftime("%Y-%m-%dT%H:%M"),
                "findings": visit_findings(current),
                "editable": current.is_editable,
            },
            status=409,
        )
    except ValidationError as error:
        return JsonResponse({"errors": error_messages(error)}, status=400)
    return JsonResponse({"revision": revision})


@require_POST
@login_required
def visit_photo_upload(request, pk):
    visit = get_visit_for_inspector(request.user, pk)
    form = PhotoForm(request.POST, request.FILES, items=visit.standard.items.all())
    if not form.is_valid():
        return JsonResponse({"errors": error_messages(form)}, status=400)
    try:
        photo = photo_add(
            visit=visit,
            item=form.cleaned_data["item"],
            image=form.cleaned_data["image"],
            client_key=form.cleaned_data["client_key"],
            by=request.user,
        )
    except ValidationError as error:
        return JsonResponse({"errors": error_messages(error)}, status=400)
    return JsonResponse(_photo_json(photo))


@require_POST
@login_required
def visit_photo_delete(request, pk, photo_pk):
    photo = get_visit_for_inspector(request.user, pk).photos.filter(pk=photo_pk).first()
    if photo is None:
        # Already gone: the answer to an earlier tap was lost, and the tap repeated.
        return JsonResponse({"deleted": photo_pk})
    try:
        photo_delete(photo=photo)
    except ValidationError as error:
        return JsonResponse({"errors": error_messages(error)}, status=400)
    return JsonResponse({"deleted": photo_pk})


@require_GET
@login_required
def visit_photo(request, pk, photo_pk):
    photo = get_photo_for_reader(request.user, pk, photo_pk)
    response = FileResponse(photo.image.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=86400"
    return response


@require_GET
@login_required
def visit_summary(request, pk):
    """Every deduction and the total before the inspector confirms; after
    submitting, the same page is the inspector's read-only copy."""
    visit = get_visit_for_inspector(request.user, pk)
    findings = visit_findings(visit)
    score, deductions = visit_deductions(visit, findings)
    errors = []
    if visit.is_editable:
        errors = visit_validate(
            store=visit.store,
            visited_at=visit.visited_at,
            rules=visit.standard.rules(),
            findings=findings,
            planned_month=visit.planned_month,
        )
    form = SubmitForm(initial={"revision": visit.revision, "key": _submit_key(visit)})
    return render(
        request,
        "inspection/visits/summary.html",
        {
            "visit": visit,
            "score": score,
            "deductions": deductions,
            **visit_notes(visit, score),
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
    visit = get_visit_for_inspector(request.user, pk)
    form = SubmitForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("提交请求不完整，请重新打开汇总页后再提交。"))
        return redirect("visit-summary", pk=visit.pk)
    try:
        visit_submit_once(
            visit=visit, revision=form.cleaned_data["revision"], key=form.cleaned_data["key"]
        )
    except StaleRevision:
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
    require(request.user, can_inspect)
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
