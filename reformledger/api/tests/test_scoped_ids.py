"""Every id a user gives is looked up among what that user may see (MLPS 8.1.4.2 访问控制
f: the object at record level): an id of a row the user cannot see answers exactly as an
id that does not exist, and nothing of the row is told.

The walks are built from the project itself: every writable id field of every request
body of the API (the router, as the schema generator sees it) and every form with a
choice of rows (the forms and views modules). Each is tried by a county office (惠阳区
改革办, with its own ledger) or a county liaison (惠阳区), with an id of a row of 博罗县's
own ledger, which neither may see; a field added tomorrow is tried too."""

import datetime as dt
import importlib
import io
import json
import pkgutil
import re
from types import SimpleNamespace

import pytest
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Max, Q
from rest_framework import serializers

import reformledger
from reformledger.api.testing import write_operations
from reformledger.audit.models import AuditRecord
from reformledger.catalog import forms as catalog_forms
from reformledger.catalog import permissions as catalog_permissions
from reformledger.catalog import services as catalog
from reformledger.catalog.models import Edition, Item, ItemType, Part
from reformledger.evaluation import forms as evaluation_forms
from reformledger.evaluation import permissions as evaluation_permissions
from reformledger.evaluation import services as evaluation
from reformledger.evaluation.models import CriteriaTemplate, Criterion, Evaluation, EvaluationTeam
from reformledger.indicators import forms as indicator_forms
from reformledger.indicators import permissions as indicators_permissions
from reformledger.indicators import selectors as indicator_selectors
from reformledger.indicators import services as indicators
from reformledger.indicators.models import Indicator
from reformledger.ledger import permissions as ledger_permissions
from reformledger.ledger import selectors, services
from reformledger.ledger.models import (
    Milestone,
    Period,
    RatingGrade,
    ReformArea,
    ReformSystem,
    Task,
    WorkPoint,
    WorkProgramme,
)
from reformledger.ledger.validation import MilestoneRow
from reformledger.orgs import services as orgs
from reformledger.orgs.choices import Role, UnitKind
from reformledger.orgs.models import Person, Unit
from reformledger.orgs.permissions import scopes_of, under_any, visible_units
from reformledger.pilots import permissions as pilots_permissions
from reformledger.pilots import services as pilots
from reformledger.pilots.models import Pilot, SubProject
from reformledger.pilots.services import innovations
from reformledger.publications import forms as publication_forms
from reformledger.publications import permissions as publication_permissions
from reformledger.publications.models import Publication, Rendition
from reformledger.supervision import permissions as supervision_permissions
from reformledger.supervision import services as supervision
from reformledger.supervision.models import ActionItem, ReformDocument
from reformledger.supervision.services.meetings import ActionRow
from tests.factories import UserFactory

JSON = "application/json"
YEAR = 2016
ROWS = [MilestoneRow(title="审批事项梳理", planned_date=dt.date(YEAR, 6, 30), weight=100)]


def _member(username, name, unit, role):
    user = UserFactory(username=username, full_name=name)
    orgs.membership_grant(by=None, user=user, unit=unit, role=role)
    return user


def _ledger_task(by, office, code, title, area, lead_unit):
    task = services.task_create(
        by=by,
        office=office,
        year=YEAR,
        code=code,
        title=title,
        area=area,
        lead_unit=lead_unit,
        is_key=True,
        deliverable_kind="policy",
        start_date=dt.date(YEAR, 1, 1),
        deadline=dt.date(YEAR, 12, 31),
    )
    plan = services.plan_save(task=task, by=by, summary="方案", milestones=ROWS)
    services.plan_submit(plan=plan, by=by)
    services.plan_approve(plan=plan, by=by)
    task.refresh_from_db()
    return task


