import datetime as dt
from decimal import Decimal

import pytest

from inspection.imports import NA_REASON, visits_import
from inspection.models import (
    Finding,
    MonthlyResult,
    Visit,
    VisitAmendment,
    VisitSource,
    VisitStatus,
)
from inspection.services import monthly
from sheets.results import CellError
from stores.models import Category, LocationClass, Role
from tests.conftest import local
from tests.spreadsheets import WORKED_EXAMPLE_CELLS, visit_row, visits_xlsx, write_xlsx

pytestmark = pytest.mark.django_db

WHEN = "2025-03-02 10:30"


@pytest.fixture
def hall(store, inspector):
    """The conftest store (JR001, 普通营业厅, 县城/郊县) and its mystery shopper."""
    return store


def findings_of(visit) -> dict:
    return {
        f.item.code: (f.occurrences, f.points, f.measurement, f.peak, f.not_applicable)
        for f in visit.findings.select_related("item")
    }


def test_it_creates_and_publishes_the_worked_example(tmp_path, hall, inspector):
    path = visits_xlsx(tmp_path, [visit_row(visited_at=WHEN, **WORKED_EXAMPLE_CELLS)])

    report = visits_import(file=path)

    assert (report.ok, report.rows, report.created) == (True, 1, 1)
    visit = Visit.objects.get()
    assert (visit.store, visit.inspector, visit.visited_at) == (
        hall,
        inspector,
        local(2025, 3, 2, 10, 30),
    )
    assert (visit.status, visit.source, visit.total) == (
        VisitStatus.PUBLISHED,
        VisitSource.IMPORT,
        58,
    )
    assert visit.published_by == inspector
    found = findings_of(visit)
    assert found["B1a-01"][1] == [4, 5]
    assert found["A3-04"][2] == Decimal("4.5")
    assert found["A4-09"][4] is True
    assert visit.findings.get(item__code="A4-09").na_reason == NA_REASON
    assert MonthlyResult.objects.get(store=hall, month=dt.date(2025, 3, 1)).base_score == 58


def test_a_draft_import_leaves_drafts_and_no_monthly_result(tmp_path, hall):
    path = visits_xlsx(tmp_path, [visit_row(visited_at=WHEN, **WORKED_EXAMPLE_CELLS)])

    report = visits_import(file=path, publish=False)

    assert report.created == 1
    visit = Visit.objects.get()
    assert (visit.status, visit.total) == (VisitStatus.DRAFT, None)
    assert len(findings_of(visit)) == len(WORKED_EXAMPLE_CELLS)
    assert not MonthlyResult.objects.exists()


def test_the_importing_user_publishes_when_given(tmp_path, hall, hq):
    visits_import(file=visits_xlsx(tmp_path, [visit_row(visited_at=WHEN)]), by=hq)

    assert Visit.objects.get().published_by == hq


def test_each_month_is_ranked_once_for_all_new_visits(tmp_path, hall, make_store, monkeypatch):
    make_store(code="JR002")
    months = []
    run = monthly.month_rerank_run

    def counting(*, month):
        months.append(month)
        return run(month=month)

    monkeypatch.setattr(monthly, "month_rerank_run", counting)
    rows = [
        visit_row(visited_at="2025-03-02 10:30", **{"A1-03": 1}),
        visit_row(visited_at="2025-03-09 10:30"),
        visit_row(store_code="JR002", visited_at="2025-03-05 15:00", **{"A2-01": 2}),
        visit_row(visited_at="2025-04-01 09:00"),
    ]

    visits_import(file=visits_xlsx(tmp_path, rows))

    assert sorted(months) == [dt.date(2025, 3, 1), dt.date(2025, 4, 1)]
    march = MonthlyResult.objects.filter(month=dt.date(2025, 3, 1)).order_by("store__code")
    assert [(r.store.code, r.visit_count, r.rank_overall) for r in march] == [
        ("JR001", 2, 1),
        ("JR002", 1, 2),
    ]


