"""说明: what the workbook covers and how its scores are made, as data.

Each note is a label and the lines of its text, both message ids translated when
the workbook is written and filled from `_values` (the standard's own numbers, so
a new standard version explains itself). A note `per` a list of values repeats
once for each entry; a note `unless` a value is true is left out.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from operator import itemgetter

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from inspection.exports.context import NOTES, WorkbookContext
from inspection.exports.engine import PARAGRAPH, Column, Columns, Sheet


@dataclass(frozen=True)
class Note:
    label: str
    lines: tuple[str, ...]
    per: str = ""
    unless: str = ""


def note(label: str, *lines: str, per: str = "", unless: str = "") -> Note:
    return Note(label, lines, per, unless)


NOTE_LIST = (
    note(gettext_noop("服务标准"), "%(standard)s"),
    note(gettext_noop("月份"), "%(month)s"),
    note(gettext_noop("范围"), "%(scope)s"),
    note(gettext_noop("生成时间"), "%(generated)s"),
    note(
        gettext_noop("满分"),
        gettext_noop(
            "每次检查满分100分：%(parts)s。C 加分项目只加在月度总分上，不加在单次检查上。"
        ),
    ),
    note(gettext_noop("各项目满分"), "%(sections)s"),
    note(
        gettext_noop("扣分与保底"),
        gettext_noop(
            "每个项目从满分开始扣分，扣完为止，最低0分；一个项目的扣分不会转到其他项目。"
            "同一问题出现多次按次数扣分，标明“每次检查只扣一次”的细项最多扣一次。"
            "不适用的细项不扣分。"
        ),
    ),
    note(
        gettext_noop("零分规则"),
        gettext_noop(
            "%(code)s %(text)s：等候满%(limit)s分钟前台仍无人，该次检查总分记0分；"
            "各项扣分照常记录在扣分明细中，检查明细照常列出各项目得分，但标为不计入："
            "月度各项目平均得分中该次检查各项目按0分计，各项目平均得分之和等于基础得分。"
        ),
        per="zeroing_items",
    ),
    note(
        gettext_noop("检查总分"),
        gettext_noop("检查总分 = 各项目得分之和（0–100分），触发零分规则时为0分。"),
    ),
    note(
        gettext_noop("月度基础得分"),
        gettext_noop(
            "该厅本月所有已发布检查总分的算术平均值。表中四舍五入保留两位小数，"
            "排名按未舍入的精确值。本月没有已发布检查的营业厅不参加排名，列在“未检查”表中。"
        ),
    ),
    note(
        gettext_noop("加分规则"),
        gettext_noop(
            "基础得分在同类厅排名前%(top)s名（含并列第%(top)s名），至少符合%(min)s项加分项目，"
            "并有值得推广的创新或服务亮点，方可加1–%(max)s分；每厅每月最多加%(max)s分。"
            "月度总分 = 基础得分 + 加分（最高%(highest)s分）。"
            "每次重新排名时都重新检查排名条件：基础得分跌出同类厅前%(top)s名的营业厅，"
            "加分保留在“加分”表中，标为“不计入”，不加到月度总分上；回到前%(top)s名时自动重新计入。"
        ),
    ),
    note(
        gettext_noop("排名"),
        gettext_noop(
            "按月度总分从高到低排名，分数相同名次相同，下一名次顺延（1、2、2、4）。"
            "分别给出总排名、同类厅排名和分公司内排名。"
            "名次变化 = 上月总排名 − 本月总排名：↑ 为上升，↓ 为下降，→ 为持平。"
        ),
    ),
    note(
        gettext_noop("红线"),
        gettext_noop("%(items)s 属于“五条禁令”，除扣分外该次检查标记为红线，列在“红线”表中。"),
    ),
    note(
        gettext_noop("公式核对"),
        gettext_noop(
            "“检查明细”中各项目得分和总分是公式：项目得分 = MAX(0, 满分 − "
            "扣分明细中该次检查该项目的扣分合计)，总分 = 各项目之和（零分规则成立时为0）。"
            "“汇总排名”中的公式复核 = "
            "该厅各次检查总分的平均值 + “加分”表中该厅“计入”的加分。"
            "“核对”列比较公式结果与系统保存的分数，"
            "应全部为“一致”。检查明细的公式按行引用扣分明细，查看扣分明细请用筛选，不要排序。系统保存的各项目得分在“检查明细”右侧的折叠列中。"
        ),
    ),
    note(
        gettext_noop("工作表"),
        gettext_noop(
            "汇总排名：本月有已发布检查的营业厅，按总排名排列；含各项目平均得分和名次变化。"
        ),
        gettext_noop("同类厅-…：每个营业厅类别一张，按同类厅排名排列。"),
        gettext_noop("分公司汇总：各分公司的营业厅数、检查次数和平均得分。"),
        gettext_noop("检查明细：每次已发布的检查一行，项目得分和总分为公式。"),
        gettext_noop("扣分明细：本月每一项扣分（含触发零分规则的记录）。"),
        gettext_noop(
            "红线：有红线违规的检查；加分：本月加分及其依据；未检查：本月没有已发布检查的营业厅。"
        ),
    ),
    note(
        gettext_noop("检查员"), gettext_noop("本报表不显示检查员姓名。"), unless="show_inspectors"
    ),
    note(
        gettext_noop("检查时间"),
        gettext_noop("本报表只显示检查日期，不显示检查的具体时间。"),
        unless="show_visit_times",
    ),
)


def _values(context: WorkbookContext) -> dict:
    standard = context.standard
    return {
        "standard": f"{standard.name}（{standard.version}）",
        "month": context.month_label,
        "scope": context.scope.label,
        "generated": context.generated_at.strftime("%Y-%m-%d %H:%M"),
        "parts": "；".join(
            f"{part.code} {part.name} {part.points}分" for part in standard.parts.order_by("order")
        ),
        "sections": "；".join(f"{s.code} {s.name} {s.points}分" for s in context.sections),
        "zeroing_items": [
            {"code": item.code, "text": item.text, "limit": f"{item.limit.normalize():f}"}
            for item in context.zeroing_items
        ],
        "top": standard.bonus_top_n,
        "min": standard.bonus_min_criteria,
        "max": standard.bonus_max_points,
        "highest": 100 + standard.bonus_max_points,
        "items": "、".join(
            f"{i.code} {i.text}（{i.prohibition.name}）"
            for i in standard.items.filter(red_line=True).select_related("prohibition")
        ),
        "show_inspectors": context.scope.show_inspectors,
        "show_visit_times": context.scope.show_visit_times,
    }


def note_rows(context: WorkbookContext) -> Iterator[tuple[str, str]]:
    values = _values(context)
    for entry in NOTE_LIST:
        if entry.unless and values[entry.unless]:
            continue
        for each in values[entry.per] if entry.per else [{}]:
            filled = {**values, **each}
            yield _(entry.label), "\n".join(_(line) % filled for line in entry.lines)


def notes_sheet(context: WorkbookContext) -> Sheet:
    columns = [
        Column("label", _("项目"), PARAGRAPH, 16, value=itemgetter(0)),
        Column("text", _("内容"), PARAGRAPH, 110, value=itemgetter(1)),
    ]
    return Sheet(NOTES, Columns(columns, context), note_rows(context), autofilter=False)
