"""The work cycle through the API: the same services and rules as the pages."""

import base64
import datetime as dt

from reformledger.audit.models import AuditRecord
from reformledger.ledger import services
from reformledger.ledger.models import ClosingRequest, Period, ProgressReport, Rating, Task
from tests.files import PDF

JSON = "application/json"


def _june(world, by):
    services.periods_ensure(office=world.office, year=2016, by=by)
    return Period.objects.get(office=world.office, year=2016, number=6)


def test_a_report_is_filed_submitted_and_accepted_through_the_api(
    world, office_staff, huiyang_liaison, client_for
):
    june = _june(world, office_staff)
    task = world.task_huiyang
    milestone = task.plans.get().milestones.order_by("order").first()
    body = {
        "period": june.pk,
        "done": "方案已印发",
        "percent": 40,
        "reached": [{"milestone": milestone.pk, "reached_on": "2016-06-20"}],
    }
    # A helping unit's liaison may not file the lead unit's report.
    refused = client_for(huiyang_liaison).post(
        f"/api/v1/tasks/{world.task_helped.pk}/report/", body, content_type=JSON
    )
    assert refused.status_code == 403
    liaison = client_for(huiyang_liaison)
    saved = liaison.post(f"/api/v1/tasks/{task.pk}/report/", body, content_type=JSON)
    assert saved.status_code == 200, saved.content
    report_id = saved.json()["id"]
    assert saved.json()["reached"] == [{"milestone": milestone.pk, "reached_on": "2016-06-20"}]
    assert liaison.post(f"/api/v1/reports/{report_id}/submit/").status_code == 200
    assert liaison.post(f"/api/v1/reports/{report_id}/accept/").status_code == 403
    office = client_for(office_staff)
    assert office.post(f"/api/v1/reports/{report_id}/accept/").status_code == 200
    assert office.post(f"/api/v1/reports/{report_id}/accept/").status_code == 409
    assert ProgressReport.objects.get(pk=report_id).status == "accepted"
    milestone.refresh_from_db()
    assert milestone.reached_on == dt.date(2016, 6, 20)
    listed = office.get("/api/v1/reports/", {"period": june.pk}).json()["results"]
    assert [r["id"] for r in listed] == [report_id]


def test_ratings_are_confirmed_and_overridden_by_leaders_only(
    world, office_staff, director, huiyang_liaison, client_for
):
    june = _june(world, office_staff)
    services.ratings_compute_period(period=june, by=office_staff)
    rating = Rating.objects.get(task=world.task_huiyang, period=june)
    liaison = client_for(huiyang_liaison)
    assert liaison.post(f"/api/v1/ratings/{rating.pk}/confirm/").status_code == 403
    leader = client_for(director)
    other = rating.suggested.scale.grades.exclude(pk=rating.suggested_id).first()
    no_reason = leader.post(
        f"/api/v1/ratings/{rating.pk}/override/",
        {"grade": other.pk, "reason": ""},
        content_type=JSON,
    )
    assert no_reason.status_code == 400 and "reason" in no_reason.json()
    done = leader.post(
        f"/api/v1/ratings/{rating.pk}/override/",
        {"grade": other.pk, "reason": "实地核查后调整"},
        content_type=JSON,
    )
    assert done.status_code == 200, done.content
    assert done.json()["final_letter"] == other.letter
    assert done.json()["suggested_letter"] == rating.suggested.letter
    assert leader.post(f"/api/v1/ratings/{rating.pk}/confirm/").status_code == 409


def test_closing_is_requested_signed_and_approved_through_the_api(
    world, director, huiyang_liaison, huiyang_head, client_for
):
    task = world.task_huiyang
    liaison = client_for(huiyang_liaison)
    missing = liaison.post(
        f"/api/v1/tasks/{task.pk}/closing/",
        {
            "summary": "已完成",
            "document_no": "惠阳府〔2016〕88号",
            "document_date": "2016-12-10",
            "files": [],
        },
        content_type=JSON,
    )
    assert missing.status_code == 400 and "files" in missing.json()
    assert not ClosingRequest.objects.exists()
    body = {
        "summary": "已完成",
        "document_no": "惠阳府〔2016〕88号",
        "document_date": "2016-12-10",
        "files": [{"name": "印发文件.pdf", "content_base64": base64.b64encode(PDF).decode()}],
    }
    made = liaison.post(f"/api/v1/tasks/{task.pk}/closing/", body, content_type=JSON)
    assert made.status_code == 201, made.content
    closing_id = made.json()["id"]
    assert ClosingRequest.objects.get(pk=closing_id).evidence.count() == 1
    assert (
        client_for(director)
        .post(f"/api/v1/closings/{closing_id}/approve/", {}, content_type=JSON)
        .status_code
        == 409
    )
    assert client_for(huiyang_head).post(f"/api/v1/closings/{closing_id}/sign/").status_code == 200
    leader = client_for(director)
    # 0 of 2 milestones reached: approving needs a note saying why.
    bare = leader.post(f"/api/v1/closings/{closing_id}/approve/", {}, content_type=JSON)
    assert bare.status_code == 400 and "note" in bare.json()
    assert Task.objects.get(pk=task.pk).status == "in_progress"
    note = {"note": "节点已由市政府常务会议确认完成"}
    assert (
        leader.post(f"/api/v1/closings/{closing_id}/approve/", note, content_type=JSON).status_code
        == 200
    )
    assert (
        leader.post(f"/api/v1/closings/{closing_id}/approve/", note, content_type=JSON).status_code
        == 409
    )
    assert Task.objects.get(pk=task.pk).status == "closed"
    assert AuditRecord.objects.filter(verb="closing.approved").count() == 1
