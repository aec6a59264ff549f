import datetime as dt
import io
import os
import time
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from audit.models import Action, AuditEvent
from inspection.models import MonthlyResult, Visit
from inspection.views.transfers import SESSION_KEY
from stores.models import Role, Store
from tests.spreadsheets import (
    STORE_HEADERS,
    WORKED_EXAMPLE_CELLS,
    crafted_xlsx,
    inline_row,
    store_list_xml,
    store_row,
    stores_xlsx,
    visit_row,
    visits_xlsx,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def held_files(media) -> list[Path]:
    return sorted((Path(media) / "imports").glob("*.xlsx"))


def upload(client, kind: str, path: Path, **fields):
    with path.open("rb") as f:
        data = {f"{kind}-file": SimpleUploadedFile(path.name, f.read(), content_type=XLSX)}
    data.update({f"{kind}-{key}": value for key, value in fields.items()})
    return client.post(reverse("import-upload", args=[kind]), data)


def preview_of(client, response):
    assert response.status_code == 302, response.content.decode()[:2000]
    return client.get(response["Location"]), response["Location"]


# --- Access to imports -------------------------------------------------------


@pytest.mark.parametrize("role", [Role.BRANCH_MANAGER, Role.STORE_MANAGER, Role.INSPECTOR])
def test_only_headquarters_may_import(client, make_user, branch, store, tmp_path, role):
    client.force_login(make_user(role, branch=branch, store=store))
    assert client.get(reverse("imports")).status_code == 403
    assert client.get(reverse("import-template", args=["stores"])).status_code == 403
    response = upload(client, "stores", stores_xlsx(tmp_path, [store_row()]))
    assert response.status_code == 403
    assert not Store.objects.filter(code="ZJ001").exists()


def test_another_users_upload_is_not_found(client, hq, make_user, tmp_path, media):
    client.force_login(hq)
    _page, preview_url = preview_of(
        client, upload(client, "stores", stores_xlsx(tmp_path, [store_row()]))
    )
    token = preview_url.rstrip("/").rsplit("/", 1)[-1]
    client.force_login(make_user(Role.HEADQUARTERS, username="hq2"))
    assert client.get(preview_url).status_code == 404
    assert client.post(reverse("import-confirm", args=[token])).status_code == 404
    assert not Store.objects.filter(code="ZJ001").exists()
    assert len(held_files(media)) == 1


def test_the_imports_page_offers_both_templates_and_forms(client, hq):
    client.force_login(hq)
    response = client.get(reverse("imports"))
    assert response.status_code == 200
    page = response.content.decode()
    for kind in ("stores", "visits"):
        assert reverse("import-template", args=[kind]) in page
        assert reverse("import-upload", args=[kind]) in page
    assert "导入后立即发布" in page


def test_the_templates_download_as_workbooks(client, hq):
    client.force_login(hq)
    stores = client.get(reverse("import-template", args=["stores"]))
    headers = next(load_workbook(io.BytesIO(stores.getvalue())).worksheets[0].iter_rows())
    assert [c.value for c in headers][:2] == ["code", "name"]
    visits = client.get(reverse("import-template", args=["visits"]))
    headers = [c.value for c in next(load_workbook(io.BytesIO(visits.getvalue())).active.rows)]
    assert headers[:3] == ["store_code", "visited_at", "inspector"]
    assert "B1a-01" in headers
    assert client.get(reverse("import-template", args=["other"])).status_code == 404


# --- Upload checks -----------------------------------------------------------


def post_bytes(client, name: str, content: bytes):
    return client.post(
        reverse("import-upload", args=["stores"]),
        {"stores-file": SimpleUploadedFile(name, content, content_type=XLSX)},
    )


def test_a_file_over_5_mb_is_refused(client, hq, media):
    client.force_login(hq)
    response = post_bytes(client, "big.xlsx", b"PK" + b"0" * (5 * 1024 * 1024))
    assert response.status_code == 400
    assert "文件太大" in response.content.decode()
    assert held_files(media) == []


def test_a_file_that_is_not_xlsx_by_name_is_refused(client, hq):
    client.force_login(hq)
    response = post_bytes(client, "stores.csv", b"code,name\n")
    assert response.status_code == 400
    assert "只能上传 Excel 工作簿（.xlsx）" in response.content.decode()


def test_a_renamed_file_that_is_not_a_workbook_is_refused(client, hq, media):
    client.force_login(hq)
    response = post_bytes(client, "stores.xlsx", b"code,name\nZJ001,x\n")
    assert response.status_code == 400
    assert "不是有效的 Excel 工作簿" in response.content.decode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    response = post_bytes(client, "stores.xlsx", buffer.getvalue())
    assert "不是有效的 Excel 工作簿" in response.content.decode()
    assert held_files(media) == []


# --- Preview and confirm -----------------------------------------------------


def test_a_bad_store_list_is_previewed_cell_by_cell_and_imports_nothing(client, hq, tmp_path):
    client.force_login(hq)
    path = stores_xlsx(
        tmp_path,
        [store_row(), store_row(code="ZJ002", category="旗舰店", counters=-1)],
    )
    page, preview_url = preview_of(client, upload(client, "stores", path))
    html = page.content.decode()
    assert page.status_code == 200
    assert "整份文件都没有导入" in html
    assert html.count('class="table-danger bad-cell"') == 2
    errors = page.context["cell_errors"]
    assert [(e.row, e.column) for e in errors] == [(3, "category"), (3, "counters")]
    assert "确认导入" not in html
    assert [row for row, _cells in page.context["grid"]["rows"]] == [3]
    assert Store.objects.count() == 0


def test_a_good_store_list_is_imported_once_even_when_uploaded_twice(client, hq, tmp_path, media):
    client.force_login(hq)
    path = stores_xlsx(tmp_path, [store_row(), store_row(code="ZJ002", name="句容下蜀营业厅")])
    page, preview_url = preview_of(client, upload(client, "stores", path))
    assert page.context["result"].ok
    assert page.context["result"].created == 2
    assert Store.objects.count() == 0
    token = preview_url.rstrip("/").rsplit("/", 1)[-1]

    response = client.post(reverse("import-confirm", args=[token]))
    assert response.status_code == 302
    assert sorted(Store.objects.values_list("code", flat=True)) == ["ZJ001", "ZJ002"]
    event = AuditEvent.objects.get(action=Action.IMPORT)
    assert (event.actor, event.detail["file"], event.detail["created"]) == (hq, path.name, 2)
    assert held_files(media) == []
    assert client.session[SESSION_KEY] == {}
    assert client.get(preview_url).status_code == 404

    page, preview_url = preview_of(client, upload(client, "stores", path))
    assert page.context["result"].unchanged == 2
    assert "完全一致" in page.content.decode()
    token = preview_url.rstrip("/").rsplit("/", 1)[-1]
    client.post(reverse("import-confirm", args=[token]))
    assert Store.objects.count() == 2


def test_confirm_only_accepts_post(client, hq, tmp_path):
    client.force_login(hq)
    _page, preview_url = preview_of(
        client, upload(client, "stores", stores_xlsx(tmp_path, [store_row()]))
    )
    token = preview_url.rstrip("/").rsplit("/", 1)[-1]
    assert client.get(reverse("import-confirm", args=[token])).status_code == 405
    assert not Store.objects.exists()


def test_discarding_deletes_the_held_file(client, hq, tmp_path, media):
    client.force_login(hq)
    _page, preview_url = preview_of(
        client, upload(client, "stores", stores_xlsx(tmp_path, [store_row()]))
    )
    token = preview_url.rstrip("/").rsplit("/", 1)[-1]
    assert len(held_files(media)) == 1
    response = client.post(reverse("import-discard", args=[token]))
    assert response.status_code == 302
    assert held_files(media) == []
    assert not Store.objects.exists()


def test_visit_results_are_published_and_ranked_and_a_reupload_duplicates_nothing(
    client, hq, inspector, store, tmp_path
):
    client.force_login(hq)
    path = visits_xlsx(tmp_path, [visit_row(visited_at="2026-10-05 10:30", **WORKED_EXAMPLE_CELLS)])
    page, preview_url = preview_of(client, upload(client, "visits", path, publish="on"))
    assert page.context["result"].created == 1
    assert not Visit.objects.exists()
    token = preview_url.rstrip("/").rsplit("/", 1)[-1]
    client.post(reverse("import-confirm", args=[token]))

    result = MonthlyResult.objects.get(store=store, month=dt.date(2026, 10, 1))
    assert result.total == 58
    page, preview_url = preview_of(client, upload(client, "visits", path, publish="on"))
    assert page.context["result"].unchanged == 1
    token = preview_url.rstrip("/").rsplit("/", 1)[-1]
    client.post(reverse("import-confirm", args=[token]))
    assert Visit.objects.count() == 1


def test_visits_can_be_imported_as_drafts(client, hq, inspector, store, tmp_path):
    client.force_login(hq)
    path = visits_xlsx(tmp_path, [visit_row(visited_at="2026-10-05 10:30", **{"A1-03": 1})])
    _page, preview_url = preview_of(client, upload(client, "visits", path))
    token = preview_url.rstrip("/").rsplit("/", 1)[-1]
    client.post(reverse("import-confirm", args=[token]))
    assert Visit.objects.get().status == "draft"
    assert not MonthlyResult.objects.exists()


def test_a_bad_visit_file_marks_each_bad_cell(client, hq, inspector, store, tmp_path):
    client.force_login(hq)
    path = visits_xlsx(
        tmp_path,
        [
            visit_row(visited_at="2026-10-05 10:30", **{"B1a-01": "2,5"}),
            visit_row(store_code="NOPE", visited_at="2026-10-06 10:30", **{"A4-07": 7}),
        ],
    )
    page, _url = preview_of(client, upload(client, "visits", path, publish="on"))
    cells = {(e.row, e.column) for e in page.context["cell_errors"]}
    assert cells == {(2, "B1a-01"), (3, "store_code"), (3, "A4-07")}
    assert [row for row, _cells in page.context["grid"]["rows"]] == [2, 3]
    assert not Visit.objects.exists()


def test_a_visit_file_naming_a_store_manager_is_refused_row_by_row(
    client, hq, inspector, store, store_manager, tmp_path
):
    client.force_login(hq)
    path = visits_xlsx(
        tmp_path,
        [
            visit_row(visited_at="2026-10-05 10:30"),
            visit_row(visited_at="2026-10-06 10:30", inspector=store_manager.username),
        ],
    )
    page, url = preview_of(client, upload(client, "visits", path, publish="on"))
    assert [(e.row, e.column) for e in page.context["cell_errors"]] == [(3, "inspector")]
    assert "“storeboss”不是检查员。" in page.content.decode()
    token = url.rstrip("/").rsplit("/", 1)[-1]
    assert client.post(reverse("import-confirm", args=[token])).status_code == 409
    assert not Visit.objects.exists()


def test_a_file_missing_a_column_is_reported_by_its_header(client, hq, tmp_path):
    client.force_login(hq)
    path = stores_xlsx(tmp_path, [store_row()], headers=STORE_HEADERS[:-1])
    page, _url = preview_of(client, upload(client, "stores", path))
    assert [(e.row, e.column) for e in page.context["file_errors"]] == [(1, "opened_on")]
    assert "缺少“opened_on”列" in page.content.decode()
    assert page.context["grid"] is None


def test_an_upload_left_for_a_day_is_swept_by_the_next_one(client, hq, tmp_path, media):
    client.force_login(hq)
    preview_of(client, upload(client, "stores", stores_xlsx(tmp_path, [store_row()])))
    [stale] = held_files(media)
    day_ago = time.time() - 25 * 3600
    os.utime(stale, (day_ago, day_ago))
    preview_of(client, upload(client, "stores", stores_xlsx(tmp_path, [store_row()])))
    assert stale not in held_files(media)
    assert len(held_files(media)) == 1


# --- Hostile files -------------------------------------------------------------


def bomb_of_shared_strings(path: Path) -> Path:
    string = b"<si><t>aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa</t></si>"
    return crafted_xlsx(path, store_list_xml([]), shared_xml=string * 900_000)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        pytest.param(bomb_of_shared_strings, "文件解压后超过", id="shared strings bomb"),
        pytest.param(
            lambda path: crafted_xlsx(
                path, store_list_xml([store_row()]) + inline_row(99999999999, ["ZJ9"])
            ),
            "第99999999999行超出了",
            id="far row",
        ),
        pytest.param(
            lambda path: crafted_xlsx(
                path, store_list_xml([store_row()]).replace("<v>3</v>", "<v>three</v>")
            ),
            "文件内容已损坏",
            id='t="n" holding text',
        ),
        pytest.param(
            lambda path: crafted_xlsx(
                path,
                store_list_xml([store_row()]).replace(
                    '<c r="H2" t="inlineStr"><is><t>2005-01-01</t></is></c>',
                    '<c r="H2" t="d"><v>the first of May</v></c>',
                ),
            ),
            "文件内容已损坏",
            id='bad t="d"',
        ),
        pytest.param(
            lambda path: crafted_xlsx(path, store_list_xml([store_row()]) + "<row><c>"),
            "文件内容已损坏",
            id="bad XML",
        ),
    ],
)
def test_a_hostile_file_is_previewed_with_one_clear_reason(client, hq, tmp_path, build, message):
    client.force_login(hq)

    page, _url = preview_of(client, upload(client, "stores", build(tmp_path / "stores.xlsx")))

    assert page.status_code == 200
    assert [e.row for e in page.context["file_errors"]] == [0]
    assert message in page.content.decode()
    assert "确认导入" not in page.content.decode()
    assert not Store.objects.exists()


def test_the_preview_lists_200_errors_and_counts_the_rest(client, hq, tmp_path):
    client.force_login(hq)
    path = stores_xlsx(tmp_path, [store_row(code=f"Z{n}", counters="x") for n in range(230)])

    page, _url = preview_of(client, upload(client, "stores", path))

    html = page.content.decode()
    assert "发现 230 处错误" in html
    assert len(page.context["cell_errors"]) == 200
    assert "另有30处错误未列出。" in html
    assert len(page.context["grid"]["rows"]) == 50


def test_the_preview_shows_the_kept_dry_run_without_reading_the_file_again(
    client, hq, tmp_path, media
):
    client.force_login(hq)
    page, preview_url = preview_of(
        client, upload(client, "stores", stores_xlsx(tmp_path, [store_row()]))
    )
    assert page.context["result"].created == 1
    [held] = held_files(media)
    held.write_bytes(b"not a workbook any more")

    page = client.get(preview_url)

    assert page.status_code == 200
    assert page.context["result"].created == 1
    assert "文件检查通过" in page.content.decode()
