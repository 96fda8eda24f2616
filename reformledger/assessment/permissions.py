"""Who sees which card and who may do which act of the annual assessment: one rule for
pages, API and services.

- The office's staff and leaders, and city leaders (read-only), see every rule set,
  card and appeal of the offices under their unit.
- A unit's head or liaison sees only its own unit's published cards (and the earlier
  versions of them), the rule sets they were computed with, and its own appeals; anyone
  else nothing (404). Evaluators and the three administrators see nothing.
- Office staff and leaders keep the rule set, draft, review and publish the cards; only
  an office leader confirms them and decides an appeal. A unit's head or liaison
  appeals its own published card.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet

from reformledger.assessment.choices import CardStatus
from reformledger.assessment.models import Appeal, Card, RuleSet
from reformledger.orgs.choices import Role
from reformledger.orgs.models import Unit
from reformledger.orgs.permissions import scopes_of, under_any

OFFICE = (Role.OFFICE_ADMIN, Role.OFFICE_LEADER)
READERS = (*OFFICE, Role.CITY_LEADER)
UNIT = (Role.UNIT_REPORTER, Role.UNIT_HEAD)

#: act -> who may do it; see docs/permissions.md.
ACTS = {
    "view": "the office, city leaders; the unit's head and liaison (its published cards)",
    "keep_rules": "office staff and leaders (start, copy and edit the year's rule set)",
    "draft": "office staff and leaders (draft the cards from the ledger)",
    "review": "office staff and leaders (mark the drafts reviewed)",
    "confirm": "office leaders (confirm the reviewed cards)",
    "publish": "office staff and leaders (publish the confirmed cards)",
    "appeal": "the card's unit's head or liaison (within the appeal window)",
    "decide_appeal": "office leaders (uphold or change the card)",
}
_OFFICE_ACTS = {"keep_rules": OFFICE, "draft": OFFICE, "review": OFFICE, "publish": OFFICE}
_LEADER_ACTS = {"confirm": (Role.OFFICE_LEADER,), "decide_appeal": (Role.OFFICE_LEADER,)}


def _office_q(user, lookup: str = "office") -> Q:
    return under_any(lookup, scopes_of(user).paths(*READERS))


def visible_rule_sets(user) -> QuerySet[RuleSet]:
    """Rule sets of the offices the user works or reads; for a unit, the rule sets its
    published cards were computed with (the rules it may check its card against)."""
    q = _office_q(user)
    paths = scopes_of(user).paths(*UNIT)
    if paths:
        published = Card.objects.filter(under_any("unit", paths), status=CardStatus.PUBLISHED)
        q |= Q(pk__in=published.values("rule_set"))
    return RuleSet.objects.filter(q)


def visible_cards(user) -> QuerySet[Card]:
    """Every card of the user's offices; a unit's own published cards."""
    q = _office_q(user)
    paths = scopes_of(user).paths(*UNIT)
    if paths:
        q |= under_any("unit", paths) & Q(status=CardStatus.PUBLISHED)
    return Card.objects.filter(q)


def visible_appeals(user) -> QuerySet[Appeal]:
    """Appeals of the user's offices; a unit's own appeals."""
    q = _office_q(user, "card__office")
    paths = scopes_of(user).paths(*UNIT)
    if paths:
        q |= under_any("card__unit", paths)
    return Appeal.objects.filter(q)


def sees_assessment(user) -> bool:
    """Whether the user has the assessment section at all (menus and pages)."""
    return scopes_of(user).has(*READERS, *UNIT)


def runs_assessment(user) -> bool:
    """Whether the user keeps some office's assessment (rule sets, drafting)."""
    return scopes_of(user).has(*OFFICE)


def can_office(user, act: str, office: Unit) -> bool:
    """Whether `user` may do `act` over `office`'s year (rule set and cards)."""
    if act not in ACTS:
        raise ValueError(f"unknown act {act!r}")
    roles = _OFFICE_ACTS.get(act) or _LEADER_ACTS.get(act)
    if roles is None:
        return False
    return scopes_of(user).covers(office.path, *roles)


def can(user, act: str, obj: Model) -> bool:
    """Whether `user` may do `act` on a card, an appeal or a rule set."""
    if act not in ACTS:
        raise ValueError(f"unknown act {act!r}")
    scopes = scopes_of(user)
    if isinstance(obj, Appeal):
        if act == "view":
            return visible_appeals(user).filter(pk=obj.pk).exists()
        obj = obj.card
    if isinstance(obj, RuleSet):
        if act == "view":
            return scopes.covers(obj.office.path, *READERS)
        return can_office(user, act, obj.office)
    if isinstance(obj, Card):
        if act == "view":
            return visible_cards(user).filter(pk=obj.pk).exists()
        if act == "appeal":
            return scopes.covers(obj.unit.path, *UNIT) and obj.status == CardStatus.PUBLISHED
        return can_office(user, act, obj.office)
    return False


def require(user, act: str, obj: Model) -> None:
    if not can(user, act, obj):
        raise PermissionDenied(f"{act} not allowed on {obj._meta.model_name} {obj.pk}")


def require_office(user, act: str, office: Unit) -> None:
    if not can_office(user, act, office):
        raise PermissionDenied(f"{act} not allowed in office {office.pk}")
