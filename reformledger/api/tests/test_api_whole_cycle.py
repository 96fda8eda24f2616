"""Another system runs a task's whole year through the API alone, as a client written
from the schema would: each person gives it a token, and every id it needs comes
from an answer of the API, none from the database."""

import base64
import datetime as dt

from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.files import PDF

JSON = "application/json"


class System:
    """The other system, calling as one person with that person's token."""

    def __init__(self, token: str):
        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_ACCEPT_LANGUAGE="en")

    def get(self, path: str, params=None, status: int = 200) -> dict:
        response = self.client.get(f"/api/v1/{path}", params or {})
        assert response.status_code == status, (path, response.content)
        return response.json()

    def post(self, path: str, body=None, status: int = 200) -> dict:
        response = self.client.post(f"/api/v1/{path}", body or {}, content_type=JSON)
        assert response.status_code == status, (path, response.content)
        return response.json()

    def one(self, path: str, params=None, **match) -> dict:
        """The one row of a list whose fields have the values given."""
        rows = [
            row
            for row in self.get(path, {**(params or {}), "page_size": 500})["results"]
            if all(row[k] == v for k, v in match.items())
        ]
        assert len(rows) == 1, (path, match, rows)
        return rows[0]


def token_of(session: Client, *, elevated: bool = False) -> str:
    """A person, signed in (with the second factor where the role needs it), creates a
    token for the other system on the tokens endpoint; it is shown once. A leader's
    token that is to decide asks to be elevated (for the second-factor acts)."""
    body = {"name": "省级督查平台", "elevated": elevated}
    created = session.post("/api/v1/tokens/", body, content_type=JSON)
    assert created.status_code == 201, created.content
    return created.json()["token"]


def test_another_system_runs_the_whole_cycle_through_the_api(
    world, office_staff, director, huiyang_liaison, huiyang_head, client_for
):
    office = System(token_of(client_for(office_staff)))
    leader = System(token_of(client_for(director), elevated=True))
    liaison = System(token_of(client_for(huiyang_liaison)))
    head = System(token_of(client_for(huiyang_head)))
    today = timezone.localdate()
    year = today.year

    # The office files a task: its office, area and lead unit looked up first.
    ledger_office = office.one("units/", {"kind": "office"}, code="HZ-GGB")
    area = office.one("reform-areas/", code="economy")
    lead = office.one("units/", {"q": "HZ-HY"}, code="HZ-HY")
    task = office.post(
        "tasks/",
        {
            "office": ledger_office["id"],
            "year": year,
            "code": f"{year}-API-1",
            "title": "推行“一门式一网式”政务服务",
            "area": area["id"],
            "source": "own",
            "lead_unit": lead["id"],
            "deliverable_kind": "mechanism",
            "start_date": f"{year}-01-01",
            "deadline": f"{year}-12-31",
        },
        status=201,
    )
    assert task["status"] == "planning" and task["latest_rating"] is None

    # The lead unit writes the plan and submits it; an office leader approves it.
    first_due = max(dt.date(year, 1, 1), today - dt.timedelta(days=10))
    plan = liaison.post(
        f"tasks/{task['id']}/plan/",
        {
            "summary": "先试点后推广",
            "milestones": [
                {"title": "出台实施方案", "planned_date": first_due.isoformat(), "weight": 40},
                {"title": "全市推开", "planned_date": f"{year}-12-31", "weight": 60},
            ],
        },
    )
    liaison.post(f"plans/{plan['id']}/submit/")
    approved = leader.post(f"plans/{plan['id']}/approve/", {"note": "同意"})
    assert approved["status"] == "approved"
    assert liaison.get(f"tasks/{task['id']}/")["status"] == "in_progress"

    # The office sets the year up; the unit finds the period running today and reports.
    office.post("periods/setup/", {"office": ledger_office["id"], "year": year})
    period = liaison.one(
        "periods/", {"office": ledger_office["id"], "current": "true"}, status="open"
    )
    milestone = plan["milestones"][0]
    report = liaison.post(
        f"tasks/{task['id']}/report/",
        {
            "period": period["id"],
            "done": "实施方案已印发",
            "percent": 40,
            "reached": [{"milestone": milestone["id"], "reached_on": first_due.isoformat()}],
        },
    )
    liaison.post(f"reports/{report['id']}/submit/")
    assert office.post(f"reports/{report['id']}/accept/")["status"] == "accepted"

    # The office computes the period's suggestions; the leader confirms the task's.
    computed = office.post(f"periods/{period['id']}/compute-ratings/")
    assert computed["computed"] >= 1
    row = office.get(f"tasks/{task['id']}/")
    assert row["progress"]["reported_percent"] == 40
    assert row["progress"]["reported_period"] == period["id"]
    suggested = row["latest_rating"]
    assert suggested["status"] == "suggested" and suggested["period"] == period["id"]
    liaison.post(f"ratings/{suggested['id']}/confirm/", status=403)
    confirmed = leader.post(f"ratings/{suggested['id']}/confirm/")
    assert confirmed["final_letter"] == suggested["letter"]
    assert office.get(f"tasks/{task['id']}/")["latest_rating"]["status"] == "confirmed"
    graded = office.get("tasks/", {"year": year, "rating": suggested["letter"]})["results"]
    assert [t["id"] for t in graded] == [task["id"]]

    # Closing (销账): the unit requests, its head signs, the leader approves.
    closing = liaison.post(
        f"tasks/{task['id']}/closing/",
        {
            "summary": "全市推开，已形成长效机制",
            "document_no": f"惠府办〔{year}〕12号",
            "document_date": today.isoformat(),
            "files": [{"name": "印发文件.pdf", "content_base64": base64.b64encode(PDF).decode()}],
        },
        status=201,
    )
    head.post(f"closings/{closing['id']}/sign/")
    assert leader.post(f"closings/{closing['id']}/approve/", {"note": "同意销账"})["status"] == (
        "approved"
    )
    assert office.get(f"tasks/{task['id']}/")["status"] == "closed"


def test_the_session_route_needs_the_csrf_header(world, office_staff):
    client = Client(enforce_csrf_checks=True)
    client.force_login(office_staff)
    client.get(reverse("ledger:ledger"))  # a page sets the CSRF cookie
    cookie = client.cookies[settings.CSRF_COOKIE_NAME].value
    body = {"name": "浏览器"}
    refused = client.post("/api/v1/tokens/", body, content_type=JSON)
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
    made = client.post("/api/v1/tokens/", body, content_type=JSON, HTTP_X_CSRFTOKEN=cookie)
    assert made.status_code == 201
