"""Every change of indicators (指标), one function per act, each writing its audit record
in the same transaction.

The office defines an indicator (`indicator_create`, `indicator_update`) and its
yearly targets (`indicator_set_target`); the owner unit reports its value at the end
of a period with evidence (`indicator_report`), and the office checks the value
(`indicator_check`) or returns it with a reason (`indicator_return`). A ratio
indicator is computed from its parts and never reported. An indicator that falls
behind its path tells its owner unit once per period (`indicators_notify_behind`,
run daily by the task queue and after each check).
"""

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from reformledger.audit import services as audit
from reformledger.core.clock import business_now, business_today
from reformledger.core.exceptions import ConflictError, StaleVersionError
from reformledger.indicators import permissions
from reformledger.indicators.choices import Direction, IndicatorKind, Track, ValueStatus
from reformledger.indicators.models import (
    Indicator,
    IndicatorFile,
    IndicatorTarget,
    IndicatorValue,
)
from reformledger.ledger.evidence import check_upload, store_checked
from reformledger.ledger.models import Period, Task
from reformledger.ledger.services.periods import require_open
from reformledger.notifications import services as notices
from reformledger.notifications.choices import NotificationKind
from reformledger.orgs.choices import Role
from reformledger.orgs.models import Unit
from reformledger.orgs.selectors import unit_members
from reformledger.pilots.models import Pilot

__all__ = [
    "INDICATOR_FIELDS",
    "indicator_check",
    "indicator_create",
    "indicator_file_open",
    "indicator_report",
    "indicator_return",
    "indicator_set_target",
    "indicator_update",
    "indicators_notify_behind",
]

#: The fields `indicator_update` changes; `tasks` and `pilots` are its links.
INDICATOR_FIELDS = (
    "code",
    "name",
    "measure",
    "direction",
    "kind",
    "numerator",
    "denominator",
    "scale",
    "decimals",
    "baseline",
    "baseline_year",
    "owner_unit",
    "source",
)
LINKS = ("tasks", "pilots")
AUDITED = (*INDICATOR_FIELDS, *LINKS)
FIRST_YEAR, LAST_YEAR = 2000, 2100
#: What the value columns hold (max_digits 18, decimal_places 4).
_MAX_ABS = Decimal("1e14")
_STEP = Decimal("0.0001")


# --- checks of the fields --------------------------------------------------------------


def _text(value: str, field: str, message: str, max_length: int) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    if len(value) > max_length:
        raise ValidationError({field: _("At most %(n)s characters.") % {"n": max_length}})
    return value


