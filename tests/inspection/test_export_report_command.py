import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from tests.conftest import WORKED_EXAMPLE_FINDINGS, local


@pytest.fixture
def october(make_visit, store, make_store, other_branch):
    make_visit(store, WORKED_EXAMPLE_FINDINGS, visited_at=local(2026, 10, 5))
    make_visit(make_store(code="DY001", branch=other_branch), {}, visited_at=local(2026, 10, 6))


def ranking(path) -> list[tuple]:
    ws = load_workbook(path)["汇总排名"]
    return [(row[1], row[19]) for row in ws.iter_rows(min_row=2, values_only=True)]


def test_it_writes_the_whole_province_with_the_worked_example_at_58(tmp_path, october, capsys):
    out = tmp_path / "report.xlsx"
    call_command("export_report", "2026-10", str(out))
    assert ranking(out) == [("DY001", 100), ("JR001", 58)]
    assert "检查员" in next(load_workbook(out)["扣分明细"].iter_rows(values_only=True))
    assert "2026-10" in capsys.readouterr().out


def test_it_narrows_to_what_a_scope_user_may_see(tmp_path, october, branch_manager):
    out = tmp_path / "report.xlsx"
    call_command("export_report", "2026-10", str(out), "--scope-user", "branchboss")
    assert ranking(out) == [("JR001", 58)]
    assert "检查员" not in next(load_workbook(out)["扣分明细"].iter_rows(values_only=True))


def test_it_refuses_a_month_that_is_not_yyyy_mm(tmp_path):
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("export_report", "10/2026", str(tmp_path / "report.xlsx"))
    assert not (tmp_path / "report.xlsx").exists()


def test_it_refuses_an_unknown_user(tmp_path, db):
    with pytest.raises(CommandError, match="nobody"):
        call_command("export_report", "2026-10", str(tmp_path / "r.xlsx"), "--scope-user", "nobody")


def test_it_refuses_an_inspector_as_scope_user(tmp_path, inspector):
    with pytest.raises(CommandError, match="无权"):
        call_command(
            "export_report", "2026-10", str(tmp_path / "r.xlsx"), "--scope-user", "shopper"
        )
    assert not (tmp_path / "r.xlsx").exists()
