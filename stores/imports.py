"""The store list as a spreadsheet: its template, and importing it (create or update by code).

Every row and cell is validated before anything is written, so a file with one
mistake changes nothing; the report names each bad cell by its spreadsheet row
and column header.
"""

import datetime as dt
import re
from dataclasses import dataclass
from typing import IO
from zipfile import BadZipFile

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from openpyxl import Workbook
from openpyxl.utils.exceptions import InvalidFileException

from inspection.xlsx import CellError, ImportReport, read_sheet, text_cell
from stores.models import Branch, Category, LocationClass, Store

STORE_COLUMNS: list[tuple[str, str]] = [
    ("code", gettext_noop("门店编码（必填，唯一；已有的编码更新该厅，新编码新增）")),
    ("name", gettext_noop("营业厅名称（必填）")),
    ("branch", gettext_noop("所属分公司名称（必填；系统中没有的分公司会自动新建）")),
    (
        "category",
        gettext_noop(
            "营业厅类别（必填）：沟通100服务店、全球通品牌店、动感地带品牌店、手机卖场、"
            "普通营业厅、乡镇营业厅（也可填英文编码，如 flagship）"
        ),
    ),
    (
        "location_class",
        gettext_noop("区域类别（必填）：市区，或 县城/郊县（也可填 县城、郊县、city、county）"),
    ),
    ("counters", gettext_noop("台席数（必填，正整数）")),
    (
        "rest_area",
        gettext_noop("是否有客户休息区：是/否（也可填 1/0、yes/no、true/false；留空视为否）"),
    ),
    ("opened_on", gettext_noop("开业日期（可留空）：日期单元格，或 YYYY-MM-DD 格式的文字")),
]

# Headers people type in Chinese, accepted beside the keys above.
HEADER_ALIASES = {
    "门店编码": "code",
    "编码": "code",
    "名称": "name",
    "营业厅名称": "name",
    "分公司": "branch",
    "营业厅类别": "category",
    "类别": "category",
    "区域类别": "location_class",
    "台席数": "counters",
    "客户休息区": "rest_area",
    "有客户休息区": "rest_area",
    "开业日期": "opened_on",
}

REQUIRED = ("code", "name", "branch", "category", "location_class", "counters")
MAX_LENGTHS = {"code": 30, "name": 200, "branch": 100}
MAX_COUNTERS = 999

LOCATION_WORDS = {
    "市区": LocationClass.CITY,
    "city": LocationClass.CITY,
    "县城/郊县": LocationClass.COUNTY,
    "县城": LocationClass.COUNTY,
    "郊县": LocationClass.COUNTY,
    "county": LocationClass.COUNTY,
}
YES_WORDS = {"是", "1", "yes", "true", "y"}
NO_WORDS = {"否", "0", "no", "false", "n"}
DATE_RE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$")


