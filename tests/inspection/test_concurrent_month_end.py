"""Month end: reviewers, inspectors and imports writing at once, each thread on its own
database connection, as gunicorn's processes and the worker do. Writers wait for each
other instead of failing ("database is locked", IntegrityError on the monthly
results), a visit is published once, and the stored monthly results end equal to a
fresh recompute. Re-ranking runs after each commit (the tests' immediate backend), so
re-ranking jobs overlap each other and the writers too."""

import random
import threading
from collections.abc import Callable
from functools import partial

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse

from inspection.imports import visits_import
from inspection.models import BonusAward, MonthRanking, Visit, VisitStatus
from inspection.services.bonus import bonus_award
from inspection.services.visits import visit_amend, visit_publish
from stores.models import Category, Role
from tests.inspection.services.september import MONTH, at, stored_and_fresh
from tests.spreadsheets import visit_row, visits_xlsx

pytestmark = pytest.mark.django_db(transaction=True)

WRITERS = 4


def in_parallel(actions: list[Callable]) -> list[tuple[str, object]]:
    """Start the actions together, one thread and connection each; each one's
    outcome: ("ok", value), ("refused", messages) or ("error", repr)."""
    start = threading.Barrier(len(actions))
    outcomes: list = [None] * len(actions)

    def run(index: int, action: Callable) -> None:
        try:
            start.wait()
            outcomes[index] = ("ok", action())
        except ValidationError as refusal:
            outcomes[index] = ("refused", refusal.messages)
        except Exception as error:  # noqa: BLE001 - the test reports every failure
            outcomes[index] = ("error", repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=item) for item in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return outcomes


def posted(user, url: str, data=None) -> tuple[int, list[str]]:
    client = Client()
    client.force_login(user)
    response = client.post(url, data or {})
    return response.status_code, [str(m) for m in get_messages(response.wsgi_request)]


def test_four_reviewers_publishing_one_visit_at_once_give_one_publish(make_visit, store, make_user):
    visit = make_visit(store, visited_at=at(3), status=VisitStatus.SUBMITTED)
    reviewers = [make_user(Role.HEADQUARTERS) for _ in range(4)]
    url = reverse("review-publish", args=[visit.pk])

    outcomes = in_parallel([partial(posted, reviewer, url) for reviewer in reviewers])

    responses = sorted(value for kind, value in outcomes if kind == "ok")
    assert len(responses) == 4, outcomes
    assert [status for status, _messages in responses] == [302] * 4
    assert sorted(messages[0] for _status, messages in responses) == sorted(
        [f"已发布 {store} 的检查，月度成绩和排名随后更新。"] + ["该检查已经发布过了。"] * 3
    )
    visit.refresh_from_db()
    assert visit.status == VisitStatus.PUBLISHED
    assert visit.published_by in reviewers
    stored, fresh = stored_and_fresh()
    assert stored == fresh and stored[store.pk]["visit_count"] == 1


def test_inspectors_submitting_at_once_all_get_an_answer_never_a_locked_database(
    make_visit, make_store, make_user, other_branch
):
    """On SQLite, the embedded default, the writers queue for the one write lock."""
    inspectors = [make_user(Role.INSPECTOR, branch=other_branch) for _ in range(6)]
    drafts = [
        make_visit(make_store(), visited_at=at(3 + n), status=VisitStatus.DRAFT, who=who)
        for n, who in enumerate(inspectors)
    ]
    # The first inspector's tablet sends its submission twice, from two tabs.
    senders = [*zip(inspectors, drafts, strict=True), (inspectors[0], drafts[0])]

    outcomes = in_parallel(
        [
            partial(
                posted,
                who,
                reverse("visit-submit", args=[draft.pk]),
                {"revision": draft.revision, "key": f"tab-{n}"},
            )
            for n, (who, draft) in enumerate(senders)
        ]
    )

    assert [kind for kind, _value in outcomes] == ["ok"] * len(senders), outcomes
    answers = [messages for _kind, (_status, messages) in outcomes]
    assert [status for _kind, (status, _messages) in outcomes] == [302] * len(senders)
    assert answers.count(["检查已提交，等待审核。"]) == len(drafts)
    assert answers.count(["该检查已提交。"]) == 1
    assert all(
        status == VisitStatus.SUBMITTED
        for status in Visit.objects.filter(pk__in=[d.pk for d in drafts]).values_list(
            "status", flat=True
        )
    )


