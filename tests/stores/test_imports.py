import datetime as dt

import pytest
from openpyxl import load_workbook

from sheets.results import CellError
from stores.imports import STORE_COLUMNS, store_template_write, stores_import
from stores.models import Branch, Category, LocationClass, Store
from tests.spreadsheets import (
    crafted_xlsx,
    fill_template,
    store_list_xml,
    store_row,
    stores_xlsx,
    write_xlsx,
)

pytestmark = pytest.mark.django_db


def test_it_creates_stores_with_every_attribute(tmp_path):
    path = stores_xlsx(
        tmp_path,
        [
            store_row(),
            store_row(
                code="ZJ002",
                name="京口沟通100",
                branch="市区分公司",
                category="沟通100服务店",
                location_class="市区",
                counters=8,
                rest_area="是",
                opened_on=dt.datetime(2008, 6, 18),
            ),
        ],
    )

    report = stores_import(file=path)

    assert (report.ok, report.rows, report.created, report.updated) == (True, 2, 2, 0)
    county = Store.objects.get(code="ZJ001")
    assert county.name == "句容华阳营业厅"
    assert county.branch.name == "句容分公司"
    assert (county.category, county.location_class) == (Category.ORDINARY, LocationClass.COUNTY)
    assert (county.counters, county.has_rest_area, county.opened_on) == (
        3,
        False,
        dt.date(2005, 1, 1),
    )
    city = Store.objects.get(code="ZJ002")
    assert (city.category, city.location_class) == (Category.FLAGSHIP, LocationClass.CITY)
    assert (city.counters, city.has_rest_area, city.opened_on) == (8, True, dt.date(2008, 6, 18))


@pytest.mark.parametrize(
    ("category", "location", "rest_area", "expected"),
    [
        ("flagship", "city", "yes", (Category.FLAGSHIP, LocationClass.CITY, True)),
        ("Township", "county", "0", (Category.TOWNSHIP, LocationClass.COUNTY, False)),
        ("手机卖场", "县城", 1, (Category.PHONE_MALL, LocationClass.COUNTY, True)),
        ("动感地带品牌店", "郊县", "false", (Category.MZONE, LocationClass.COUNTY, False)),
        ("全球通品牌店", "市区", True, (Category.GOTONE, LocationClass.CITY, True)),
        ("乡镇营业厅", "县城/郊县", None, (Category.TOWNSHIP, LocationClass.COUNTY, False)),
    ],
)
def test_it_accepts_labels_codes_and_yes_no_words(
    tmp_path, category, location, rest_area, expected
):
    path = stores_xlsx(
        tmp_path, [store_row(category=category, location_class=location, rest_area=rest_area)]
    )

    assert stores_import(file=path).ok

    store = Store.objects.get(code="ZJ001")
    assert (store.category, store.location_class, store.has_rest_area) == expected


def test_it_accepts_chinese_headers_and_numeric_codes(tmp_path):
    headers = (
        "门店编码",
        "名称",
        "分公司",
        "营业厅类别",
        "区域类别",
        "台席数",
        "有客户休息区",
        "开业日期",
    )
    row = dict(
        zip(
            headers,
            (10086, "新区厅", "丹阳分公司", "普通营业厅", "市区", 4.0, "否", None),
            strict=True,
        )
    )
    path = write_xlsx(tmp_path / "cn.xlsx", headers, [row])

    report = stores_import(file=path)

    assert report.ok, report.errors
    store = Store.objects.get(code="10086")
    assert (store.counters, store.opened_on) == (4, None)


def test_it_creates_a_branch_once_with_a_unique_code_and_reuses_known_ones(tmp_path):
    Branch.objects.create(code="B001", name="句容分公司")
    path = stores_xlsx(
        tmp_path,
        [
            store_row(code="A1"),
            store_row(code="A2", branch="扬中分公司"),
            store_row(code="A3", branch="扬中分公司"),
        ],
    )

    assert stores_import(file=path).ok

    assert Store.objects.get(code="A1").branch.code == "B001"
    new = Branch.objects.get(name="扬中分公司")
    assert new.code not in ("", "B001")
    assert set(Store.objects.filter(branch=new).values_list("code", flat=True)) == {"A2", "A3"}


