import datetime as dt
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_tasks import default_task_backend

from inspection.models import BonusAward, MonthlyResult
from inspection.services.bonus import bonus_award
from inspection.services.drafts import photo_add
from inspection.services.visits import (
    visit_create,
    visit_save_findings,
    visit_submit,
    visits_publish,
)
from stores.models import Category
from tests.inspection.report_data import criteria, losing, month_of_scores, submit

MARCH, APRIL = dt.date(2025, 3, 1), dt.date(2025, 4, 1)


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """Every test here logs in several users; hashing their passwords properly dominated the run."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def province(store, make_store, branch, other_branch, inspector):
    """Our branch (句容) and another (丹阳), ranked in March and April 2025."""
    second = make_store(name="句容二号厅")
    flagship = make_store(name="句容旗舰厅", category=Category.FLAGSHIP)
    theirs = make_store(name="丹阳一号厅", branch=other_branch)
    idle = make_store(name="句容未检厅")
    month_of_scores({store: 90, second: 80, theirs: 85}, month=MARCH, inspector=inspector)
    month_of_scores(
        {store: 80, second: 95, flagship: 75, theirs: 81}, month=APRIL, inspector=inspector
    )
    return SimpleNamespace(store=store, second=second, flagship=flagship, theirs=theirs, idle=idle)


@pytest.fixture
def two_stores(store, make_store, other_branch, inspector):
    """The least data every page needs: a store in our branch and one in another, ranked."""
    theirs = make_store(name="丹阳一号厅", branch=other_branch)
    month_of_scores({store: 90, theirs: 85}, month=APRIL, inspector=inspector)
    return SimpleNamespace(store=store, theirs=theirs)


def rows_of(response):
    return [row for group in response.context["groups"] for row in group.rows]


def names(rows):
    return [row.store.name for row in rows]


# --- Rankings --------------------------------------------------------------


def test_rankings_default_to_the_latest_month_with_movement_against_the_previous(
    client, hq, province
):
    client.force_login(hq)
    response = client.get(reverse("rankings"))
    assert response.context["month"] == APRIL
    rows = rows_of(response)
    assert names(rows) == ["句容二号厅", "丹阳一号厅", "句容华阳营业厅", "句容旗舰厅"]
    assert [row.rank for row in rows] == [1, 2, 3, 4]
    # March: 华阳 1st (90), 丹阳 2nd (85), 二号 3rd (80); 旗舰 was not ranked.
    assert [row.movement for row in rows] == [2, 0, -2, None]
    html = response.content.decode()
    assert "↑2" in html and "↓2" in html and "新" in html


def test_rankings_show_each_scored_section_and_the_rounded_scores(client, hq, province):
    client.force_login(hq)
    html = client.get(reverse("rankings")).content.decode()
    for code in ("A1", "A2", "A3", "A4", "A5", "B1a", "B1b", "B2a", "B2b", "B3"):
        assert f'<span class="section-code">{code}</span>' in html
    assert "仪容仪表" in html
    assert "95.00" in html


def test_rankings_sort_by_total_lowest_first_puts_the_worst_store_on_top(client, hq, province):
    client.force_login(hq)
    response = client.get(reverse("rankings"), {"month": "2025-04", "sort": "total"})
    assert names(rows_of(response))[0] == "句容旗舰厅"


def test_rankings_sort_by_a_section(client, hq, province):
    client.force_login(hq)
    response = client.get(reverse("rankings"), {"month": "2025-04", "sort": "-A2"})
    a2 = [row.sections[1] for row in rows_of(response)]
    assert a2 == sorted(a2, reverse=True)


def test_rankings_refuse_an_unknown_sort_column_and_keep_the_default_order(client, hq, province):
    client.force_login(hq)
    response = client.get(reverse("rankings"), {"month": "2025-04", "sort": "password"})
    assert response.status_code == 200
    assert "无法按该列排序。" in response.content.decode()
    assert [row.rank for row in rows_of(response)] == [1, 2, 3, 4]


def test_rankings_filter_by_branch_and_category(client, hq, province, branch):
    client.force_login(hq)
    response = client.get(
        reverse("rankings"),
        {"month": "2025-04", "branch": branch.pk, "category": Category.ORDINARY},
    )
    assert names(rows_of(response)) == ["句容二号厅", "句容华阳营业厅"]
    # Overall ranks are kept when filtering.
    assert [row.rank for row in rows_of(response)] == [1, 3]


def test_rankings_by_category_rank_within_each_category(client, hq, province):
    client.force_login(hq)
    response = client.get(reverse("rankings"), {"month": "2025-04", "view": "category"})
    groups = {
        group.label: [(r.store.name, r.rank) for r in group.rows]
        for group in response.context["groups"]
    }
    assert groups == {
        "沟通100服务店": [("句容旗舰厅", 1)],
        "普通营业厅": [("句容二号厅", 1), ("丹阳一号厅", 2), ("句容华阳营业厅", 3)],
    }


def test_rankings_by_branch_rank_within_each_branch(client, hq, province):
    client.force_login(hq)
    response = client.get(reverse("rankings"), {"month": "2025-04", "view": "branch"})
    groups = {
        group.label: [(r.store.name, r.rank) for r in group.rows]
        for group in response.context["groups"]
    }
    assert groups["丹阳分公司"] == [("丹阳一号厅", 1)]
    assert groups["句容分公司"] == [("句容二号厅", 1), ("句容华阳营业厅", 2), ("句容旗舰厅", 3)]


def test_rankings_list_stores_not_inspected_apart(client, hq, province):
    client.force_login(hq)
    response = client.get(reverse("rankings"), {"month": "2025-04"})
    assert [store.name for store, _link in response.context["not_inspected"]] == ["句容未检厅"]
    assert "句容未检厅" not in names(rows_of(response))


def test_rankings_list_only_the_first_stores_not_inspected_and_count_them_all(
    client, hq, province, make_store, monkeypatch
):
    monkeypatch.setattr("inspection.views.reports.NOT_INSPECTED_SHOWN", 1)
    make_store(name="句容又一未检厅")
    client.force_login(hq)
    response = client.get(reverse("rankings"), {"month": "2025-04"})
    assert len(response.context["not_inspected"]) == 1
    assert response.context["not_inspected_count"] == 2
    assert "只列出前 1 个，共 2 个" in response.content.decode()


def test_a_branch_manager_sees_every_published_rank_but_opens_only_their_stores(
    client, branch_manager, province
):
    client.force_login(branch_manager)
    response = client.get(reverse("rankings"))
    rows = {row.store.name: row for row in rows_of(response)}
    assert len(rows) == 4
    assert rows["句容二号厅"].in_scope and not rows["丹阳一号厅"].in_scope
    html = response.content.decode()
    assert reverse("store-detail", args=[province.second.pk]) in html
    assert reverse("store-detail", args=[province.theirs.pk]) not in html


def test_a_store_manager_sees_only_their_own_ranks(client, store_manager, province):
    client.force_login(store_manager)
    response = client.get(reverse("rankings"))
    assert names(rows_of(response)) == ["句容华阳营业厅"]
    assert rows_of(response)[0].rank == 3


def test_rankings_say_so_when_nothing_is_published_yet(client, hq):
    client.force_login(hq)
    response = client.get(reverse("rankings"))
    assert "还没有已发布的检查结果。" in response.content.decode()


# --- Store page ------------------------------------------------------------


@pytest.fixture
def noted_visit(province, inspector):
    """A second April visit at 华阳 that found the spec's worked example, with a note."""
    findings = {**losing(0), "A1-03": {"occurrences": 1, "note": "丝巾没有系好"}}
    findings["B2a-01"] = {"measurement": 16}
    visit = submit(
        province.store,
        findings,
        inspector=inspector,
        when=dt.datetime(2025, 4, 20, 15, 0, tzinfo=dt.UTC),
    )
    visits_publish(visits=[visit], by=inspector)
    return visit


