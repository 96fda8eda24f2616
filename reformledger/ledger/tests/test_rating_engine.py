"""The A–E engine as a pure function: one example per letter with its reason, and the
properties every suggestion keeps whatever the facts."""

import datetime as dt

import pytest
from django.utils.translation import override
from hypothesis import given, settings
from hypothesis import strategies as st

from reformledger.ledger.choices import LEVEL_SEVERITY, NotRatedReason, RatingLevel, TaskStatus
from reformledger.ledger.rating_engine import (
    MilestoneFact,
    NotRated,
    TaskFacts,
    Thresholds,
    achieved_percent,
    not_rated_reason,
    planned_percent,
    reason_text,
    suggest,
)

DEFAULT = Thresholds()
START = dt.date(2016, 1, 1)
PLAN = (
    MilestoneFact("出台方案", dt.date(2016, 3, 31), 30),
    MilestoneFact("试点推开", dt.date(2016, 6, 30), 30),
    MilestoneFact("全面总结", dt.date(2016, 12, 15), 40, is_key=True),
)


def reached(*dates):
    """PLAN with its milestones reached on `dates` (None: not reached)."""
    return tuple(
        MilestoneFact(m.title, m.planned_date, m.weight, m.is_key, d)
        for m, d in zip(PLAN, dates, strict=True)
    )


def texts(suggestion) -> list[str]:
    with override("en"):
        return suggestion.texts


def facts(on, milestones=PLAN, **kw) -> TaskFacts:
    return TaskFacts(on=on, start_date=START, milestones=milestones, **kw)


# --- one example per letter ------------------------------------------------------


def test_a_closed_task_is_done():
    s = suggest(facts(dt.date(2016, 5, 31), closed=True), DEFAULT)
    assert s.level == RatingLevel.AHEAD
    assert texts(s) == ["The task is closed (销账)."]


def test_a_task_that_reached_the_next_milestone_early_is_ahead():
    s = suggest(
        facts(
            dt.date(2016, 5, 31),
            reached(dt.date(2016, 3, 20), dt.date(2016, 5, 10), None),
            reported_percent=60,
        ),
        DEFAULT,
    )
    assert s.level == RatingLevel.AHEAD
    assert texts(s) == ["Ahead: the next milestone “试点推开” (due 2016-06-30) is already reached."]


def test_b_on_schedule_when_every_due_milestone_is_reached():
    s = suggest(
        facts(dt.date(2016, 5, 31), reached(dt.date(2016, 3, 25), None, None), reported_percent=35),
        DEFAULT,
    )
    assert s.level == RatingLevel.ON_SCHEDULE
    assert texts(s) == ["On schedule: plan 30%, achieved 35%, no milestone overdue."]
    assert s.facts == {"planned": 30, "achieved": 35, "behind": 0}


def test_c_a_milestone_a_few_days_overdue_is_slightly_behind():
    s = suggest(facts(dt.date(2016, 4, 15), reported_percent=25), DEFAULT)
    assert s.level == RatingLevel.SLIGHTLY_BEHIND
    assert texts(s) == ["Milestone “出台方案” (due 2016-03-31) is 15 days overdue."]


def test_c_ten_to_thirty_points_behind_is_slightly_behind():
    # The first milestone is due today (not yet overdue), but the report lags the plan.
    s = suggest(facts(dt.date(2016, 3, 31), reported_percent=15), DEFAULT)
    assert s.level == RatingLevel.SLIGHTLY_BEHIND
    assert texts(s) == ["15 points behind plan (plan 30%, achieved 15%)."]


def test_d_a_key_milestone_overdue_is_seriously_behind():
    s = suggest(
        facts(
            dt.date(2016, 12, 20),
            reached(dt.date(2016, 3, 31), dt.date(2016, 6, 30), None),
            reported_percent=95,
        ),
        DEFAULT,
    )
    assert s.level == RatingLevel.SERIOUSLY_BEHIND
    assert texts(s) == ["Key milestone “全面总结” (due 2016-12-15) is 5 days overdue."]


def test_d_more_than_thirty_points_behind_lists_every_reason_worst_first():
    s = suggest(
        facts(dt.date(2016, 8, 15), reached(None, None, None), reported_percent=5),
        DEFAULT,
    )
    assert s.level == RatingLevel.SERIOUSLY_BEHIND
    assert texts(s) == [
        "Milestone “出台方案” (due 2016-03-31) is 137 days overdue.",
        "Milestone “试点推开” (due 2016-06-30) is 46 days overdue.",
        "55 points behind plan (plan 60%, achieved 5%).",
    ]


