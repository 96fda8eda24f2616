"""Optimistic concurrency through the API (数据完整性: no lost update).

Many clients read a task, change it and write it back at once, each naming the version
it read (If-Match with the ETag, or `version` in the body): every write the API
acknowledges is in the final state, every other one was refused (409/412), and a write
that names no version is refused (428) before it can overwrite anything unseen."""

import json
import random
import threading
import time

import pytest
from django.db import connection
from drf_spectacular.generators import SchemaGenerator

from reformledger.api.testing import write_operations
from reformledger.audit.models import AuditRecord
from reformledger.ledger.models import Task

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

#: Each PUT/PATCH route of the API, and the object of the test world it changes. A new
#: route that changes an object is added here, and so answers 428 without a version.
VERSIONED = {"/api/v1/tasks/{id}/": lambda world: world.task_boluo}


def test_every_put_and_patch_route_changes_an_object_that_carries_a_version():
    routes = {op.path for op in write_operations() if op.method in ("PUT", "PATCH")}
    assert routes == set(VERSIONED)


def test_the_schema_documents_428_and_if_match_on_every_put_and_patch():
    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    changes = [(path, m) for path, ops in paths.items() for m in ("put", "patch") if m in ops]
    assert {path for path, _m in changes} == set(VERSIONED)
    for path, method in changes:
        operation = paths[path][method]
        answers = operation["responses"]
        assert {"409", "412", "428"} <= set(answers), (path, method)
        assert "If-Match" in answers["428"]["description"], (path, method)
        assert answers["428"]["content"]["application/json"], (path, method)
        headers = {p["name"] for p in operation["parameters"] if p["in"] == "header"}
        assert "If-Match" in headers, (path, method)


def _full_body(task: Task) -> dict:
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


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
@pytest.mark.parametrize("path", sorted(VERSIONED))
@pytest.mark.parametrize("if_match", [None, "*"])
def test_a_change_that_names_no_version_is_refused_with_428(
    world, office_staff, client_for, method, path, if_match
):
    task = VERSIONED[path](world)
    records = AuditRecord.objects.count()
    headers = {"HTTP_IF_MATCH": if_match} if if_match else {}
    answer = client_for(office_staff).generic(
        method,
        path.format(id=task.pk),
        data=json.dumps(_full_body(task)),
        content_type=JSON,
        HTTP_ACCEPT_LANGUAGE="en",
        **headers,
    )
    assert answer.status_code == 428
    assert "If-Match" in answer.json()["detail"] and "version" in answer.json()["detail"]
    assert Task.objects.get(pk=task.pk).version == task.version
    assert AuditRecord.objects.count() == records


def test_with_if_match_or_version_the_same_change_goes_through(world, office_staff, client_for):
    task, client = world.task_boluo, client_for(office_staff)
    url = f"/api/v1/tasks/{task.pk}/"
    by_header = client.put(url, _full_body(task), content_type=JSON, HTTP_IF_MATCH='"1"')
    by_body = client.patch(url, {"title": "再改一次", "version": 2}, content_type=JSON)
    assert (by_header.status_code, by_body.status_code) == (200, 200)
    assert (by_header["ETag"], by_body["ETag"]) == ('"2"', '"3"')
    assert by_body.json()["version"] == 3


def test_if_match_and_a_different_version_in_the_body_are_refused(world, office_staff, client_for):
    task = world.task_boluo
    answer = client_for(office_staff).patch(
        f"/api/v1/tasks/{task.pk}/",
        {"title": "改", "version": task.version + 1},
        content_type=JSON,
        HTTP_IF_MATCH=f'"{task.version}"',
    )
    assert answer.status_code == 400 and "version" in answer.json()
    assert Task.objects.get(pk=task.pk).version == task.version


def test_the_answer_to_a_change_and_its_etag_are_one_read(world, office_staff, client_for):
    """The answer is read in the transaction of the change, under its row lock: its
    body is the version written and its ETag names that version, so a client that
    writes back what it was answered cannot skip a change made meanwhile."""
    task, client = world.task_boluo, client_for(office_staff)
    url = f"/api/v1/tasks/{task.pk}/"
    read = client.get(url)
    assert read["ETag"] == f'"{read.json()["version"]}"'
    written = client.patch(url, {"title": "改过"}, content_type=JSON, HTTP_IF_MATCH=read["ETag"])
    assert written.json()["title"] == "改过"
    assert written["ETag"] == f'"{written.json()["version"]}"' == f'"{task.version + 1}"'
    stale = client.patch(url, {"title": "又改"}, content_type=JSON, HTTP_IF_MATCH=read["ETag"])
    assert stale.status_code == 412
    again = client.patch(url, {"title": "又改"}, content_type=JSON, HTTP_IF_MATCH=written["ETag"])
    assert again.status_code == 200
