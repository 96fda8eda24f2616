"""Grassroots innovations (基层创新) and their spread (推广): a county, zone, department
or town proposes one; the office accepts it (and may turn it into a municipal pilot or
a ledger task), returns it to be revised, or declines it; a proven one is declared a
replicable experience (可复制推广经验) with a written summary, and other units record
that they adopted it, with their own result.

Each act checks the permission first, refuses an act its state does not allow as a
ConflictError (409, nothing changed, like a decided answer in supervision) and writes
its audit record in the same transaction. The office's staff are told of a proposal,
the proposing unit's people of the office's decision.
"""

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from reformledger.audit import services as audit
from reformledger.core.clock import business_now, business_today
from reformledger.core.exceptions import ConflictError, StaleVersionError
from reformledger.ledger.evidence import CheckedUpload, check_upload, store_checked
from reformledger.ledger.models import Task
from reformledger.notifications import services as notices
from reformledger.notifications.choices import NotificationKind
from reformledger.orgs.choices import Role, UnitKind
from reformledger.orgs.models import Unit
from reformledger.orgs.permissions import scopes_of
from reformledger.orgs.selectors import unit_members
from reformledger.pilots import permissions
from reformledger.pilots.choices import InnovationStatus, PilotLevel
from reformledger.pilots.models import Adoption, Innovation, InnovationFile, Pilot

__all__ = [
    "INNOVATION_FIELDS",
    "PROPOSING_KINDS",
    "innovation_accept",
    "innovation_adopt",
    "innovation_attach",
    "innovation_declare",
    "innovation_decline",
    "innovation_file_open",
    "innovation_propose",
    "innovation_return",
    "innovation_revise",
]

#: What the proposing unit writes, and may revise when the office returns it.
INNOVATION_FIELDS = ("year", "title", "problem", "actions", "results")
#: The state of an innovation and who decided it, as its history records the changes.
DECISION_FIELDS = ("status", "decision_reason", "pilot", "task", "experience")
#: The units that propose innovations: not the city, an office or a village.
PROPOSING_KINDS = (UnitKind.COUNTY, UnitKind.ZONE, UnitKind.DEPARTMENT, UnitKind.TOWN)
FIRST_YEAR, LAST_YEAR = 2000, 2100
UNIT_ROLES = (Role.UNIT_REPORTER, Role.UNIT_HEAD)


# --- checks ----------------------------------------------------------------------------


