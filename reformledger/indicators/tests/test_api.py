"""Indicators through the API: the same rows, rules and services as the pages — a 404 for
an indicator the user may not see, a 403 for an act the role does not allow, a 400
naming the field, a 409 for a value already decided, and If-Match on changes."""

import pytest

from reformledger.audit.models import AuditRecord
from reformledger.indicators import services
from reformledger.indicators.choices import ValueStatus
from reformledger.indicators.models import IndicatorValue

JSON = "application/json"
API = "/api/v1/"


def _post(client, url, body=None, **extra):
    return client.post(API + url, body or {}, content_type=JSON, **extra)


def _patch(client, url, body, **extra):
    return client.patch(API + url, body, content_type=JSON, **extra)


def _codes(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["code"] for row in response.json()["results"]]


def test_the_list_is_scoped_and_shows_the_standing(
    world, office_staff, fgj_liaison, huiyang_liaison, zombies, loans, periods, client_for
):
    services.indicator_set_target(indicator=zombies.rate, by=office_staff, year=2016, target=70)
    services.indicator_report(
        indicator=zombies.total, period=periods[12], value=454, by=fgj_liaison
    )
    services.indicator_report(
        indicator=zombies.closed, period=periods[12], value=336, by=fgj_liaison
    )
    office = client_for(office_staff)
    rows = {r["code"]: r for r in office.get(API + "indicators/", {"year": 2016}).json()["results"]}
    assert set(rows) == {"F-01", "Z-01", "Z-02", "Z-03"}
    rate = rows["Z-03"]
    assert rate["kind"] == "ratio" and rate["track"] == "on_track"
    assert rate["target"] == "70.0000" and rate["latest"]["period_label"] == "2016-12"
    assert rate["latest"]["value"].startswith("74.00")
    assert _codes(office.get(API + "indicators/", {"year": 2016, "track": "no_data"})) == ["F-01"]
    assert _codes(office.get(API + "indicators/", {"owner": world.huiyang.pk})) == ["F-01"]
    assert _codes(client_for(huiyang_liaison).get(API + "indicators/")) == ["F-01"]
    assert (
        client_for(huiyang_liaison).get(API + f"indicators/{zombies.closed.pk}/").status_code == 404
    )
    bad = office.get(API + "indicators/", {"track": "sideways"})
    assert bad.status_code == 400 and "track" in bad.json()


def test_the_office_defines_through_the_api_and_others_are_refused_first(
    world, office_staff, huiyang_liaison, zombies, client_for
):
    body = {
        "office": world.office.pk,
        "code": "Z-04",
        "name": "出清率（另算）",
        "measure": "%",
        "owner_unit": world.fgj.pk,
        "kind": "ratio",
        "numerator": zombies.closed.pk,
        "denominator": zombies.total.pk,
        "scale": "100",
        "decimals": 1,
    }
    created = _post(client_for(office_staff), "indicators/", body)
    assert created.status_code == 201, created.content
    assert created.json()["kind"] == "ratio" and created.json()["version"] == 1
    refused = _post(client_for(huiyang_liaison), "indicators/", {"nonsense": 1})
    assert refused.status_code == 403
    again = _post(client_for(office_staff), "indicators/", body)
    assert again.status_code == 400 and "code" in again.json()


def test_a_change_says_which_version_it_read(world, office_staff, zombies, client_for):
    client = client_for(office_staff)
    url = f"indicators/{zombies.closed.pk}/"
    read = client.get(API + url)
    assert read["ETag"] == '"1"'
    assert _patch(client, url, {"name": "出清户数"}).status_code == 428
    changed = _patch(client, url, {"name": "出清户数"}, HTTP_IF_MATCH='"1"')
    assert changed.status_code == 200 and changed["ETag"] == '"2"'
    stale = _patch(client, url, {"name": "别的"}, HTTP_IF_MATCH='"1"')
    assert stale.status_code == 412
    stale_body = _patch(client, url, {"name": "别的", "version": 1})
    assert stale_body.status_code == 409
    zombies.closed.refresh_from_db()
    assert zombies.closed.name == "出清户数"


