"""The assessment's acts: drafting from the ledger, the rule set as data, moving the
year's cards along, appeals."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from reformledger.assessment import services
from reformledger.assessment.choices import AppealStatus, CardStatus
from reformledger.assessment.models import Card, RuleSet
from reformledger.audit.selectors import history_of
from reformledger.core.exceptions import ConflictError
from reformledger.ledger.models import Period
from reformledger.notifications.models import Notification
from tests.files import PDF

YEAR = 2016


@pytest.fixture(autouse=True)
def _english():
    """The services' errors are read in English here (the default language is Chinese)."""
    with translation.override("en"):
        yield


def pdf_upload(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def cards_by_unit(office, year=YEAR):
    return {
        c.unit.name: c
        for c in Card.objects.filter(office=office, year=year, is_current=True).select_related(
            "unit"
        )
    }


def test_drafting_reads_the_ledger_and_gives_each_unit_its_card(year):
    w = year.world
    cards = services.cards_draft(office=w.office, year=YEAR, by=w.office_staff)

    by_unit = cards_by_unit(w.office)
    assert set(by_unit) == {"惠阳区", "博罗县", "市发展改革局"}
    assert len(cards) == 3
    huiyang, boluo, fgj = by_unit["惠阳区"], by_unit["博罗县"], by_unit["市发展改革局"]
    # 100 base, key task D: -5 × 1.5, town's task C: -2 → 90.5; yellow by the key task.
    assert huiyang.score == Decimal("90.50")
    assert huiyang.colour == "yellow"
    yellow = [r for r in huiyang.reasons.all() if r.triggers_yellow]
    assert [r.kind for r in yellow] == ["task_rating", "threshold"]  # and below 100
    assert yellow[0].rating_id == year.rating_huiyang.pk
    assert yellow[0].fact_url() == f"/ledger/tasks/{w.task_huiyang.pk}/#ratings"
    # 100 + A 1 + order answered on time 0.5.
    assert (boluo.score, boluo.colour) == (Decimal("101.50"), "green")
    # 100 + B 0.5 (December's, not June's C) - 5 for the unanswered order, yellow by it.
    assert (fgj.score, fgj.colour) == (Decimal("95.50"), "yellow")
    overdue = fgj.reasons.get(kind="order_overdue")
    assert overdue.triggers_yellow and overdue.supervision_order_id == year.order_fgj.pk
    assert overdue.fact_url() == f"/supervision/orders/{year.order_fgj.pk}/"
    for card in (huiyang, boluo, fgj):
        assert card.score == sum(r.points for r in card.reasons.all())
        assert card.rule_set == year.rule_set and card.period == year.last


def test_drafting_is_refused_while_the_last_period_is_open(year):
    w = year.world
    Period.objects.filter(pk=year.last.pk).update(status="open")

    with pytest.raises(ValidationError) as caught:
        services.cards_draft(office=w.office, year=YEAR, by=w.office_staff)

    assert "2016-12" in str(caught.value)
    assert not Card.objects.exists()


def test_changing_a_weight_or_a_trigger_changes_the_cards_without_code(year, director):
    w = year.world
    services.cards_draft(office=w.office, year=YEAR, by=w.office_staff)
    assert cards_by_unit(w.office)["惠阳区"].colour == "yellow"

    rows = [
        {"kind": r.kind, "letter": r.letter, "points": r.points, "key_multiplier": r.key_multiplier}
        for r in year.rule_set.rules.all()
    ]
    for row in rows:
        if row["letter"] == "D":
            row["points"] = Decimal("-1")
    triggers = [
        {"kind": t.kind, "enabled": t.enabled, "letters": "E" if t.letters else "", "min_days": 0}
        for t in year.rule_set.triggers.all()
    ]
    services.rule_set_edit(
        rule_set=year.rule_set, by=w.office_staff, rules=rows, triggers=triggers, threshold="90"
    )
    services.cards_draft(office=w.office, year=YEAR, by=w.office_staff)

    huiyang = cards_by_unit(w.office)["惠阳区"]
    assert huiyang.score == Decimal("96.50")  # 100 - 1 × 1.5 - 2
    assert huiyang.colour == "green"  # D no longer gives a yellow card
    assert huiyang.rules["triggers"][0]["letters"] in ("E", "")


def test_last_years_confirmed_cards_keep_last_years_rules(published, director):
    w = published.world
    before = {u: (c.pk, c.score, c.colour, c.rules) for u, c in cards_by_unit(w.office).items()}

    with pytest.raises(ConflictError, match="locked"):
        services.rule_set_edit(rule_set=published.rule_set, by=w.office_staff, threshold="99")
    new = services.rule_set_start(office=w.office, year=YEAR + 1, by=w.office_staff)
    services.rule_set_edit(rule_set=new, by=w.office_staff, threshold="101", base_score="50")

    assert new.copied_from == published.rule_set
    after = {u: (c.pk, c.score, c.colour, c.rules) for u, c in cards_by_unit(w.office).items()}
    assert after == before
    assert RuleSet.objects.get(pk=published.rule_set.pk).threshold == Decimal("100")
    with pytest.raises(ConflictError):
        services.cards_draft(office=w.office, year=YEAR, by=w.office_staff)


def test_a_raised_threshold_turns_a_card_yellow(year):
    w = year.world
    services.rule_set_edit(rule_set=year.rule_set, by=w.office_staff, threshold="103")
    services.cards_draft(office=w.office, year=YEAR, by=w.office_staff)

    boluo = cards_by_unit(w.office)["博罗县"]
    assert boluo.colour == "yellow"
    assert boluo.reasons.get(kind="threshold").triggers_yellow


def test_bad_rules_are_refused_naming_the_row(year):
    w = year.world
    with pytest.raises(ValidationError) as caught:
        services.rule_set_edit(
            rule_set=year.rule_set,
            by=w.office_staff,
            rules=[{"kind": "task_rating", "letter": "A", "points": "x"}],
        )
    assert "Row 1" in str(caught.value)
    assert year.rule_set.rules.count() == 15


def test_only_a_leader_confirms_and_each_step_is_in_the_history(year, director):
    w = year.world
    services.cards_draft(office=w.office, year=YEAR, by=w.office_staff)
    services.cards_review(office=w.office, year=YEAR, by=w.office_staff, expected=3)
    with pytest.raises(PermissionDenied):
        services.cards_confirm(office=w.office, year=YEAR, by=w.office_staff)
    services.cards_confirm(office=w.office, year=YEAR, by=director, expected=3)
    services.cards_publish(office=w.office, year=YEAR, by=w.office_staff)

    card = cards_by_unit(w.office)["惠阳区"]
    assert card.status == CardStatus.PUBLISHED
    verbs = [r.verb for r in history_of(card).order_by("id")]
    assert verbs == ["card.drafted", "card.reviewed", "card.confirmed", "card.published"]
    assert RuleSet.objects.get(pk=year.rule_set.pk).is_locked


def test_publishing_tells_the_unit(year, director, huiyang_head):
    w = year.world
    services.cards_draft(office=w.office, year=YEAR, by=w.office_staff)
    services.cards_review(office=w.office, year=YEAR, by=w.office_staff)
    services.cards_confirm(office=w.office, year=YEAR, by=director)
    services.cards_publish(office=w.office, year=YEAR, by=w.office_staff)

    assert Notification.objects.filter(recipient=huiyang_head, key__startswith="card:").count() == 1


def test_a_unit_appeals_and_a_changed_card_keeps_the_earlier_one(published, director, huiyang_head):
    w = published.world
    card = cards_by_unit(w.office)["惠阳区"]
    appeal = services.appeal_submit(
        card=card, by=huiyang_head, reason="节点已完成，评级有误", files=[pdf_upload("证明.pdf")]
    )
    assert appeal.files.count() == 1

    services.appeal_decide(
        appeal=appeal, by=director, reason="核实后改为绿牌", change=True, score="95", colour="green"
    )

    old = Card.objects.get(pk=card.pk)
    new = Card.objects.get(replaces=old)
    assert not old.is_current and old.colour == "yellow"
    assert (new.version, new.score, new.colour, new.change_reason) == (
        2,
        Decimal("95.00"),
        "green",
        "核实后改为绿牌",
    )
    assert new.score == sum(r.points for r in new.reasons.all())
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.CHANGED and appeal.new_card == new


def test_an_appeal_is_refused_outside_its_window_or_from_another_unit(
    published, huiyang_head, boluo_liaison
):
    w = published.world
    card = cards_by_unit(w.office)["惠阳区"]
    with pytest.raises(PermissionDenied):
        services.appeal_submit(card=card, by=boluo_liaison, reason="x")
    Card.objects.filter(pk=card.pk).update(published_at=dt.datetime(2017, 1, 1, tzinfo=dt.UTC))
    card.refresh_from_db()
    with pytest.raises(ConflictError, match="ended"):
        services.appeal_submit(card=card, by=huiyang_head, reason="迟到的申诉")


def test_an_upheld_appeal_leaves_the_card(published, director, huiyang_head):
    w = published.world
    card = cards_by_unit(w.office)["惠阳区"]
    appeal = services.appeal_submit(card=card, by=huiyang_head, reason="请复核")
    services.appeal_decide(appeal=appeal, by=director, reason="事实清楚，维持黄牌")

    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.UPHELD
    assert Card.objects.filter(office=w.office, unit=w.huiyang).count() == 1


def test_a_finding_of_a_closed_evaluation_costs_the_unit_and_links_to_it(year):
    from reformledger.evaluation.models import Evaluation, Finding

    w = year.world
    evaluation = Evaluation.objects.create(
        office=w.office,
        year=YEAR,
        kind="special",
        title="投融资改革专项评估",
        status="closed",
        total_score=Decimal("78"),
        created_by=w.office_staff,
    )
    Finding.objects.create(
        evaluation=evaluation,
        unit=w.boluo,
        task=w.task_boluo,
        text="审批时限压缩未达目标",
        written_by=w.office_staff,
    )
    services.cards_draft(office=w.office, year=YEAR, by=w.office_staff)

    boluo = cards_by_unit(w.office)["博罗县"]
    line = boluo.reasons.get(kind="finding")
    assert line.points == Decimal("-1.00") and boluo.score == Decimal("100.50")
    assert line.fact_url() == f"/evaluation/{evaluation.pk}/#findings"