@pytest.fixture
def region(world, huiyang_liaison) -> SimpleNamespace:
    """惠阳区's reform office keeps its own ledger; so does 博罗县's, whose rows — a task
    and its milestone, a period, a rating grade, a work point, a town and a person, a
    document and an action item — the 惠阳 office and the 惠阳 liaison may not see."""
    w = world
    r = SimpleNamespace(world=w, liaison=huiyang_liaison)
    r.county = orgs.unit_create(
        by=None, code="HZ-HY-GGB", name="惠阳区改革办", kind=UnitKind.OFFICE, parent=w.huiyang
    )
    r.hidden_office = orgs.unit_create(
        by=None, code="HZ-BL-GGB", name="博罗县改革办", kind=UnitKind.OFFICE, parent=w.boluo
    )
    for unit in (r.county, r.hidden_office):
        unit.refresh_from_db()
    w.boluo.refresh_from_db()
    r.hidden_town = orgs.unit_create(
        by=None, code="HZ-BL-07", name="罗阳街道秘", kind=UnitKind.TOWN, parent=w.boluo
    )
    r.staff = _member("hy_office", "何区办", r.county, Role.OFFICE_ADMIN)
    r.leader = _member("hy_director", "区改革办主任", r.county, Role.OFFICE_LEADER)
    boluo_staff = _member("bl_office", "博罗科员", r.hidden_office, Role.OFFICE_ADMIN)
    r.hidden_leader = _member("bl_director", "博罗主任秘", r.hidden_office, Role.OFFICE_LEADER)

    r.task = _ledger_task(r.staff, r.county, "HY-2016-01", "区级审批改革", w.economy, w.huiyang)
    r.periods = {p.number: p for p in services.periods_ensure(office=r.county, year=YEAR)}
    r.rating = services.rating_compute(task=r.task, period=r.periods[6], by=r.staff)
    r.meeting = supervision.leading_group_meeting_record(
        office=r.county, by=r.staff, year=YEAR, held_on=dt.date(YEAR, 4, 1), attendees="区领导"
    )
    services.periods_ensure(office=w.office, year=YEAR)

    r.hidden_task = _ledger_task(
        boluo_staff, r.hidden_office, "BL-SECRET-9", "博罗机密改革", w.economy, r.hidden_town
    )
    r.hidden_milestone = r.hidden_task.plans.get().milestones.get()
    r.hidden_period = services.periods_ensure(office=r.hidden_office, year=YEAR)[5]
    r.hidden_grade = services.scale_for(r.hidden_office, YEAR).grades.first()
    programme = WorkProgramme.objects.create(office=r.hidden_office, year=YEAR, title="博罗要点")
    r.hidden_point = WorkPoint.objects.create(programme=programme, number=1, text="博罗要点秘")
    r.hidden_person = orgs.person_create(by=None, name="博罗联系人秘", unit=r.hidden_town)
    r.hidden_document = supervision.document_register(
        office=r.hidden_office,
        by=boluo_staff,
        year=YEAR,
        title="博罗机密文件",
        drafting_unit=r.hidden_town,
    )
    meeting = supervision.supervision_meeting_record(
        office=r.hidden_office,
        by=boluo_staff,
        held_on=dt.date(YEAR, 5, 1),
        topic="博罗推进会",
        attendees="博罗",
        actions=[ActionRow(unit=r.hidden_town, demand="博罗机密事项", deadline=dt.date.today())],
    )
    r.hidden_item = meeting.action_items.get()
    # A pilot of the city's, with a sub-project 惠阳 reports on; one of 博罗's office, hidden.
    pilot_facts = {
        "level": "municipal",
        "granting_body": "市委改革办",
        "start": dt.date(YEAR, 1, 1),
        "end": dt.date(YEAR, 12, 31),
        "goals": "试点目标",
    }
    for name, office, by, host in (
        ("pilot", w.office, w.office_staff, w.huiyang),
        ("hidden_pilot", r.hidden_office, boluo_staff, r.hidden_town),
    ):
        pilot = pilots.pilot_register(
            office=office,
            by=by,
            code="SD-1",
            name=f"{host.name}试点秘",
            host_unit=host,
            **pilot_facts,
        )
        setattr(r, name, pilot)
        sub = pilots.sub_project_create(
            pilot=pilot,
            by=by,
            code="SD-1-1",
            name="子项目秘",
            host_unit=host,
            planned_investment=10,
        )
        setattr(r, name.replace("pilot", "sub"), sub)
    # A pilot of the county office's own registry, which its staff change (PATCH).
    r.county_pilot = pilots.pilot_register(
        office=r.county,
        by=r.staff,
        code="HY-P-1",
        name="区级试点",
        host_unit=w.huiyang_town,
        **pilot_facts,
    )
    texts = {"year": YEAR, "problem": "问题", "actions": "做法", "results": "成效"}
    r.innovation = innovations.innovation_propose(
        office=r.county, unit=w.huiyang_town, by=huiyang_liaison, title="区级创新", **texts
    )
    fgj = _member("fgj_sid", "发改联络员", w.fgj, Role.UNIT_REPORTER)
    r.experience = innovations.innovation_propose(
        office=w.office, unit=w.fgj, by=fgj, title="市直经验", **texts
    )
    innovations.innovation_accept(innovation=r.experience, by=w.office_staff)
    innovations.innovation_declare(innovation=r.experience, by=w.office_staff, experience="经验")
    # An indicator of the county office that 惠阳区 reports; one of 博罗's office, hidden.
    r.indicator = indicators.indicator_create(
        office=r.county,
        by=r.staff,
        code="HY-ZB-1",
        name="区级指标",
        measure="个",
        owner_unit=w.huiyang,
    )
    r.hidden_indicator = indicators.indicator_create(
        office=r.hidden_office,
        by=boluo_staff,
        code="BL-ZB-1",
        name="博罗指标秘",
        measure="个",
        owner_unit=r.hidden_town,
    )
    # An evaluation of the county office's, with its team; one of 博罗's office, hidden.
    template = evaluation.templates_ensure_defaults()[0]
    for name, office, by, task in (
        ("county", r.county, r.staff, r.task),
        ("hidden", r.hidden_office, boluo_staff, r.hidden_task),
    ):
        team = evaluation.team_create(
            office=office, by=by, name=f"{office.name}评估组秘", kind="internal"
        )
        found = evaluation.evaluation_create(
            office=office,
            by=by,
            year=YEAR,
            kind="special",
            title=f"{office.name}专项评估秘",
            template=template,
            team=team,
            tasks=[task],
        )
        setattr(r, f"{name}_team", team)
        setattr(r, f"{name}_evaluation", found)
    r.hidden_criterion = r.hidden_evaluation.criteria.order_by("pk").first()
    # A generated evaluation report of the county office's; one of 博罗's office, hidden.
    for name, office, by in (
        ("county", r.county, r.staff),
        ("hidden", r.hidden_office, boluo_staff),
    ):
        last = Period.objects.get(office=office, year=YEAR, number=12)
        pub = Publication.objects.create(
            office=office,
            year=YEAR,
            kind="evaluation_report",
            title=f"{office.name}报告秘",
            period=last,
            created_by=by,
        )
        rendition = Rendition.objects.create(
            publication=pub,
            number=1,
            period=last,
            content_hash=name,
            docx=b"PK",
            docx_hash=name,
            created_by=by,
        )
        setattr(r, f"{name}_publication", pub)
        setattr(r, f"{name}_rendition", rendition)
    # An edition of 惠阳区's lists the county office keeps, with an item of its town's;
    # one of 博罗县's, hidden.
    for name, office, by, place in (
        ("county", r.county, r.staff, w.huiyang),
        ("hidden", r.hidden_office, boluo_staff, w.boluo),
    ):
        edition = catalog.edition_create(by=by, office=office, jurisdiction=place, year=YEAR)
        setattr(r, f"{name}_edition", edition)
    part = Part.objects.create(
        edition=r.county_edition, department=w.huiyang_town, list_kind="power"
    )
    r.list_item = Item.objects.create(
        part=part,
        edition=r.county_edition,
        department=w.huiyang_town,
        list_kind="power",
        code="HY-XK-1",
        name="区级许可",
        item_type=ItemType.objects.get(code="licensing"),
    )
    return r