def _number(value: Any, field: str, *, required: bool = True) -> Decimal | None:
    """A figure the value columns hold: at most four decimal places, below 10¹⁴."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ValidationError({field: _("Give the figure.")})
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValidationError({field: _("Give a number, e.g. 336 or 74.5.")}) from None
    if not number.is_finite() or abs(number) >= _MAX_ABS:
        raise ValidationError({field: _("The figure is out of range.")})
    if number != number.quantize(_STEP):
        raise ValidationError({field: _("At most four decimal places.")})
    return number.quantize(_STEP)


def _year(value: Any, field: str, *, required: bool = True) -> int | None:
    if value in (None, ""):
        if required:
            raise ValidationError({field: _("Give the year.")})
        return None
    try:
        year = int(value)
    except (TypeError, ValueError):
        year = 0
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValidationError(
            {
                field: _("Give a year between %(first)s and %(last)s.")
                % {"first": FIRST_YEAR, "last": LAST_YEAR}
            }
        )
    return year


def _plain(number: Decimal | None) -> str | None:
    """A figure as the history keeps it: 336, 74.5 (not 336.0000)."""
    if number is None:
        return None
    text = format(number.normalize(), "f")
    return text


def _snapshot(indicator: Indicator, fields) -> dict[str, Any]:
    """`audit.snapshot` of the indicator, its figures written plainly."""
    values = audit.snapshot(indicator, fields)
    for name in ("scale", "baseline"):
        if values.get(name) is not None:
            values[name] = _plain(Decimal(values[name]))
    return values


def _office_of(office: Unit) -> Unit:
    if office.kind != "office":
        raise ValidationError({"office": _("Indicators belong to a reform office.")})
    return office


def _check_definition(indicator: Indicator, tasks: list, pilots: list) -> None:
    """The rules of one indicator's definition (the caller has set its fields)."""
    if indicator.direction not in Direction.values:
        raise ValidationError({"direction": _("Unknown direction.")})
    if indicator.kind not in IndicatorKind.values:
        raise ValidationError({"kind": _("Unknown kind.")})
    if not indicator.owner_unit.is_active:
        raise ValidationError({"owner_unit": _("This unit is no longer active.")})
    if indicator.scale is None or indicator.scale <= 0:
        raise ValidationError(
            {"scale": _("The scale is a positive number (100 for a percentage).")}
        )
    if not 0 <= int(indicator.decimals) <= 4:
        raise ValidationError({"decimals": _("Show between 0 and 4 decimal places.")})
    if indicator.is_ratio:
        for name in ("numerator", "denominator"):
            part = getattr(indicator, name)
            if part is None:
                raise ValidationError({name: _("A ratio needs its numerator and denominator.")})
            if part.office_id != indicator.office_id:
                raise ValidationError({name: _("The part must be an indicator of this office.")})
            if indicator.pk is not None and part.pk == indicator.pk:
                raise ValidationError({name: _("A ratio cannot be a part of itself.")})
            if part.is_ratio:
                raise ValidationError(
                    {name: _("The part must be a reported indicator, not another ratio.")}
                )
        if indicator.numerator_id == indicator.denominator_id:
            raise ValidationError(
                {"denominator": _("The numerator and the denominator must differ.")}
            )
    elif indicator.numerator_id or indicator.denominator_id:
        raise ValidationError({"kind": _("Only a ratio has a numerator and a denominator.")})
    if indicator.baseline_year is not None and indicator.baseline is None:
        raise ValidationError({"baseline": _("Give the baseline of the baseline year.")})
    strays = [t.code for t in tasks if t.office_id != indicator.office_id]
    if strays:
        raise ValidationError(
            {"tasks": _("Not on this office's ledger: %(codes)s") % {"codes": ", ".join(strays)}}
        )
    strays = [p.code for p in pilots if p.office_id != indicator.office_id]
    if strays:
        raise ValidationError(
            {"pilots": _("Not a pilot of this office: %(codes)s") % {"codes": ", ".join(strays)}}
        )
    taken = Indicator.objects.filter(office_id=indicator.office_id, code=indicator.code)
    if indicator.pk is not None:
        taken = taken.exclude(pk=indicator.pk)
    if taken.exists():
        raise ValidationError(
            {"code": _("The office already has an indicator %(code)s.") % {"code": indicator.code}}
        )


def _link(indicator: Indicator) -> str:
    return reverse("indicators:detail", args=[indicator.pk])


# --- the office defines indicators and their targets -------------------------------------


@transaction.atomic
def indicator_create(
    *,
    office: Unit,
    by,
    code: str,
    name: str,
    measure: str,
    owner_unit: Unit,
    direction: str = Direction.HIGHER,
    kind: str = IndicatorKind.REPORTED,
    numerator: Indicator | None = None,
    denominator: Indicator | None = None,
    scale: Decimal | int = 1,
    decimals: int = 0,
    baseline: Decimal | None = None,
    baseline_year: int | None = None,
    source: str = "",
    tasks: Iterable[Task] = (),
    pilots: Iterable[Pilot] = (),
) -> Indicator:
    """Define an indicator of an office: what it measures, which way is better, its
    baseline, the owner unit that reports it and the tasks and pilots it measures. A
    ratio (closure rate = closed / total) names two reported indicators of the office
    as its parts and is computed from them."""
    permissions.require_office(by, "manage", office)
    office = _office_of(office)
    tasks, pilots = list(tasks), list(pilots)
    indicator = Indicator(
        office=office,
        code=_text(code, "code", _("Give the indicator a code."), 32),
        name=_text(name, "name", _("Name the indicator."), 200),
        measure=_text(measure, "measure", _("Give the unit of measure (家, 万元, %)."), 30),
        direction=direction,
        kind=kind,
        numerator=numerator,
        denominator=denominator,
        scale=_number(scale, "scale"),
        decimals=decimals,
        baseline=_number(baseline, "baseline", required=False),
        baseline_year=_year(baseline_year, "baseline_year", required=False),
        owner_unit=owner_unit,
        source=(source or "").strip()[:200],
        created_by=by,
    )
    _check_definition(indicator, tasks, pilots)
    indicator.save()
    indicator.tasks.set(tasks)
    indicator.pilots.set(pilots)
    audit.record(
        actor=by,
        verb="indicator.created",
        obj=indicator,
        changes={
            k: [None, v]
            for k, v in _snapshot(indicator, AUDITED).items()
            if v not in (None, "", [])
        },
    )
    return indicator


