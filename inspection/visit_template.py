"""The visit import template: one column per item of a standard version, and a
说明 sheet saying what to enter in each, with the item's deduction and limits.

The columns come from the standard's items, so a new standard version gets a new
template without code changes.
"""

from collections.abc import Mapping
from typing import IO

from django.utils.translation import gettext as _

from inspection import scoring
from inspection.models import Standard
from inspection.rules import localized
from sheets.writing import TemplateColumn, template_write
from stores.models import Category, LocationClass

BASE_COLUMNS = ("store_code", "visited_at", "inspector")
PEAK_SUFFIX = "-peak"
LAPSE_SUFFIX = "-lapse"
FLAG_SUFFIXES = (PEAK_SUFFIX, LAPSE_SUFFIX)


def has_peak_column(item: Mapping) -> bool:
    """Items whose time limit depends on peak time or rain/snow need a 1/0 column beside them."""
    return any("peak" in rule for rule in item.get("limit_rules") or ())


def flag_columns(item: Mapping) -> list[str]:
    """The 1/0 columns beside an item's own: whether it was peak time or rain/snow, where
    the limit depends on it, and whether a lapse was observed, where one fails the item
    (A4-03, ruling R1)."""
    suffixes = [PEAK_SUFFIX] if has_peak_column(item) else []
    if item.get("lapse"):
        suffixes.append(LAPSE_SUFFIX)
    return [item["code"] + suffix for suffix in suffixes]


def _number_text(value) -> str:
    return f"{float(value):g}"


def _category_names() -> dict[str, str]:
    """The guide describes stores in the reader's language; unlike the store files'
    cells, nothing here is typed back in."""
    return {value: str(label) for value, label in Category.choices}


def _limits_text(item: Mapping) -> str:
    labels = _category_names()
    parts = []
    for rule in item.get("limit_rules") or ():
        categories = _("、").join(labels[c] for c in rule.get("categories", ()))
        peak = ""
        if "peak" in rule:
            peak = _("高峰期或雨雪天") if rule["peak"] else _("非高峰期")
        condition = categories or peak
        if categories and peak:
            condition = _("%(categories)s%(peak)s") % {"categories": categories, "peak": peak}
        parts.append(
            _("%(condition)s%(limit)s分钟")
            % {"condition": condition, "limit": _number_text(rule["limit"])}
        )
    if parts:
        parts.append(_("其它情况%(limit)s分钟") % {"limit": _number_text(item["limit"])})
        return _("时限（依次判断，先符合的为准）：%(limits)s") % {"limits": _("；").join(parts)}
    return _("时限%(limit)s分钟") % {"limit": _number_text(item["limit"])}


def _requirement_text(rule: Mapping) -> str:
    """One requirement a store's attributes decide (A4-10, ruling R4), with its condition,
    e.g. "4个及以上台席且有客户休息区的营业厅：配备自动叫号排队系统并正常使用"."""
    conditions = []
    if rule.get("counters_at_least"):
        conditions.append(_("%(count)s个及以上台席") % {"count": rule["counters_at_least"]})
    if "has_rest_area" in rule:
        conditions.append(_("设有客户休息区") if rule["has_rest_area"] else _("无客户休息区"))
    requirement = localized(rule["text"], rule["text_en"])
    if not conditions:
        return _("其他营业厅：%(requirement)s") % {"requirement": requirement}
    return _("%(condition)s的营业厅：%(requirement)s") % {
        "condition": _("且").join(conditions),
        "requirement": requirement,
    }


