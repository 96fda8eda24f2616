"""Changes to the unit tree, people and memberships, each with its audit record."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reformledger.audit import services as audit
from reformledger.orgs.choices import ADMIN_ROLES, Role, UnitKind
from reformledger.orgs.models import Membership, Person, Unit, UnitName
from reformledger.orgs.permissions import forget_scopes, scopes_of


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
    on = on or timezone.localdate()
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
    on = on or timezone.localdate()
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
    _require_admin(by)
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
