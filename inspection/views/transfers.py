"""The monthly workbook (asked for, built in the background, downloaded), and
spreadsheet imports in the browser.

An import is two steps: the upload is kept under MEDIA_ROOT/imports/<token>.xlsx,
referenced from the uploader's session, and checked once by a dry run whose result
(every bad cell, and the bad rows as the sheet shows them) is kept beside it as
<token>.json for the preview to show; only a confirmation imports the file, and
then both are deleted.
"""

import datetime as dt
import json
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from audit.models import Action
from audit.services import event_record
from inspection.access import get_workbook_export_for_user
from inspection.forms.transfers import SpreadsheetUploadForm, VisitUploadForm
from inspection.imports import visits_import
from inspection.models import ExportStatus, Standard, WorkbookExport
from inspection.months import parse_month
from inspection.services.workbooks import workbook_export_request
from inspection.visit_template import visit_template_write
from sheets.reading import SheetError, read_sheet
from sheets.results import ImportResult, summary_line, unlisted_line
from stores.access import can_export, can_import, require
from stores.imports import store_template_write, stores_import

SESSION_KEY = "held_imports"
# Uploads nobody confirmed or discarded are removed after a day.
STALE_SECONDS = 24 * 3600
# Leading columns that identify a row in the preview grid.
KEY_COLUMNS = 3
MAX_GRID_ROWS = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# How often a workbook job's page asks for its progress.
POLL_MS = 1000


@dataclass(frozen=True)
class ImportKind:
    key: str
    label: str
    template_filename: str
    form_class: type[SpreadsheetUploadForm]

    def write_template(self, out) -> None:
        if self.key == "stores":
            store_template_write(out=out)
        else:
            visit_template_write(standard=Standard.in_force(), out=out)

    def run(self, path: Path, held: dict, *, by, dry_run: bool) -> ImportResult:
        if self.key == "stores":
            return stores_import(file=str(path), dry_run=dry_run)
        return visits_import(
            file=str(path),
            publish=held["publish"],
            by=by,
            dry_run=dry_run,
            source_name=held["name"],
        )


KINDS = {
    "stores": ImportKind(
        "stores", gettext_lazy("营业厅清单"), "store-template.xlsx", SpreadsheetUploadForm
    ),
    "visits": ImportKind(
        "visits", gettext_lazy("检查结果"), "visit-template.xlsx", VisitUploadForm
    ),
}


def _kind(key: str) -> ImportKind:
    try:
        return KINDS[key]
    except KeyError:
        raise Http404 from None


def _spool() -> tempfile.SpooledTemporaryFile:
    # Workbooks are built on disk past a few MB, then streamed to the client.
    return tempfile.SpooledTemporaryFile(max_size=4 * 1024 * 1024)


def _xlsx_response(write, filename: str) -> FileResponse:
    file = _spool()
    write(file)
    file.seek(0)
    return FileResponse(file, as_attachment=True, filename=filename, content_type=XLSX)


# --- The monthly workbook ----------------------------------------------------


def _month_or_404(text: str):
    try:
        return parse_month(text)
    except ValueError:
        raise Http404 from None


@require_POST
@login_required
def workbook_request(request, month):
    """Ask for a month's workbook: join or reuse a job, or start one; its page shows it."""
    require(request.user, can_export)
    export = workbook_export_request(month=_month_or_404(month), user=request.user)
    return redirect("workbook-export", pk=export.pk)


def _job_state(export: WorkbookExport) -> dict:
    """What the job's page shows, and its status endpoint answers."""
    done = export.status == ExportStatus.DONE
    return {
        "status": export.status,
        "label": export.get_status_display(),
        "percent": round(export.progress * 100),
        "rows_written": export.rows_written,
        "rows_expected": export.rows_expected,
        "download_url": reverse("workbook-export-download", args=[export.pk]) if done else None,
        "error": export.error or _("任务中断，未生成文件。")
        if export.status == ExportStatus.FAILED
        else None,
    }


@require_GET
@login_required
def workbook_export(request, pk):
    export = get_workbook_export_for_user(request.user, pk)
    state = _job_state(export)
    return render(
        request,
        "inspection/transfers/workbook_export.html",
        {
            "export": export,
            "state": state,
            "page_data": {
                **state,
                "status_url": reverse("workbook-export-status", args=[export.pk]),
                "poll_ms": POLL_MS,
            },
        },
    )


@require_GET
@login_required
def workbook_export_status(request, pk):
    return JsonResponse(_job_state(get_workbook_export_for_user(request.user, pk)))


@require_GET
@login_required
def workbook_export_download(request, pk):
    export = get_workbook_export_for_user(request.user, pk)
    if export.status != ExportStatus.DONE:
        raise Http404
    try:
        file = export.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(
        file,
        as_attachment=True,
        filename=_("营业厅服务检查月报-%(month)s.xlsx") % {"month": f"{export.month:%Y-%m}"},
        content_type=XLSX,
    )


# --- Imports -----------------------------------------------------------------


def _imports_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "imports"


def _held_path(token: uuid.UUID) -> Path:
    return _imports_dir() / f"{token}.xlsx"


def _checked_path(token: uuid.UUID) -> Path:
    return _imports_dir() / f"{token}.json"


def _sweep_stale() -> None:
    cutoff = time.time() - STALE_SECONDS
    for path in _imports_dir().iterdir():
        if path.suffix in (".xlsx", ".json") and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)


