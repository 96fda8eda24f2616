"""Sub-projects (子项目) of a pilot: added and changed by the office or the pilot's host
unit, each act with its audit record (in the pilot's history) in the same transaction.
Their completed investment comes from investment reports (`services.investment`)."""

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from reformledger.audit import services as audit
from reformledger.core.exceptions import ConflictError, StaleVersionError
from reformledger.orgs.models import Unit
from reformledger.pilots import permissions
from reformledger.pilots.choices import PilotStatus
from reformledger.pilots.models import Pilot, SubProject

__all__ = [
    "SUB_PROJECT_FIELDS",
    "may_edit_sub_projects",
    "sub_project_create",
    "sub_project_update",
]

SUB_PROJECT_FIELDS = ("code", "name", "host_unit", "planned_investment")
_CLOSED = (PilotStatus.CONCLUDED, PilotStatus.ENDED)


def may_edit_sub_projects(user, pilot: Pilot) -> bool:
    """The office (manage) or the pilot's host unit (report) adds and changes them."""
    return permissions.can(user, "manage", pilot) or permissions.can(user, "report", pilot)


def _require(user, pilot: Pilot) -> None:
    if not may_edit_sub_projects(user, pilot):
        raise PermissionDenied(f"sub-projects not editable on pilot {pilot.pk}")


def _open_pilot(pilot: Pilot) -> Pilot:
    locked = Pilot.objects.select_for_update(of=("self",)).get(pk=pilot.pk)
    if locked.status in _CLOSED:
        raise ConflictError(
            _("The pilot %(code)s is %(status)s: its sub-projects are no longer changed.")
            % {"code": locked.code, "status": locked.get_status_display()}
        )
    return locked


def _check(sub: SubProject, by) -> None:
    errors: dict[str, str] = {}
    sub.code = (sub.code or "").strip()
    sub.name = (sub.name or "").strip()
    if not sub.code:
        errors["code"] = _("Give the sub-project's code.")
    if not sub.name:
        errors["name"] = _("Give the sub-project's name.")
    if not sub.host_unit_id:
        errors["host_unit"] = _("Choose the host unit.")
    elif not Unit.objects.filter(pk=sub.host_unit_id, is_active=True).exists():
        errors["host_unit"] = _("The host unit no longer exists (merged or dissolved).")
    elif not permissions.sub_project_hosts(by, sub.pilot).filter(pk=sub.host_unit_id).exists():
        # A unit the user may not see is no choice of theirs (as on the page and the API).
        errors["host_unit"] = _("Choose the host unit.")
    try:
        amount = Decimal(str(sub.planned_investment))
    except (InvalidOperation, ValueError, TypeError):
        errors["planned_investment"] = _("Give the planned investment in 10,000 yuan.")
    else:
        if not amount.is_finite() or amount < 0:
            errors["planned_investment"] = _("The planned investment cannot be negative.")
        elif amount >= Decimal("1e12"):
            errors["planned_investment"] = _("The planned investment is too large.")
        else:
            sub.planned_investment = amount.quantize(Decimal("0.01"))
    taken = SubProject.objects.filter(pilot_id=sub.pilot_id, code=sub.code).exclude(pk=sub.pk)
    if sub.code and taken.exists():
        errors["code"] = _("The code %(code)s is already used in this pilot.") % {"code": sub.code}
    if errors:
        raise ValidationError(errors)


def _save(sub: SubProject) -> None:
    try:
        with transaction.atomic():
            sub.save()
    except IntegrityError as exc:
        raise ValidationError(
            {"code": _("The code %(code)s is already used in this pilot.") % {"code": sub.code}}
        ) from exc


@transaction.atomic
def sub_project_create(
    *, pilot: Pilot, by, code: str, name: str, host_unit: Unit, planned_investment: Decimal
) -> SubProject:
    """Add a sub-project to a pilot not yet concluded or ended, with its host unit and
    planned investment (10,000 yuan)."""
    _require(by, pilot)
    pilot = _open_pilot(pilot)
    sub = SubProject(
        pilot=pilot,
        code=code,
        name=name,
        host_unit=host_unit,
        planned_investment=planned_investment,
    )
    _check(sub, by)
    _save(sub)
    audit.record(
        actor=by,
        verb="sub_project.created",
        obj=sub,
        ctx=pilot,
        changes={k: [None, v] for k, v in audit.snapshot(sub, SUB_PROJECT_FIELDS).items()},
    )
    return sub


@transaction.atomic
def sub_project_update(
    *, sub_project: SubProject, by, version: int | None = None, **fields: Any
) -> SubProject:
    """Change a sub-project. `version` is the one the caller read, compared on the locked
    row: a stale one is a StaleVersionError and changes nothing."""
    _require(by, sub_project.pilot)
    unknown = set(fields) - set(SUB_PROJECT_FIELDS)
    if unknown:
        raise TypeError(f"unknown sub-project fields: {sorted(unknown)}")
    pilot = _open_pilot(sub_project.pilot)
    sub = SubProject.objects.select_for_update().get(pk=sub_project.pk)
    if version is not None and version != sub.version:
        raise StaleVersionError(
            _("This sub-project was changed by someone else (version %(now)s, you read %(read)s).")
            % {"now": sub.version, "read": version}
        )
    before = audit.snapshot(sub, SUB_PROJECT_FIELDS)
    for name, value in fields.items():
        setattr(sub, name, value)
    _check(sub, by)
    delta = audit.diff(before, audit.snapshot(sub, SUB_PROJECT_FIELDS))
    if not delta:
        return SubProject.objects.get(pk=sub.pk)
    sub.version += 1
    _save(sub)
    audit.record(actor=by, verb="sub_project.updated", obj=sub, ctx=pilot, changes=delta)
    return sub
