import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from inspection import services
from inspection.models import FindingPhoto, VisitAssignment, VisitStatus
from stores.models import Role


@pytest.fixture
def draft(make_visit, store):
    return make_visit(store, status=VisitStatus.DRAFT)


@pytest.fixture
def december():
    return dt.date(2026, 12, 1)


def test_saving_a_draft_bumps_the_revision(draft):
    before = draft.revision
    visit = services.visit_save_draft(
        visit=draft,
        revision=before,
        visited_at=draft.visited_at,
        findings={"A1-03": {"occurrences": 1}},
    )
    assert visit.revision == before + 1


def test_saving_from_a_stale_revision_raises_and_keeps_the_newer_draft(draft):
    base = draft.revision
    services.visit_save_draft(
        visit=draft,
        revision=base,
        visited_at=draft.visited_at,
        findings={"A1-03": {"occurrences": 1}},
    )
    with pytest.raises(services.StaleRevision) as stale:
        services.visit_save_draft(
            visit=draft, revision=base, visited_at=draft.visited_at, findings={}
        )
    assert stale.value.visit.revision == base + 1
    assert draft.findings.filter(item__code="A1-03").exists()


def test_saving_a_submitted_visit_is_refused(make_visit, store):
    visit = make_visit(store, status=VisitStatus.SUBMITTED)
    with pytest.raises(ValidationError):
        services.visit_save_draft(
            visit=visit, revision=visit.revision, visited_at=visit.visited_at, findings={}
        )


def test_moving_a_draft_onto_another_visits_minute_is_refused(make_visit, store):
    first = make_visit(store, status=VisitStatus.DRAFT)
    second = make_visit(store, status=VisitStatus.DRAFT)
    with pytest.raises(ValidationError):
        services.visit_save_draft(
            visit=second, revision=second.revision, visited_at=first.visited_at, findings={}
        )


def test_submitting_again_with_the_same_key_is_one_submission(draft):
    first = services.visit_submit_once(visit=draft, revision=draft.revision, key="k")
    again = services.visit_submit_once(visit=draft, revision=draft.revision, key="k")
    assert first.submitted_at == again.submitted_at
    assert again.status == VisitStatus.SUBMITTED


def test_submitting_again_with_another_key_is_refused(draft):
    services.visit_submit_once(visit=draft, revision=draft.revision, key="k")
    with pytest.raises(ValidationError):
        services.visit_submit_once(visit=draft, revision=draft.revision, key="other")


def test_submitting_a_revision_that_was_overtaken_is_refused(draft):
    with pytest.raises(services.StaleRevision):
        services.visit_submit_once(visit=draft, revision=draft.revision - 1, key="k")


def png_upload(size) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (10, 200, 10)).save(buffer, format="PNG")
    return SimpleUploadedFile("p.png", buffer.getvalue())


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_a_photo_is_stored_as_a_bounded_jpeg(media, draft, standard, inspector):
    item = standard.items.get(code="A1-03")
    photo = services.photo_add(
        visit=draft, item=item, image=png_upload((2400, 1200)), client_key="a", by=inspector
    )
    with Image.open(photo.image.path) as stored:
        assert (stored.format, stored.size) == ("JPEG", (1600, 800))


def test_a_photo_cannot_be_added_to_a_submitted_visit(
    media, make_visit, store, standard, inspector
):
    visit = make_visit(store, status=VisitStatus.SUBMITTED)
    with pytest.raises(ValidationError):
        services.photo_add(
            visit=visit,
            item=standard.items.first(),
            image=png_upload((10, 10)),
            client_key="a",
            by=inspector,
        )
    assert not FindingPhoto.objects.exists()


def test_assigning_an_inspector_of_the_stores_own_branch_is_refused(
    store, make_user, branch, hq, december
):
    local = make_user(Role.INSPECTOR, branch=branch)
    with pytest.raises(ValidationError):
        services.assignment_set(
            store=store, month=december, inspector=local, planned_on=None, by=hq
        )


def test_only_inspectors_can_be_assigned(store, hq, december):
    with pytest.raises(ValidationError):
        services.assignment_set(store=store, month=december, inspector=hq, planned_on=None, by=hq)


def test_a_planned_date_outside_the_month_is_refused(store, inspector, hq, december):
    with pytest.raises(ValidationError):
        services.assignment_set(
            store=store, month=december, inspector=inspector, planned_on=dt.date(2027, 1, 3), by=hq
        )


def test_autoplan_balances_load_and_keeps_existing_assignments(
    make_store, make_user, other_branch, branch, inspector, hq, december
):
    stores = [make_store() for _ in range(5)]
    second = make_user(Role.INSPECTOR, branch=other_branch)
    make_user(Role.INSPECTOR, branch=branch)  # a local: never chosen
    services.assignment_set(
        store=stores[0], month=december, inspector=inspector, planned_on=None, by=hq
    )
    created = services.assignments_autoplan(
        month=december, stores=stores, visits_per_store=2, by=hq
    )
    assert len(created) == 9
    loads = sorted(VisitAssignment.objects.filter(inspector=i).count() for i in (inspector, second))
    assert loads == [5, 5]
    # Two visits to one store go to two different people when there are two.
    for store in stores:
        assert (
            VisitAssignment.objects.filter(store=store).values("inspector").distinct().count() == 2
        )


def test_autoplan_refuses_when_no_stranger_is_available(store, hq, december):
    with pytest.raises(ValidationError):
        services.assignments_autoplan(month=december, stores=[store], visits_per_store=1, by=hq)
    assert not VisitAssignment.objects.exists()


def test_starting_an_assignment_twice_gives_the_same_draft(store, inspector, hq):
    month = timezone.localdate().replace(day=1)
    assignment = services.assignment_set(
        store=store, month=month, inspector=inspector, planned_on=None, by=hq
    )
    visit = services.assignment_start(assignment=assignment)
    assert services.assignment_start(assignment=assignment) == visit
    assert visit.status == VisitStatus.DRAFT and visit.inspector == inspector


def test_a_started_assignment_cannot_be_changed_or_deleted(
    store, inspector, hq, make_user, other_branch
):
    month = timezone.localdate().replace(day=1)
    assignment = services.assignment_set(
        store=store, month=month, inspector=inspector, planned_on=None, by=hq
    )
    services.assignment_start(assignment=assignment)
    assignment.refresh_from_db()
    other = make_user(Role.INSPECTOR, branch=other_branch)
    with pytest.raises(ValidationError):
        services.assignment_set(
            store=store, month=month, inspector=other, planned_on=None, by=hq, assignment=assignment
        )
    with pytest.raises(ValidationError):
        services.assignment_delete(assignment=assignment)