def _lock(indicator: Indicator) -> None:
    """Lock the indicator's row: its targets and values are written one act at a time."""
    Indicator.objects.select_for_update().filter(pk=indicator.pk).values_list("pk").get()


def _locked(indicator: Indicator) -> Indicator:
    return (
        Indicator.objects.select_for_update(of=("self",))
        .select_related("office", "owner_unit", "numerator", "denominator")
        .get(pk=indicator.pk)
    )


@transaction.atomic
def indicator_update(
    *, indicator: Indicator, by, version: int | None = None, reason: str = "", **fields: Any
) -> Indicator:
    """Change an indicator's definition or links. `version` is the version the caller
    read, compared on the locked row: a stale one is refused (StaleVersionError) and
    changes nothing; so is a change that changes nothing."""
    permissions.require(by, "manage", indicator)
    unknown = set(fields) - set(AUDITED)
    if unknown:
        raise TypeError(f"unknown indicator fields: {sorted(unknown)}")
    indicator = _locked(indicator)
    if version is not None and int(version) != indicator.version:
        raise StaleVersionError(
            _("This indicator was changed by someone else (version %(now)s, you read %(read)s).")
            % {"now": indicator.version, "read": version}
        )
    before = _snapshot(indicator, AUDITED)
    for name in ("code", "name", "measure"):
        if name in fields:
            limit = Indicator._meta.get_field(name).max_length
            fields[name] = _text(fields[name], name, _("This field cannot be empty."), limit)
    if "scale" in fields:
        fields["scale"] = _number(fields["scale"], "scale")
    if "baseline" in fields:
        fields["baseline"] = _number(fields["baseline"], "baseline", required=False)
    if "baseline_year" in fields:
        fields["baseline_year"] = _year(fields["baseline_year"], "baseline_year", required=False)
    if "source" in fields:
        fields["source"] = (fields["source"] or "").strip()[:200]
    if fields.get("kind") == IndicatorKind.REPORTED and "numerator" not in fields:
        fields["numerator"] = fields["denominator"] = None
    for name in INDICATOR_FIELDS:
        if name in fields:
            setattr(indicator, name, fields[name])
    tasks = list(fields["tasks"]) if "tasks" in fields else list(indicator.tasks.all())
    pilots = list(fields["pilots"]) if "pilots" in fields else list(indicator.pilots.all())
    _check_definition(indicator, tasks, pilots)
    became_ratio = indicator.is_ratio and before["kind"] != IndicatorKind.RATIO
    if became_ratio and indicator.values.exists():
        raise ValidationError(
            {"kind": _("Values were reported for this indicator: it cannot become a ratio.")}
        )
    if (
        indicator.is_ratio
        and Indicator.objects.filter(Q(numerator=indicator) | Q(denominator=indicator)).exists()
    ):
        raise ValidationError(
            {"kind": _("This indicator is a part of a ratio: it stays a reported indicator.")}
        )
    after = {
        **_snapshot(indicator, INDICATOR_FIELDS),
        "tasks": sorted(str(t) for t in tasks),
        "pilots": sorted(str(p) for p in pilots),
    }
    delta = audit.diff(before, after)
    if not delta:
        return indicator  # nothing written: the same definition
    indicator.version += 1
    indicator.save()
    if "tasks" in fields:
        indicator.tasks.set(tasks)
    if "pilots" in fields:
        indicator.pilots.set(pilots)
    audit.record(actor=by, verb="indicator.updated", obj=indicator, changes=delta, reason=reason)
    return indicator


@transaction.atomic
def indicator_set_target(*, indicator: Indicator, by, year: int, target) -> IndicatorTarget:
    """Set an indicator's target for a year (年度目标), or change it; setting the same
    target again writes nothing."""
    permissions.require(by, "manage", indicator)
    year = _year(year, "year")
    target = _number(target, "target")
    _lock(indicator)  # two first targets of a year at once: the second waits, then changes it
    row = IndicatorTarget.objects.filter(indicator=indicator, year=year).first()
    if row is not None and row.target == target:
        return row
    old = row.target if row is not None else None
    if row is None:
        row = IndicatorTarget.objects.create(indicator=indicator, year=year, target=target)
    else:
        row.target = target
        row.save(update_fields=["target"])
    audit.record(
        actor=by,
        verb="indicator.target_set",
        obj=row,
        ctx=indicator,
        changes={"year": year, "target": [_plain(old), _plain(target)]},
    )
    return row


