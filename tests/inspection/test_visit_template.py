from io import BytesIO, StringIO

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from inspection.imports import visits_import
from inspection.models import Item, ItemKind, Visit, VisitStatus
from inspection.visit_template import visit_template_columns, visit_template_write
from tests.spreadsheets import WORKED_EXAMPLE_CELLS, fill_template, visit_row

pytestmark = pytest.mark.django_db


def headers(standard) -> list[str]:
    return [header for header, _ in visit_template_columns(standard)]


def test_the_columns_are_the_base_columns_then_every_item_in_standard_order(standard):
    codes = list(standard.items.order_by("order").values_list("code", flat=True))

    columns = headers(standard)

    assert columns[:3] == ["store_code", "visited_at", "inspector"]
    assert [c for c in columns[3:] if not c.endswith(("-peak", "-lapse"))] == codes
    assert columns[3:6] == ["A1-01", "A1-02", "A1-03"]
    # Ruling R1: A4-03 keeps its minutes and peak columns and gains the observed lapse.
    a4_03 = columns.index("A4-03")
    assert columns[a4_03 : a4_03 + 3] == ["A4-03", "A4-03-peak", "A4-03-lapse"]
    assert [c for c in columns if c.endswith(("-peak", "-lapse"))] == ["A4-03-peak", "A4-03-lapse"]
    assert len(columns) == len(codes) + 5


def test_the_columns_follow_the_standard_data(standard):
    section = standard.items.get(code="B3-02").section
    Item.objects.create(
        standard=standard,
        section=section,
        code="B3-03",
        text="投诉回访不及时",
        kind=ItemKind.FIXED,
        points=2,
        order=999,
    )

    columns = dict(visit_template_columns(standard))

    assert list(columns)[-1] == "B3-03"
    assert columns["B3-03"].startswith("投诉回访不及时：填写发现次数")


@pytest.mark.parametrize(
    ("column", "words"),
    [
        ("visited_at", ["YYYY-MM-DD HH:MM"]),
        ("inspector", ["用户名"]),
        ("A1-01", ["未按规定穿着统一标志服", "每次扣5分", "每次检查最多扣一次", "关键项"]),
        ("A1-03", ["发现次数", "每次扣2分", "N/A"]),
        ("A2-Z", ["分钟数", "满20分钟整次检查计0分"]),
        ("A3-04", ["分钟数", "最多一位小数", "超过时限扣4分", "时限3分钟", "恰好等于时限不扣分"]),
        (
            "A4-03",
            ["普通营业厅、手机卖场、乡镇营业厅高峰期或雨雪天20分钟", "其它情况5分钟", "A4-03-peak"],
        ),
        ("A4-03-peak", ["1（是）", "0（否）", "客流高峰期：单列客户3人以上排队"]),
        ("A4-03", ["A4-03-lapse", "发现或超时都扣分，合计只扣一次"]),
        ("A4-03-lapse", ["1（发现：地面有明显污渍", "0（否）"]),
        (
            "A4-10",
            [
                "由系统按营业厅判定",
                "4个及以上台席且设有客户休息区的营业厅：配备自动叫号排队系统并正常使用",
                "其他营业厅：设置1米栏",
            ],
        ),
        ("B1a-04", ["每次扣5分", "红线"]),
        ("A4-07", ["0–5", "市区须达到5项", "县城/郊县须达到4项", "不足扣2分"]),
        ("A4-09", ["仅适用于沟通100服务店、全球通品牌店"]),
        ("B1a-01", ["3–5分", "逗号分隔", "4,5"]),
        ("B1a-03", ["每次扣10分", "红线"]),
    ],
)
def test_each_column_says_what_to_enter(standard, column, words):
    explanation = dict(visit_template_columns(standard))[column]

    for word in words:
        assert word in explanation


def test_the_workbook_has_a_frozen_header_sheet_and_an_explanation_sheet(standard):
    out = BytesIO()

    visit_template_write(standard=standard, out=out)

    workbook = load_workbook(BytesIO(out.getvalue()))
    assert workbook.sheetnames == ["检查结果", "说明"]
    results = workbook["检查结果"]
    assert [c.value for c in results[1]] == headers(standard)
    assert results.max_row == 1
    assert results.freeze_panes == "D2"
    assert results.column_dimensions["B"].width >= 16
    guide = list(workbook["说明"].iter_rows(values_only=True))
    assert guide[0] == ("列名", "检查内容", "填写说明")
    assert [row[0] for row in guide[1:]] == headers(standard)
    b1a = next(row for row in guide if row[0] == "B1a-01")
    assert b1a[1] == standard.items.get(code="B1a-01").text
    assert "4,5" in b1a[2]


def test_a_filled_in_template_imports(tmp_path, standard, store, inspector):
    template = tmp_path / "template.xlsx"
    visit_template_write(standard=standard, out=template)
    filled = fill_template(
        template,
        [visit_row(visited_at="2025-03-02 10:30", **WORKED_EXAMPLE_CELLS)],
        tmp_path / "filled.xlsx",
    )

    report = visits_import(file=filled)

    assert report.ok, report.errors
    visit = Visit.objects.get()
    assert (visit.status, visit.total) == (VisitStatus.PUBLISHED, 58)


def test_the_command_writes_the_template_of_the_standard_in_force(tmp_path, standard):
    out = StringIO()

    call_command("visit_template", str(tmp_path / "t.xlsx"), stdout=out)

    assert "2009" in out.getvalue()
    sheet = load_workbook(tmp_path / "t.xlsx")["检查结果"]
    assert [c.value for c in sheet[1]] == headers(standard)


def test_the_command_takes_a_standard_version(tmp_path, standard):
    call_command(
        "visit_template", str(tmp_path / "t.xlsx"), "--standard", "2009", stdout=StringIO()
    )

    assert (tmp_path / "t.xlsx").exists()


def test_the_command_refuses_an_unknown_standard_version(tmp_path, standard):
    with pytest.raises(CommandError, match="未知的服务标准版本“1999”"):
        call_command("visit_template", str(tmp_path / "t.xlsx"), "--standard", "1999")

    assert not (tmp_path / "t.xlsx").exists()