def test_targets_are_set_once_per_year(
    world, office_staff, fgj_liaison, loans, zombies, client_for
):
    client = client_for(office_staff)
    body = {"indicator": loans.pk, "year": 2016, "target": "66"}
    assert _post(client, "indicator-targets/", body).status_code == 201
    assert _post(client, "indicator-targets/", {**body, "target": "70"}).status_code == 200
    listed = client.get(API + "indicator-targets/", {"indicator": loans.pk}).json()["results"]
    assert [(t["year"], t["target"]) for t in listed] == [(2016, "70.0000")]
    assert _post(client_for(fgj_liaison), "indicator-targets/", body).status_code == 404
    owner = client_for(fgj_liaison)
    mine = {"indicator": zombies.closed.pk, "year": 2016, "target": "1"}
    assert _post(owner, "indicator-targets/", mine).status_code == 403


def test_values_are_reported_replaced_checked_and_returned(
    world, office_staff, fgj_liaison, huiyang_liaison, zombies, periods, client_for
):
    owner = client_for(fgj_liaison)
    body = {"indicator": zombies.closed.pk, "period": periods[6].pk, "value": "120"}
    first = _post(owner, "indicator-values/", body)
    assert first.status_code == 201, first.content
    value_id = first.json()["id"]
    replaced = _post(owner, "indicator-values/", {**body, "value": "130", "note": "更正"})
    assert replaced.status_code == 200 and replaced.json()["value"] == "130.0000"
    # Another unit: the indicator does not exist for it; a ratio is never reported.
    assert _post(client_for(huiyang_liaison), "indicator-values/", body).status_code == 404
    ratio = {**body, "indicator": zombies.rate.pk}
    assert _post(owner, "indicator-values/", ratio).status_code == 403
    assert not IndicatorValue.objects.filter(indicator=zombies.rate).exists()
    # Only the office checks; a second check is a conflict.
    assert _post(owner, f"indicator-values/{value_id}/check/").status_code == 403
    office = client_for(office_staff)
    checked = _post(office, f"indicator-values/{value_id}/check/")
    assert checked.status_code == 200 and checked.json()["status"] == ValueStatus.CHECKED
    assert _post(office, f"indicator-values/{value_id}/check/").status_code == 409
    assert _post(owner, "indicator-values/", body).status_code == 409
    listed = client_for(fgj_liaison).get(API + "indicator-values/", {"status": "checked"})
    assert [v["id"] for v in listed.json()["results"]] == [value_id]
    # Returning needs its reason.
    second = _post(owner, "indicator-values/", {**body, "period": periods[7].pk})
    second_id = second.json()["id"]
    assert _post(office, f"indicator-values/{second_id}/return/", {}).status_code == 400
    returned = _post(office, f"indicator-values/{second_id}/return/", {"reason": "缺少佐证"})
    assert returned.status_code == 200 and returned.json()["return_reason"] == "缺少佐证"
    assert AuditRecord.objects.filter(verb="indicator.value_returned").count() == 1


def test_a_value_is_refused_on_its_field(world, fgj_liaison, zombies, periods, client_for):
    owner = client_for(fgj_liaison)
    body = {"indicator": zombies.closed.pk, "period": periods[6].pk, "value": "1.23456"}
    response = _post(owner, "indicator-values/", body)
    assert response.status_code == 400 and "value" in response.json()


def test_the_series_gives_the_path_against_the_actual(
    world, office_staff, huiyang_liaison, loans, periods, client_for
):
    services.indicator_set_target(indicator=loans, by=office_staff, year=2016, target=66)
    services.indicator_report(indicator=loans, period=periods[6], value=20, by=huiyang_liaison)
    points = client_for(huiyang_liaison).get(API + f"indicators/{loans.pk}/series/").json()
    june = next(p for p in points if p["period_label"] == "2016-06")
    assert june["actual"] == "20.0000" and june["track"] == "behind"
    assert float(points[-1]["path"]) == pytest.approx(66)


def test_the_schema_documents_the_indicator_endpoints(client_for, office_staff):
    schema = client_for(office_staff).get("/api/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    assert "/api/v1/indicators/{id}/" in paths
    assert "patch" in paths["/api/v1/indicators/{id}/"]
    assert "/api/v1/indicator-values/{id}/check/" in paths
