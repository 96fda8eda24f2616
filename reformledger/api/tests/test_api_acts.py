"""The decisive acts through the API as on the pages: closing rows carry what deciding
them rests on and approving on thin proof needs a note; computing a period says what it
did not rate; every untouched suggestion confirmed at once; several grades in the
ratings filter; reports and closing requests withdrawn before they are decided."""

import base64
import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from reformledger.audit.models import AuditRecord
from reformledger.ledger import services
from reformledger.ledger.choices import ClosingStatus, PlanStatus, ReportStatus, TaskStatus
from reformledger.ledger.models import ClosingRequest, Period, ProgressReport, Rating, Task
from reformledger.ledger.tests.test_closing import request_closing
from reformledger.ledger.tests.test_ratings import add_rated_tasks, behind_task
from tests.factories import MilestoneFactory, PlanFactory, TaskFactory
from tests.files import PDF

JSON = "application/json"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def periods(world) -> list[Period]:
    return services.periods_ensure(office=world.office, year=2016)


def accepted(task, period, by, percent: int) -> ProgressReport:
    return ProgressReport.objects.create(
        task=task,
        period=period,
        status=ReportStatus.ACCEPTED,
        done="推进中",
        percent=percent,
        author=by,
        submitted_at=timezone.now(),
        decided_at=timezone.now(),
    )


def signed_closing(task, by, head=None, *, status=ClosingStatus.SIGNED, n: int = 0):
    return ClosingRequest.objects.create(
        task=task,
        status=status,
        summary="完成",
        document_no=f"惠阳府〔2016〕{88 + n}号",
        document_date=dt.date(2016, 11, 20),
        requested_by=by,
        signed_by=head,
    )


# --- closing rows carry the proof ----------------------------------------------------------


@pytest.fixture
def thin(world, office_staff, huiyang_liaison, huiyang_head):
    """2016-001: 0 of 2 milestones reached, May's accepted report at 30%, rated D in July;
    a signed request with one evidence file."""
    may, july = periods(world)[4], periods(world)[6]
    accepted(world.task_huiyang, may, office_staff, 30)
    services.rating_compute(task=world.task_huiyang, period=july)
    closing = request_closing(world.task_huiyang, huiyang_liaison)
    return services.closing_sign(closing=closing, by=huiyang_head)


def test_a_closing_row_carries_milestones_last_report_rating_and_deliverables(
    world, thin, director, client_for
):
    rows = client_for(director).get("/api/v1/closings/").json()["results"]
    (row,) = rows
    proof = row["proof"]
    assert (proof["milestones_total"], proof["milestones_reached"]) == (2, 0)
    assert [m["title"] for m in proof["not_reached"]] == ["出台考核方案", "全区推开并总结"]
    assert proof["last_report"]["percent"] == 30
    assert proof["last_report"]["period_label"] == "2016-05"
    assert (proof["latest_rating"]["letter"], proof["latest_rating"]["level"]) == (
        "D",
        "seriously_behind",
    )
    assert proof["needs_reason"] is True and len(proof["concerns"]) == 2
    assert (row["document_no"], row["document_date"]) == ("惠阳府〔2016〕88号", "2016-11-20")
    assert [e["name"] for e in row["evidence"]] == ["考核办法.pdf"]
    detail = client_for(director).get(f"/api/v1/closings/{thin.pk}/").json()
    assert detail["proof"] == proof


def test_approving_on_thin_proof_without_a_note_is_a_400_naming_note(
    world, thin, director, client_for
):
    leader = client_for(director)
    bare = leader.post(f"/api/v1/closings/{thin.pk}/approve/", {"note": ""}, content_type=JSON)
    assert bare.status_code == 400
    assert list(bare.json()) == ["note"]
    assert ClosingRequest.objects.get(pk=thin.pk).status == ClosingStatus.SIGNED

    done = leader.post(
        f"/api/v1/closings/{thin.pk}/approve/", {"note": "区政府已确认"}, content_type=JSON
    )
    assert done.status_code == 200 and done.json()["status"] == "approved"
    assert AuditRecord.objects.get(verb="closing.approved").reason == "区政府已确认"


def test_the_closings_list_runs_the_same_queries_for_3_and_30_rows(
    world, office_staff, director, client_for
):
    client = client_for(director)
    june = periods(world)[5]

    def add(n: int, prefix: str) -> None:
        for i in range(n):
            task = TaskFactory(
                office=world.office,
                code=f"{prefix}-{i:03d}",
                area=world.economy,
                lead_unit=world.huiyang,
                status=TaskStatus.IN_PROGRESS,
            )
            MilestoneFactory(plan=PlanFactory(task=task, status=PlanStatus.APPROVED))
            accepted(task, june, office_staff, 50)
            signed_closing(task, office_staff, n=i)
        services.ratings_compute_period(period=june)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get("/api/v1/closings/", {"page_size": 100})
        assert response.status_code == 200
        assert all(r["proof"]["last_report"]["percent"] == 50 for r in response.json()["results"])
        return len(ctx.captured_queries)

    add(3, "S")
    small = queries()
    add(27, "L")
    assert queries() == small