def test_the_peak_column_raises_the_clean_up_limit(tmp_path, hall):
    rows = [
        visit_row(visited_at="2025-03-02 10:30", **{"A4-03": 18, "A4-03-peak": 1}),
        visit_row(visited_at="2025-03-03 10:30", **{"A4-03": 18, "A4-03-peak": 0}),
    ]

    visits_import(file=visits_xlsx(tmp_path, rows))

    peak, calm = Visit.objects.order_by("visited_at")
    assert (peak.total, calm.total) == (100, 98)
    assert peak.findings.get().peak is True


def test_the_lapse_column_fails_the_clean_up_item_once_with_or_without_minutes(tmp_path, hall):
    rows = [
        visit_row(visited_at="2025-03-02 10:30", **{"A4-03-lapse": 1}),
        visit_row(visited_at="2025-03-03 10:30", **{"A4-03": 18, "A4-03-lapse": 1}),
        visit_row(visited_at="2025-03-04 10:30", **{"A4-03": 3, "A4-03-lapse": 0}),
    ]

    visits_import(file=visits_xlsx(tmp_path, rows))

    lapse, both, clean = Visit.objects.order_by("visited_at")
    assert (lapse.total, both.total, clean.total) == (98, 98, 100)
    assert findings_of(lapse) == {"A4-03": (1, [], None, False, False)}
    assert findings_of(both)["A4-03"][:3] == (1, [], Decimal("18"))
    assert findings_of(clean)["A4-03"][0] == 0


def test_reimporting_a_lapse_leaves_the_visit_unchanged(tmp_path, hall):
    path = visits_xlsx(tmp_path, [visit_row(visited_at=WHEN, **{"A4-03": 4, "A4-03-lapse": 1})])
    visits_import(file=path)

    report = visits_import(file=path)

    assert (report.created, report.updated, report.unchanged) == (0, 0, 1)


def test_the_zeroing_item_zeroes_the_visit(tmp_path, hall):
    visits_import(file=visits_xlsx(tmp_path, [visit_row(visited_at=WHEN, **{"A2-Z": 20})]))

    visit = Visit.objects.get()
    assert (visit.total, visit.zeroed) == (0, True)


def test_it_reads_excel_datetimes_to_the_minute(tmp_path, hall):
    noisy = dt.datetime(2025, 3, 2, 10, 29, 59, 999000)

    visits_import(file=visits_xlsx(tmp_path, [visit_row(visited_at=noisy)]))

    assert Visit.objects.get().visited_at == local(2025, 3, 2, 10, 30)


def test_reimporting_the_same_file_creates_no_duplicates(tmp_path, hall):
    path = visits_xlsx(tmp_path, [visit_row(visited_at=WHEN, **WORKED_EXAMPLE_CELLS)])
    visits_import(file=path)

    report = visits_import(file=path, source_name="visits.xlsx")

    assert (report.created, report.updated, report.unchanged) == (0, 0, 1)
    assert Visit.objects.count() == 1
    assert not VisitAmendment.objects.exists()


def test_reimporting_a_changed_cell_amends_the_published_visit(tmp_path, hall, hq):
    visits_import(file=visits_xlsx(tmp_path, [visit_row(visited_at=WHEN, **WORKED_EXAMPLE_CELLS)]))
    changed = visits_xlsx(
        tmp_path,
        [visit_row(visited_at=WHEN, **{**WORKED_EXAMPLE_CELLS, "B3-01": None})],
        name="second.xlsx",
    )

    report = visits_import(file=changed, by=hq, source_name="second.xlsx")

    assert (report.created, report.updated, report.unchanged) == (0, 1, 0)
    visit = Visit.objects.get()
    assert (visit.status, visit.total) == (VisitStatus.PUBLISHED, 63)
    amendment = visit.amendments.get()
    assert (amendment.amended_by, amendment.reason) == (hq, "重新导入：second.xlsx")
    assert (amendment.total_before, amendment.total_after) == (58, 63)
    assert [c["item"] for c in amendment.changes] == ["B3-01"]
    assert MonthlyResult.objects.get().base_score == 63