def test_the_store_page_shows_visits_with_their_deductions_notes_and_inspector(
    client, hq, province, noted_visit
):
    client.force_login(hq)
    response = client.get(reverse("store-detail", args=[province.store.pk]), {"month": "2025-04"})
    html = response.content.decode()
    assert "丝巾没有系好" in html
    assert "B2a-01" in html
    assert "检查员" in html and "王检" in html
    assert "2025-04-20 23:00" in html
    assert [v.pk for v in response.context["visits"]][0] == noted_visit.pk


@pytest.mark.parametrize("role", ["store_manager", "branch_manager"])
def test_the_store_page_gives_branch_and_store_staff_the_date_only(
    request, client, province, noted_visit, role
):
    """Ruling R9: never the inspector nor the time of day, which could identify them."""
    client.force_login(request.getfixturevalue(role))
    response = client.get(reverse("store-detail", args=[province.store.pk]), {"month": "2025-04"})
    html = response.content.decode()
    assert "丝巾没有系好" in html
    assert "2025-04-20" in html and "23:00" not in html
    assert "王检" not in html and "shopper" not in html


def test_the_store_page_charts_twelve_months_beside_the_category_average(client, hq, province):
    client.force_login(hq)
    response = client.get(reverse("store-detail", args=[province.store.pk]), {"month": "2025-04"})
    history = response.context["history"]
    assert len(history) == 12
    assert history[-1].month == APRIL and history[0].month == dt.date(2024, 5, 1)
    assert history[-1].total == pytest.approx(80)
    # April's 普通营业厅: 95, 81, 80.
    assert str(history[-1].category_average) == "85.33"
    assert str(history[-2].category_average) == "85.00"
    assert history[0].total is None
    chart = response.context["history_chart"]
    assert chart["series"][0]["data"][-1] == 80.0


