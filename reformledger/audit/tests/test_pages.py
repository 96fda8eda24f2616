"""The auditor's pages: only the auditor opens them; search, filters, newest first, paged,
a fixed number of queries; one record with its hashes; the chain verified on a button;
the filtered trail as Excel, the export itself recorded."""

import datetime as dt
import io
import re

import openpyxl
import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from reformledger.audit import permissions
from reformledger.audit import services as audit
from reformledger.audit.models import AuditRecord, Outcome
from reformledger.audit.tests.conftest import a_middle_record, behind_the_back
from reformledger.audit.verbs import VERBS
from reformledger.orgs import services as orgs
from reformledger.orgs.choices import Role
from tests.factories import UserFactory

TRAIL = reverse("audit:trail")


def shown_ids(response) -> list[int]:
    return [int(i) for i in re.findall(r'data-testid="trail-row" data-id="(\d+)"', response.text)]


@pytest.fixture
def security_admin(world):
    user = UserFactory(username="secadmin", full_name="钱安全")
    orgs.membership_grant(by=None, user=user, unit=world.city, role=Role.SECURITY_ADMIN)
    return user


@pytest.mark.parametrize(
    "persona",
    [
        "office_staff",
        "director",
        "huiyang_liaison",
        "huiyang_head",
        "city_leader",
        "evaluator",
        "sysadmin",
        "security_admin",
        "outsider",
    ],
)
def test_everyone_but_the_auditor_is_refused_every_audit_page(request, client_for, persona):
    client = client_for(request.getfixturevalue(persona))
    some = AuditRecord.objects.order_by("id").first()

    for url in (
        TRAIL,
        reverse("audit:record", args=[some.pk]),
        reverse("audit:verify"),
        reverse("audit:trail_xlsx"),
    ):
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("audit:verify")).status_code == 403
    assert not AuditRecord.objects.filter(verb__in=["audit.verified", "audit.exported"]).exists()


def test_the_auditor_sees_the_trail_newest_first_with_a_nav_link(world, auditor, client_for):
    response = client_for(auditor).get(TRAIL)

    assert response.status_code == 200
    ids = shown_ids(response)
    assert ids == sorted(ids, reverse=True)
    assert ids[0] == AuditRecord.objects.order_by("-id").first().pk
    assert 'data-testid="audit-nav"' in response.text


def test_the_nav_link_is_the_auditors_alone(world, office_staff, sysadmin, client_for):
    for user in (office_staff, sysadmin):
        page = client_for(user).get(reverse("ledger:my_work"))
        assert 'data-testid="audit-nav"' not in page.text


def test_the_trail_is_paged(world, auditor, client_for):
    for n in range(60):
        audit.record(actor=None, verb="demo.generated", reason=f"row {n}")
    client = client_for(auditor)

    first, second = client.get(TRAIL), client.get(TRAIL, {"page": 2})

    assert len(shown_ids(first)) == 50
    assert shown_ids(second) and max(shown_ids(second)) < min(shown_ids(first))


def test_search_finds_user_object_and_reason(world, office_staff, auditor, client_for):
    audit.record(actor=office_staff, verb="task.updated", obj=world.task_boluo, reason="补充依据")
    client = client_for(auditor)

    by_reason = shown_ids(client.get(TRAIL, {"q": "补充依据"}))
    by_object = shown_ids(client.get(TRAIL, {"q": "项目审批"}))
    by_name = shown_ids(client.get(TRAIL, {"q": "林文秀"}))

    assert len(by_reason) == 1
    assert by_reason[0] in by_object
    # Every act of 林文秀's, and acts on her account (her role was granted by the system).
    assert set(by_name) >= set(
        AuditRecord.objects.filter(actor=office_staff).values_list("id", flat=True)
    )
    assert AuditRecord.objects.get(pk=min(by_name)).verb == "membership.granted"


def test_filters_by_user_act_outcome_and_object_type(world, huiyang_liaison, auditor, client_for):
    client = client_for(auditor)
    client_for(huiyang_liaison).get(reverse("ledger:task_create"))  # refused: one record

    denied = shown_ids(client.get(TRAIL, {"outcome": Outcome.DENIED}))
    by_user = shown_ids(client.get(TRAIL, {"user": "huiyang"}))
    by_verb = shown_ids(client.get(TRAIL, {"verb": "access.denied"}))
    by_kind = shown_ids(client.get(TRAIL, {"verb": "plan."}))
    tasks = shown_ids(client.get(TRAIL, {"obj_type": "ledger.task", "verb": "task.created"}))

    refusal = AuditRecord.objects.get(verb="access.denied")
    assert denied == by_verb == [refusal.pk]
    assert refusal.pk in by_user
    assert set(by_user) == set(
        AuditRecord.objects.filter(actor_label="huiyang").values_list("id", flat=True)
    )
    assert {AuditRecord.objects.get(pk=i).verb.split(".")[0] for i in by_kind} == {"plan"}
    assert len(tasks) == 4


def test_filter_by_time_range(world, auditor, client_for):
    now = timezone.localtime()
    client = client_for(auditor)
    fmt = "%Y-%m-%dT%H:%M"

    future = client.get(TRAIL, {"since": (now + dt.timedelta(hours=1)).strftime(fmt)})
    around = client.get(
        TRAIL,
        {
            "since": (now - dt.timedelta(hours=1)).strftime(fmt),
            "until": (now + dt.timedelta(hours=1)).strftime(fmt),
        },
    )
    backwards = client.get(
        TRAIL, {"since": now.strftime(fmt), "until": (now - dt.timedelta(days=1)).strftime(fmt)}
    )

    assert shown_ids(future) == []
    assert len(shown_ids(around)) == min(50, AuditRecord.objects.count())
    assert "until" in backwards.context["filter"].errors


