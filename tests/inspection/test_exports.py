import csv
import datetime as dt
import shutil
import subprocess
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from inspection.exports import report_scope, report_write
from inspection.services.bonus import bonus_award
from stores.models import Category, LocationClass
from tests.conftest import WORKED_EXAMPLE_FINDINGS, local

OCTOBER = dt.date(2026, 10, 1)
SHEETS = [
    "汇总排名",
    "同类厅-沟通100服务店",
    "同类厅-普通营业厅",
    "分公司汇总",
    "检查明细",
    "扣分明细",
    "红线",
    "加分",
    "未检查",
    "说明",
]
SECTION_HEADERS = [
    "A1 仪容仪表",
    "A2 服务规范",
    "A3 主动性",
    "A4 环境卫生和服务设施",
    "A5 宣传信息",
    "B1a 规范性及成功性",
    "B1b 熟练性",
    "B2a 排队等候",
    "B2b 现场管理",
    "B3 每诉必录",
]
# The spec's worked example, section by section.
WORKED_SECTIONS = [1, 11, 0, 15, 0, 11, 10, 0, 5, 5]
SOFFICE = shutil.which("soffice")
needs_libreoffice = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is absent")


@pytest.fixture
def october(make_store, make_visit, store, other_branch, standard, hq):
    """The worked example hall, a flagship with a red line, a zeroed visit and a
    bonus, and a hall inspected only in September."""
    worked = make_visit(
        store,
        {
            **WORKED_EXAMPLE_FINDINGS,
            "A1-03": {"occurrences": 1, "note": '=HYPERLINK("http://evil")'},
            "A4-09": {"na": True, "na_reason": "非旗舰店"},
        },
        visited_at=local(2026, 10, 5, 9, 30),
    )
    flagship = make_store(
        code="DY100",
        name="丹阳旗舰店",
        branch=other_branch,
        category=Category.FLAGSHIP,
        location_class=LocationClass.CITY,
    )
    red = make_visit(
        flagship,
        {"B1a-03": {"occurrences": 1, "note": "客户未确认即开通"}, "A2-Z": {"measurement": 25}},
        visited_at=local(2026, 10, 6),
    )
    make_visit(flagship, {"A1-01": {"occurrences": 1}}, visited_at=local(2026, 10, 7))
    quiet = make_store(code="JR009", name="句容后白营业厅")
    make_visit(flagship, {}, visited_at=local(2026, 9, 3))
    make_visit(store, {"A1-01": {"occurrences": 1}}, visited_at=local(2026, 9, 4))
    make_visit(quiet, {}, visited_at=local(2026, 9, 8, 14, 15))
    bonus_award(
        store=flagship,
        month=OCTOBER,
        points=2,
        criteria=list(standard.bonus_criteria.order_by("order")[:3]),
        highlight="=1+1 推出老年人绿色通道",
        by=hq,
    )
    return {"worked": worked, "red": red, "flagship": flagship, "quiet": quiet}


def export(tmp_path, user=None, name="report.xlsx") -> Path:
    out = tmp_path / name
    report_write(month=OCTOBER, out=out, scope=report_scope(user))
    return out


def table(ws) -> list[dict]:
    rows = ws.iter_rows(values_only=True)
    headers = next(rows)
    return [dict(zip(headers, row, strict=True)) for row in rows]


def test_it_writes_every_sheet_in_order(tmp_path, october):
    workbook = load_workbook(export(tmp_path))
    assert workbook.sheetnames == SHEETS


