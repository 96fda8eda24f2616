"""Optimistic concurrency through the API (数据完整性: no lost update).

Many clients read a task, change it and write it back at once, each naming the version
it read (If-Match with the ETag, or `version` in the body): every write the API
acknowledges is in the final state, every other one was refused (409/412), and a write
that names no version is refused (428) before it can overwrite anything unseen."""

import datetime as dt
import json
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.db import connection
from django.db.models import Model
from drf_spectacular.generators import SchemaGenerator

from reformledger.api.testing import write_operations
from reformledger.audit.models import AuditRecord
from reformledger.catalog.models import Edition, Item
from reformledger.catalog.tests.conftest import make_edition
from reformledger.indicators import services as indicators
from reformledger.indicators.models import Indicator
from reformledger.ledger.models import Task
from reformledger.pilots import services as pilots
from reformledger.pilots.models import Pilot, SubProject

JSON = "application/json"
#: Clients writing at once, and the acknowledged writes each one aims for; the walk
#: also stops at DEADLINE seconds, so it stays a matter of seconds on any machine (the
#: torn-ETag and lost-write checks need contention, not volume: the attack pass lost
#: writes with four writers).
CLIENTS, WRITES_EACH, DEADLINE = 10, 2, 6.0


def _patch(client, task_id: int, description: str, read: dict, etag: str, n: int):
    """Half the clients send the ETag they read as If-Match, half the `version` read."""
    url = f"/api/v1/tasks/{task_id}/"
    if n % 2:
        return client.patch(
            url, {"description": description}, content_type=JSON, HTTP_IF_MATCH=etag
        )
    body = {"description": description, "version": read["version"]}
    return client.patch(url, body, content_type=JSON)


@pytest.mark.django_db(transaction=True)
def test_concurrent_read_modify_write_clients_lose_no_acknowledged_write(
    world, office_staff, client_for
):
    task = world.task_boluo
    url = f"/api/v1/tasks/{task.pk}/"
    start = threading.Barrier(CLIENTS, timeout=60)
    lock = threading.Lock()
    acknowledged: list[str] = []
    refused: list[int] = []
    torn: list[tuple] = []  # an ETag that is not the version of the body it came with
    failures: list = []
    stop_at = time.monotonic() + DEADLINE

    def run(n: int) -> None:
        client = client_for(office_staff)
        rng = random.Random(n)
        try:
            start.wait()
            read = None
            done = 0
            while done < WRITES_EACH and time.monotonic() < stop_at:
                if read is None:  # read again after a refusal; else the write's answer
                    got = client.get(url)
                    read, etag = got.json(), got["ETag"]
                if etag != f'"{read["version"]}"':
                    with lock:
                        torn.append((etag, read["version"]))
                token = f"[{n}.{done}]"
                answer = _patch(client, task.pk, read["description"] + token, read, etag, n)
                if answer.status_code == 200:
                    done += 1
                    read, etag = answer.json(), answer["ETag"]
                    with lock:
                        acknowledged.append(token)
                elif answer.status_code in (409, 412):
                    read = None
                    with lock:
                        refused.append(answer.status_code)
                    time.sleep(rng.uniform(0, 0.05))  # back off: fewer wasted rounds
                else:
                    failures.append((answer.status_code, answer.content[:300]))
                    return
        except BaseException as exc:  # reported below: a thread cannot fail the test itself
            failures.append(exc)
        finally:
            connection.close()

    began = time.monotonic()
    clients = [threading.Thread(target=run, args=(n,)) for n in range(CLIENTS)]
    for client in clients:
        client.start()
    for client in clients:
        client.join()
    took = time.monotonic() - began

    assert not failures, failures
    assert not torn, torn
    final = Task.objects.get(pk=task.pk).description
    written = {t for t in acknowledged if t in final}
    print(
        f"\n{connection.vendor}: {CLIENTS} clients, {len(acknowledged)} writes acknowledged, "
        f"{len(refused)} refused, lost {len(acknowledged) - len(written)}, {took:.1f} s"
    )
    assert acknowledged, "at least one write went through"
    # Every acknowledged write is in the final state, once, and nothing else is.
    assert written == set(acknowledged)
    assert all(final.count(t) == 1 for t in acknowledged)
    assert final.count("[") == len(acknowledged)
    updates = AuditRecord.objects.filter(verb="task.updated", obj_id=str(task.pk))
    assert updates.count() == len(acknowledged)


# --- a write must say which version it read --------------------------------------------


@dataclass(frozen=True)
class Versioned:
    """A PUT/PATCH route that changes an object carrying a version."""

    methods: tuple[str, ...]
    #: The object of the test world it changes (made by the office's staff).
    make: Callable[..., Model]
    #: A body valid for the route with every field it takes, `text` changed: refused
    #: for its missing version only.
    full_body: Callable[[Model], dict]
    model: type[Model]
    #: A text field a change sets.
    text: str