def test_reimporting_a_changed_draft_replaces_its_findings(tmp_path, hall, make_visit):
    draft = make_visit(
        hall,
        {"A1-03": {"occurrences": 1}},
        visited_at=local(2025, 3, 2, 10, 30),
        status=VisitStatus.DRAFT,
    )

    report = visits_import(file=visits_xlsx(tmp_path, [visit_row(visited_at=WHEN, **{"A2-01": 1})]))

    assert report.updated == 1
    draft.refresh_from_db()
    assert draft.status == VisitStatus.DRAFT
    assert set(findings_of(draft)) == {"A2-01"}


def test_reimporting_a_changed_submitted_visit_resubmits_it(tmp_path, hall, make_visit):
    submitted = make_visit(
        hall,
        {"A1-03": {"occurrences": 1}},
        visited_at=local(2025, 3, 2, 10, 30),
        status=VisitStatus.SUBMITTED,
    )

    report = visits_import(file=visits_xlsx(tmp_path, [visit_row(visited_at=WHEN, **{"A2-01": 2})]))

    assert report.updated == 1
    submitted.refresh_from_db()
    assert (submitted.status, submitted.total) == (VisitStatus.SUBMITTED, 92)
    assert not MonthlyResult.objects.exists()


def test_an_identical_row_leaves_a_form_visit_alone(tmp_path, hall, make_visit):
    visit = make_visit(
        hall,
        {
            "A1-03": {"occurrences": 1, "note": "领口"},
            "A4-09": {"na": True, "na_reason": "无此设施"},
        },
        visited_at=local(2025, 3, 2, 10, 30),
    )

    report = visits_import(
        file=visits_xlsx(tmp_path, [visit_row(visited_at=WHEN, **{"A1-03": 1, "A4-09": "N/A"})])
    )

    assert report.unchanged == 1
    assert visit.findings.get(item__code="A1-03").note == "领口"


def test_a_dry_run_counts_and_writes_nothing(tmp_path, hall):
    visits_import(file=visits_xlsx(tmp_path, [visit_row(visited_at=WHEN)]))
    rows = [
        visit_row(visited_at=WHEN, **{"A1-03": 1}),
        visit_row(visited_at="2025-03-03 10:30"),
    ]

    report = visits_import(file=visits_xlsx(tmp_path, rows, name="next.xlsx"), dry_run=True)

    assert (report.created, report.updated, report.unchanged) == (1, 1, 0)
    assert Visit.objects.count() == 1
    assert not Finding.objects.exists()


# --- Validation: every error names its row and column, and nothing is written --------


def only_error(tmp_path, *rows, headers=None) -> CellError:
    report = visits_import(file=visits_xlsx(tmp_path, rows, headers=headers))
    assert not Visit.objects.exists()
    assert len(report.errors) == 1, report.errors
    return report.errors[0]


GOOD = visit_row(visited_at="2025-03-01 09:00")


def test_it_reports_an_unknown_store_code(tmp_path, hall):
    error = only_error(tmp_path, GOOD, visit_row(store_code="XX9", visited_at=WHEN))

    assert error == CellError(3, "store_code", "未知的门店编码“XX9”。")


def test_it_reports_an_unknown_inspector(tmp_path, hall):
    error = only_error(tmp_path, GOOD, visit_row(inspector="ghost", visited_at=WHEN))

    assert error == CellError(3, "inspector", "未知的检查员用户名“ghost”。")


@pytest.mark.parametrize(
    ("who", "message"),
    [
        (
            lambda make_user, branch: make_user(Role.INSPECTOR, branch=branch, username="local"),
            "检查员“local”属于该厅所在的分公司，不能检查本分公司的营业厅。",
        ),
        (
            lambda make_user, branch: make_user(
                Role.INSPECTOR, username="retired", is_active=False
            ),
            "“retired”的账号已停用，不能作为检查员。",
        ),
        (
            lambda make_user, branch: make_user(
                Role.STORE_MANAGER, branch=branch, store=branch.stores.first(), username="boss"
            ),
            "“boss”不是检查员。",
        ),
        (
            lambda make_user, branch: make_user(Role.ADMINISTRATOR, username="root"),
            "“root”不是检查员。",
        ),
        (
            lambda make_user, branch: make_user(Role.HEADQUARTERS, username="hq"),
            "“hq”不是检查员。",
        ),
    ],
    ids=["home branch", "inactive", "store manager", "administrator", "headquarters"],
)
def test_it_refuses_a_row_naming_anyone_but_an_active_inspector_from_elsewhere(
    tmp_path, hall, make_user, branch, who, message
):
    username = who(make_user, branch).username

    error = only_error(tmp_path, GOOD, visit_row(inspector=username, visited_at=WHEN))

    assert error == CellError(3, "inspector", message)


