"""Rating a period says what it skipped, and the leader works in bulk: every
untouched suggestion confirmed in one act, several grades at once in the board's
filter."""

import datetime as dt
import re

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from reformledger.audit.models import AuditRecord
from reformledger.core.exceptions import ConflictError
from reformledger.ledger import selectors, services
from reformledger.ledger.choices import NotRatedReason, RatingStatus, TaskStatus
from reformledger.ledger.models import ClosingRequest, Rating, RatingGrade, Task
from reformledger.ledger.tests.test_ratings import add_rated_tasks, behind_task, month
from tests.factories import TaskFactory


def skipped_world(world, office_staff):
    """Beside 2016-001 (in progress): three tasks without an approved plan (2016-002…
    004), one cancelled, one that starts in August, one closed in March."""
    kinds = {
        "X-cancelled": {"status": TaskStatus.CANCELLED},
        "X-later": {"status": TaskStatus.IN_PROGRESS, "start_date": dt.date(2016, 8, 1)},
        "X-closed": {"status": TaskStatus.CLOSED},
    }
    made = {
        code: TaskFactory(
            office=world.office, code=code, area=world.economy, lead_unit=world.boluo, **fields
        )
        for code, fields in kinds.items()
    }
    ClosingRequest.objects.create(
        task=made["X-closed"],
        status="approved",
        summary="完成",
        document_no="文号",
        document_date=dt.date(2016, 3, 1),
        requested_by=office_staff,
        decided_by=office_staff,
        decided_at=timezone.make_aware(dt.datetime(2016, 3, 20, 10)),
    )
    return made


EXPECTED = {
    "2016-002": NotRatedReason.NO_PLAN,
    "2016-003": NotRatedReason.NO_PLAN,
    "2016-004": NotRatedReason.NO_PLAN,
    "X-cancelled": NotRatedReason.CANCELLED,
    "X-closed": NotRatedReason.CLOSED,
    "X-later": NotRatedReason.NOT_STARTED,
}


# --- what computing skipped ------------------------------------------------------


def test_computing_names_each_task_it_did_not_rate_with_the_reason(world, office_staff):
    skipped_world(world, office_staff)
    run = services.ratings_compute_period(period=month(world, 6), by=office_staff)

    assert run.computed == 1
    assert {s.code: s.reason for s in run.skipped} == EXPECTED
    record = AuditRecord.objects.get(verb="ratings.computed")
    assert record.changes["not_rated"] == [
        None,
        {"cancelled": 1, "closed": 1, "no_plan": 3, "not_started": 1},
    ]


def test_the_board_lists_the_tasks_not_rateable_with_the_reason(
    world, office_staff, director, client_for
):
    skipped_world(world, office_staff)
    june = month(world, 6)
    response = client_for(office_staff).post(
        reverse("ledger:ratings_compute", args=[june.pk]), follow=True, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert any("1 tasks rated; 6 not rated" in str(m) for m in response.context["messages"])

    page = client_for(director).get(
        reverse("ledger:ratings"), {"period": june.pk}, HTTP_ACCEPT_LANGUAGE="en"
    )
    rows = {t.code: t.reason for t in page.context["not_rated"]}
    assert rows == EXPECTED
    html = page.content.decode()
    assert 'data-testid="not-rated"' in html
    row = html.split('data-task="2016-002" data-reason="no_plan"')[1].split("</tr>")[0]
    assert "No approved plan yet" in row


def test_a_ratable_task_not_computed_since_says_so_on_the_board(world, director, client_for):
    june = month(world, 6)
    page = client_for(director).get(reverse("ledger:ratings"), {"period": june.pk})
    rows = {t.code: t.reason for t in page.context["not_rated"]}
    assert rows["2016-001"] == NotRatedReason.NOT_COMPUTED


def test_the_not_rated_list_costs_one_query_however_long(world, director, client_for, settings):
    settings.LEDGER_PAGE_SIZE = 1000
    client = client_for(director)
    june = month(world, 6)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("ledger:ratings"), {"period": june.pk}).status_code == 200
        return len(ctx.captured_queries)

    small = queries()
    Task.objects.bulk_create(
        TaskFactory.build(
            office=world.office, code=f"P-{i:03d}", area=world.economy, lead_unit=world.boluo
        )
        for i in range(40)
    )
    assert queries() == small


# --- confirming every untouched suggestion -----------------------------------------


@pytest.fixture
def computed(world, director):
    """June computed for 2016-001, 2016-050 and ten more tasks; 2016-050 overridden."""
    behind_task(world)
    add_rated_tasks(world, 10, "S")
    june = month(world, 6)
    services.ratings_compute_period(period=june)
    overridden = Rating.objects.get(period=june, task__code="2016-050")
    services.rating_override(
        rating=overridden,
        by=director,
        grade=RatingGrade.objects.get(scale=overridden.suggested.scale, letter="B"),
        reason="实地核查后调整",
    )
    return june


