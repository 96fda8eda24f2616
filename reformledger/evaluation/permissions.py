"""Who sees which evaluation and who may do which act: one rule for pages, exports,
API and services.

- The office's staff and leaders, and city leaders (read-only), see every evaluation
  of the offices under their unit.
- A member of an evaluation team sees the evaluations assigned to that team, and
  nothing else of the app. A third-party evaluator (Role.EVALUATOR) sees nothing of
  the ledger itself: the scope's tasks, their plans, reports, ratings, closings and
  evidence reach them only through this app's pages (`visible_scope_tasks`).
- A unit under evaluation (its liaison and head) sees the evaluations it is under, to
  write its self-assessment (自评); it sees its own self-assessment, not the team's
  scores or other units' self-assessments until the evaluation is closed.
- Administrators and the auditor see nothing here.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet

from reformledger.evaluation.models import (
    Evaluation,
    EvaluationTeam,
    Finding,
    SelfAssessment,
    TeamMember,
)
from reformledger.ledger.models import Task
from reformledger.orgs.choices import Role
from reformledger.orgs.models import Unit
from reformledger.orgs.permissions import scopes_of, under_any

OFFICE = (Role.OFFICE_ADMIN, Role.OFFICE_LEADER)
READERS = (*OFFICE, Role.CITY_LEADER)
UNIT = (Role.UNIT_REPORTER, Role.UNIT_HEAD)

#: act -> who may do it; see docs/permissions.md.
ACTS = {
    "view": "the office, city leaders, the evaluation's team, the units under evaluation",
    "read_all": "the office, city leaders and the team (scores, every self-assessment, scope)",
    "manage": "office staff and leaders (create, edit criteria, assign, open, review, close)",
    "score": "members of the evaluation's team (scores, findings, submit for review)",
    "self_assess": "the liaison (or head) of a unit under evaluation (its self-assessment)",
}


def _office_q(user, lookup: str = "office") -> Q:
    return under_any(lookup, scopes_of(user).paths(*READERS))


def _member_q(user, lookup: str = "team") -> Q:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Q(pk__in=[])
    member = TeamMember.objects.filter(team_id=OuterRef(f"{lookup}_id"), user=user)
    return Q(Exists(member))


def _unit_q(user) -> Q:
    paths = scopes_of(user).paths(*UNIT)
    if not paths:
        return Q(pk__in=[])
    units = Evaluation.units.through.objects.filter(
        under_any("unit", paths), evaluation_id=OuterRef("pk")
    )
    return Q(Exists(units))


def visible_evaluations(user) -> QuerySet[Evaluation]:
    """Evaluations of the user's offices; those of the user's team; those the user's
    unit is under."""
    return Evaluation.objects.filter(_office_q(user) | _member_q(user) | _unit_q(user))


def readable_evaluations(user) -> QuerySet[Evaluation]:
    """Evaluations whose scores, scope and every self-assessment the user reads: the
    office's and city leaders', and the team's own."""
    return Evaluation.objects.filter(_office_q(user) | _member_q(user))


def visible_self_assessments(user) -> QuerySet[SelfAssessment]:
    """Self-assessments of evaluations the user reads in full; and their own unit's."""
    q = Q(evaluation__in=readable_evaluations(user).values("pk"))
    paths = scopes_of(user).paths(*UNIT)
    if paths:
        q |= under_any("unit", paths) & Q(evaluation__in=visible_evaluations(user).values("pk"))
    return SelfAssessment.objects.filter(q)


def visible_findings(user) -> QuerySet[Finding]:
    """Findings of evaluations the user reads in full; for a unit, the findings about it
    once the evaluation is closed."""
    q = Q(evaluation__in=readable_evaluations(user).values("pk"))
    paths = scopes_of(user).paths(*UNIT)
    if paths:
        q |= under_any("unit", paths) & Q(evaluation__status="closed")
    return Finding.objects.filter(q)


def visible_scope_tasks(user, evaluation: Evaluation) -> QuerySet[Task]:
    """The tasks in `evaluation`'s scope (named tasks, tasks of its pilots, and for its
    reform areas the office's tasks of the year in them), if the user reads it in full."""
    if not readable_evaluations(user).filter(pk=evaluation.pk).exists():
        return Task.objects.none()
    return scope_tasks(evaluation)


