"""The life of a reform pilot (改革试点): registered as applied (申报), approved (批复),
under way (实施), mid-term review (中期评估), acceptance (验收), concluded with its
experience written up (总结推广) — or ended early with a reason. Each act checks the
permission, locks the pilot, refuses a pilot in the wrong state (ConflictError: 409)
and writes its audit record in the same transaction."""

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from reformledger.audit import services as audit
from reformledger.core.clock import business_today
from reformledger.core.exceptions import ConflictError, StaleVersionError
from reformledger.ledger.evidence import check_upload, store_checked
from reformledger.ledger.models import Task
from reformledger.notifications import services as notices
from reformledger.notifications.choices import NotificationKind
from reformledger.orgs.choices import Role
from reformledger.orgs.models import Person, Unit
from reformledger.orgs.selectors import unit_members
from reformledger.pilots import permissions
from reformledger.pilots.choices import (
    AcceptanceResult,
    PilotFileKind,
    PilotLevel,
    PilotStatus,
)
from reformledger.pilots.models import Acceptance, MidTermReview, Pilot, PilotFile

__all__ = [
    "PILOT_FIELDS",
    "PILOT_M2M",
    "pilot_approve",
    "pilot_attach",
    "pilot_conclude",
    "pilot_end",
    "pilot_file_open",
    "pilot_open_acceptance",
    "pilot_open_mid_term",
    "pilot_record_acceptance",
    "pilot_register",
    "pilot_review",
    "pilot_start",
    "pilot_update",
]

#: Fields of a pilot that `pilot_update` changes (its state moves by its own acts).
PILOT_FIELDS = (
    "code",
    "name",
    "level",
    "granting_body",
    "host_unit",
    "leader",
    "start",
    "end",
    "goals",
    "brand",
    "approval_no",
    "approved_on",
)
PILOT_M2M = ("helping_units", "tasks")
AUDITED_FIELDS = (*PILOT_FIELDS, *PILOT_M2M)
STATE_FIELDS = ("status", "approval_no", "approved_on", "experience", "ended_reason")


# --- what the acts share -------------------------------------------------------------