# --- the owner unit reports; the office checks --------------------------------------------


@transaction.atomic
def indicator_report(
    *,
    indicator: Indicator,
    period: Period,
    value,
    by,
    note: str = "",
    files: Iterable = (),
) -> IndicatorValue:
    """The owner unit reports the indicator's value at the end of a period of its
    office (a level, not an increment), with its evidence. Reporting again for the same
    period replaces the value until the office has checked it; a checked value stands
    (ConflictError). Reporting the same value and note without new files writes
    nothing. A ratio is computed from its parts and never reported."""
    permissions.require(by, "report", indicator)
    if indicator.is_ratio:
        raise ValidationError(
            {"indicator": _("A ratio is computed from its parts: report the parts instead.")}
        )
    if period.office_id != indicator.office_id:
        raise ValidationError({"period": _("The period is not one of this office's ledger.")})
    if period.start > business_today():
        raise ValidationError(
            {"period": _("The period %(period)s has not started yet.") % {"period": period.label}}
        )
    require_open(period)
    value = _number(value, "value")
    note = (note or "").strip()
    checked = [(f, check_upload(f)) for f in files]
    _lock(indicator)  # two first reports of a period at once: the second replaces the first
    row = (
        IndicatorValue.objects.select_for_update()  # and a check of it waits for this act
        .filter(indicator=indicator, period=period)
        .first()
    )
    old = None
    if row is not None:
        if row.status == ValueStatus.CHECKED:
            raise ConflictError(
                _("The value of %(period)s was checked by the office: it stands.")
                % {"period": period.label}
            )
        unchanged = row.value == value and row.note == note and not checked
        if unchanged and row.status == ValueStatus.REPORTED:
            return row
        old = row.value
        row.value, row.note, row.status = value, note, ValueStatus.REPORTED
        row.reported_by, row.reported_at = by, business_now()
        row.return_reason = ""
        row.save(
            update_fields=["value", "note", "status", "reported_by", "reported_at", "return_reason"]
        )
    else:
        row = IndicatorValue.objects.create(
            indicator=indicator, period=period, value=value, note=note, reported_by=by
        )
    for upload, info in checked:
        store_checked(
            IndicatorFile,
            upload,
            info,
            value=row,
            uploaded_by=by,
        )
    audit.record(
        actor=by,
        verb="indicator.value_reported",
        obj=row,
        ctx=indicator,
        changes={
            "period": period.label,
            "value": [_plain(old), _plain(value)],
            **({"files": [i.name for _u, i in checked]} if checked else {}),
        },
        reason=note,
    )
    return row


def _awaiting(value: IndicatorValue) -> IndicatorValue:
    value = (
        IndicatorValue.objects.select_for_update(of=("self",))
        .select_related("indicator__owner_unit", "indicator__office", "period")
        .get(pk=value.pk)
    )
    if value.status == ValueStatus.CHECKED:
        raise ConflictError(_("This value was already checked."))
    if value.status == ValueStatus.RETURNED:
        raise ConflictError(_("This value was returned: it awaits the owner unit's new report."))
    return value


@transaction.atomic
def indicator_check(*, value: IndicatorValue, by) -> IndicatorValue:
    """The office checks a reported value: it stands and counts as checked. If the
    indicator (or a ratio it is a part of) is then behind its path, its owner unit is
    told."""
    permissions.require(by, "check", value)
    value = _awaiting(value)
    value.status, value.checked_by, value.checked_at = ValueStatus.CHECKED, by, business_now()
    value.save(update_fields=["status", "checked_by", "checked_at"])
    audit.record(
        actor=by,
        verb="indicator.value_checked",
        obj=value,
        ctx=value.indicator,
        changes={
            "period": value.period.label,
            "status": [ValueStatus.REPORTED, ValueStatus.CHECKED],
        },
    )
    concerned = Indicator.objects.filter(
        Q(pk=value.indicator_id)
        | Q(numerator_id=value.indicator_id)
        | Q(denominator_id=value.indicator_id)
    )
    _notify_behind(concerned, year=value.period.year, as_of=None)
    return value


