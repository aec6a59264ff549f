import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from inspection.models import FindingPhoto, VisitStatus
from inspection.services.drafts import StaleRevision, photo_add, visit_save_draft, visit_submit_once


@pytest.fixture
def draft(make_visit, store):
    return make_visit(store, status=VisitStatus.DRAFT)


def test_saving_a_draft_bumps_the_revision(draft):
    before = draft.revision
    visit = visit_save_draft(
        visit=draft,
        revision=before,
        visited_at=draft.visited_at,
        findings={"A1-03": {"occurrences": 1}},
    )
    assert visit.revision == before + 1


def test_saving_from_a_stale_revision_raises_and_keeps_the_newer_draft(draft):
    base = draft.revision
    visit_save_draft(
        visit=draft,
        revision=base,
        visited_at=draft.visited_at,
        findings={"A1-03": {"occurrences": 1}},
    )
    with pytest.raises(StaleRevision) as stale:
        visit_save_draft(visit=draft, revision=base, visited_at=draft.visited_at, findings={})
    assert stale.value.visit.revision == base + 1
    assert draft.findings.filter(item__code="A1-03").exists()


def test_saving_a_submitted_visit_is_refused(make_visit, store):
    visit = make_visit(store, status=VisitStatus.SUBMITTED)
    with pytest.raises(ValidationError):
        visit_save_draft(
            visit=visit, revision=visit.revision, visited_at=visit.visited_at, findings={}
        )


def test_moving_a_draft_onto_another_visits_minute_is_refused(make_visit, store):
    first = make_visit(store, status=VisitStatus.DRAFT)
    second = make_visit(store, status=VisitStatus.DRAFT)
    with pytest.raises(ValidationError):
        visit_save_draft(
            visit=second, revision=second.revision, visited_at=first.visited_at, findings={}
        )


def test_submitting_again_with_the_same_key_is_one_submission(draft):
    first = visit_submit_once(visit=draft, revision=draft.revision, key="k")
    again = visit_submit_once(visit=draft, revision=draft.revision, key="k")
    assert first.submitted_at == again.submitted_at
    assert again.status == VisitStatus.SUBMITTED


def test_submitting_again_with_another_key_is_refused(draft):
    visit_submit_once(visit=draft, revision=draft.revision, key="k")
    with pytest.raises(ValidationError):
        visit_submit_once(visit=draft, revision=draft.revision, key="other")


def test_submitting_a_revision_that_was_overtaken_is_refused(draft):
    with pytest.raises(StaleRevision):
        visit_submit_once(visit=draft, revision=draft.revision - 1, key="k")


def png_upload(size) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (10, 200, 10)).save(buffer, format="PNG")
    return SimpleUploadedFile("p.png", buffer.getvalue())


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_a_photo_is_stored_as_a_bounded_jpeg(media, draft, standard, inspector):
    item = standard.items.get(code="A1-03")
    photo = photo_add(
        visit=draft, item=item, image=png_upload((2400, 1200)), client_key="a", by=inspector
    )
    with Image.open(photo.image.path) as stored:
        assert (stored.format, stored.size) == ("JPEG", (1600, 800))


def test_a_photo_cannot_be_added_to_a_submitted_visit(
    media, make_visit, store, standard, inspector
):
    visit = make_visit(store, status=VisitStatus.SUBMITTED)
    with pytest.raises(ValidationError):
        photo_add(
            visit=visit,
            item=standard.items.first(),
            image=png_upload((10, 10)),
            client_key="a",
            by=inspector,
        )
    assert not FindingPhoto.objects.exists()