def _task(world) -> Task:
    return world.task_boluo


def _task_body(task: Task) -> dict:
    return {
        "code": task.code,
        "title": "整体替换的标题",
        "description": task.description,
        "area": task.area_id,
        "source": task.source,
        "lead_unit": task.lead_unit_id,
        "deliverable_kind": task.deliverable_kind,
        "start_date": task.start_date.isoformat(),
        "deadline": task.deadline.isoformat(),
    }


def _indicator(world) -> Indicator:
    made = indicators.indicator_create(
        office=world.office,
        by=world.office_staff,
        code="ZB-1",
        name="市场主体数",
        measure="家",
        owner_unit=world.boluo,
    )
    return Indicator.objects.get(pk=made.pk)  # as stored (the scale to two places)


def _indicator_body(indicator: Indicator) -> dict:
    return {
        "code": indicator.code,
        "name": "整体替换的名称",
        "measure": indicator.measure,
        "owner_unit": indicator.owner_unit_id,
        "direction": indicator.direction,
        "kind": indicator.kind,
        "scale": str(indicator.scale),
        "decimals": indicator.decimals,
        "source": indicator.source,
    }


def _pilot(world) -> Pilot:
    return pilots.pilot_register(
        office=world.office,
        by=world.office_staff,
        code="SD-1",
        name="审批改革试点",
        level="municipal",
        granting_body="市委改革办",
        host_unit=world.boluo,
        start=dt.date(2016, 1, 1),
        end=dt.date(2016, 12, 31),
        goals="试点目标",
    )


def _pilot_body(pilot: Pilot) -> dict:
    return {
        "code": pilot.code,
        "name": "整体替换的名称",
        "level": pilot.level,
        "granting_body": pilot.granting_body,
        "host_unit": pilot.host_unit_id,
        "start": pilot.start.isoformat(),
        "end": pilot.end.isoformat(),
        "goals": pilot.goals,
    }


def _sub_project(world) -> SubProject:
    return pilots.sub_project_create(
        pilot=_pilot(world),
        by=world.office_staff,
        code="SD-1-1",
        name="子项目",
        host_unit=world.boluo,
        planned_investment=10,
    )


def _sub_project_body(sub: SubProject) -> dict:
    return {
        "code": sub.code,
        "name": "整体替换的名称",
        "host_unit": sub.host_unit_id,
        "planned_investment": str(sub.planned_investment),
    }


def _edition(world) -> Edition:
    return make_edition(world, year=2016, published=False, powers=1, services=0)


def _edition_body(edition: Edition) -> dict:
    return {"title": "整体替换的标题", "previous": None, "task": None}


def _list_item(world) -> Item:
    return _edition(world).items.get()


def _list_item_body(item: Item) -> dict:
    return {
        "code": item.code,
        "name": "整体替换的名称",
        "item_type": item.item_type_id,
        "basis": item.basis,
        "body": item.body,
        "level": item.level,
        "responsibilities": item.responsibilities,
        "accountability": item.accountability,
        "note": item.note,
    }


#: Each PUT/PATCH route of the API: its methods, the object of the test world it
#: changes, a full body, the model. A new route that changes an object is added here,
#: and so answers 428 without a version, 412 to a stale If-Match.
VERSIONED = {
    "/api/v1/tasks/{id}/": Versioned(("PUT", "PATCH"), _task, _task_body, Task, "title"),
    "/api/v1/indicators/{id}/": Versioned(
        ("PATCH",), _indicator, _indicator_body, Indicator, "name"
    ),
    "/api/v1/pilots/{id}/": Versioned(("PATCH",), _pilot, _pilot_body, Pilot, "name"),
    "/api/v1/sub-projects/{id}/": Versioned(
        ("PATCH",), _sub_project, _sub_project_body, SubProject, "name"
    ),
    "/api/v1/lists/editions/{id}/": Versioned(
        ("PATCH",), _edition, _edition_body, Edition, "title"
    ),
    "/api/v1/lists/items/{id}/": Versioned(("PATCH",), _list_item, _list_item_body, Item, "name"),
}
ROUTES = sorted((path, method) for path, v in VERSIONED.items() for method in v.methods)


def test_every_put_and_patch_route_changes_an_object_that_carries_a_version():
    routes = {(op.path, op.method) for op in write_operations() if op.method in ("PUT", "PATCH")}
    assert routes == set(ROUTES)


