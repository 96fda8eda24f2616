"""Bad input on the pages: the error shows on the field, and nothing is written."""

import pytest
from django.urls import reverse

from reformledger.audit.models import AuditRecord
from reformledger.ledger.models import Milestone, Plan, Task


def _task_post(world, **over):
    data = {
        "year": "2016",
        "code": "2016-099",
        "title": "新增改革任务",
        "description": "",
        "area": world.economy.pk,
        "source": "own",
        "lead_unit": world.huiyang.pk,
        "deliverable_kind": "policy",
        "start_date": "2016-02-01",
        "deadline": "2016-11-30",
    }
    data.update(over)
    return {k: v for k, v in data.items() if v is not None}


def _counts():
    return (
        Task.objects.count(),
        Plan.objects.count(),
        Milestone.objects.count(),
        AuditRecord.objects.count(),
    )


def test_office_creates_a_task_from_the_form(world, office_staff, client_for):
    before = AuditRecord.objects.count()
    response = client_for(office_staff).post(reverse("ledger:task_create"), _task_post(world))
    task = Task.objects.get(code="2016-099")
    assert response.status_code == 302
    assert response["Location"] == reverse("ledger:task", args=[task.pk])
    assert task.lead_unit == world.huiyang and task.year == 2016
    assert AuditRecord.objects.count() == before + 1


@pytest.mark.parametrize(
    ("over", "field", "words"),
    [
        ({"code": "2016-001"}, "code", "2016-001"),
        ({"deadline": "2016-01-15"}, "deadline", ""),
        ({"lead_unit": "999999"}, "lead_unit", ""),
        ({"title": ""}, "title", ""),
        ({"start_date": "2016-13-45"}, "start_date", ""),
    ],
    ids=["duplicate-code", "deadline-before-start", "unknown-unit", "no-title", "bad-date"],
)
def test_bad_task_input_is_named_on_its_field_and_writes_nothing(
    world, office_staff, client_for, over, field, words
):
    before = _counts()
    response = client_for(office_staff).post(
        reverse("ledger:task_create"), _task_post(world, **over)
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors, errors
    assert words in " ".join(errors[field])
    assert f'data-field="{field}"' in response.content.decode()
    assert _counts() == before


def test_a_merged_unit_cannot_lead_a_new_task(world, office_staff, client_for):
    from reformledger.orgs import services as orgs

    orgs.unit_merge(by=None, unit=world.boluo, into=world.huiyang, reason="区划调整")
    before = _counts()
    response = client_for(office_staff).post(
        reverse("ledger:task_create"), _task_post(world, lead_unit=world.boluo.pk)
    )
    assert "lead_unit" in response.context["form"].errors
    assert _counts() == before


def _plan_post(rows, submit=False):
    data = {
        "summary": "分三步推进",
        "m-TOTAL_FORMS": str(len(rows)),
        "m-INITIAL_FORMS": "0",
        "m-MIN_NUM_FORMS": "0",
        "m-MAX_NUM_FORMS": "1000",
    }
    for i, (title, date, weight) in enumerate(rows):
        data.update({f"m-{i}-title": title, f"m-{i}-planned_date": date, f"m-{i}-weight": weight})
    if submit:
        data["submit"] = "1"
    return data


def test_liaison_writes_and_submits_a_plan(world, boluo_liaison, client_for):
    url = reverse("ledger:plan_edit", args=[world.task_boluo.pk])
    response = client_for(boluo_liaison).post(
        url, _plan_post([("出台方案", "2016-05-31", "30"), ("全面实施", "2016-11-30", "70")], True)
    )
    assert response.status_code == 302
    plan = Plan.objects.get(task=world.task_boluo)
    assert plan.status == "submitted"
    assert [m.weight for m in plan.milestones.order_by("order")] == [30, 70]


def test_milestone_after_the_deadline_is_named_on_its_row(world, boluo_liaison, client_for):
    before = _counts()
    response = client_for(boluo_liaison).post(
        reverse("ledger:plan_edit", args=[world.task_boluo.pk]),
        _plan_post([("出台方案", "2016-05-31", "30"), ("全面实施", "2017-03-01", "70")]),
    )
    assert response.status_code == 200
    formset = response.context["formset"]
    assert "planned_date" in formset.forms[1].errors
    assert "2016-12-31" in formset.forms[1].errors["planned_date"][0]
    assert _counts() == before


def test_weights_not_adding_up_to_100_are_refused(world, boluo_liaison, client_for):
    before = _counts()
    response = client_for(boluo_liaison).post(
        reverse("ledger:plan_edit", args=[world.task_boluo.pk]),
        _plan_post([("出台方案", "2016-05-31", "30"), ("全面实施", "2016-11-30", "60")]),
    )
    assert response.status_code == 200
    assert "90" in " ".join(response.context["formset"].non_form_errors())
    assert _counts() == before


def test_approving_a_plan_twice_from_two_tabs_approves_once(
    world, boluo_liaison, director, client_for
):
    client_for(boluo_liaison).post(
        reverse("ledger:plan_edit", args=[world.task_boluo.pk]),
        _plan_post([("出台方案", "2016-05-31", "30"), ("全面实施", "2016-11-30", "70")], True),
    )
    plan = Plan.objects.get(task=world.task_boluo)
    url = reverse("ledger:plan_approve", args=[world.task_boluo.pk, plan.pk])
    tab1, tab2 = client_for(director), client_for(director)
    tab1.post(url, {"note": "同意"})
    second = tab2.post(url, {"note": "同意"}, follow=True)
    assert Plan.objects.get(pk=plan.pk).status == "approved"
    assert AuditRecord.objects.filter(verb="plan.approved", obj_id=str(plan.pk)).count() == 1
    shown = [str(m) for m in second.context["messages"]]
    assert any("approved" in m.lower() or "已批准" in m for m in shown), shown


def test_a_stale_edit_form_is_a_conflict_and_changes_nothing(world, office_staff, client_for):
    client = client_for(office_staff)
    url = reverse("ledger:task_edit", args=[world.task_boluo.pk])
    read_version = world.task_boluo.version
    first = _task_post(
        world, code="2016-003", title="项目审批制度改革（修订）", version=read_version
    )
    first["lead_unit"] = world.boluo.pk
    assert client.post(url, first).status_code == 302
    second = dict(first, title="另一个标题")
    response = client.post(url, second)
    assert response.status_code == 200
    assert "已被他人修改" in " ".join(response.context["form"].non_field_errors())
    assert Task.objects.get(pk=world.task_boluo.pk).title == "项目审批制度改革（修订）"


def test_revising_an_approved_plan_needs_a_reason_and_keeps_the_old_one(
    world, huiyang_liaison, office_staff, client_for
):
    task = world.task_huiyang
    client = client_for(huiyang_liaison)
    refused = client.post(reverse("ledger:plan_revise", args=[task.pk]), {"reason": ""})
    assert refused.status_code == 302
    assert Plan.objects.filter(task=task).count() == 1
    client.post(reverse("ledger:plan_revise", args=[task.pk]), {"reason": "省里调整了时间表"})
    draft = Plan.objects.get(task=task, revision=2)
    assert draft.status == "draft" and draft.reason == "省里调整了时间表"
    page = client_for(office_staff).get(reverse("ledger:task", args=[task.pk]))
    assert "省里调整了时间表" in page.content.decode()