def test_e_two_periods_without_a_report_is_stalled():
    s = suggest(
        facts(
            dt.date(2016, 5, 31),
            reached(dt.date(2016, 3, 25), None, None),
            periods_without_report=2,
        ),
        DEFAULT,
    )
    assert s.level == RatingLevel.STALLED
    assert texts(s) == ["No progress report for 2 periods in a row."]


def test_e_blocked_or_never_started_is_stalled():
    s = suggest(facts(dt.date(2016, 2, 29), blocked=True, reported_percent=10), DEFAULT)
    assert s.level == RatingLevel.STALLED
    assert texts(s) == ["The task is marked blocked."]
    s = suggest(facts(dt.date(2016, 2, 29), ()), DEFAULT)
    assert s.level == RatingLevel.STALLED
    assert texts(s) == ["Not started 59 days after its planned start (2016-01-01)."]


def test_two_milestones_due_the_same_day_are_both_needed_to_be_ahead():
    same_day = (
        MilestoneFact("甲", dt.date(2016, 6, 30), 50, reached_on=dt.date(2016, 5, 1)),
        MilestoneFact("乙", dt.date(2016, 6, 30), 50),
    )
    on = dt.date(2016, 5, 31)
    assert suggest(facts(on, same_day, reported_percent=50), DEFAULT).level == "on_schedule"
    assert suggest(facts(on, same_day[::-1], reported_percent=50), DEFAULT).level == "on_schedule"


def test_a_stored_reason_reads_in_the_readers_language():
    s = suggest(facts(dt.date(2016, 2, 29), blocked=True), DEFAULT)
    stored = [r.as_json() for r in s.reasons]
    assert stored[0] == {"msg": "The task is marked blocked.", "args": {}}
    with override("en"):
        assert reason_text(stored[0]) == "The task is marked blocked."
    assert reason_text("written by hand") == "written by hand"


# --- properties ----------------------------------------------------------------

DAY0 = dt.date(2016, 1, 1)
days = st.integers(min_value=0, max_value=400)


@st.composite
def task_facts(draw, all_due_reached: bool = False):
    """Facts at a rating date `on`, fixed as of that date: every reached milestone was
    reached on or before `on` (a later date would be a fact of the future)."""
    on = DAY0 + dt.timedelta(days=draw(days))
    start = DAY0 + dt.timedelta(days=draw(st.integers(0, 400)))
    count = draw(st.integers(0, 6))
    milestones = []
    for i in range(count):
        planned = DAY0 + dt.timedelta(days=draw(days))
        due = planned <= on
        is_reached = (all_due_reached and due) or draw(st.booleans())
        reached_on = None
        if is_reached:
            latest = (on - DAY0).days
            reached_on = DAY0 + dt.timedelta(days=draw(st.integers(0, latest)))
        milestones.append(
            MilestoneFact(
                f"m{i}",
                planned,
                draw(st.integers(0, 100)),
                draw(st.booleans()),
                reached_on,
            )
        )
    return TaskFacts(
        on=on,
        start_date=start,
        milestones=tuple(milestones),
        reported_percent=draw(st.none() | st.integers(0, 100)),
        periods_without_report=draw(st.integers(0, 4)),
        closed=draw(st.booleans()) if not all_due_reached else False,
        blocked=draw(st.booleans()) if not all_due_reached else False,
    )


@st.composite
def thresholds(draw):
    on_schedule = draw(st.integers(1, 50))
    return Thresholds(
        on_schedule_max_behind=on_schedule,
        slightly_behind_max_behind=draw(st.integers(on_schedule, 100)),
        slightly_behind_max_overdue_days=draw(st.integers(0, 120)),
        stalled_missing_periods=draw(st.integers(1, 6)),
        stalled_not_started_days=draw(st.integers(0, 120)),
    )


@settings(max_examples=400, deadline=None)
@given(task_facts(all_due_reached=True), thresholds())
def test_every_due_milestone_reached_with_reports_is_never_worse_than_b(f, limits):
    # "Reports present": none missing and the task shows it has started.
    started = (f.reported_percent or 0) > 0 or any(m.reached_on for m in f.milestones)
    f = TaskFacts(
        on=f.on,
        start_date=f.start_date,
        milestones=f.milestones,
        reported_percent=f.reported_percent if started else max(f.reported_percent or 0, 1),
        periods_without_report=0,
    )
    s = suggest(f, limits)
    assert s.level in (RatingLevel.AHEAD, RatingLevel.ON_SCHEDULE), texts(s)