def test_the_schema_documents_428_and_if_match_on_every_put_and_patch():
    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    changes = [(path, m) for path, ops in paths.items() for m in ("put", "patch") if m in ops]
    assert {(path, m.upper()) for path, m in changes} == set(ROUTES)
    for path, method in changes:
        operation = paths[path][method]
        answers = operation["responses"]
        assert {"409", "412", "428"} <= set(answers), (path, method)
        assert "If-Match" in answers["428"]["description"], (path, method)
        assert answers["428"]["content"]["application/json"], (path, method)
        headers = {p["name"] for p in operation["parameters"] if p["in"] == "header"}
        assert "If-Match" in headers, (path, method)


def _unchanged(route: Versioned, obj: Model, records: int) -> None:
    """Nothing of `obj` changed, and nothing was recorded."""
    now = route.model.objects.get(pk=obj.pk)
    assert now.version == obj.version
    assert getattr(now, route.text) == getattr(obj, route.text)
    assert AuditRecord.objects.count() == records


@pytest.mark.parametrize(("path", "method"), ROUTES)
@pytest.mark.parametrize("if_match", [None, "*"])
def test_a_change_that_names_no_version_is_refused_with_428(
    world, office_staff, client_for, method, path, if_match
):
    route = VERSIONED[path]
    obj = route.make(world)
    records = AuditRecord.objects.count()
    headers = {"HTTP_IF_MATCH": if_match} if if_match else {}
    answer = client_for(office_staff).generic(
        method,
        path.format(id=obj.pk),
        data=json.dumps(route.full_body(obj)),
        content_type=JSON,
        HTTP_ACCEPT_LANGUAGE="en",
        **headers,
    )
    assert answer.status_code == 428, answer.content
    assert "If-Match" in answer.json()["detail"] and "version" in answer.json()["detail"]
    _unchanged(route, obj, records)


@pytest.mark.parametrize("path", sorted(VERSIONED))
def test_with_if_match_or_version_the_same_change_goes_through(
    world, office_staff, client_for, path
):
    route = VERSIONED[path]
    obj, client = route.make(world), client_for(office_staff)
    url, read = path.format(id=obj.pk), obj.version
    by_header = client.generic(
        route.methods[0],  # PUT where there is one
        url,
        json.dumps(route.full_body(obj)),
        content_type=JSON,
        HTTP_IF_MATCH=f'"{read}"',
    )
    by_body = client.patch(url, {route.text: "再改一次", "version": read + 1}, content_type=JSON)
    assert (by_header.status_code, by_body.status_code) == (200, 200), (
        by_header.content,
        by_body.content,
    )
    assert (by_header["ETag"], by_body["ETag"]) == (f'"{read + 1}"', f'"{read + 2}"')
    assert by_body.json()["version"] == read + 2
    assert getattr(route.model.objects.get(pk=obj.pk), route.text) == "再改一次"


@pytest.mark.parametrize("path", sorted(VERSIONED))
def test_if_match_and_a_different_version_in_the_body_are_refused(
    world, office_staff, client_for, path
):
    route = VERSIONED[path]
    obj = route.make(world)
    records = AuditRecord.objects.count()
    answer = client_for(office_staff).patch(
        path.format(id=obj.pk),
        {route.text: "改", "version": obj.version + 1},
        content_type=JSON,
        HTTP_IF_MATCH=f'"{obj.version}"',
    )
    assert answer.status_code == 400 and "version" in answer.json()
    _unchanged(route, obj, records)


@pytest.mark.parametrize("path", sorted(VERSIONED))
def test_the_answer_to_a_change_and_its_etag_are_one_read(world, office_staff, client_for, path):
    """The answer is read in the transaction of the change, under its row lock: its
    body is the version written and its ETag names that version, so a client that
    writes back what it was answered cannot skip a change made meanwhile; a stale
    If-Match is refused (412) and changes nothing."""
    route = VERSIONED[path]
    obj, client = route.make(world), client_for(office_staff)
    url = path.format(id=obj.pk)
    read = client.get(url)
    assert read["ETag"] == f'"{read.json()["version"]}"' == f'"{obj.version}"'
    written = client.patch(url, {route.text: "改过"}, content_type=JSON, HTTP_IF_MATCH=read["ETag"])
    assert written.status_code == 200, written.content
    assert written.json()[route.text] == "改过"
    assert written["ETag"] == f'"{written.json()["version"]}"' == f'"{obj.version + 1}"'
    obj = route.model.objects.get(pk=obj.pk)
    records = AuditRecord.objects.count()
    stale = client.patch(url, {route.text: "又改"}, content_type=JSON, HTTP_IF_MATCH=read["ETag"])
    assert stale.status_code == 412
    _unchanged(route, obj, records)
    again = client.patch(
        url, {route.text: "又改"}, content_type=JSON, HTTP_IF_MATCH=written["ETag"]
    )
    assert again.status_code == 200
    assert again["ETag"] == f'"{obj.version + 1}"'
    assert getattr(route.model.objects.get(pk=obj.pk), route.text) == "又改"
