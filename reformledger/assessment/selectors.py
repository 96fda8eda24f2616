"""The reads of the assessment's pages and endpoints, scoped to the user and joined."""

from django.db.models import Count, Prefetch, Q, QuerySet

from reformledger.assessment import permissions
from reformledger.assessment.choices import CardColour
from reformledger.assessment.models import Appeal, Card, CardReason, RuleSet
from reformledger.orgs.models import Unit
from reformledger.orgs.permissions import offices_worked

__all__ = [
    "appeals",
    "card_detail",
    "card_reasons",
    "cards",
    "cards_with_reasons",
    "office_for",
    "rule_set_detail",
    "rule_sets",
    "year_counts",
    "years_of",
]

_REASON_LINKS = (
    "task",
    "rating__period",
    "rating__suggested",
    "rating__final",
    "supervision_order",
    "action_item",
    "finding",
)


def card_reasons() -> Prefetch:
    """A card's lines with the facts they link to."""
    return Prefetch(
        "reasons",
        queryset=CardReason.objects.select_related(*_REASON_LINKS).order_by("order", "pk"),
    )


def cards(user) -> QuerySet[Card]:
    """The cards the user may see, with what a list row shows."""
    return permissions.visible_cards(user).select_related("office", "unit", "rule_set")


def cards_with_reasons(user) -> QuerySet[Card]:
    """The cards the user may see with their lines (the Excel, the API, the dashboard)."""
    return cards(user).prefetch_related(card_reasons())


def card_detail(user, pk: int) -> Card:
    """One visible card with its lines, its rule set, its earlier and later versions and
    its appeals (raises DoesNotExist otherwise)."""
    return (
        cards(user)
        .select_related("period", "replaces", "drafted_by", "reviewed_by", "confirmed_by")
        .prefetch_related(
            card_reasons(),
            Prefetch(
                "appeals",
                queryset=Appeal.objects.select_related("submitted_by", "decided_by", "new_card")
                .prefetch_related("files")
                .order_by("submitted_at", "pk"),
            ),
        )
        .get(pk=pk)
    )


def rule_sets(user) -> QuerySet[RuleSet]:
    return permissions.visible_rule_sets(user).select_related("office", "copied_from", "created_by")


def rule_set_detail(user, office: Unit, year: int) -> RuleSet:
    return rule_sets(user).prefetch_related("rules", "triggers").get(office=office, year=year)


def appeals(user) -> QuerySet[Appeal]:
    """Appeals the user may see, with their card and unit."""
    return permissions.visible_appeals(user).select_related(
        "card__unit", "card__office", "submitted_by", "decided_by", "new_card"
    )


def years_of(user) -> list[int]:
    """The years the user has cards or rule sets in, newest first."""
    years = set(permissions.visible_cards(user).order_by().values_list("year", flat=True))
    years |= set(permissions.visible_rule_sets(user).order_by().values_list("year", flat=True))
    return sorted(years, reverse=True)


def office_for(user, office_id: int | str | None = None) -> Unit | None:
    """The office whose assessment the user keeps: the one asked for if they work it,
    else the first they work (None for a reader)."""
    offices = offices_worked(user)
    for office in offices:
        if office_id and str(office.pk) == str(office_id):
            return office
    return offices[0] if offices else None


def year_counts(user, year: int) -> dict:
    """The year's current cards the user sees: how many, green, yellow, by status."""
    rows = (
        permissions.visible_cards(user)
        .filter(year=year, is_current=True)
        .order_by()
        .aggregate(
            total=Count("pk"),
            green=Count("pk", filter=Q(colour=CardColour.GREEN)),
            yellow=Count("pk", filter=Q(colour=CardColour.YELLOW)),
        )
    )
    return rows