def test_it_reports_a_visit_dated_before_2000(tmp_path, hall):
    error = only_error(tmp_path, GOOD, visit_row(visited_at="1999-12-31 10:00"))

    assert error == CellError(3, "visited_at", "检查时间必须在2000-01-01至2100-12-31之间。")


def test_it_reports_an_unknown_item_column_on_the_header_row(tmp_path, hall):
    error = only_error(tmp_path, visit_row(visited_at=WHEN, **{"A9-99": 1}))

    assert (error.row, error.column) == (1, "A9-99")
    assert "未知的列" in error.message


def test_it_reports_a_missing_base_column(tmp_path, hall):
    error = only_error(
        tmp_path, visit_row(visited_at=WHEN), headers=["store_code", "visited_at", "A1-03"]
    )

    assert (error.row, error.column) == (1, "inspector")


@pytest.mark.parametrize(
    "value", ["2025-03-02", "2025/03/02 10:30", "2025-02-30 10:30", "明天", 45000]
)
def test_it_reports_a_bad_visit_time(tmp_path, hall, value):
    error = only_error(tmp_path, GOOD, visit_row(visited_at=value))

    assert (error.row, error.column) == (3, "visited_at")
    assert "YYYY-MM-DD HH:MM" in error.message


def test_it_reports_a_visit_in_the_future(tmp_path, hall):
    error = only_error(tmp_path, GOOD, visit_row(visited_at="2099-01-01 10:00"))

    assert error == CellError(3, "visited_at", "检查时间不能晚于现在。")


def test_it_reports_a_future_visit_even_for_an_unknown_store(tmp_path, hall):
    report = visits_import(
        file=visits_xlsx(tmp_path, [visit_row(store_code="XX9", visited_at="2099-01-01 10:00")])
    )

    assert [(e.row, e.column) for e in report.errors] == [(2, "store_code"), (2, "visited_at")]


def test_it_reports_a_visit_before_the_store_opened(tmp_path, hall):
    error = only_error(tmp_path, GOOD, visit_row(visited_at="2004-12-31 10:00"))

    assert (error.row, error.column) == (3, "visited_at")
    assert "早于该厅开业日期（2005-01-01）" in error.message


@pytest.mark.parametrize(
    ("cells", "column", "message"),
    [
        ({"A1-03": "两次"}, "A1-03", "次数必须是不小于0的整数。"),
        ({"A1-03": 1.5}, "A1-03", "次数必须是不小于0的整数。"),
        ({"A1-03": -1}, "A1-03", "次数必须是不小于0的整数。"),
        ({"A5-01": 40000}, "A5-01", "次数不能超过99。"),
        ({"B1a-01": ",".join(["4"] * 100)}, "B1a-01", "要点不能超过99个。"),
        ({"B1a-01": "4,6"}, "B1a-01", "每个要点扣3–5分，6 超出范围。"),
        ({"B1a-01": 2}, "B1a-01", "每个要点扣3–5分，2 超出范围。"),
        ({"B1a-01": "4,x"}, "B1a-01", "请填写每个要点的扣分（整数），多个要点用逗号分隔，如 4,5。"),
        ({"B2a-01": -3}, "B2a-01", "测量值不能为负数。"),
        ({"B2a-01": "十"}, "B2a-01", "请填写分钟数（数字）或 N/A。"),
        ({"A3-04": 4.25}, "A3-04", "时间以分钟计，最多一位小数。"),
        ({"A2-Z": "1.25"}, "A2-Z", "时间以分钟计，最多一位小数。"),
        ({"A4-07": 6}, "A4-07", "数量不能超过5。"),
        ({"A4-07": 3.5}, "A4-07", "数量必须是整数。"),
        ({"A4-09": 1}, "A4-09", "A4-09 不适用于该营业厅。"),
        ({"A4-03": 6, "A4-03-peak": 2}, "A4-03-peak", "请填写 1（高峰期或雨雪天）或 0（否）。"),
        ({"A4-03": 6, "A4-03-peak": "是"}, "A4-03-peak", "请填写 1（高峰期或雨雪天）或 0（否）。"),
        ({"A4-03-lapse": 3}, "A4-03-lapse", "请填写 1（现场发现不符合）或 0（否）。"),
        (
            {"A4-03": "N/A", "A4-03-lapse": 1},
            "A4-03-lapse",
            "A4-03 已标为不适用，不能同时填写现场发现不符合。",
        ),
    ],
)
def test_it_reports_a_bad_item_cell_in_its_column(tmp_path, hall, cells, column, message):
    error = only_error(tmp_path, GOOD, visit_row(visited_at=WHEN, **cells))

    assert error == CellError(3, column, message)


