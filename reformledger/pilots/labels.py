"""Pilots' words for their history: their models and the keys of their records that
are no model field (`audit.labels`, from `PilotsConfig.ready`)."""

from django.utils.translation import gettext_lazy as _

from reformledger.audit import labels


def _innovation(innovation, verb: str):
    """The ledger's dates of an innovation's acts: proposed, decided, declared."""
    if verb in ("innovation.proposed", "innovation.revised"):
        return [(_("proposed on"), innovation.proposed_at)]
    if verb in ("innovation.accepted", "innovation.returned", "innovation.declined"):
        return [(_("decided on"), innovation.decided_at)] if innovation.decided_at else []
    if verb == "innovation.declared":
        return [(_("declared on"), innovation.declared_at)] if innovation.declared_at else []
    return []


def register() -> None:
    from reformledger.pilots.models import (
        Acceptance,
        Adoption,
        Innovation,
        InnovationFile,
        InvestmentReport,
        MidTermReview,
        Pilot,
        PilotFile,
        SubProject,
    )

    labels.register(
        models=[
            Pilot,
            MidTermReview,
            Acceptance,
            SubProject,
            InvestmentReport,
            PilotFile,
            Innovation,
            InnovationFile,
            Adoption,
        ],
        keys={
            "files": _("files"),
            "rows": _("rows"),
            "file_name": _("file name"),
            "acted_on": _("dated"),
        },
        values={
            "document": {
                "pilot_registry": _("the pilot registry"),
                "pilot_summary": _("the pilot's one-page summary"),
                "investment_sheet": _("the investment sheet"),
            },
        },
        business_dates={Innovation: _innovation},
    )