# --- what a user may see, by model (each the app's own rule) ----------------------------


def _offices_read(user) -> Q:
    return Q(office__in=ledger_permissions.visible_tasks(user).values("office")) | under_any(
        "office", scopes_of(user).paths(Role.OFFICE_ADMIN, Role.OFFICE_LEADER)
    )


VISIBLE = {
    Task: ledger_permissions.visible_tasks,
    Unit: visible_units,
    Person: lambda user: Person.objects.filter(unit__in=visible_units(user)),
    get_user_model(): lambda user: get_user_model().objects.filter(
        memberships__unit__in=visible_units(user), memberships__is_active=True
    ),
    Period: selectors.visible_periods,
    Milestone: lambda user: Milestone.objects.filter(
        plan__task__in=ledger_permissions.visible_tasks(user)
    ),
    RatingGrade: lambda user: RatingGrade.objects.filter(
        scale__in=selectors.visible_scales(user).values("pk")
    ),
    WorkPoint: lambda user: WorkPoint.objects.filter(
        programme__in=WorkProgramme.objects.filter(_offices_read(user))
    ),
    ReformDocument: supervision_permissions.visible_documents,
    ActionItem: supervision_permissions.visible_action_items,
    SubProject: pilots_permissions.visible_sub_projects,
    Pilot: pilots_permissions.visible_pilots,
    Indicator: indicators_permissions.visible_indicators,
    Evaluation: evaluation_permissions.visible_evaluations,
    EvaluationTeam: evaluation_permissions.visible_teams,
    Criterion: lambda user: Criterion.objects.filter(
        evaluation__in=evaluation_permissions.visible_evaluations(user)
    ),
    Rendition: lambda user: Rendition.objects.filter(
        publication__in=publication_permissions.visible_publications(user)
    ),
    Edition: catalog_permissions.visible_editions,
}
#: Rows every signed-in user reads (the ledger page's filters show them all; the criteria
#: templates are reference data of every office).
NOT_SCOPED = {ReformArea, ReformSystem, CriteriaTemplate}
NOT_SCOPED.add(ItemType)  # the power types: reference data every office reads


def hidden_rows(r, model) -> list:
    return {
        Task: [r.hidden_task],
        Unit: [r.hidden_town, r.hidden_office],
        Person: [r.hidden_person],
        get_user_model(): [r.hidden_leader],
        Period: [r.hidden_period],
        Milestone: [r.hidden_milestone],
        RatingGrade: [r.hidden_grade],
        WorkPoint: [r.hidden_point],
        ReformDocument: [r.hidden_document],
        ActionItem: [r.hidden_item],
        SubProject: [r.hidden_sub],
        Pilot: [r.hidden_pilot],
        Indicator: [r.hidden_indicator],
        Evaluation: [r.hidden_evaluation],
        EvaluationTeam: [r.hidden_team],
        Criterion: [r.hidden_criterion],
        Rendition: [r.hidden_rendition],
        Edition: [r.hidden_edition],
    }[model]


def _sees(user, row) -> bool:
    return VISIBLE[type(row)](user).filter(pk=row.pk).exists()


def _words(row) -> list[str]:
    """What would tell of the row if a response showed it."""
    names = ("code", "title", "name", "full_name", "demand", "text")
    return [getattr(row, n) for n in names if isinstance(getattr(row, n, None), str)] + [
        getattr(getattr(row, "office", None), "name", "博罗县改革办")
    ]


# --- the API: every writable id field of every request body ------------------------------

#: Integer fields of request bodies that are ids, and of what.
INTEGER_IDS = {"period": Period, "milestone": Milestone, "grade": RatingGrade, "office": Unit}
INTEGER_IDS["sub_project"] = SubProject
INTEGER_IDS["indicator"] = Indicator
INTEGER_IDS["rendition"] = Rendition  # a publication's version
#: Integer fields that are not ids.
INTEGER_VALUES = {"year", "number", "percent", "weight", "expected", "limit", "version"}
INTEGER_VALUES |= {"decimals", "baseline_year"}  # an indicator's, not ids
INTEGER_VALUES |= {"group_rank", "region_rank"}  # a pilot's acceptance: ranks, not ids
# An evaluation's criteria: a row's id is a criterion's; its key and its parent's key name
# rows of the same body, not rows of the database.
INTEGER_IDS["criterion"] = Criterion
INTEGER_IDS["id"] = Criterion
INTEGER_VALUES |= {"key", "parent"}


