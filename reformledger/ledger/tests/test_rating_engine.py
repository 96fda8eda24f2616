"""The A–E engine as a pure function: one example per letter with its reason, and the
properties every suggestion keeps whatever the facts."""

import datetime as dt

from django.utils.translation import override
from hypothesis import given, settings
from hypothesis import strategies as st

from reformledger.ledger.choices import LEVEL_SEVERITY, RatingLevel
from reformledger.ledger.rating_engine import (
    MilestoneFact,
    TaskFacts,
    Thresholds,
    achieved_percent,
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
