"""Grassroots innovations (基层创新) through the services: each act changes what it says,
refuses what it must (a wrong state as a conflict that changes nothing), tells whom it
must, and leaves its audit record."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import override

from reformledger.audit.models import AuditRecord
from reformledger.core.exceptions import ConflictError, StaleVersionError
from reformledger.notifications.models import Notification
from reformledger.orgs import services as orgs
from reformledger.orgs.choices import Role, UnitKind
from reformledger.pilots.choices import InnovationStatus
from reformledger.pilots.models import Adoption, Innovation, InnovationFile, Pilot
from reformledger.pilots.selectors import innovations as selectors
from reformledger.pilots.services import innovations as services
from tests.factories import UserFactory
from tests.files import PDF

ADOPTED_ON = dt.date(2016, 9, 1)


def pdf(name: str = "成效报告.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def propose(world, by, unit=None, **extra) -> Innovation:
    fields = {
        "office": world.office,
        "unit": unit or world.huiyang,
        "by": by,
        "year": 2016,
        "title": "表格化捆绑式绩效考核",
        "problem": "考核指标多、重复填报",
        "actions": "一张表格统筹考核",
        "results": "填报工作量减少一半",
    } | extra
    return services.innovation_propose(**fields)


def municipal_pilot(world, by, level: str = "municipal") -> Pilot:
    return Pilot.objects.create(
        office=world.office,
        code=f"M-{level}",
        name="惠阳品牌试点",
        level=level,
        granting_body="市委全面深化改革领导小组",
        host_unit=world.huiyang,
        start=dt.date(2016, 1, 1),
        end=dt.date(2017, 12, 31),
        goals="形成可复制经验",
        created_by=by,
    )


def verbs(innovation) -> list[str]:
    return list(selectors.innovation_history(innovation).values_list("verb", flat=True))


def told(key_part: str) -> set[str]:
    rows = Notification.objects.filter(key__contains=key_part)
    return set(rows.values_list("recipient__username", flat=True))


# --- the whole way ---------------------------------------------------------------------


def test_an_innovation_is_proposed_accepted_declared_and_adopted_by_two_units(
    world, office_staff, director, huiyang_liaison, huiyang_head, boluo_liaison, fgj_liaison
):
    innovation = propose(world, huiyang_liaison, files=[pdf()])
    assert innovation.status == InnovationStatus.PROPOSED
    assert innovation.files.get().original_name == "成效报告.pdf"
    # The office's staff are told of the proposal (not its leaders, not the unit).
    assert told(f"innovation:{innovation.pk}:proposed") == {"office"}

    pilot = municipal_pilot(world, office_staff)
    innovation = services.innovation_accept(
        innovation=innovation,
        by=director,
        reason="经验可推广",
        pilot=pilot,
        task=world.task_huiyang,
    )
    assert (innovation.status, innovation.pilot, innovation.task) == (
        InnovationStatus.ACCEPTED,
        pilot,
        world.task_huiyang,
    )
    assert innovation.decided_by == director and innovation.decided_at is not None
    assert told(f"innovation:{innovation.pk}:accepted") == {"huiyang", "huiyang_head"}

    innovation = services.innovation_declare(
        innovation=innovation, by=office_staff, experience="以表格化考核统筹各类检查考核"
    )
    assert innovation.status == InnovationStatus.REPLICABLE and innovation.declared_at

    first = services.innovation_adopt(
        innovation=innovation,
        unit=world.boluo,
        by=boluo_liaison,
        adopted_on=ADOPTED_ON,
        result="博罗县参照推行，考核表由12张减为1张",
        files=[pdf("博罗推广.pdf")],
    )
    second = services.innovation_adopt(
        innovation=innovation,
        unit=world.fgj,
        by=fgj_liaison,
        adopted_on=ADOPTED_ON + dt.timedelta(days=5),
        result="在部门绩效考核中采用",
    )
    assert first.files.get().innovation == innovation
    assert told(f"innovation:{innovation.pk}:adopted") == {"huiyang", "huiyang_head"}

    listed = selectors.innovation_list(office_staff).get(pk=innovation.pk)
    assert listed.adoption_count == 2
    spread = list(selectors.experience_spread(office_staff, world.office))
    assert spread == [innovation]
    assert [a.unit for a in spread[0].adoptions.all()] == [world.boluo, world.fgj]
    assert (first.recorded_by, second.recorded_by) == (boluo_liaison, fgj_liaison)

    assert verbs(innovation) == [
        "innovation.proposed",
        "innovation.accepted",
        "innovation.declared",
        "innovation.adopted",
        "innovation.adopted",
    ]
    accepted = AuditRecord.objects.get(verb="innovation.accepted")
    assert accepted.reason == "经验可推广" and accepted.actor == director
    assert accepted.changes["status"] == ["proposed", "accepted"]
    proposed = AuditRecord.objects.get(verb="innovation.proposed")
    assert proposed.changes["files"] == ["成效报告.pdf"]


# --- return, revise, decline -----------------------------------------------------------


def test_a_returned_innovation_is_revised_and_proposed_again(
    world, office_staff, huiyang_liaison, huiyang_head
):
    innovation = propose(world, huiyang_liaison)
    innovation = services.innovation_return(
        innovation=innovation, by=office_staff, reason="请补充量化成效"
    )
    assert innovation.status == InnovationStatus.RETURNED
    assert innovation.decision_reason == "请补充量化成效"
    notice = Notification.objects.get(
        key__contains=f"innovation:{innovation.pk}:returned", recipient=huiyang_liaison
    )
    assert "请补充量化成效" in notice.body

    with pytest.raises(StaleVersionError):
        services.innovation_revise(
            innovation=innovation, by=huiyang_liaison, version=1, results="过期的版本"
        )
    revised = services.innovation_revise(
        innovation=innovation,
        by=huiyang_head,
        version=innovation.version,
        results="填报工作量减少55%，节约工时3000小时",
        files=[pdf("补充材料.pdf")],
    )
    assert revised.status == InnovationStatus.PROPOSED
    assert revised.results == "填报工作量减少55%，节约工时3000小时"
    assert revised.decision_reason == "" and revised.decided_by is None
    assert revised.files.count() == 1
    # The office is told of the proposal and again of the revised one.
    assert (
        Notification.objects.filter(
            recipient=office_staff, key__startswith=f"innovation:{innovation.pk}:proposed"
        ).count()
        == 2
    )
    record = AuditRecord.objects.get(verb="innovation.revised")
    assert record.changes["status"] == ["returned", "proposed"]
    assert record.changes["files"] == ["补充材料.pdf"]
    assert verbs(innovation) == ["innovation.proposed", "innovation.returned", "innovation.revised"]


def test_return_and_decline_need_a_reason_and_change_nothing_without_one(
    world, office_staff, huiyang_liaison
):
    innovation = propose(world, huiyang_liaison)
    for service in (services.innovation_return, services.innovation_decline):
        with pytest.raises(ValidationError) as refused:
            service(innovation=innovation, by=office_staff, reason="  ")
        assert "reason" in refused.value.message_dict
    innovation.refresh_from_db()
    assert innovation.status == InnovationStatus.PROPOSED
    assert verbs(innovation) == ["innovation.proposed"]


def test_a_declined_innovation_ends_its_way_with_the_reason(world, office_staff, huiyang_liaison):
    innovation = propose(world, huiyang_liaison)
    services.innovation_decline(innovation=innovation, by=office_staff, reason="与现有改革重复")
    innovation.refresh_from_db()
    assert innovation.status == InnovationStatus.DECLINED
    assert innovation.decision_reason == "与现有改革重复"
    assert AuditRecord.objects.get(verb="innovation.declined").reason == "与现有改革重复"
    with pytest.raises(ConflictError):
        services.innovation_revise(innovation=innovation, by=huiyang_liaison, title="再试一次")
    with pytest.raises(ConflictError):
        services.innovation_attach(innovation=innovation, by=huiyang_liaison, upload=pdf())


# --- wrong states: a conflict that changes nothing -------------------------------------


def test_an_act_its_state_does_not_allow_is_a_conflict_that_changes_nothing(
    world, office_staff, huiyang_liaison
):
    innovation = propose(world, huiyang_liaison)
    with pytest.raises(ConflictError):
        services.innovation_declare(innovation=innovation, by=office_staff, experience="总结")
    with pytest.raises(ConflictError):
        services.innovation_revise(innovation=innovation, by=huiyang_liaison, title="改")
    services.innovation_accept(innovation=innovation, by=office_staff)
    for service in (services.innovation_return, services.innovation_decline):
        with override("en"), pytest.raises(ConflictError, match="already been decided"):
            service(innovation=innovation, by=office_staff, reason="理由")
    with pytest.raises(ConflictError):
        services.innovation_accept(innovation=innovation, by=office_staff)
    services.innovation_declare(innovation=innovation, by=office_staff, experience="总结")
    with pytest.raises(ConflictError):
        services.innovation_declare(innovation=innovation, by=office_staff, experience="再次")
    innovation.refresh_from_db()
    assert innovation.status == InnovationStatus.REPLICABLE
    assert innovation.experience == "总结"
    assert verbs(innovation) == [
        "innovation.proposed",
        "innovation.accepted",
        "innovation.declared",
    ]


def test_a_unit_records_adopting_an_experience_once(
    world, office_staff, huiyang_liaison, boluo_liaison
):
    innovation = replicable(world, office_staff, huiyang_liaison)
    adopt = {
        "innovation": innovation,
        "unit": world.boluo,
        "by": boluo_liaison,
        "adopted_on": ADOPTED_ON,
        "result": "已推行",
    }
    services.innovation_adopt(**adopt)
    with override("en"), pytest.raises(ConflictError, match="already recorded"):
        services.innovation_adopt(**adopt | {"result": "第二次"})
    assert Adoption.objects.get().result == "已推行"


def replicable(world, office_staff, proposer, unit=None) -> Innovation:
    innovation = propose(world, proposer, unit=unit)
    services.innovation_accept(innovation=innovation, by=office_staff)
    return services.innovation_declare(
        innovation=innovation, by=office_staff, experience="可复制的做法"
    )


# --- checks on what is written ---------------------------------------------------------


def test_declaring_needs_a_written_summary(world, office_staff, huiyang_liaison):
    innovation = propose(world, huiyang_liaison)
    services.innovation_accept(innovation=innovation, by=office_staff)
    with pytest.raises(ValidationError) as refused:
        services.innovation_declare(innovation=innovation, by=office_staff, experience="")
    assert "experience" in refused.value.message_dict
    innovation.refresh_from_db()
    assert innovation.status == InnovationStatus.ACCEPTED


def test_a_proposal_names_each_missing_text_and_a_sound_year(world, huiyang_liaison):
    with pytest.raises(ValidationError) as refused:
        propose(world, huiyang_liaison, problem=" ", results="")
    assert set(refused.value.message_dict) == {"problem", "results"}
    with pytest.raises(ValidationError) as refused:
        propose(world, huiyang_liaison, year=1899)
    assert "year" in refused.value.message_dict
    assert not Innovation.objects.exists()


def test_a_bad_evidence_file_refuses_the_whole_proposal(world, huiyang_liaison):
    program = SimpleUploadedFile("成效.exe", b"MZ\x90\x00", content_type="application/pdf")
    with pytest.raises(ValidationError) as refused:
        propose(world, huiyang_liaison, files=[pdf(), program])
    assert "file" in refused.value.message_dict
    assert not Innovation.objects.exists() and not InnovationFile.objects.exists()


def test_an_innovation_is_proposed_by_a_county_zone_department_or_town_of_the_city(
    world, office_staff, huiyang_liaison
):
    town = propose(world, huiyang_liaison, unit=world.huiyang_town)
    assert town.unit == world.huiyang_town
    with pytest.raises(ValidationError) as refused:
        propose(world, huiyang_liaison, office=world.huiyang)
    assert "office" in refused.value.message_dict
    # A county office's ledger does not reach the city's other counties' units.
    county_office = orgs.unit_create(
        by=None, code="HY-GGB", name="惠阳区改革办", kind=UnitKind.OFFICE, parent=world.huiyang
    )
    county_office.refresh_from_db()
    ok = propose(world, huiyang_liaison, office=county_office, unit=world.huiyang_town)
    assert ok.office == county_office
    boss = UserFactory(username="citywide")
    orgs.membership_grant(by=None, user=boss, unit=world.city, role=Role.UNIT_REPORTER)
    with pytest.raises(ValidationError) as refused:
        propose(world, boss, office=county_office, unit=world.boluo)
    assert "unit" in refused.value.message_dict
    with pytest.raises(ValidationError):
        propose(world, boss, unit=world.city)  # the city proposes to no one


def test_only_the_unit_s_people_propose_for_it(world, office_staff, huiyang_liaison, city_leader):
    for who, unit in (
        (huiyang_liaison, world.boluo),
        (office_staff, world.huiyang),
        (city_leader, world.huiyang),
    ):
        with pytest.raises(PermissionDenied):
            propose(world, who, unit=unit)
    assert not Innovation.objects.exists()


def test_accepting_links_only_a_municipal_pilot_or_a_task_of_the_same_office(
    world, office_staff, huiyang_liaison
):
    innovation = propose(world, huiyang_liaison)
    provincial = municipal_pilot(world, office_staff, level="provincial")
    with pytest.raises(ValidationError) as refused:
        services.innovation_accept(innovation=innovation, by=office_staff, pilot=provincial)
    assert "pilot" in refused.value.message_dict
    other_office = orgs.unit_create(
        by=None, code="HY-GGB", name="惠阳区改革办", kind=UnitKind.OFFICE, parent=world.huiyang
    )
    foreign = world.task_boluo
    foreign.office = other_office
    with pytest.raises(ValidationError) as refused:
        services.innovation_accept(innovation=innovation, by=office_staff, task=foreign)
    assert "task" in refused.value.message_dict
    innovation.refresh_from_db()
    assert innovation.status == InnovationStatus.PROPOSED and innovation.pilot is None


def test_adopting_is_for_another_unit_of_one_s_own_on_a_past_day(
    world, office_staff, huiyang_liaison, huiyang_head, boluo_liaison
):
    innovation = replicable(world, office_staff, huiyang_liaison)
    base = {"innovation": innovation, "adopted_on": ADOPTED_ON, "result": "已推行"}
    with pytest.raises(PermissionDenied):  # the proposing unit does not adopt its own
        services.innovation_adopt(**base, unit=world.huiyang, by=huiyang_head)
    with pytest.raises(ValidationError) as refused:  # not boluo's to record for fgj
        services.innovation_adopt(**base, unit=world.fgj, by=boluo_liaison)
    assert "unit" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.innovation_adopt(
            **base | {"adopted_on": dt.date(2999, 1, 1)}, unit=world.boluo, by=boluo_liaison
        )
    assert "adopted_on" in refused.value.message_dict
    with pytest.raises(PermissionDenied):
        services.innovation_adopt(**base, unit=world.boluo, by=office_staff)
    assert not Adoption.objects.exists()


def test_an_experience_not_yet_replicable_is_not_adopted(
    world, office_staff, huiyang_liaison, boluo_liaison
):
    innovation = propose(world, huiyang_liaison)
    services.innovation_accept(innovation=innovation, by=office_staff)
    with pytest.raises(PermissionDenied):
        services.innovation_adopt(
            innovation=innovation,
            unit=world.boluo,
            by=boluo_liaison,
            adopted_on=ADOPTED_ON,
            result="想推行",
        )
    assert not Adoption.objects.exists()


# --- evidence --------------------------------------------------------------------------


def test_evidence_is_added_by_the_proposing_unit_and_by_an_adopting_unit(
    world, office_staff, huiyang_liaison, boluo_liaison, fgj_liaison
):
    innovation = replicable(world, office_staff, huiyang_liaison)
    stored = services.innovation_attach(
        innovation=innovation, by=huiyang_liaison, upload=pdf("总结.pdf")
    )
    assert (stored.original_name, stored.adoption) == ("总结.pdf", None)
    assert stored.sha256 and stored.size == len(PDF)
    adoption = services.innovation_adopt(
        innovation=innovation,
        unit=world.boluo,
        by=boluo_liaison,
        adopted_on=ADOPTED_ON,
        result="已推行",
    )
    mine = services.innovation_attach(
        innovation=innovation, by=boluo_liaison, upload=pdf("博罗.pdf"), adoption=adoption
    )
    assert mine.adoption == adoption
    with pytest.raises(PermissionDenied):
        services.innovation_attach(
            innovation=innovation, by=fgj_liaison, upload=pdf(), adoption=adoption
        )
    with pytest.raises(PermissionDenied):
        services.innovation_attach(innovation=innovation, by=boluo_liaison, upload=pdf())
    with pytest.raises(ValidationError):
        services.innovation_attach(
            innovation=innovation,
            by=huiyang_liaison,
            upload=SimpleUploadedFile("a.zip", b"PK\x03\x04"),
        )
    assert AuditRecord.objects.filter(verb="evidence.added").count() == 2
    assert verbs(innovation)[-1] == "evidence.added"