def _id_fields(body: serializers.Serializer, prefix: str = "") -> list[tuple[str, type, object]]:
    """(path, model, field) of each writable id in a request body; `a[].b` is field b of
    each row of list a."""
    found = []
    for name, field in body.fields.items():
        if field.read_only:
            continue
        path = f"{prefix}{name}"
        if isinstance(field, serializers.ListSerializer):
            found += _id_fields(field.child, f"{path}[].")
        elif isinstance(field, serializers.Serializer):
            found += _id_fields(field, f"{path}.")
        elif isinstance(field, serializers.ManyRelatedField):
            found.append((path, field.child_relation.queryset.model, field))
        elif isinstance(field, serializers.RelatedField):
            found.append((path, field.queryset.model, field))
        elif isinstance(field, serializers.IntegerField) and name not in INTEGER_VALUES:
            assert name in INTEGER_IDS, f"{path}: say whether this integer is an id, and of what"
            found.append((path, INTEGER_IDS[name], field))
    return found


def _set(payload: dict, path: str, value, many: bool) -> dict:
    """`payload` with the id at `path` replaced (a list of one for a many field)."""
    payload = json.loads(json.dumps(payload))
    head, _, rest = path.partition(".")
    if head.endswith("[]"):
        rows = payload.setdefault(head[:-2], [{}])
        rows[0] = _set(rows[0] if rows else {}, rest, value, many)
        return payload
    payload[head] = [value] if many else value
    return payload


#: Who tries each route (default: the county office's staff).
ROUTE_USER = {
    ("POST", "/api/v1/tasks/{id}/report/"): "liaison",
    ("POST", "/api/v1/ratings/{id}/override/"): "leader",
    ("POST", "/api/v1/supervision-orders/"): "leader",
    ("POST", "/api/v1/investment-reports/"): "liaison",
    ("POST", "/api/v1/innovations/"): "liaison",
    ("POST", "/api/v1/innovations/{id}/adopt/"): "liaison",
}
#: The object of each route with one in its path.
ROUTE_OBJECT = {
    "/api/v1/tasks/{id}/": lambda r: r.task.pk,
    "/api/v1/tasks/{id}/report/": lambda r: r.world.task_huiyang.pk,
    "/api/v1/ratings/{id}/override/": lambda r: r.rating.pk,
    "/api/v1/leading-group-meetings/{id}/reviews/": lambda r: r.meeting.pk,
    "/api/v1/innovations/{id}/accept/": lambda r: r.innovation.pk,
    "/api/v1/innovations/{id}/adopt/": lambda r: r.experience.pk,
}


def _grade(r) -> int:
    return r.rating.suggested.scale.grades.exclude(pk=r.rating.suggested_id).first().pk


def _june_milestone(r) -> int:
    return r.world.task_huiyang.plans.get().milestones.order_by("order").first().pk