def test_reimporting_the_same_file_changes_nothing(tmp_path):
    path = stores_xlsx(tmp_path, [store_row(), store_row(code="ZJ002", opened_on=None)])
    stores_import(file=path)

    report = stores_import(file=path)

    assert (report.created, report.updated, report.unchanged) == (0, 0, 2)
    assert Store.objects.count() == 2
    assert Branch.objects.count() == 1


def test_it_updates_a_store_by_code(tmp_path):
    stores_import(file=stores_xlsx(tmp_path, [store_row(), store_row(code="ZJ002")]))
    changed = stores_xlsx(
        tmp_path,
        [store_row(counters=6, branch="丹徒分公司"), store_row(code="ZJ002")],
        name="changed.xlsx",
    )

    report = stores_import(file=changed)

    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    store = Store.objects.get(code="ZJ001")
    assert (store.counters, store.branch.name) == (6, "丹徒分公司")


def test_a_dry_run_counts_and_writes_nothing(tmp_path):
    stores_import(file=stores_xlsx(tmp_path, [store_row()]))
    path = stores_xlsx(
        tmp_path,
        [store_row(name="改名"), store_row(code="NEW", branch="新分公司")],
        name="next.xlsx",
    )

    report = stores_import(file=path, dry_run=True)

    assert (report.created, report.updated, report.unchanged) == (1, 1, 0)
    assert list(Store.objects.values_list("code", "name")) == [("ZJ001", "句容华阳营业厅")]
    assert not Branch.objects.filter(name="新分公司").exists()


def _only_error(tmp_path, rows, **kwargs) -> CellError:
    report = stores_import(file=stores_xlsx(tmp_path, rows, **kwargs))
    assert not Store.objects.exists()
    assert len(report.errors) == 1, report.errors
    return report.errors[0]


def test_it_reports_a_missing_column_on_the_header_row(tmp_path):
    headers = ("code", "name", "branch", "category", "counters", "rest_area", "opened_on")

    error = _only_error(tmp_path, [store_row()], headers=headers)

    assert (error.row, error.column) == (1, "location_class")
    assert "缺少" in error.message


@pytest.mark.parametrize(
    "column", ["code", "name", "branch", "category", "location_class", "counters"]
)
def test_it_reports_a_blank_required_cell(tmp_path, column):
    error = _only_error(tmp_path, [store_row(code="OK1"), store_row(**{column: "  "})])

    assert error == CellError(3, column, "必须填写。")


@pytest.mark.parametrize(
    ("cells", "column", "words"),
    [
        ({"category": "旗舰店"}, "category", "未知的营业厅类别"),
        ({"location_class": "乡下"}, "location_class", "未知的区域类别"),
        ({"counters": "三"}, "counters", "正整数"),
        ({"counters": 0}, "counters", "正整数"),
        ({"counters": 2.5}, "counters", "正整数"),
        ({"rest_area": "有"}, "rest_area", "是 或 否"),
        ({"opened_on": "2020-13-01"}, "opened_on", "日期格式不正确"),
        ({"opened_on": "2020/01/01"}, "opened_on", "日期格式不正确"),
        ({"opened_on": 20200101}, "opened_on", "日期格式不正确"),
        ({"code": "X" * 31}, "code", "30"),
    ],
)
def test_it_reports_a_bad_cell_with_its_row_and_column(tmp_path, cells, column, words):
    error = _only_error(tmp_path, [store_row(code="OK1"), store_row(**cells)])

    assert (error.row, error.column) == (3, column)
    assert words in error.message


def test_it_reports_a_code_repeated_in_the_file(tmp_path):
    error = _only_error(tmp_path, [store_row(), store_row(code="ZJ002"), store_row(name="又一次")])

    assert (error.row, error.column) == (4, "code")
    assert "第2行重复" in error.message


