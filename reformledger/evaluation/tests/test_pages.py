"""The evaluation pages as their users meet them: the list (filters, sorts, a fixed
number of queries), the detail with its tree, chart and table, creating an evaluation,
the criteria editor refusing a level's weights with the level named, the scoring form
refusing a score out of range, the self-assessment form, teams and templates."""

from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reformledger.evaluation import services
from reformledger.evaluation.models import Criterion, Evaluation, Score, SelfAssessment

from .conftest import leaves, score_all

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _many(world, office_staff, ev, n):
    for i in range(n):
        services.evaluation_create(
            office=world.office,
            by=office_staff,
            year=2016,
            kind="special",
            title=f"专项评估{i:03d}",
            template=ev.province,
            team=ev.team_a,
            tasks=[world.task_helped],
        )


def test_list_filters_and_costs_the_same_for_many_rows(
    world, office_staff, ev, client_for, django_assert_max_num_queries
):
    client = client_for(office_staff)
    url = reverse("evaluation:list")
    response = client.get(url, **EN)
    assert response.status_code == 200
    assert response.content.decode().count('data-testid="evaluation-row"') == 2
    response = client.get(url, {"kind": "third_party"}, **EN)
    assert response.content.decode().count('data-testid="evaluation-row"') == 1
    assert "项目审批制度改革第三方评估" in response.content.decode()
    with CaptureQueriesContext(connection) as few:
        client.get(url, {"ordering": "-title"})
    _many(world, office_staff, ev, 30)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url, {"ordering": "-title"})
    assert response.status_code == 200


def test_create_page_makes_a_draft_with_the_template(world, office_staff, ev, client_for):
    client = client_for(office_staff)
    response = client.post(
        reverse("evaluation:new"),
        {
            "office": world.office.pk,
            "year": 2016,
            "kind": "special",
            "title": "街道综合执法改革专项评估",
            "template": ev.dac.pk,
            "team": ev.team_a.pk,
            "tasks": [world.task_town.pk],
        },
    )
    assert response.status_code == 302
    e = Evaluation.objects.get(title="街道综合执法改革专项评估")
    assert e.criteria.count() == ev.dac.criteria.count() and e.status == "draft"


def test_criteria_editor_names_the_level_and_writes_nothing(ev, office_staff, client_for):
    client = client_for(office_staff)
    url = reverse("evaluation:criteria", args=[ev.special.pk])
    page = client.get(url)
    formset = page.context["formset"]
    data = {
        "c-TOTAL_FORMS": len(formset.forms),
        "c-INITIAL_FORMS": len(formset.initial_forms),
        "c-MIN_NUM_FORMS": 0,
        "c-MAX_NUM_FORMS": 200,
    }
    for i, form in enumerate(formset.forms):
        for name in ("id", "number", "parent", "name", "weight", "max_score", "guide"):
            value = form.initial.get(name)
            data[f"c-{i}-{name}"] = "" if value is None else value
    data["c-0-weight"] = "30"  # 目标完成 40 → 30: the top level weighs 90
    before = list(Criterion.objects.filter(evaluation=ev.special).values_list("weight", flat=True))
    response = client.post(url, data, **EN)
    assert response.status_code == 400
    assert "The top-level criteria weigh 90, not 100." in response.content.decode()
    after = list(Criterion.objects.filter(evaluation=ev.special).values_list("weight", flat=True))
    assert after == before
    data["c-0-weight"] = "40"
    data["c-1-weight"] = "50"  # 任务完成率 60 → 50
    response = client.post(url, data, **EN)
    assert "The criteria under “目标完成” weigh 90, not 100." in response.content.decode()
    data["c-1-weight"] = "60"
    assert client.post(url, data).status_code == 302


def test_detail_shows_tree_chart_and_table(ev, scoring, evaluator, office_staff, client_for):
    score_all(scoring, evaluator, 80)
    response = client_for(office_staff).get(reverse("evaluation:detail", args=[scoring.pk]), **EN)
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count('data-testid="criterion"') == scoring.criteria.count()
    assert 'data-testid="chart-scores"' in body and 'data-testid="table-scores"' in body
    assert 'data-testid="total-score">80.00' in body


