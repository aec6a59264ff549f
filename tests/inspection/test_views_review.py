import pytest
from django.urls import reverse

from inspection.models import MonthlyResult, VisitAmendment, VisitStatus
from inspection.services.visits import visit_submit


@pytest.fixture
def submitted(make_visit, store):
    return make_visit(store, {"A1-03": {"occurrences": 1}}, status=VisitStatus.SUBMITTED)


def test_review_list_shows_submitted_visits_of_every_branch(
    client, hq, submitted, make_visit, make_store, other_branch, django_assert_num_queries
):
    elsewhere = make_visit(make_store(branch=other_branch), status=VisitStatus.SUBMITTED)
    client.force_login(hq)
    # The session, user and role; the scope; the queue's count and page; the published.
    with django_assert_num_queries(6):
        response = client.get(reverse("review-list"))
    body = response.content.decode()
    assert reverse("review-detail", args=[submitted.pk]) in body
    assert reverse("review-detail", args=[elsewhere.pk]) in body


def test_review_detail_shows_deductions_and_the_inspector(client, hq, submitted):
    client.force_login(hq)
    body = client.get(reverse("review-detail", args=[submitted.pk])).content.decode()
    assert "A1-03" in body and "王检" in body
    assert reverse("review-publish", args=[submitted.pk]) in body


def test_publishing_feeds_the_monthly_result(client, hq, submitted, store):
    client.force_login(hq)
    response = client.post(reverse("review-publish", args=[submitted.pk]))
    submitted.refresh_from_db()
    assert response["Location"] == reverse("review-list")
    assert submitted.status == VisitStatus.PUBLISHED
    assert submitted.published_by == hq
    assert MonthlyResult.objects.get(store=store).total_sum == 98


def test_publishing_a_visit_someone_has_just_published_says_so(client, hq, submitted):
    client.force_login(hq)
    client.post(reverse("review-publish", args=[submitted.pk]), follow=True)

    response = client.post(reverse("review-publish", args=[submitted.pk]), follow=True)

    assert response.redirect_chain == [(reverse("review-detail", args=[submitted.pk]), 302)]
    assert [str(m) for m in response.context["messages"]] == ["该检查已经发布过了。"]
    submitted.refresh_from_db()
    assert submitted.published_by == hq


def test_a_branch_manager_changes_no_score_of_their_branch(
    client, branch_manager, submitted, make_visit, store
):
    published = make_visit(store, {"A1-03": {"occurrences": 1}})
    client.force_login(branch_manager)

    amend = client.post(
        reverse("review-amend", args=[published.pk]),
        amend_data(published, "改成满分"),
    )
    returned = client.post(reverse("review-return", args=[submitted.pk]), {"reason": "重做"})
    publish = client.post(reverse("review-publish", args=[submitted.pk]))

    assert (amend.status_code, returned.status_code, publish.status_code) == (403, 403, 403)
    published.refresh_from_db()
    submitted.refresh_from_db()
    assert published.total == 98 and not VisitAmendment.objects.exists()
    assert submitted.status == VisitStatus.SUBMITTED


def test_returning_needs_a_reason(client, hq, submitted):
    client.force_login(hq)
    response = client.post(reverse("review-return", args=[submitted.pk]), {"reason": "  "})
    submitted.refresh_from_db()
    assert response.status_code == 400
    assert submitted.status == VisitStatus.SUBMITTED


def test_returning_records_who_and_why_and_the_reason_outlives_resubmission(client, hq, submitted):
    client.force_login(hq)
    client.post(reverse("review-return", args=[submitted.pk]), {"reason": "照片不清楚"})
    submitted.refresh_from_db()
    assert submitted.status == VisitStatus.DRAFT
    assert (submitted.return_reason, submitted.returned_by) == ("照片不清楚", hq)
    assert submitted.returned_at is not None

    visit_submit(visit=submitted)

    body = client.get(reverse("review-detail", args=[submitted.pk])).content.decode()
    assert "hq 于" in body and "退回，原因：照片不清楚" in body


def amend_data(visit, reason, **fields):
    data = {"reason": reason}
    for item in visit.standard.items.all():
        data[f"f_{item.code}_occurrences"] = "0"
    data.update(fields)
    return data


def test_amending_a_published_visit_records_who_why_and_reranks(client, hq, make_visit, store):
    visit = make_visit(store, {"A1-03": {"occurrences": 1}})
    client.force_login(hq)
    assert client.get(reverse("review-amend", args=[visit.pk])).status_code == 200
    response = client.post(
        reverse("review-amend", args=[visit.pk]),
        amend_data(
            visit, "复核录像后更正", **{"f_A1-04_occurrences": "1", "f_B1a-01_points": "4,5"}
        ),
    )
    assert response["Location"] == reverse("review-detail", args=[visit.pk])
    amendment = VisitAmendment.objects.get(visit=visit)
    assert (amendment.amended_by, amendment.reason) == (hq, "复核录像后更正")
    assert (amendment.total_before, amendment.total_after) == (98, 89)
    assert MonthlyResult.objects.get(store=store).total_sum == 89


def test_an_amendment_can_record_an_observed_lapse_on_a4_03(client, hq, make_visit, store):
    visit = make_visit(store, {"A4-03": {"measurement": 3}})
    client.force_login(hq)
    page = client.get(reverse("review-amend", args=[visit.pk])).content.decode()
    assert 'name="f_A4-03_lapse"' in page
    assert "单列客户3人以上排队" in page
    client.post(
        reverse("review-amend", args=[visit.pk]),
        amend_data(
            visit, "录像可见地面纸屑", **{"f_A4-03_measurement": "3", "f_A4-03_lapse": "on"}
        ),
    )
    visit.refresh_from_db()
    assert visit.total == 98
    finding = visit.findings.get(item__code="A4-03")
    assert (finding.occurrences, finding.measurement, finding.deducted) == (1, 3, 2)


def test_amending_without_a_reason_changes_nothing(client, hq, make_visit, store):
    visit = make_visit(store)
    client.force_login(hq)
    response = client.post(
        reverse("review-amend", args=[visit.pk]),
        amend_data(visit, "", **{"f_A1-04_occurrences": "1"}),
    )
    assert response.status_code == 200
    assert not VisitAmendment.objects.exists()
