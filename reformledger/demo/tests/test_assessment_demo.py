"""The demo's 2016 cards (绿黄牌): one for each of the seven counties and zones and each
department that led a 2016 task, mostly green, a few yellow — each yellow card for facts
the ledger holds, its reason linking to a page that opens — every score recomputed from
the rows, and one appeal decided."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from reformledger.assessment import engine
from reformledger.assessment.choices import AppealStatus, CardColour, CardStatus
from reformledger.assessment.models import Appeal, Card
from reformledger.demo import data
from reformledger.ledger.models import Task
from reformledger.orgs.models import Unit

pytestmark = pytest.mark.django_db
YEAR = 2016


@pytest.fixture(scope="module")
def cards(demo, django_db_blocker):
    """The demo's 2016 cards (the loader plays the assessment after the evaluations)."""
    with django_db_blocker.unblock():
        office = Unit.objects.get(code=data.CITY_OFFICE)
        return list(
            Card.objects.filter(office=office, year=YEAR, is_current=True)
            .select_related("unit", "rule_set", "period", "office")
            .prefetch_related("reasons")
        )


def test_every_county_zone_and_leading_department_has_a_published_card(cards):
    units = {c.unit.code for c in cards}
    office = Unit.objects.get(code=data.CITY_OFFICE)
    leading = set(
        Task.objects.filter(office=office, year=YEAR, lead_unit__kind="department").values_list(
            "lead_unit__code", flat=True
        )
    )

    assert set(data.COUNTIES) <= units
    assert leading <= units
    assert {c.status for c in cards} == {CardStatus.PUBLISHED}


def test_mostly_green_a_few_yellow(cards):
    yellow = [c for c in cards if c.colour == CardColour.YELLOW]

    assert 2 <= len(yellow) <= len(cards) // 4
    assert "惠东县" in {c.unit.name for c in yellow}


def test_every_yellow_card_links_to_the_fact_that_caused_it(cards, client_for):
    client = client_for(get_user_model().objects.get(username="office"))
    for card in (c for c in cards if c.colour == CardColour.YELLOW):
        causes = [
            r for r in card.reasons.all() if r.fact_url() and (r.triggers_yellow or r.points < 0)
        ]
        assert causes, f"{card.unit.name} has no linked cause"
        for reason in causes:
            assert client.get(reason.fact_url()).status_code == 200, reason.fact_url()


def test_each_score_is_recomputed_from_the_rows(cards):
    office = cards[0].office
    rule_set = cards[0].rule_set
    computed = {
        c.unit.pk: c
        for c in engine.compute(office=office, year=YEAR, rule_set=rule_set, period=cards[0].period)
    }
    for card in cards:
        assert card.score == sum((r.points for r in card.reasons.all()), Decimal("0"))
        if card.replaces_id is None:
            again = computed[card.unit.pk]
            assert (again.score, again.colour) == (card.score, card.colour), card.unit.name


def test_one_appeal_was_submitted_and_decided(cards):
    appeal = Appeal.objects.select_related("card__unit").get(card__year=YEAR)

    assert appeal.card.unit.code == "HZ-HD"
    assert appeal.status == AppealStatus.UPHELD
    assert appeal.decided_at.date().isoformat() == "2017-02-08"
    assert appeal.submitted_at.date().isoformat() == "2017-01-26"
    # The card's history says on which day of the ledger each act was done.
    from reformledger.audit.models import AuditRecord

    dated = {
        r.verb: r.changes.get("acted_on")
        for r in AuditRecord.objects.filter(verb__in=("appeal.submitted", "appeal.decided"))
    }
    assert dated == {"appeal.submitted": "2017-01-26", "appeal.decided": "2017-02-08"}


def test_the_dashboard_of_the_live_year_shows_last_years_cards_and_evaluations(cards, client_for):
    """On the demo's day in 2017 nothing of 2017 is evaluated or carded yet: the year-end
    sections show 2016's, the year they judge."""
    from django.test import override_settings
    from django.urls import reverse

    director = get_user_model().objects.get(username="director")
    with override_settings(RL_BUSINESS_DATE=data.BUSINESS_DATE):
        page = client_for(director).get(reverse("web:dashboard"))
    dash = page.context["dash"]
    assert dash.year == 2017
    assert dash.assessment.year == YEAR and dash.assessment.yellow_count == sum(
        c.colour == "yellow" for c in cards
    )
    assert dash.evaluation.year == YEAR and dash.evaluation.total == 21
