"""The assessment's words for its history: its models and the keys of its records that
are no model field (`audit.labels`, from `AssessmentConfig.ready`)."""

from django.utils.translation import gettext_lazy as _

from reformledger.audit import labels


def _card(card, verb: str):
    """The business dates of a card's acts: the period it reads the ledger as of."""
    return [(_("as of period"), card.period.label)] if card.period_id else []


def register() -> None:
    from reformledger.assessment.models import (
        Appeal,
        AppealFile,
        Card,
        CardReason,
        Rule,
        RuleSet,
        Trigger,
    )

    labels.register(
        models=[RuleSet, Rule, Trigger, Card, CardReason, Appeal, AppealFile],
        keys={
            "acted_on": _("dated"),
            "cards": _("cards"),
            "green": _("green cards"),
            "yellow": _("yellow cards"),
            "rules": _("rules"),
            "triggers": _("yellow-card triggers"),
            "files": _("files"),
            "period": _("as of period"),
            "copied_from": _("copied from the rule set of"),
        },
        values={
            "document": {
                "assessment_cards": _("the assessment cards of the year"),
                "assessment_card": _("a unit's assessment card sheet"),
            },
        },
        business_dates={Card: (_card, ("period",))},
    )
