from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from stores.models import Store
from tests.spreadsheets import store_row, stores_xlsx

pytestmark = pytest.mark.django_db


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_stores", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_imports_and_prints_a_summary(tmp_path):
    path = stores_xlsx(tmp_path, [store_row(), store_row(code="ZJ002")])

    out, _ = run(str(path))

    assert "共2行：新增2，更新0，未变0。" in out
    assert Store.objects.count() == 2


def test_running_it_twice_leaves_every_row_unchanged(tmp_path):
    path = stores_xlsx(tmp_path, [store_row(), store_row(code="ZJ002")])
    run(str(path))

    out, _ = run(str(path))

    assert "新增0，更新0，未变2" in out
    assert Store.objects.count() == 2


def test_it_prints_every_error_by_row_and_column_and_fails(tmp_path):
    path = stores_xlsx(
        tmp_path, [store_row(), store_row(code="ZJ002", category="旗舰店", counters="x")]
    )
    err = StringIO()

    with pytest.raises(CommandError, match="发现2处错误"):
        call_command("import_stores", str(path), stdout=StringIO(), stderr=err)

    lines = err.getvalue().splitlines()
    assert lines[0].startswith("第3行 [category] 未知的营业厅类别“旗舰店”")
    assert lines[1] == "第3行 [counters] 台席数必须是正整数。"
    assert not Store.objects.exists()


def test_a_dry_run_says_so_and_writes_nothing(tmp_path):
    out, _ = run(str(stores_xlsx(tmp_path, [store_row()])), "--dry-run")

    assert out.startswith("（试运行，未写入）共1行：新增1")
    assert not Store.objects.exists()


def test_it_fails_on_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="找不到文件"):
        run(str(tmp_path / "nope.xlsx"))


def test_it_prints_the_first_200_errors_and_counts_the_rest(tmp_path):
    path = stores_xlsx(tmp_path, [store_row(code=f"Z{n}", counters="x") for n in range(201)])
    err = StringIO()

    with pytest.raises(CommandError, match="发现201处错误"):
        call_command("import_stores", str(path), stdout=StringIO(), stderr=err)

    lines = err.getvalue().splitlines()
    assert len(lines) == 201
    assert lines[-1] == "另有1处错误未列出。"
