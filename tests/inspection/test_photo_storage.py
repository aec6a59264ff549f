"""Photos on S3-compatible object storage (an in-process S3 from moto): the photo
code goes through Django's storage API only, so several web machines can share it."""

import datetime as dt

import boto3
import pytest
from django.urls import reverse
from moto import mock_aws

from config.settings import media_storage
from inspection import tasks
from inspection.models import VisitStatus
from inspection.services.drafts import photo_delete
from tests.photos import orphan_add, photo_add

BUCKET = "inspect-media"


@pytest.fixture
def bucket(settings, monkeypatch):
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_S3_REGION_NAME": "us-east-1",
        "AWS_STORAGE_BUCKET_NAME": BUCKET,
    }.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket=BUCKET)
        settings.STORAGES = {**settings.STORAGES, "default": media_storage()}
        yield s3


def keys(s3) -> set[str]:
    return {entry["Key"] for entry in s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])}


@pytest.fixture
def draft(make_visit, store):
    return make_visit(store, status=VisitStatus.DRAFT)


def test_a_photo_is_stored_served_and_deleted_in_the_bucket(bucket, draft, inspector, client):
    photo = photo_add(draft, by=inspector)
    assert keys(bucket) == {photo.image.name}
    client.force_login(inspector)
    response = client.get(reverse("visit-photo", args=[draft.pk, photo.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"\xff\xd8")  # a JPEG
    photo_delete(photo=photo)
    assert keys(bucket) == set()


def test_the_orphan_sweep_works_on_the_bucket(bucket, draft, inspector, monkeypatch):
    kept = photo_add(draft, by=inspector).image.name
    orphan = orphan_add("orphan.jpg")
    assert keys(bucket) == {kept, orphan}
    # The bucket dates objects by their real upload, a moment ago.
    monkeypatch.setattr(tasks, "ORPHAN_GRACE", dt.timedelta(0))
    assert tasks.photos_orphaned_sweep.enqueue().return_value == 1
    assert keys(bucket) == {kept}