def _text(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value


def _locked(pilot: Pilot, *statuses: str) -> Pilot:
    """The pilot's row locked and read again; a ConflictError when it is in none of
    `statuses` (someone moved it on since the page was read, or the act is repeated)."""
    locked = (
        Pilot.objects.select_for_update(of=("self",))
        .select_related("office", "host_unit")
        .get(pk=pilot.pk)
    )
    if statuses and locked.status not in statuses:
        raise ConflictError(
            _("The pilot %(code)s is %(status)s: this act is not possible now.")
            % {"code": locked.code, "status": locked.get_status_display()}
        )
    return locked


def _move(pilot: Pilot, status: str, *, by, verb: str, reason: str = "", **fields) -> Pilot:
    """Set the pilot's new state (and the fields going with it), bump its version and
    record the change."""
    before = audit.snapshot(pilot, STATE_FIELDS)
    pilot.status = status
    for name, value in fields.items():
        setattr(pilot, name, value)
    pilot.version += 1
    pilot.save(update_fields=["status", "version", *fields])
    audit.record(
        actor=by,
        verb=verb,
        obj=pilot,
        # The ledger's date of the act (core.clock): the record's own time is the real one.
        changes={
            **audit.diff(before, audit.snapshot(pilot, STATE_FIELDS)),
            "acted_on": business_today().isoformat(),
        },
        reason=reason,
    )
    return pilot


def _pilot_link(pilot: Pilot) -> str:
    return reverse("pilots:pilot", args=[pilot.pk])


def _tell_host(pilot: Pilot, *, event: str, title: str, body: str = "") -> None:
    """Tell the host unit's liaisons and head in the app, once per pilot and event."""
    notices.notify_each(
        unit_members(pilot.host_unit, (Role.UNIT_REPORTER, Role.UNIT_HEAD)),
        kind=NotificationKind.NOTICE,
        key=f"pilot:{pilot.pk}:{event}",
        title=title,
        body=body or pilot.name,
        link=_pilot_link(pilot),
    )


def _check_fields(
    pilot: Pilot, helping: Iterable[Unit], tasks: Iterable[Task]
) -> dict[str, list[str]]:
    """The errors of a pilot's fields, by field (empty when none)."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    for field, message in (
        ("code", _("Give the pilot's code.")),
        ("name", _("Give the pilot's name.")),
        ("granting_body", _("Say who granted the pilot.")),
        ("goals", _("Write the pilot's goals.")),
    ):
        value = (getattr(pilot, field) or "").strip()
        if not value:
            add(field, message)
        setattr(pilot, field, value)
    if pilot.level not in PilotLevel.values:
        add("level", _("Choose the pilot's level."))
    if pilot.start is None:
        add("start", _("Give the start of the pilot period."))
    if pilot.end is None:
        add("end", _("Give the end of the pilot period."))
    elif pilot.start is not None and pilot.end < pilot.start:
        add("end", _("The pilot period cannot end before it starts."))
    if not pilot.host_unit_id:
        add("host_unit", _("Choose the host unit."))
    elif not Unit.objects.filter(pk=pilot.host_unit_id, is_active=True).exists():
        add("host_unit", _("The host unit no longer exists (merged or dissolved)."))
    if pilot.brand and pilot.level != PilotLevel.MUNICIPAL:
        add("brand", _("Only a municipal pilot given to a county or zone carries a brand."))
    if pilot.host_unit_id and any(u.pk == pilot.host_unit_id for u in helping):
        add("helping_units", _("The host unit cannot also be a helping unit."))
    foreign = [t.code for t in tasks if t.office_id != pilot.office_id]
    if foreign:
        add(
            "tasks",
            _("Not on this office's ledger: %(codes)s.") % {"codes": ", ".join(sorted(foreign))},
        )
    if pilot.approved_on and pilot.approved_on > business_today():
        add("approved_on", _("The approval date cannot be in the future."))
    taken = Pilot.objects.filter(office_id=pilot.office_id, code=pilot.code).exclude(pk=pilot.pk)
    if pilot.code and taken.exists():
        add("code", _("The code %(code)s is already used.") % {"code": pilot.code})
    return errors


def _save_checked(pilot: Pilot) -> None:
    try:
        with transaction.atomic():
            pilot.save()
    except IntegrityError as exc:  # two people saving the same code at once
        raise ValidationError(
            {"code": _("The code %(code)s is already used.") % {"code": pilot.code}}
        ) from exc


def _store(pilot: Pilot, upload, info, *, by, kind: str, **links) -> PilotFile:
    """Keep an upload already checked (`check_upload`) with the pilot."""
    stored = store_checked(
        PilotFile,
        upload,
        info,
        pilot=pilot,
        kind=kind,
        uploaded_by=by,
        **links,
    )
    return stored


# --- registering and editing ----------------------------------------------------------


@transaction.atomic
def pilot_register(
    *,
    office: Unit,
    by,
    code: str,
    name: str,
    level: str,
    granting_body: str,
    host_unit: Unit,
    start: dt.date,
    end: dt.date,
    goals: str,
    helping_units: Iterable[Unit] = (),
    leader: Person | None = None,
    brand: str = "",
    tasks: Iterable[Task] = (),
    approval_no: str = "",
    approved_on: dt.date | None = None,
) -> Pilot:
    """Enter a pilot in the office's registry as applied (申报), with its host and
    helping units and the ledger tasks that carry it out (on the office's ledger)."""
    permissions.require_office(by, "manage", office)
    if office.kind != "office":
        raise ValidationError({"office": _("A pilot is registered by a reform office.")})
    helping, task_list = list(helping_units), list(tasks)
    pilot = Pilot(
        office=office,
        code=code,
        name=name,
        level=level,
        granting_body=granting_body,
        host_unit=host_unit,
        start=start,
        end=end,
        goals=goals,
        leader=leader,
        brand=(brand or "").strip(),
        approval_no=(approval_no or "").strip(),
        approved_on=approved_on,
        status=PilotStatus.APPLIED,
        created_by=by,
    )
    errors = _check_fields(pilot, helping, task_list)
    if errors:
        raise ValidationError(errors)
    _save_checked(pilot)
    pilot.helping_units.set(helping)
    pilot.tasks.set(task_list)
    audit.record(
        actor=by,
        verb="pilot.registered",
        obj=pilot,
        changes={k: [None, v] for k, v in audit.snapshot(pilot, AUDITED_FIELDS).items() if v},
    )
    return pilot


@transaction.atomic
def pilot_update(*, pilot: Pilot, by, version: int | None = None, **fields: Any) -> Pilot:
    """Change a pilot's particulars (not its state). `version` is the version the caller
    read, compared on the locked row: a stale one is a StaleVersionError and changes
    nothing. A concluded or ended pilot is not changed."""
    permissions.require(by, "manage", pilot)
    unknown = set(fields) - set(PILOT_FIELDS) - set(PILOT_M2M)
    if unknown:
        raise TypeError(f"unknown pilot fields: {sorted(unknown)}")
    pilot = _locked(pilot)
    if version is not None and version != pilot.version:
        raise StaleVersionError(
            _("This pilot was changed by someone else (version %(now)s, you read %(read)s).")
            % {"now": pilot.version, "read": version}
        )
    if pilot.status in (PilotStatus.CONCLUDED, PilotStatus.ENDED):
        raise ConflictError(
            _("The pilot %(code)s is %(status)s: it is no longer changed.")
            % {"code": pilot.code, "status": pilot.get_status_display()}
        )
    before = audit.snapshot(pilot, AUDITED_FIELDS)
    for name in PILOT_FIELDS:
        if name in fields:
            value = fields[name]
            if value is None and name in ("brand", "approval_no"):
                value = ""
            setattr(pilot, name, value)
    helping = list(fields.get("helping_units", pilot.helping_units.all()))
    tasks = list(fields.get("tasks", pilot.tasks.all()))
    errors = _check_fields(pilot, helping, tasks)
    if errors:
        raise ValidationError(errors)
    pilot.version += 1
    _save_checked(pilot)
    if "helping_units" in fields:
        pilot.helping_units.set(helping)
    if "tasks" in fields:
        pilot.tasks.set(tasks)
    delta = audit.diff(before, audit.snapshot(pilot, AUDITED_FIELDS))
    if not delta:
        # Nothing changed: the version bump is undone with the rest.
        transaction.set_rollback(True)
        pilot.version -= 1
        return pilot
    audit.record(actor=by, verb="pilot.updated", obj=pilot, changes=delta)
    return pilot


# --- its life ------------------------------------------------------------------------------


@transaction.atomic
def pilot_approve(*, pilot: Pilot, by, approval_no: str, approved_on: dt.date) -> Pilot:
    """Record the approval (批复) of an applied pilot: its document number and date."""
    permissions.require(by, "manage", pilot)
    pilot = _locked(pilot, PilotStatus.APPLIED)
    number = _text(approval_no, "approval_no", _("Give the approval document's number."))
    if approved_on is None:
        raise ValidationError({"approved_on": _("Give the date of the approval.")})
    if approved_on > business_today():
        raise ValidationError({"approved_on": _("The approval date cannot be in the future.")})
    pilot = _move(
        pilot,
        PilotStatus.APPROVED,
        by=by,
        verb="pilot.approved",
        approval_no=number,
        approved_on=approved_on,
    )
    _tell_host(
        pilot,
        event="approved",
        title=_("Pilot approved: %(name)s (%(no)s)") % {"name": pilot.name, "no": number},
    )
    return pilot


@transaction.atomic
def pilot_start(*, pilot: Pilot, by, note: str = "") -> Pilot:
    """An approved pilot is under way (实施)."""
    permissions.require(by, "manage", pilot)
    pilot = _locked(pilot, PilotStatus.APPROVED)
    return _move(pilot, PilotStatus.UNDER_WAY, by=by, verb="pilot.started", reason=note.strip())


@transaction.atomic
def pilot_open_mid_term(*, pilot: Pilot, by) -> Pilot:
    """A pilot under way goes to its mid-term review (中期评估)."""
    permissions.require(by, "manage", pilot)
    pilot = _locked(pilot, PilotStatus.UNDER_WAY)
    pilot = _move(pilot, PilotStatus.MID_TERM, by=by, verb="pilot.mid_term_opened")
    _tell_host(
        pilot,
        event="mid_term",
        title=_("Mid-term review opened: %(name)s") % {"name": pilot.name},
    )
    return pilot


@transaction.atomic
def pilot_review(
    *,
    pilot: Pilot,
    by,
    reviewed_on: dt.date,
    reviewer: str,
    findings: str,
    files: Iterable = (),
) -> MidTermReview:
    """Record a mid-term review of a pilot in its mid-term review: when, by whom, what
    was found, with its documents."""
    permissions.require(by, "manage", pilot)
    pilot = _locked(pilot, PilotStatus.MID_TERM)
    reviewer = _text(reviewer, "reviewer", _("Say who reviewed the pilot."))
    findings = _text(findings, "findings", _("Write what the review found."))
    if reviewed_on is None:
        raise ValidationError({"reviewed_on": _("Give the date of the review.")})
    if reviewed_on > business_today():
        raise ValidationError({"reviewed_on": _("The review date cannot be in the future.")})
    checked = [(f, check_upload(f)) for f in files]
    review = MidTermReview.objects.create(
        pilot=pilot, reviewed_on=reviewed_on, reviewer=reviewer, findings=findings, recorded_by=by
    )
    for upload, info in checked:
        _store(pilot, upload, info, by=by, kind=PilotFileKind.MID_TERM, review=review)
    pilot.version += 1
    pilot.save(update_fields=["version"])
    audit.record(
        actor=by,
        verb="pilot.reviewed",
        obj=review,
        ctx=pilot,
        changes={
            "reviewed_on": reviewed_on,
            "reviewer": reviewer,
            "files": [i.name for _u, i in checked],
        },
    )
    return review


@transaction.atomic
def pilot_open_acceptance(*, pilot: Pilot, by) -> Pilot:
    """A pilot under way or after its mid-term review goes to acceptance (验收)."""
    permissions.require(by, "manage", pilot)
    pilot = _locked(pilot, PilotStatus.UNDER_WAY, PilotStatus.MID_TERM)
    pilot = _move(pilot, PilotStatus.ACCEPTANCE, by=by, verb="pilot.acceptance_opened")
    _tell_host(
        pilot,
        event="acceptance_opened",
        title=_("Acceptance opened: %(name)s") % {"name": pilot.name},
    )
    return pilot


@transaction.atomic
def pilot_record_acceptance(
    *,
    pilot: Pilot,
    by,
    accepting_body: str,
    accepted_on: dt.date,
    result: str,
    score: Decimal | None = None,
    rank_text: str = "",
    group_rank: int | None = None,
    region: str = "",
    region_rank: int | None = None,
    conditions: str = "",
    files: Iterable = (),
) -> Acceptance:
    """The office records the acceptance (验收) of a pilot in acceptance: the accepting
    body, date, result, score and rank (e.g. "first in its group, third in the eastern
    region"), with its documents. Recorded once."""
    permissions.require(by, "accept", pilot)
    pilot = _locked(pilot, PilotStatus.ACCEPTANCE)
    if Acceptance.objects.filter(pilot=pilot).exists():
        raise ConflictError(_("The acceptance of this pilot is already recorded."))
    body = _text(accepting_body, "accepting_body", _("Say who accepted the pilot."))
    errors: dict[str, str] = {}
    if result not in AcceptanceResult.values:
        errors["result"] = _("Choose the result of the acceptance.")
    conditions = (conditions or "").strip()
    if result == AcceptanceResult.CONDITIONAL and not conditions:
        errors["conditions"] = _("Name the conditions of a conditional pass.")
    if accepted_on is None:
        errors["accepted_on"] = _("Give the date of the acceptance.")
    elif accepted_on > business_today():
        errors["accepted_on"] = _("The acceptance date cannot be in the future.")
    if score is not None and not (Decimal("0") <= Decimal(score) <= Decimal("1000")):
        errors["score"] = _("The score must be between 0 and 1000.")
    for field, rank in (("group_rank", group_rank), ("region_rank", region_rank)):
        if rank is not None and rank < 1:
            errors[field] = _("A rank is 1 or more.")
    region = (region or "").strip()
    if region_rank is not None and not region:
        errors["region"] = _("Name the region of the rank.")
    if errors:
        raise ValidationError(errors)
    checked = [(f, check_upload(f)) for f in files]
    acceptance = Acceptance.objects.create(
        pilot=pilot,
        accepting_body=body,
        accepted_on=accepted_on,
        result=result,
        score=score,
        rank_text=(rank_text or "").strip(),
        group_rank=group_rank,
        region=region,
        region_rank=region_rank,
        conditions=conditions,
        recorded_by=by,
    )
    for upload, info in checked:
        _store(pilot, upload, info, by=by, kind=PilotFileKind.ACCEPTANCE)
    pilot.version += 1
    pilot.save(update_fields=["version"])
    audit.record(
        actor=by,
        verb="pilot.accepted",
        obj=acceptance,
        ctx=pilot,
        changes={
            "accepting_body": body,
            "accepted_on": accepted_on,
            "result": result,
            "score": score,
            "rank_text": acceptance.rank_text,
            "files": [i.name for _u, i in checked],
        },
    )
    _tell_host(
        pilot,
        event="accepted",
        title=_("Acceptance recorded: %(name)s — %(result)s")
        % {"name": pilot.name, "result": acceptance.get_result_display()},
        body=acceptance.rank_text or pilot.name,
    )
    return acceptance


@transaction.atomic
def pilot_conclude(*, pilot: Pilot, by, experience: str) -> Pilot:
    """A pilot that passed its acceptance (or passed with conditions) is concluded with
    its experience written up for others to follow (总结推广)."""
    permissions.require(by, "manage", pilot)
    pilot = _locked(pilot, PilotStatus.ACCEPTANCE)
    acceptance = Acceptance.objects.filter(pilot=pilot).first()
    if acceptance is None:
        raise ConflictError(_("Record the acceptance before concluding the pilot."))
    if acceptance.result == AcceptanceResult.FAILED:
        raise ConflictError(_("The pilot failed its acceptance: end it instead."))
    text = _text(experience, "experience", _("Write up the pilot's experience."))
    return _move(pilot, PilotStatus.CONCLUDED, by=by, verb="pilot.concluded", experience=text)


@transaction.atomic
def pilot_end(*, pilot: Pilot, by, reason: str) -> Pilot:
    """End a pilot early, in any state before it is concluded, with the reason."""
    permissions.require(by, "manage", pilot)
    reason = _text(reason, "reason", _("Say why the pilot ends early."))
    running = [s for s in PilotStatus.values if s not in (PilotStatus.CONCLUDED, PilotStatus.ENDED)]
    pilot = _locked(pilot, *running)
    pilot = _move(
        pilot, PilotStatus.ENDED, by=by, verb="pilot.ended", reason=reason, ended_reason=reason
    )
    _tell_host(pilot, event="ended", title=_("Pilot ended: %(name)s") % {"name": pilot.name})
    return pilot


# --- files --------------------------------------------------------------------------------


@transaction.atomic
def pilot_attach(*, pilot: Pilot, by, kind: str, upload) -> PilotFile:
    """Keep a file with a pilot (its approval, review or acceptance documents, the
    experience summary…): the office or the host unit; checked like all evidence."""
    if not (permissions.can(by, "manage", pilot) or permissions.can(by, "report", pilot)):
        permissions.require(by, "report", pilot)
    if kind not in PilotFileKind.values:
        raise ValidationError({"kind": _("Choose what the file is.")})
    info = check_upload(upload)
    pilot = _locked(pilot)
    stored = _store(pilot, upload, info, by=by, kind=kind)
    audit.record(
        actor=by,
        verb="pilot.file_added",
        obj=stored,
        ctx=pilot,
        changes={"file_name": info.name, "kind": kind},
    )
    return stored


def pilot_file_open(*, stored: PilotFile, by):
    """Open a pilot's file for download (the caller checked visibility); audited."""
    audit.record(actor=by, verb="file.downloaded", obj=stored, ctx=stored.pilot)
    stored.file.open("rb")
    return stored.file
