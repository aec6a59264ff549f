"""Importing third-party visit results filled into the visit template.

Importing validates every row and cell first and writes nothing when anything is
wrong; re-importing the same file is idempotent because a visit's natural key is
(store, inspector, visited_at).
"""

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import IO

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from inspection import scoring
from inspection.models import Standard, Visit, VisitSource, VisitStatus
from inspection.months import month_of
from inspection.services import monthly
from inspection.services.findings import finding_is_blank, visit_findings
from inspection.services.visits import (
    visit_amend,
    visit_check_time,
    visit_create,
    visit_return,
    visit_save_findings,
    visit_submit,
    visits_publish,
)
from inspection.visit_template import (
    BASE_COLUMNS,
    FLAG_SUFFIXES,
    LAPSE_SUFFIX,
    PEAK_SUFFIX,
    flag_columns,
)
from sheets.cells import cell_decimal, cell_integer, cell_minute, cell_text, is_blank
from sheets.reading import read_rows
from sheets.results import CellErrors, ImportResult
from stores.access import can_inspect, membership_of
from stores.models import Store

NA_WORDS = {"n/a", "na", "不适用"}
# Stored on the finding, so it stays in the data's language whatever the UI language.
NA_REASON = "导入文件标注为不适用"
# Finding.measurement holds 6 digits with one decimal.
MAX_MEASUREMENT = Decimal("99999.9")
POINTS_SEPARATORS = re.compile(r"[,，、;；\s]+")


@dataclass
class VisitRow:
    row: int
    store: Store
    inspector: AbstractBaseUser
    visited_at: dt.datetime
    standard: Standard
    findings: dict[str, dict]

    @property
    def key(self) -> tuple:
        return (self.store.pk, self.inspector.pk, self.visited_at)


def _points(value) -> list[int] | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        single = cell_integer(value)
        return None if single is None else [single]
    if not isinstance(value, str):
        return None
    parts = [p for p in POINTS_SEPARATORS.split(value.strip()) if p]
    numbers = [cell_integer(p) for p in parts]
    return numbers if numbers and None not in numbers else None


def _item_cell(item: Mapping, value) -> tuple[dict | None, str | None]:
    """One item's cell as a finding (None when blank), or why it cannot be read.

    Range and sign checks are left to `scoring.validate_findings`, so the form and
    the importer refuse exactly the same findings.
    """
    if is_blank(value):
        return None, None
    if isinstance(value, str) and value.strip().casefold() in NA_WORDS:
        return {"na": True, "na_reason": NA_REASON}, None
    kind = item["kind"]
    if kind == scoring.FIXED:
        occurrences = cell_integer(value)
        if occurrences is None:
            return None, _("次数必须是不小于0的整数。")
        return {"occurrences": occurrences}, None
    if kind == scoring.RANGED:
        points = _points(value)
        if points is None:
            return None, _("请填写每个要点的扣分（整数），多个要点用逗号分隔，如 4,5。")
        return {"points": points}, None
    measurement = cell_decimal(value)
    if measurement is None:
        if kind == scoring.COUNT:
            return None, _("请填写数量（整数）或 N/A。")
        return None, _("请填写分钟数（数字）或 N/A。")
    if abs(measurement) > MAX_MEASUREMENT:
        return None, _("数值过大。")
    return {"measurement": measurement}, None


def _flag_cell(value, suffix: str) -> tuple[bool, str | None]:
    """A 1/0 column beside an item: peak time or rain/snow, or an observed lapse."""
    if is_blank(value):
        return False, None
    if isinstance(value, bool):
        return value, None
    number = cell_integer(value)
    if number in (0, 1):
        return bool(number), None
    if suffix == LAPSE_SUFFIX:
        return False, _("请填写 1（现场发现不符合）或 0（否）。")
    return False, _("请填写 1（高峰期或雨雪天）或 0（否）。")


def _inspector_refusals(user: AbstractBaseUser, store: Store | None) -> list[str]:
    """Ruling R10: an imported visit names an active inspector from another branch
    than the store's (never a store manager, headquarters or an administrator)."""
    name = user.get_username()
    if not user.is_active:
        return [_("“%(value)s”的账号已停用，不能作为检查员。") % {"value": name}]
    if not can_inspect(user):
        return [_("“%(value)s”不是检查员。") % {"value": name}]
    home = membership_of(user).branch_id
    if store is not None and home is not None and home == store.branch_id:
        return [
            _("检查员“%(value)s”属于该厅所在的分公司，不能检查本分公司的营业厅。") % {"value": name}
        ]
    return []


