"""Build xlsx files in a test's tmp_path, the way people fill them in Excel."""

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from openpyxl import Workbook, load_workbook

STORE_HEADERS = (
    "code",
    "name",
    "branch",
    "category",
    "location_class",
    "counters",
    "rest_area",
    "opened_on",
)
VISIT_BASE_HEADERS = ("store_code", "visited_at", "inspector")

# The spec's worked example as a third party types it into the visit template.
WORKED_EXAMPLE_CELLS = {
    "A1-03": 1,
    "A1-05": 1,
    "A2-01": 1,
    "A3-01": 1,
    "A3-02": 1,
    "A3-04": 4.5,
    "A4-03": 12,
    "A4-09": "N/A",
    "A5-01": 2,
    "B1a-01": "4,5",
    "B2a-01": 16,
    "B3-01": 1,
}


def write_xlsx(path: Path, headers: Sequence[str], rows: Iterable[Mapping]) -> Path:
    """One sheet: the headers, then one row per mapping (missing keys stay empty)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(headers))
    for row in rows:
        sheet.append([row.get(header) for header in headers])
    workbook.save(path)
    return path


def store_row(**cells) -> dict:
    """A valid store-list row; keyword arguments override its cells."""
    return {
        "code": "ZJ001",
        "name": "句容华阳营业厅",
        "branch": "句容分公司",
        "category": "普通营业厅",
        "location_class": "县城/郊县",
        "counters": 3,
        "rest_area": "否",
        "opened_on": "2005-01-01",
        **cells,
    }


def stores_xlsx(
    tmp_path: Path, rows: Iterable[Mapping], *, headers=STORE_HEADERS, name="stores.xlsx"
):
    return write_xlsx(tmp_path / name, headers, rows)


def visit_row(store_code="JR001", visited_at="2026-03-02 10:30", inspector="shopper", **cells):
    """A visit row; item cells are passed by code, e.g. **{"A1-03": 1}."""
    return {"store_code": store_code, "visited_at": visited_at, "inspector": inspector, **cells}


def visits_xlsx(tmp_path: Path, rows: Sequence[Mapping], *, headers=None, name="visits.xlsx"):
    """The visit sheet; by default the base columns and every item column the rows use."""
    if headers is None:
        headers = list(VISIT_BASE_HEADERS)
        for row in rows:
            headers.extend(h for h in row if h not in headers)
    return write_xlsx(tmp_path / name, headers, rows)


def fill_template(template: Path, rows: Iterable[Mapping], out: Path) -> Path:
    """Type rows into a downloaded template under its own header row, as a person would."""
    workbook = load_workbook(template)
    sheet = workbook.worksheets[0]
    headers = [cell.value for cell in sheet[1]]
    for row in rows:
        sheet.append([row.get(header) for header in headers])
    workbook.save(out)
    return out
