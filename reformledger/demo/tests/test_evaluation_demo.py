"""The demo's 2016 evaluations (改革评估) as the report tells them: one comprehensive
evaluation across every reform area, 17 special evaluations of key tasks and 3
third-party evaluations by three outside teams with their own logins, all closed by
March 2017 with scores, self-assessments and findings; two findings became action
items. The demo is loaded once for the module (the loader plays the evaluations after
the 2016 cycle)."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model

from reformledger.evaluation.models import Evaluation, Finding, TeamMember
from reformledger.evaluation.permissions import visible_evaluations
from reformledger.evaluation.selectors import evaluation_scores
from reformledger.ledger.models import Task

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_evaluations(demo):
    """The demo as loaded (the loader plays the evaluations after the 2016 cycle)."""
    return demo


def test_the_report_counts(demo_evaluations):
    rows = Evaluation.objects.filter(year=2016, office__code="HZ-GGB")
    assert rows.filter(kind="comprehensive").count() == 1
    assert rows.filter(kind="special").count() == 17
    # One special evaluation (专项评估) of each of the year's 17 key tasks.
    special_tasks = Task.objects.filter(evaluations__in=rows.filter(kind="special"))
    assert special_tasks.count() == 17 and all(t.is_key for t in special_tasks)
    assert (
        special_tasks.count()
        == Task.objects.filter(office__code="HZ-GGB", year=2016, is_key=True).count()
    )
    assert rows.filter(kind="third_party").count() == 3
    assert set(rows.values_list("status", flat=True)) == {"closed"}
    titles = " ".join(rows.filter(kind="third_party").values_list("title", flat=True))
    for name in ("商事制度改革", "基本公共服务均等化综合改革", "文化惠民卡制度"):
        assert name in titles


def test_every_evaluation_is_scored_and_closed_by_march(demo_evaluations):
    for e in Evaluation.objects.filter(year=2016):
        scores = evaluation_scores(e)
        assert not scores.missing, e.title
        assert e.total_score == scores.total and 60 <= e.total_score <= 100
        assert e.closed_at.date() <= dt.date(2017, 3, 31)
        assert e.self_assessments.filter(status="submitted").exists(), e.title
        assert e.findings.exists(), e.title


def test_comprehensive_covers_every_area_and_tracks_findings(demo_evaluations):
    from reformledger.ledger.models import ReformArea

    comprehensive = Evaluation.objects.get(year=2016, kind="comprehensive")
    assert comprehensive.areas.count() == ReformArea.objects.count()
    tracked = Finding.objects.filter(action_item__isnull=False)
    assert tracked.count() == 2
    assert all(f.action_item.unit == f.unit for f in tracked)


def test_three_outside_teams_each_with_its_login(demo_evaluations):
    users = {u.username: u for u in get_user_model().objects.filter(username__startswith="eval")}
    third = Evaluation.objects.filter(year=2016, kind="third_party").select_related("team")
    teams = {e.team for e in third}
    assert len(teams) == 3 and all(t.kind == "third_party" for t in teams)
    evaluator = users["evaluator"]
    assert TeamMember.objects.filter(user=evaluator).count() == 1
    mine = list(visible_evaluations(evaluator))
    assert [e.title for e in mine] == ["商事制度改革第三方评估"]
    assert mine[0].survey_results.count() == 3
    for username in ("evaluator2", "evaluator3"):
        assert visible_evaluations(users[username]).count() == 1