def test_scoring_form_refuses_out_of_range_and_saves_nothing(scoring, evaluator, client_for):
    client = client_for(evaluator)
    url = reverse("evaluation:score", args=[scoring.pk])
    page = client.get(url)
    assert page.status_code == 200
    formset = page.context["formset"]
    data = {
        "s-TOTAL_FORMS": len(formset.forms),
        "s-INITIAL_FORMS": len(formset.forms),
        "s-MIN_NUM_FORMS": 0,
        "s-MAX_NUM_FORMS": 500,
    }
    for i, form in enumerate(formset.forms):
        data[f"s-{i}-criterion"] = form.initial["criterion"]
        data[f"s-{i}-value"] = "70"
        data[f"s-{i}-reason"] = "抽查核实"
    data["s-0-value"] = "150"
    response = client.post(url, data, **EN)
    assert response.status_code == 400
    assert "is scored between 0 and 100, not 150." in response.content.decode()
    assert not Score.objects.exists()
    data["s-0-value"] = "90"
    assert client.post(url, data).status_code == 302
    assert Score.objects.count() == len(leaves(scoring))


def test_liaison_writes_and_submits_the_self_assessment(
    ev, office_staff, huiyang_liaison, client_for
):
    services.evaluation_start(evaluation=ev.special, by=office_staff)
    unit = ev.special.units.get()
    client = client_for(huiyang_liaison)
    detail = client.get(reverse("evaluation:detail", args=[ev.special.pk]), **EN)
    assert 'data-testid="write-self-assessment"' in detail.content.decode()
    url = reverse("evaluation:self_assessment", args=[ev.special.pk, unit.pk])
    response = client.post(url, {"text": "按期完成全部节点", "submit": "on"})
    assert response.status_code == 302
    sa = SelfAssessment.objects.get()
    assert sa.status == "submitted" and sa.unit == unit


def test_office_returns_and_closes_with_confirmation(
    ev, scoring, evaluator, office_staff, client_for
):
    score_all(scoring, evaluator, 75)
    services.evaluation_submit(evaluation=scoring, by=evaluator)
    client = client_for(office_staff)
    page = client.get(reverse("evaluation:detail", args=[scoring.pk]), **EN).content.decode()
    assert 'data-testid="close-form"' in page and "data-confirm=" in page
    assert "The team&#x27;s total is 75.00" in page or "The team's total is 75.00" in page
    response = client.post(reverse("evaluation:return", args=[scoring.pk]), {"reason": ""}, **EN)
    assert response.status_code == 400
    client.post(reverse("evaluation:return", args=[scoring.pk]), {"reason": "补充依据"})
    services.evaluation_submit(evaluation=scoring, by=evaluator)
    client.post(reverse("evaluation:close", args=[scoring.pk]), {"conclusion": "同意"})
    scoring.refresh_from_db()
    assert scoring.status == "closed" and str(scoring.total_score) == "75.00"


def test_teams_and_templates_pages(ev, office_staff, client_for, evaluator):
    client = client_for(office_staff)
    teams = client.get(reverse("evaluation:teams"), **EN).content.decode()
    assert "华南评估中心" in teams and "evaluator" in teams
    response = client.post(
        reverse("evaluation:team_member_add", args=[ev.team_b.pk]),
        {"username": "evaluator"},
        **EN,
    )
    assert response.status_code == 302
    assert not ev.team_b.memberships.filter(user=evaluator).exists()
    templates = client.get(reverse("evaluation:templates"), **EN).content.decode()
    assert "相关性" in templates and "目标完成" in templates
    assert client_for(evaluator).get(reverse("evaluation:teams")).status_code == 403


def test_dashboard_section_counts_what_the_user_sees(
    ev, scoring, evaluator, office_staff, django_assert_max_num_queries
):
    from django.template.loader import render_to_string

    from reformledger.web.dashboard.evaluation import evaluation_section

    score_all(scoring, evaluator, 80)
    services.evaluation_submit(evaluation=scoring, by=evaluator)
    services.evaluation_close(evaluation=scoring, by=office_staff)
    with django_assert_max_num_queries(4):
        section = evaluation_section(office_staff, 2016)
    assert section.total == 2 and section.closed == 1
    assert [r.name for r in section.scores.rows][:1] == ["目标完成"]
    assert section.scores.rows[0].average == Decimal("80.0")
    mine = evaluation_section(evaluator, 2016)
    assert mine.total == 1
    html = render_to_string("web/dashboard/_evaluation.html", {"eva": section})
    assert 'data-testid="chart-evaluations-by-kind"' in html
    assert 'data-testid="table-evaluation-scores"' in html
    assert evaluation_section(ev.evaluator_b, 2016).closed == 0
