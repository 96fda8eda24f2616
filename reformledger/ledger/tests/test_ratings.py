"""The A–E rating as the office meets it: scales, suggestions, the leader's decision,
the frozen period, the `rate` command, the rating board and the ledger's rating column."""

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from reformledger.accounts.models import User
from reformledger.audit.models import AuditRecord
from reformledger.audit.selectors import history_of
from reformledger.core.clock import pinned
from reformledger.core.exceptions import ConflictError
from reformledger.ledger import selectors, services
from reformledger.ledger.choices import (
    ClosingStatus,
    PlanStatus,
    RatingStatus,
    ReportStatus,
    TaskStatus,
)
from reformledger.ledger.models import (
    ClosingRequest,
    Milestone,
    Period,
    Plan,
    ProgressReport,
    Rating,
    RatingGrade,
    Task,
)
from reformledger.ledger.rating_engine import reason_text
from tests.factories import MilestoneFactory, PlanFactory, TaskFactory


def periods(world):
    return services.periods_ensure(office=world.office, year=2016)


def month(world, m: int):
    return periods(world)[m - 1]


def report(task, period, percent: int, status=ReportStatus.SUBMITTED):
    """A progress report row (the reports part files them; here only the fact counts)."""
    return ProgressReport.objects.create(
        task=task,
        period=period,
        status=status,
        done="推进中",
        percent=percent,
        author=_author(),
        submitted_at=timezone.now(),
    )


def _author():
    return User.objects.get(username="office")  # the world's office staff


def report_every_month(world, task, until: int, percent: int = 45):
    for p in periods(world)[:until]:
        report(task, p, percent)


def texts(rating) -> list[str]:
    with override("en"):
        return [reason_text(r) for r in rating.reasons]


def letter(rating) -> str:
    return rating.grade.letter


def behind_task(world, code="2016-050", percent=25):
    """An in-progress task whose plan expects 40% by the end of June (reached nothing),
    reporting `percent` every month: 15 points behind by default."""
    task = TaskFactory(
        office=world.office,
        code=code,
        area=world.economy,
        lead_unit=world.boluo,
        status=TaskStatus.IN_PROGRESS,
    )
    plan = PlanFactory(task=task)
    MilestoneFactory(plan=plan, title="方案", planned_date=dt.date(2016, 6, 30), weight=40)
    MilestoneFactory(plan=plan, title="总结", planned_date=dt.date(2016, 12, 31), weight=60)
    report_every_month(world, task, 7, percent)
    return task


# --- scales --------------------------------------------------------------------


def test_the_default_scale_has_five_graded_letters_and_is_created_once(world):
    scale = services.scale_for(world.office, 2016)
    grades = {g.letter: g for g in scale.grades.all()}

    assert sorted(grades) == ["A", "B", "C", "D", "E"]
    assert grades["A"].level == "ahead" and grades["A"].name == "完成/超前"
    assert grades["B"].name_en == "On schedule"
    assert grades["E"].level == "stalled"
    assert len({g.colour for g in grades.values()}) == 5
    assert services.scale_for(world.office, 2016).pk == scale.pk
    assert AuditRecord.objects.filter(verb="scale.created").count() == 1


def test_only_a_leader_changes_thresholds_and_the_change_is_recorded(world, office_staff, director):
    scale = services.scale_for(world.office, 2016)
    with pytest.raises(PermissionDenied):
        services.scale_update(scale=scale, by=office_staff, on_schedule_max_behind=20)

    services.scale_update(scale=scale, by=director, on_schedule_max_behind=20)

    scale.refresh_from_db()
    assert scale.on_schedule_max_behind == 20
    record = AuditRecord.objects.get(verb="scale.updated")
    assert record.changes == {"on_schedule_max_behind": [10, 20]}


def test_thresholds_out_of_order_are_refused_by_name(world, director):
    scale = services.scale_for(world.office, 2016)
    with pytest.raises(ValidationError) as refused:
        services.scale_update(scale=scale, by=director, slightly_behind_max_behind=5)
    assert "slightly_behind_max_behind" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.scale_update(scale=scale, by=director, stalled_missing_periods=0)
    assert "stalled_missing_periods" in refused.value.message_dict
    assert not AuditRecord.objects.filter(verb="scale.updated").exists()