class _Validator:
    """Reads every row of a visits file, collecting every bad cell."""

    def __init__(self, headers: list[str], errors: CellErrors):
        self.headers = headers
        self.errors = errors
        self.standards: dict[dt.date, Standard] = {}
        self.rules: dict[int, dict] = {}
        self.seen: dict[tuple, int] = {}

    def error(self, row: int, column: str, message: str) -> None:
        self.errors.add(row, column, message)

    def standard_on(self, day: dt.date) -> Standard:
        if day not in self.standards:
            self.standards[day] = Standard.in_force(day)
        standard = self.standards[day]
        if standard.pk not in self.rules:
            self.rules[standard.pk] = standard.rules()
        return standard

    def row(self, number: int, cells: dict, stores: dict, users: dict) -> VisitRow | None:
        count_before = len(self.errors)
        store = self._lookup(number, cells, "store_code", stores, _("未知的门店编码“%(value)s”。"))
        inspector = self._lookup(
            number, cells, "inspector", users, _("未知的检查员用户名“%(value)s”。")
        )
        refusals = _inspector_refusals(inspector, store) if inspector else []
        for message in refusals:
            self.error(number, "inspector", message)
        visited_at = None
        if is_blank(cells.get("visited_at")):
            self.error(number, "visited_at", _("必须填写。"))
        else:
            visited_at = cell_minute(cells["visited_at"])
            if visited_at is None:
                self.error(
                    number,
                    "visited_at",
                    _("检查时间格式不正确，请填写 YYYY-MM-DD HH:MM，如 2026-11-03 14:30。"),
                )
            else:
                # Without a known store only the "not in the future" check can run.
                for message in visit_check_time(store=store or Store(), visited_at=visited_at):
                    self.error(number, "visited_at", message)
        day = timezone.localtime(visited_at).date() if visited_at else timezone.localdate()
        standard = self.standard_on(day)
        findings = self._findings(number, cells, self.rules[standard.pk], store)
        if store and inspector and visited_at:
            key = (store.pk, inspector.pk, visited_at)
            if key in self.seen:
                self.error(
                    number,
                    "visited_at",
                    _("与第%(row)s行重复：同一营业厅、同一检查员、同一检查时间。")
                    % {"row": self.seen[key]},
                )
            else:
                self.seen[key] = number
        if len(self.errors) > count_before:
            return None
        return VisitRow(number, store, inspector, visited_at, standard, findings)

    def _lookup(self, number, cells, column, objects, unknown_message):
        value = cells.get(column)
        if is_blank(value):
            self.error(number, column, _("必须填写。"))
            return None
        found = objects.get(cell_text(value))
        if found is None:
            self.error(number, column, unknown_message % {"value": cell_text(value)})
        return found

    def _findings(self, number: int, cells: dict, rules: dict, store: Store | None) -> dict:
        items = {item["code"]: item for item in rules["items"]}
        findings = {}
        for header in self.headers:
            if header in BASE_COLUMNS or header.endswith(FLAG_SUFFIXES) or not header:
                continue
            if header not in items:
                # A column of another standard version than the one in force at this visit.
                if not is_blank(cells.get(header)):
                    self.error(number, header, _("该检查时间适用的服务标准中没有此细项。"))
                continue
            finding, message = _item_cell(items[header], cells.get(header))
            if message:
                self.error(number, header, message)
            elif finding is not None:
                findings[header] = finding
        for header in self.headers:
            suffix = next((s for s in FLAG_SUFFIXES if header.endswith(s)), None)
            code = header.removesuffix(suffix or "")
            if suffix is None or code not in items:
                continue
            flag, message = _flag_cell(cells.get(header), suffix)
            if message:
                self.error(number, header, message)
            elif not flag:
                continue
            elif suffix == PEAK_SUFFIX:
                if findings.get(code, {}).get("measurement") is not None:
                    findings[code]["peak"] = True
            elif findings.get(code, {}).get("na"):
                self.error(
                    number,
                    header,
                    _("%(code)s 已标为不适用，不能同时填写现场发现不符合。") % {"code": code},
                )
            else:
                # An observed lapse is the measured item's one occurrence (ruling R1).
                findings.setdefault(code, {})["occurrences"] = 1
        attributes = store.scoring_attributes() if store else {}
        for error in scoring.validate_findings(rules, attributes, findings):
            # Applicability needs the store; an unknown store is reported already.
            if store or error.field != "code":
                self.error(number, error.code, error.message)
        return findings


def _unknown_headers(headers: list[str]) -> list[str]:
    """Headers that name no item of any standard version, nor a base column."""
    known = set(BASE_COLUMNS)
    for standard in Standard.objects.all():
        for item in standard.rules()["items"]:
            known.add(item["code"])
            known.update(flag_columns(item))
    return [header for header in headers if header and header not in known]


