"""The evaluation app's test world: the built-in templates, two teams of the office (an
outside team A with the `evaluator` persona, an outside team B with its own evaluator)
and a special evaluation of 惠阳's key task by team A."""

from types import SimpleNamespace

import pytest

from reformledger.evaluation import services
from reformledger.evaluation.models import CriteriaTemplate
from reformledger.orgs import services as orgs
from reformledger.orgs.choices import Role
from tests.factories import UserFactory


@pytest.fixture
def ev(world, office_staff, evaluator) -> SimpleNamespace:
    """Templates, teams A and B, and a draft special evaluation of 2016-001 by team A."""
    e = SimpleNamespace()
    services.templates_ensure_defaults()
    e.dac = CriteriaTemplate.objects.get(code="oecd-dac")
    e.province = CriteriaTemplate.objects.get(code="gd-province")
    e.team_a = services.team_create(
        office=world.office,
        by=office_staff,
        name="华南评估中心",
        kind="third_party",
        organisation="华南理工大学公共管理学院",
    )
    e.team_b = services.team_create(
        office=world.office,
        by=office_staff,
        name="省社科院评估组",
        kind="third_party",
        organisation="广东省社会科学院",
    )
    services.team_member_add(team=e.team_a, user=evaluator, by=office_staff)
    e.evaluator_b = UserFactory(username="evaluator_b", full_name="郑评估")
    orgs.membership_grant(by=None, user=e.evaluator_b, unit=world.office, role=Role.EVALUATOR)
    services.team_member_add(team=e.team_b, user=e.evaluator_b, by=office_staff)
    e.special = services.evaluation_create(
        office=world.office,
        by=office_staff,
        year=2016,
        kind="special",
        title="表格化捆绑式绩效考核改革专项评估",
        template=e.province,
        team=e.team_a,
        tasks=[world.task_huiyang],
    )
    e.other = services.evaluation_create(
        office=world.office,
        by=office_staff,
        year=2016,
        kind="third_party",
        title="项目审批制度改革第三方评估",
        template=e.dac,
        team=e.team_b,
        tasks=[world.task_boluo],
    )
    return e


def leaves(evaluation):
    from reformledger.evaluation.selectors import evaluation_scores

    return [line.criterion for line in evaluation_scores(evaluation).lines if line.is_leaf]


def score_all(evaluation, by, value=80):
    """Score every leaf of `evaluation` at `value`% of its maximum."""
    from decimal import Decimal

    rows = [
        services.ScoreRow(
            criterion=c, value=c.max_score * Decimal(value) / 100, reason="依据自评和抽查"
        )
        for c in leaves(evaluation)
    ]
    return services.scores_set(evaluation=evaluation, by=by, rows=rows)


@pytest.fixture
def scoring(ev, office_staff):
    """The special evaluation opened and at scoring."""
    services.evaluation_start(evaluation=ev.special, by=office_staff)
    services.evaluation_open_scoring(evaluation=ev.special, by=office_staff)
    ev.special.refresh_from_db()
    return ev.special