def _item_explanation(item: Mapping) -> str:
    """What to enter in an item's column, with its deduction and limits."""
    kind = item["kind"]
    once = _("，每次检查最多扣一次") if item.get("once") else ""
    if kind == scoring.FIXED:
        text = _("填写发现次数（不小于0的整数），每次扣%(points)s分") % {"points": item["points"]}
        text += once
        if item.get("is_key"):
            text += _("（关键项）")
        if item.get("red_line"):
            text += _("；红线项目，另在月报中列出")
    elif kind == scoring.RANGED:
        text = _(
            "每个遗漏或错误的要点扣%(min)s–%(max)s分：填写各要点的扣分，用逗号分隔，如 4,5；"
            "只有一个要点时填一个数字"
        ) % {"min": item["points_min"], "max": item["points_max"]}
    elif kind == scoring.TIME:
        text = _(
            "填写实测分钟数（最多一位小数），超过时限扣%(points)s分%(once)s，恰好等于时限不扣分；"
            "%(limits)s"
        ) % {"points": item["points"], "once": once, "limits": _limits_text(item)}
        if has_peak_column(item):
            text += _("；是否高峰期或雨雪天填在 %(column)s 列") % {
                "column": item["code"] + PEAK_SUFFIX
            }
        if item.get("lapse"):
            text += _("；现场发现不符合填在 %(column)s 列，发现或超时都扣分，合计只扣一次") % {
                "column": item["code"] + LAPSE_SUFFIX
            }
    elif kind == scoring.COUNT:
        required = _("，").join(
            _("%(location)s须达到%(count)s项")
            % {"location": LocationClass(location).label, "count": count}
            for location, count in item["required_count"].items()
        )
        text = _("填写实际提供的项数（0–%(max)s的整数）；%(required)s，不足扣%(points)s分") % {
            "max": item["max_count"],
            "required": required,
            "points": item["points"],
        }
        text += once
    else:
        text = _(
            "填写无人值守、无人前来接待的分钟数（最多一位小数）；满%(limit)s分钟整次检查计0分"
        ) % {"limit": _number_text(item["limit"])}
    if item.get("requirement_rules"):
        text += _("；适用哪项要求由系统按营业厅判定：%(requirements)s") % {
            "requirements": _("；").join(_requirement_text(r) for r in item["requirement_rules"])
        }
    categories = (item.get("applies_to") or {}).get("categories")
    if categories:
        labels = _category_names()
        text += _("；仅适用于%(categories)s，其它营业厅请留空") % {
            "categories": _("、").join(labels[c] for c in categories)
        }
    return text + _("。未发现问题留空；不适用填 N/A。")


def _template_rows(standard: Standard) -> list[tuple[str, str, str]]:
    """(header, the item's text, what to enter) for each column of the template."""
    rows = [
        ("store_code", "", _("营业厅门店编码（必填）。")),
        (
            "visited_at",
            "",
            _("检查时间（必填，北京时间），格式 YYYY-MM-DD HH:MM，如 2026-11-03 14:30。"),
        ),
        ("inspector", "", _("检查员的登录用户名（必填）。")),
    ]
    for item in standard.rules()["items"]:
        rows.append(
            (item["code"], localized(item["text"], item["text_en"]), _item_explanation(item))
        )
        if has_peak_column(item):
            rows.append(
                (
                    item["code"] + PEAK_SUFFIX,
                    _("%(code)s 计时时是否为高峰期或雨雪天") % {"code": item["code"]},
                    _("填写 1（是）或 0（否），留空视为否。%(peak)s")
                    % {"peak": localized(standard.peak_definition, standard.peak_definition_en)},
                )
            )
        if item.get("lapse"):
            rows.append(
                (
                    item["code"] + LAPSE_SUFFIX,
                    _("%(code)s 现场发现不符合") % {"code": item["code"]},
                    _("填写 1（发现：%(lapse)s）或 0（否），留空视为否。")
                    % {"lapse": localized(item["lapse"]["text"], item["lapse"]["text_en"])},
                )
            )
    return rows


def visit_template_columns(standard: Standard) -> list[tuple[str, str]]:
    return [
        (header, _("%(text)s：%(how)s") % {"text": text, "how": how} if text else how)
        for header, text, how in _template_rows(standard)
    ]


def visit_template_write(*, standard: Standard, out: str | IO[bytes]) -> None:
    """The empty results sheet third parties fill in, and a sheet explaining every column."""
    widths = {"store_code": 12, "visited_at": 18, "inspector": 12}
    template_write(
        out=out,
        title=_("检查结果"),
        columns=[
            TemplateColumn(
                header,
                widths.get(header, 13 if header.endswith(FLAG_SUFFIXES) else 9),
                (text, how),
            )
            for header, text, how in _template_rows(standard)
        ],
        guide=[(_("列名"), 14), (_("检查内容"), 48), (_("填写说明"), 80)],
        frozen_columns=len(BASE_COLUMNS),
    )
