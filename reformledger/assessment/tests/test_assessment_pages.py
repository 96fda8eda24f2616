"""The assessment's pages: the cards of a year, a card with its reasons linking to
their facts, the rule set page, the office's acts with what they rest on, appeals,
and who sees what (a unit head only its own published card; others 404)."""

import io

import pytest
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from reformledger.assessment import services
from reformledger.assessment.models import Appeal, Card
from reformledger.orgs import services as orgs
from reformledger.orgs.choices import UnitKind
from tests.files import PDF

YEAR = 2016
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def card_of(world, unit):
    return Card.objects.get(office=world.office, year=YEAR, unit=unit, is_current=True)


def test_the_office_drafts_through_a_page_that_shows_what_it_rests_on(year, client_for):
    w = year.world
    client = client_for(w.office_staff)
    url = reverse("assessment:act", args=["draft", YEAR])

    page = client.get(url, **EN)
    assert page.status_code == 200
    assert b"2016-12" in page.content
    done = client.post(url, {"expected": 0, "office": w.office.pk}, **EN)
    assert done.status_code == 302
    assert Card.objects.filter(year=YEAR).count() == 3

    review = client.get(reverse("assessment:act", args=["review", YEAR]), **EN)
    text = review.content.decode()
    assert "3 cards: 1 green, 2 yellow" in text
    assert "惠阳区" in text and "2016-001" in text


def test_a_leader_is_needed_to_confirm(year, client_for, director):
    w = year.world
    services.cards_draft(office=w.office, year=YEAR, by=w.office_staff)
    services.cards_review(office=w.office, year=YEAR, by=w.office_staff)
    url = reverse("assessment:act", args=["confirm", YEAR])

    assert client_for(w.office_staff).get(url).status_code == 403
    assert client_for(director).post(url, {"expected": 3, "office": w.office.pk}).status_code == 302
    assert set(Card.objects.values_list("status", flat=True)) == {"confirmed"}


def test_the_card_page_links_each_reason_to_its_fact(published, client_for, director):
    w = published.world
    card = card_of(w, w.huiyang)
    page = client_for(director).get(reverse("assessment:card", args=[card.pk]), **EN)
    text = page.content.decode()

    assert page.status_code == 200
    assert f'href="/ledger/tasks/{w.task_huiyang.pk}/#ratings"' in text
    assert 'data-colour="yellow"' in text
    assert "card.published" in text  # the history lists each act


def test_a_unit_head_sees_only_its_own_published_card(published, client_for, huiyang_head):
    w = published.world
    client = client_for(huiyang_head)
    own, other = card_of(w, w.huiyang), card_of(w, w.boluo)

    assert client.get(reverse("assessment:card", args=[own.pk])).status_code == 200
    assert client.get(reverse("assessment:card", args=[other.pk])).status_code == 404
    listed = client.get(reverse("assessment:cards"), **EN).content.decode()
    assert "惠阳区" in listed and "博罗县" not in listed


def test_a_unit_head_sees_no_draft(year, client_for, huiyang_head):
    w = year.world
    services.cards_draft(office=w.office, year=YEAR, by=w.office_staff)
    card = card_of(w, w.huiyang)

    assert (
        client_for(huiyang_head).get(reverse("assessment:card", args=[card.pk])).status_code == 404
    )


@pytest.mark.parametrize("who", ["evaluator", "sysadmin", "auditor", "security_admin", "outsider"])
def test_evaluators_and_administrators_see_nothing(published, client_for, who, request):
    user = request.getfixturevalue(who)
    card = card_of(published.world, published.world.huiyang)
    client = client_for(user)

    assert client.get(reverse("assessment:cards")).status_code == 403
    assert client.get(reverse("assessment:card", args=[card.pk])).status_code in (403, 404)


def test_a_city_leader_reads_every_card_but_acts_on_none(published, client_for, city_leader):
    client = client_for(city_leader)
    listed = client.get(reverse("assessment:cards"), **EN).content.decode()

    assert "惠阳区" in listed and "博罗县" in listed and "市发展改革局" in listed
    assert client.get(reverse("assessment:act", args=["draft", YEAR])).status_code == 403


def test_the_card_list_filters_and_keeps_its_query_count(
    year, client_for, director, django_assert_num_queries
):
    w = year.world
    services.cards_draft(office=w.office, year=YEAR, by=w.office_staff)
    client = client_for(director)
    url = reverse("assessment:cards")
    client.get(url)  # warm the session and scopes
    yellow = client.get(url, {"colour": "yellow", "year": YEAR}, **EN).content.decode()
    assert "惠阳区" in yellow and "博罗县" not in yellow
    # Only the acts the year's cards are ready for: drafts to review, none to publish.
    assert 'data-testid="act-review"' in yellow and 'data-testid="act-draft"' in yellow
    assert 'data-testid="act-confirm"' not in yellow and 'data-testid="act-publish"' not in yellow

    with django_assert_num_queries(13):
        client.get(url, {"year": YEAR, "ordering": "-score"})
    for code, name in (("HZ-DYW", "大亚湾区"), ("HZ-ZK", "仲恺高新区")):
        orgs.unit_create(by=None, code=code, name=name, kind=UnitKind.ZONE, parent=w.city)
    services.cards_draft(office=w.office, year=YEAR, by=w.office_staff)
    assert Card.objects.filter(year=YEAR).count() == 5
    with django_assert_num_queries(13):
        client.get(url, {"year": YEAR, "ordering": "-score"})


