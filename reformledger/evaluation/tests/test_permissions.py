"""Isolation (point 4): an evaluator of team A sees its own evaluation and nothing else —
team B's pages, files, scope, exports and API rows are 404s; the ledger's own pages
stay closed to her; units see only what they are under; administrators see nothing."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from reformledger.evaluation import services
from reformledger.evaluation.models import EvaluationFile
from reformledger.evaluation.permissions import visible_evaluations
from reformledger.ledger.models import Evidence
from tests.files import PDF

from .conftest import score_all


def _pages(e):
    return [
        reverse("evaluation:detail", args=[e.pk]),
        reverse("evaluation:score", args=[e.pk]),
        reverse("evaluation:scope", args=[e.pk]),
        reverse("evaluation:export_sheet", args=[e.pk]),
        reverse("evaluation:export_docx", args=[e.pk]),
        reverse("evaluation:edit", args=[e.pk]),
        reverse("evaluation:criteria", args=[e.pk]),
    ]


def test_visible_evaluations_by_role(
    ev,
    office_staff,
    director,
    city_leader,
    evaluator,
    huiyang_liaison,
    boluo_liaison,
    sysadmin,
    auditor,
    outsider,
):
    both = {ev.special.pk, ev.other.pk}
    assert set(visible_evaluations(office_staff).values_list("pk", flat=True)) == both
    assert set(visible_evaluations(director).values_list("pk", flat=True)) == both
    assert set(visible_evaluations(city_leader).values_list("pk", flat=True)) == both
    assert list(visible_evaluations(evaluator)) == [ev.special]
    assert list(visible_evaluations(ev.evaluator_b)) == [ev.other]
    assert list(visible_evaluations(huiyang_liaison)) == [ev.special]
    assert list(visible_evaluations(boluo_liaison)) == [ev.other]
    for nobody in (sysadmin, auditor, outsider):
        assert not visible_evaluations(nobody).exists()


def test_evaluator_of_team_a_gets_404_on_team_bs_pages(ev, evaluator, client_for):
    client = client_for(evaluator)
    for url in _pages(ev.other):
        assert client.get(url).status_code == 404, url
    assert client.get(reverse("evaluation:detail", args=[ev.special.pk])).status_code == 200
    assert client.get(reverse("evaluation:scope", args=[ev.special.pk])).status_code == 200
    listed = client.get(reverse("evaluation:list")).content.decode()
    assert ev.special.title in listed and ev.other.title not in listed


def test_evaluator_reads_her_scope_evidence_here_but_never_the_ledger(
    world, ev, evaluator, office_staff, client_for
):
    from reformledger.ledger.evidence import check_upload  # noqa: F401  (the ledger's own check)

    mine = Evidence.objects.create(
        task=world.task_huiyang,
        file=SimpleUploadedFile("a.pdf", PDF),
        original_name="节点材料.pdf",
        size=len(PDF),
        content_type="application/pdf",
        sha256="x",
        uploaded_by=office_staff,
    )
    theirs = Evidence.objects.create(
        task=world.task_boluo,
        file=SimpleUploadedFile("b.pdf", PDF),
        original_name="博罗材料.pdf",
        size=len(PDF),
        content_type="application/pdf",
        sha256="y",
        uploaded_by=office_staff,
    )
    client = client_for(evaluator)
    scope = client.get(reverse("evaluation:scope", args=[ev.special.pk])).content.decode()
    assert world.task_huiyang.title in scope and world.task_boluo.title not in scope
    ok = client.get(reverse("evaluation:scope_evidence", args=[ev.special.pk, mine.pk]))
    assert ok.status_code == 200
    for url in (
        reverse("evaluation:scope_evidence", args=[ev.special.pk, theirs.pk]),
        reverse("evaluation:scope_evidence", args=[ev.other.pk, theirs.pk]),
    ):
        assert client.get(url).status_code == 404
    assert client.get(reverse("ledger:task", args=[world.task_huiyang.pk])).status_code in (
        403,
        404,
    )


def test_team_b_files_are_404_to_team_a(ev, scoring, office_staff, client_for, evaluator):
    services.evaluation_start(evaluation=ev.other, by=office_staff)
    services.evaluation_open_scoring(evaluation=ev.other, by=office_staff)
    score_all(ev.other, ev.evaluator_b, 80)
    services.finding_add(
        evaluation=ev.other,
        by=ev.evaluator_b,
        text_="审批提速",
        files=[SimpleUploadedFile("证据.pdf", PDF, content_type="application/pdf")],
    )
    stored = EvaluationFile.objects.get()
    url = reverse("evaluation:file", args=[ev.other.pk, stored.pk])
    assert client_for(evaluator).get(url).status_code == 404
    assert client_for(ev.evaluator_b).get(url).status_code == 200
    # The same file asked for under her own evaluation's id is no file of it.
    wrong = reverse("evaluation:file", args=[ev.special.pk, stored.pk])
    assert client_for(evaluator).get(wrong).status_code == 404


def test_evaluator_api_rows_are_her_teams_only(ev, scoring, evaluator, client_for):
    score_all(scoring, evaluator, 80)
    client = client_for(evaluator)
    rows = client.get("/api/v1/evaluations/").json()["results"]
    assert [r["id"] for r in rows] == [ev.special.pk]
    assert client.get(f"/api/v1/evaluations/{ev.other.pk}/").status_code == 404
    criteria = client.get("/api/v1/evaluation-criteria/").json()["results"]
    assert {c["evaluation"] for c in criteria} == {ev.special.pk}
    scores = client.get("/api/v1/evaluation-scores/").json()["results"]
    assert scores and {s["evaluation"] for s in scores} == {ev.special.pk}
    assert client.get("/api/v1/evaluation-teams/").json()["results"] == []


def test_unit_sees_its_own_self_assessment_not_scores(
    ev, scoring, evaluator, huiyang_liaison, client_for
):
    score_all(scoring, evaluator, 80)
    page = client_for(huiyang_liaison).get(reverse("evaluation:detail", args=[scoring.pk]))
    assert page.status_code == 200
    assert 'data-testid="total-score"' not in page.content.decode()
    assert (
        client_for(huiyang_liaison).get(reverse("evaluation:scope", args=[scoring.pk])).status_code
        == 404
    )


def test_role_act_matrix(
    ev,
    office_staff,
    director,
    city_leader,
    evaluator,
    huiyang_liaison,
    huiyang_head,
    boluo_liaison,
    sysadmin,
    auditor,
    security_admin,
    outsider,
):
    """Who may do which act on the special evaluation of 惠阳's task by team A (ACTS)."""
    from reformledger.evaluation.permissions import ACTS, can

    expected = {
        "office_staff": {"view", "read_all", "manage"},
        "director": {"view", "read_all", "manage"},
        "city_leader": {"view", "read_all"},
        "evaluator": {"view", "read_all", "score"},
        "evaluator_b": set(),
        "huiyang_liaison": {"view", "self_assess"},
        "huiyang_head": {"view", "self_assess"},
        "boluo_liaison": set(),
        "sysadmin": set(),
        "auditor": set(),
        "security_admin": set(),
        "outsider": set(),
    }
    people = dict(locals())
    people["evaluator_b"] = ev.evaluator_b
    for name, acts in expected.items():
        user = people[name]
        allowed = {act for act in ACTS if can(user, act, ev.special)}
        assert allowed == acts, name
