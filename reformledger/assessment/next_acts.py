"""The next acts of the annual assessment (待办), added to the ledger's through its hook
(`ledger.selectors.next_acts.register_next_acts`, called in AssessmentConfig.ready):

- office staff: draft cards to review, appeals to decide;
- office leaders: reviewed cards to confirm, appeals to decide;
- a unit's head or liaison: its published card, while it may still appeal it (read it).
"""

import datetime as dt

from django.db.models import (
    DateTimeField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Value,
)
from django.urls import reverse
from django.utils.translation import gettext as _

from reformledger.assessment.choices import AppealStatus, CardColour, CardStatus
from reformledger.assessment.models import Appeal, Card
from reformledger.ledger.selectors.next_acts import NextAct, NextActContext, Source, first_rows
from reformledger.ledger.selectors.years import end_of_day
from reformledger.orgs.choices import Role
from reformledger.orgs.permissions import under_any

__all__ = ["assessment_sources"]


def _card_url(card: Card) -> str:
    return reverse("assessment:card", args=[card.pk])


def _subject(card: Card) -> str:
    return f"{card.year} · {card.unit.name}"


def _cards(paths, status: str, kind: str, label: str, detail: str) -> Source:
    due = Card.objects.filter(under_any("office", paths), status=status, is_current=True)

    def show(card: Card) -> NextAct:
        return NextAct(
            _subject(card),
            _card_url(card),
            detail % {"colour": CardColour(card.colour).label, "score": card.score},
        )

    return Source(
        kind,
        label,
        due,
        first_rows(due, ("unit",), ("year", "unit__path"), show),
        more_url=reverse("assessment:cards") + f"?status={status}",
    )


def _appeals(paths) -> Source:
    due = Appeal.objects.filter(under_any("card__office", paths), status=AppealStatus.PENDING)

    def show(appeal: Appeal) -> NextAct:
        return NextAct(
            _subject(appeal.card),
            reverse("assessment:appeal_decide", args=[appeal.pk]),
            _("appealed: %(reason)s") % {"reason": appeal.reason[:80]},
        )

    return Source(
        "card_appeal_to_decide",
        _("Card appeals to decide"),
        due,
        first_rows(due, ("card__unit",), ("submitted_at", "pk"), show),
        more_url=reverse("assessment:appeals") + f"?status={AppealStatus.PENDING}",
    )


def _published(context: NextActContext, paths) -> Source:
    """Published cards whose appeal window is still open and not appealed yet."""
    # Open while published_at + (its rule set's appeal days + 1) reaches the end of today:
    # one expression in the query, whatever the rule sets.
    day = Value(dt.timedelta(days=1), output_field=DurationField())
    window_end = ExpressionWrapper(
        F("published_at")
        + ExpressionWrapper((F("rule_set__appeal_days") + 1) * day, output_field=DurationField()),
        output_field=DateTimeField(),
    )
    pending = Appeal.objects.filter(card=OuterRef("pk"))
    due = (
        Card.objects.alias(window_end=window_end)
        .filter(
            under_any("unit", paths),
            status=CardStatus.PUBLISHED,
            is_current=True,
            window_end__gte=end_of_day(context.today),
        )
        .filter(~Exists(pending))
    )

    def show(card: Card) -> NextAct:
        return NextAct(
            _subject(card),
            _card_url(card),
            _("%(colour)s, score %(score)s: read it; you may appeal within the time set")
            % {"colour": CardColour(card.colour).label, "score": card.score},
        )

    return Source(
        "card_published",
        _("Assessment cards published to your unit"),
        due,
        first_rows(due, ("unit",), ("-published_at", "pk"), show),
    )


def assessment_sources(context: NextActContext) -> list[Source]:
    """The assessment kinds waiting for the context's user, by role."""
    sources: list[Source] = []
    if staff := context.paths(Role.OFFICE_ADMIN):
        sources.append(
            _cards(
                staff,
                CardStatus.DRAFT,
                "card_to_review",
                _("Draft assessment cards to review"),
                _("%(colour)s, score %(score)s"),
            )
        )
    if leader := context.paths(Role.OFFICE_LEADER):
        sources.append(
            _cards(
                leader,
                CardStatus.REVIEWED,
                "card_to_confirm",
                _("Assessment cards to confirm"),
                _("%(colour)s, score %(score)s"),
            )
        )
    if office := context.paths(Role.OFFICE_ADMIN, Role.OFFICE_LEADER):
        sources.append(_appeals(office))
    if unit := context.paths(Role.UNIT_HEAD, Role.UNIT_REPORTER):
        sources.append(_published(context, unit))
    return sources