def test_the_ranking_sheet_shows_the_worked_example_at_58_with_section_codes_leading(
    tmp_path, october
):
    ws = load_workbook(export(tmp_path))["汇总排名"]
    headers = [c.value for c in ws[1]]
    assert headers[6:16] == SECTION_HEADERS
    rows = table(ws)
    assert [r["门店编码"] for r in rows] == ["JR001", "DY100"]
    worked = rows[0]
    assert worked["月度总分"] == 58
    assert worked["基础得分"] == 58
    assert [worked[h] for h in SECTION_HEADERS] == WORKED_SECTIONS
    assert (worked["总排名"], worked["同类厅排名"], worked["分公司排名"]) == (1, 1, 1)
    assert (worked["营业厅"], worked["分公司"], worked["类别"]) == (
        "句容华阳营业厅",
        "句容分公司",
        "普通营业厅",
    )
    assert worked["公式复核"].startswith("=AVERAGEIFS('检查明细'!")


def test_the_ranking_sheet_shows_bonus_red_lines_zeroing_and_movement(tmp_path, october):
    rows = table(load_workbook(export(tmp_path))["汇总排名"])
    flagship = rows[1]
    # Two visits, 0 (zeroed) and 95: base 47.5, plus the bonus of 2.
    assert flagship["检查次数"] == 2
    assert flagship["基础得分"] == Decimal("47.5")
    assert flagship["加分"] == 2
    assert flagship["月度总分"] == Decimal("49.5")
    assert flagship["红线次数"] == 1
    assert flagship["零分次数"] == 1
    # September: the flagship and the quiet hall tied at 100, the worked example hall 95.
    assert (flagship["上月总排名"], flagship["名次变化"]) == (1, -1)
    assert (rows[0]["上月总排名"], rows[0]["名次变化"]) == (3, 2)


def test_each_category_sheet_ranks_its_halls_by_category_rank(tmp_path, october):
    workbook = load_workbook(export(tmp_path))
    rows = table(workbook["同类厅-沟通100服务店"])
    assert [(r["同类厅排名"], r["门店编码"], r["总排名"]) for r in rows] == [(1, "DY100", 2)]
    assert next(workbook["同类厅-普通营业厅"].iter_rows(values_only=True))[0] == "同类厅排名"


def test_the_branch_summary_counts_and_averages_per_branch(tmp_path, october):
    rows = table(load_workbook(export(tmp_path))["分公司汇总"])
    by_name = {r["分公司"]: r for r in rows}
    jr, dy = by_name["句容分公司"], by_name["丹阳分公司"]
    assert (jr["营业厅数"], jr["已检查"], jr["未检查"], jr["检查次数"]) == (2, 1, 1, 1)
    assert jr["月度总分\n（平均）"] == 58
    assert jr["A1 仪容仪表\n（平均）"] == 1
    assert (dy["已检查"], dy["检查次数"], dy["获加分厅数"], dy["红线次数"]) == (1, 2, 1, 1)
    assert dy["基础得分\n（平均）"] == Decimal("47.5")
    # Ruling R6: the zeroed visit counts 0 in every section, so the flagship's A1 is
    # (0 + 0) / 2 and its B3 (0 + 10) / 2.
    assert dy["A1 仪容仪表\n（平均）"] == 0
    assert dy["B3 每诉必录\n（平均）"] == 5


def test_the_visit_sheet_computes_sections_and_total_with_formulas_beside_stored_scores(
    tmp_path, october
):
    ws = load_workbook(export(tmp_path))["检查明细"]
    rows = table(ws)
    # Halls in code order: DY100's two visits come first.
    assert [r["检查编号"] for r in rows][2] == october["worked"].pk
    worked = rows[2]
    # Its ten deductions are rows 5–14 of 扣分明细, after DY100's three.
    assert worked["A1 仪容仪表"] == (
        "=MAX(0,5-SUMIFS('扣分明细'!$K$5:$K$14,'扣分明细'!$A$5:$A$14,$A4,"
        "'扣分明细'!$G$5:$G$14,\"A1\"))"
    )
    assert worked["总分（公式）"] == "=IF(OR(AND(ISNUMBER(R4),R4>=20.0)),0,SUM(H4:Q4))"
    assert worked["系统总分"] == 58
    assert [worked[f"{h}（系统）"] for h in SECTION_HEADERS] == WORKED_SECTIONS
    zeroed = rows[0]
    assert (zeroed["A2-Z 无人值守（分钟）"], zeroed["系统总分"], zeroed["红线"]) == (25, 0, "红线")
    # Ruling R6: its sections are listed as they would have scored, marked as not counted.
    assert zeroed["整次零分"] == "各项得分不计入"
    assert zeroed["B1a 规范性及成功性（系统）"] == 10
    assert worked["整次零分"] is None
    # The stored section scores sit in a collapsed group beside the formulas.
    assert ws.column_dimensions["X"].hidden
    assert ws.column_dimensions["X"].outline_level == 1


