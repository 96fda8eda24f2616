"""The next acts of grassroots innovations (待办), through the ledger's hook:

- office staff and leaders: innovations proposed to their office, awaiting its
  decision (accept, return or decline);
- a unit's liaison: its unit's innovations the office returned, to revise and propose
  again.
"""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from reformledger.ledger.selectors.next_acts import NextAct, NextActContext, Source, first_rows
from reformledger.orgs.choices import Role
from reformledger.orgs.permissions import under_any
from reformledger.pilots.choices import InnovationStatus
from reformledger.pilots.models import Innovation

__all__ = ["innovation_sources"]


def _url(innovation: Innovation) -> str:
    return reverse("pilots:innovation", args=[innovation.pk])


def _to_decide(paths: tuple[str, ...]) -> Source:
    due = Innovation.objects.filter(under_any("office", paths), status=InnovationStatus.PROPOSED)

    def show(innovation: Innovation) -> NextAct:
        return NextAct(
            innovation.title,
            _url(innovation),
            _("proposed by %(unit)s on %(date)s")
            % {
                "unit": innovation.unit.name,
                "date": timezone.localdate(innovation.proposed_at),
            },
        )

    return Source(
        "innovation_to_decide",
        _("Grassroots innovations to accept, return or decline"),
        due,
        first_rows(due, ("unit",), ("proposed_at", "pk"), show),
        more_url=reverse("pilots:innovations") + f"?status={InnovationStatus.PROPOSED}",
    )


def _returned(paths: tuple[str, ...]) -> Source:
    due = Innovation.objects.filter(under_any("unit", paths), status=InnovationStatus.RETURNED)

    def show(innovation: Innovation) -> NextAct:
        return NextAct(
            innovation.title,
            reverse("pilots:innovation_revise", args=[innovation.pk]),
            _("returned: %(reason)s") % {"reason": innovation.decision_reason},
        )

    return Source(
        "innovation_returned",
        _("Innovations returned to revise"),
        due,
        first_rows(due, (), ("decided_at", "pk"), show),
        more_url=reverse("pilots:innovations") + f"?status={InnovationStatus.RETURNED}",
    )


def innovation_sources(context: NextActContext) -> list[Source]:
    """The innovation kinds waiting for the context's user, by role."""
    sources: list[Source] = []
    if office := context.paths(Role.OFFICE_ADMIN, Role.OFFICE_LEADER):
        sources.append(_to_decide(office))
    if liaison := context.paths(Role.UNIT_REPORTER):
        sources.append(_returned(liaison))
    return sources