@settings(max_examples=600, deadline=None)
@given(task_facts(), thresholds())
def test_one_more_day_never_improves_the_rating(f, limits):
    today = suggest(f, limits)
    tomorrow = suggest(
        TaskFacts(
            on=f.on + dt.timedelta(days=1),
            start_date=f.start_date,
            milestones=f.milestones,
            reported_percent=f.reported_percent,
            periods_without_report=f.periods_without_report,
            closed=f.closed,
            blocked=f.blocked,
        ),
        limits,
    )
    assert LEVEL_SEVERITY[tomorrow.level] >= LEVEL_SEVERITY[today.level], (
        texts(today),
        texts(tomorrow),
    )


@settings(max_examples=200, deadline=None)
@given(task_facts(), thresholds())
def test_a_suggestion_always_has_a_level_and_a_reason(f, limits):
    s = suggest(f, limits)
    assert s.level in RatingLevel.values
    assert s.reasons
    assert 0 <= s.facts["behind"] <= planned_percent(f)
    assert s.facts["achieved"] == achieved_percent(f)


# --- each threshold, from both sides ---------------------------------------------
# One milestone of 100 points, due on DUE; its rating date and its facts move one day
# or one point at a time across each number of the default scale.

DUE = dt.date(2016, 6, 30)


def one(*, key=False, reached_on=None, planned=DUE, weight=100) -> tuple[MilestoneFact, ...]:
    return (MilestoneFact("唯一节点", planned, weight, key, reached_on),)


def level(f: TaskFacts, limits: Thresholds = DEFAULT) -> str:
    return suggest(f, limits).level


@pytest.mark.parametrize(
    ("idle_days", "expected"),
    [(29, RatingLevel.ON_SCHEDULE), (30, RatingLevel.ON_SCHEDULE), (31, RatingLevel.STALLED)],
)
def test_not_started_is_stalled_only_after_the_thirtieth_day(idle_days, expected):
    on = START + dt.timedelta(days=idle_days)
    s = suggest(facts(on, one()), DEFAULT)
    assert s.level == expected
    if expected == RatingLevel.STALLED:
        assert texts(s) == [f"Not started {idle_days} days after its planned start (2016-01-01)."]


def test_a_report_of_any_progress_or_a_reached_milestone_counts_as_started():
    on = START + dt.timedelta(days=90)
    assert level(facts(on, one(), reported_percent=1)) == RatingLevel.ON_SCHEDULE
    assert level(facts(on, one(), reported_percent=0)) == RatingLevel.STALLED
    # A milestone of no weight reached is a start, though it adds no points.
    early = (*one(), MilestoneFact("启动", DUE, 0, reached_on=START))
    assert level(facts(on, early)) == RatingLevel.ON_SCHEDULE


@pytest.mark.parametrize(
    ("missing", "expected"), [(0, RatingLevel.ON_SCHEDULE), (1, RatingLevel.ON_SCHEDULE), (2, "e")]
)
def test_stalled_from_the_second_period_without_a_report(missing, expected):
    f = facts(dt.date(2016, 3, 1), one(), reported_percent=5, periods_without_report=missing)
    assert level(f) == (RatingLevel.STALLED if expected == "e" else expected)


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        (0, RatingLevel.ON_SCHEDULE),  # due today: not overdue yet
        (1, RatingLevel.SLIGHTLY_BEHIND),
        (30, RatingLevel.SLIGHTLY_BEHIND),
        (31, RatingLevel.SERIOUSLY_BEHIND),
    ],
)
def test_a_milestone_overdue_is_c_up_to_thirty_days_then_d(days, expected):
    # The milestone weighs nothing, so only its being overdue counts, not points behind.
    milestones = (*one(weight=0), MilestoneFact("后续", dt.date(2016, 12, 1), 100))
    s = suggest(facts(DUE + dt.timedelta(days=days), milestones, reported_percent=5), DEFAULT)
    assert s.level == expected
    if days:
        assert texts(s) == [f"Milestone “唯一节点” (due 2016-06-30) is {days} days overdue."]