def _hold(request, kind: ImportKind, form) -> uuid.UUID:
    directory = _imports_dir()
    directory.mkdir(parents=True, exist_ok=True)
    _sweep_stale()
    token = uuid.uuid4()
    upload = form.cleaned_data["file"]
    path = _held_path(token)
    with path.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    held = {
        "kind": kind.key,
        "name": Path(upload.name).name,
        "user": request.user.pk,
        "publish": bool(form.cleaned_data.get("publish")),
    }
    _keep_check(token, path, kind.run(path, held, by=request.user, dry_run=True))
    request.session[SESSION_KEY] = {**request.session.get(SESSION_KEY, {}), str(token): held}
    return token


def _held(request, token: uuid.UUID) -> tuple[dict, Path]:
    """The upload behind a token: only in the uploader's own session, else 404."""
    held = request.session.get(SESSION_KEY, {}).get(str(token))
    path = _held_path(token)
    if held is None or held["user"] != request.user.pk or not path.exists():
        raise Http404
    return held, path


def _release(request, token: uuid.UUID) -> None:
    _held_path(token).unlink(missing_ok=True)
    _checked_path(token).unlink(missing_ok=True)
    held = request.session.get(SESSION_KEY, {})
    held.pop(str(token), None)
    request.session[SESSION_KEY] = held


def _display(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _error_grid(path: Path, result: ImportResult) -> dict | None:
    """The bad rows as the sheet shows them: the identifying columns and every
    column with a bad cell, the bad cells carrying their reasons."""
    by_cell: dict[tuple[int, str], list[str]] = {}
    for error in result.errors:
        if error.row >= 2:
            by_cell.setdefault((error.row, error.column), []).append(error.message)
    if not by_cell:
        return None
    try:
        sheet = read_sheet(str(path))
    except SheetError:
        return None
    bad_rows = sorted({row for row, _column in by_cell})
    shown = set(bad_rows[:MAX_GRID_ROWS])
    bad_columns = {column for _row, column in by_cell}
    headers = [
        h
        for i, h in enumerate(dict.fromkeys(sheet.headers))
        if h and (i < KEY_COLUMNS or h in bad_columns)
    ]
    rows = [
        (
            number,
            [
                {
                    "value": _display(cells.get(h)),
                    "message": "；".join(by_cell.get((number, h), [])),
                }
                for h in headers
            ],
        )
        for number, cells in sheet.rows
        if number in shown
    ]
    return {"headers": headers, "rows": rows, "hidden_rows": len(bad_rows) - len(shown)}


def _keep_check(token: uuid.UUID, path: Path, result: ImportResult) -> dict:
    """Keep a dry run's or a failed import's result for the preview to show."""
    checked = {"result": result.as_json(), "grid": _error_grid(path, result)}
    _checked_path(token).write_text(json.dumps(checked, ensure_ascii=False), encoding="utf-8")
    return checked


@require_GET
@login_required
def imports_home(request):
    require(request.user, can_import)
    return render(
        request,
        "inspection/transfers/imports.html",
        {"kinds": [(kind, kind.form_class(prefix=kind.key)) for kind in KINDS.values()]},
    )


@require_GET
@login_required
def import_template(request, kind):
    require(request.user, can_import)
    kind = _kind(kind)
    return _xlsx_response(kind.write_template, kind.template_filename)


@require_POST
@login_required
def import_upload(request, kind):
    require(request.user, can_import)
    kind = _kind(kind)
    form = kind.form_class(request.POST, request.FILES, prefix=kind.key)
    if not form.is_valid():
        forms = [(k, form if k is kind else k.form_class(prefix=k.key)) for k in KINDS.values()]
        return render(request, "inspection/transfers/imports.html", {"kinds": forms}, status=400)
    return redirect("import-preview", token=_hold(request, kind, form))


def _render_preview(request, token, held, checked: dict, *, status=200):
    result = ImportResult.from_json(checked["result"])
    return render(
        request,
        "inspection/transfers/preview.html",
        {
            "kind": KINDS[held["kind"]],
            "held": held,
            "token": token,
            "result": result,
            "summary": summary_line(result, dry_run=False),
            "unlisted": unlisted_line(result) if result.unlisted else "",
            "file_errors": [e for e in result.errors if e.row < 2],
            # By row; within a row the importer's order follows the sheet's columns.
            "cell_errors": sorted((e for e in result.errors if e.row >= 2), key=_row_of),
            "grid": checked["grid"],
        },
        status=status,
    )


def _row_of(error) -> int:
    return error.row


@require_GET
@login_required
def import_preview(request, token):
    require(request.user, can_import)
    held, _path = _held(request, token)
    try:
        checked = json.loads(_checked_path(token).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise Http404 from None
    return _render_preview(request, token, held, checked)


@require_POST
@login_required
def import_confirm(request, token):
    require(request.user, can_import)
    held, path = _held(request, token)
    kind = KINDS[held["kind"]]
    result = kind.run(path, held, by=request.user, dry_run=False)
    if not result.ok:
        # The data changed since the preview (say, a store was deleted): show why.
        checked = _keep_check(token, path, result)
        return _render_preview(request, token, held, checked, status=409)
    event_record(
        action=Action.IMPORT,
        by=request.user,
        request=request,
        detail={
            "kind": held["kind"],
            "file": held["name"],
            "rows": result.rows,
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
        },
    )
    _release(request, token)
    messages.success(
        request,
        _("%(kind)s“%(name)s”已导入。%(summary)s")
        % {
            "kind": kind.label,
            "name": held["name"],
            "summary": summary_line(result, dry_run=False),
        },
    )
    return redirect("imports")


@require_POST
@login_required
def import_discard(request, token):
    require(request.user, can_import)
    held, _path = _held(request, token)
    _release(request, token)
    messages.info(request, _("已放弃导入“%(name)s”，未做任何修改。") % {"name": held["name"]})
    return redirect("imports")
