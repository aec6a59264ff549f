"""Build xlsx files in a test's tmp_path, the way people fill them in Excel."""

import zipfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter

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


# --- Crafted files, as an attacker writes them --------------------------------

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
SPREADSHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml"


def crafted_xlsx(
    path: Path, sheet_data: str, *, shared_strings: Iterable[str] = (), shared_xml: bytes = b""
) -> Path:
    """A minimal workbook written part by part: `sheet_data` is the XML inside
    <sheetData>; the shared strings are `shared_strings`, or the raw `shared_xml`."""
    if not shared_xml:
        shared_xml = "".join(f"<si><t>{text}</t></si>" for text in shared_strings).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            f'ContentType="{SPREADSHEET_TYPE}.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" '
            f'ContentType="{SPREADSHEET_TYPE}.worksheet+xml"/>'
            '<Override PartName="/xl/sharedStrings.xml" '
            f'ContentType="{SPREADSHEET_TYPE}.sharedStrings+xml"/>'
            "</Types>",
        )
        archive.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="{PACKAGE_RELATIONSHIPS}"><Relationship Id="rId1" '
            f'Type="{RELATIONSHIPS}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{MAIN_NS}" xmlns:r="{RELATIONSHIPS}"><sheets>'
            '<sheet name="营业厅" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<Relationships xmlns="{PACKAGE_RELATIONSHIPS}">'
            f'<Relationship Id="rId1" Type="{RELATIONSHIPS}/worksheet" '
            'Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{RELATIONSHIPS}/sharedStrings" '
            'Target="sharedStrings.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/worksheets/sheet1.xml",
            f'<worksheet xmlns="{MAIN_NS}"><sheetData>{sheet_data}</sheetData></worksheet>',
        )
        archive.writestr(
            "xl/sharedStrings.xml", f'<sst xmlns="{MAIN_NS}">'.encode() + shared_xml + b"</sst>"
        )
    return path


def inline_row(number: int, values: Sequence) -> str:
    """One <row> of inline strings and numbers, from column A."""
    cells = []
    for index, value in enumerate(values, start=1):
        reference = f"{get_column_letter(index)}{number}"
        if isinstance(value, str):
            cells.append(f'<c r="{reference}" t="inlineStr"><is><t>{value}</t></is></c>')
        elif value is not None:
            cells.append(f'<c r="{reference}"><v>{value}</v></c>')
    return f'<row r="{number}">{"".join(cells)}</row>'


def store_list_xml(rows: Iterable[Mapping], *, first_row: int = 2) -> str:
    """The store list's header row and `rows`, as the XML inside <sheetData>."""
    lines = [inline_row(1, STORE_HEADERS)]
    for number, row in enumerate(rows, start=first_row):
        lines.append(inline_row(number, [row.get(header) for header in STORE_HEADERS]))
    return "".join(lines)