def test_the_store_page_compares_this_months_sections_with_the_category(client, hq, province):
    client.force_login(hq)
    response = client.get(reverse("store-detail", args=[province.store.pk]), {"month": "2025-04"})
    a2 = next(c for c in response.context["comparison"] if c.section.code == "A2")
    # 华阳 lost 20 = A2 12 + A4 8 → A2 3; the category's A2: 二号 15, 丹阳 3, 华阳 3.
    assert str(a2.score) == "3.00"
    assert str(a2.category_average) == "7.00"
    assert a2.below_average


def test_the_store_page_lists_the_most_frequent_deductions(client, hq, province):
    client.force_login(hq)
    response = client.get(reverse("store-detail", args=[province.store.pk]), {"month": "2025-04"})
    frequent = response.context["frequent"]
    assert [(d.code, d.times) for d in frequent][:2] == [("A2-01", 2), ("A4-01", 2)]


def test_a_store_without_results_that_month_says_it_is_not_ranked(client, hq, province):
    client.force_login(hq)
    response = client.get(reverse("store-detail", args=[province.idle.pk]))
    assert response.status_code == 200
    assert "不参加排名" in response.content.decode()


# --- Overview --------------------------------------------------------------


def test_the_overview_gives_headquarters_the_whole_province(client, hq, province):
    client.force_login(hq)
    response = client.get(reverse("dashboard"))
    context = response.context
    assert context["summary"]["stores"] == 4
    assert [(a.label, a.stores, str(a.average)) for a in context["branches"]] == [
        ("丹阳分公司", 1, "81.00"),
        ("句容分公司", 3, "83.33"),
    ]
    assert [c.label for c in context["categories"]] == ["沟通100服务店", "普通营业厅"]
    assert sum(b.stores for b in context["distribution"]) == 4
    assert context["deductions"][0].code == "A2-01"
    assert [s.name for s in context["not_inspected"]] == ["句容未检厅"]
    assert context["can_award"]


def test_the_overview_keeps_a_branch_manager_in_their_branch(client, branch_manager, province):
    client.force_login(branch_manager)
    response = client.get(reverse("dashboard"))
    assert [a.label for a in response.context["branches"]] == ["句容分公司"]
    assert {r.store.name for r in response.context["candidates"]} == {
        "句容二号厅",
        "句容华阳营业厅",
        "句容旗舰厅",
    }
    assert not response.context["can_award"]
    assert reverse("bonus-award", args=[province.second.pk]) not in response.content.decode()


