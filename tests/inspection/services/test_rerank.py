"""Re-ranking a month in the background: writers mark the month, one job per burst
re-ranks it, and results are written in place."""

import pytest
from django_tasks import default_task_backend

from inspection.models import MonthlyResult, MonthRanking, VisitStatus
from inspection.services import monthly
from inspection.services.bonus import bonus_award, bonus_revoke
from inspection.services.visits import visit_amend, visit_publish
from tests.inspection.services.september import MONTH, at, stored_and_fresh

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def queue(settings):
    """Jobs wait in a list instead of running, so a test sees what was queued."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    default_task_backend.clear()
    return default_task_backend


def run_queued(queue) -> list[bool]:
    """Run the queued jobs one after another, as one worker does, including those
    queued meanwhile; what each job returned."""
    done = []
    while queue.results:
        job = queue.results.pop(0)
        done.append(job.task.call(*job.args, **job.kwargs))
    return done


def ranking() -> MonthRanking:
    return MonthRanking.objects.get(month=MONTH)


def test_a_burst_of_changes_queues_one_job_that_ranks_them_all(
    queue, make_visit, make_store, hq, standard
):
    first, second = make_store(), make_store()
    make_visit(first, visited_at=at(3))
    amended = make_visit(second, visited_at=at(4))
    assert run_queued(queue) == [True]

    make_visit(second, {"A1-03": {"occurrences": 1}}, visited_at=at(5))
    visit_amend(visit=amended, by=hq, reason="复核", findings={"A2-01": {"occurrences": 1}})
    award = bonus_award(
        store=first,
        month=MONTH,
        points=1,
        criteria=standard.bonus_criteria.all()[:3],
        highlight="亮点",
        by=hq,
    )
    bonus_revoke(award=award, by=hq)

    assert [job.kwargs for job in queue.results] == [{"month": MONTH.isoformat()}]
    assert ranking().is_pending
    assert run_queued(queue) == [True]
    stored, fresh = stored_and_fresh()
    assert stored == fresh and set(stored) == {first.pk, second.pk}
    assert not ranking().is_pending and ranking().ranked_at is not None


def test_a_change_while_a_job_computes_queues_exactly_one_more_run(
    queue, make_visit, make_store, inspector, monkeypatch
):
    make_visit(make_store(), visited_at=at(3))
    late = make_visit(make_store(), visited_at=at(4), status=VisitStatus.SUBMITTED)
    compute = monthly.month_standings

    def publishing_meanwhile(**kwargs):
        standings = compute(**kwargs)
        if late.status == VisitStatus.SUBMITTED:
            visit_publish(visit=late, by=inspector)
        return standings

    monkeypatch.setattr(monthly, "month_standings", publishing_meanwhile)

    assert run_queued(queue) == [True, True]
    stored, fresh = stored_and_fresh()
    assert stored == fresh and late.store_id in stored


def test_a_job_overtaken_by_a_later_one_stores_nothing(
    queue, make_visit, make_store, inspector, monkeypatch
):
    make_visit(make_store(), visited_at=at(3))
    late = make_visit(make_store(), visited_at=at(4), status=VisitStatus.SUBMITTED)
    compute = monthly.month_standings
    overtaking = []

    def overtaken_while_computing(**kwargs):
        standings = compute(**kwargs)
        if late.status == VisitStatus.SUBMITTED:
            visit_publish(visit=late, by=inspector)
            # A second worker takes the new mark and finishes first.
            overtaking.append(run_queued(queue))
        return standings

    monkeypatch.setattr(monthly, "month_standings", overtaken_while_computing)

    assert run_queued(queue) == [False]
    assert overtaking == [[True]]
    stored, fresh = stored_and_fresh()
    assert stored == fresh and late.store_id in stored
    assert (ranking().claims, ranking().ranked_claim) == (2, 2)


def test_a_job_finds_nothing_to_do_once_another_took_the_mark(queue, make_visit, store):
    make_visit(store, visited_at=at(3))
    job = queue.results[0]
    duplicate = job.task.call(*job.args, **job.kwargs)
    assert (duplicate, run_queued(queue)) == (True, [False])


def test_a_mark_whose_job_was_lost_is_queued_again(queue, make_visit, store):
    make_visit(store, visited_at=at(3))
    queue.clear()
    MonthRanking.objects.update(requested_at=at(3))
    make_visit(store, visited_at=at(4))
    assert len(queue.results) == 1
    assert run_queued(queue) == [True]
    assert MonthlyResult.objects.get(store=store).visit_count == 2


def test_a_rerank_updates_rows_in_place_and_drops_stores_no_longer_ranked(make_visit, make_store):
    kept, dropped = make_store(), make_store()
    make_visit(kept, {"A1-03": {"occurrences": 1}}, visited_at=at(3))
    make_visit(dropped, visited_at=at(4)).delete()
    make_visit(dropped, visited_at=at(5), status=VisitStatus.SUBMITTED)
    row = MonthlyResult.objects.get(store=kept)
    assert row.rank_overall == 2

    monthly.monthly_results_recompute(month=MONTH)

    assert list(MonthlyResult.objects.values_list("pk", "store_id", "rank_overall")) == [
        (row.pk, kept.pk, 1)
    ]
