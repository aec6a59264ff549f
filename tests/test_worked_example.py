"""The spec's worked example, the way headquarters would run it: a store list and a
third party's visit results as spreadsheets, imported by the commands, then the
monthly workbook exported and recalculated by LibreOffice."""

from io import StringIO

import pytest
from django.core.management import call_command

from inspection.models import MonthlyResult
from stores.models import Role
from tests.inspection.test_exports import libreoffice_csv, needs_libreoffice
from tests.spreadsheets import WORKED_EXAMPLE_CELLS, store_row, stores_xlsx, visit_row, visits_xlsx

pytestmark = pytest.mark.django_db


@needs_libreoffice
def test_the_commands_reproduce_the_worked_example_of_58(tmp_path, make_user, other_branch):
    make_user(Role.INSPECTOR, branch=other_branch, username="shopper")
    stores = stores_xlsx(
        tmp_path,
        [store_row(code="DT001", name="丹徒高资营业厅", branch="丹徒分公司")],
        name="stores.xlsx",
    )
    visits = visits_xlsx(
        tmp_path,
        [visit_row(store_code="DT001", visited_at="2025-10-14 15:20", **WORKED_EXAMPLE_CELLS)],
    )
    report = tmp_path / "report.xlsx"

    call_command("import_stores", str(stores), stdout=StringIO())
    call_command("import_visits", str(visits), stdout=StringIO())
    call_command("export_report", "2025-10", str(report), stdout=StringIO())

    assert MonthlyResult.objects.get(store__code="DT001").total == 58
    ranking = libreoffice_csv(report, tmp_path / "csv")["汇总排名"]
    row = next(r for r in ranking if r["门店编码"] == "DT001")
    assert row["月度总分"] == row["公式复核"] == "58"
    assert row["A1 仪容仪表"] == "1"
    assert row["B1a 规范性及成功性"] == "11"
