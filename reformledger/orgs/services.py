"""Changes to the unit tree, people and memberships, each with its audit record."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from reformledger.audit import services as audit
from reformledger.core.clock import business_today
from reformledger.orgs.choices import ADMIN_ROLES, MatchHow, Role, UnitKind
from reformledger.orgs.matching import UnitMatcher
from reformledger.orgs.models import Membership, Person, Unit, UnitAlias, UnitName
from reformledger.orgs.permissions import (
    can_keep_aliases,
    can_record_people,
    forget_scopes,
    scopes_of,
)


def _require_admin(by) -> None:
    """Reference data (units, people) is the system administrator's; commands pass None."""
    if by is None:
        return
    if not scopes_of(by).has(Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN):
        raise PermissionDenied("manage organisation")


@transaction.atomic
def unit_create(
    *,
    by,
    code: str,
    name: str,
    kind: str,
    parent: Unit | None = None,
    short_name: str = "",
    valid_from: dt.date | None = None,
) -> Unit:
    """Add a unit to the tree (under `parent`, or as a root)."""
    _require_admin(by)
    if kind not in UnitKind.values:
        raise ValidationError({"kind": _("Unknown unit kind %(kind)s.") % {"kind": kind}})
    if Unit.objects.filter(code=code).exists():
        raise ValidationError({"code": _("The unit code %(code)s is taken.") % {"code": code}})
    fields = {"code": code, "name": name, "kind": kind, "short_name": short_name}
    unit = Unit.objects.add_child(parent, fields) if parent else Unit.objects.add_root(fields)
    UnitName.objects.create(unit=unit, name=name, valid_from=valid_from)
    audit.record(actor=by, verb="unit.created", obj=unit, changes={"name": [None, name]})
    return unit


@transaction.atomic
def unit_rename(*, by, unit: Unit, name: str, on: dt.date | None = None, reason: str = "") -> Unit:
    """Rename a unit; the old name is kept with the dates it was used."""
    _require_admin(by)
    on = on or business_today()
    old = unit.name
    UnitName.objects.filter(unit=unit, valid_until__isnull=True).update(valid_until=on)
    UnitName.objects.create(unit=unit, name=name, valid_from=on, reason=reason)
    unit.name = name
    unit.save(update_fields=["name"])
    audit.record(
        actor=by, verb="unit.renamed", obj=unit, changes={"name": [old, name]}, reason=reason
    )
    return unit


@transaction.atomic
def unit_merge(*, by, unit: Unit, into: Unit, on: dt.date | None = None, reason: str = "") -> Unit:
    """Merge `unit` into `into`: it stays in history, inactive, pointing at its successor."""
    _require_admin(by)
    if unit.pk == into.pk or into.path.startswith(unit.path):
        raise ValidationError({"into": _("A unit cannot be merged into itself or a unit below.")})
    on = on or business_today()
    UnitName.objects.filter(unit=unit, valid_until__isnull=True).update(valid_until=on)
    unit.is_active = False
    unit.merged_into = into
    unit.save(update_fields=["is_active", "merged_into"])
    audit.record(
        actor=by,
        verb="unit.merged",
        obj=unit,
        changes={"merged_into": [None, str(into)]},
        reason=reason,
    )
    return unit


@transaction.atomic
def person_create(
    *, by, name: str, unit: Unit, title: str = "", email: str = "", phone: str = "", user=None
) -> Person:
    """Record a person named in the ledger (a leader, a head, an officer)."""
    if by is not None and not can_record_people(by):
        raise PermissionDenied("record people")
    person = Person.objects.create(
        name=name, unit=unit, title=title, email=email, phone=phone, user=user
    )
    audit.record(actor=by, verb="person.created", obj=person)
    return person


@transaction.atomic
def membership_grant(*, by, user, unit: Unit, role: str, title: str = "") -> Membership:
    """Give `user` a role in `unit`. The three administrator roles exclude each other."""
    _require_admin(by)
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role %(role)s.") % {"role": role}})
    # One active administrator membership per account (the database holds the same rule,
    # orgs.Membership's membership_one_admin_role).
    other_admin = (
        Membership.objects.filter(user=user, is_active=True, role__in=ADMIN_ROLES)
        .exclude(unit=unit, role=role)
        .exists()
    )
    if role in ADMIN_ROLES and other_admin:
        raise ValidationError(
            {"role": _("An account holds at most one of the three administrator roles.")}
        )
    membership, created = Membership.objects.get_or_create(
        user=user, unit=unit, role=role, defaults={"title": title}
    )
    if not created and not membership.is_active:
        membership.is_active = True
        membership.save(update_fields=["is_active"])
    forget_scopes(user)
    audit.record(
        actor=by,
        verb="membership.granted",
        obj=membership,
        changes={"role": [None, role], "unit": [None, str(unit)]},
    )
    return membership