def test_it_reports_every_error_of_every_row_and_writes_nothing(tmp_path):
    path = stores_xlsx(
        tmp_path,
        [
            store_row(code="GOOD", branch="新分公司"),
            store_row(code="BAD1", category="?", counters=-1),
            store_row(code="BAD2", opened_on="soon"),
        ],
    )

    report = stores_import(file=path)

    assert [(e.row, e.column) for e in report.errors] == [
        (3, "category"),
        (3, "counters"),
        (4, "opened_on"),
    ]
    assert (report.created, report.updated) == (0, 0)
    assert not Store.objects.exists()
    assert not Branch.objects.exists()


def test_it_names_the_header_the_file_uses(tmp_path):
    headers = (
        "门店编码",
        "name",
        "branch",
        "category",
        "location_class",
        "台席数",
        "rest_area",
        "opened_on",
    )
    row = {**store_row(), "门店编码": "Z1", "台席数": "很多"}

    report = stores_import(file=write_xlsx(tmp_path / "cn.xlsx", headers, [row]))

    assert [(e.row, e.column) for e in report.errors] == [(2, "台席数")]


def test_it_refuses_a_file_that_is_not_a_workbook(tmp_path):
    path = tmp_path / "stores.xlsx"
    path.write_bytes(b"code,name\nZJ001,x\n")

    report = stores_import(file=path)

    assert [(e.row, e.column) for e in report.errors] == [(0, "")]
    assert "xlsx" in report.errors[0].message


def test_it_refuses_a_file_without_data_rows(tmp_path):
    report = stores_import(file=stores_xlsx(tmp_path, []))

    assert [e.message for e in report.errors] == ["文件中没有数据行。"]


def test_it_reads_an_uploaded_file_object(tmp_path):
    path = stores_xlsx(tmp_path, [store_row()])

    with path.open("rb") as upload:
        report = stores_import(file=upload)

    assert report.created == 1


def test_the_template_has_every_column_and_explains_each(tmp_path):
    path = tmp_path / "template.xlsx"

    store_template_write(out=path)

    workbook = load_workbook(path)
    assert workbook.sheetnames == ["营业厅", "说明"]
    sheet = workbook["营业厅"]
    assert [c.value for c in sheet[1]] == [header for header, _ in STORE_COLUMNS]
    assert sheet.max_row == 1
    assert sheet.freeze_panes == "A2"
    guide = [tuple(row) for row in workbook["说明"].iter_rows(min_row=2, values_only=True)]
    assert guide == STORE_COLUMNS
    assert "沟通100服务店" in dict(guide)["category"]


def test_a_filled_in_template_imports(tmp_path):
    template = tmp_path / "template.xlsx"
    store_template_write(out=template)
    filled = fill_template(
        template, [store_row(opened_on=dt.datetime(2010, 5, 1))], tmp_path / "f.xlsx"
    )

    report = stores_import(file=filled)

    assert report.created == 1
    assert Store.objects.get().opened_on == dt.date(2010, 5, 1)


def test_it_keeps_the_first_200_bad_cells_and_counts_the_rest(tmp_path):
    rows = [store_row(code=f"Z{n}", counters="x") for n in range(250)]

    result = stores_import(file=stores_xlsx(tmp_path, rows))

    assert (len(result.errors), result.error_count, result.unlisted) == (200, 250, 50)
    assert result.errors[-1] == CellError(201, "counters", "台席数必须是正整数。")
    assert not Store.objects.exists()


def test_a_number_cell_holding_text_is_a_file_error_not_a_crash(tmp_path):
    xml = store_list_xml([store_row()]).replace("<v>3</v>", "<v>three</v>")

    result = stores_import(file=crafted_xlsx(tmp_path / "stores.xlsx", xml))

    assert [(e.row, e.column) for e in result.errors] == [(0, "")]
    assert "已损坏" in result.errors[0].message