def test_n_untouched_suggestions_are_confirmed_with_n_records_and_the_override_kept(
    world, computed, director
):
    untouched = Rating.objects.filter(period=computed, status=RatingStatus.SUGGESTED)
    n = untouched.count()
    letters = dict(untouched.values_list("pk", "suggested__letter"))
    before = AuditRecord.objects.filter(verb="rating.confirmed").count()

    done = services.ratings_confirm_untouched(period=computed, by=director, expected=n)

    assert len(done) == n == 11
    confirmed = Rating.objects.filter(pk__in=letters)
    assert {r.status for r in confirmed} == {RatingStatus.CONFIRMED}
    assert {r.pk: r.final.letter for r in confirmed} == letters
    records = AuditRecord.objects.filter(verb="rating.confirmed")
    assert records.count() - before == n
    assert {r.obj_id for r in records} == {str(pk) for pk in letters}
    kept = Rating.objects.get(period=computed, task__code="2016-050")
    assert (kept.status, kept.final.letter) == (RatingStatus.OVERRIDDEN, "B")
    # Nothing left: a second run confirms nothing and records nothing.
    assert services.ratings_confirm_untouched(period=computed, by=director) == []
    assert AuditRecord.objects.filter(verb="rating.confirmed").count() - before == n


def test_a_count_that_changed_since_the_board_was_read_confirms_nothing(world, computed, director):
    with pytest.raises(ConflictError):
        services.ratings_confirm_untouched(period=computed, by=director, expected=3)
    assert not Rating.objects.filter(period=computed, status=RatingStatus.CONFIRMED).exists()


def test_only_a_leader_confirms_in_bulk(world, computed, office_staff, huiyang_liaison):
    for user in (office_staff, huiyang_liaison):
        with pytest.raises(PermissionDenied):
            services.ratings_confirm_untouched(period=computed, by=user)


def test_the_board_confirms_every_untouched_grade_after_asking_with_the_count(
    world, computed, director, office_staff, client_for
):
    client = client_for(director)
    page = client.get(reverse("ledger:ratings"), {"period": computed.pk}, HTTP_ACCEPT_LANGUAGE="en")
    untouched = page.context["untouched"]
    assert untouched.count == 11
    html = page.content.decode()
    form = html.split('data-testid="confirm-untouched-form"')[1].split(">")[0]
    assert "Confirm the 11 suggested grades of 2016-06" in form

    response = client.post(
        reverse("ledger:ratings_confirm_untouched", args=[computed.pk]),
        {"expected": "11", "computed_by": untouched.latest.isoformat()},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert any("11 suggested grades confirmed" in str(m) for m in response.context["messages"])
    assert not Rating.objects.filter(period=computed, status=RatingStatus.SUGGESTED).exists()
    staff = client_for(office_staff)
    assert (
        staff.post(reverse("ledger:ratings_confirm_untouched", args=[computed.pk])).status_code
        == 403
    )
    assert (
        'data-testid="confirm-untouched"'
        not in staff.get(reverse("ledger:ratings"), {"period": computed.pk}).content.decode()
    )


def test_a_board_read_before_a_recomputation_confirms_nothing(
    world, computed, director, client_for
):
    latest = selectors.board_counts(director, computed)["untouched"].latest
    Rating.objects.filter(period=computed, status=RatingStatus.SUGGESTED).update(
        computed_at=latest + dt.timedelta(minutes=1)
    )
    client_for(director).post(
        reverse("ledger:ratings_confirm_untouched", args=[computed.pk]),
        {"expected": "11", "computed_by": latest.isoformat()},
    )
    assert not Rating.objects.filter(period=computed, status=RatingStatus.CONFIRMED).exists()


# --- several grades at once ------------------------------------------------------------


def test_the_boards_grade_filter_takes_several_grades(world, computed, director, client_for):
    client = client_for(director)
    letters = dict(
        Rating.objects.filter(period=computed).values_list("task__code", "suggested__letter")
    )
    letters["2016-050"] = "B"  # overridden: the grade in force
    wanted = sorted(set(letters.values()))[:2]
    expected = sorted(code for code, letter in letters.items() if letter in wanted)

    repeated = client.get(reverse("ledger:ratings"), {"period": computed.pk, "grade": wanted})
    commas = client.get(
        reverse("ledger:ratings"), {"period": computed.pk, "grade": ",".join(wanted)}
    )

    for page in (repeated, commas):
        assert sorted(r.task.code for r in page.context["page"]) == expected
    html = repeated.content.decode()
    checked = re.findall(r'name="grade" value="([^"]+)" id="id_grade_\d+" checked', html)
    assert checked == wanted