#: A body otherwise valid, for routes whose integer ids are looked up after the body is
#: read (a refusal of the id must not hide behind another field's).
ROUTE_BODY = {
    ("POST", "/api/v1/tasks/{id}/report/"): lambda r: {
        "period": Period.objects.get(office=r.world.office, year=YEAR, number=6).pk,
        "done": "推进中",
        "percent": 30,
        "reached": [{"milestone": _june_milestone(r), "reached_on": "2016-06-20"}],
    },
    ("POST", "/api/v1/ratings/{id}/override/"): lambda r: {"grade": _grade(r), "reason": "核查"},
    ("POST", "/api/v1/imports/progress/"): lambda r: {"period": r.periods[6].pk},
    ("POST", "/api/v1/imports/task-list/"): lambda r: {"office": r.county.pk, "year": YEAR},
    ("POST", "/api/v1/imports/work-points/"): lambda r: {"office": r.county.pk, "year": YEAR},
    ("POST", "/api/v1/investment-reports/"): lambda r: {
        "sub_project": r.sub.pk,
        "period": Period.objects.get(office=r.world.office, year=YEAR, number=6).pk,
        "amount": "1",
    },
}
#: Fields the walk must reach (the holes it was written for), whatever else it finds.
MUST_TRY = [
    ("POST", "/api/v1/tasks/", "parent"),
    ("POST", "/api/v1/tasks/", "depends_on"),
    ("PUT", "/api/v1/tasks/{id}/", "depends_on"),
    ("PATCH", "/api/v1/tasks/{id}/", "parent"),
    ("PATCH", "/api/v1/tasks/{id}/", "depends_on"),
    ("POST", "/api/v1/tasks/{id}/report/", "period"),
    ("POST", "/api/v1/tasks/{id}/report/", "reached[].milestone"),
    ("POST", "/api/v1/ratings/{id}/override/", "grade"),
    ("POST", "/api/v1/supervision-orders/", "action_item"),
    ("POST", "/api/v1/leading-group-meetings/", "documents"),
    ("POST", "/api/v1/investment-reports/", "sub_project"),
    ("POST", "/api/v1/investment-reports/", "period"),
    ("POST", "/api/v1/innovations/", "office"),
    ("POST", "/api/v1/innovations/", "unit"),
    ("POST", "/api/v1/innovations/{id}/accept/", "task"),
    ("POST", "/api/v1/innovations/{id}/accept/", "pilot"),
    ("POST", "/api/v1/innovations/{id}/adopt/", "unit"),
]
# Publications (编印): the county office's director records its report's submission.
ROUTE_USER[("POST", "/api/v1/publications/{id}/submit/")] = "leader"
ROUTE_OBJECT["/api/v1/publications/{id}/submit/"] = lambda r: r.county_publication.pk
ROUTE_BODY[("POST", "/api/v1/publications/")] = lambda r: {
    "office": r.county.pk,
    "year": YEAR + 1,
    "kind": "pilot_compendium",
}
ROUTE_BODY[("POST", "/api/v1/publications/{id}/submit/")] = lambda r: {
    "rendition": r.county_rendition.pk,
    "document_no": "惠阳改办〔2017〕1号",
    "submitted_on": "2017-03-01",
}
MULTIPART = {"/api/v1/imports/progress/", "/api/v1/imports/task-list/"}
MULTIPART |= {"/api/v1/imports/work-points/"}
# Indicators (指标): the county office's indicator, which 惠阳区 reports.
ROUTE_USER[("POST", "/api/v1/indicator-values/")] = "liaison"
ROUTE_OBJECT["/api/v1/indicators/{id}/"] = lambda r: r.indicator.pk
ROUTE_BODY[("POST", "/api/v1/indicator-targets/")] = lambda r: {
    "indicator": r.indicator.pk,
    "year": YEAR,
    "target": "1",
}
ROUTE_BODY[("POST", "/api/v1/indicator-values/")] = lambda r: {
    "indicator": r.indicator.pk,
    "period": r.periods[6].pk,
    "value": "1",
}
# Pilots (改革试点): the county office changes its own pilot; 惠阳区, the host of the
# city's pilot, adds and changes its sub-projects.
ROUTE_USER[("POST", "/api/v1/sub-projects/")] = "liaison"
ROUTE_USER[("PATCH", "/api/v1/sub-projects/{id}/")] = "liaison"
ROUTE_OBJECT["/api/v1/pilots/{id}/"] = lambda r: r.county_pilot.pk
ROUTE_OBJECT["/api/v1/sub-projects/{id}/"] = lambda r: r.sub.pk
MUST_TRY += [
    ("POST", "/api/v1/pilots/", "tasks"),
    ("PATCH", "/api/v1/pilots/{id}/", "tasks"),
    ("POST", "/api/v1/sub-projects/", "pilot"),
    ("POST", "/api/v1/sub-projects/", "host_unit"),
    ("PATCH", "/api/v1/sub-projects/{id}/", "host_unit"),
]
# Evaluations (改革评估) and cards (绿黄牌): the county office's own evaluation.
ROUTE_OBJECT["/api/v1/evaluations/{id}/criteria/"] = lambda r: r.county_evaluation.pk
ROUTE_BODY[("POST", "/api/v1/evaluations/{id}/criteria/")] = lambda r: {
    "criteria": [
        {
            "key": c.pk,
            "id": c.pk,
            "parent": c.parent_id,
            "name": c.name,
            "weight": str(c.weight),
            "max_score": str(c.max_score),
        }
        for c in r.county_evaluation.criteria.order_by("pk")
    ]
}
ROUTE_BODY[("POST", "/api/v1/evaluation-scores/")] = lambda r: {
    "criterion": r.county_evaluation.criteria.filter(children__isnull=True).first().pk,
    "value": "80",
    "reason": "依据",
}
ROUTE_BODY[("POST", "/api/v1/assessment-cards/acts/")] = lambda r: {
    "office": r.county.pk,
    "year": YEAR,
    "act": "draft",
}
MUST_TRY += [
    ("POST", "/api/v1/evaluations/", "team"),
    ("POST", "/api/v1/evaluations/", "tasks"),
    ("POST", "/api/v1/evaluations/{id}/criteria/", "criteria[].id"),
    ("POST", "/api/v1/evaluation-scores/", "criterion"),
    ("POST", "/api/v1/evaluation-findings/", "evaluation"),
    ("POST", "/api/v1/self-assessments/", "evaluation"),
]
# Power and service lists (权责清单): the county office's own edition and its item.
ROUTE_OBJECT["/api/v1/lists/editions/{id}/"] = lambda r: r.county_edition.pk
ROUTE_OBJECT["/api/v1/lists/editions/{id}/import/"] = lambda r: r.county_edition.pk
ROUTE_OBJECT["/api/v1/lists/items/{id}/"] = lambda r: r.list_item.pk
ROUTE_BODY[("POST", "/api/v1/lists/editions/")] = lambda r: {
    "office": r.county.pk,
    "jurisdiction": r.world.huiyang.pk,
    "year": YEAR + 1,
}
MULTIPART |= {"/api/v1/lists/editions/{id}/import/"}
MUST_TRY += [
    ("POST", "/api/v1/lists/editions/", "previous"),
    ("POST", "/api/v1/lists/editions/", "task"),
    ("PATCH", "/api/v1/lists/editions/{id}/", "previous"),
    ("PATCH", "/api/v1/lists/editions/{id}/", "task"),
]
MUST_TRY += [
    ("POST", "/api/v1/indicators/", "numerator"),
    ("PATCH", "/api/v1/indicators/{id}/", "tasks"),
    ("POST", "/api/v1/indicator-targets/", "indicator"),
    ("POST", "/api/v1/indicator-values/", "indicator"),
    ("POST", "/api/v1/indicator-values/", "period"),
]


def _id_operations():
    return [
        (op, fields) for op in write_operations() if op.body and (fields := _id_fields(op.body))
    ]


def test_every_route_with_an_id_in_its_body_can_be_tried():
    for op, fields in _id_operations():
        if "{id}" in op.path:
            assert op.path in ROUTE_OBJECT, op.key
        integers = [path for path, _m, f in fields if isinstance(f, serializers.IntegerField)]
        if integers:
            assert op.key in ROUTE_BODY, (op.key, integers)