def visits_validate(file: str | IO[bytes]) -> tuple[list[VisitRow], CellErrors, int]:
    sheet, errors = read_rows(file)
    if errors:
        return [], errors, 0
    rows = sheet.rows
    headers = list(dict.fromkeys(sheet.headers))
    for column in BASE_COLUMNS:
        if column not in headers:
            errors.add(1, column, _("缺少“%(column)s”列。") % {"column": column})
    unknown = _unknown_headers(headers)
    for header in unknown:
        errors.add(1, header, _("未知的列“%(column)s”：不是检查细项编码。") % {"column": header})
    if any(column not in headers for column in BASE_COLUMNS):
        return [], errors, len(rows)
    stores = Store.objects.in_bulk(
        {cell_text(c["store_code"]) for _n, c in rows if not is_blank(c.get("store_code"))},
        field_name="code",
    )
    users = (
        get_user_model()
        .objects.select_related("membership")
        .in_bulk(
            {cell_text(c["inspector"]) for _n, c in rows if not is_blank(c.get("inspector"))},
            field_name="username",
        )
    )
    validator = _Validator([header for header in headers if header not in unknown], errors)
    parsed = [validator.row(number, cells, stores, users) for number, cells in rows]
    return [row for row in parsed if row is not None], errors, len(rows)


def _comparable(findings: Mapping[str, Mapping]) -> dict[str, tuple]:
    """Findings reduced to what scores them, so a re-imported row compares equal to its visit."""
    reduced = {}
    for code, finding in findings.items():
        # The services store nothing for a blank finding; neither may the comparison.
        if finding_is_blank(finding):
            continue
        measurement = finding.get("measurement")
        value = (
            int(finding.get("occurrences") or 0),
            tuple(int(p) for p in finding.get("points") or ()),
            None if measurement is None else Decimal(str(measurement)),
            bool(finding.get("peak")),
            bool(finding.get("na")),
        )
        # A finding holding only a note scores like no finding.
        if value != (0, (), None, False, False):
            reduced[code] = value
    return reduced


def _existing_visits(rows: list[VisitRow]) -> dict[tuple, Visit]:
    if not rows:
        return {}
    visits = Visit.objects.filter(
        store__in={r.store.pk for r in rows},
        inspector__in={r.inspector.pk for r in rows},
        visited_at__in={r.visited_at for r in rows},
    ).select_related("store", "standard")
    return {(v.store_id, v.inspector_id, v.visited_at): v for v in visits}


def visits_import(
    *,
    file: str | IO[bytes],
    publish: bool = True,
    by=None,
    dry_run: bool = False,
    source_name: str = "",
) -> ImportResult:
    """Create, update or amend visits from a filled-in visit template.

    New visits are submitted and published together (each month marked for one
    re-rank) unless `publish` is False. `by` publishes and amends; when None, each
    row's inspector does.
    """
    rows, errors, count = visits_validate(file)
    result = ImportResult.of(errors, rows=count)
    if errors:
        return result
    existing = _existing_visits(rows)
    # Stored data like NA_REASON, in the words the product owner chose.
    reason = f"重新导入：{source_name}" if source_name else "重新导入"
    changes = []
    for row in rows:
        visit = existing.get(row.key)
        if visit is None:
            result.created += 1
            changes.append((row, None))
        elif _comparable(visit_findings(visit)) == _comparable(row.findings):
            result.unchanged += 1
        else:
            result.updated += 1
            changes.append((row, visit))
    if dry_run:
        return result
    to_publish = defaultdict(list)
    with transaction.atomic():
        # Every month this import re-ranks, marked before any visit is locked (see
        # monthly.month_rankings_lock).
        monthly.month_rerank_request(
            months={
                month_of(row.visited_at)
                for row, visit in changes
                if (visit is None and publish)
                or (visit is not None and visit.status == VisitStatus.PUBLISHED)
            }
        )
        for row, visit in changes:
            if visit is None:
                visit = _visit_create(row)
                if publish:
                    visit_submit(visit=visit)
                    to_publish[by or row.inspector].append(visit)
            else:
                _visit_replace(visit, row, by=by or row.inspector, reason=reason)
        for publisher, visits in to_publish.items():
            visits_publish(visits=visits, by=publisher)
    return result


def _visit_create(row: VisitRow) -> Visit:
    visit = visit_create(
        store=row.store,
        inspector=row.inspector,
        visited_at=row.visited_at,
        standard=row.standard,
        source=VisitSource.IMPORT,
    )
    return visit_save_findings(visit=visit, findings=row.findings)


def _visit_replace(visit: Visit, row: VisitRow, *, by, reason: str) -> None:
    """New findings for a visit already in the app, through the path its status allows."""
    if visit.status == VisitStatus.PUBLISHED:
        visit_amend(visit=visit, by=by, reason=reason, findings=row.findings)
        return
    resubmit = visit.status == VisitStatus.SUBMITTED
    if resubmit:
        visit_return(visit=visit, by=by, reason=reason)
    visit_save_findings(visit=visit, findings=row.findings)
    if resubmit:
        visit_submit(visit=visit)
