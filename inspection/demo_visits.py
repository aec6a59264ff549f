"""The demo's visits: planned among the opening hours, given findings to match each
hall's level, scored with the pure scorer and bulk-written a month at a time; and a
few bonus awards a month, each checked against rule 9 by the pure scorer.

Visits are bulk-written (COPY on PostgreSQL), storing exactly what the visit services
store (the Finding rows come from the same `finding_rows`): going through the services
visit by visit takes far too long at benchmark scale, and so does re-ranking a month
after each award as the bonus service does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import ROUND_DOWN, Decimal
from operator import attrgetter

from django.core.exceptions import ValidationError
from django.db import connections, models, router
from django.utils import timezone

from inspection import scoring
from inspection.models import (
    BonusAward,
    BonusCriterion,
    Finding,
    Visit,
    VisitSource,
    VisitStatus,
)
from inspection.months import next_month
from inspection.services import monthly
from inspection.services.findings import finding_rows
from stores.models import Category

OPENS = dt.time(9, 0)
CLOSES = dt.time(18, 0)
BATCH = 1000

# Fixed-deduction items a shopper finds, with how often relative to each other.
FAULTS = {
    "A1-01": 1,
    "A1-02": 2,
    "A1-03": 8,
    "A1-04": 3,
    "A1-05": 5,
    "A1-06": 3,
    "A1-07": 4,
    "A1-08": 2,
    "A2-01": 6,
    "A2-02": 4,
    "A2-03": 5,
    "A2-04": 3,
    "A2-05": 1,
    "A3-01": 6,
    "A3-02": 7,
    "A3-03": 6,
    "A4-01": 4,
    "A4-02": 3,
    "A4-04": 6,
    "A4-05": 3,
    "A4-06": 1,
    "A4-08": 2,
    "A4-09": 2,
    "A4-10": 3,
    "A4-11": 4,
    "A4-12": 2,
    "A4-13": 4,
    "A4-14": 3,
    "A5-01": 6,
    "A5-02": 3,
    "A5-03": 2,
    "B1a-02": 3,
    "B1b-02": 4,
    "B2b-01": 3,
    "B2b-02": 3,
    "B2b-03": 2,
    "B2b-04": 3,
    "B2b-05": 3,
    "B2b-06": 4,
    "B2b-07": 5,
    "B2b-08": 1,
    "B2b-09": 1,
    "B3-01": 3,
    "B3-02": 1,
}

NOTES = {
    "A1-01": ["营业员未穿工装外套，内穿便服。"],
    "A1-02": ["2号台营业员未佩戴工号牌。", "工号牌放在抽屉内，未按规定放置于台面。"],
    "A1-03": ["衬衫下摆外露。", "丝巾未系好。", "制服有明显污渍。"],
    "A1-05": ["男营业员胡须未剃。", "长发未盘起。"],
    "A1-07": ["指甲油颜色过艳。"],
    "A2-01": ["营业员面无表情，语气生硬。", "客户询问时营业员未抬头。"],
    "A2-02": ["未使用“您好”“请”等礼貌用语。"],
    "A2-03": ["两名营业员在台席内聊天。", "营业员在台席内接打私人电话。"],
    "A2-04": ["离席时未向排队客户致歉说明。"],
    "A2-05": ["客户办理20元充值被引导至自助缴费机。"],
    "A2-Z": ["前台无人，等候期间无工作人员出现。"],
    "A3-01": ["客户走到台席前营业员无迎候语。"],
    "A3-02": ["业务办理完毕未致送别语。"],
    "A3-03": ["进门后无人主动询问需求。"],
    "A3-04": ["在体验区停留期间无人上前辅导。"],
    "A4-01": ["门头灯箱部分不亮。", "门前3米内有烟头、纸屑。"],
    "A4-03": ["地面有水渍，清理不及时。", "雨天门口地垫积水未处理。"],
    "A4-04": ["台席上放有水杯和私人手机。"],
    "A4-07": ["自助账单打印机未开通。", "无电脑终端网上业务办理。"],
    "A4-11": ["自助缴费机故障，未张贴告示。", "话单打印机缺纸。"],
    "A4-13": ["意见簿中有两条意见超过48小时未回复。"],
    "A4-14": ["饮水机无纸杯。"],
    "A5-01": ["台席上仍摆放已过期的促销单页。", "宣传单页数量不足。"],
    "A5-02": ["海报未按陈列指引张贴。"],
    "B1a-01": [
        "办理套餐变更时未告知生效时间。",
        "咨询GPRS资费时漏讲封顶规则。",
        "未提示客户携号转网的注意事项。",
    ],
    "B1a-02": ["办理过户时未核验原机主身份证件。"],
    "B1a-03": ["客户仅咨询彩铃业务，营业员未经确认即为客户开通。"],
    "B1a-04": ["检查员未出示证件也未提供服务密码，营业员即打印了他人的通话清单。"],
    "B1b-01": ["查询历史话费用时较长。"],
    "B1b-02": ["营业员照读宣传单页回答资费问题。"],
    "B2a-01": ["高峰期仅开放两个台席。"],
    "B2a-02": ["全球通客户到店后无专人接待。"],
    "B2b-07": ["未向客户推荐网上营业厅、短信营业厅。"],
    "B3-01": ["客户投诉已现场解决，但未登记投诉记录。"],
    "B3-02": ["客户投诉话费争议，营业员让客户拨打10086，未记录。"],
}
NOT_APPLICABLE = {
    "A4-08": "新业务体验平台系统割接，暂停使用。",
    "A4-11": "自助设备整体停机升级，已张贴告示。",
    "B2b-01": "检查时段非高峰期，无法考核。",
    "B2b-02": "检查时段非高峰期，无法考核。",
    "B2a-02": "本次检查未测试全球通VIP客户接待。",
}
HIGHLIGHTS = (
    "推行“首问负责制”，客户问题由首位接待的营业员跟踪到底，当月客户表扬信8封。",
    "自制“老年人业务办理指引卡”，大字版资费说明深受老年客户欢迎。",
    "设立“企业客户绿色通道”，集团客户业务平均办理时间缩短至8分钟。",
    "高峰期实行“弹性台席”，后台人员上前台，平均等候时间降至6分钟。",
    "每日晨会演练一项新业务话术，业务咨询准确率明显提高。",
    "在乡镇集市日开展流动服务，上门为农户办理业务、讲解资费。",
    "体验区安排专人辅导，手机上网体验客户转化率达三成。",
    "建立投诉回访台账，投诉客户48小时内全部回访。",
)
RETURN_REASONS = (
    "B2a-01 等候时间与录像记录不符，请核实后重新提交。",
    "A4-03 未注明是否为高峰期，请补充后重新提交。",
)


def opening_slots(month: dt.date, now: dt.datetime) -> list[tuple[dt.date, int, int]]:
    """(day, first minute, end minute) of opening hours in `month` that lie before `now`."""
    local = timezone.localtime(now)
    opens = OPENS.hour * 60 + OPENS.minute
    closes = CLOSES.hour * 60 + CLOSES.minute
    slots = []
    day = month
    while day < next_month(month) and day <= local.date():
        end = closes if day < local.date() else min(closes, local.hour * 60 + local.minute)
        if end > opens:
            slots.append((day, opens, end))
        day += dt.timedelta(days=1)
    return slots


class VisitGenerator:
    """Plans, scores and bulk-writes one month of visits at a time."""

    def __init__(self, rng, standard, stores, *, inspectors, publisher, now):
        self.rng = rng
        self.standard = standard
        self.rules = standard.rules()
        self.items = {item["code"]: item for item in self.rules["items"]}
        self.item_ids = dict(standard.items.values_list("code", "id"))
        self.stores = stores
        self.attributes = {s.pk: s.scoring_attributes() for s in stores}
        # Most halls are good, some fair, a few poor; a hall keeps its level all demo long.
        self.quality = {
            s.pk: rng.choices(("good", "fair", "poor"), weights=(82, 13, 5))[0] for s in stores
        }
        self.inspectors_for = {
            s.pk: [i for i in inspectors if i.membership.branch_id != s.branch_id] for s in stores
        }
        self.publisher = publisher
        self.now = now

    def month(self, month: dt.date, *, guarantee: bool, review: bool) -> tuple[int, int]:
        slots = opening_slots(month, self.now)
        plans = []
        for store in self.stores:
            taken = set()
            for _visit in range(self.rng.choices((1, 2, 3), weights=(45, 40, 15))[0]):
                day, start, end = self.rng.choice(slots)
                at = self._moment(day, self.rng.randrange(start, end))
                inspector = self.rng.choice(self.inspectors_for[store.pk])
                if (inspector.pk, at) in taken:
                    continue
                taken.add((inspector.pk, at))
                plans.append({"store": store, "inspector": inspector, "at": at})
        plans.sort(key=lambda p: (p["at"], p["store"].code))
        statuses = self._statuses(len(plans), review)
        published = [i for i, s in enumerate(statuses) if s == VisitStatus.PUBLISHED]
        for plan in plans:
            plan["red_line"] = self.rng.random() < 0.004
            plan["zeroed"] = self.rng.random() < 0.0015
        if guarantee and published:
            # The first month always shows one red line and one zeroed visit.
            early = published[: max(1, len(published) // 2)]
            if not any(plans[i]["red_line"] for i in published):
                plans[self.rng.choice(early)]["red_line"] = True
            if not any(plans[i]["zeroed"] for i in published):
                plans[self.rng.choice(early)]["zeroed"] = True

        visits, scored = [], []
        for plan, status in zip(plans, statuses, strict=True):
            visit, findings, score = self._visit(plan, status)
            visits.append(visit)
            scored.append((findings, score))
        bulk_insert(Visit, visits)
        rows = [
            row
            for visit, (findings, score) in zip(visits, scored, strict=True)
            for row in finding_rows(
                visit=visit, item_ids=self.item_ids, findings=findings, deductions=score.deductions
            )
        ]
        bulk_insert(Finding, rows)
        return len(visits), len(rows)

    def _statuses(self, count: int, review: bool) -> list[str]:
        """Every visit published, except the newest ones of the month under review:
        a few submitted, a couple of drafts and one returned draft."""
        statuses = [VisitStatus.PUBLISHED] * count
        if not review:
            return statuses
        drafts = max(2, count // 200)
        returned = max(1, count // 500)
        submitted = max(3, count // 30)
        tail = [VisitStatus.SUBMITTED] * submitted + ["returned"] * returned
        tail += [VisitStatus.DRAFT] * drafts
        # Keep at least half the month published so its ranking has data.
        tail = tail[-(count // 2) :] if count // 2 else []
        if tail:
            statuses[-len(tail) :] = tail
        return statuses

    def _moment(self, day: dt.date, minute: int) -> dt.datetime:
        tz = timezone.get_current_timezone()
        return dt.datetime.combine(day, dt.time(minute // 60, minute % 60), tzinfo=tz)

    def _visit(self, plan: Mapping, status: str) -> tuple[Visit, dict, scoring.VisitScore]:
        store = plan["store"]
        attributes = self.attributes[store.pk]
        findings = self._findings(attributes, self.quality[store.pk], plan)
        score = scoring.score_visit(self.rules, attributes, findings)
        visit = Visit(
            store=store,
            inspector=plan["inspector"],
            standard=self.standard,
            visited_at=plan["at"],
            source=VisitSource.IMPORT if self.rng.random() < 0.1 else VisitSource.FORM,
            revision=1,
        )
        if status != VisitStatus.DRAFT:
            submitted = min(plan["at"] + dt.timedelta(minutes=self.rng.randint(30, 240)), self.now)
            visit.submitted_at = submitted
            visit.section_scores = score.sections
            visit.total = score.total
            visit.zeroed = score.zeroed
            visit.red_line = score.red_line
        if status == VisitStatus.PUBLISHED:
            visit.status = VisitStatus.PUBLISHED
            visit.published_at = min(
                visit.submitted_at + dt.timedelta(hours=self.rng.randint(2, 72)), self.now
            )
            visit.published_by = self.publisher
        elif status == "returned":
            visit.status = VisitStatus.DRAFT
            visit.return_reason = self.rng.choice(RETURN_REASONS)
            visit.returned_by = self.publisher
            # Not drawn from rng, so the demo's other visits stay as they were.
            visit.returned_at = min(visit.submitted_at + dt.timedelta(days=1), self.now)
        else:
            visit.status = status
        return visit, findings, score

    def _findings(self, store: Mapping, quality: str, plan: Mapping) -> dict[str, dict]:
        rng = self.rng
        findings: dict[str, dict] = {}

        def applies(code: str) -> bool:
            return scoring.item_applies(self.items[code], store)

        def add(code: str, **entry) -> None:
            notes = NOTES.get(code)
            if notes and rng.random() < 0.4:
                entry["note"] = rng.choice(notes)
            findings[code] = entry

        faults = {"good": (0, 4), "fair": (4, 7), "poor": (8, 12)}[quality]
        worse = {"good": 0.08, "fair": 0.25, "poor": 0.5}[quality]
        codes = [c for c in FAULTS if applies(c)]
        weights = [FAULTS[c] for c in codes]
        for code in rng.choices(codes, weights=weights, k=rng.randint(*faults)):
            item = self.items[code]
            if code in findings:
                if not item["once"]:
                    findings[code]["occurrences"] += 1
                continue
            add(code, occurrences=1)

        if rng.random() < worse * 1.5:
            add("B1a-01", points=rng.choices((3, 4, 5), k=rng.choice((1, 1, 2))))
        if rng.random() < 0.5:
            add("A3-04", measurement=self._time(self.items["A3-04"]["limit"], worse))
        if rng.random() < 0.35:
            peak = rng.random() < 0.3
            limit = scoring.time_limit(self.items["A4-03"], store, peak)
            # Ruling R1: a lapse seen on the floor fails A4-03 as well as a late clean-up.
            lapse = int(rng.random() < worse / 3)
            add("A4-03", measurement=self._time(limit, worse), peak=peak, occurrences=lapse)
        if rng.random() < 0.6:
            required = scoring.required_count(self.items["A4-07"], store)
            short = rng.random() < worse
            count = required - rng.choice((1, 1, 2)) if short else rng.randint(required, 5)
            add("A4-07", measurement=count)
        if rng.random() < 0.6:
            add("B1b-01", measurement=self._time(self.items["B1b-01"]["limit"], worse))
        if rng.random() < 0.7:
            add("B2a-01", measurement=self._time(self.items["B2a-01"]["limit"], worse / 2))
        if store["category"] in (Category.FLAGSHIP, Category.GOTONE) and rng.random() < 0.5:
            add("B2a-02", measurement=self._time(self.items["B2a-02"]["limit"], worse))
        if rng.random() < 0.04:
            # A brief absence from the counters, well short of the zeroing limit.
            add("A2-Z", measurement=rng.randint(10, 60) / 10)
        if rng.random() < 0.05:
            code = rng.choice(sorted(NOT_APPLICABLE))
            if applies(code):
                findings[code] = {"na": True, "na_reason": NOT_APPLICABLE[code]}

        if plan["red_line"]:
            code = rng.choice(("B1a-03", "B1a-04"))
            findings[code] = {"occurrences": 1, "note": NOTES[code][0]}
        if plan["zeroed"]:
            minutes = rng.randint(200, 350) / 10
            findings["A2-Z"] = {"measurement": minutes, "note": NOTES["A2-Z"][0]}
        return findings

    def _time(self, limit: float, over_chance: float) -> float:
        """Minutes with one decimal: within the limit, or over it with `over_chance`."""
        if self.rng.random() < over_chance:
            return round(float(limit) + self.rng.randint(1, 80) / 10, 1)
        low = min(0.3, float(limit))
        value = Decimal(str(self.rng.uniform(low, float(limit))))
        return float(value.quantize(Decimal("0.1"), rounding=ROUND_DOWN)) or 0.1


def bulk_insert(model: type[models.Model], objects: list[models.Model]) -> None:
    """Write new rows and give them their primary keys: with COPY on PostgreSQL, where
    binding bulk_create's parameters is most of a national seed's time, elsewhere with
    bulk_create. Values go as the model holds them, JSON and auto-now fields prepared
    as a save would."""
    connection = connections[router.db_for_write(model)]
    if connection.vendor != "postgresql" or not objects:
        model.objects.bulk_create(objects, batch_size=BATCH)
        return
    meta = model._meta
    prepared = [
        f
        for f in meta.concrete_fields
        if isinstance(f, models.JSONField)
        or getattr(f, "auto_now", False)
        or getattr(f, "auto_now_add", False)
    ]
    plain = [f for f in meta.concrete_fields if not f.primary_key and f not in prepared]
    values = attrgetter(*(f.attname for f in plain))
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(objects)],
        )
        for obj, (pk,) in zip(objects, cursor.fetchall(), strict=True):
            obj.pk = pk
        columns = ", ".join(quote(f.column) for f in [meta.pk, *plain, *prepared])
        with cursor.cursor.copy(f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN") as copy:
            for obj in objects:
                copy.write_row(
                    (
                        obj.pk,
                        *values(obj),
                        *(f.get_db_prep_save(f.pre_save(obj, True), connection) for f in prepared),
                    )
                )
    for obj in objects:
        obj._state.adding = False
        obj._state.db = connection.alias


def award_bonuses(rng, standard, month, by, now) -> int:
    """A few awards in the month to stores whose base score is in their category's top N
    (rule 9 checked by the scorer exactly as the bonus service checks it); the month is
    ranked once afterwards by the caller."""
    criteria = list(BonusCriterion.objects.filter(standard=standard))
    standings = monthly.month_standings(month=month)
    eligible = sorted(
        (s.category_base_rank, store_id)
        for store_id, s in standings.items()
        if s.category_base_rank is not None and s.category_base_rank <= standard.bonus_top_n
    )
    awards, chosen = [], []
    for _rank, store_id in rng.sample(eligible, min(len(eligible), rng.randint(2, 4))):
        points = rng.choice((1, 1, 2))
        met = rng.sample(criteria, rng.randint(standard.bonus_min_criteria, 6))
        highlight = rng.choice(HIGHLIGHTS)
        refusals = scoring.bonus_refusals(
            category_base_rank=standings[store_id].category_base_rank,
            top_n=standard.bonus_top_n,
            criteria_met=len(met),
            min_criteria=standard.bonus_min_criteria,
            highlight=highlight,
            points=points,
            max_points=standard.bonus_max_points,
            already_awarded=0,
        )
        if refusals:
            raise ValidationError(refusals)
        awarded_at = dt.datetime.combine(
            next_month(month) + dt.timedelta(days=rng.randint(1, 5)),
            dt.time(10, rng.randrange(60)),
            tzinfo=timezone.get_current_timezone(),
        )
        awards.append(
            BonusAward(
                store_id=store_id,
                month=month,
                points=points,
                highlight=highlight,
                awarded_by=by,
                awarded_at=min(awarded_at, now),
            )
        )
        chosen.append(met)
    BonusAward.objects.bulk_create(awards)
    Through = BonusAward.criteria.through
    Through.objects.bulk_create(
        Through(bonusaward_id=award.pk, bonuscriterion_id=c.pk)
        for award, met in zip(awards, chosen, strict=True)
        for c in met
    )
    return len(awards)