def test_the_overview_gives_a_branch_manager_red_line_visits_by_date_only(
    client, branch_manager, province, inspector
):
    visit = submit(
        province.store,
        {"B1a-03": {"occurrences": 1}},
        inspector=inspector,
        when=dt.datetime(2025, 4, 21, 2, 30, tzinfo=dt.UTC),
    )
    visits_publish(visits=[visit], by=inspector)
    client.force_login(branch_manager)
    response = client.get(reverse("dashboard"))
    assert [v.pk for v in response.context["red_lines"]] == [visit.pk]
    html = response.content.decode()
    assert "2025-04-21" in html and "10:30" not in html
    assert "王检" not in html


def test_the_overview_lists_red_line_visits(client, hq, province, inspector):
    visit = submit(
        province.theirs,
        {"B1a-03": {"occurrences": 1}},
        inspector=inspector,
        when=dt.datetime(2025, 4, 21, 2, 0, tzinfo=dt.UTC),
    )
    visits_publish(visits=[visit], by=inspector)
    client.force_login(hq)
    response = client.get(reverse("dashboard"))
    assert [v.pk for v in response.context["red_lines"]] == [visit.pk]
    assert response.context["summary"]["red_line_visits"] == 1


def test_the_overview_lists_the_first_red_line_visits_and_counts_them_all(
    client, hq, province, inspector, monkeypatch
):
    monkeypatch.setattr("inspection.views.reports.RED_LINES_ON_OVERVIEW", 1)
    visits = [
        submit(
            store,
            {"B1a-03": {"occurrences": 1}},
            inspector=inspector,
            when=dt.datetime(2025, 4, 21, 2 + n, 0, tzinfo=dt.UTC),
        )
        for n, store in enumerate((province.theirs, province.second))
    ]
    visits_publish(visits=visits, by=inspector)
    client.force_login(hq)
    response = client.get(reverse("dashboard"))
    assert [v.pk for v in response.context["red_lines"]] == [visits[0].pk]
    assert response.context["red_line_count"] == 2
    assert "这里列出前 1 次，共 2 次" in response.content.decode()


def test_the_overview_lists_the_first_bonus_candidates_and_counts_them_all(
    client, hq, province, monkeypatch
):
    monkeypatch.setattr("inspection.views.reports.CANDIDATES_ON_OVERVIEW", 1)
    client.force_login(hq)
    response = client.get(reverse("dashboard"))
    assert len(response.context["candidates"]) == 1
    count = response.context["candidate_count"]
    assert count > 1
    assert f"这里列出前 1 个，共 {count} 个" in response.content.decode()


def test_the_overview_names_the_prohibition_each_red_line_visit_broke(
    client, hq, province, inspector
):
    visit = submit(
        province.theirs,
        {"B1a-04": {"occurrences": 1}},
        inspector=inspector,
        when=dt.datetime(2025, 4, 21, 2, 0, tzinfo=dt.UTC),
    )
    visits_publish(visits=[visit], by=inspector)
    client.force_login(hq)
    body = client.get(reverse("dashboard")).content.decode()
    red_lines = body[body.index('class="table table-sm red-lines"') :]
    assert "红线 · 禁令一" in red_lines
    assert "严禁泄露或交易客户信息" in red_lines


def test_the_store_page_names_prohibitions_and_shows_a_zeroed_visits_uncounted_sections(
    client, hq, province, inspector
):
    findings = {"A2-Z": {"measurement": 22}, "B1a-03": {"occurrences": 1}}
    visit = submit(
        province.store,
        findings,
        inspector=inspector,
        when=dt.datetime(2025, 4, 21, 2, 0, tzinfo=dt.UTC),
    )
    visits_publish(visits=[visit], by=inspector)
    client.force_login(hq)
    body = client.get(reverse("store-detail", args=[province.store.pk])).content.decode()
    assert "红线 · 禁令三" in body
    assert "禁令三：严禁未经客户确认擅自为客户开通或变更业务" in body
    uncounted = body[body.index('class="small text-muted mt-2 mb-0 uncounted-sections"') :]
    assert "B1a 10" in uncounted[: uncounted.index("</p>")]
    # Ruling R6: in the month the zeroed visit counts 0 in every section.
    result = MonthlyResult.objects.get(store=province.store, month=APRIL)
    assert sum(result.section_scores.values()) == pytest.approx(float(result.base_score))


