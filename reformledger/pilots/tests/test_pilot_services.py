"""A pilot's life through its services: each act moves it one step and writes its audit
record; an act in the wrong state is refused (409) and changes nothing; a refused value
is named by its field."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import override

from reformledger.audit.models import AuditRecord
from reformledger.core.clock import business_today
from reformledger.core.exceptions import ConflictError, StaleVersionError
from reformledger.notifications.models import Notification
from reformledger.pilots import services
from reformledger.pilots.models import Acceptance, MidTermReview, Pilot, PilotFile, SubProject
from tests.files import PDF

D = dt.date


def register(world, by, **extra) -> Pilot:
    fields = {
        "office": world.office,
        "by": by,
        "code": "SD-01",
        "name": "表格化捆绑式绩效考核改革试点",
        "level": "municipal",
        "granting_body": "惠州市委改革办",
        "host_unit": world.huiyang,
        "start": D(2016, 3, 1),
        "end": D(2017, 12, 31),
        "goals": "建立表格化捆绑式绩效考核体系",
        "brand": "表格化捆绑式绩效考核",
        "tasks": [world.task_huiyang],
        "helping_units": [world.fgj],
    }
    fields.update(extra)
    return services.pilot_register(**fields)


def verbs(pilot) -> list[str]:
    return list(
        AuditRecord.objects.filter(ctx_type="pilots.pilot", ctx_id=str(pilot.pk))
        .order_by("id")
        .values_list("verb", flat=True)
    )


def to_acceptance(pilot, by) -> Pilot:
    pilot = services.pilot_approve(
        pilot=pilot, by=by, approval_no="惠市改〔2016〕3号", approved_on=D(2016, 3, 10)
    )
    pilot = services.pilot_start(pilot=pilot, by=by)
    pilot = services.pilot_open_mid_term(pilot=pilot, by=by)
    services.pilot_review(
        pilot=pilot, by=by, reviewed_on=D(2016, 9, 1), reviewer="省改革办", findings="进展良好"
    )
    return services.pilot_open_acceptance(pilot=pilot, by=by)


def test_a_pilot_goes_from_applied_to_concluded_each_step_recorded(
    world, office_staff, huiyang_liaison
):
    pilot = register(world, office_staff)
    assert pilot.status == "applied" and pilot.version == 1
    assert list(pilot.tasks.all()) == [world.task_huiyang]
    pilot = services.pilot_approve(
        pilot=pilot, by=office_staff, approval_no="惠市改〔2016〕3号", approved_on=D(2016, 3, 10)
    )
    assert (pilot.status, pilot.approval_no) == ("approved", "惠市改〔2016〕3号")
    # The host unit's liaison is told of the approval.
    assert Notification.objects.filter(
        recipient=huiyang_liaison, key=f"pilot:{pilot.pk}:approved"
    ).exists()
    pilot = services.pilot_start(pilot=pilot, by=office_staff, note="印发实施方案")
    assert pilot.status == "under_way"
    pilot = services.pilot_open_mid_term(pilot=pilot, by=office_staff)
    assert pilot.status == "mid_term"
    review = services.pilot_review(
        pilot=pilot,
        by=office_staff,
        reviewed_on=D(2016, 9, 1),
        reviewer="省改革办评估组",
        findings="考核体系基本建立",
        files=[SimpleUploadedFile("中期评估.pdf", PDF, "application/pdf")],
    )
    assert review.files.get().original_name == "中期评估.pdf"
    pilot = services.pilot_open_acceptance(pilot=pilot, by=office_staff)
    assert pilot.status == "acceptance"
    acceptance = services.pilot_record_acceptance(
        pilot=pilot,
        by=office_staff,
        accepting_body="省委改革办",
        accepted_on=D(2016, 12, 20),
        result="passed",
        score=Decimal("95.5"),
        rank_text="同批次第一，东部地区第三",
        group_rank=1,
        region="东部地区",
        region_rank=3,
    )
    assert Acceptance.objects.get(pilot=pilot) == acceptance
    pilot = services.pilot_conclude(pilot=pilot, by=office_staff, experience="以表格化考核倒逼落实")
    assert (pilot.status, pilot.experience) == ("concluded", "以表格化考核倒逼落实")
    assert verbs(pilot) == [
        "pilot.registered",
        "pilot.approved",
        "pilot.started",
        "pilot.mid_term_opened",
        "pilot.reviewed",
        "pilot.acceptance_opened",
        "pilot.accepted",
        "pilot.concluded",
    ]
    started = AuditRecord.objects.get(verb="pilot.started")
    # The act carries the ledger's date beside its change (the record's time is real).
    assert started.changes == {
        "status": ["approved", "under_way"],
        "acted_on": business_today().isoformat(),
    }
    assert started.reason == "印发实施方案"


@pytest.mark.parametrize(
    "act",
    ["start", "open_mid_term", "review", "open_acceptance", "record_acceptance", "conclude"],
)
def test_an_act_on_an_applied_pilot_is_refused_as_a_conflict(world, office_staff, act):
    pilot = register(world, office_staff)
    calls = {
        "start": lambda: services.pilot_start(pilot=pilot, by=office_staff),
        "open_mid_term": lambda: services.pilot_open_mid_term(pilot=pilot, by=office_staff),
        "review": lambda: services.pilot_review(
            pilot=pilot, by=office_staff, reviewed_on=D(2016, 9, 1), reviewer="x", findings="y"
        ),
        "open_acceptance": lambda: services.pilot_open_acceptance(pilot=pilot, by=office_staff),
        "record_acceptance": lambda: services.pilot_record_acceptance(
            pilot=pilot,
            by=office_staff,
            accepting_body="省委改革办",
            accepted_on=D(2016, 12, 1),
            result="passed",
        ),
        "conclude": lambda: services.pilot_conclude(pilot=pilot, by=office_staff, experience="x"),
    }
    with pytest.raises(ConflictError):
        calls[act]()
    pilot.refresh_from_db()
    assert (pilot.status, pilot.version) == ("applied", 1)
    assert verbs(pilot) == ["pilot.registered"]
    assert not MidTermReview.objects.exists() and not Acceptance.objects.exists()


def test_approving_twice_is_a_conflict_and_the_first_approval_stands(world, office_staff):
    pilot = register(world, office_staff)
    services.pilot_approve(
        pilot=pilot, by=office_staff, approval_no="A-1", approved_on=D(2016, 3, 1)
    )
    with pytest.raises(ConflictError):
        services.pilot_approve(
            pilot=pilot, by=office_staff, approval_no="A-2", approved_on=D(2016, 3, 2)
        )
    pilot.refresh_from_db()
    assert pilot.approval_no == "A-1"


def test_acceptance_is_recorded_once_and_a_failed_one_cannot_conclude(world, office_staff):
    pilot = to_acceptance(register(world, office_staff), office_staff)
    services.pilot_record_acceptance(
        pilot=pilot,
        by=office_staff,
        accepting_body="省委改革办",
        accepted_on=D(2016, 12, 1),
        result="failed",
    )
    with pytest.raises(ConflictError):
        services.pilot_record_acceptance(
            pilot=pilot,
            by=office_staff,
            accepting_body="省委改革办",
            accepted_on=D(2016, 12, 2),
            result="passed",
        )
    with override("en"), pytest.raises(ConflictError, match="failed"):
        services.pilot_conclude(pilot=pilot, by=office_staff, experience="经验")
    assert Pilot.objects.get(pk=pilot.pk).status == "acceptance"
    pilot = services.pilot_end(pilot=pilot, by=office_staff, reason="验收未通过")
    assert (pilot.status, pilot.ended_reason) == ("ended", "验收未通过")


def test_a_conditional_pass_names_its_conditions(world, office_staff):
    pilot = to_acceptance(register(world, office_staff), office_staff)
    with pytest.raises(ValidationError) as refused:
        services.pilot_record_acceptance(
            pilot=pilot,
            by=office_staff,
            accepting_body="省委改革办",
            accepted_on=D(2016, 12, 1),
            result="conditional",
        )
    assert "conditions" in refused.value.message_dict
    assert not Acceptance.objects.exists()


def test_concluding_before_the_acceptance_is_recorded_is_refused(world, office_staff):
    pilot = to_acceptance(register(world, office_staff), office_staff)
    with pytest.raises(ConflictError):
        services.pilot_conclude(pilot=pilot, by=office_staff, experience="经验")


def test_ending_needs_a_reason_and_an_ended_pilot_stays_ended(world, office_staff):
    pilot = register(world, office_staff)
    with pytest.raises(ValidationError) as refused:
        services.pilot_end(pilot=pilot, by=office_staff, reason="  ")
    assert "reason" in refused.value.message_dict
    services.pilot_end(pilot=pilot, by=office_staff, reason="上级撤销试点")
    with pytest.raises(ConflictError):
        services.pilot_end(pilot=pilot, by=office_staff, reason="again")
    with pytest.raises(ConflictError):
        services.pilot_update(pilot=pilot, by=office_staff, name="新名称")
    assert verbs(pilot) == ["pilot.registered", "pilot.ended"]


def test_registering_refuses_a_task_of_another_ledger_and_bad_dates(world, office_staff):
    from reformledger.orgs import services as orgs

    other = orgs.unit_create(
        by=None, code="HY-GGB", name="惠阳区改革办", kind="office", parent=world.huiyang
    )
    foreign = world.task_boluo
    foreign.office = other
    foreign.save(update_fields=["office"])
    with pytest.raises(ValidationError) as refused:
        register(world, office_staff, tasks=[foreign], end=D(2015, 1, 1))
    errors = refused.value.message_dict
    assert foreign.code in errors["tasks"][0]
    assert "end" in errors
    assert not Pilot.objects.exists()


def test_a_code_is_used_once_per_office(world, office_staff):
    register(world, office_staff)
    with pytest.raises(ValidationError) as refused:
        register(world, office_staff, name="另一个")
    assert "code" in refused.value.message_dict


def test_a_brand_belongs_to_a_municipal_pilot(world, office_staff):
    with pytest.raises(ValidationError) as refused:
        register(world, office_staff, level="national")
    assert "brand" in refused.value.message_dict


def test_update_compares_the_version_read_and_records_old_and_new(world, office_staff):
    pilot = register(world, office_staff)
    pilot = services.pilot_update(
        pilot=pilot, by=office_staff, version=1, name="新名称", helping_units=[world.boluo]
    )
    assert (pilot.name, pilot.version) == ("新名称", 2)
    assert list(pilot.helping_units.all()) == [world.boluo]
    record = AuditRecord.objects.get(verb="pilot.updated")
    assert record.changes["name"] == ["表格化捆绑式绩效考核改革试点", "新名称"]
    assert record.changes["helping_units"] == [["市发展改革局"], ["博罗县"]]
    with pytest.raises(StaleVersionError):
        services.pilot_update(pilot=pilot, by=office_staff, version=1, name="旧的读")
    assert Pilot.objects.get(pk=pilot.pk).name == "新名称"


def test_an_update_changing_nothing_keeps_the_version_and_writes_no_record(world, office_staff):
    pilot = register(world, office_staff)
    pilot = services.pilot_update(pilot=pilot, by=office_staff, name=pilot.name)
    assert Pilot.objects.get(pk=pilot.pk).version == 1
    assert not AuditRecord.objects.filter(verb="pilot.updated").exists()


def test_files_are_checked_like_all_evidence(world, office_staff, huiyang_liaison):
    pilot = register(world, office_staff)
    stored = services.pilot_attach(
        pilot=pilot,
        by=huiyang_liaison,
        kind="summary",
        upload=SimpleUploadedFile("经验总结.pdf", PDF, "application/pdf"),
    )
    assert (stored.original_name, stored.kind, stored.uploaded_by) == (
        "经验总结.pdf",
        "summary",
        huiyang_liaison,
    )
    assert "pilot.file_added" in verbs(pilot)
    with pytest.raises(ValidationError) as refused:
        services.pilot_attach(
            pilot=pilot,
            by=huiyang_liaison,
            kind="other",
            upload=SimpleUploadedFile("run.exe", b"MZ\x90\x00", "application/octet-stream"),
        )
    assert "file" in refused.value.message_dict
    assert PilotFile.objects.count() == 1


def test_sub_projects_are_added_and_changed_with_their_version(
    world, office_staff, huiyang_liaison
):
    pilot = register(world, office_staff)
    sub = services.sub_project_create(
        pilot=pilot,
        by=huiyang_liaison,
        code="ZX-01",
        name="淡水河治理",
        host_unit=world.huiyang_town,
        planned_investment=Decimal("1200"),
    )
    assert sub.planned_investment == Decimal("1200.00")
    sub = services.sub_project_update(
        sub_project=sub, by=huiyang_liaison, version=1, planned_investment=Decimal("1500")
    )
    assert sub.version == 2
    record = AuditRecord.objects.get(verb="sub_project.updated")
    assert record.changes == {"planned_investment": ["1200.00", "1500.00"]}
    assert record.ctx_id == str(pilot.pk)
    with pytest.raises(StaleVersionError):
        services.sub_project_update(sub_project=sub, by=huiyang_liaison, version=1, name="x")
    with pytest.raises(ValidationError) as refused:
        services.sub_project_create(
            pilot=pilot,
            by=office_staff,
            code="ZX-01",
            name="重复",
            host_unit=world.huiyang,
            planned_investment=Decimal("-1"),
        )
    assert set(refused.value.message_dict) == {"code", "planned_investment"}
    assert SubProject.objects.count() == 1


def test_another_county_may_not_add_a_sub_project(world, office_staff, boluo_liaison):
    pilot = register(world, office_staff)
    with pytest.raises(PermissionDenied):
        services.sub_project_create(
            pilot=pilot,
            by=boluo_liaison,
            code="ZX-02",
            name="x",
            host_unit=world.boluo,
            planned_investment=Decimal("1"),
        )
    assert not SubProject.objects.exists()