@dataclass
class StoreRow:
    row: int
    code: str
    name: str
    branch: str
    category: str
    location_class: str
    counters: int
    has_rest_area: bool
    opened_on: dt.date | None


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def cell_text(value) -> str:
    """A cell as text; whole numbers typed into a text column (codes) lose their '.0'."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def file_errors(file: str | IO[bytes]) -> tuple[list[tuple[int, dict]], list[CellError]]:
    """All data rows of the first sheet, or why the file cannot be read (row 0)."""
    try:
        return list(read_sheet(file)), []
    except (BadZipFile, InvalidFileException, KeyError, OSError):
        return [], [CellError(0, "", _("无法读取该文件，请上传 Excel（.xlsx）文件。"))]


def category_labels() -> dict[str, str]:
    """The Chinese label of each category: files use it whatever the UI language is."""
    with translation.override("zh-hans"):
        return {value: str(label) for value, label in Category.choices}


def error_line(error: CellError) -> str:
    """How a command prints one bad cell; row 0 is the file as a whole."""
    if not error.row:
        return error.message
    return _("第%(row)s行 [%(column)s] %(message)s") % {
        "row": error.row,
        "column": error.column,
        "message": error.message,
    }


def summary_line(report: ImportReport, *, dry_run: bool) -> str:
    line = _("共%(rows)s行：新增%(created)s，更新%(updated)s，未变%(unchanged)s。") % {
        "rows": report.rows,
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
    }
    return _("（试运行，未写入）") + line if dry_run else line


def _category(text: str) -> str | None:
    for value, label in category_labels().items():
        if text in (value, label) or text.lower() == value:
            return value
    return None


def _parse_row(number: int, cells: dict, headers: dict) -> tuple[StoreRow | None, list]:
    errors = []

    def error(key, message):
        errors.append(CellError(number, headers[key], message))

    values = {key: cells.get(header) for key, header in headers.items()}
    for key in REQUIRED:
        if is_blank(values[key]):
            error(key, _("必须填写。"))
    text = {k: cell_text(values[k]) for k in ("code", "name", "branch") if not is_blank(values[k])}
    for key, limit in MAX_LENGTHS.items():
        if len(text.get(key, "")) > limit:
            error(key, _("不能超过%(max)s个字符。") % {"max": limit})

    category = None
    if not is_blank(values["category"]):
        category = _category(cell_text(values["category"]))
        if category is None:
            error(
                "category",
                _("未知的营业厅类别“%(value)s”，请填写：%(choices)s。")
                % {
                    "value": cell_text(values["category"]),
                    "choices": "、".join(category_labels().values()),
                },
            )

    location = None
    if not is_blank(values["location_class"]):
        word = cell_text(values["location_class"])
        location = LOCATION_WORDS.get(word) or LOCATION_WORDS.get(word.lower())
        if location is None:
            error(
                "location_class",
                _("未知的区域类别“%(value)s”，请填写 市区 或 县城/郊县。") % {"value": word},
            )

    counters = None
    if not is_blank(values["counters"]):
        counters = _positive_integer(values["counters"])
        if counters is None:
            error("counters", _("台席数必须是正整数。"))
        elif counters > MAX_COUNTERS:
            error("counters", _("台席数不能超过%(max)s。") % {"max": MAX_COUNTERS})

    rest_area = _yes_no(values["rest_area"])
    if rest_area is None:
        error("rest_area", _("请填写 是 或 否。"))

    opened_on = _date(values["opened_on"])
    if opened_on is False:
        error("opened_on", _("日期格式不正确，请填写日期或 YYYY-MM-DD。"))

    if errors:
        return None, errors
    return (
        StoreRow(
            row=number,
            code=text["code"],
            name=text["name"],
            branch=text["branch"],
            category=category,
            location_class=location,
            counters=counters,
            has_rest_area=rest_area,
            opened_on=opened_on,
        ),
        [],
    )


def _positive_integer(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    return value if isinstance(value, int) and value > 0 else None


def _yes_no(value) -> bool | None:
    if is_blank(value):
        return False
    if isinstance(value, bool):
        return value
    word = cell_text(value).lower()
    if word in YES_WORDS:
        return True
    if word in NO_WORDS:
        return False
    return None


def _date(value) -> dt.date | None | bool:
    """The date, None when blank, False when it is not a date."""
    if is_blank(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and DATE_RE.match(value.strip()):
        try:
            return dt.date.fromisoformat("-".join(f"{int(p):02d}" for p in value.split("-")))
        except ValueError:
            return False
    return False


def _headers(first_row: dict) -> tuple[dict[str, str], list[CellError]]:
    """Map each column key to the header the file uses for it."""
    headers = {}
    for header in first_row:
        key = header if header in dict(STORE_COLUMNS) else HEADER_ALIASES.get(header)
        if key and key not in headers:
            headers[key] = header
    errors = [
        CellError(1, key, _("缺少“%(column)s”列。") % {"column": key})
        for key, _explanation in STORE_COLUMNS
        if key not in headers
    ]
    return headers, errors


def stores_validate(file: str | IO[bytes]) -> tuple[list[StoreRow], list[CellError], int]:
    rows, errors = file_errors(file)
    if errors:
        return [], errors, 0
    if not rows:
        return [], [CellError(0, "", _("文件中没有数据行。"))], 0
    headers, errors = _headers(rows[0][1])
    if errors:
        return [], errors, len(rows)
    parsed = []
    first_row_of_code = {}
    for number, cells in rows:
        store_row, row_errors = _parse_row(number, cells, headers)
        errors.extend(row_errors)
        if store_row is None:
            continue
        if store_row.code in first_row_of_code:
            errors.append(
                CellError(
                    number,
                    headers["code"],
                    _("门店编码 %(code)s 与第%(row)s行重复。")
                    % {"code": store_row.code, "row": first_row_of_code[store_row.code]},
                )
            )
            continue
        first_row_of_code[store_row.code] = number
        parsed.append(store_row)
    return parsed, errors, len(rows)


def _fields(row: StoreRow, branch: Branch | None) -> dict:
    return {
        "name": row.name,
        "branch": branch,
        "category": row.category,
        "location_class": row.location_class,
        "counters": row.counters,
        "has_rest_area": row.has_rest_area,
        "opened_on": row.opened_on,
    }


def _unchanged(store: Store, fields: dict) -> bool:
    return all(getattr(store, name) == value for name, value in fields.items())


def branch_code_free() -> str:
    """A branch code nobody uses yet, for branches the file names but the app lacks."""
    number = Branch.objects.count() + 1
    while Branch.objects.filter(code=f"B{number:03d}").exists():
        number += 1
    return f"B{number:03d}"


def stores_import(*, file: str | IO[bytes], dry_run: bool = False) -> ImportReport:
    """Create or update stores by code from a store-list spreadsheet."""
    rows, errors, count = stores_validate(file)
    report = ImportReport(rows=count, errors=errors)
    if errors:
        return report
    branches = {b.name: b for b in Branch.objects.filter(name__in={r.branch for r in rows})}
    stores = Store.objects.select_related("branch").in_bulk(
        [r.code for r in rows], field_name="code"
    )
    with transaction.atomic():
        for row in rows:
            store = stores.get(row.code)
            branch = branches.get(row.branch)
            if branch is None and not dry_run:
                branch = branches[row.branch] = Branch.objects.create(
                    code=branch_code_free(), name=row.branch
                )
            fields = _fields(row, branch)
            if store is None:
                report.created += 1
                if not dry_run:
                    Store.objects.create(code=row.code, **fields)
            elif branch is not None and _unchanged(store, fields):
                report.unchanged += 1
            else:
                report.updated += 1
                if not dry_run:
                    for name, value in fields.items():
                        setattr(store, name, value)
                    store.save()
    return report


def store_template_write(*, out: str | IO[bytes]) -> None:
    """An empty store list: the header row, and a sheet explaining each column."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("营业厅"))
    sheet.freeze_panes = "A2"
    for letter, width in zip("ABCDEFGH", (14, 28, 16, 18, 14, 10, 10, 14), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.append([text_cell(sheet, header) for header, _explanation in STORE_COLUMNS])
    guide = workbook.create_sheet(_("说明"))
    guide.column_dimensions["A"].width = 16
    guide.column_dimensions["B"].width = 80
    guide.append([text_cell(guide, _("列名")), text_cell(guide, _("填写说明"))])
    for header, explanation in STORE_COLUMNS:
        guide.append([text_cell(guide, header), text_cell(guide, _(explanation))])
    workbook.save(out)