@transaction.atomic
def indicator_return(*, value: IndicatorValue, by, reason: str) -> IndicatorValue:
    """The office returns a reported value with the reason; the owner unit reports the
    period again and is told."""
    permissions.require(by, "check", value)
    reason = _text(reason, "reason", _("Say why the value is returned."), 2000)
    value = _awaiting(value)
    value.status, value.return_reason = ValueStatus.RETURNED, reason
    value.checked_by, value.checked_at = by, business_now()
    value.save(update_fields=["status", "return_reason", "checked_by", "checked_at"])
    indicator = value.indicator
    audit.record(
        actor=by,
        verb="indicator.value_returned",
        obj=value,
        ctx=indicator,
        changes={
            "period": value.period.label,
            "status": [ValueStatus.REPORTED, ValueStatus.RETURNED],
        },
        reason=reason,
    )
    _tell(
        indicator.owner_unit,
        key=f"indicator-value:{value.pk}:returned:{value.reported_at.isoformat()}",
        title=_("%(indicator)s, %(period)s: your value was returned")
        % {"indicator": indicator, "period": value.period.label},
        body=reason,
        link=_link(indicator),
    )
    return value


def indicator_file_open(*, stored: IndicatorFile, by):
    """Open a value's evidence file for download (the caller checked visibility)."""
    audit.record(actor=by, verb="file.downloaded", obj=stored, ctx=stored.value.indicator)
    stored.file.open("rb")
    return stored.file


# --- behind the path: the owner unit is told --------------------------------------------


def _tell(unit: Unit, *, key: str, title: str, body: str, link: str) -> int:
    """Tell the unit's liaisons and head in the app and by e-mail, once per `key`; how
    many now."""
    return notices.notify_each(
        unit_members(unit, (Role.UNIT_REPORTER, Role.UNIT_HEAD)),
        kind=NotificationKind.NOTICE,
        key=key,
        title=title,
        body=body,
        link=link,
    )


def _notify_behind(indicators, *, year: int, as_of: dt.date | None) -> int:
    """Tell the owner unit of each of `indicators` behind its path in `year` (on
    checked values only), once per indicator and period; returns how many were told."""
    from reformledger.indicators.selectors import indicator_facts

    rows = list(indicators.select_related("office", "owner_unit", "numerator", "denominator"))
    facts = indicator_facts(rows, year=year, as_of=as_of, checked_only=True)
    told = 0
    for indicator in rows:
        found = facts[indicator.pk]
        if found.track != Track.BEHIND:
            continue
        period = found.judged.period
        shown = {
            "indicator": indicator,
            "period": period.label,
            "actual": _shown(found.judged.value, indicator),
            "path": _shown(found.path, indicator),
            "target": _shown(found.target, indicator),
            "measure": indicator.measure,
            "year": year,
        }
        sent = _tell(
            indicator.owner_unit,
            key=f"indicator:{indicator.pk}:behind:{period.pk}",
            title=_("%(indicator)s is behind its path in %(period)s") % shown,
            body=_(
                "Actual %(actual)s %(measure)s at the end of %(period)s; the path to the "
                "%(year)s target of %(target)s %(measure)s stands at %(path)s %(measure)s."
            )
            % shown,
            link=_link(indicator),
        )
        if not sent:
            continue
        audit.record(
            actor=None,
            verb="indicator.behind_notified",
            obj=indicator,
            changes={
                "period": period.label,
                "actual": _plain(round(found.judged.value, indicator.decimals + 2)),
                "on_path": _plain(round(found.path, indicator.decimals + 2)),
                "target": _plain(found.target),
                "told": sent,
            },
        )
        told += 1
    return told


def _shown(value: Decimal | None, indicator: Indicator) -> str:
    if value is None:
        return "—"
    return f"{value:,.{indicator.decimals}f}"


def indicators_notify_behind(*, as_of: dt.date | None = None) -> int:
    """The daily run: every indicator behind its path this year (judged on the values
    the office checked for periods ended by `as_of`, today by default) tells its owner
    unit's liaisons and head once per indicator and period, with an audit record.
    Each office in its own transaction. Returns how many indicators were told of."""
    as_of = as_of or business_today()
    told = 0
    offices = Indicator.objects.order_by().values_list("office", flat=True).distinct()
    for office_id in sorted(set(offices)):
        with transaction.atomic():
            told += _notify_behind(
                Indicator.objects.filter(office_id=office_id), year=as_of.year, as_of=as_of
            )
    return told