# --- computing says what it skipped; confirming in bulk ---------------------------------------


def test_compute_ratings_returns_the_tasks_it_did_not_rate_with_the_reason(
    world, office_staff, client_for
):
    june = periods(world)[5]
    response = client_for(office_staff).post(f"/api/v1/periods/{june.pk}/compute-ratings/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["computed"] == 1
    assert {(t["code"], t["reason"]) for t in body["not_rated"]} == {
        ("2016-002", "no_plan"),
        ("2016-003", "no_plan"),
        ("2016-004", "no_plan"),
    }
    assert all(t["reason_text"] for t in body["not_rated"])


def test_confirm_ratings_confirms_every_untouched_suggestion_and_keeps_an_override(
    world, director, office_staff, client_for
):
    behind_task(world)
    add_rated_tasks(world, 4, "S")
    june = periods(world)[5]
    services.ratings_compute_period(period=june)
    overridden = Rating.objects.get(period=june, task__code="2016-050")
    b = overridden.suggested.scale.grades.get(letter="B")
    services.rating_override(rating=overridden, by=director, grade=b, reason="已整改")
    url = f"/api/v1/periods/{june.pk}/confirm-ratings/"

    assert client_for(office_staff).post(url, {}, content_type=JSON).status_code == 403
    stale = client_for(director).post(url, {"expected": 2}, content_type=JSON)
    assert stale.status_code == 409
    done = client_for(director).post(url, {"expected": 5}, content_type=JSON)

    assert done.status_code == 200, done.content
    assert len(done.json()["confirmed"]) == 5
    assert AuditRecord.objects.filter(verb="rating.confirmed").count() == 5
    overridden.refresh_from_db()
    assert overridden.status == "overridden" and overridden.final.letter == "B"


def test_the_ratings_filter_takes_several_grades(world, director, client_for):
    behind_task(world)  # C in June; 2016-001 is E
    add_rated_tasks(world, 4, "S")
    june = periods(world)[5]
    services.ratings_compute_period(period=june)
    client = client_for(director)
    letters = dict(
        Rating.objects.filter(period=june).values_list("task__code", "suggested__letter")
    )

    def codes(**params) -> set[str]:
        response = client.get("/api/v1/ratings/", {"period": june.pk, **params})
        assert response.status_code == 200, response.content
        ids = {r["task"] for r in response.json()["results"]}
        return set(Task.objects.filter(pk__in=ids).values_list("code", flat=True))

    want = {c for c, letter in letters.items() if letter in ("C", "E")}
    assert codes(grade="C,E") == want == codes(grade=["C", "E"])
    assert codes(grade="seriously_behind,stalled") == {
        c for c, letter in letters.items() if letter in ("D", "E")
    }
    assert client.get("/api/v1/ratings/", {"grade": "C;E"}).status_code == 400


# --- withdrawing ---------------------------------------------------------------------------


def test_a_report_and_a_closing_request_are_withdrawn_through_the_api(
    world, huiyang_liaison, director, client_for
):
    june = periods(world)[5]
    report = services.report_file(
        task=world.task_huiyang,
        period=june,
        by=huiyang_liaison,
        done="推进中",
        percent=40,
        submit=True,
    )
    liaison, leader = client_for(huiyang_liaison), client_for(director)
    assert leader.post(f"/api/v1/reports/{report.pk}/withdraw/").status_code == 403
    done = liaison.post(f"/api/v1/reports/{report.pk}/withdraw/")
    assert done.status_code == 200 and done.json()["status"] == "draft"
    assert liaison.post(f"/api/v1/reports/{report.pk}/withdraw/").status_code == 409

    made = liaison.post(
        f"/api/v1/tasks/{world.task_huiyang.pk}/closing/",
        {
            "summary": "已完成",
            "document_no": "惠阳府〔2016〕88号",
            "document_date": "2016-12-10",
            "files": [{"name": "文件.pdf", "content_base64": base64.b64encode(PDF).decode()}],
        },
        content_type=JSON,
    )
    closing = made.json()["id"]
    assert made.json()["proof"]["milestones_total"] == 2
    assert leader.post(f"/api/v1/closings/{closing}/withdraw/").status_code == 403
    gone = liaison.post(f"/api/v1/closings/{closing}/withdraw/")
    assert gone.status_code == 200 and gone.json()["status"] == "withdrawn"
    assert AuditRecord.objects.filter(verb__endswith=".withdrawn").count() == 2
