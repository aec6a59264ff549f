import pytest
from django.urls import reverse

from inspection.models import MonthlyResult, VisitAmendment, VisitStatus
from stores.models import Role


@pytest.fixture
def submitted(make_visit, store):
    return make_visit(store, {"A1-03": {"occurrences": 1}}, status=VisitStatus.SUBMITTED)


@pytest.fixture
def foreign_branch_manager(make_user, other_branch):
    return make_user(Role.BRANCH_MANAGER, branch=other_branch, username="otherboss")


def test_review_list_sends_anonymous_users_to_login(client):
    assert client.get(reverse("review-list")).status_code == 302


def test_review_list_is_forbidden_to_inspectors_and_store_staff(client, inspector, store_manager):
    for user in (inspector, store_manager):
        client.force_login(user)
        assert client.get(reverse("review-list")).status_code == 403


def test_review_list_shows_submitted_visits_of_the_branch(
    client, branch_manager, submitted, make_visit, make_store, other_branch,
    django_assert_num_queries,
):  # fmt: skip
    elsewhere = make_visit(make_store(branch=other_branch), status=VisitStatus.SUBMITTED)
    client.force_login(branch_manager)
    # The session, user and role; the scope; the queue's count and page; the published.
    with django_assert_num_queries(6):
        response = client.get(reverse("review-list"))
    body = response.content.decode()
    assert reverse("review-detail", args=[submitted.pk]) in body
    assert reverse("review-detail", args=[elsewhere.pk]) not in body


def test_review_detail_of_another_branch_is_not_found(client, foreign_branch_manager, submitted):
    client.force_login(foreign_branch_manager)
    assert client.get(reverse("review-detail", args=[submitted.pk])).status_code == 404


def test_review_detail_is_forbidden_to_store_staff(client, store_manager, submitted):
    client.force_login(store_manager)
    assert client.get(reverse("review-detail", args=[submitted.pk])).status_code == 403


def test_review_detail_shows_deductions_and_the_inspector(client, hq, submitted):
    client.force_login(hq)
    body = client.get(reverse("review-detail", args=[submitted.pk])).content.decode()
    assert "A1-03" in body and "王检" in body
    assert reverse("review-publish", args=[submitted.pk]) in body


def test_publishing_feeds_the_monthly_result(client, branch_manager, submitted, store):
    client.force_login(branch_manager)
    response = client.post(reverse("review-publish", args=[submitted.pk]))
    submitted.refresh_from_db()
    assert response["Location"] == reverse("review-list")
    assert submitted.status == VisitStatus.PUBLISHED
    assert submitted.published_by == branch_manager
    assert MonthlyResult.objects.get(store=store).total_sum == 98


def test_publishing_another_branchs_visit_is_not_found(client, foreign_branch_manager, submitted):
    client.force_login(foreign_branch_manager)
    assert client.post(reverse("review-publish", args=[submitted.pk])).status_code == 404


def test_publishing_requires_post(client, hq, submitted):
    client.force_login(hq)
    assert client.get(reverse("review-publish", args=[submitted.pk])).status_code == 405


def test_returning_needs_a_reason(client, hq, submitted):
    client.force_login(hq)
    response = client.post(reverse("review-return", args=[submitted.pk]), {"reason": "  "})
    submitted.refresh_from_db()
    assert response.status_code == 400
    assert submitted.status == VisitStatus.SUBMITTED


def test_returning_sends_the_visit_back_with_the_reason(client, hq, submitted):
    client.force_login(hq)
    client.post(reverse("review-return", args=[submitted.pk]), {"reason": "照片不清楚"})
    submitted.refresh_from_db()
    assert submitted.status == VisitStatus.DRAFT
    assert submitted.return_reason == "照片不清楚"


def test_returning_is_forbidden_to_inspectors(client, inspector, submitted):
    client.force_login(inspector)
    response = client.post(reverse("review-return", args=[submitted.pk]), {"reason": "x"})
    assert response.status_code == 403


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


def test_amending_another_branchs_visit_is_not_found(
    client, foreign_branch_manager, make_visit, store
):
    visit = make_visit(store)
    client.force_login(foreign_branch_manager)
    assert client.get(reverse("review-amend", args=[visit.pk])).status_code == 404


def test_amend_sends_anonymous_users_to_login(client, make_visit, store):
    visit = make_visit(store)
    assert client.get(reverse("review-amend", args=[visit.pk])).status_code == 302


def test_amend_is_forbidden_to_store_staff(client, store_manager, make_visit, store):
    visit = make_visit(store)
    client.force_login(store_manager)
    assert client.get(reverse("review-amend", args=[visit.pk])).status_code == 403


def test_the_review_queue_is_paginated_oldest_first(
    client, hq, make_visit, make_store, django_assert_num_queries
):
    from inspection.views.review import REVIEW_PER_PAGE

    waiting = [
        make_visit(make_store(), status=VisitStatus.SUBMITTED) for _ in range(REVIEW_PER_PAGE + 2)
    ]
    client.force_login(hq)
    first = client.get(reverse("review-list"))
    assert len(first.context["page"]) == REVIEW_PER_PAGE
    last = client.get(reverse("review-list"), {"page": 2})
    assert [v.pk for v in last.context["page"]] == [v.pk for v in waiting[-2:]]
