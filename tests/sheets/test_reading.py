"""Uploaded workbooks are read within limits: hostile files are refused as a whole,
quickly and in the user's language, before openpyxl builds anything big."""

import datetime as dt

import pytest
from openpyxl import Workbook

from sheets.reading import (
    MAX_COLUMNS,
    MAX_ROW_NUMBER,
    MAX_ROWS,
    MAX_SHARED_STRINGS,
    MAX_UNCOMPRESSED_BYTES,
    read_rows,
    read_sheet,
)
from tests.spreadsheets import STORE_HEADERS, crafted_xlsx, inline_row, store_list_xml, store_row


def only_error(path) -> str:
    sheet, errors = read_rows(path)
    assert sheet.rows == []
    assert [(e.row, e.column) for e in errors.listed] == [(0, "")]
    return errors.listed[0].message


def test_it_reads_the_headers_and_non_blank_rows_of_a_crafted_file(tmp_path):
    xml = store_list_xml([store_row(), store_row(code="ZJ002")])
    path = crafted_xlsx(tmp_path / "stores.xlsx", xml + '<row r="9"><c r="A9"/></row>')

    sheet = read_sheet(path)

    assert sheet.headers == list(STORE_HEADERS)
    assert [(number, cells["code"], cells["counters"]) for number, cells in sheet.rows] == [
        (2, "ZJ001", 3),
        (3, "ZJ002", 3),
    ]


def test_it_refuses_shared_strings_that_inflate_past_the_limit(tmp_path):
    # Like the reported bomb: a small upload holding a huge run of shared strings.
    string = b"<si><t>aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa</t></si>"
    shared = string * (MAX_UNCOMPRESSED_BYTES // len(string) + 1)
    path = crafted_xlsx(tmp_path / "bomb.xlsx", inline_row(1, ["code"]), shared_xml=shared)
    assert path.stat().st_size < 1024 * 1024

    assert "解压后超过32.0\xa0MB" in only_error(path)


def test_it_refuses_more_shared_strings_than_the_limit(tmp_path):
    shared = b"<si><t>a</t></si>" * (MAX_SHARED_STRINGS + 1)
    path = crafted_xlsx(tmp_path / "strings.xlsx", inline_row(1, ["code"]), shared_xml=shared)

    assert f"文字超过{MAX_SHARED_STRINGS}条" in only_error(path)


def test_it_refuses_a_row_number_past_the_limit_without_walking_up_to_it(tmp_path):
    xml = store_list_xml([store_row()]) + inline_row(99999999999, ["ZJ002"])
    path = crafted_xlsx(tmp_path / "far.xlsx", xml)

    assert "第99999999999行超出了20000行的上限" in only_error(path)


def test_it_refuses_a_cell_past_the_last_column(tmp_path):
    xml = inline_row(1, ["code"]) + '<row r="2"><c r="ZZZ2"><v>1</v></c></row>'
    path = crafted_xlsx(tmp_path / "wide.xlsx", xml)

    assert f"第ZZZ列超出了{MAX_COLUMNS}列的上限" in only_error(path)


def codes_xml(count: int, *, first_row: int = 2) -> str:
    """A "code" header and `count` rows each holding its own row number."""
    numbers = range(first_row, first_row + count)
    return inline_row(1, ["code"]) + "".join(inline_row(n, [n]) for n in numbers)


def test_it_refuses_more_data_rows_than_the_limit(tmp_path):
    path = crafted_xlsx(tmp_path / "long.xlsx", codes_xml(MAX_ROWS + 1))

    assert f"文件超过{MAX_ROWS}行数据" in only_error(path)


def test_the_row_limits_leave_room_for_the_largest_file_allowed(tmp_path):
    xml = codes_xml(MAX_ROWS, first_row=MAX_ROW_NUMBER - MAX_ROWS + 1)
    sheet, errors = read_rows(crafted_xlsx(tmp_path / "full.xlsx", xml))

    assert not errors
    assert len(sheet.rows) == MAX_ROWS
    assert sheet.rows[-1] == (MAX_ROW_NUMBER, {"code": MAX_ROW_NUMBER})


@pytest.mark.parametrize(
    "sheet_data",
    [
        pytest.param('<row r="1"><c r="A1" t="n"><v>abc</v></c></row>', id="text in a number"),
        pytest.param('<row r="1"><c r="A1" t="d"><v>yesterday</v></c></row>', id="bad date"),
        pytest.param('<row r="1"><c r="A1" t="s"><v>7</v></c></row>', id="no such string"),
        pytest.param('<row r="x"><c r="A1"><v>1</v></c></row>', id="bad row number"),
        pytest.param('<row r="1"><c r="1A"><v>1</v></c></row>', id="bad cell reference"),
        pytest.param('<row r="1"><c r="A1"><v>1</v></row>', id="broken XML"),
    ],
)
def test_a_cell_or_part_that_cannot_be_parsed_is_one_clear_file_error(tmp_path, sheet_data):
    path = crafted_xlsx(tmp_path / "bad.xlsx", sheet_data)

    assert only_error(path) == (
        "文件内容已损坏，无法读取。请用 Excel 打开后另存为 .xlsx，再重新上传。"
    )


def test_a_file_that_is_not_a_zip_cannot_be_read(tmp_path):
    path = tmp_path / "stores.xlsx"
    path.write_bytes(b"code,name\n")

    assert only_error(path) == "无法读取该文件，请上传 Excel（.xlsx）文件。"


def test_a_sheet_without_data_rows_says_so(tmp_path):
    assert only_error(crafted_xlsx(tmp_path / "empty.xlsx", inline_row(1, STORE_HEADERS))) == (
        "文件中没有数据行。"
    )


def test_cells_keep_their_types_when_read_from_a_file_object(tmp_path):
    workbook = Workbook()
    workbook.active.append(["when", "count", "text"])
    workbook.active.append([dt.datetime(2026, 10, 5, 9, 30), 3, " x "])
    workbook.save(tmp_path / "typed.xlsx")

    with (tmp_path / "typed.xlsx").open("rb") as upload:
        sheet = read_sheet(upload)

    assert sheet.rows == [(2, {"when": dt.datetime(2026, 10, 5, 9, 30), "count": 3, "text": " x "})]
