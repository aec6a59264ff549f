"""The store list as a spreadsheet: its template, and importing it (create or update by code).

Every row and cell is validated before anything is written, so a file with one
mistake changes nothing; the result names each bad cell by its spreadsheet row
and column header.
"""

import datetime as dt
from dataclasses import dataclass
from typing import IO

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from sheets.cells import cell_date, cell_integer, cell_text, is_blank
from sheets.reading import read_rows
from sheets.results import CellErrors, ImportResult
from sheets.writing import TemplateColumn, template_write
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
# The template's column widths, by key.
WIDTHS = {
    "code": 14,
    "name": 28,
    "branch": 16,
    "category": 18,
    "location_class": 14,
    "counters": 10,
    "rest_area": 10,
    "opened_on": 14,
}


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


def category_labels() -> dict[str, str]:
    """The Chinese label of each category: files use it whatever the UI language is."""
    with translation.override("zh-hans"):
        return {value: str(label) for value, label in Category.choices}


def _category(text: str) -> str | None:
    for value, label in category_labels().items():
        if text in (value, label) or text.lower() == value:
            return value
    return None


def _parse_row(number: int, cells: dict, headers: dict, errors: CellErrors) -> StoreRow | None:
    count_before = len(errors)

    def error(key, message):
        errors.add(number, headers[key], message)

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
        counters = cell_integer(values["counters"])
        if counters is None or counters <= 0:
            error("counters", _("台席数必须是正整数。"))
        elif counters > MAX_COUNTERS:
            error("counters", _("台席数不能超过%(max)s。") % {"max": MAX_COUNTERS})

    rest_area = _yes_no(values["rest_area"])
    if rest_area is None:
        error("rest_area", _("请填写 是 或 否。"))

    opened_on = None
    if not is_blank(values["opened_on"]):
        opened_on = cell_date(values["opened_on"])
        if opened_on is None:
            error("opened_on", _("日期格式不正确，请填写日期或 YYYY-MM-DD。"))

    if len(errors) > count_before:
        return None
    return StoreRow(
        row=number,
        code=text["code"],
        name=text["name"],
        branch=text["branch"],
        category=category,
        location_class=location,
        counters=counters,
        has_rest_area=rest_area,
        opened_on=opened_on,
    )


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


def _headers(names: list[str], errors: CellErrors) -> dict[str, str]:
    """Map each column key to the header the file uses for it."""
    headers = {}
    for header in names:
        key = header if header in dict(STORE_COLUMNS) else HEADER_ALIASES.get(header)
        if key and key not in headers:
            headers[key] = header
    for key, _explanation in STORE_COLUMNS:
        if key not in headers:
            errors.add(1, key, _("缺少“%(column)s”列。") % {"column": key})
    return headers


def stores_validate(file: str | IO[bytes]) -> tuple[list[StoreRow], CellErrors, int]:
    sheet, errors = read_rows(file)
    if errors:
        return [], errors, 0
    headers = _headers(sheet.headers, errors)
    if errors:
        return [], errors, len(sheet.rows)
    parsed = []
    first_row_of_code = {}
    for number, cells in sheet.rows:
        store_row = _parse_row(number, cells, headers, errors)
        if store_row is None:
            continue
        if store_row.code in first_row_of_code:
            errors.add(
                number,
                headers["code"],
                _("门店编码 %(code)s 与第%(row)s行重复。")
                % {"code": store_row.code, "row": first_row_of_code[store_row.code]},
            )
            continue
        first_row_of_code[store_row.code] = number
        parsed.append(store_row)
    return parsed, errors, len(sheet.rows)


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


def stores_import(*, file: str | IO[bytes], dry_run: bool = False) -> ImportResult:
    """Create or update stores by code from a store-list spreadsheet."""
    rows, errors, count = stores_validate(file)
    result = ImportResult.of(errors, rows=count)
    if errors:
        return result
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
                result.created += 1
                if not dry_run:
                    Store.objects.create(code=row.code, **fields)
            elif branch is not None and _unchanged(store, fields):
                result.unchanged += 1
            else:
                result.updated += 1
                if not dry_run:
                    for name, value in fields.items():
                        setattr(store, name, value)
                    store.save()
    return result


def store_template_write(*, out: str | IO[bytes]) -> None:
    """An empty store list: the header row, and a sheet explaining each column."""
    template_write(
        out=out,
        title=_("营业厅"),
        columns=[
            TemplateColumn(key, WIDTHS[key], (_(explanation),))
            for key, explanation in STORE_COLUMNS
        ],
        guide=[(_("列名"), 16), (_("填写说明"), 80)],
    )
