import datetime as dt
import io
import json
import uuid

import pytest
from django.urls import reverse
from PIL import Image

from inspection.models import FindingPhoto, Visit, VisitAssignment, VisitStatus
from inspection.months import month_of
from stores.models import Role


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def assignment(store, inspector, hq):
    from django.utils import timezone

    return VisitAssignment.objects.create(
        store=store, month=month_of(timezone.now()), inspector=inspector, planned_by=hq
    )


@pytest.fixture
def draft(make_visit, store):
    return make_visit(store, status=VisitStatus.DRAFT)


@pytest.fixture
def other_inspector(make_user, other_branch):
    return make_user(Role.INSPECTOR, branch=other_branch, username="stranger")


def jpeg(size=(40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format="JPEG")
    return buffer.getvalue()


def autosave(client, visit, revision, findings, visited_at=None, *, save_id=None, device="tab-1"):
    from django.utils import timezone

    visited_at = visited_at or timezone.localtime(visit.visited_at).strftime("%Y-%m-%dT%H:%M")
    body = {
        "revision": revision,
        "visited_at": visited_at,
        "findings": findings,
        "device": device,
        "save_id": save_id or uuid.uuid4().hex,
    }
    return client.post(
        reverse("visit-autosave", args=[visit.pk]),
        json.dumps(body),
        content_type="application/json",
    )


# --- Inspector home -----------------------------------------------------------


def test_home_lists_assignments_drafts_and_returned_visits_with_the_reason(
    client, inspector, assignment, make_visit, store, django_assert_num_queries
):
    returned = make_visit(store, status=VisitStatus.SUBMITTED)
    returned.status = VisitStatus.DRAFT
    returned.return_reason = "照片不清楚"
    returned.save()
    submitted = make_visit(store, status=VisitStatus.SUBMITTED)
    client.force_login(inspector)
    with django_assert_num_queries(5):
        response = client.get(reverse("inspector-home"))
    assert response.status_code == 200
    body = response.content.decode()
    assert reverse("assignment-start", args=[assignment.pk]) in body
    assert "照片不清楚" in body
    assert reverse("visit-summary", args=[submitted.pk]) in body


def test_home_does_not_show_other_inspectors_assignments(client, other_inspector, assignment):
    client.force_login(other_inspector)
    body = client.get(reverse("inspector-home")).content.decode()
    assert reverse("assignment-start", args=[assignment.pk]) not in body


# --- Starting an assigned visit -------------------------------------------------


def test_starting_an_assignment_creates_one_draft_and_opens_the_form(client, inspector, assignment):
    client.force_login(inspector)
    first = client.post(reverse("assignment-start", args=[assignment.pk]))
    again = client.post(reverse("assignment-start", args=[assignment.pk]))
    assignment.refresh_from_db()
    assert first["Location"] == reverse("visit-form", args=[assignment.visit_id])
    assert again["Location"] == first["Location"]
    assert Visit.objects.filter(inspector=inspector).count() == 1


def test_someone_elses_assignment_cannot_be_started(client, other_inspector, assignment):
    client.force_login(other_inspector)
    assert client.post(reverse("assignment-start", args=[assignment.pk])).status_code == 404


# --- The form ------------------------------------------------------------------


def test_form_of_another_inspectors_visit_is_not_found(client, draft, other_inspector):
    client.force_login(other_inspector)
    assert client.get(reverse("visit-form", args=[draft.pk])).status_code == 404


def test_form_lists_every_item_of_the_standard_and_marks_inapplicable_ones(
    client, draft, inspector, standard
):
    client.force_login(inspector)
    response = client.get(reverse("visit-form", args=[draft.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    for item in standard.items.all():
        assert f'data-code="{item.code}"' in body
    # An ordinary county hall: the bill printer item (flagship/gotone only) is N/A.
    assert 'vf-item vf-item-na" data-code="A4-09"' in body
    assert 'capture="environment"' in body
    assert "bootstrap" not in body


def test_form_offers_an_observed_lapse_beside_the_clean_up_stopwatch(client, draft, inspector):
    client.force_login(inspector)
    body = client.get(reverse("visit-form", args=[draft.pk])).content.decode()
    a4_03 = body[body.index('data-code="A4-03"') : body.index('data-code="A4-04"')]
    assert "data-stopwatch" in a4_03
    assert 'data-field="lapse"' in a4_03
    assert "无垃圾回收设施或不洁" in a4_03
    # Ruling R5: the peak definition where peak is recorded.
    assert 'data-field="peak"' in a4_03
    assert "单列客户3人以上排队" in a4_03


def test_form_names_the_queuing_requirement_the_store_decides(
    client, make_visit, make_store, inspector
):
    client.force_login(inspector)
    for store, requirement in [
        (make_store(counters=4, has_rest_area=True), "配备自动叫号排队系统并正常使用"),
        (make_store(counters=6, has_rest_area=False), "设置1米栏"),
    ]:
        visit = make_visit(store, status=VisitStatus.DRAFT)
        body = client.get(reverse("visit-form", args=[visit.pk])).content.decode()
        a4_10 = body[body.index('data-code="A4-10"') : body.index('data-code="A4-11"')]
        assert f"本厅要求：{requirement}" in a4_10


def test_form_names_the_prohibition_of_each_red_line_and_shows_the_guides(client, draft, inspector):
    client.force_login(inspector)
    body = client.get(reverse("visit-form", args=[draft.pk])).content.decode()
    b1a_04 = body[body.index('data-code="B1a-04"') : body.index('data-section="B1b"')]
    assert "红线 · 禁令一" in b1a_04
    b1a_03 = body[body.index('data-code="B1a-03"') : body.index('data-code="B1a-04"')]
    assert "红线 · 禁令三" in b1a_03
    # Ruling R3: what is not 私设密码 or 强开.
    assert "预配号卡设置的初始密码不作为私设密码" in b1a_03


def test_form_reads_the_rulings_in_english(client, make_visit, make_store, inspector):
    visit = make_visit(make_store(counters=5, has_rest_area=True), status=VisitStatus.DRAFT)
    client.force_login(inspector)
    client.cookies["django_language"] = "en"
    body = client.get(reverse("visit-form", args=[visit.pk])).content.decode()
    assert "This store needs a working ticket machine" in body
    assert "(5 counters, with a customer rest area)" in body
    assert "Prohibition 1" in body
    assert "Peak time: a single queue of 3 or more customers" in body
    assert "Lapse observed" in body


def test_autosave_keeps_an_observed_lapse_as_the_items_one_occurrence(client, draft, inspector):
    client.force_login(inspector)
    autosave(client, draft, draft.revision, {"A4-03": {"occurrences": 3, "measurement": 2}})
    finding = draft.findings.get(item__code="A4-03")
    assert (finding.occurrences, finding.deducted) == (1, 2)


def test_a_submitted_visit_opens_read_only(client, make_visit, store, inspector):
    visit = make_visit(store, status=VisitStatus.SUBMITTED)
    client.force_login(inspector)
    response = client.get(reverse("visit-form", args=[visit.pk]))
    assert response["Location"] == reverse("visit-summary", args=[visit.pk])


# --- Autosave -------------------------------------------------------------------


def test_autosave_stores_findings_and_returns_the_new_revision(client, draft, inspector):
    client.force_login(inspector)
    response = autosave(client, draft, draft.revision, {"A1-03": {"occurrences": 2}})
    assert response.status_code == 200
    draft.refresh_from_db()
    assert response.json() == {"revision": draft.revision}
    assert draft.findings.get(item__code="A1-03").occurrences == 2


def test_autosave_rejects_a_stale_revision_with_the_current_draft(client, draft, inspector):
    client.force_login(inspector)
    base = draft.revision
    assert autosave(client, draft, base, {"A1-03": {"occurrences": 1}}).status_code == 200
    response = autosave(client, draft, base, {"A1-04": {"occurrences": 1}})
    assert response.status_code == 409
    assert response.json()["findings"]["A1-03"]["occurrences"] == 1
    assert not draft.findings.filter(item__code="A1-04").exists()


def test_a_save_sent_again_after_its_answer_was_lost_changes_nothing(client, draft, inspector):
    client.force_login(inspector)
    findings = {"A1-03": {"occurrences": 2}}
    first = autosave(client, draft, draft.revision, findings, save_id="s1")
    again = autosave(client, draft, draft.revision, findings, save_id="s1")
    draft.refresh_from_db()
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json() == {"revision": draft.revision}


def test_a_stale_copy_equal_to_the_saved_draft_is_no_conflict(client, draft, inspector):
    client.force_login(inspector)
    base = draft.revision
    autosave(client, draft, base, {"A1-03": {"occurrences": 2}}, device="tab-1")
    response = autosave(client, draft, base, {"A1-03": {"occurrences": 2}}, device="tab-2")
    draft.refresh_from_db()
    assert response.status_code == 200
    assert response.json() == {"revision": base + 1}
    assert draft.revision == base + 1


def test_autosave_without_its_save_id_is_refused_with_a_message(client, draft, inspector):
    client.force_login(inspector)
    response = client.post(
        reverse("visit-autosave", args=[draft.pk]),
        json.dumps({"revision": draft.revision, "visited_at": "2026-11-01T10:00", "findings": {}}),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["errors"]


def test_autosave_refuses_unknown_items_with_a_message(client, draft, inspector):
    client.force_login(inspector)
    response = autosave(client, draft, draft.revision, {"Z9-99": {"occurrences": 1}})
    assert response.status_code == 400
    assert "Z9-99" in response.json()["errors"][0]


def test_autosave_asks_for_the_reason_of_a_not_applicable_item(client, draft, inspector):
    client.force_login(inspector)
    response = autosave(client, draft, draft.revision, {"A1-03": {"na": True, "na_reason": " "}})
    assert response.status_code == 400
    assert "必须填写原因" in response.json()["errors"][0]


def test_autosave_caps_once_items_at_one(client, draft, inspector):
    client.force_login(inspector)
    autosave(client, draft, draft.revision, {"A1-01": {"occurrences": 3}})
    assert draft.findings.get(item__code="A1-01").occurrences == 1


def test_autosave_of_another_inspectors_visit_is_not_found(client, draft, other_inspector):
    client.force_login(other_inspector)
    assert autosave(client, draft, draft.revision, {}).status_code == 404


# --- Photos ----------------------------------------------------------------------


def upload(client, visit, content, key="k1", item="A1-03", name="p.jpg"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        reverse("visit-photo-upload", args=[visit.pk]),
        {"item": item, "client_key": key, "image": SimpleUploadedFile(name, content)},
    )


def test_a_photo_is_stored_once_per_client_key(client, draft, inspector):
    client.force_login(inspector)
    first = upload(client, draft, jpeg())
    again = upload(client, draft, jpeg())
    assert first.status_code == again.status_code == 200
    assert first.json()["id"] == again.json()["id"]
    assert FindingPhoto.objects.filter(visit=draft).count() == 1
    assert client.get(first.json()["url"])["Content-Type"] == "image/jpeg"


def test_a_file_that_is_not_an_image_is_refused(client, draft, inspector):
    client.force_login(inspector)
    response = upload(client, draft, b"<?php echo 1; ?>", name="x.jpg")
    assert response.status_code == 400
    assert not FindingPhoto.objects.exists()


def test_a_photo_over_the_size_limit_is_refused(client, draft, inspector, monkeypatch):
    from inspection.forms import visits as forms

    monkeypatch.setattr(forms, "PHOTO_MAX_BYTES", 100)
    client.force_login(inspector)
    response = upload(client, draft, jpeg((400, 300)))
    assert response.status_code == 400
    assert "照片太大" in response.json()["errors"][0]


def test_large_photos_are_downscaled_on_the_server(client, draft, inspector):
    client.force_login(inspector)
    upload(client, draft, jpeg((3200, 2400)))
    with Image.open(FindingPhoto.objects.get().image.path) as image:
        assert max(image.size) == 1600


def test_a_draft_photo_is_not_found_for_store_staff_or_other_inspectors(
    client, draft, inspector, other_inspector, store_manager
):
    client.force_login(inspector)
    url = upload(client, draft, jpeg()).json()["url"]
    client.force_login(other_inspector)
    assert client.get(url).status_code == 404
    client.force_login(store_manager)
    assert client.get(url).status_code == 404


def test_a_photo_can_be_deleted_from_a_draft(client, draft, inspector):
    client.force_login(inspector)
    photo = upload(client, draft, jpeg()).json()
    response = client.post(reverse("visit-photo-delete", args=[draft.pk, photo["id"]]))
    assert response.status_code == 200
    assert not FindingPhoto.objects.exists()


def test_deleting_a_photo_again_after_a_lost_answer_succeeds(client, draft, inspector):
    client.force_login(inspector)
    photo = upload(client, draft, jpeg()).json()
    url = reverse("visit-photo-delete", args=[draft.pk, photo["id"]])
    client.post(url)
    assert client.post(url).json() == {"deleted": photo["id"]}


def test_a_photo_of_another_inspectors_visit_cannot_be_deleted(
    client, draft, inspector, other_inspector
):
    client.force_login(inspector)
    photo = upload(client, draft, jpeg()).json()
    client.force_login(other_inspector)
    response = client.post(reverse("visit-photo-delete", args=[draft.pk, photo["id"]]))
    assert response.status_code == 404
    assert FindingPhoto.objects.exists()


# --- Summary and submission --------------------------------------------------------


def test_summary_lists_every_deduction_and_the_total(client, make_visit, store, inspector):
    from tests.conftest import WORKED_EXAMPLE_FINDINGS

    visit = make_visit(store, WORKED_EXAMPLE_FINDINGS, status=VisitStatus.DRAFT)
    client.force_login(inspector)
    response = client.get(reverse("visit-summary", args=[visit.pk]))
    body = response.content.decode()
    assert response.context["score"].total == 58
    assert "B2a-01" in body and "A5-01" in body
    assert "data-total>58<" in body


def test_summary_shows_the_lapse_the_requirement_and_the_prohibition(
    client, make_visit, make_store, inspector
):
    store = make_store(counters=4, has_rest_area=True)
    findings = {
        "A4-03": {"occurrences": 1},
        "A4-10": {"occurrences": 1},
        "B1a-04": {"occurrences": 1},
    }
    visit = make_visit(store, findings, status=VisitStatus.DRAFT)
    client.force_login(inspector)
    body = client.get(reverse("visit-summary", args=[visit.pk])).content.decode()
    assert "现场发现不符合" in body
    assert "本厅要求：配备自动叫号排队系统并正常使用（4个台席，有客户休息区）" in body
    assert "禁令一：严禁泄露或交易客户信息" in body
    assert "data-total>91<" in body


def test_summary_marks_the_section_scores_of_a_zeroed_visit_as_not_counted(
    client, make_visit, store, inspector
):
    findings = {"A2-Z": {"measurement": 25}, "B3-01": {"occurrences": 1}}
    visit = make_visit(store, findings, status=VisitStatus.DRAFT)
    client.force_login(inspector)
    body = client.get(reverse("visit-summary", args=[visit.pk])).content.decode()
    assert "以下各项得分不计入" in body
    assert '<b>5</b>/10 <span class="text-danger small">不计入</span>' in body
    assert "data-total>0<" in body


def test_summary_shows_why_a_visit_cannot_be_submitted(client, make_visit, store, inspector):
    visit = make_visit(store, {"A4-07": {"measurement": 4.5}}, status=VisitStatus.DRAFT)
    client.force_login(inspector)
    response = client.get(reverse("visit-summary", args=[visit.pk]))
    assert "数量必须是整数" in response.content.decode()
    assert 'id="confirm-submit"' not in response.content.decode()


def test_summary_of_another_inspectors_visit_is_not_found(client, draft, other_inspector):
    client.force_login(other_inspector)
    assert client.get(reverse("visit-summary", args=[draft.pk])).status_code == 404


def test_submitting_twice_with_one_key_creates_one_submission(client, draft, inspector):
    client.force_login(inspector)
    data = {"revision": draft.revision, "key": "tap-1"}
    first = client.post(reverse("visit-submit", args=[draft.pk]), data)
    second = client.post(reverse("visit-submit", args=[draft.pk]), data)
    draft.refresh_from_db()
    assert first["Location"] == second["Location"] == reverse("inspector-home")
    assert draft.status == VisitStatus.SUBMITTED
    assert draft.total == 100


def test_submitting_an_outdated_summary_is_refused(client, draft, inspector):
    client.force_login(inspector)
    autosave(client, draft, draft.revision, {"A1-03": {"occurrences": 1}})
    response = client.post(
        reverse("visit-submit", args=[draft.pk]), {"revision": draft.revision, "key": "k"}
    )
    draft.refresh_from_db()
    assert response["Location"] == reverse("visit-summary", args=[draft.pk])
    assert draft.status == VisitStatus.DRAFT


def test_submitting_a_visit_in_the_future_is_refused(client, draft, inspector):
    import datetime as dt

    from django.utils import timezone

    draft.visited_at = timezone.now() + dt.timedelta(days=2)
    draft.save()
    client.force_login(inspector)
    client.post(reverse("visit-submit", args=[draft.pk]), {"revision": draft.revision, "key": "k"})
    draft.refresh_from_db()
    assert draft.status == VisitStatus.DRAFT


def test_submitting_another_inspectors_visit_is_not_found(client, draft, other_inspector):
    client.force_login(other_inspector)
    response = client.post(reverse("visit-submit", args=[draft.pk]), {"revision": 1, "key": "k"})
    assert response.status_code == 404


# --- Service worker -----------------------------------------------------------------


def test_service_worker_is_served_to_inspectors_under_the_visits_scope(client, inspector):
    client.force_login(inspector)
    response = client.get(reverse("visit-service-worker"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert reverse("visit-service-worker").startswith(reverse("inspector-home"))
    assert "inspection/js/visit-form.js" in response.content.decode()


def test_the_form_offers_only_times_in_the_plans_month(client, inspector, assignment):
    client.force_login(inspector)
    started = client.post(reverse("assignment-start", args=[assignment.pk]))
    page = client.get(started["Location"]).content.decode()
    month = assignment.month
    last = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    assert f'min="{month:%Y-%m-%d}T00:00" max="{last:%Y-%m-%d}T23:59"' in page