def test_an_award_that_stopped_counting_is_flagged_for_headquarters(
    client, hq, province, make_store, inspector
):
    bonus_award(
        store=province.store, month=APRIL, points=2, criteria=criteria(3), highlight="亮点", by=hq
    )
    newcomers = {make_store(name=f"新厅{n}"): 90 - n for n in range(3)}
    month_of_scores(newcomers, month=APRIL, inspector=inspector, day=15)
    result = MonthlyResult.objects.get(store=province.store, month=APRIL)
    assert (result.category_base_rank, result.bonus, result.bonus_not_counting) == (6, 0, 2)
    client.force_login(hq)

    overview = client.get(reverse("dashboard")).content.decode()
    assert province.store in [
        r.store for r in client.get(reverse("dashboard")).context["candidates"]
    ]
    assert "基础分现排同类厅第6名" in overview
    assert reverse("bonus-award", args=[province.store.pk]) not in overview

    store_page = client.get(reverse("store-detail", args=[province.store.pk])).content.decode()
    assert "另有加分 2 分不计入" in store_page
    assert "award-not-counting" in store_page

    rankings = client.get(reverse("rankings")).content.decode()
    assert "+2 不计入" in rankings


# --- Bonus awards ----------------------------------------------------------


def award_data(count=3, points=1, highlight="开设老年人爱心专席，值得全区推广"):
    return {"points": points, "criteria": [c.pk for c in criteria(count)], "highlight": highlight}


def test_headquarters_awards_a_bonus_and_the_ranks_change(client, hq, province):
    client.force_login(hq)
    url = reverse("bonus-award", args=[province.store.pk]) + "?month=2025-04"
    response = client.post(url, award_data(points=2))
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard") + "?month=2025-04"
    result = MonthlyResult.objects.get(store=province.store, month=APRIL)
    assert (result.bonus, result.total_display, result.rank_overall) == (2, 82, 2)
    assert MonthlyResult.objects.get(store=province.theirs, month=APRIL).rank_overall == 3
    assert BonusAward.objects.get().criteria.count() == 3


def test_a_refused_bonus_shows_every_reason_and_saves_nothing(client, hq, province):
    client.force_login(hq)
    url = reverse("bonus-award", args=[province.second.pk]) + "?month=2025-04"
    response = client.post(url, award_data(count=2, highlight="  "))
    assert response.status_code == 400
    html = response.content.decode()
    assert "至少需要符合3项加分项目，目前只选了2项。" in html
    assert "必须填写适合全区推广的创新或服务亮点。" in html
    assert not BonusAward.objects.exists()


def test_a_bonus_for_a_store_outside_the_top_five_is_refused_with_its_rank(
    client, hq, make_store, inspector
):
    stores = [make_store(name=f"厅{n}") for n in range(1, 8)]
    month_of_scores(
        dict(zip(stores, [98, 97, 96, 95, 94, 94, 90], strict=True)),
        month=APRIL,
        inspector=inspector,
    )
    client.force_login(hq)
    tied_fifth = client.post(
        reverse("bonus-award", args=[stores[5].pk]) + "?month=2025-04", award_data()
    )
    assert tied_fifth.status_code == 302
    seventh = client.post(
        reverse("bonus-award", args=[stores[6].pk]) + "?month=2025-04", award_data()
    )
    assert seventh.status_code == 400
    assert "该厅基础得分在同类厅排第7名，只有前5名（含并列）可以加分。" in seventh.content.decode()


def test_the_points_offered_run_up_to_the_standards_ceiling(client, hq, province, standard):
    standard.bonus_max_points = 3
    standard.save()
    client.force_login(hq)
    url = reverse("bonus-award", args=[province.store.pk]) + "?month=2025-04"
    choices = client.get(url).context["form"].fields["points"].choices
    assert choices == [(1, "1分"), (2, "2分"), (3, "3分")]
    assert client.post(url, award_data(points=3)).status_code == 302
    assert BonusAward.objects.get().points == 3