def _text(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value


def _host_path(office: Unit) -> str:
    """The path of the unit hosting the office (its city, or a county for a county
    office): the office's ledger reaches the units below it."""
    return office.path[: -Unit.steplen]


def _reached(office: Unit, unit: Unit) -> bool:
    return unit.pk != office.pk and unit.path.startswith(_host_path(office))


def _check_office(office: Unit) -> Unit:
    if office.kind != UnitKind.OFFICE:
        raise ValidationError({"office": _("Innovations are proposed to a reform office.")})
    return office


def _check_unit(office: Unit, unit: Unit) -> None:
    if unit.kind not in PROPOSING_KINDS or not unit.is_active or not _reached(office, unit):
        raise ValidationError(
            {
                "unit": _(
                    "A county, zone, department or town under this office's city proposes "
                    "an innovation."
                )
            }
        )


def _check_year(year: Any) -> int:
    if not isinstance(year, int) or isinstance(year, bool) or not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValidationError(
            {"year": _("Give a year from %(a)s to %(b)s.") % {"a": FIRST_YEAR, "b": LAST_YEAR}}
        )
    return year


_MESSAGES = {
    "title": lambda: _("Give the innovation a title."),
    "problem": lambda: _("Say what problem the innovation addresses."),
    "actions": lambda: _("Say what the unit did."),
    "results": lambda: _("Say what results it brought."),
}


def _checked_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """The proposing unit's fields, each checked and trimmed; every field in error is
    named at once."""
    out, errors = {}, {}
    for name, value in fields.items():
        check = _check_year if name == "year" else lambda v, n=name: _text(v, n, _MESSAGES[n]())
        try:
            out[name] = check(value)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if len(out.get("title", "")) > 200:
        errors["title"] = [_("A title has at most 200 characters.")]
    if errors:
        raise ValidationError(errors)
    return out


def _locked(innovation: Innovation) -> Innovation:
    return (
        Innovation.objects.select_for_update(of=("self",))
        .select_related("office", "unit")
        .get(pk=innovation.pk)
    )


def _require_status(innovation: Innovation, *wanted: str, message: str) -> None:
    """A ConflictError (nothing changed) unless the innovation is in one of `wanted`;
    `message` names the state it is in as %(status)s."""
    if innovation.status not in wanted:
        raise ConflictError(message % {"status": InnovationStatus(innovation.status).label})


def _checked_uploads(files: Iterable) -> list[tuple[Any, CheckedUpload]]:
    # Every file is checked before anything is written: one bad file refuses them all.
    return [(f, check_upload(f)) for f in files]


def _store(
    innovation: Innovation, by, upload, info: CheckedUpload, adoption: Adoption | None = None
) -> InnovationFile:
    stored = store_checked(
        InnovationFile,
        upload,
        info,
        innovation=innovation,
        adoption=adoption,
        uploaded_by=by,
    )
    return stored


# --- telling people --------------------------------------------------------------------


def _tell(users, *, key: str, title: str, body: str, link: str) -> int:
    """Tell each of `users` in the app and by e-mail, once per `key`."""
    return notices.notify_each(
        users, kind=NotificationKind.NOTICE, key=key, title=title, body=body, link=link
    )


def _link(innovation: Innovation) -> str:
    return reverse("pilots:innovation", args=[innovation.pk])


def _tell_office(innovation: Innovation, *, title: str, body: str) -> int:
    """The office's staff (改革办科员), who prepare its decisions."""
    return _tell(
        unit_members(innovation.office, (Role.OFFICE_ADMIN,)),
        key=f"innovation:{innovation.pk}:proposed:{innovation.version}",
        title=title,
        body=body,
        link=_link(innovation),
    )


def _tell_unit(innovation: Innovation, *, act: str, title: str, body: str) -> int:
    """The proposing unit's liaisons and head."""
    return _tell(
        unit_members(innovation.unit, UNIT_ROLES),
        key=f"innovation:{innovation.pk}:{act}:{innovation.version}",
        title=title,
        body=body,
        link=_link(innovation),
    )


# --- proposing and revising ------------------------------------------------------------


@transaction.atomic
def innovation_propose(
    *,
    office: Unit,
    unit: Unit,
    by,
    year: int,
    title: str,
    problem: str,
    actions: str,
    results: str,
    files: Iterable = (),
) -> Innovation:
    """A unit's liaison or head proposes an innovation of their unit (or a unit below
    it) to the office: the problem, what was done, the results, with evidence files.
    The office's staff are told."""
    if not permissions.can_propose(by, unit):
        raise PermissionDenied(f"propose not allowed for unit {unit.pk}")
    office = _check_office(office)
    _check_unit(office, unit)
    fields = _checked_fields(
        {"year": year, "title": title, "problem": problem, "actions": actions, "results": results}
    )
    checked = _checked_uploads(files)
    innovation = Innovation.objects.create(
        office=office, unit=unit, proposed_by=by, proposed_at=business_now(), **fields
    )
    for upload, info in checked:
        _store(innovation, by, upload, info)
    audit.record(
        actor=by,
        verb="innovation.proposed",
        obj=innovation,
        changes={
            "unit": str(unit),
            "year": fields["year"],
            "title": fields["title"],
            "files": [info.name for _u, info in checked],
        },
    )
    _tell_office(
        innovation,
        title=_("%(unit)s proposes an innovation: %(title)s")
        % {"unit": unit.name, "title": innovation.title},
        body=innovation.problem,
    )
    return innovation


@transaction.atomic
def innovation_revise(
    *, innovation: Innovation, by, version: int | None = None, files: Iterable = (), **fields: Any
) -> Innovation:
    """The proposing unit revises an innovation the office returned and proposes it
    again (returned → proposed), with more evidence if it likes. `version` is the
    version the caller read: a stale one changes nothing (StaleVersionError). The
    office's staff are told again."""
    permissions.require(by, "revise", innovation)
    unknown = set(fields) - set(INNOVATION_FIELDS)
    if unknown:
        raise TypeError(f"unknown innovation fields: {sorted(unknown)}")
    innovation = _locked(innovation)
    if version is not None and version != innovation.version:
        raise StaleVersionError(
            _("This innovation was changed by someone else (version %(now)s, you read %(read)s).")
            % {"now": innovation.version, "read": version}
        )
    _require_status(
        innovation,
        InnovationStatus.RETURNED,
        message=_("Only a returned innovation is revised; this one is %(status)s."),
    )
    changes = _checked_fields(fields)
    checked = _checked_uploads(files)
    watched = (*INNOVATION_FIELDS, "status", "decision_reason")
    before = audit.snapshot(innovation, watched)
    for name, value in changes.items():
        setattr(innovation, name, value)
    innovation.status = InnovationStatus.PROPOSED
    # The office's earlier decision stays in the history; the row awaits a new one.
    innovation.decision_reason, innovation.decided_by, innovation.decided_at = "", None, None
    innovation.version += 1
    innovation.save()
    for upload, info in checked:
        _store(innovation, by, upload, info)
    delta = audit.diff(before, audit.snapshot(innovation, watched))
    if checked:
        delta["files"] = [info.name for _u, info in checked]
    audit.record(actor=by, verb="innovation.revised", obj=innovation, changes=delta)
    _tell_office(
        innovation,
        title=_("%(unit)s revised its innovation: %(title)s")
        % {"unit": innovation.unit.name, "title": innovation.title},
        body=innovation.problem,
    )
    return innovation


# --- the office decides ----------------------------------------------------------------


def _undecided(innovation: Innovation, by) -> Innovation:
    permissions.require(by, "decide", innovation)
    innovation = _locked(innovation)
    _require_status(
        innovation,
        InnovationStatus.PROPOSED,
        message=_("This innovation has already been decided: it is %(status)s."),
    )
    return innovation


def _decide(
    innovation: Innovation,
    *,
    by,
    status: str,
    reason: str,
    verb: str,
    title: str,
    **links: Any,
) -> Innovation:
    before = audit.snapshot(innovation, DECISION_FIELDS)
    innovation.status = status
    innovation.decision_reason = reason
    innovation.decided_by, innovation.decided_at = by, business_now()
    for name, value in links.items():
        setattr(innovation, name, value)
    innovation.version += 1
    innovation.save(
        update_fields=[
            "status",
            "decision_reason",
            "decided_by",
            "decided_at",
            "version",
            *links,
        ]
    )
    audit.record(
        actor=by,
        verb=verb,
        obj=innovation,
        changes=audit.diff(before, audit.snapshot(innovation, DECISION_FIELDS)),
        reason=reason,
    )
    _tell_unit(
        innovation,
        act=status,
        title=title % {"title": innovation.title},
        body=reason or innovation.title,
    )
    return innovation


@transaction.atomic
def innovation_accept(
    *,
    innovation: Innovation,
    by,
    reason: str = "",
    pilot: Pilot | None = None,
    task: Task | None = None,
) -> Innovation:
    """The office accepts a proposed innovation, and may say what it was turned into: a
    municipal pilot or a task of its own ledger. The proposing unit is told."""
    innovation = _undecided(innovation, by)
    if pilot is not None and (
        pilot.office_id != innovation.office_id or pilot.level != PilotLevel.MUNICIPAL
    ):
        raise ValidationError({"pilot": _("Choose a municipal pilot of this office.")})
    if task is not None and task.office_id != innovation.office_id:
        raise ValidationError(
            {"task": _("The task %(code)s is not on this office's ledger.") % {"code": task.code}}
        )
    return _decide(
        innovation,
        by=by,
        status=InnovationStatus.ACCEPTED,
        reason=(reason or "").strip(),
        verb="innovation.accepted",
        title=_("Your innovation was accepted: %(title)s"),
        pilot=pilot,
        task=task,
    )


@transaction.atomic
def innovation_return(*, innovation: Innovation, by, reason: str) -> Innovation:
    """The office returns a proposed innovation with the reason; the unit revises it and
    proposes it again. The proposing unit is told."""
    permissions.require(by, "decide", innovation)
    reason = _text(reason, "reason", _("Say why the innovation is returned."))
    return _decide(
        _undecided(innovation, by),
        by=by,
        status=InnovationStatus.RETURNED,
        reason=reason,
        verb="innovation.returned",
        title=_("Your innovation was returned to be revised: %(title)s"),
    )


@transaction.atomic
def innovation_decline(*, innovation: Innovation, by, reason: str) -> Innovation:
    """The office declines a proposed innovation, with the reason: its way ends here.
    The proposing unit is told."""
    permissions.require(by, "decide", innovation)
    reason = _text(reason, "reason", _("Say why the innovation is declined."))
    return _decide(
        _undecided(innovation, by),
        by=by,
        status=InnovationStatus.DECLINED,
        reason=reason,
        verb="innovation.declined",
        title=_("Your innovation was declined: %(title)s"),
    )


@transaction.atomic
def innovation_declare(*, innovation: Innovation, by, experience: str) -> Innovation:
    """The office declares an accepted innovation that has proven itself a replicable
    experience (可复制推广经验), with the written summary other units read before they
    adopt it. The proposing unit is told."""
    permissions.require(by, "decide", innovation)
    experience = _text(
        experience, "experience", _("Write the summary of the experience other units can follow.")
    )
    innovation = _locked(innovation)
    _require_status(
        innovation,
        InnovationStatus.ACCEPTED,
        message=_("Only an accepted innovation is declared replicable; this one is %(status)s."),
    )
    before = audit.snapshot(innovation, DECISION_FIELDS)
    innovation.status = InnovationStatus.REPLICABLE
    innovation.experience = experience
    innovation.declared_at = business_now()
    innovation.version += 1
    innovation.save(update_fields=["status", "experience", "declared_at", "version"])
    audit.record(
        actor=by,
        verb="innovation.declared",
        obj=innovation,
        changes=audit.diff(before, audit.snapshot(innovation, DECISION_FIELDS)),
    )
    _tell_unit(
        innovation,
        act="declared",
        title=_("Your innovation was declared a replicable experience: %(title)s")
        % {"title": innovation.title},
        body=experience,
    )
    return innovation


# --- the spread (推广) -----------------------------------------------------------------


@transaction.atomic
def innovation_adopt(
    *,
    innovation: Innovation,
    unit: Unit,
    by,
    adopted_on: dt.date,
    result: str,
    files: Iterable = (),
) -> Adoption:
    """Another unit's liaison or head records that their unit adopted a replicable
    experience (推广), when, and with what result, with evidence files. Once per unit;
    the proposing unit does not adopt its own. The proposing unit is told."""
    permissions.require(by, "adopt", innovation)
    innovation = _locked(innovation)
    _require_status(
        innovation,
        InnovationStatus.REPLICABLE,
        message=_("Only a replicable experience is adopted; this one is %(status)s."),
    )
    if unit.pk == innovation.unit_id:
        raise ValidationError({"unit": _("The proposing unit does not adopt its own experience.")})
    if not scopes_of(by).covers(unit.path, *UNIT_ROLES) or not _reached(innovation.office, unit):
        raise ValidationError({"unit": _("Record the adoption for your own unit.")})
    if not isinstance(adopted_on, dt.date) or adopted_on > business_today():
        raise ValidationError({"adopted_on": _("The day of adoption cannot be in the future.")})
    result = _text(result, "result", _("Say what the adoption brought in your unit."))
    checked = _checked_uploads(files)
    if Adoption.objects.filter(innovation=innovation, unit=unit).exists():
        raise ConflictError(
            _("%(unit)s has already recorded adopting this experience.") % {"unit": unit.name}
        )
    try:
        with transaction.atomic():
            adoption = Adoption.objects.create(
                innovation=innovation,
                unit=unit,
                adopted_on=adopted_on,
                result=result,
                recorded_by=by,
                recorded_at=business_now(),
            )
    except IntegrityError as exc:  # recorded at the same moment by a colleague
        raise ConflictError(
            _("%(unit)s has already recorded adopting this experience.") % {"unit": unit.name}
        ) from exc
    for upload, info in checked:
        _store(innovation, by, upload, info, adoption)
    audit.record(
        actor=by,
        verb="innovation.adopted",
        obj=adoption,
        ctx=innovation,
        changes={
            "unit": str(unit),
            "adopted_on": adopted_on,
            "files": [info.name for _u, info in checked],
        },
    )
    _tell(
        unit_members(innovation.unit, UNIT_ROLES),
        key=f"innovation:{innovation.pk}:adopted:{unit.pk}",
        title=_("%(unit)s adopted your experience: %(title)s")
        % {"unit": unit.name, "title": innovation.title},
        body=result,
        link=_link(innovation),
    )
    return adoption


# --- evidence files --------------------------------------------------------------------


@transaction.atomic
def innovation_attach(
    *, innovation: Innovation, by, upload, adoption: Adoption | None = None
) -> InnovationFile:
    """Attach one more evidence file: to the innovation, by the proposing unit (not
    once declined); or to an adoption, by the adopting unit. The file is checked as
    every evidence file is (ledger.evidence)."""
    if adoption is None:
        permissions.require(by, "revise", innovation)
    else:
        if adoption.innovation_id != innovation.pk:
            raise ValidationError({"adoption": _("The adoption is not of this innovation.")})
        permissions.require(by, "view", innovation)
        if not scopes_of(by).covers(adoption.unit.path, *UNIT_ROLES):
            raise PermissionDenied(f"attach not allowed on adoption {adoption.pk}")
    innovation = _locked(innovation)
    if innovation.status == InnovationStatus.DECLINED:
        raise ConflictError(_("This innovation was declined: no more evidence is kept with it."))
    info = check_upload(upload)
    stored = _store(innovation, by, upload, info, adoption)
    changes = {"file_name": info.name}
    if adoption is not None:
        changes["unit"] = str(adoption.unit)  # the adopting unit the file is evidence of
    audit.record(actor=by, verb="evidence.added", obj=stored, ctx=innovation, changes=changes)
    return stored


def innovation_file_open(*, stored: InnovationFile, by):
    """Open an innovation's evidence file for download (the caller checked that the user
    sees its innovation); the download is in the audit trail."""
    audit.record(actor=by, verb="file.downloaded", obj=stored, ctx=stored.innovation)
    stored.file.open("rb")
    return stored.file
