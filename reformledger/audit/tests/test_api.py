"""/api/v1/audit-records/: the auditor reads the trail, newest first, paged and filtered
like the page; anyone else gets a 403 (itself recorded); nothing can be written."""

import pytest

from reformledger.audit import services as audit
from reformledger.audit.models import AuditRecord, Outcome

URL = "/api/v1/audit-records/"


@pytest.fixture
def api(auditor, client_for):
    return client_for(auditor)


def test_the_auditor_lists_the_trail_newest_first(world, api):
    body = api.get(URL).json()

    assert body["count"] == AuditRecord.objects.count()
    ids = [r["id"] for r in body["results"]]
    assert ids == sorted(ids, reverse=True)
    newest = AuditRecord.objects.order_by("-id").first()
    first = body["results"][0]
    assert first["hash"] == newest.hash and first["prev_hash"] == newest.prev_hash
    assert {"at", "actor", "actor_label", "address", "verb", "outcome", "obj_type"} <= set(first)


def test_the_list_is_paged(world, api):
    body = api.get(URL, {"page_size": 5, "page": 2}).json()

    assert len(body["results"]) == 5
    assert body["previous"] and body["next"]


def test_filters_match_the_page(world, office_staff, api):
    audit.record(actor=office_staff, verb="task.updated", obj=world.task_boluo, reason="补充依据")

    by_reason = api.get(URL, {"q": "补充依据"}).json()
    by_kind = api.get(URL, {"verb": "plan."}).json()
    by_user = api.get(URL, {"user": "office", "obj_type": "ledger.task"}).json()
    none_yet = api.get(URL, {"since": "2999-01-01T00:00:00Z"}).json()
    failed = api.get(URL, {"outcome": Outcome.FAILURE}).json()

    assert by_reason["count"] == 1 and by_reason["results"][0]["reason"] == "补充依据"
    assert by_kind["count"] and all(r["verb"].startswith("plan.") for r in by_kind["results"])
    assert (
        by_user["count"]
        == AuditRecord.objects.filter(actor_label="office", obj_type="ledger.task").count()
    )
    assert none_yet["count"] == 0
    assert failed["count"] == 0


def test_bad_filters_are_a_400_naming_them(world, api):
    response = api.get(URL, {"since": "not a time", "outcome": "maybe"})

    assert response.status_code == 400
    assert {"since", "outcome"} <= set(response.json())


def test_a_time_out_of_range_is_a_400(world, api):
    assert api.get(URL, {"since": "0001-01-01T00:00:00Z"}).status_code == 400


def test_one_record(world, api):
    rec = AuditRecord.objects.order_by("id").first()

    body = api.get(f"{URL}{rec.pk}/").json()

    assert body["id"] == rec.pk and body["hash"] == rec.hash and body["changes"] == rec.changes


def test_the_trail_cannot_be_written_through_the_api(world, api):
    rec = AuditRecord.objects.order_by("id").first()

    assert api.post(URL, {}, content_type="application/json").status_code == 405
    assert api.delete(f"{URL}{rec.pk}/").status_code == 405
    assert (
        api.patch(f"{URL}{rec.pk}/", {"reason": "x"}, content_type="application/json").status_code
        == 405
    )


@pytest.mark.parametrize("persona", ["office_staff", "sysadmin", "city_leader", "outsider"])
def test_everyone_else_is_refused_and_recorded(request, client_for, persona):
    user = request.getfixturevalue(persona)

    response = client_for(user).get(URL)

    assert response.status_code == 403
    assert AuditRecord.objects.filter(verb="access.denied", actor=user).count() == 1


def test_the_list_runs_the_same_queries_for_few_and_many_records(
    world, api, django_assert_max_num_queries
):
    api.get(URL)
    for _n in range(120):
        audit.record(actor=world.office_staff, verb="task.updated", obj=world.task_boluo)

    with django_assert_max_num_queries(8):
        assert api.get(URL, {"page_size": 100}).status_code == 200
