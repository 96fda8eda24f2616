"""Preparing a leading-group meeting: the key tasks most in need of collective review
come first, each with the reasons that put it there."""

import datetime as dt

from django.utils import timezone

from reformledger.ledger import services as ledger
from reformledger.ledger.models import Rating
from reformledger.supervision import selectors, services

TODAY = timezone.localdate()


def _rate(world, task, letter: str, period):
    scale = ledger.scale_for(world.office, 2016)
    grade = scale.grades.get(letter=letter)
    Rating.objects.create(task=task, period=period, suggested=grade, computed_at=timezone.now())


def test_candidates_rank_worst_rating_then_escalations_then_staleness(
    world, office_staff, director
):
    for task in (world.task_helped, world.task_boluo):
        ledger.task_update(task=task, by=office_staff, is_key=True)
    periods = ledger.periods_ensure(office=world.office, year=2016, by=office_staff)
    june, july = periods[5], periods[6]
    _rate(world, world.task_huiyang, "A", june)
    _rate(world, world.task_huiyang, "B", july)  # the latest rating is the one that counts
    _rate(world, world.task_boluo, "D", july)
    _rate(world, world.task_helped, "D", july)
    order = services.order_issue(
        office=world.office,
        by=director,
        task=world.task_helped,
        basis="第2次会议要求",
        demand="报送进展",
        deadline=TODAY + dt.timedelta(days=3),
    )
    services.order_escalate(order=order, by=director, reason="进展滞后")

    ranked = selectors.review_candidates(world.office, 2016, today=dt.date(2016, 8, 1))

    assert [c.task.code for c in ranked] == ["2016-002", "2016-003", "2016-001"]
    first = ranked[0]
    assert (first.rating.grade.letter, first.escalated) == ("D", 1)
    assert "D" in first.reasons[0] and "2016-07" in first.reasons[0]
    assert any("1" in r for r in first.reasons[1:2])  # its escalated order is named
    # Never reported since it started on 1 January: 213 days without progress.
    assert ranked[1].stale_days == 213 and "213" in ranked[1].reasons[-1]
    assert ranked[2].rating.grade.letter == "B"


def test_tasks_not_key_are_not_candidates(world):
    ranked = selectors.review_candidates(world.office, 2016, today=dt.date(2016, 8, 1))
    assert [c.task.code for c in ranked] == ["2016-001"]  # the one key task in the world
    assert ranked[0].severity == -1 and ranked[0].rating is None


def test_a_task_reviewed_already_this_year_gives_way(world, office_staff):
    ledger.task_update(task=world.task_boluo, by=office_staff, is_key=True)
    meeting = services.leading_group_meeting_record(
        office=world.office,
        by=office_staff,
        year=2016,
        held_on=dt.date(2016, 3, 1),
        attendees="领导小组成员",
    )
    services.collective_review_add(
        meeting=meeting,
        by=office_staff,
        task=world.task_huiyang,
        achievements="a",
        problems="b",
        causes="c",
        improvements="d",
    )
    ranked = selectors.review_candidates(world.office, 2016, today=dt.date(2016, 8, 1))
    assert [c.task.code for c in ranked] == ["2016-003", "2016-001"]
    assert ranked[1].reviewed_before == 1


def test_ranking_costs_the_same_queries_for_many_tasks(
    world, office_staff, django_assert_max_num_queries
):
    with django_assert_max_num_queries(6):
        selectors.review_candidates(world.office, 2016)
    for n in range(20):
        ledger.task_create(
            by=office_staff,
            office=world.office,
            year=2016,
            code=f"2016-1{n:02d}",
            title=f"任务{n}",
            area=world.economy,
            lead_unit=world.boluo,
            is_key=True,
            deliverable_kind="policy",
            start_date=dt.date(2016, 1, 1),
            deadline=dt.date(2016, 12, 31),
        )
    with django_assert_max_num_queries(6):
        assert len(selectors.review_candidates(world.office, 2016, limit=50)) == 21
