"""Evaluations through the API: created from a template, criteria set as a tree (a
level's weights refused, naming it), scored, submitted, closed; refusals as 400/403/409;
lists costing the same whatever the rows."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from reformledger.evaluation import services
from reformledger.evaluation.models import Score

from .conftest import leaves, score_all

API = "/api/v1/"
JSON = "application/json"


def test_office_creates_and_the_team_scores_through_the_api(
    world, ev, office_staff, evaluator, client_for
):
    office = client_for(office_staff)
    created = office.post(
        API + "evaluations/",
        {
            "office": world.office.pk,
            "year": 2016,
            "kind": "special",
            "title": "投融资体制改革专项评估",
            "template": ev.province.pk,
            "team": ev.team_a.pk,
            "tasks": [world.task_helped.pk],
        },
        content_type=JSON,
    )
    assert created.status_code == 201, created.content
    body = created.json()
    pk = body["id"]
    assert body["status"] == "draft" and len(body["criteria"]) == ev.province.criteria.count()
    rows = [
        {
            "key": c["id"],
            "id": c["id"],
            "parent": c["parent"],
            "name": c["name"],
            "weight": c["weight"],
            "max_score": c["max_score"],
        }
        for c in body["criteria"]
    ]
    rows[0]["weight"] = "10"
    refused = office.post(
        API + f"evaluations/{pk}/criteria/",
        {"criteria": rows},
        content_type=JSON,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert refused.status_code == 400
    assert "The top-level criteria weigh 70, not 100." in refused.content.decode()
    for act in ("start", "open-scoring"):
        assert (
            office.post(API + f"evaluations/{pk}/{act}/", {}, content_type=JSON).status_code == 200
        )
    team = client_for(evaluator)
    from reformledger.evaluation.models import Evaluation

    e = Evaluation.objects.get(pk=pk)
    leaf = leaves(e)[0]
    too_high = team.post(
        API + "evaluation-scores/",
        {"criterion": leaf.pk, "value": "101", "reason": "x"},
        content_type=JSON,
    )
    assert too_high.status_code == 400 and not Score.objects.exists()
    assert (
        office.post(
            API + "evaluation-scores/",
            {"criterion": leaf.pk, "value": "50", "reason": "x"},
            content_type=JSON,
        ).status_code
        == 403
    )
    score_all(e, evaluator, 90)
    assert team.post(API + f"evaluations/{pk}/submit/", {}, content_type=JSON).status_code == 200
    assert team.post(API + f"evaluations/{pk}/close/", {}, content_type=JSON).status_code == 403
    closed = office.post(
        API + f"evaluations/{pk}/close/", {"conclusion": "同意"}, content_type=JSON
    )
    assert closed.json()["status"] == "closed" and closed.json()["total"] == "90.00"
    again = office.post(API + f"evaluations/{pk}/close/", {}, content_type=JSON)
    assert again.status_code == 409


def _worked(e, office_staff, evaluator, liaison, i):
    services.evaluation_start(evaluation=e, by=office_staff)
    services.self_assessment_save(
        evaluation=e,
        unit=e.units.first(),
        by=liaison,
        text_="自评",
        submit=True,
        self_scores={e.criteria.first().pk: 50},
    )
    services.evaluation_open_scoring(evaluation=e, by=office_staff)
    score_all(e, evaluator, 70)
    services.finding_add(evaluation=e, by=evaluator, text_=f"发现{i}")


def test_lists_cost_the_same_whatever_the_rows(
    world,
    ev,
    evaluator,
    office_staff,
    huiyang_liaison,
    client_for,
    django_assert_max_num_queries,
):
    _worked(ev.special, office_staff, evaluator, huiyang_liaison, 0)
    client = client_for(office_staff)
    urls = [
        "evaluations/",
        "evaluation-criteria/",
        "evaluation-scores/",
        "self-assessments/",
        "evaluation-findings/",
        "evaluation-teams/",
    ]
    counts = {}
    for url in urls:
        with CaptureQueriesContext(connection) as q:
            assert client.get(API + url).status_code == 200
        counts[url] = len(q.captured_queries)
    for i in range(6):
        e = services.evaluation_create(
            office=world.office,
            by=office_staff,
            year=2016,
            kind="special",
            title=f"更多评估{i}",
            template=ev.dac,
            team=ev.team_a,
            tasks=[world.task_helped],
        )
        services.evaluation_start(evaluation=e, by=office_staff)
        services.evaluation_open_scoring(evaluation=e, by=office_staff)
        score_all(e, evaluator, 70)
        services.finding_add(evaluation=e, by=evaluator, text_=f"发现{i}")
    for url in urls:
        with django_assert_max_num_queries(counts[url]):
            assert client.get(API + url).status_code == 200