def test_thresholds_in_data_change_the_suggestion_without_code(world, director):
    task = behind_task(world)
    july = month(world, 7)
    assert letter(services.rating_compute(task=task, period=month(world, 6))) == "C"

    scale = services.scale_for(world.office, 2016)
    services.scale_update(scale=scale, by=director, on_schedule_max_behind=20)
    june = services.rating_compute(task=task, period=month(world, 6))

    assert letter(june) == "B"
    assert june.facts["thresholds"]["on_schedule_max_behind"] == 20
    assert july  # the year's other periods are untouched


# --- computing suggestions ---------------------------------------------------------


def test_a_suggestion_stores_its_grade_reasons_and_facts(world, office_staff):
    task = world.task_huiyang  # milestones 2016-06-30 (40) and 2016-12-15 (60, key)
    Milestone.objects.filter(plan__task=task, title="出台考核方案").update(
        reached_on=dt.date(2016, 6, 20)
    )
    report_every_month(world, task, 7, percent=45)

    rating = services.rating_compute(task=task, period=month(world, 7), by=office_staff)

    assert letter(rating) == "B"
    assert rating.status == RatingStatus.SUGGESTED
    assert texts(rating) == ["On schedule: plan 40%, achieved 45%, no milestone overdue."]
    assert rating.facts["on"] == "2016-07-31"
    assert rating.facts["reported_percent"] == 45
    assert rating.facts["periods_without_report"] == 0
    assert [m["reached_on"] for m in rating.facts["milestones"]] == ["2016-06-20", None]
    record = AuditRecord.objects.get(verb="rating.computed")
    assert record.changes["suggested"] == [None, "B"]
    assert record in history_of(task)


def test_two_periods_without_a_report_make_a_task_stalled(world):
    task = world.task_huiyang
    report(task, month(world, 1), 5)  # January only: February's and March's are missing

    rating = services.rating_compute(task=task, period=month(world, 4))

    assert letter(rating) == "E"
    assert rating.facts["periods_without_report"] == 2  # April's report is not due yet
    assert "No progress report for 2 periods in a row." in texts(rating)


def test_a_returned_or_draft_report_does_not_count_as_reported(world):
    task = world.task_huiyang
    report(task, month(world, 1), 5, status=ReportStatus.RETURNED)
    report(task, month(world, 2), 5, status=ReportStatus.DRAFT)
    rating = services.rating_compute(task=task, period=month(world, 3))
    assert rating.facts["periods_without_report"] == 2
    assert rating.facts["reported_percent"] is None


def test_a_milestone_overdue_more_than_thirty_days_is_seriously_behind(world):
    task = world.task_huiyang
    report_every_month(world, task, 8, percent=45)
    rating = services.rating_compute(task=task, period=month(world, 8))
    assert letter(rating) == "D"
    assert texts(rating)[0] == "Milestone “出台考核方案” (due 2016-06-30) is 62 days overdue."


def test_a_task_closed_in_a_period_is_a_there_and_not_rated_after(world, office_staff):
    task = world.task_huiyang
    Task.objects.filter(pk=task.pk).update(status=TaskStatus.CLOSED)
    ClosingRequest.objects.create(
        task=task,
        status=ClosingStatus.APPROVED,
        summary="已完成",
        document_no="惠改〔2016〕9号",
        document_date=dt.date(2016, 6, 10),
        requested_by=office_staff,
        decided_at=timezone.make_aware(dt.datetime(2016, 6, 15, 10)),
    )
    task.refresh_from_db()

    june = services.rating_compute(task=task, period=month(world, 6))
    assert letter(june) == "A"
    assert texts(june) == ["The task is closed (销账)."]
    may = services.rating_compute(task=task, period=month(world, 5))
    assert may.facts["closed"] is False  # in May it was still open
    with pytest.raises(ValidationError) as refused:
        services.rating_compute(task=task, period=month(world, 7))
    assert "task" in refused.value.message_dict


def test_tasks_still_planning_are_not_rated(world):
    with pytest.raises(ValidationError) as refused:
        services.rating_compute(task=world.task_boluo, period=month(world, 6))
    assert "task" in refused.value.message_dict
    assert not Rating.objects.exists()


