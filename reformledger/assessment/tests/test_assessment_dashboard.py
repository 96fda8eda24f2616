"""The dashboard's assessment section (its module and partial, wired in by the web app)
and the assessment's next acts (待办)."""

from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from reformledger.assessment import services
from reformledger.ledger.selectors.next_acts import next_acts
from reformledger.orgs import services as orgs
from reformledger.orgs.choices import UnitKind
from reformledger.web.dashboard.assessment import assessment_section

YEAR = 2016


def test_the_section_counts_the_cards_and_lists_the_yellow_ones_with_why(published, director):
    section = assessment_section(director, YEAR)

    assert (section.green, section.yellow_count) == (1, 2)
    assert section.by_year.categories == ["2016"]
    yellow = {y.card.unit.name: y for y in section.yellow}
    assert set(yellow) == {"惠阳区", "市发展改革局"}
    assert any(r.rating_id for r in yellow["惠阳区"].reasons)
    with translation.override("en"):
        html = render_to_string("web/dashboard/_assessment.html", {"asm": section})
    assert "Yellow cards and why" in html and "2016-001" in html
    assert 'data-testid="table-assessment-by-year"' in html


def test_a_unit_head_sees_only_its_card_and_others_no_section(published, huiyang_head, evaluator):
    section = assessment_section(huiyang_head, YEAR)

    assert section.total == 1
    assert assessment_section(evaluator, YEAR) is None


def test_the_section_costs_the_same_whatever_the_cards(year, director):
    w = year.world
    services.cards_draft(office=w.office, year=YEAR, by=w.office_staff)
    assessment_section(director, YEAR)
    with CaptureQueriesContext(connection) as before:
        assessment_section(director, YEAR)
    for code, name in (("HZ-DYW", "大亚湾区"), ("HZ-ZK", "仲恺高新区")):
        orgs.unit_create(by=None, code=code, name=name, kind=UnitKind.ZONE, parent=w.city)
    services.rule_set_edit(rule_set=year.rule_set, by=w.office_staff, threshold="200")
    services.cards_draft(office=w.office, year=YEAR, by=w.office_staff)
    with CaptureQueriesContext(connection) as after:
        section = assessment_section(director, YEAR)

    assert section.yellow_count == 5
    assert len(after.captured_queries) == len(before.captured_queries)


def test_next_acts_lead_each_role_to_its_step(year, director, huiyang_head):
    w = year.world
    services.cards_draft(office=w.office, year=YEAR, by=w.office_staff)
    kinds = {g.kind: g.count for g in next_acts(w.office_staff).groups}
    assert kinds.get("card_to_review") == 3

    services.cards_review(office=w.office, year=YEAR, by=w.office_staff)
    assert {g.kind: g.count for g in next_acts(director).groups}.get("card_to_confirm") == 3
    services.cards_confirm(office=w.office, year=YEAR, by=director)
    services.cards_publish(office=w.office, year=YEAR, by=w.office_staff)
    assert {g.kind: g.count for g in next_acts(huiyang_head).groups}.get("card_published") == 1

    card = w.huiyang.cards.get()
    services.appeal_submit(card=card, by=huiyang_head, reason="请复核")
    assert {g.kind: g.count for g in next_acts(director).groups}.get("card_appeal_to_decide") == 1
    assert "card_published" not in {g.kind for g in next_acts(huiyang_head).groups}