def test_the_award_form_needs_a_month_with_results(client, hq, province):
    client.force_login(hq)
    url = reverse("bonus-award", args=[province.second.pk])
    assert client.get(url + "?month=2024-01").status_code == 404
    assert client.get(url).status_code == 404


def test_headquarters_revokes_a_bonus(client, hq, province):
    award = bonus_award(
        store=province.second,
        month=APRIL,
        points=1,
        criteria=criteria(3),
        highlight="亮点",
        by=hq,
    )
    client.force_login(hq)
    url = reverse("bonus-revoke", args=[award.pk])
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 302
    assert not BonusAward.objects.exists()
    assert MonthlyResult.objects.get(store=province.second, month=APRIL).bonus == 0


def test_revoking_an_unknown_bonus_is_not_found(client, hq, province):
    client.force_login(hq)
    assert client.post(reverse("bonus-revoke", args=[1])).status_code == 404


def grow(province, make_store, branch, other_branch, inspector, hq):
    """Four times the stores, with red lines, bonuses, notes and stores left out."""
    more = {}
    for n in range(12):
        store = make_store(
            name=f"扩展{n}",
            branch=branch if n % 2 else other_branch,
            category=Category.FLAGSHIP if n % 3 == 0 else Category.ORDINARY,
        )
        more[store] = 75 + n
    make_store(name="扩展未检", branch=other_branch)
    month_of_scores(dict(list(more.items())[:6]), month=MARCH, inspector=inspector)
    month_of_scores(more, month=APRIL, inspector=inspector, day=12)
    extra = [
        submit(
            province.store,
            {"B1a-03": {"occurrences": 1, "note": f"第{n}次"}, "A1-03": {"occurrences": 1}},
            inspector=inspector,
            when=dt.datetime(2025, 4, 22, n, 0, tzinfo=dt.UTC),
        )
        for n in range(3)
    ]
    visits_publish(visits=extra, by=inspector)
    for result in MonthlyResult.objects.filter(month=APRIL, category_base_rank__lte=5)[:3]:
        bonus_award(
            store=result.store, month=APRIL, points=1, criteria=criteria(3), highlight="亮点", by=hq
        )


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context)


@pytest.mark.parametrize(
    ("role", "url", "queries"),
    # The rank pages' counts include the month's ranking state ("排名更新中…").
    [
        ("hq", lambda p: reverse("rankings") + "?sort=-B2a", 12),
        ("branch_manager", lambda p: reverse("rankings") + "?month=2025-04&view=category", 13),
        ("store_manager", lambda p: reverse("rankings"), 13),
        ("hq", lambda p: reverse("dashboard"), 22),
        ("branch_manager", lambda p: reverse("dashboard"), 22),
        ("hq", lambda p: reverse("store-detail", args=[p.store.pk]), 19),
        ("store_manager", lambda p: reverse("store-detail", args=[p.store.pk]), 19),
        ("hq", lambda p: reverse("review-list"), 5),
        ("hq", lambda p: reverse("bonus-award", args=[p.store.pk]) + "?month=2025-04", 10),
        ("hq", lambda p: reverse("imports"), 3),
    ],
)
def test_report_pages_run_as_many_queries_for_four_times_the_stores(
    request,
    client,
    django_assert_num_queries,
    province,
    make_store,
    branch,
    other_branch,
    inspector,
    hq,
    role,
    url,
    queries,
):
    # Prefetches run only when there is something to prefetch: give both sizes an award
    # and a red line.
    bonus_award(
        store=province.store, month=APRIL, points=1, criteria=criteria(3), highlight="亮点", by=hq
    )
    red_line = submit(
        province.second,
        {"B1a-04": {"occurrences": 1}},
        inspector=inspector,
        when=dt.datetime(2025, 4, 21, 2, 0, tzinfo=dt.UTC),
    )
    visits_publish(visits=[red_line], by=inspector)
    client.force_login(request.getfixturevalue(role))
    assert count_queries(client, url(province)) == queries
    grow(province, make_store, branch, other_branch, inspector, hq)
    with django_assert_num_queries(queries):
        client.get(url(province))