def _send(client, op, url, payload):
    if op.path in MULTIPART:
        data = {k: v for k, v in payload.items() if v is not None}
        data["file"] = io.BytesIO(b"PK\x03\x04 not read")
        data["file"].name = "台账.xlsx"
        return client.generic(op.method, url, **_multipart(data), HTTP_ACCEPT_LANGUAGE="en")
    return client.generic(
        op.method, url, json.dumps(payload), content_type=JSON, HTTP_ACCEPT_LANGUAGE="en"
    )


def _multipart(data: dict) -> dict:
    from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

    return {"data": encode_multipart(BOUNDARY, data), "content_type": MULTIPART_CONTENT}


def _same_but_the_id(a: bytes, b: bytes, ids: tuple[int, int]) -> bool:
    def norm(text: bytes, pk: int) -> str:
        return re.sub(rf"\b{pk}\b", "ID", text.decode())

    return norm(a, ids[0]) == norm(b, ids[1])


def test_an_id_of_a_row_the_user_cannot_see_answers_as_one_that_does_not_exist(region, client_for):
    r = region
    tried, skipped = [], []
    for op, fields in _id_operations():
        user = getattr(r, ROUTE_USER.get(op.key, "staff"))
        client = client_for(user)
        url = op.path.format(id=ROUTE_OBJECT[op.path](r)) if "{id}" in op.path else op.path
        base = ROUTE_BODY.get(op.key, lambda r: {})(r)
        for path, model, field in fields:
            if model in NOT_SCOPED:
                continue
            base_rows = getattr(field, "queryset", None)
            if isinstance(field, serializers.ManyRelatedField):
                base_rows = field.child_relation.queryset
            rows = [
                row
                for row in hidden_rows(r, model)
                if base_rows is None or base_rows.filter(pk=row.pk).exists()
            ]
            row = next((row for row in rows if not _sees(user, row)), None)
            if row is None:
                skipped.append((op.key, path))  # every such row is the user's to see
                continue
            many = isinstance(field, serializers.ManyRelatedField)
            missing = (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1000
            records = AuditRecord.objects.count()
            hidden = _send(client, op, url, _set(base, path, row.pk, many))
            absent = _send(client, op, url, _set(base, path, missing, many))
            where = (op.method, op.path, path)
            assert hidden.status_code == absent.status_code, where
            assert hidden.status_code in (400, 404), (where, hidden.content)
            assert _same_but_the_id(hidden.content, absent.content, (row.pk, missing)), (
                where,
                hidden.content,
                absent.content,
            )
            text = hidden.content.decode()
            assert not [w for w in _words(row) if w and w in text], (where, text)
            assert AuditRecord.objects.count() == records, where
            tried.append(where)
    print(f"\n{len(tried)} id fields tried; visible to the user, not tried: {skipped}")
    assert set(MUST_TRY) <= set(tried), set(MUST_TRY) - set(tried)


# --- the forms: every choice of rows -------------------------------------------------------


def _form_classes() -> list[type]:
    """Every form class of the project with a choice of rows."""
    names = [
        m.name
        for m in pkgutil.walk_packages(reformledger.__path__, "reformledger.")
        if re.search(r"\.(forms|forms_exchange)$|\.views(\.|$)", m.name) and ".tests" not in m.name
    ]
    found = set()
    for name in names:
        module = importlib.import_module(name)
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, forms.BaseForm)
                and value.__module__ == name
                and any(isinstance(f, forms.ModelChoiceField) for f in value.base_fields.values())
            ):
                found.add(value)
    return sorted(found, key=lambda c: f"{c.__module__}.{c.__name__}")


