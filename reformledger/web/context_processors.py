"""Values every page's layout needs."""

from django.urls import NoReverseMatch, reverse
from django.utils.functional import SimpleLazyObject

from reformledger.assessment.permissions import sees_assessment
from reformledger.catalog.permissions import sees_lists
from reformledger.core.clock import business_date as _business_date
from reformledger.evaluation.permissions import runs_evaluations, sees_evaluations
from reformledger.indicators.permissions import sees_indicators
from reformledger.ledger.selectors import next_acts_count
from reformledger.notifications.selectors import unread_count
from reformledger.orgs.choices import Role
from reformledger.orgs.permissions import scopes_of
from reformledger.pilots.permissions import sees_pilots
from reformledger.publications.permissions import sees_publications


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    scopes = scopes_of(user)
    return {
        "nav_roles": scopes,
        # The dashboard and the ledger's menu: not for an evaluation team's outside
        # member, who sees nothing of the ledger but its own evaluations' scope.
        "nav_ledger": scopes.has(*(r for r in Role if r != Role.EVALUATOR))
        or not scopes.has(Role.EVALUATOR),
        # Which menu entries a role sees (the pages check again).
        "nav_office": scopes.has(Role.OFFICE_ADMIN, Role.OFFICE_LEADER),
        "nav_oversight": scopes.has(Role.OFFICE_ADMIN, Role.OFFICE_LEADER, Role.CITY_LEADER),
        # The audit trail's pages are the auditor's alone (audit.permissions).
        "nav_audit": scopes.has(Role.AUDITOR),
        # Supervision (督查督办): the section, and its office and leader entries.
        "nav_supervision": scopes.has(
            Role.OFFICE_ADMIN,
            Role.OFFICE_LEADER,
            Role.CITY_LEADER,
            Role.UNIT_REPORTER,
            Role.UNIT_HEAD,
        ),
        "nav_supervision_office": scopes.has(Role.OFFICE_ADMIN, Role.OFFICE_LEADER),
        "nav_supervision_leader": scopes.has(Role.OFFICE_LEADER),
        # Pilots (改革试点) and indicators (指标): their sections, by their own rules.
        "nav_pilots": sees_pilots(user),
        "nav_indicators_url": _indicators_url(user),
        # The year's end: evaluations (改革评估) and the cards (绿黄牌), by their own rules.
        "nav_evaluation": sees_evaluations(user),
        "nav_evaluation_office": runs_evaluations(user),
        "nav_assessment": sees_assessment(user),
        "nav_publications": sees_publications(user),
        # The power and service lists (权责清单 / 服务清单).
        "nav_catalog": sees_lists(user),
        # The navbar's badge beside "Notices" (notifications app): one count query,
        # run only by a page that shows the navbar.
        "unread_notifications": SimpleLazyObject(lambda: unread_count(user)),
        # The badge beside "My work": how many acts wait for the user (待办). A landing
        # page that shows them already counted them; any other page asks one count.
        "next_acts_count": SimpleLazyObject(lambda: _next_acts_count(request, user)),
    }


def _indicators_url(user) -> str:
    """The indicators section's address for a user who works indicators ("" otherwise,
    or while the section has no list page yet)."""
    if not sees_indicators(user):
        return ""
    try:
        return reverse("indicators:list")
    except NoReverseMatch:
        return ""


def _next_acts_count(request, user) -> int:
    shown = getattr(request, "next_acts", None)
    return shown.total if shown is not None else next_acts_count(user)


def business_date(request):
    """The business date the ledger runs on, when one is set (RL_BUSINESS_DATE): every
    page, signed in or not, says so in a banner (web/_business_date.html)."""
    return {"business_date": _business_date()}
