"""The publications' next acts (待办), added to the ledger's through its hook
(`ledger.selectors.next_acts.register_next_acts`, called in PublicationsConfig.ready):

- office leaders: an evaluation report generated and not yet recorded as submitted
  upward (报送) — the submission page shows the newest version and asks to confirm.
"""

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.translation import gettext as _

from reformledger.ledger.selectors.next_acts import NextAct, NextActContext, Source, first_rows
from reformledger.orgs.choices import Role
from reformledger.orgs.permissions import under_any
from reformledger.publications.choices import PublicationKind, PublicationStatus
from reformledger.publications.models import Publication, Rendition

__all__ = ["publication_sources"]


def _to_submit(paths) -> Source:
    due = Publication.objects.filter(
        under_any("office", paths),
        kind=PublicationKind.EVALUATION_REPORT,
        status=PublicationStatus.DRAFTING,
    ).filter(Exists(Rendition.objects.filter(publication=OuterRef("pk"))))

    def show(pub: Publication) -> NextAct:
        return NextAct(
            pub.title,
            reverse("publications:submit", args=[pub.pk]),
            _("generated from the ledger as of %(period)s; record its submission upward")
            % {"period": pub.period.label},
        )

    return Source(
        "report_to_submit",
        _("Evaluation reports to submit upward"),
        due,
        first_rows(due, ("period",), ("-year", "pk"), show),
        more_url=reverse("publications:list") + f"?kind={PublicationKind.EVALUATION_REPORT}",
    )


def publication_sources(context: NextActContext) -> list[Source]:
    """The publications' kinds waiting for the context's user, by role."""
    if leader := context.paths(Role.OFFICE_LEADER):
        return [_to_submit(leader)]
    return []