def test_computing_a_period_rates_every_task_in_progress_once_with_one_record(world):
    extra = behind_task(world)
    june = month(world, 6)

    assert services.ratings_compute_period(period=june).computed == 2
    assert services.ratings_compute_period(period=june).computed == 2  # recomputed, not twice

    rated = dict(Rating.objects.filter(period=june).values_list("task__code", "suggested__letter"))
    assert rated == {"2016-001": "E", extra.code: "C"}  # 2016-001 has no report at all
    records = AuditRecord.objects.filter(verb="ratings.computed")
    assert records.count() == 2
    assert records.first().changes["computed"] == [None, 2]
    assert records.first().changes["grades"] == [None, {"C": 1, "E": 1}]


def test_computing_never_touches_a_decided_rating(world, director):
    june = month(world, 6)
    services.ratings_compute_period(period=june)
    rating = Rating.objects.get(period=june, task=world.task_huiyang)
    services.rating_override(
        rating=rating, by=director, grade=grade(rating, "C"), reason="已部署推进"
    )
    report_every_month(world, world.task_huiyang, 6, percent=40)

    services.ratings_compute_period(period=june)
    again = services.rating_compute(task=world.task_huiyang, period=june)

    rating.refresh_from_db()
    assert (letter(rating), rating.status) == ("C", RatingStatus.OVERRIDDEN)
    assert rating.suggested.letter == "E"  # the suggestion the leader saw stays beside it
    assert again.pk == rating.pk and again.computed_at == rating.computed_at


def test_computing_again_rewrites_only_the_suggestions_that_moved(world):
    june = month(world, 6)
    task = behind_task(world)
    first = dt.datetime(2016, 7, 6, 9, tzinfo=dt.UTC)
    with pinned(first):
        services.ratings_compute_period(period=june)
    before = dict(Rating.objects.filter(period=june).values_list("task_id", "suggested__letter"))
    assert len(before) >= 2
    # The behind task catches up: its suggestion moves, the others stay as they were.
    ProgressReport.objects.filter(task=task).update(percent=40)
    with pinned(first + dt.timedelta(days=1)):
        services.ratings_compute_period(period=june)
    rows = Rating.objects.filter(period=june).values_list(
        "task_id", "suggested__letter", "computed_at"
    )
    after = {t: (g, at) for t, g, at in rows}
    letter_now, at = after[task.pk]
    assert letter_now != before[task.pk] and at == first + dt.timedelta(days=1)
    assert {t: v for t, v in after.items() if t != task.pk} == {
        t: (g, first) for t, g in before.items() if t != task.pk
    }


def test_a_suggestion_left_from_a_cancelled_task_is_removed(world, office_staff):
    june = month(world, 6)
    services.ratings_compute_period(period=june)
    services.task_set_status(
        task=world.task_huiyang, by=office_staff, status=TaskStatus.CANCELLED, reason="合并"
    )
    assert services.ratings_compute_period(period=june).computed == 0
    assert not Rating.objects.filter(period=june).exists()
    assert AuditRecord.objects.filter(verb="ratings.computed").last().changes["removed"] == [
        None,
        1,
    ]


def test_a_future_period_cannot_be_rated(world):
    year = timezone.localdate().year + 1
    later = services.periods_ensure(office=world.office, year=year)[0]
    with pytest.raises(ValidationError) as refused:
        services.ratings_compute_period(period=later)
    assert "period" in refused.value.message_dict


def add_rated_tasks(world, n: int, prefix: str = "Q"):
    """`n` in-progress tasks with a plan of two milestones and a report each month."""
    tasks = Task.objects.bulk_create(
        TaskFactory.build(
            office=world.office,
            code=f"{prefix}-{i:04d}",
            area=world.economy,
            lead_unit=world.huiyang if i % 2 else world.boluo,
            status=TaskStatus.IN_PROGRESS,
        )
        for i in range(n)
    )
    plans = Plan.objects.bulk_create(Plan(task=t, status=PlanStatus.APPROVED) for t in tasks)
    Milestone.objects.bulk_create(
        Milestone(plan=p, title=f"节点{k}", planned_date=dt.date(2016, 3 * k, 28), weight=50)
        for p in plans
        for k in (1, 2)
    )
    june = month(world, 6)
    ProgressReport.objects.bulk_create(
        ProgressReport(
            task=t,
            period=p,
            status=ReportStatus.ACCEPTED,
            done="进展",
            percent=10 * i,
            author=_author(),
        )
        for t in tasks
        for i, p in enumerate(periods(world)[: june.number], start=1)
    )
    return tasks


