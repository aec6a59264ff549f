"""Autosave on a network that loses requests and answers, and two tabs on one draft:
no false conflict, no lost edit, no second photo, and a real conflict shown clearly."""

import pytest
from playwright.sync_api import expect

from inspection.models import FindingPhoto, Visit, VisitStatus
from inspection.services.findings import visit_findings
from tests.browser.form import (
    PHOTOS,
    SAVES,
    add_one,
    expect_offline_ready,
    expect_state,
    hold,
    item,
    lose_answers,
    small_jpeg,
    wait_until,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def draft(make_visit, store):
    return make_visit(store, status=VisitStatus.DRAFT)


@pytest.fixture
def form(tablet, inspector, draft):
    """The draft open on the inspector's tablet, everything saved and kept offline."""
    page = tablet(inspector)
    page.goto(f"/visits/{draft.pk}/")
    expect_state(page, "saved")
    expect_offline_ready(page)
    return page


def occurrences(draft) -> dict[str, int]:
    return {
        code: finding["occurrences"]
        for code, finding in visit_findings(Visit.objects.get(pk=draft.pk)).items()
    }


def test_a_save_whose_answer_is_lost_is_no_conflict_and_every_later_edit_is_saved(form, draft):
    lost = lose_answers(form, SAVES)
    add_one(form, "A1-03")
    expect_state(form, "offline")
    assert lost == [200]
    add_one(form, "A1-04")
    add_one(form, "A2-01")
    expect_state(form, "saved")
    expect(form.locator("#conflict-banner")).to_be_hidden()
    assert occurrences(draft) == {"A1-03": 1, "A1-04": 1, "A2-01": 1}


@pytest.mark.parametrize("applied", [True, False], ids=["applied", "never-arrived"])
def test_a_reload_in_the_middle_of_a_save_keeps_the_edit_without_a_conflict(form, draft, applied):
    base = draft.revision
    held = hold(form, SAVES)
    add_one(form, "A1-03")
    wait_until(form, lambda: held, "the save to leave the page")
    if applied:
        held[0].fetch()
    form.reload()
    expect_state(form, "saved")
    assert occurrences(draft) == {"A1-03": 1}
    assert Visit.objects.get(pk=draft.pk).revision == base + 1
    add_one(form, "A1-04")
    expect_state(form, "saved")
    assert occurrences(draft) == {"A1-03": 1, "A1-04": 1}


@pytest.mark.parametrize(
    ("choice", "kept"),
    [("载入最新版本", {"A1-03": 2, "A2-01": 1}), ("用本页内容覆盖", {"A1-04": 1, "A2-01": 1})],
    ids=["take-the-saved-version", "keep-this-page"],
)
def test_two_tabs_editing_one_draft_get_a_conflict_that_shows_each_difference(
    form, draft, standard, screenshot, choice, kept
):
    second = form.context.new_page()
    second.goto(f"/visits/{draft.pk}/")
    expect_state(second, "saved")
    add_one(form, "A1-03")
    add_one(form, "A1-03")
    expect_state(form, "saved")

    add_one(second, "A1-04")
    expect_state(second, "conflict")
    rows = second.locator("#conflict-diff tbody tr")
    texts = dict(standard.items.filter(code__in=["A1-03", "A1-04"]).values_list("code", "text"))
    expect(rows.nth(0).locator("td")).to_have_text([f"A1-03 {texts['A1-03']}", "未记录", "2 次"])
    expect(rows.nth(1).locator("td")).to_have_text([f"A1-04 {texts['A1-04']}", "1 次", "未记录"])
    expect(rows).to_have_count(2)
    screenshot(second, "visit-form-conflict")
    assert occurrences(draft) == {"A1-03": 2}

    second.get_by_role("button", name=choice).tap()
    add_one(second, "A2-01")
    expect_state(second, "saved")
    expect(second.locator("#conflict-banner")).to_be_hidden()
    assert occurrences(draft) == kept


def test_a_photo_whose_answer_is_lost_is_stored_once(form, draft, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    lost = lose_answers(form, PHOTOS)
    a103 = item(form, "A1-03")
    a103.locator("[data-photo]").set_input_files(
        {"name": "uniform.jpg", "mimeType": "image/jpeg", "buffer": small_jpeg()}
    )
    wait_until(form, lambda: lost == [200], "the photo to reach the server")
    expect(a103.locator(".vf-thumb.vf-pending")).to_have_count(1)

    # The next save that gets through sends the queued photo again.
    add_one(form, "A1-04")
    expect(a103.locator(".vf-thumb:not(.vf-pending)")).to_have_count(1)
    expect(a103.locator(".vf-thumb")).to_have_count(1)
    form.reload()
    expect(a103.locator(".vf-thumb")).to_have_count(1)
    assert FindingPhoto.objects.filter(visit=draft).count() == 1
