"""What every response tells the browser: a content security policy with no inline
script, and nothing of a logged-in user's kept in a cache."""

import re
from pathlib import Path

import pytest
from django.templatetags.static import static
from django.urls import reverse

from inspection.services.workbooks import workbook_export_request, workbook_export_run
from tests.conftest import local

pytestmark = pytest.mark.django_db

TEMPLATES = Path(__file__).resolve().parent.parent.parent / "templates"
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
INLINE_STYLE = re.compile(r"\sstyle\s*=", re.IGNORECASE)


def test_pages_forbid_inline_script_and_style_and_framing(client, hq):
    client.force_login(hq)
    policy = client.get(reverse("rankings"))["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in policy


@pytest.mark.parametrize("template", sorted(TEMPLATES.rglob("*.html")), ids=lambda path: path.name)
def test_no_template_has_inline_script_handlers_or_styles(template):
    text = template.read_text(encoding="utf-8")
    # json_script's output is data, not script: it is a filter, never a literal tag.
    assert not INLINE_SCRIPT.search(text)
    assert not INLINE_HANDLER.search(text)
    assert not INLINE_STYLE.search(text)


def test_a_logged_in_users_pages_and_json_are_not_stored_by_any_cache(client, hq, standard):
    client.force_login(hq)
    for url in (reverse("rankings"), reverse("standard-rules", args=[standard.version])):
        cache_control = client.get(url)["Cache-Control"]
        assert "no-store" in cache_control, url
        assert "private" in cache_control, url


def test_the_workbook_is_not_stored_by_any_cache(client, hq, make_visit, store, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    visit = make_visit(store, {}, visited_at=local(2026, 10, 5))
    export = workbook_export_request(month=visit.month, user=hq)
    workbook_export_run(export_id=export.pk)
    client.force_login(hq)
    response = client.get(reverse("workbook-export-download", args=[export.pk]))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_the_service_worker_and_static_files_keep_their_own_caching(client, inspector):
    client.force_login(inspector)
    assert client.get(reverse("visit-service-worker"))["Cache-Control"] == "no-cache"
    assert "no-store" not in client.get(static("inspection/js/page.js")).get("Cache-Control", "")
