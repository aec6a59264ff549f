import io
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from inspection.models import FindingPhoto, VisitStatus
from inspection.services.drafts import StaleRevision, photo_add, visit_save_draft, visit_submit_once


@pytest.fixture
def draft(make_visit, store):
    return make_visit(store, status=VisitStatus.DRAFT)


def save(visit, findings, *, revision=None, device="tab-1", save_id=None, visited_at=None):
    """Autosave as a tablet does; without a revision, from the draft's current one."""
    if revision is None:
        visit.refresh_from_db()
        revision = visit.revision
    return visit_save_draft(
        visit=visit,
        revision=revision,
        visited_at=visited_at or visit.visited_at,
        findings=findings,
        device=device,
        save_id=save_id or uuid.uuid4().hex,
    )


def test_saving_a_draft_bumps_the_revision(draft):
    before = draft.revision
    assert save(draft, {"A1-03": {"occurrences": 1}}) == before + 1


def test_saving_from_a_stale_revision_raises_and_keeps_the_newer_draft(draft):
    base = draft.revision
    save(draft, {"A1-03": {"occurrences": 1}})
    with pytest.raises(StaleRevision) as stale:
        save(draft, {}, revision=base)
    assert stale.value.visit.revision == base + 1
    assert draft.findings.filter(item__code="A1-03").exists()


def test_a_save_applied_once_is_answered_again_without_a_second_write(draft):
    base = draft.revision
    assert save(draft, {"A1-03": {"occurrences": 1}}, save_id="s1") == base + 1
    assert save(draft, {"A1-03": {"occurrences": 1}}, revision=base, save_id="s1") == base + 1
    draft.refresh_from_db()
    assert draft.revision == base + 1


def test_a_save_sent_again_after_another_device_saved_gets_its_own_revision(draft):
    """Its tablet must not take the other device's changes for its own, so that its
    next save is the conflict it really is."""
    base = draft.revision
    save(draft, {"A1-03": {"occurrences": 1}}, save_id="s1", device="tablet")
    save(draft, {"A1-04": {"occurrences": 1}}, revision=base + 1, device="phone")
    assert save(draft, {"A1-03": {"occurrences": 1}}, revision=base, save_id="s1") == base + 1
    with pytest.raises(StaleRevision):
        save(draft, {"A1-03": {"occurrences": 2}}, revision=base + 1, device="tablet")


def test_a_stale_copy_equal_to_the_saved_draft_is_no_conflict_and_no_write(draft):
    base = draft.revision
    save(draft, {"A1-03": {"occurrences": 1, "note": "衣领不整 "}}, device="tablet")
    same = {"A1-03": {"occurrences": 1, "note": "衣领不整"}, "A1-04": {"occurrences": 0}}
    assert save(draft, same, revision=base, device="phone") == base + 1
    draft.refresh_from_db()
    assert draft.revision == base + 1


def test_a_measurement_is_compared_as_it_is_stored(draft):
    base = draft.revision
    save(draft, {"A4-03": {"measurement": 18}})
    assert save(draft, {"A4-03": {"measurement": 18.0}}, revision=base) == base + 1


def test_a_device_keeps_one_record_of_its_last_save(draft):
    base = draft.revision
    for n in range(3):
        save(draft, {"A1-03": {"occurrences": n + 1}}, device="tablet")
    save(draft, {"A1-03": {"occurrences": 9}}, device="phone")
    assert sorted(draft.draft_saves.values_list("device", "revision")) == [
        ("phone", base + 4),
        ("tablet", base + 3),
    ]


def test_saving_a_submitted_visit_is_refused(make_visit, store):
    visit = make_visit(store, status=VisitStatus.SUBMITTED)
    with pytest.raises(ValidationError):
        save(visit, {})


def test_moving_a_draft_onto_another_visits_minute_is_refused(make_visit, store):
    first = make_visit(store, status=VisitStatus.DRAFT)
    second = make_visit(store, status=VisitStatus.DRAFT)
    with pytest.raises(ValidationError):
        save(second, {}, visited_at=first.visited_at)


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


def test_a_photo_of_more_than_25_megapixels_is_refused_before_it_is_decoded(
    media, draft, standard, inspector, monkeypatch
):
    # One bit per pixel: 30 megapixels in under 4 MB, a few kilobytes as PNG.
    buffer = io.BytesIO()
    Image.new("1", (6000, 5000)).save(buffer, format="PNG")
    decoded = []
    monkeypatch.setattr(Image.Image, "load", lambda image: decoded.append(image))
    with pytest.raises(ValidationError, match="百万像素"):
        photo_add(
            visit=draft,
            item=standard.items.get(code="A1-03"),
            image=SimpleUploadedFile("bomb.png", buffer.getvalue()),
            client_key="a",
            by=inspector,
        )
    assert not decoded
    assert not FindingPhoto.objects.exists()


def test_re_encoding_a_photo_drops_its_comment_and_exif(media, draft, standard, inspector):
    exif = Image.Exif()
    exif[0x010F] = "Tablet maker"
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30)).save(
        buffer, format="JPEG", comment=b"inspector 7, hall 3", exif=exif.tobytes()
    )
    photo = photo_add(
        visit=draft,
        item=standard.items.get(code="A1-03"),
        image=SimpleUploadedFile("p.jpg", buffer.getvalue()),
        client_key="a",
        by=inspector,
    )
    with Image.open(photo.image.path) as stored:
        assert "comment" not in stored.info
        assert "exif" not in stored.info


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


# --- Concurrent writers: the visit's row lock (a write lock on SQLite) ---------------


def at_once(*calls):
    """Run each call in its own thread and database connection, started together;
    return what each returned or raised."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        from django.db import connections

        try:
            barrier.wait()
            return call()
        except Exception as error:
            return error
        finally:
            connections.close_all()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


@pytest.mark.django_db(transaction=True)
def test_one_save_arriving_twice_at_once_is_applied_once(draft):
    base = draft.revision
    findings = {"A1-03": {"occurrences": 2}}
    results = at_once(*[lambda: save(draft, findings, revision=base, save_id="s1")] * 2)
    draft.refresh_from_db()
    assert results == [base + 1, base + 1]
    assert draft.revision == base + 1


@pytest.mark.django_db(transaction=True)
def test_two_devices_saving_from_one_revision_at_once_make_one_conflict(draft):
    base = draft.revision
    results = at_once(
        lambda: save(draft, {"A1-03": {"occurrences": 1}}, revision=base, device="tablet"),
        lambda: save(draft, {"A1-04": {"occurrences": 1}}, revision=base, device="phone"),
    )
    assert sorted(type(r).__name__ for r in results) == ["StaleRevision", "int"]
    draft.refresh_from_db()
    assert draft.revision == base + 1
    assert draft.findings.count() == 1


@pytest.mark.django_db(transaction=True)
def test_one_photo_uploaded_twice_at_once_is_stored_once(media, draft, standard, inspector):
    item = standard.items.get(code="A1-03")
    results = at_once(
        *[
            lambda: photo_add(
                visit=draft, item=item, image=png_upload((20, 20)), client_key="p1", by=inspector
            )
        ]
        * 2
    )
    assert results[0].pk == results[1].pk
    assert FindingPhoto.objects.filter(visit=draft).count() == 1
