"""Photo files for tests of the storage and of the jobs that tidy it."""

import datetime as dt
import io
import os

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from inspection.services.drafts import photo_add as photo_store


def jpeg_bytes(size=(40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format="JPEG")
    return buffer.getvalue()


def photo_add(visit, *, by, code="A1-03", key="k1"):
    """A photo stored the way the tablet stores one."""
    return photo_store(
        visit=visit,
        item=visit.standard.items.get(code=code),
        image=SimpleUploadedFile("p.jpg", jpeg_bytes()),
        client_key=key,
        by=by,
    )


def orphan_add(name: str) -> str:
    """A photo file with no row: what a visit deleted in the admin leaves behind."""
    return default_storage.save(f"visit-photos/2026/01/{name}", ContentFile(jpeg_bytes()))


def backdate(name: str, *, hours: float) -> None:
    """Age a file on the local disk (object storage keeps the real upload time)."""
    moment = (dt.datetime.now() - dt.timedelta(hours=hours)).timestamp()
    os.utime(default_storage.path(name), (moment, moment))
