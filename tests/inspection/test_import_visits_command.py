import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from inspection.models import MonthlyResult, Visit, VisitAmendment, VisitStatus
from stores.models import Category, LocationClass, Role, Store
from tests.spreadsheets import (
    WORKED_EXAMPLE_CELLS,
    store_row,
    stores_xlsx,
    visit_row,
    visits_xlsx,
)

pytestmark = pytest.mark.django_db

WHEN = "2025-10-14 15:20"


def run(*args) -> str:
    out = StringIO()
    call_command("import_visits", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.fixture
def county_hall(tmp_path, make_user, other_branch):
    """The worked example's 普通营业厅 in a county town, imported from the store list."""
    make_user(Role.INSPECTOR, branch=other_branch, username="shopper")
    path = stores_xlsx(
        tmp_path,
        [
            store_row(
                code="DT001",
                name="丹徒高资营业厅",
                branch="丹徒分公司",
                category="普通营业厅",
                location_class="县城/郊县",
            )
        ],
        name="stores.xlsx",
    )
    call_command("import_stores", str(path), stdout=StringIO())
    return Store.objects.get(code="DT001")


def worked_example_file(tmp_path, name="visits.xlsx", **changes):
    row = visit_row(store_code="DT001", visited_at=WHEN, **{**WORKED_EXAMPLE_CELLS, **changes})
    return visits_xlsx(tmp_path, [row], name=name)


def test_the_worked_example_from_spreadsheets_scores_58(tmp_path, county_hall):
    assert (county_hall.category, county_hall.location_class) == (
        Category.ORDINARY,
        LocationClass.COUNTY,
    )

    out = run(str(worked_example_file(tmp_path)))

    assert "共1行：新增1，更新0，未变0。" in out
    visit = Visit.objects.get(store=county_hall)
    assert (visit.status, visit.total) == (VisitStatus.PUBLISHED, 58)
    assert visit.section_scores == {
        "A1": 1, "A2": 11, "A3": 0, "A4": 15, "A5": 0,
        "B1a": 11, "B1b": 10, "B2a": 0, "B2b": 5, "B3": 5,
    }  # fmt: skip
    result = MonthlyResult.objects.get(store=county_hall, month=dt.date(2025, 10, 1))
    assert (result.visit_count, result.base_score, result.rank_overall) == (1, 58, 1)


def test_running_it_twice_creates_no_duplicates(tmp_path, county_hall):
    path = str(worked_example_file(tmp_path))
    run(path)

    out = run(path)

    assert "新增0，更新0，未变1" in out
    assert Visit.objects.count() == 1
    assert MonthlyResult.objects.get().base_score == 58


def test_a_changed_cell_becomes_an_amendment_by_the_importing_user(tmp_path, county_hall, hq):
    run(str(worked_example_file(tmp_path)))

    out = run(str(worked_example_file(tmp_path, name="fixed.xlsx", **{"A5-01": 1})), "--by", "hq")

    assert "更新1" in out
    amendment = VisitAmendment.objects.get()
    assert (amendment.amended_by, amendment.reason) == (hq, "重新导入：fixed.xlsx")
    assert (amendment.total_before, amendment.total_after) == (58, 60)
    assert MonthlyResult.objects.get().base_score == 60


def test_draft_leaves_drafts_and_no_monthly_result(tmp_path, county_hall):
    run(str(worked_example_file(tmp_path)), "--draft")

    assert Visit.objects.get().status == VisitStatus.DRAFT
    assert not MonthlyResult.objects.exists()


def test_by_names_the_publisher(tmp_path, county_hall, hq):
    run(str(worked_example_file(tmp_path)), "--by", "hq")

    assert Visit.objects.get().published_by == hq


def test_by_must_be_a_known_user(tmp_path, county_hall):
    with pytest.raises(CommandError, match="未知的用户名“nobody”"):
        run(str(worked_example_file(tmp_path)), "--by", "nobody")

    assert not Visit.objects.exists()


def test_a_dry_run_writes_nothing(tmp_path, county_hall):
    out = run(str(worked_example_file(tmp_path)), "--dry-run")

    assert out.startswith("（试运行，未写入）共1行：新增1")
    assert not Visit.objects.exists()


def test_it_prints_every_error_by_row_and_column_and_fails(tmp_path, county_hall):
    rows = [
        visit_row(store_code="DT001", visited_at=WHEN, **WORKED_EXAMPLE_CELLS),
        visit_row(store_code="DT001", visited_at="2025-10-15 9:00", **{"B1a-01": "4,6"}),
        visit_row(store_code="NOPE", visited_at="2025-10-16", inspector="ghost"),
    ]
    err = StringIO()

    with pytest.raises(CommandError, match="发现4处错误，没有导入任何数据"):
        call_command(
            "import_visits", str(visits_xlsx(tmp_path, rows)), stdout=StringIO(), stderr=err
        )

    assert err.getvalue().splitlines() == [
        "第3行 [B1a-01] 每个要点扣3–5分，6 超出范围。",
        "第4行 [store_code] 未知的门店编码“NOPE”。",
        "第4行 [inspector] 未知的检查员用户名“ghost”。",
        "第4行 [visited_at] 检查时间格式不正确，请填写 YYYY-MM-DD HH:MM，如 2026-11-03 14:30。",
    ]
    assert not Visit.objects.exists()


def test_it_fails_on_a_missing_file(tmp_path, county_hall):
    with pytest.raises(CommandError, match="找不到文件"):
        run(str(tmp_path / "missing.xlsx"))