def test_computing_a_period_costs_the_same_queries_for_5_and_60_tasks(world):
    june = month(world, 6)
    services.scale_for(world.office, 2016)  # the first run creates the scale; not measured
    add_rated_tasks(world, 5, "S")
    with CaptureQueriesContext(connection) as small:
        services.ratings_compute_period(period=Period.objects.get(pk=june.pk))
    add_rated_tasks(world, 55, "L")
    with CaptureQueriesContext(connection) as large:
        services.ratings_compute_period(period=Period.objects.get(pk=june.pk))
    assert Rating.objects.filter(period=june).count() == 61
    assert len(small.captured_queries) == len(large.captured_queries)


# --- deciding --------------------------------------------------------------------


def grade(rating, letter_: str) -> RatingGrade:
    return RatingGrade.objects.get(scale=rating.suggested.scale, letter=letter_)


@pytest.fixture
def suggested(world):
    """The June suggestion of 2016-001 (E: no report yet)."""
    return services.rating_compute(task=world.task_huiyang, period=month(world, 6))


def test_a_leader_confirms_a_suggestion_and_it_shows_in_the_task_history(
    world, director, suggested
):
    services.rating_confirm(rating=suggested, by=director)

    rating = Rating.objects.get(pk=suggested.pk)
    assert rating.status == RatingStatus.CONFIRMED
    assert rating.final == rating.suggested
    assert rating.decided_by == director
    record = AuditRecord.objects.get(verb="rating.confirmed")
    assert record.changes["rating"] == [None, "E"]
    assert record in history_of(world.task_huiyang)


def test_an_override_needs_a_reason_and_writes_nothing_without_one(director, suggested):
    records = AuditRecord.objects.count()
    with pytest.raises(ValidationError) as refused:
        services.rating_override(
            rating=suggested, by=director, grade=grade(suggested, "C"), reason=" "
        )
    assert "reason" in refused.value.message_dict
    assert AuditRecord.objects.count() == records
    assert Rating.objects.get(pk=suggested.pk).status == RatingStatus.SUGGESTED


def test_an_override_keeps_the_suggestion_and_records_both_letters_and_the_reason(
    world, director, suggested
):
    services.rating_override(
        rating=suggested, by=director, grade=grade(suggested, "C"), reason="报告已线下报送"
    )

    rating = Rating.objects.get(pk=suggested.pk)
    assert (rating.status, rating.final.letter, rating.suggested.letter) == ("overridden", "C", "E")
    assert rating.override_reason == "报告已线下报送"
    record = AuditRecord.objects.get(verb="rating.overridden")
    assert record.changes["rating"] == ["E", "C"]
    assert record.reason == "报告已线下报送"
    assert record in history_of(world.task_huiyang)


def test_an_override_must_use_a_grade_of_the_ratings_scale(world, director, suggested):
    other = services.scale_for(world.office, 2017).grades.get(letter="C")
    with pytest.raises(ValidationError) as refused:
        services.rating_override(rating=suggested, by=director, grade=other, reason="理由")
    assert "grade" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.rating_override(
            rating=suggested, by=director, grade=suggested.suggested, reason="理由"
        )
    assert "grade" in refused.value.message_dict


@pytest.mark.parametrize("persona", ["huiyang_liaison", "office_staff", "city_leader"])
def test_only_office_leaders_decide_ratings(request, persona, suggested):
    user = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        services.rating_confirm(rating=suggested, by=user)
    with pytest.raises(PermissionDenied):
        services.rating_override(
            rating=suggested, by=user, grade=grade(suggested, "B"), reason="理由"
        )
    assert Rating.objects.get(pk=suggested.pk).status == RatingStatus.SUGGESTED


def test_a_second_confirm_from_another_tab_is_a_conflict_with_one_record(director, suggested):
    other_tab = Rating.objects.get(pk=suggested.pk)
    services.rating_confirm(rating=suggested, by=director)
    with pytest.raises(ConflictError):
        services.rating_confirm(rating=other_tab, by=director)
    with pytest.raises(ConflictError):
        services.rating_override(
            rating=other_tab, by=director, grade=grade(other_tab, "B"), reason="改判"
        )
    assert (
        AuditRecord.objects.filter(verb__startswith="rating.")
        .exclude(verb="rating.computed")
        .count()
        == 1
    )


