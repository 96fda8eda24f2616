"""The lists' kinds of the next act (待办), added to the ledger's through its hook
(`ledger.selectors.next_acts.register_next_acts`, called in CatalogConfig.ready):

- office staff and leaders: departments' parts of draft editions awaiting review;
- office leaders: draft editions whose every part is reviewed, to publish (the page
  shows what publishing rests on and asks to confirm).
"""

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.translation import gettext as _

from reformledger.catalog.choices import EditionStatus, PartStatus
from reformledger.catalog.models import Edition, Part
from reformledger.ledger.selectors.next_acts import NextAct, NextActContext, Source, first_rows
from reformledger.orgs.choices import Role
from reformledger.orgs.permissions import under_any

__all__ = ["catalog_sources"]


def _to_review(paths) -> Source:
    due = Part.objects.filter(
        under_any("edition__office", paths),
        edition__status=EditionStatus.DRAFT,
        status=PartStatus.IMPORTED,
    )

    def show(part: Part) -> NextAct:
        return NextAct(
            f"{part.department} · {part.get_list_kind_display()}",
            reverse("catalog:edition", args=[part.edition_id]),
            part.edition.title,
        )

    return Source(
        "list_part_review",
        _("Departments' lists to review"),
        due,
        first_rows(due, ("edition", "department"), ("edition__year", "pk"), show),
        more_url=reverse("catalog:list"),
    )


def _to_publish(paths) -> Source:
    due = (
        Edition.objects.filter(under_any("office", paths), status=EditionStatus.DRAFT)
        .filter(Exists(Part.objects.filter(edition=OuterRef("pk"))))
        .exclude(Exists(Part.objects.filter(edition=OuterRef("pk"), status=PartStatus.IMPORTED)))
    )

    def show(edition: Edition) -> NextAct:
        return NextAct(
            edition.title,
            reverse("catalog:publish", args=[edition.pk]),
            _("every department's list is reviewed; publish it"),
        )

    return Source(
        "list_edition_publish",
        _("Editions of the lists to publish"),
        due,
        first_rows(due, (), ("year", "pk"), show),
        more_url=reverse("catalog:list"),
    )


def catalog_sources(context: NextActContext) -> list[Source]:
    sources = []
    if staff := context.paths(Role.OFFICE_ADMIN, Role.OFFICE_LEADER):
        sources.append(_to_review(staff))
    if leaders := context.paths(Role.OFFICE_LEADER):
        sources.append(_to_publish(leaders))
    return sources