@pytest.mark.parametrize("days", [1, 30])
def test_a_key_milestone_overdue_by_a_day_is_already_d(days):
    milestones = (*one(key=True, weight=0), MilestoneFact("后续", dt.date(2016, 12, 1), 100))
    s = suggest(facts(DUE + dt.timedelta(days=days), milestones, reported_percent=5), DEFAULT)
    assert s.level == RatingLevel.SERIOUSLY_BEHIND
    assert texts(s) == [f"Key milestone “唯一节点” (due 2016-06-30) is {days} days overdue."]


def test_a_milestone_reached_late_is_no_longer_overdue():
    on = DUE + dt.timedelta(days=40)
    assert level(facts(on, one(reached_on=on), reported_percent=5)) == RatingLevel.AHEAD
    reached_tomorrow = one(reached_on=on + dt.timedelta(days=1))
    assert level(facts(on, reached_tomorrow, reported_percent=100)) == RatingLevel.SERIOUSLY_BEHIND


@pytest.mark.parametrize(
    ("behind", "expected"),
    [
        (0, RatingLevel.ON_SCHEDULE),
        (9, RatingLevel.ON_SCHEDULE),
        (10, RatingLevel.SLIGHTLY_BEHIND),
        (30, RatingLevel.SLIGHTLY_BEHIND),
        (31, RatingLevel.SERIOUSLY_BEHIND),
    ],
)
def test_points_behind_plan_b_below_ten_c_from_ten_to_thirty_d_beyond(behind, expected):
    # The milestone is due today (planned 100 points, not yet overdue).
    s = suggest(facts(DUE, one(), reported_percent=100 - behind), DEFAULT)
    assert s.level == expected
    assert s.facts == {"planned": 100, "achieved": 100 - behind, "behind": behind}
    if expected != RatingLevel.ON_SCHEDULE:
        assert texts(s) == [f"{behind} points behind plan (plan 100%, achieved {100 - behind}%)."]


def test_ahead_of_plan_is_never_behind():
    s = suggest(facts(DUE, one(weight=40), reported_percent=70), DEFAULT)
    assert s.facts == {"planned": 40, "achieved": 70, "behind": 0}
    assert s.level == RatingLevel.ON_SCHEDULE


def test_the_thresholds_are_the_scales_not_the_defaults():
    scale = Thresholds(
        on_schedule_max_behind=5,
        slightly_behind_max_behind=8,
        slightly_behind_max_overdue_days=3,
        stalled_missing_periods=4,
        stalled_not_started_days=10,
    )
    assert level(facts(DUE, one(), reported_percent=96), scale) == RatingLevel.ON_SCHEDULE
    assert level(facts(DUE, one(), reported_percent=95), scale) == RatingLevel.SLIGHTLY_BEHIND
    assert level(facts(DUE, one(), reported_percent=92), scale) == RatingLevel.SLIGHTLY_BEHIND
    assert level(facts(DUE, one(), reported_percent=91), scale) == RatingLevel.SERIOUSLY_BEHIND
    late = (*one(weight=0), MilestoneFact("后续", dt.date(2016, 12, 1), 100))
    on_day = DUE + dt.timedelta(days=3)
    assert level(facts(on_day, late, reported_percent=5), scale) == RatingLevel.SLIGHTLY_BEHIND
    assert level(facts(on_day + dt.timedelta(days=1), late, reported_percent=5), scale) == (
        RatingLevel.SERIOUSLY_BEHIND
    )
    march = dt.date(2016, 3, 1)
    quiet = {"reported_percent": 5}
    assert level(facts(march, one(), periods_without_report=3, **quiet), scale) != "stalled"
    assert level(facts(march, one(), periods_without_report=4, **quiet), scale) == "stalled"
    assert level(facts(START + dt.timedelta(days=10), one()), scale) == RatingLevel.ON_SCHEDULE
    assert level(facts(START + dt.timedelta(days=11), one()), scale) == RatingLevel.STALLED


# --- the reasons, worst first ------------------------------------------------------