def test_a_decision_on_a_suggestion_recomputed_since_it_was_read_is_a_conflict(
    world, director, suggested
):
    report_every_month(world, world.task_huiyang, 6, percent=45)
    services.rating_compute(task=world.task_huiyang, period=month(world, 6))  # E -> D
    with pytest.raises(ConflictError):
        services.rating_confirm(rating=suggested, by=director)


def test_a_closed_period_refuses_every_rating_act(world, office_staff, director, suggested):
    june = month(world, 6)
    services.period_close(period=june, by=director)
    records = AuditRecord.objects.count()

    acts = [
        lambda: services.rating_compute(task=world.task_huiyang, period=june, by=office_staff),
        lambda: services.ratings_compute_period(period=june, by=office_staff),
        lambda: services.rating_confirm(rating=suggested, by=director),
        lambda: services.rating_override(
            rating=suggested, by=director, grade=grade(suggested, "B"), reason="理由"
        ),
    ]
    for act in acts:
        with pytest.raises(ValidationError) as refused:
            act()
        assert "period" in refused.value.message_dict
    assert AuditRecord.objects.count() == records
    assert Rating.objects.get(pk=suggested.pk).status == RatingStatus.SUGGESTED


def test_the_rating_path_lists_a_tasks_grades_period_by_period(world, director):
    for m in (4, 5, 6):
        services.ratings_compute_period(period=month(world, m))
    services.rating_override(
        rating=Rating.objects.get(period=month(world, 5)),
        by=director,
        grade=grade(Rating.objects.get(period=month(world, 5)), "D"),
        reason="有进展",
    )
    path = selectors.rating_path(world.task_huiyang)
    assert [(r.period.label, r.grade.letter) for r in path] == [
        ("2016-04", "E"),
        ("2016-05", "D"),
        ("2016-06", "E"),
    ]
    html = render_to_string("ledger/ratings/_path.html", {"rating_path": path})
    assert html.count("data-period=") == 3
    assert html.index('data-grade="D"') < html.index('data-period="2016-06"')


# --- the rate command ------------------------------------------------------------


def test_rate_sets_up_the_year_and_prints_the_grades(world):
    behind_task(world)
    out = io.StringIO()
    call_command("rate", period="2016-06", stdout=out)

    text = out.getvalue()
    assert "HZ-GGB 2016-06: 2 tasks rated" in text
    assert "C 1, E 1" in text
    assert Rating.objects.filter(period__number=6).count() == 2
    assert AuditRecord.objects.filter(verb="ratings.computed", actor=None).count() == 1