def _builders():
    """Form class name -> (who, how the view builds it)."""
    from reformledger.ledger.forms import TaskForm
    from reformledger.ledger.forms_exchange import (
        ReportImportForm,
        TaskListImportForm,
        WorkPointsImportForm,
    )
    from reformledger.ledger.views.ratings import BoardFilterForm
    from reformledger.ledger.views.reports import InboxFilter, ReportForm
    from reformledger.pilots import forms as pf
    from reformledger.pilots.selectors.innovations import proposing_units
    from reformledger.pilots.selectors.investment import open_periods
    from reformledger.pilots.views.investment import InvestmentImportForm, InvestmentReportForm
    from reformledger.pilots.views.registry import managed_offices
    from reformledger.supervision import forms as sv
    from reformledger.supervision import selectors as sv_selectors

    def report_form(r, data):
        state = selectors.report_form_state(r.world.task_huiyang)
        return ReportForm(data, periods=state.periods, milestones=state.milestones)

    return {
        "TaskForm": (
            "staff",
            lambda r, data: TaskForm(data, office=r.county, year=YEAR, user=r.staff),
        ),
        "ReportForm": ("liaison", report_form),
        "InboxFilter": ("liaison", lambda r, data: InboxFilter(data, user=r.liaison)),
        "BoardFilterForm": (
            "liaison",
            lambda r, data: BoardFilterForm(data, letters=["A", "B"], user=r.liaison),
        ),
        "TaskListImportForm": ("staff", lambda r, d: TaskListImportForm(d, user=r.staff)),
        "ReportImportForm": ("staff", lambda r, d: ReportImportForm(d, user=r.staff)),
        "WorkPointsImportForm": ("staff", lambda r, d: WorkPointsImportForm(d, user=r.staff)),
        "OrderIssueForm": (
            "leader",
            lambda r, d: sv.OrderIssueForm(d, offices=[r.county], office=r.county),
        ),
        "OrderDraftForm": (
            "staff",
            lambda r, d: sv.OrderDraftForm(d, offices=[r.county], office=r.county),
        ),
        "ActionRowForm": ("staff", lambda r, d: sv.ActionRowForm(d)),
        "SupervisionMeetingForm": (
            "staff",
            lambda r, d: sv.SupervisionMeetingForm(d, offices=[r.county], office=r.county),
        ),
        "DocumentForm": (
            "staff",
            lambda r, d: sv.DocumentForm(d, offices=[r.county], office=r.county),
        ),
        "LinkForm": (
            "staff",
            lambda r, d: sv.LinkForm(
                d, offices=[r.county], office=r.county, leaders=sv.office_leaders(r.county)
            ),
        ),
        "LeadingGroupMeetingForm": (
            "staff",
            lambda r, d: sv.LeadingGroupMeetingForm(
                d,
                offices=[r.county],
                office=r.county,
                candidates=sv_selectors.review_candidates(r.county, YEAR),
            ),
        ),
        "CollectiveReviewForm": ("staff", lambda r, d: sv.CollectiveReviewForm(d, office=r.county)),
        "DraftRevisionForm": ("staff", lambda r, d: sv.DraftRevisionForm(d, office=r.county)),
        "InvestmentReportForm": (
            "liaison",
            lambda r, d: InvestmentReportForm(d, periods=open_periods(r.pilot)),
        ),
        "InvestmentImportForm": ("liaison", lambda r, d: InvestmentImportForm(d, pilot=r.pilot)),
        "InnovationFilterForm": (
            "liaison",
            lambda r, d: pf.InnovationFilterForm(d, user=r.liaison),
        ),
        "InnovationProposeForm": (
            "liaison",
            lambda r, d: pf.InnovationProposeForm(d, user=r.liaison),
        ),
        "InnovationAcceptForm": ("staff", lambda r, d: pf.InnovationAcceptForm(d, office=r.county)),
        "InnovationAdoptForm": (
            "liaison",
            lambda r, d: pf.InnovationAdoptForm(d, units=proposing_units(r.liaison)),
        ),
        "PilotForm": (
            "staff",
            lambda r, d: pf.PilotForm(d, offices=managed_offices(r.staff), office=r.county),
        ),
        # The pilot's host unit adds its sub-projects (the office may too).
        "SubProjectForm": (
            "liaison",
            lambda r, d: pf.SubProjectForm(d, user=r.liaison, pilot=r.pilot),
        ),
        "IndicatorForm": ("staff", lambda r, d: indicator_forms.IndicatorForm(d, office=r.county)),
        "IndicatorFilterForm": (
            "liaison",
            lambda r, d: indicator_forms.IndicatorFilterForm(
                d, owners=indicator_selectors.owner_units(r.liaison)
            ),
        ),
        "ValueReportForm": (
            "liaison",
            lambda r, d: indicator_forms.ValueReportForm(d, indicator=r.indicator),
        ),
        "EvaluationForm": (
            "staff",
            lambda r, d: evaluation_forms.EvaluationForm(d, offices=[r.county]),
        ),
        "TeamForm": ("staff", lambda r, d: evaluation_forms.TeamForm(d, offices=[r.county])),
        "StartForm": ("staff", lambda r, d: publication_forms.StartForm(d, offices=[r.county])),
        "FrontForm": (
            "staff",
            lambda r, d: publication_forms.FrontForm(d, publication=r.county_publication),
        ),
        "EditionForm": (
            "staff",
            lambda r, d: catalog_forms.EditionForm(
                d,
                offices=Unit.objects.filter(pk=r.county.pk),
                places=Unit.objects.filter(kind__in=(UnitKind.CITY, UnitKind.COUNTY)),
                tasks=Task.objects.filter(office=r.county),
            ),
        ),
        "ImportForm": (
            "staff",
            lambda r, d: catalog_forms.ImportForm(
                d, departments=Unit.objects.filter(path__startswith=r.world.huiyang.path)
            ),
        ),
        "ItemForm": ("staff", lambda r, d: catalog_forms.ItemForm(d, list_kind="power")),
        "FindingForm": (
            "staff",
            lambda r, d: evaluation_forms.FindingForm(
                d,
                tasks=evaluation_permissions.visible_scope_tasks(r.staff, r.county_evaluation),
                units=r.county_evaluation.units.all(),
            ),
        ),
    }


#: Forms whose every choice is of rows the user may see (so none is hidden to try).
ALL_SEEN = {
    "ActionRowForm": "units: an office reads every unit",
    "DraftRevisionForm": "the office's own leaders; an office reads every unit's people",
    "TaskListImportForm": "the user's own offices; an office reads every unit",
    "WorkPointsImportForm": "the user's own offices; an office reads every unit",
    "TeamForm": "the user's own offices",
    "StartForm": "the user's own offices",
    "ImportForm": "departments: an office reads every unit",
    "ItemForm": "power types: reference data every office reads",
}


#: Forms no county user opens.
NOT_COUNTY_FORMS = {
    "RoleGrantForm": "the security administrator's (/account/): roles in any unit, 403 to others",
}


def test_every_form_with_a_choice_of_rows_is_tried():
    names = {c.__name__ for c in _form_classes()}
    assert names == set(_builders()) | set(NOT_COUNTY_FORMS)