def test_the_store_page_shows_finding_photos_to_managers_and_store_staff(
    client, settings, tmp_path, province, inspector, branch_manager, store_manager, standard
):
    import io

    from PIL import Image

    settings.MEDIA_ROOT = tmp_path
    jpeg = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(jpeg, format="JPEG")
    visit = visit_create(
        store=province.store,
        inspector=inspector,
        visited_at=dt.datetime(2025, 4, 25, 2, 0, tzinfo=dt.UTC),
        standard=standard,
    )
    photo = photo_add(
        visit=visit,
        item=standard.items.get(code="A1-03"),
        image=jpeg,
        client_key="k1",
        by=inspector,
    )
    visit_save_findings(visit=visit, findings={"A1-03": {"occurrences": 1}})
    visit_submit(visit=visit)
    visits_publish(visits=[visit], by=inspector)
    photo_url = reverse("visit-photo", args=[visit.pk, photo.pk])
    url = reverse("store-detail", args=[province.store.pk])

    client.force_login(branch_manager)
    assert f'src="{photo_url}"' in client.get(url).content.decode()
    client.force_login(store_manager)
    assert f'src="{photo_url}"' in client.get(url).content.decode()
    assert client.get(photo_url).status_code == 200


def test_rankings_come_a_page_at_a_time_in_the_chosen_order(client, hq, province, monkeypatch):
    from inspection.views import reports as views

    monkeypatch.setattr(views, "RANKINGS_PER_PAGE", 3)
    client.force_login(hq)
    first = client.get(reverse("rankings"), {"sort": "total"})
    second = client.get(reverse("rankings"), {"sort": "total", "page": 2})
    assert first.context["row_count"] == 4
    assert names(rows_of(first)) == ["句容旗舰厅", "句容华阳营业厅", "丹阳一号厅"]
    assert names(rows_of(second)) == ["句容二号厅"]
    assert "sort=total&amp;page=2" in first.content.decode()
    # Sorting again starts from the first page.
    assert all("page=" not in h["url"] for h in second.context["headers"])


def test_a_section_scored_zero_shows_zero_not_a_dash(client, store_manager, store, make_visit):
    visit = make_visit(store, {"B2a-01": {"measurement": 16}})
    client.force_login(store_manager)
    url = reverse("store-detail", args=[store.pk]) + f"?month={visit.month:%Y-%m}"
    page = client.get(url).content.decode()
    assert '<td class="text-end">0.00</td>' in page


# --- While a re-rank is pending --------------------------------------------

RANK_PAGES = [
    lambda p: reverse("rankings") + "?month=2025-04",
    lambda p: reverse("dashboard") + "?month=2025-04",
    lambda p: reverse("store-detail", args=[p.store.pk]) + "?month=2025-04",
]


@pytest.mark.parametrize("url", RANK_PAGES)
def test_pages_with_ranks_say_when_they_were_computed(client, hq, province, url):
    client.force_login(hq)
    page = client.get(url(province)).content.decode()
    assert "排名计算于" in page
    assert "排名更新中…" not in page


@pytest.mark.parametrize("url", RANK_PAGES)
def test_pages_with_ranks_say_they_are_being_updated_until_the_job_has_run(
    client, hq, province, inspector, settings, url
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    late = submit(
        province.idle, {}, inspector=inspector, when=dt.datetime(2025, 4, 22, 2, 0, tzinfo=dt.UTC)
    )
    visits_publish(visits=[late], by=inspector)
    client.force_login(hq)

    page = client.get(url(province)).content.decode()

    assert "排名更新中…" in page
    assert 'data-ranking="pending"' in page
    (job,) = default_task_backend.results
    job.task.call(*job.args, **job.kwargs)
    assert "排名更新中…" not in client.get(url(province)).content.decode()


def test_pending_ranks_are_announced_in_english_too(client, hq, province, inspector, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    late = submit(
        province.idle, {}, inspector=inspector, when=dt.datetime(2025, 4, 22, 2, 0, tzinfo=dt.UTC)
    )
    visits_publish(visits=[late], by=inspector)
    client.force_login(hq)
    client.cookies["django_language"] = "en"
    assert "Rankings are being updated…" in client.get(reverse("rankings")).content.decode()