def test_rate_refuses_a_bad_period_or_office(world):
    with pytest.raises(CommandError):
        call_command("rate", period="2016-13", stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("rate", period="2016-06", office="NOPE", stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("rate", period="1999-06", stdout=io.StringIO())


def test_rate_names_a_closed_period_and_fails(world, director):
    services.period_close(period=month(world, 6), by=director)
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("rate", period="2016-06", office="HZ-GGB", stdout=io.StringIO(), stderr=err)
    assert "HZ-GGB 2016-06" in err.getvalue()


# --- the rating board ------------------------------------------------------------


def board(client, period, **params):
    return client.get(reverse("ledger:ratings"), {"period": period.pk, **params})


def test_the_board_shows_each_suggestion_with_its_reasons(world, client_for, office_staff):
    behind_task(world)
    june = month(world, 6)
    services.ratings_compute_period(period=june)

    with override("en"):
        page = board(client_for(office_staff), june, grade="C")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-task="2016-050"' in html and 'data-task="2016-001"' not in html
    assert 'data-grade="C"' in html
    assert 'data-testid="compute"' in html
    assert 'data-testid="confirm"' not in html  # staff compute; leaders decide


def test_a_leader_confirms_and_overrides_from_the_board(world, client_for, director):
    behind_task(world)
    june = month(world, 6)
    services.ratings_compute_period(period=june)
    client = client_for(director)
    assert 'data-testid="confirm"' in board(client, june).content.decode()
    first, second = Rating.objects.filter(period=june).order_by("task__code")

    client.post(reverse("ledger:rating_decide", args=[first.pk]), {"action": "confirm"})
    client.post(
        reverse("ledger:rating_decide", args=[second.pk]),
        {"action": "override", "grade": grade(second, "B").pk, "reason": "已整改"},
    )
    response = client.post(
        reverse("ledger:rating_decide", args=[second.pk]),
        {"action": "override", "grade": grade(second, "A").pk, "reason": ""},
    )

    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == RatingStatus.CONFIRMED
    assert (second.status, second.final.letter) == (RatingStatus.OVERRIDDEN, "B")


def test_a_liaison_reads_the_board_but_deciding_is_refused(
    world, client_for, huiyang_liaison, suggested
):
    client = client_for(huiyang_liaison)
    page = board(client, suggested.period)
    assert page.status_code == 200
    assert 'data-task="2016-001"' in page.content.decode()
    assert 'data-testid="confirm"' not in page.content.decode()

    response = client.post(
        reverse("ledger:rating_decide", args=[suggested.pk]), {"action": "confirm"}
    )
    assert response.status_code == 403
    assert Rating.objects.get(pk=suggested.pk).status == RatingStatus.SUGGESTED
    assert (
        client.post(reverse("ledger:ratings_compute", args=[suggested.period_id])).status_code
        == 403
    )
    assert (
        client.post(reverse("ledger:period_close", args=[suggested.period_id])).status_code == 403
    )


def test_a_rating_of_a_task_one_cannot_see_is_not_found(
    world, client_for, boluo_liaison, suggested
):
    response = client_for(boluo_liaison).post(
        reverse("ledger:rating_decide", args=[suggested.pk]), {"action": "confirm"}
    )
    assert response.status_code == 404


def test_staff_compute_and_only_a_leader_closes_the_period(
    world, client_for, office_staff, director
):
    june = month(world, 6)
    staff = client_for(office_staff)
    assert staff.post(reverse("ledger:ratings_compute", args=[june.pk])).status_code == 302
    assert Rating.objects.filter(period=june).count() == 1
    assert staff.post(reverse("ledger:period_close", args=[june.pk])).status_code == 403

    client_for(director).post(reverse("ledger:period_close", args=[june.pk]))
    june.refresh_from_db()
    assert june.is_frozen
    page = board(client_for(director), june).content.decode()
    assert 'data-testid="period-closed"' in page
    assert 'data-testid="confirm"' not in page and 'data-testid="compute"' not in page


def test_the_close_button_asks_for_confirmation(world, client_for, director):
    june = month(world, 6)
    html = board(client_for(director), june).content.decode()
    close_form = html.split(reverse("ledger:period_close", args=[june.pk]))[1].split(">")[0]
    assert "data-confirm=" in close_form


def test_staff_set_up_a_year_from_the_board(world, client_for, office_staff):
    page = client_for(office_staff).get(reverse("ledger:ratings"))
    assert 'data-testid="no-periods"' in page.content.decode()
    client_for(office_staff).post(
        reverse("ledger:periods_setup"), {"office": world.office.pk, "year": 2016}
    )
    assert world.office.pk and len(periods(world)) == 12
    page = client_for(office_staff).get(reverse("ledger:ratings"))
    assert 'data-testid="period-info"' in page.content.decode()


def test_the_board_opens_on_the_latest_open_period(world, client_for, director):
    for p in periods(world)[:3]:
        services.period_close(period=p, by=director)
    page = client_for(director).get(reverse("ledger:ratings"))
    assert page.context["period"].label == "2016-12"


def _board_queries(client, period) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = board(client, period)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("persona", ["director", "huiyang_liaison"])
def test_the_board_runs_the_same_queries_for_10_and_60_ratings(
    request, world, client_for, settings, persona
):
    settings.LEDGER_PAGE_SIZE = 1000
    client = client_for(request.getfixturevalue(persona))
    june = month(world, 6)
    add_rated_tasks(world, 10, "S")
    services.ratings_compute_period(period=june)
    small = _board_queries(client, june)
    add_rated_tasks(world, 50, "L")
    services.ratings_compute_period(period=june)
    large = _board_queries(client, june)
    assert Rating.objects.filter(period=june).count() == 61
    assert small == large


# --- the scale page --------------------------------------------------------------


def test_a_leader_edits_the_thresholds_and_staff_only_read_them(
    world, client_for, office_staff, director, huiyang_liaison
):
    url = reverse("ledger:scale")
    params = {"office": world.office.pk, "year": 2016}
    page = client_for(office_staff).get(url, params)
    assert page.status_code == 200
    assert '<form method="post" data-testid="thresholds"' not in page.content.decode()
    assert (
        client_for(office_staff).post(url, {**params, "on_schedule_max_behind": 5}).status_code
        == 403
    )
    assert client_for(huiyang_liaison).get(url, params).status_code == 403

    values = {
        "on_schedule_max_behind": 15,
        "slightly_behind_max_behind": 40,
        "slightly_behind_max_overdue_days": 30,
        "stalled_missing_periods": 3,
        "stalled_not_started_days": 30,
    }
    response = client_for(director).post(url, {**params, **values})
    assert response.status_code == 302
    scale = services.scale_for(world.office, 2016)
    assert (scale.on_schedule_max_behind, scale.stalled_missing_periods) == (15, 3)

    bad = client_for(director).post(url, {**params, **values, "slightly_behind_max_behind": 5})
    assert bad.status_code == 200
    assert "slightly_behind_max_behind" in bad.context["form"].errors


# --- the ledger's rating column ------------------------------------------------------


def test_the_ledger_shows_each_tasks_rating_of_the_latest_period(world, client_for, office_staff):
    services.ratings_compute_period(period=month(world, 5))
    services.ratings_compute_period(period=month(world, 6))
    page = client_for(office_staff).get(reverse("ledger:ledger"), {"year": 2016})
    assert page.context["ratings"].label == "2016-06"
    assert not page.context["ratings"].frozen
    rated = {t.code: t.rating for t in page.context["page"]}
    assert rated["2016-001"].period.label == "2016-06"
    assert rated["2016-003"] is None
    assert 'data-grade="E"' in page.content.decode()


def test_the_ledger_as_of_a_closed_period_shows_the_ratings_frozen_then(
    world, client_for, director
):
    may, june = month(world, 5), month(world, 6)
    services.ratings_compute_period(period=may)
    services.rating_override(
        rating=Rating.objects.get(period=may),
        by=director,
        grade=grade(Rating.objects.get(period=may), "C"),
        reason="已部署",
    )
    services.period_close(period=may, by=director)
    services.ratings_compute_period(period=june)
    client = client_for(director)

    page = client.get(reverse("ledger:ledger"), {"year": 2016, "as_of": may.pk})
    assert page.context["ratings"].as_of == may
    assert {t.code: t.rating.grade.letter for t in page.context["page"] if t.rating} == {
        "2016-001": "C"
    }
    assert 'data-testid="rating-period"' in page.content.decode()

    # An open period is no snapshot: the ledger falls back to the latest ratings.
    page = client.get(reverse("ledger:ledger"), {"year": 2016, "as_of": june.pk})
    assert page.context["ratings"].as_of is None
    assert page.context["ratings"].label == "2016-06"


def _ledger_queries(client, params) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("ledger:ledger"), params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("as_of", [False, True])
def test_the_ledger_with_ratings_runs_the_same_queries_for_10_and_200_tasks(
    world, client_for, director, settings, as_of
):
    settings.LEDGER_PAGE_SIZE = 1000
    client = client_for(director)
    june = month(world, 6)
    add_rated_tasks(world, 10, "S")
    services.ratings_compute_period(period=june)
    services.period_close(period=june, by=director)
    params = {"year": 2016, **({"as_of": june.pk} if as_of else {})}
    small = _ledger_queries(client, params)
    Rating.objects.filter(task__code__startswith="S-").delete()
    ProgressReport.objects.filter(task__code__startswith="S-").delete()
    Task.objects.filter(code__startswith="S-").delete()
    tasks = add_rated_tasks(world, 200, "L")
    Rating.objects.bulk_create(
        Rating(
            task=t,
            period=june,
            suggested=grade(Rating.objects.get(task=world.task_huiyang), "B"),
            computed_at=timezone.now(),
        )
        for t in tasks
    )
    large = _ledger_queries(client, params)
    assert small == large