def test_the_deduction_sheet_lists_every_deduction_of_the_month(tmp_path, october):
    rows = table(load_workbook(export(tmp_path))["扣分明细"])
    worked = [r for r in rows if r["门店编码"] == "JR001"]
    assert [r["细项编码"] for r in worked] == [
        "A1-03", "A1-05", "A2-01", "A3-01", "A3-02", "A3-04", "A5-01", "B1a-01", "B2a-01", "B3-01",
    ]  # fmt: skip
    assert sum(r["扣分"] for r in worked) == 4 + 4 + 12 + 6 + 9 + 5 + 5
    by_code = {r["细项编码"]: r for r in worked}
    assert (by_code["A3-04"]["测量值"], by_code["A3-04"]["单位"]) == (4.5, "分钟")
    assert (by_code["B1a-01"]["次数"], by_code["B1a-01"]["说明"]) == (2, "各要点扣分：4、5")
    assert by_code["A5-01"]["次数"] == 2
    assert by_code["A1-03"]["检查员"] == "王检"
    assert by_code["A1-03"]["检查时间"] == dt.datetime(2026, 10, 5, 9, 30)
    zeroing = next(r for r in rows if r["细项编码"] == "A2-Z")
    assert (zeroing["扣分"], zeroing["说明"]) == (0, "整次检查零分")


def test_user_text_that_looks_like_a_formula_stays_text(tmp_path, october):
    workbook = load_workbook(export(tmp_path))
    note = next(
        row[-1] for row in workbook["扣分明细"].iter_rows(min_row=2) if row[7].value == "A1-03"
    )
    assert note.value == '=HYPERLINK("http://evil")'
    assert note.data_type == "s"
    bonus = workbook["加分"]
    highlight = bonus.cell(2, [c.value for c in bonus[1]].index("创新或服务亮点") + 1)
    assert highlight.value == "=1+1 推出老年人绿色通道"
    assert highlight.data_type == "s"


def test_the_red_line_bonus_and_not_inspected_sheets(tmp_path, october):
    workbook = load_workbook(export(tmp_path))
    red = table(workbook["红线"])
    assert [(r["门店编码"], r["细项编码"], r["该次检查总分"], r["备注"]) for r in red] == [
        ("DY100", "B1a-03", 0, "客户未确认即开通")
    ]
    # Ruling R2: every red line names its prohibition.
    assert red[0]["违反的禁令"] == "禁令三 严禁未经客户确认擅自为客户开通或变更业务"
    bonus = table(workbook["加分"])[0]
    assert (bonus["门店编码"], bonus["加分"], bonus["符合项数"]) == ("DY100", 2, 3)
    assert bonus["符合的加分项目"] == "C-01 业务咨询及办理\nC-02 投诉管理\nC-03 宣传管理"
    assert bonus["同类厅基础分排名"] == 1
    assert bonus["是否计入"] == '=IF(AND(ISNUMBER(F2),F2<=5),"计入","不计入")'
    quiet = table(workbook["未检查"])
    assert [(r["门店编码"], r["上次发布检查时间"]) for r in quiet] == [
        ("JR009", dt.datetime(2026, 9, 8, 14, 15))
    ]


