"""The tablet form: autosaving a draft, submitting it once, and its photos.

Each write locks the visit's row, so two tabs or devices saving at once cannot both
pass the revision check, and each is safe to repeat: a tablet that lost the answer
sends the same request again."""

import datetime as dt
from collections.abc import Mapping
from io import BytesIO

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

from inspection.models import DraftSave, FindingPhoto, Item, Visit, VisitStatus
from inspection.services.findings import finding_values, visit_findings
from inspection.services.visits import visit_save_findings, visit_submit


class StaleRevision(Exception):
    """The draft changed since the client last read it (another tab or device)."""

    def __init__(self, visit: Visit):
        super().__init__(visit.revision)
        self.visit = visit


def _lock(visit: Visit) -> Visit:
    return Visit.objects.select_for_update().select_related("store", "standard").get(pk=visit.pk)


def _same_draft(visit: Visit, visited_at: dt.datetime, findings: Mapping[str, Mapping]) -> bool:
    return visited_at == visit.visited_at and finding_values(findings) == finding_values(
        visit_findings(visit)
    )


@transaction.atomic
def visit_save_draft(
    *,
    visit: Visit,
    revision: int,
    visited_at: dt.datetime,
    findings: Mapping[str, Mapping],
    device: str,
    save_id: str,
) -> int:
    """Autosave: replace a draft's time and findings unless someone else saved in
    between, and return the revision the tablet's copy now has on the server.

    Answers get lost on a weak connection, so the tablet sends a save again until
    it hears back. A save already applied is answered with the revision it made,
    and a copy equal to the server's is no conflict, whatever revision it started
    from.
    """
    locked = _lock(visit)
    applied = locked.draft_saves.filter(save_id=save_id).first()
    if applied:
        return applied.revision
    if not locked.is_editable:
        raise ValidationError(_("该检查已提交，不能再修改。"))
    if not _same_draft(locked, visited_at, findings):
        if locked.revision != revision:
            raise StaleRevision(locked)
        if visited_at != locked.visited_at:
            clash = Visit.objects.filter(
                store=locked.store, inspector=locked.inspector, visited_at=visited_at
            ).exclude(pk=locked.pk)
            if clash.exists():
                raise ValidationError(_("您在同一时间已有该厅的另一条检查记录，请调整检查时间。"))
            locked.visited_at = visited_at
            locked.save(update_fields=["visited_at", "updated_at"])
        visit_save_findings(visit=locked, findings=findings)
    DraftSave.objects.update_or_create(
        visit=locked, device=device, defaults={"save_id": save_id, "revision": locked.revision}
    )
    return locked.revision


@transaction.atomic
def visit_submit_once(*, visit: Visit, revision: int, key: str) -> Visit:
    """Submit the draft the inspector confirmed; a repeat of the same request
    (double tap, retry after a timeout) finds it submitted and succeeds again."""
    locked = _lock(visit)
    if locked.status != VisitStatus.DRAFT and key and locked.submission_key == key:
        return locked
    if locked.status == VisitStatus.DRAFT and locked.revision != revision:
        raise StaleRevision(locked)
    locked.submission_key = key
    return visit_submit(visit=locked)


PHOTO_MAX_SIDE = 1600
# A tablet camera takes 12-20 megapixels; a small PNG can declare far more and would
# take gigabytes to decode, so the size is checked from the header first.
PHOTO_MAX_PIXELS = 25_000_000


@transaction.atomic
def photo_add(
    *, visit: Visit, item: Item, image: File, client_key: str, by: AbstractBaseUser
) -> FindingPhoto:
    """Store one photo of a finding, re-encoded as JPEG: this drops EXIF data
    (location, device) and comments, and bounds the size even if the tablet did not
    downscale."""
    locked = _lock(visit)
    existing = FindingPhoto.objects.filter(visit=locked, client_key=client_key).first()
    if existing:
        return existing
    if not locked.is_editable:
        raise ValidationError(_("该检查已提交，不能再添加照片。"))
    if item.standard_id != locked.standard_id:
        raise ValidationError(_("该检查细项不属于本次检查使用的标准。"))
    image.seek(0)
    with Image.open(image) as picture:
        width, height = picture.size
        if width * height > PHOTO_MAX_PIXELS:
            raise ValidationError(
                _("照片像素太多（最多%(mp)s百万像素），请重新拍摄。")
                % {"mp": PHOTO_MAX_PIXELS // 1_000_000}
            )
        picture = ImageOps.exif_transpose(picture).convert("RGB")
        # Pillow writes the original's comment again unless the metadata goes.
        picture.info = {}
        picture.thumbnail((PHOTO_MAX_SIDE, PHOTO_MAX_SIDE))
        buffer = BytesIO()
        picture.save(buffer, format="JPEG", quality=82)
    photo = FindingPhoto(visit=locked, item=item, client_key=client_key, uploaded_by=by)
    photo.image.save("photo.jpg", ContentFile(buffer.getvalue()), save=False)
    photo.save()
    return photo


@transaction.atomic
def photo_delete(*, photo: FindingPhoto) -> None:
    if not _lock(photo.visit).is_editable:
        raise ValidationError(_("该检查已提交，不能再删除照片。"))
    photo.image.delete(save=False)
    photo.delete()