@transaction.atomic
def membership_revoke(*, by, membership: Membership, reason: str = "") -> Membership:
    """End a membership; the row stays as history."""
    _require_admin(by)
    membership.is_active = False
    membership.save(update_fields=["is_active"])
    forget_scopes(membership.user)
    audit.record(actor=by, verb="membership.revoked", obj=membership, reason=reason)
    return membership


def _require_alias_keeper(by) -> None:
    """Aliases are the offices' working knowledge; commands pass None."""
    if by is None:
        return
    if not can_keep_aliases(by):
        raise PermissionDenied("keep unit aliases")


#: Matches that already find a unit by what it is called: an alias would add nothing.
_NAMED = (MatchHow.CODE, MatchHow.NAME_WITH_CODE, MatchHow.NAME, MatchHow.SHORT_NAME)


@transaction.atomic
def unit_alias_add(*, by, unit: Unit, alias: str, source: str = "") -> UnitAlias:
    """Remember that offices call `unit` `alias` (单位别名), as a clerk confirmed it.

    Adding an alias the unit already has changes nothing and returns it. Refused
    (a ValidationError on "alias"): an empty alias, one that stands for another unit,
    a name, short name or code of a unit, and a collective name (各县（区）…). A
    former name may become an alias of another unit: the clerk's word beats history.
    """
    _require_alias_keeper(by)
    text = " ".join(str(alias or "").split())
    matcher = UnitMatcher.load()
    key = matcher.key(text)
    if not key:
        raise ValidationError({"alias": _("An alias cannot be empty.")})
    if len(text) > UnitAlias._meta.get_field("alias").max_length:
        raise ValidationError({"alias": _("An alias is at most 100 characters long.")})
    if not unit.is_active:
        raise ValidationError(
            {"unit": _("%(unit)s is no longer active.") % {"unit": unit}},
        )
    existing = UnitAlias.objects.select_related("unit").filter(normalised=key).first()
    if existing is not None:
        if existing.unit_id == unit.pk:
            return existing
        raise ValidationError(
            {
                "alias": _("“%(alias)s” already stands for %(unit)s.")
                % {"alias": text, "unit": existing.unit}
            }
        )
    found = matcher.match(text)
    same = unit.pk in {u.pk for u in found.units} | {u.pk for u, _s in found.candidates}
    if found.how == MatchHow.COLLECTIVE:
        raise ValidationError({"alias": _("“%(alias)s” names a group of units.") % {"alias": text}})
    if found.how in _NAMED or (found.how == MatchHow.FORMER_NAME and same):
        if same and not found.ambiguous:
            message = _("“%(alias)s” already finds %(unit)s; it needs no alias.")
        else:
            message = _("“%(alias)s” is what another unit is called.")
        raise ValidationError({"alias": message % {"alias": text, "unit": unit}})
    if found.how == MatchHow.ALIAS:
        # Same key under an older normalisation (the city was renamed since).
        raise ValidationError(
            {
                "alias": _("“%(alias)s” already stands for %(unit)s.")
                % {"alias": text, "unit": found.units[0]}
            }
        )
    source = source.strip()[: UnitAlias._meta.get_field("source").max_length]
    row = UnitAlias.objects.create(
        unit=unit,
        alias=text,
        normalised=key,
        source=source,
        added_by=by if getattr(by, "pk", None) else None,
    )
    audit.record(
        actor=by,
        verb="unit_alias.added",
        obj=row,
        ctx=unit,
        changes={"alias": [None, text], "source": [None, source]},
    )
    return row


@transaction.atomic
def unit_alias_remove(*, by, alias: UnitAlias, reason: str = "") -> None:
    """Forget an alias (a wrong answer, or a name no office uses any more).

    The row goes; the audit trail keeps what it said, under the unit's history.
    """
    _require_alias_keeper(by)
    unit = alias.unit
    audit.record(
        actor=by,
        verb="unit_alias.removed",
        obj=alias,
        ctx=unit,
        changes={"alias": [alias.alias, None], "unit": [str(unit), None]},
        reason=reason,
    )
    alias.delete()
