"""The assessment through the API: scoped lists of rule sets, cards with reasons and
appeals; the office's acts and the appeal; lists at a fixed query count."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from reformledger.assessment import services
from reformledger.assessment.models import Card
from reformledger.orgs import services as orgs
from reformledger.orgs.choices import UnitKind

API = "/api/v1/"
JSON = "application/json"
YEAR = 2016


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(API + url).status_code == 200
    return len(ctx.captured_queries)


def test_the_office_drafts_to_publishes_and_the_unit_appeals_through_the_api(
    year, client_for, director, huiyang_head
):
    w = year.world
    staff, leader = client_for(w.office_staff), client_for(director)
    for client, act in (
        (staff, "draft"),
        (staff, "review"),
        (leader, "confirm"),
        (staff, "publish"),
    ):
        done = client.post(
            API + "assessment-cards/acts/",
            {"office": w.office.pk, "year": YEAR, "act": act},
            content_type=JSON,
        )
        assert done.status_code == 200, done.content
    assert {c["status"] for c in done.json()} == {"published"}
    refused = staff.post(
        API + "assessment-cards/acts/",
        {"office": w.office.pk, "year": YEAR, "act": "draft"},
        content_type=JSON,
    )
    assert refused.status_code == 409

    head = client_for(huiyang_head)
    listed = head.get(API + "assessment-cards/").json()
    assert [c["unit_name"] for c in listed["results"]] == ["惠阳区"]
    card = listed["results"][0]
    assert any(r["triggers_yellow"] and r["fact_url"] for r in card["reasons"])
    appealed = head.post(
        API + f"assessment-cards/{card['id']}/appeal/", {"reason": "请复核"}, content_type=JSON
    )
    assert appealed.status_code == 201
    decided = leader.post(
        API + f"assessment-appeals/{appealed.json()['id']}/decide/",
        {"reason": "维持", "change": False},
        content_type=JSON,
    )
    assert decided.status_code == 200 and decided.json()["status"] == "upheld"


def test_a_unit_sees_no_other_card_and_only_the_rules_of_its_own(
    published, client_for, boluo_liaison
):
    w = published.world
    client = client_for(boluo_liaison)
    other = Card.objects.get(unit=w.huiyang)
    own = Card.objects.get(unit=w.boluo)

    assert client.get(API + f"assessment-cards/{other.pk}/").status_code == 404
    # The rule set its published card was computed with, to check the card against.
    rule_sets = client.get(API + "assessment-rule-sets/").json()
    assert [r["id"] for r in rule_sets["results"]] == [own.rule_set_id]
    assert (
        client.post(
            API + "assessment-cards/acts/",
            {"office": w.office.pk, "year": YEAR, "act": "draft"},
            content_type=JSON,
        ).status_code
        == 403
    )


def test_lists_cost_the_same_whatever_the_rows(year, client_for, director):
    w = year.world
    services.cards_draft(office=w.office, year=YEAR, by=w.office_staff)
    client = client_for(director)
    client.get(API + "assessment-cards/")
    before = {
        u: _count(client, u)
        for u in ("assessment-cards/", "assessment-rule-sets/", "assessment-appeals/")
    }
    for code, name in (("HZ-DYW", "大亚湾区"), ("HZ-ZK", "仲恺高新区")):
        orgs.unit_create(by=None, code=code, name=name, kind=UnitKind.ZONE, parent=w.city)
    services.cards_draft(office=w.office, year=YEAR, by=w.office_staff)
    services.rule_set_start(office=w.office, year=YEAR + 1, by=w.office_staff)

    after = {u: _count(client, u) for u in before}
    assert after == before