#: Forms known to offer rows the user cannot see: the bug stays checked (a strict xfail
#: fails once it is fixed; then take the entry out).
KNOWN_LEAKS: dict[str, str] = {}


def _form_names():
    return [
        pytest.param(
            name,
            marks=pytest.mark.xfail(strict=True, raises=AssertionError, reason=KNOWN_LEAKS[name]),
        )
        if name in KNOWN_LEAKS
        else name
        for name in sorted(_builders())
    ]


@pytest.mark.parametrize("name", _form_names())
def test_a_form_offers_no_row_the_user_cannot_see_and_refuses_its_id(region, name):
    r = region
    who, build = _builders()[name]
    user = getattr(r, who)
    empty = build(r, None)
    tried = 0
    for field_name, field in empty.fields.items():
        if not isinstance(field, forms.ModelChoiceField):
            continue
        model = field.queryset.model
        if model in NOT_SCOPED:
            continue
        for row in hidden_rows(r, model):
            if _sees(user, row):
                continue
            assert not field.queryset.filter(pk=row.pk).exists(), (name, field_name, row)
            many = isinstance(field, forms.ModelMultipleChoiceField)
            missing = (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1000
            errors = []
            for pk in (row.pk, missing):
                value = [str(pk)] if many else str(pk)
                bound = build(r, _data(field_name, value, prefix=empty.prefix, many=many))
                assert not bound.is_valid()
                errors.append(
                    [str(e).replace(str(pk), "ID") for e in bound.errors.get(field_name, [])]
                )
            assert errors[0] and errors[0] == errors[1], (name, field_name, errors)
            html = str(build(r, None))
            assert not [w for w in _words(row) if w and w in html], (name, field_name)
            tried += 1
    assert tried or name in ALL_SEEN, f"{name}: no field held a row to hide from {who}"


def _data(field: str, value, *, prefix: str | None, many: bool):
    from django.http import QueryDict

    data = QueryDict(mutable=True)
    key = f"{prefix}-{field}" if prefix else field
    if many:
        data.setlist(key, value)
    else:
        data[key] = value
    return data


# --- the leak that was found --------------------------------------------------------------


def test_a_county_office_cannot_link_a_task_it_cannot_see_nor_learn_of_it(region, client_for):
    r = region
    client = client_for(r.staff)
    secret = r.hidden_task
    page = client.post(
        f"/ledger/tasks/{r.task.pk}/edit/",
        {
            "code": r.task.code,
            "title": r.task.title,
            "area": r.task.area_id,
            "source": r.task.source,
            "lead_unit": r.task.lead_unit_id,
            "deliverable_kind": r.task.deliverable_kind,
            "start_date": "2016-01-01",
            "deadline": "2016-12-31",
            "depends_on": [secret.pk],
            "parent": secret.pk,
            "version": r.task.version,
        },
    )
    assert page.status_code == 200 and page.context["form"].errors.keys() >= {
        "depends_on",
        "parent",
    }
    api = client.patch(
        f"/api/v1/tasks/{r.task.pk}/",
        {"depends_on": [secret.pk], "version": r.task.version},
        content_type=JSON,
    )
    assert api.status_code == 400 and "depends_on" in api.json()
    with pytest.raises(Exception) as refused:
        services.task_update(task=r.task, by=r.staff, depends_on=[secret], version=r.task.version)
    assert "depends_on" in refused.value.message_dict
    shown = client.get(f"/ledger/tasks/{r.task.pk}/").content.decode()
    for text in (secret.code, secret.title):
        assert text not in page.content.decode() + api.content.decode() + shown
    assert not r.task.depends_on.exists() and r.task.parent_id is None


def test_a_task_page_names_no_linked_task_the_reader_cannot_see(
    world, office_staff, huiyang_liaison, client_for
):
    """The city office links tasks of its ledger as it sees them; a county liaison who
    reads one of them is shown only the linked tasks it may see itself — not the parent,
    sub-tasks, dependencies or dependents led by others, on the page, its history or the
    API — while the office still sees every link."""
    mine, hidden = world.task_huiyang, world.task_boluo  # 博罗县 leads the hidden one
    other = services.task_create(
        by=office_staff,
        office=world.office,
        year=YEAR,
        code="2016-009",
        title="市直机密改革",
        area=world.economy,
        lead_unit=world.fgj,
        deliverable_kind="policy",
        start_date=dt.date(YEAR, 1, 1),
        deadline=dt.date(YEAR, 12, 31),
    )
    services.task_update(
        task=mine, by=office_staff, version=mine.version, parent=hidden, depends_on=[hidden]
    )
    services.task_update(
        task=other, by=office_staff, version=other.version, parent=mine, depends_on=[mine]
    )
    secrets = [hidden.code, hidden.title, other.code, other.title]

    reader = client_for(huiyang_liaison)
    page = reader.get(f"/ledger/tasks/{mine.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    history = reader.get(f"/ledger/tasks/{mine.pk}/history/", HTTP_ACCEPT_LANGUAGE="en")
    api = reader.get(f"/api/v1/tasks/{mine.pk}/")
    assert page.status_code == history.status_code == api.status_code == 200
    for answer in (page, history, api):
        text = answer.content.decode()
        assert [s for s in secrets if s in text] == [], answer.request["PATH_INFO"]
    # The history says a link changed, to a task the reader cannot see.
    assert "(a task you cannot see)" in history.content.decode()

    office = client_for(office_staff).get(f"/ledger/tasks/{mine.pk}/").content.decode()
    assert all(s in office for s in secrets)