def test_the_trail_runs_the_same_queries_for_10_and_200_records(world, auditor, client_for):
    client = client_for(auditor)
    client.get(TRAIL)  # the session's first request settles its own rows

    def queries(params) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(TRAIL, params).status_code == 200
        return len(ctx.captured_queries)

    for _n in range(10):
        audit.record(actor=world.office_staff, verb="task.updated", obj=world.task_boluo)
    small = queries({}), queries({"q": "项目"})
    for _n in range(190):
        audit.record(actor=world.office_staff, verb="task.updated", obj=world.task_boluo)
    large = queries({}), queries({"q": "项目"})

    assert small == large


def test_the_trail_page_stays_within_its_query_budget(
    world, auditor, client_for, django_assert_max_num_queries
):
    """Session, user, second factor, roles, then the count and the page of records
    (each with its user, joined), and the navbar's notice count."""
    client = client_for(auditor)
    client.get(TRAIL)

    with django_assert_max_num_queries(10):
        response = client.get(TRAIL, {"q": "改革", "outcome": "success"})
    assert shown_ids(response)


def test_a_record_shows_its_changes_hashes_and_utc_time(world, office_staff, auditor, client_for):
    rec = audit.record(
        actor=office_staff,
        verb="task.updated",
        obj=world.task_boluo,
        changes={"title": ["旧标题", "新标题"]},
        reason="按会议纪要修改",
        address="10.9.8.7",
    )

    page = client_for(auditor).get(reverse("audit:record", args=[rec.pk])).text

    assert "旧标题" in page and "新标题" in page and "按会议纪要修改" in page
    assert rec.hash in page and rec.prev_hash in page and "10.9.8.7" in page
    assert rec.at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S") in page
    assert timezone.localtime(rec.at).strftime("%Y-%m-%d %H:%M:%S") in page
    assert 'data-testid="holds">' in page and "text-bg-success" in page


def test_an_altered_record_shows_that_its_hash_does_not_hold(world, auditor, client_for):
    victim = a_middle_record()
    behind_the_back("UPDATE {table} SET reason = %s WHERE id = %s", ["改过", victim.pk])

    page = client_for(auditor).get(reverse("audit:record", args=[victim.pk])).text

    assert re.search(r'text-bg-danger" data-testid="holds"', page)


def test_the_verify_button_reports_an_intact_chain_and_is_recorded(world, auditor, client_for):
    client = client_for(auditor)
    count = AuditRecord.objects.count()

    before = client.get(reverse("audit:verify"))
    response = client.post(reverse("audit:verify"))

    assert 'data-testid="verify-form"' in before.text
    assert 'data-intact="1"' in response.text
    assert f"{count}" in response.text
    rec = AuditRecord.objects.get(verb="audit.verified")
    assert rec.actor == auditor and rec.outcome == Outcome.SUCCESS


def test_the_verify_button_names_the_broken_record(world, auditor, client_for):
    victim = a_middle_record()
    behind_the_back("UPDATE {table} SET obj_repr = %s WHERE id = %s", ["伪造", victim.pk])

    response = client_for(auditor).post(reverse("audit:verify"))

    assert 'data-intact="0"' in response.text
    assert f"#{victim.pk}" in response.text
    assert reverse("audit:record", args=[victim.pk]) in response.text
    rec = AuditRecord.objects.get(verb="audit.verified")
    assert rec.outcome == Outcome.FAILURE and rec.changes["broken"] == [None, victim.pk]


def test_the_export_holds_the_filtered_trail_and_is_recorded(world, auditor, client_for):
    client = client_for(auditor)
    wanted = AuditRecord.objects.filter(verb="task.created").count()

    response = client.get(reverse("audit:trail_xlsx"), {"verb": "task.created"})

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert len(rows) == wanted
    assert all(row[13] == "task.created" for row in rows)
    assert all(row[6] == str(VERBS["task.created"]) for row in rows)
    rec = AuditRecord.objects.get(verb="audit.exported")
    assert rec.actor == auditor
    assert rec.changes["rows"] == [None, wanted]
    assert rec.changes["filters"] == [None, {"verb": "task.created"}]


def test_formula_text_is_exported_as_text(world, auditor, client_for):
    audit.record(actor=None, verb="demo.generated", reason='=HYPERLINK("http://x")')

    response = client_for(auditor).get(reverse("audit:trail_xlsx"), {"verb": "demo.generated"})

    cell = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]["L3"]
    assert cell.data_type == "s" and cell.value.startswith("=")


def test_the_pages_carry_no_inline_script_or_style(world, auditor, client_for):
    client = client_for(auditor)
    rec = AuditRecord.objects.order_by("id").first()

    for response in (
        client.get(TRAIL),
        client.get(reverse("audit:record", args=[rec.pk])),
        client.post(reverse("audit:verify")),
    ):
        html = response.text
        assert " style=" not in html
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)


def test_only_a_signed_in_auditor_reads_the_trail(auditor, sysadmin):
    assert permissions.can_read_trail(auditor)
    assert not permissions.can_read_trail(sysadmin)
    assert not permissions.can_read_trail(AnonymousUser())


def test_the_trail_asks_the_role_lookup_orgs_hands_over(auditor, monkeypatch):
    """Roles are orgs' (it loads after the trail): the trail reads whatever lookup orgs
    installed, and with one that knows no auditor, the trail is closed."""
    monkeypatch.setattr(permissions, "_holds_role", permissions._holds_role)  # restored after
    permissions.set_role_lookup(lambda user, role: False)
    assert not permissions.can_read_trail(auditor)
    permissions.set_role_lookup(lambda user, role: role == permissions.AUDITOR)
    assert permissions.can_read_trail(auditor)