def test_the_notes_sheet_explains_the_month_scope_and_scoring(tmp_path, october):
    notes = dict(load_workbook(export(tmp_path))["说明"].iter_rows(min_row=2, values_only=True))
    assert notes["服务标准"] == "2009年镇江分公司营业厅服务标准执行细则（2009）"
    assert notes["月份"] == "2026年10月"
    assert notes["范围"] == "全部营业厅"
    assert "等候满20分钟" in notes["零分规则"]
    assert "前5名" in notes["加分规则"] and "最高102分" in notes["加分规则"]
    assert "扣完为止" in notes["扣分与保底"]


def test_every_sheet_has_frozen_headers_filters_and_an_a4_landscape_print_setup(tmp_path, october):
    workbook = load_workbook(export(tmp_path))
    for ws in workbook.worksheets:
        assert ws.freeze_panes.endswith("2"), ws.title
        assert ws.page_setup.orientation == "landscape", ws.title
        assert ws.page_setup.paperSize == 9, ws.title
        assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0, ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert ws.print_title_rows == "$1:$1", ws.title
        assert ws["A1"].font.b, ws.title
        if ws.title != "说明":
            assert ws.auto_filter.ref.startswith("A1:"), ws.title
    ranking = workbook["汇总排名"]
    assert ranking.freeze_panes == "D2"
    assert ranking.column_dimensions["C"].width >= 20
    assert ranking["T2"].number_format == "0.00"
    scales = [r.type for rng in ranking.conditional_formatting for r in rng.rules]
    assert "colorScale" in scales


def test_a_branch_manager_gets_their_branch_without_inspector_names(
    tmp_path, october, branch_manager
):
    workbook = load_workbook(export(tmp_path, branch_manager))
    assert [r["门店编码"] for r in table(workbook["汇总排名"])] == ["JR001"]
    for title in ("检查明细", "扣分明细", "红线"):
        headers = next(workbook[title].iter_rows(values_only=True))
        assert "检查员" not in headers, title
    assert {r["门店编码"] for r in table(workbook["扣分明细"])} == {"JR001"}
    assert table(workbook["红线"]) == []
    assert "同类厅-沟通100服务店" not in workbook.sheetnames
    notes = dict(workbook["说明"].iter_rows(min_row=2, values_only=True))
    assert notes["范围"] == "句容分公司"


@pytest.mark.parametrize("role", ["branch_manager", "store_manager", "hq"])
def test_the_workbook_gives_the_time_of_day_only_to_headquarters(
    request, tmp_path, make_visit, store, role
):
    """Ruling R9, as on the pages: branch and store staff read the visit's date."""
    red_line = {**WORKED_EXAMPLE_FINDINGS, "B1a-03": {"occurrences": 1}}
    make_visit(store, red_line, visited_at=local(2026, 10, 5, 14, 35))
    workbook = load_workbook(export(tmp_path, request.getfixturevalue(role)))
    for title in ("检查明细", "扣分明细", "红线"):
        sheet = workbook[title]
        headers = next(sheet.iter_rows(values_only=True))
        column = headers.index("检查时间")
        cells = [row[column] for row in sheet.iter_rows(min_row=2) if row[column].value]
        assert cells, title
        for cell in cells:
            assert cell.value.date() == dt.date(2026, 10, 5)
            if role == "hq":
                assert (cell.value.hour, cell.number_format) == (14, "yyyy-mm-dd hh:mm")
            else:
                assert (cell.value.hour, cell.number_format) == (0, "yyyy-mm-dd")


def test_a_store_manager_gets_only_their_store(tmp_path, october, store_manager):
    workbook = load_workbook(export(tmp_path, store_manager))
    assert [r["门店编码"] for r in table(workbook["汇总排名"])] == ["JR001"]
    assert table(workbook["未检查"]) == []
    assert [r["分公司"] for r in table(workbook["分公司汇总"])] == ["句容分公司"]


def test_the_number_of_queries_does_not_grow_with_the_month(
    tmp_path, october, make_store, make_visit
):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            export(tmp_path)
        return len(queries)

    before = count()
    for n in range(5):
        hall = make_store(code=f"JR1{n:02d}")
        make_visit(hall, {"A1-03": {"occurrences": 1}}, visited_at=local(2026, 10, 10 + n))
    assert count() == before