def test_reasons_of_mixed_levels_are_listed_worst_first():
    """Found in the order E (no report), C (an overdue milestone), D (points behind):
    shown E, D, C; reasons of one level keep the order they were found in."""
    milestones = (
        MilestoneFact("甲", dt.date(2016, 3, 1), 20),
        MilestoneFact("乙", dt.date(2016, 3, 10), 30),
        MilestoneFact("丙", dt.date(2016, 12, 1), 50),
    )
    s = suggest(
        facts(dt.date(2016, 3, 20), milestones, reported_percent=10, periods_without_report=2),
        DEFAULT,
    )
    assert s.level == RatingLevel.STALLED
    assert texts(s) == [
        "No progress report for 2 periods in a row.",
        "40 points behind plan (plan 50%, achieved 10%).",
        "Milestone “甲” (due 2016-03-01) is 19 days overdue.",
        "Milestone “乙” (due 2016-03-10) is 10 days overdue.",
    ]


def test_a_blocked_task_with_a_key_milestone_overdue_lists_blocked_first():
    s = suggest(
        facts(
            dt.date(2016, 12, 20),
            reached(dt.date(2016, 3, 31), dt.date(2016, 6, 30), None),
            reported_percent=90,
            blocked=True,
        ),
        DEFAULT,
    )
    assert s.level == RatingLevel.STALLED
    assert texts(s) == [
        "The task is marked blocked.",
        "Key milestone “全面总结” (due 2016-12-15) is 5 days overdue.",
        "10 points behind plan (plan 100%, achieved 90%).",
    ]


# --- A -------------------------------------------------------------------------------


def test_every_milestone_reached_is_a():
    s = suggest(
        facts(
            dt.date(2016, 12, 20),
            reached(dt.date(2016, 3, 31), dt.date(2016, 6, 30), dt.date(2016, 12, 15)),
            reported_percent=100,
        ),
        DEFAULT,
    )
    assert s.level == RatingLevel.AHEAD
    assert texts(s) == ["Every milestone of the plan is reached."]
    assert s.facts == {"planned": 100, "achieved": 100, "behind": 0}


def test_a_milestone_reached_before_its_day_is_a_and_on_its_day_is_b():
    """Ahead means the next milestone is reached before it is due: on its due day it is
    one of those due so far, and reaching it then is on schedule."""
    milestones = (
        MilestoneFact("甲", DUE, 50, reached_on=DUE - dt.timedelta(days=1)),
        MilestoneFact("乙", dt.date(2016, 12, 1), 50),
    )
    day_before = suggest(facts(DUE - dt.timedelta(days=1), milestones), DEFAULT)
    assert day_before.level == RatingLevel.AHEAD
    assert texts(day_before) == [
        "Ahead: the next milestone “甲” (due 2016-06-30) is already reached."
    ]
    on_the_day = suggest(facts(DUE, milestones), DEFAULT)
    assert on_the_day.level == RatingLevel.ON_SCHEDULE
    assert texts(on_the_day) == ["On schedule: plan 50%, achieved 50%, no milestone overdue."]


def test_the_last_milestone_reached_on_its_due_day_is_every_milestone_reached():
    s = suggest(facts(DUE, one(reached_on=DUE)), DEFAULT)
    assert s.level == RatingLevel.AHEAD
    assert texts(s) == ["Every milestone of the plan is reached."]


def test_every_milestone_reached_early_with_nothing_reported_is_a():
    s = suggest(facts(DUE - dt.timedelta(days=1), one(reached_on=START)), DEFAULT)
    assert s.level == RatingLevel.AHEAD
    assert texts(s) == ["Ahead: the next milestone “唯一节点” (due 2016-06-30) is already reached."]


def test_a_plan_without_milestones_is_never_a():
    s = suggest(facts(START + dt.timedelta(days=5), (), reported_percent=20), DEFAULT)
    assert s.level == RatingLevel.ON_SCHEDULE
    assert texts(s) == ["On schedule: plan 0%, achieved 20%, no milestone overdue."]


def test_a_milestone_due_but_not_reached_is_not_ahead_whatever_comes_next():
    milestones = (
        MilestoneFact("甲", dt.date(2016, 3, 1), 10),
        MilestoneFact("乙", dt.date(2016, 6, 1), 90, reached_on=dt.date(2016, 2, 1)),
    )
    # 甲 is due today (not overdue yet) and not reached; 乙 is reached early.
    s = suggest(facts(dt.date(2016, 3, 1), milestones, reported_percent=95), DEFAULT)
    assert s.level == RatingLevel.ON_SCHEDULE


