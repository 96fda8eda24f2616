"""The role × act matrix of the assessment (permissions.ACTS), walked persona by persona:
who sees which card, who keeps the rule set, drafts, reviews, confirms, publishes,
appeals and decides."""

import pytest

from reformledger.assessment import permissions
from reformledger.assessment.models import Card

YEAR = 2016
PERSONAS = [
    "office_staff",
    "director",
    "city_leader",
    "huiyang_head",
    "huiyang_liaison",
    "boluo_liaison",
    "evaluator",
    "sysadmin",
    "auditor",
    "security_admin",
    "outsider",
]
#: act -> the personas who may do it on the office's year (or 惠阳区's published card).
MAY = {
    "keep_rules": {"office_staff", "director"},
    "draft": {"office_staff", "director"},
    "review": {"office_staff", "director"},
    "confirm": {"director"},
    "publish": {"office_staff", "director"},
    "decide_appeal": {"director"},
}
SEES_HUIYANG = {"office_staff", "director", "city_leader", "huiyang_head", "huiyang_liaison"}
APPEALS = {"huiyang_head", "huiyang_liaison"}


def test_every_act_has_its_row():
    assert set(MAY) | {"view", "appeal"} == set(permissions.ACTS)


@pytest.mark.parametrize("who", PERSONAS)
def test_each_persona_may_do_what_the_matrix_says(published, who, request):
    user = request.getfixturevalue(who)
    w = published.world
    card = Card.objects.get(unit=w.huiyang)

    for act, allowed in MAY.items():
        assert permissions.can_office(user, act, w.office) == (who in allowed), act
    assert permissions.can(user, "view", card) == (who in SEES_HUIYANG)
    assert permissions.can(user, "appeal", card) == (who in APPEALS)
    assert permissions.visible_cards(user).filter(unit=w.boluo).exists() == (
        who in {"office_staff", "director", "city_leader", "boluo_liaison"}
    )
    assert permissions.sees_assessment(user) == (who in SEES_HUIYANG | {"boluo_liaison"})