def test_it_reports_a_visit_repeated_in_the_file(tmp_path, hall):
    error = only_error(
        tmp_path, visit_row(visited_at=WHEN), GOOD, visit_row(visited_at=WHEN, **{"A1-03": 1})
    )

    assert (error.row, error.column) == (4, "visited_at")
    assert "与第2行重复" in error.message


def test_the_same_time_by_two_inspectors_is_two_visits(tmp_path, hall, make_user, other_branch):
    make_user(Role.INSPECTOR, branch=other_branch, username="second")

    report = visits_import(
        file=visits_xlsx(
            tmp_path, [visit_row(visited_at=WHEN), visit_row(visited_at=WHEN, inspector="second")]
        )
    )

    assert report.created == 2


@pytest.mark.parametrize("column", ["store_code", "visited_at", "inspector"])
def test_it_reports_a_blank_required_cell(tmp_path, hall, column):
    error = only_error(tmp_path, GOOD, {**visit_row(visited_at=WHEN), column: " "})

    assert error == CellError(3, column, "必须填写。")


def test_it_reports_every_bad_cell_of_every_row_and_writes_nothing(tmp_path, hall):
    rows = [
        GOOD,
        visit_row(store_code="XX9", visited_at=WHEN, **{"A1-03": "x", "B1a-01": "9"}),
        visit_row(inspector="ghost", visited_at="2099-01-01 10:00", **{"A4-07": 6}),
    ]

    report = visits_import(file=visits_xlsx(tmp_path, rows))

    assert [(e.row, e.column) for e in report.errors] == [
        (3, "store_code"),
        (3, "A1-03"),
        (3, "B1a-01"),
        (4, "inspector"),
        (4, "visited_at"),
        (4, "A4-07"),
    ]
    assert (report.created, report.updated, report.unchanged) == (0, 0, 0)
    assert not Visit.objects.exists()


def test_a_flagship_may_be_charged_for_a_missing_bill_printer(tmp_path, make_store, inspector):
    make_store(code="FL1", category=Category.FLAGSHIP, location_class=LocationClass.CITY)

    visits_import(
        file=visits_xlsx(
            tmp_path, [visit_row(store_code="FL1", visited_at=WHEN, **{"A4-09": 1, "A4-07": 4})]
        )
    )

    assert Visit.objects.get().total == 96


def test_it_refuses_a_file_that_is_not_a_workbook(tmp_path, hall):
    path = tmp_path / "visits.xlsx"
    path.write_text("store_code,visited_at\n")

    report = visits_import(file=path)

    assert [(e.row, e.column) for e in report.errors] == [(0, "")]


def test_it_refuses_a_file_with_only_headers(tmp_path, hall):
    report = visits_import(
        file=write_xlsx(tmp_path / "empty.xlsx", ["store_code", "visited_at", "inspector"], [])
    )

    assert [e.message for e in report.errors] == ["文件中没有数据行。"]
