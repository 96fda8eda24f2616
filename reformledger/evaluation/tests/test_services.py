"""Evaluations through the services: the criteria's weights and the scores' ranges are
refused with the level or criterion named and nothing written; the state machine; one
team per evaluator; self-assessments; findings set as action items."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import override

from reformledger.audit.models import AuditRecord
from reformledger.core.exceptions import ConflictError
from reformledger.evaluation import services
from reformledger.evaluation.models import CriteriaTemplate, Criterion, Score, TeamMember
from reformledger.evaluation.selectors import evaluation_scores, findings_for_assessment
from reformledger.evaluation.services import CriterionRow
from reformledger.supervision.models import ActionItem
from tests.files import PDF

from .conftest import leaves, score_all


def rows_of(evaluation):
    return [
        CriterionRow(
            key=c.pk,
            id=c.pk,
            parent=c.parent_id,
            name=c.name,
            weight=c.weight,
            guide=c.guide,
            max_score=c.max_score,
        )
        for c in evaluation.criteria.order_by("parent_id", "order", "id")
    ]


@pytest.mark.django_db
def test_defaults_exist_once():
    services.templates_ensure_defaults()
    services.templates_ensure_defaults()
    assert set(CriteriaTemplate.objects.values_list("code", flat=True)) == {
        "oecd-dac",
        "gd-province",
    }
    dac = CriteriaTemplate.objects.get(code="oecd-dac")
    top = dac.criteria.filter(parent=None).values_list("name", flat=True)
    assert list(top) == ["相关性", "有效性", "效率", "影响", "可持续性"]


def test_evaluation_copies_its_template(ev):
    names = list(
        ev.other.criteria.filter(parent=None).order_by("order").values_list("name", flat=True)
    )
    assert names == ["相关性", "有效性", "效率", "影响", "可持续性"]
    assert ev.other.criteria.count() == ev.dac.criteria.count()
    assert list(ev.special.units.all()) == [ev.special.tasks.get().lead_unit]


def test_top_level_weights_not_100_refused_nothing_written(ev, office_staff):
    rows = rows_of(ev.other)
    top = next(r for r in rows if r.parent is None)
    rows = [
        r if r is not top else CriterionRow(**{**r.__dict__, "weight": Decimal(10)}) for r in rows
    ]
    before = list(ev.other.criteria.values_list("name", "weight"))
    with override("en"), pytest.raises(ValidationError) as exc:
        services.criteria_set(evaluation=ev.other, by=office_staff, rows=rows)
    assert "The top-level criteria weigh 90, not 100." in exc.value.messages
    assert list(ev.other.criteria.values_list("name", "weight")) == before
    assert not AuditRecord.objects.filter(verb="evaluation.criteria_set").exists()


def test_sub_level_weights_refused_naming_the_parent(ev, office_staff):
    rows = rows_of(ev.other)
    effectiveness = next(r for r in rows if r.name == "有效性")
    child = next(r for r in rows if r.parent == effectiveness.key)
    rows = [
        r if r is not child else CriterionRow(**{**r.__dict__, "weight": r.weight - 10})
        for r in rows
    ]
    with override("en"), pytest.raises(ValidationError) as exc:
        services.criteria_set(evaluation=ev.other, by=office_staff, rows=rows)
    assert "The criteria under “有效性” weigh 90, not 100." in exc.value.messages
    assert Criterion.objects.get(pk=child.id).weight == child.weight


def test_criteria_adjusted_until_scoring(ev, office_staff):
    rows = rows_of(ev.special)
    tops = [r for r in rows if r.parent is None]
    # Move 10 points from the first top criterion to the last, add a new leaf under it.
    rows = [
        CriterionRow(**{**r.__dict__, "weight": r.weight - 10})
        if r is tops[0]
        else CriterionRow(**{**r.__dict__, "weight": r.weight + 10})
        if r is tops[-1]
        else r
        for r in rows
    ]
    services.criteria_set(evaluation=ev.special, by=office_staff, rows=rows)
    assert ev.special.criteria.get(pk=tops[0].id).weight == tops[0].weight - 10
    services.evaluation_start(evaluation=ev.special, by=office_staff)
    services.evaluation_open_scoring(evaluation=ev.special, by=office_staff)
    with pytest.raises(ConflictError):
        services.criteria_set(evaluation=ev.special, by=office_staff, rows=rows)


def test_score_outside_range_refused_nothing_written(scoring, evaluator):
    leaf = leaves(scoring)[0]
    good = leaves(scoring)[1]
    with override("en"), pytest.raises(ValidationError) as exc:
        services.scores_set(
            evaluation=scoring,
            by=evaluator,
            rows=[
                services.ScoreRow(criterion=good, value=50, reason="好"),
                services.ScoreRow(criterion=leaf, value=leaf.max_score + 1, reason="超出"),
            ],
        )
    assert f"{leaf.name} is scored between 0 and 100, not 101." in exc.value.messages
    assert not Score.objects.exists()
    with pytest.raises(ValidationError):
        services.score_set(evaluation=scoring, criterion=leaf, by=evaluator, value=-1, reason="负")
    assert not Score.objects.exists()


def test_parent_criteria_not_scored_directly(scoring, evaluator):
    parent = scoring.criteria.filter(children__isnull=False).first()
    with pytest.raises(ValidationError):
        services.score_set(evaluation=scoring, criterion=parent, by=evaluator, value=50, reason="x")


def test_only_the_team_scores(scoring, ev):
    leaf = leaves(scoring)[0]
    with pytest.raises(PermissionDenied):
        services.score_set(
            evaluation=scoring, criterion=leaf, by=ev.evaluator_b, value=5, reason="x"
        )


def test_rolled_up_total(scoring, evaluator):
    score_all(scoring, evaluator, value=80)
    result = evaluation_scores(scoring)
    assert result.total == Decimal("80.00")
    assert not result.missing
    assert all(line.rolled == Decimal("80.00") for line in result.lines)


def test_whole_life_to_closed(scoring, evaluator, office_staff, world, huiyang_liaison):
    with pytest.raises(ValidationError):
        services.evaluation_submit(evaluation=scoring, by=evaluator)
    score_all(scoring, evaluator, value=90)
    finding = services.finding_add(
        evaluation=scoring,
        by=evaluator,
        text_="考核表格仍偏多",
        recommendation="进一步精简",
        task=world.task_huiyang,
    )
    assert finding.unit == world.huiyang
    services.evaluation_submit(evaluation=scoring, by=evaluator)
    with pytest.raises(ValidationError):
        services.evaluation_return(evaluation=scoring, by=office_staff, reason="")
    services.evaluation_return(evaluation=scoring, by=office_staff, reason="理由不充分")
    scoring.refresh_from_db()
    assert scoring.status == "scoring" and scoring.return_reason == "理由不充分"
    services.evaluation_submit(evaluation=scoring, by=evaluator)
    with pytest.raises(PermissionDenied):
        services.evaluation_close(evaluation=scoring, by=evaluator)
    services.evaluation_close(evaluation=scoring, by=office_staff, conclusion="成效明显")
    scoring.refresh_from_db()
    assert scoring.status == "closed" and scoring.total_score == Decimal("90.00")
    with pytest.raises(ConflictError):
        services.evaluation_close(evaluation=scoring, by=office_staff)
    assert list(findings_for_assessment(office=world.office, year=2016)) == [finding]
    verbs = list(
        AuditRecord.objects.filter(obj_type="evaluation.evaluation").values_list("verb", flat=True)
    )
    assert verbs[-1] == "evaluation.closed"

    services.findings_track(
        evaluation=scoring,
        by=office_staff,
        rows=[(finding, dt.date(2017, 6, 30))],
        held_on=dt.date(2017, 3, 20),
        attendees="改革办全体",
    )
    finding.refresh_from_db()
    item = ActionItem.objects.get()
    assert finding.action_item == item and item.unit == world.huiyang
    assert item.demand == "进一步精简"
    with pytest.raises(ConflictError):
        services.findings_track(
            evaluation=scoring,
            by=office_staff,
            rows=[(finding, dt.date(2017, 6, 30))],
            held_on=dt.date(2017, 3, 20),
            attendees="改革办全体",
        )


def test_start_needs_a_team(world, office_staff, ev):
    e = services.evaluation_create(
        office=world.office,
        by=office_staff,
        year=2016,
        kind="comprehensive",
        title="2016年度改革全面评估",
        template=ev.dac,
        areas=[world.economy, world.society],
    )
    assert set(e.units.all()) == {world.huiyang, world.fgj, world.boluo, world.huiyang_town}
    with pytest.raises(ValidationError):
        services.evaluation_start(evaluation=e, by=office_staff)


def test_evaluator_in_one_team_only(ev, evaluator, office_staff):
    with override("en"), pytest.raises(ValidationError) as exc:
        services.team_member_add(team=ev.team_b, user=evaluator, by=office_staff)
    assert "华南评估中心" in exc.value.messages[0]
    assert TeamMember.objects.filter(user=evaluator).count() == 1


def test_office_staff_may_sit_on_two_teams(ev, office_staff):
    services.team_member_add(team=ev.team_a, user=office_staff, by=office_staff)
    services.team_member_add(team=ev.team_b, user=office_staff, by=office_staff)
    assert TeamMember.objects.filter(user=office_staff).count() == 2


def test_self_assessment_by_the_units_liaison(ev, office_staff, huiyang_liaison, boluo_liaison):
    services.evaluation_start(evaluation=ev.special, by=office_staff)
    huiyang = ev.special.units.get()
    top = ev.special.criteria.filter(parent=None).first()
    with pytest.raises(PermissionDenied):
        services.self_assessment_save(
            evaluation=ev.special, unit=huiyang, by=boluo_liaison, text_="x"
        )
    with pytest.raises(ValidationError):
        services.self_assessment_save(
            evaluation=ev.special,
            unit=huiyang,
            by=huiyang_liaison,
            text_="自评",
            self_scores={top.pk: 120},
        )
    sa = services.self_assessment_save(
        evaluation=ev.special,
        unit=huiyang,
        by=huiyang_liaison,
        text_="全面完成",
        self_scores={top.pk: 95},
        files=[SimpleUploadedFile("自评报告.pdf", PDF, content_type="application/pdf")],
        submit=True,
    )
    assert sa.status == "submitted" and sa.files.count() == 1
    with pytest.raises(ConflictError):
        services.self_assessment_save(
            evaluation=ev.special, unit=huiyang, by=huiyang_liaison, text_="再改"
        )


def test_next_acts_of_team_unit_and_office(ev, office_staff, evaluator, huiyang_liaison):
    from reformledger.ledger.selectors.next_acts import next_acts

    services.evaluation_start(evaluation=ev.special, by=office_staff)
    kinds = {g.kind for g in next_acts(huiyang_liaison).groups}
    assert "evaluation_self_assessment_due" in kinds
    services.evaluation_open_scoring(evaluation=ev.special, by=office_staff)
    acts = next_acts(evaluator)
    assert acts.of("evaluation_to_score").items[0].subject == ev.special.title
    score_all(ev.special, evaluator)
    services.evaluation_submit(evaluation=ev.special, by=evaluator)
    assert next_acts(evaluator).of("evaluation_to_score") is None
    assert next_acts(office_staff).of("evaluation_to_review").count == 1
