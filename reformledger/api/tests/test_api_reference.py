"""What another system needs to look up before it writes: reform areas and systems,
periods (the one running today among them) and rating scales with their grades,
scoped like the pages; and the office's acts on periods, refused to other roles."""

import datetime as dt

import pytest
from django.utils import timezone

from reformledger.audit.models import AuditRecord
from reformledger.ledger import services
from reformledger.ledger.models import Period, Rating, ReformSystem
from reformledger.orgs import services as orgs
from reformledger.orgs.choices import UnitKind

JSON = "application/json"


def _results(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_every_signed_in_user_reads_areas_and_systems(world, huiyang_liaison, client_for):
    ReformSystem.objects.create(code="five", name="五大体系化改革", order=1)
    client = client_for(huiyang_liaison)
    areas = _results(client.get("/api/v1/reform-areas/"))
    assert [(a["id"], a["code"], a["name"]) for a in areas] == [
        (world.economy.pk, "economy", "经济体制改革"),
        (world.society.pk, "society", "社会体制改革"),
    ]
    assert [s["code"] for s in _results(client.get("/api/v1/reform-systems/"))] == ["five"]
    assert client.get("/api/v1/reform-areas/").json()["results"][0]["name_en"] == "Economy"


def test_periods_are_listed_with_their_status_and_the_current_one_is_found(
    world, office_staff, boluo_liaison, client_for
):
    today = timezone.localdate()
    services.periods_ensure(office=world.office, year=2016, by=office_staff)
    services.periods_ensure(office=world.office, year=today.year, by=office_staff)
    client = client_for(boluo_liaison)  # reads the city ledger: its task is in it
    year = _results(client.get("/api/v1/periods/", {"office": world.office.pk, "year": 2016}))
    assert [p["label"] for p in year] == [f"2016-{m:02d}" for m in range(1, 13)]
    assert year[5] | {"id": 0} == {
        "id": 0,
        "office": world.office.pk,
        "office_name": "市委改革办",
        "year": 2016,
        "number": 6,
        "label": "2016-06",
        "start": "2016-06-01",
        "end": "2016-06-30",
        "report_due": "2016-07-05",
        "status": "open",
        "closed_at": None,
    }
    (current,) = _results(client.get("/api/v1/periods/", {"current": "true"}))
    assert dt.date.fromisoformat(current["start"]) <= today <= dt.date.fromisoformat(current["end"])
    others = _results(client.get("/api/v1/periods/", {"current": "false", "page_size": 100}))
    assert len(others) == 23 and current["id"] not in {p["id"] for p in others}


def test_a_closed_period_is_not_current(world, director, client_for):
    today = timezone.localdate()
    periods = services.periods_ensure(office=world.office, year=today.year)
    running = next(p for p in periods if p.start <= today <= p.end)
    Period.objects.filter(pk=running.pk).update(status="closed")
    assert _results(client_for(director).get("/api/v1/periods/", {"current": "true"})) == []


@pytest.mark.parametrize("persona", ["evaluator", "auditor", "outsider", "sysadmin"])
def test_who_reads_no_ledger_sees_no_period_and_no_scale(request, world, client_for, persona):
    periods = services.periods_ensure(office=world.office, year=2016)
    services.scale_for(world.office, 2016)
    client = client_for(request.getfixturevalue(persona))
    assert _results(client.get("/api/v1/periods/")) == []
    assert _results(client.get("/api/v1/rating-scales/")) == []
    assert client.get(f"/api/v1/periods/{periods[0].pk}/").status_code == 404


def test_a_county_liaison_does_not_read_another_offices_periods(world, huiyang_liaison, client_for):
    other = orgs.unit_create(
        by=None, code="HZ-BL-GGB", name="博罗县委改革办", kind=UnitKind.OFFICE, parent=world.boluo
    )
    services.periods_ensure(office=other, year=2016)
    services.periods_ensure(office=world.office, year=2016)
    rows = _results(client_for(huiyang_liaison).get("/api/v1/periods/", {"page_size": 100}))
    assert {p["office"] for p in rows} == {world.office.pk}


def test_rating_scales_carry_their_grades_per_office_and_year(world, director, client_for):
    scale = services.scale_for(world.office, 2016)
    client = client_for(director)
    (row,) = _results(client.get("/api/v1/rating-scales/", {"office": world.office.pk}))
    assert (row["id"], row["year"], row["on_schedule_max_behind"]) == (scale.pk, 2016, 10)
    assert [(g["letter"], g["level"]) for g in row["grades"]] == [
        ("A", "ahead"),
        ("B", "on_schedule"),
        ("C", "slightly_behind"),
        ("D", "seriously_behind"),
        ("E", "stalled"),
    ]
    assert _results(client.get("/api/v1/rating-scales/", {"year": 2017})) == []


# --- the office's acts on periods ---------------------------------------------------


def _setup(client, office, year):
    return client.post(
        "/api/v1/periods/setup/", {"office": office.pk, "year": year}, content_type=JSON
    )


def test_the_office_sets_up_a_year_once_and_the_act_is_audited(world, office_staff, client_for):
    client = client_for(office_staff)
    first = _setup(client, world.office, 2017)
    assert first.status_code == 200, first.content
    assert [p["label"] for p in first.json()] == [f"2017-{m:02d}" for m in range(1, 13)]
    again = _setup(client, world.office, 2017)
    assert again.status_code == 200 and again.json() == first.json()
    assert AuditRecord.objects.filter(verb="period.created").count() == 1


@pytest.mark.parametrize("persona", ["huiyang_liaison", "huiyang_head", "city_leader", "outsider"])
def test_others_may_not_set_up_a_year(request, world, client_for, persona):
    response = _setup(client_for(request.getfixturevalue(persona)), world.office, 2017)
    assert response.status_code == 403
    assert not Period.objects.exists()


def test_setting_up_names_a_bad_office_or_year(world, office_staff, client_for):
    client = client_for(office_staff)
    assert "office" in _setup(client, world.huiyang, 2017).json()  # a county, not an office
    bad_year = client.post(
        "/api/v1/periods/setup/", {"office": world.office.pk, "year": 1999}, content_type=JSON
    )
    assert bad_year.status_code == 400 and "year" in bad_year.json()


def test_only_an_office_leader_closes_a_period_that_has_ended(
    world, office_staff, director, huiyang_liaison, outsider, client_for
):
    periods = services.periods_ensure(office=world.office, year=2016)
    url = f"/api/v1/periods/{periods[4].pk}/close/"
    assert client_for(office_staff).post(url).status_code == 403
    assert client_for(huiyang_liaison).post(url).status_code == 403
    assert client_for(outsider).post(url).status_code == 404
    leader = client_for(director)
    closed = leader.post(url)
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    assert leader.post(url).status_code == 409
    assert AuditRecord.objects.filter(verb="period.closed").count() == 1
    today = timezone.localdate()
    running = next(
        p
        for p in services.periods_ensure(office=world.office, year=today.year)
        if p.start <= today <= p.end
    )
    not_ended = leader.post(f"/api/v1/periods/{running.pk}/close/")
    assert not_ended.status_code == 400 and "period" in not_ended.json()


def test_the_office_computes_a_periods_suggestions(
    world, office_staff, director, huiyang_liaison, client_for
):
    periods = services.periods_ensure(office=world.office, year=2016)
    url = f"/api/v1/periods/{periods[5].pk}/compute-ratings/"
    assert client_for(huiyang_liaison).post(url).status_code == 403
    assert not Rating.objects.exists()
    done = client_for(office_staff).post(url)
    assert done.status_code == 200, done.content
    assert done.json()["computed"] == 1  # only 2016-001 is in progress
    assert done.json()["period"]["label"] == "2016-06"
    assert Rating.objects.get().task == world.task_huiyang
    assert AuditRecord.objects.filter(verb="ratings.computed", actor=office_staff).count() == 1
    services.period_close(period=periods[5], by=director)
    frozen = client_for(office_staff).post(url)
    assert frozen.status_code == 400 and "period" in frozen.json()


def test_a_period_not_yet_begun_cannot_be_rated(world, office_staff, client_for):
    later = timezone.localdate().year + 1
    first = services.periods_ensure(office=world.office, year=later)[0]
    response = client_for(office_staff).post(f"/api/v1/periods/{first.pk}/compute-ratings/")
    assert response.status_code == 400 and "period" in response.json()