def test_the_first_of_the_next_milestones_names_the_ahead_reason():
    milestones = (
        MilestoneFact("甲", dt.date(2016, 6, 30), 50, reached_on=dt.date(2016, 5, 1)),
        MilestoneFact("乙", dt.date(2016, 6, 30), 30, reached_on=dt.date(2016, 5, 2)),
        MilestoneFact("丙", dt.date(2016, 9, 30), 20),
    )
    s = suggest(facts(dt.date(2016, 5, 31), milestones), DEFAULT)
    assert s.level == RatingLevel.AHEAD
    assert texts(s) == ["Ahead: the next milestone “甲” (due 2016-06-30) is already reached."]


def test_a_milestone_reached_after_the_rating_date_is_not_yet_progress():
    later = one(reached_on=dt.date(2016, 7, 5))
    f = facts(dt.date(2016, 7, 1), later, reported_percent=30)
    assert achieved_percent(f) == 30
    assert planned_percent(f) == 100
    assert achieved_percent(facts(dt.date(2016, 7, 5), later, reported_percent=30)) == 100


# --- which tasks a period rates ------------------------------------------------------

PERIOD = dt.date(2016, 3, 1)


def reason_for(status, *, has_plan=True, **kw):
    args = {"start_date": START, "on": dt.date(2016, 3, 31), "period_start": PERIOD, **kw}
    return not_rated_reason(status=status, has_plan=has_plan, **args)


def test_a_task_closed_before_the_period_is_not_rated_and_one_closed_in_it_is():
    day = dt.timedelta(days=1)
    assert reason_for(TaskStatus.CLOSED, closed_on=PERIOD - day) == NotRatedReason.CLOSED
    assert reason_for(TaskStatus.CLOSED, closed_on=PERIOD) is None
    assert reason_for(TaskStatus.CLOSED, closed_on=PERIOD + day) is None
    assert reason_for(TaskStatus.CLOSED) is None  # no date known: rated, as in the period


def test_a_task_not_begun_by_the_rating_date_is_not_rated():
    on = dt.date(2016, 3, 31)
    assert reason_for(TaskStatus.IN_PROGRESS, start_date=on) is None
    assert reason_for(TaskStatus.IN_PROGRESS, start_date=on + dt.timedelta(days=1)) == (
        NotRatedReason.NOT_STARTED
    )
    assert reason_for(TaskStatus.BLOCKED, start_date=on) is None


def test_tasks_in_planning_cancelled_or_carried_over_are_not_rated():
    assert reason_for(TaskStatus.PLANNING) == NotRatedReason.PLANNING
    assert reason_for(TaskStatus.PLANNING, has_plan=False) == NotRatedReason.NO_PLAN
    assert reason_for(TaskStatus.CANCELLED) == NotRatedReason.CANCELLED
    assert reason_for(TaskStatus.CARRIED_OVER) == NotRatedReason.CARRIED_OVER


def test_a_task_not_rated_names_its_reason_in_the_readers_language():
    item = NotRated(1, "2016-001", "改革", NotRatedReason.NO_PLAN)
    with override("en"):
        assert item.label == str(NotRatedReason.NO_PLAN.label)


# --- reasons stored and read ----------------------------------------------------------


def test_a_reason_with_values_is_stored_and_read_back():
    s = suggest(facts(DUE, one(), reported_percent=85), DEFAULT)
    stored = [r.as_json() for r in s.reasons]
    assert stored == [
        {
            "msg": "%(behind)s points behind plan (plan %(planned)s%%, achieved %(achieved)s%%).",
            "args": {"behind": 15, "planned": 100, "achieved": 85},
        }
    ]
    with override("en"):
        assert reason_text(stored[0]) == "15 points behind plan (plan 100%, achieved 85%)."
        assert str(s.reasons[0]) == reason_text(stored[0])


def test_a_broken_translation_falls_back_to_the_english(monkeypatch):
    from reformledger.ledger import rating_engine

    monkeypatch.setattr(rating_engine, "gettext", lambda msg: "%(missing)s 缺")
    item = {"msg": "%(n)s periods.", "args": {"n": 3}}
    assert reason_text(item) == "3 periods."
    assert reason_text({"msg": "plain", "args": None}) == "plain"
    assert reason_text({}) == ""


def test_a_stored_reason_reads_in_chinese_with_its_values():
    f = facts(dt.date(2016, 5, 31), one(), reported_percent=5, periods_without_report=3)
    s = suggest(f, DEFAULT)
    with override("zh-hans"):
        assert reason_text(s.reasons[0].as_json()) == "已连续 3 个报告期未报送进展。"
        assert s.texts == ["已连续 3 个报告期未报送进展。"]