# --- Through LibreOffice ------------------------------------------------------


def libreoffice_csv(xlsx: Path, outdir: Path) -> dict[str, list[dict]]:
    """Every sheet as LibreOffice computes it (formulas recalculated), by sheet name."""
    profile = f"file:///tmp/lo-{uuid.uuid4().hex}"
    # Field separator, quote, UTF-8, first line, ..., the -1 exports every sheet.
    options = "44,34,76,1,,0,false,true,false,false,false,-1"
    try:
        subprocess.run(
            [
                SOFFICE,
                f"-env:UserInstallation={profile}",
                "--headless",
                "--convert-to",
                f"csv:Text - txt - csv (StarCalc):{options}",
                "--outdir",
                str(outdir),
                str(xlsx),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
    finally:
        shutil.rmtree(profile.removeprefix("file://"), ignore_errors=True)
    sheets = {}
    for path in outdir.glob(f"{xlsx.stem}-*.csv"):
        with path.open(encoding="utf-8", newline="") as f:
            sheets[path.stem.removeprefix(f"{xlsx.stem}-")] = list(csv.DictReader(f))
    return sheets


@needs_libreoffice
def test_libreoffice_computes_the_stored_scores_from_the_formulas_and_keeps_text_as_text(
    tmp_path, october
):
    sheets = libreoffice_csv(export(tmp_path), tmp_path / "csv")
    assert set(sheets) == set(SHEETS)

    visits = {row["检查编号"]: row for row in sheets["检查明细"]}
    worked = visits[str(october["worked"].pk)]
    assert [worked[h] for h in SECTION_HEADERS] == [str(v) for v in WORKED_SECTIONS]
    assert worked["总分（公式）"] == worked["系统总分"] == "58"
    zeroed = visits[str(october["red"].pk)]
    assert zeroed["总分（公式）"] == "0"
    assert zeroed["B1a 规范性及成功性"] == "10"
    for row in sheets["检查明细"]:
        assert row["核对"] == "一致", row
        for header in SECTION_HEADERS:
            assert row[header] == row[f"{header}（系统）"], (row["检查编号"], header)

    ranking = {row["门店编码"]: row for row in sheets["汇总排名"]}
    assert ranking["JR001"]["公式复核"] == ranking["JR001"]["月度总分"] == "58"
    assert ranking["DY100"]["公式复核"] == ranking["DY100"]["月度总分"] == "49.5"
    for title in ("汇总排名", "同类厅-沟通100服务店", "同类厅-普通营业厅"):
        assert {row["核对"] for row in sheets[title]} == {"一致"}, title

    notes = [row["备注"] for row in sheets["扣分明细"] if row["细项编码"] == "A1-03"]
    assert notes == ['=HYPERLINK("http://evil")']


def test_a_visit_without_deductions_keeps_full_points_by_formula(tmp_path, make_store, make_visit):
    make_visit(make_store(code="JR050"), {}, visited_at=local(2026, 10, 9))
    rows = table(load_workbook(export(tmp_path))["检查明细"])
    assert [rows[0][h] for h in ("A1 仪容仪表", "B3 每诉必录")] == ["=MAX(0,5-0)", "=MAX(0,10-0)"]
    assert rows[0]["系统总分"] == 100


# --- The rulings of 2026-11-30 ----------------------------------------------------


@pytest.fixture
def rulings_october(make_store, make_visit, standard, hq):
    """Six 普通营业厅 at 100 … 90, the fifth (92) awarded a bonus and then pushed to
    6th by a newcomer at 98; an observed lapse on A4-03 and a queuing deduction; and a
    乡镇营业厅 with a zeroed visit."""
    halls = []
    for n in range(6):
        hall = make_store(code=f"PT{n}", counters=5, has_rest_area=n == 0)
        make_visit(
            hall, {"A4-01": {"occurrences": n}} if n else {}, visited_at=local(2026, 10, 2 + n)
        )
        halls.append(hall)
    bonus_award(
        store=halls[4],
        month=OCTOBER,
        points=2,
        criteria=list(standard.bonus_criteria.order_by("order")[:3]),
        highlight="雨天借伞",
        by=hq,
    )
    lapse = make_visit(
        halls[0],
        {"A4-03": {"occurrences": 1, "measurement": 3}, "A4-10": {"occurrences": 1}},
        visited_at=local(2026, 10, 12),
    )
    newcomer = make_store(code="PT9")
    make_visit(newcomer, {"A1-03": {"occurrences": 1}}, visited_at=local(2026, 10, 15))
    township = make_store(code="XZ1", category=Category.TOWNSHIP)
    make_visit(township, {}, visited_at=local(2026, 10, 16))
    zeroed = make_visit(
        township,
        {"A2-Z": {"measurement": 21}, "B1a-04": {"occurrences": 1}},
        visited_at=local(2026, 10, 17),
    )
    return {"halls": halls, "lapse": lapse, "newcomer": newcomer, "zeroed": zeroed}


def test_the_deductions_name_the_lapse_and_the_queuing_requirement_of_the_store(
    tmp_path, rulings_october
):
    rows = table(load_workbook(export(tmp_path))["扣分明细"])
    by_code = {r["细项编码"]: r for r in rows if r["检查编号"] == rulings_october["lapse"].pk}
    assert (by_code["A4-03"]["扣分"], by_code["A4-03"]["测量值"]) == (2, 3)
    assert by_code["A4-03"]["说明"] == "现场发现不符合"
    assert (
        by_code["A4-10"]["检查内容"]
        == "排队设施不符合要求\n本厅要求：配备自动叫号排队系统并正常使用"
    )
    # B1a-04 (ruling R2) on the zeroed visit's red-line sheet.
    red = table(load_workbook(export(tmp_path, name="red.xlsx"))["红线"])
    assert [(r["细项编码"], r["违反的禁令"]) for r in red] == [
        ("B1a-04", "禁令一 严禁泄露或交易客户信息")
    ]


@needs_libreoffice
def test_libreoffice_agrees_with_a_zeroed_visit_a_lapse_and_a_bonus_that_no_longer_counts(
    tmp_path, rulings_october
):
    fifth = rulings_october["halls"][4]
    sheets = libreoffice_csv(export(tmp_path), tmp_path / "csv")

    checked = ["检查明细", "汇总排名", "同类厅-普通营业厅", "同类厅-乡镇营业厅"]
    for title in checked:
        assert {row["核对"] for row in sheets[title]} == {"一致"}, title
    visits = {row["检查编号"]: row for row in sheets["检查明细"]}
    assert visits[str(rulings_october["lapse"].pk)]["A4 环境卫生和服务设施"] == "11"
    zeroed = visits[str(rulings_october["zeroed"].pk)]
    assert (zeroed["总分（公式）"], zeroed["整次零分"]) == ("0", "各项得分不计入")
    assert zeroed["B1a 规范性及成功性"] == "15"

    award = next(row for row in sheets["加分"] if row["门店编码"] == fifth.code)
    assert (award["同类厅基础分排名"], award["加分"], award["是否计入"]) == ("6", "2", "不计入")
    ranking = {row["门店编码"]: row for row in sheets["汇总排名"]}
    assert ranking[fifth.code]["加分"] == "0"
    assert ranking[fifth.code]["公式复核"] == ranking[fifth.code]["月度总分"] == "92"
    # The township hall: visits of 100 and 0 (zeroed), whose sections count 0 (ruling R6).
    assert ranking["XZ1"]["基础得分"] == "50"
    assert ranking["XZ1"]["A1 仪容仪表"] == "2.5"
    assert ranking["XZ1"]["B1a 规范性及成功性"] == "10"
