"""Pilots' words for their history: their models and the keys of their records that
are no model field (`audit.labels`, from `PilotsConfig.ready`)."""

from django.utils.translation import gettext_lazy as _

from reformledger.audit import labels


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
        },
        values={
            "document": {
                "pilot_registry": _("the pilot registry"),
                "pilot_summary": _("the pilot's one-page summary"),
                "investment_sheet": _("the investment sheet"),
            },
        },
    )