@pytest.fixture
def month_end(make_store, make_visit, inspector, standard, tmp_path):
    """A month half published: stores with a visit each, and for every writer ten
    submitted visits of its own to publish."""
    categories = [Category.ORDINARY, Category.FLAGSHIP]
    stores = [make_store(category=categories[n % 2]) for n in range(12)]
    published = [make_visit(s, visited_at=at(1 + n, 9)) for n, s in enumerate(stores)]
    submitted = [
        [
            make_visit(
                stores[(writer * 10 + n) % len(stores)],
                {"A1-03": {"occurrences": n % 3}} if n % 3 else {},
                visited_at=at(2 + n, 11 + writer),
                status=VisitStatus.SUBMITTED,
            )
            for n in range(10)
        ]
        for writer in range(WRITERS)
    ]
    return stores, published, submitted


def writer_changes(writer: int, month_end, hq, standard, tmp_path) -> list[Callable]:
    """Twenty-five changes of one writer, in an order of its own: ten publishes, five
    amendments of visits the other writers amend too, five bonus awards and five imports
    of three visits (two of them imported twice, the second time corrected)."""
    stores, published, submitted = month_end
    rng = random.Random(writer)
    criteria = list(standard.bonus_criteria.all()[:3])
    changes: list[Callable] = [
        partial(lambda pk: visit_publish(visit=Visit.objects.get(pk=pk), by=hq), visit.pk)
        for visit in submitted[writer]
    ]
    for n in range(5):
        changes.append(
            partial(
                lambda pk, n: visit_amend(
                    visit=Visit.objects.get(pk=pk),
                    by=hq,
                    reason=f"复核{writer}-{n}",
                    findings={"A2-01": {"occurrences": n % 3}},
                ),
                rng.choice(published).pk,
                n,
            )
        )
        store = stores[(writer * 3 + n) % len(stores)]
        changes.append(
            partial(
                bonus_award,
                store=store,
                month=MONTH,
                points=1,
                criteria=criteria,
                highlight=f"亮点{writer}-{n}",
                by=hq,
            )
        )
    for n in range(5):
        when = f"2026-09-{20 + writer:02d} {9 + n // 2}:{writer * 10:02d}"
        row = visit_row(store_code=stores[writer].code, visited_at=when, **{"A1-03": n % 2})
        path = visits_xlsx(tmp_path, [row], name=f"visits-{writer}-{n}.xlsx")
        changes.append(partial(visits_import, file=str(path), by=hq, source_name=path.name))
    rng.shuffle(changes)
    return changes


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row locks and overlapping re-ranks are PostgreSQL's; SQLite has one writer "
    "at a time (see the submission test above and tests/config/test_concurrent_writers.py)",
)
def test_four_writers_changing_one_month_leave_results_equal_to_a_fresh_recompute(
    month_end, hq, standard, tmp_path
):
    writers = [
        writer_changes(writer, month_end, hq, standard, tmp_path) for writer in range(WRITERS)
    ]
    assert [len(changes) for changes in writers] == [25] * WRITERS

    def write(changes: list[Callable]) -> list[tuple[str, object]]:
        done = []
        for change in changes:
            try:
                change()
                done.append(("ok", None))
            except ValidationError as refusal:
                done.append(("refused", refusal.messages))
            finally:
                connection.close()
        return done

    outcomes = in_parallel([partial(write, changes) for changes in writers])

    assert [kind for kind, _value in outcomes] == ["ok"] * WRITERS, outcomes
    done = [outcome for _kind, value in outcomes for outcome in value]
    refused = [messages for kind, messages in done if kind == "refused"]
    # Only rule 9 may refuse (a store outside its category's top N, or its points
    # used up): every publish, amendment and import goes through.
    assert BonusAward.objects.count() == WRITERS * 5 - len(refused)
    assert Visit.objects.filter(status=VisitStatus.PUBLISHED).count() == 12 + WRITERS * (10 + 3)
    stored, fresh = stored_and_fresh()
    assert stored == fresh
    assert not MonthRanking.objects.get(month=MONTH).is_pending