def scope_tasks(evaluation: Evaluation) -> QuerySet[Task]:
    """Every task in `evaluation`'s scope (no permission check: for services)."""
    area_ids = list(evaluation.areas.values_list("pk", flat=True))
    q = Q(evaluations=evaluation) | Q(pilots__evaluations=evaluation)
    if area_ids:
        q |= Q(office_id=evaluation.office_id, year=evaluation.year, area_id__in=area_ids)
    ids = Task.objects.filter(q).values("pk")
    return Task.objects.filter(pk__in=ids)


def scope_tasks_read(user) -> QuerySet[Task]:
    """Every task in the scope of an evaluation the user reads in full (the tasks a
    finding may name)."""
    readable = readable_evaluations(user)
    in_areas = Evaluation.areas.through.objects.filter(
        evaluation__in=readable,
        reformarea_id=OuterRef("area_id"),
        evaluation__office_id=OuterRef("office_id"),
        evaluation__year=OuterRef("year"),
    )
    q = Q(evaluations__in=readable) | Q(pilots__evaluations__in=readable) | Q(Exists(in_areas))
    return Task.objects.filter(pk__in=Task.objects.filter(q).values("pk"))


def visible_teams(user) -> QuerySet[EvaluationTeam]:
    """Teams of the offices the user works in (office staff and leaders only)."""
    return EvaluationTeam.objects.filter(under_any("office", scopes_of(user).paths(*OFFICE)))


def sees_evaluations(user) -> bool:
    """Whether the user works evaluations at all (menus and the section's pages)."""
    if scopes_of(user).has(*READERS, *UNIT):
        return True
    return TeamMember.objects.filter(user=user).exists() if user.is_authenticated else False


def runs_evaluations(user) -> bool:
    """Whether the user manages evaluations in some office."""
    return scopes_of(user).has(*OFFICE)


def is_member(user, evaluation: Evaluation) -> bool:
    """Whether `user` is on the team assigned to `evaluation`."""
    if evaluation.team_id is None or not getattr(user, "is_authenticated", False):
        return False
    return TeamMember.objects.filter(team_id=evaluation.team_id, user=user).exists()


def can_office(user, office: Unit) -> bool:
    """Whether `user` manages evaluations and teams of `office`."""
    return scopes_of(user).covers(office.path, *OFFICE)


def can_self_assess(user, evaluation: Evaluation, unit: Unit) -> bool:
    """Whether `user` writes `unit`'s self-assessment in `evaluation`: the liaison of the
    unit (or of a unit above it), or its head where it has no liaison of its own, the
    unit being under evaluation."""
    if not scopes_of(user).covers(unit.path, *UNIT):
        return False
    return evaluation.units.filter(pk=unit.pk).exists()


def self_assessing_units(user, evaluation: Evaluation) -> QuerySet[Unit]:
    """The units under `evaluation` whose self-assessment `user` writes."""
    paths = scopes_of(user).paths(*UNIT)
    if not paths:
        return Unit.objects.none()
    return evaluation.units.filter(under_any("", paths)).order_by("path")


def can(user, act: str, evaluation: Evaluation) -> bool:
    """Whether `user` may do `act` on `evaluation`."""
    if act not in ACTS:
        raise ValueError(f"unknown act {act!r}")
    if act == "view":
        return visible_evaluations(user).filter(pk=evaluation.pk).exists()
    if act == "read_all":
        return readable_evaluations(user).filter(pk=evaluation.pk).exists()
    if act == "manage":
        return scopes_of(user).covers(evaluation.office.path, *OFFICE)
    if act == "score":
        return is_member(user, evaluation)
    if act == "self_assess":
        return self_assessing_units(user, evaluation).exists()
    return False


def require(user, act: str, evaluation: Evaluation) -> None:
    if not can(user, act, evaluation):
        raise PermissionDenied(f"{act} not allowed on evaluation {evaluation.pk}")


def require_office(user, office: Unit) -> None:
    if not can_office(user, office):
        raise PermissionDenied(f"evaluations not managed by this user in office {office.pk}")