def test_the_unit_appeals_and_the_leader_decides_on_pages(
    published, client_for, huiyang_head, director
):
    w = published.world
    card = card_of(w, w.huiyang)
    from django.core.files.uploadedfile import SimpleUploadedFile

    sent = client_for(huiyang_head).post(
        reverse("assessment:appeal", args=[card.pk]),
        {
            "reason": "节点已完成",
            "files": [SimpleUploadedFile("证明.pdf", PDF, content_type="application/pdf")],
        },
    )
    assert sent.status_code == 302
    appeal = Appeal.objects.get(card=card)
    assert appeal.files.count() == 1

    decided = client_for(director).post(
        reverse("assessment:appeal_decide", args=[appeal.pk]),
        {"decision": "change", "score": "95", "colour": "green", "reason": "核实后改为绿牌"},
    )
    assert decided.status_code == 302
    assert card_of(w, w.huiyang).colour == "green"
    appeals = client_for(director).get(reverse("assessment:appeals"), **EN).content.decode()
    assert "惠阳区" in appeals


def test_the_rule_set_page_edits_the_rules(year, client_for):
    w = year.world
    client = client_for(w.office_staff)
    url = reverse("assessment:rule_set", args=[w.office.pk, YEAR])
    page = client.get(url, **EN)
    assert page.status_code == 200
    data = {
        "base_score": "100",
        "threshold": "95",
        "appeal_days": "7",
        "version": year.rule_set.version,
    }
    for r in year.rule_set.rules.all():
        data[f"rule-{r.kind}-{r.letter}-points"] = str(r.points)
        data[f"rule-{r.kind}-{r.letter}-multiplier"] = str(r.key_multiplier)
    for t in year.rule_set.triggers.all():
        data[f"trigger-{t.kind}-present"] = "1"
        if t.enabled:
            data[f"trigger-{t.kind}-enabled"] = "on"
        data[f"trigger-{t.kind}-letters"] = t.letters
        data[f"trigger-{t.kind}-min_days"] = t.min_days
    data["rule-task_rating-D-points"] = "-9"

    assert client.post(url, data).status_code == 302
    year.rule_set.refresh_from_db()
    assert year.rule_set.threshold == 95 and year.rule_set.appeal_days == 7
    assert str(year.rule_set.rules.get(letter="D").points) == "-9.00"
    history = client.get(url, **EN).content.decode()
    assert "rule_set.edited" in history


def test_the_excel_and_the_card_sheet_hold_the_cards(published, client_for, director):
    w = published.world
    client = client_for(director)
    xlsx = client.get(reverse("assessment:export", args=[YEAR]))
    wb = load_workbook(io.BytesIO(xlsx.content))
    rows = list(wb["考核结果"].iter_rows(min_row=3, values_only=True))
    assert {r[1] for r in rows} == {"惠阳区", "博罗县", "市发展改革局"}
    huiyang = next(r for r in rows if r[1] == "惠阳区")
    assert huiyang[4] == "黄牌" and "2016-001" in huiyang[7]

    card = card_of(w, w.huiyang)
    docx = client.get(reverse("assessment:sheet", args=[card.pk]))
    doc = Document(io.BytesIO(docx.content))
    text = "\n".join(p.text for p in doc.paragraphs)
    cells = " ".join(c.text for t in doc.tables for row in t.rows for c in row.cells)
    assert "惠阳区" in text and "黄牌" in text and str(card.score) in text
    assert "2016-001" in cells


def test_the_appeals_list_keeps_its_query_count(
    published, client_for, director, huiyang_head, boluo_liaison, django_assert_num_queries
):
    w = published.world
    client = client_for(director)
    url = reverse("assessment:appeals")
    services.appeal_submit(card=card_of(w, w.huiyang), by=huiyang_head, reason="请复核")
    client.get(url)
    with django_assert_num_queries(8) as one:
        client.get(url)
    services.appeal_submit(card=card_of(w, w.boluo), by=boluo_liaison, reason="请复核")
    with django_assert_num_queries(len(one.captured_queries)):
        page = client.get(url, **EN)
    assert page.content.decode().count('data-testid="appeal-row"') == 2


def test_the_card_page_shows_the_rules_it_used(published, client_for, director):
    w = published.world
    page = client_for(director).get(
        reverse("assessment:card", args=[card_of(w, w.huiyang).pk]), **EN
    )

    assert 'data-testid="rules-used"' in page.content.decode()
    assert "Year-end rating of a task led" in page.content.decode()
