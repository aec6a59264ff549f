"""分公司汇总: per branch, store counts and the plain means of its stores' monthly scores."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from operator import attrgetter

from django.db.models import Count
from django.utils.translation import gettext as _

from inspection.exports.context import BRANCHES, CHUNK, WorkbookContext
from inspection.exports.engine import ALERT, INT, SCORE, TEXT, Column, Columns, Sheet
from inspection.scoring import round_half_up


@dataclass
class BranchTally:
    name: str
    stores: int
    ranked: int = 0
    visits: int = 0
    bonus: int = 0
    red_lines: int = 0
    zeroed: int = 0
    # Sums of the ranked stores' base and total scores, and of each section's.
    sums: defaultdict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    lowest: Decimal | None = None
    highest: Decimal | None = None

    def add(self, *, visits, base, total, bonus, red_lines, zeroed, sections) -> None:
        self.ranked += 1
        self.visits += visits
        self.bonus += 1 if bonus else 0
        self.red_lines += red_lines
        self.zeroed += zeroed
        self.sums["base"] += base
        self.sums["total"] += total
        for code, value in sections.items():
            self.sums[code] += Decimal(str(value))
        self.lowest = total if self.lowest is None else min(self.lowest, total)
        self.highest = total if self.highest is None else max(self.highest, total)

    def mean(self, key: str) -> Decimal | None:
        return round_half_up(self.sums[key] / self.ranked) if self.ranked else None


def _rounded(value: Decimal | None) -> Decimal | None:
    return None if value is None else round_half_up(value)


def branch_columns(context: WorkbookContext) -> Columns:
    # The measure on the first line, the statistic below it: headers stay two
    # tidy lines instead of wrapping mid-word.
    mean, highest, lowest = _("（平均）"), _("（最高）"), _("（最低）")
    base, total = _("基础得分"), _("月度总分")
    return Columns(
        [
            Column("branch", _("分公司"), TEXT, 14, value=attrgetter("name")),
            Column("stores", _("营业厅数"), INT, 9, value=attrgetter("stores")),
            Column("ranked", _("已检查"), INT, 7, value=attrgetter("ranked")),
            Column("not_ranked", _("未检查"), INT, 7, value=lambda t: max(0, t.stores - t.ranked)),
            Column("visits", _("检查次数"), INT, 9, value=attrgetter("visits")),
            Column("base_mean", f"{base}\n{mean}", SCORE, 10, value=lambda t: t.mean("base")),
            Column("total_mean", f"{total}\n{mean}", SCORE, 10, value=lambda t: t.mean("total")),
            Column(
                "total_high", f"{total}\n{highest}", SCORE, 10, value=lambda t: _rounded(t.highest)
            ),
            Column(
                "total_low", f"{total}\n{lowest}", SCORE, 10, value=lambda t: _rounded(t.lowest)
            ),
            Column("bonus", _("获加分厅数"), INT, 11, value=attrgetter("bonus")),
            Column("red_lines", _("红线次数"), ALERT, 9, value=lambda t: t.red_lines or None),
            Column("zeroed", _("零分次数"), ALERT, 9, value=lambda t: t.zeroed or None),
            *(
                Column(
                    f"section:{s.code}",
                    f"{context.section_header(s)}\n{mean}",
                    SCORE,
                    12,
                    value=lambda t, code=s.code: t.mean(code),
                )
                for s in context.sections
            ),
        ],
        context,
    )


def branch_tallies(context: WorkbookContext) -> Iterator[BranchTally]:
    branches = (
        context.scope.stores.filter(is_active=True)
        .values("branch_id", "branch__name", "branch__code")
        .annotate(stores=Count("pk"))
        .order_by("branch__code")
    )
    tallies = {b["branch_id"]: BranchTally(b["branch__name"], b["stores"]) for b in branches}
    results = context.results().values_list(
        "store__branch_id", "visit_count", "base_score", "total", "bonus", "red_line_visits",
        "zeroed_visits", "section_scores",
    )  # fmt: skip
    for branch_id, visits, base, total, bonus, red, zeroed, sections in results.iterator(
        chunk_size=CHUNK
    ):
        # A branch whose stores are all closed has results but no row.
        if branch_id in tallies:
            tallies[branch_id].add(
                visits=visits,
                base=base,
                total=total,
                bonus=bonus,
                red_lines=red,
                zeroed=zeroed,
                sections=sections,
            )
    yield from tallies.values()


def branch_sheet(context: WorkbookContext) -> Sheet:
    tallies = branch_tallies(context)
    return Sheet(BRANCHES, branch_columns(context), tallies, ("total_mean",), frozen_columns=1)
