"""Every change of the lists, one function per act, each writing its audit record in
the same transaction.

The office starts an edition (`edition_create`), imports each department's part from
the sheet it publishes (`services.imports`), corrects items (`item_update`,
`item_remove`) and reviews each part (`part_review`) while the edition is a draft;
an office leader publishes it with its document (`edition_publish`), after which
nothing in it changes.
"""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from reformledger.audit import services as audit
from reformledger.catalog import permissions
from reformledger.catalog.choices import STANDARD_TYPES, EditionStatus, ListKind, PartStatus
from reformledger.catalog.models import LIST_FIELDS, Edition, Item, ItemType, Part
from reformledger.core.clock import business_now
from reformledger.core.exceptions import ConflictError, StaleVersionError
from reformledger.ledger.models import Task
from reformledger.orgs.models import Unit

__all__ = [
    "EDITION_FIELDS",
    "ITEM_FIELDS",
    "edition_create",
    "edition_publish",
    "edition_update",
    "item_remove",
    "item_types_install",
    "item_update",
    "part_review",
]

EDITION_FIELDS = ("title", "previous", "task")
#: The fields of an item a correction may change, per list.
ITEM_FIELDS = LIST_FIELDS
FIRST_YEAR, LAST_YEAR = 2000, 2100


def default_title(jurisdiction: Unit, year: int) -> str:
    """The edition's official title, in Chinese whatever the language of the page (it is
    the name of a government document: 惠州市权责清单和公共服务事项清单（2016年版）)."""
    with translation.override("zh-hans"):
        return _(
            "%(place)s lists of powers and responsibilities and of public services "
            "(%(year)s edition)"
        ) % {"place": jurisdiction.name, "year": year}


def _check_links(edition: Edition) -> None:
    errors = {}
    previous = edition.previous
    if previous is not None:
        if previous.pk == edition.pk or previous.jurisdiction_id != edition.jurisdiction_id:
            errors["previous"] = _(
                "The previous edition must be another edition of the same place."
            )
        elif previous.year >= edition.year:
            errors["previous"] = _("The previous edition must be of an earlier year.")
    task = edition.task
    if task is not None and task.office_id != edition.office_id:
        errors["task"] = _("The task must be in this office's ledger.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def edition_create(
    *,
    by,
    office: Unit,
    jurisdiction: Unit,
    year: int,
    title: str = "",
    previous: Edition | None = None,
    task: Task | None = None,
) -> Edition:
    """Start a draft edition of a place's lists for a year; the previous edition
    defaults to the place's latest earlier one."""
    permissions.require_office(by, "manage", office)
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise ValidationError({"year": _("Give the year as a number.")}) from None
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValidationError({"year": _("Give a year between 2000 and 2100.")})
    if Edition.objects.filter(jurisdiction=jurisdiction, year=year).exists():
        raise ValidationError(
            {
                "year": _("%(place)s already has an edition of %(year)s.")
                % {"place": jurisdiction, "year": year}
            }
        )
    if previous is None:
        previous = (
            Edition.objects.filter(jurisdiction=jurisdiction, year__lt=year)
            .order_by("-year")
            .first()
        )
    edition = Edition(
        office=office,
        jurisdiction=jurisdiction,
        year=year,
        title=(title or "").strip()[:200] or default_title(jurisdiction, year),
        previous=previous,
        task=task,
        created_by=by,
    )
    _check_links(edition)
    edition.save()
    audit.record(
        actor=by,
        verb="catalog.edition_created",
        obj=edition,
        changes={
            "year": year,
            "jurisdiction": str(jurisdiction),
            "previous": str(previous or ""),
            "task": str(task or ""),
        },
    )
    return edition


def _locked(model, obj):
    return model.objects.select_for_update().select_related().get(pk=obj.pk)


def _check_version(obj, version, words: str) -> None:
    if version is not None and int(version) != obj.version:
        raise StaleVersionError(words % {"now": obj.version, "read": version})


def _require_draft(edition: Edition) -> None:
    if not edition.is_draft:
        raise ConflictError(_("This edition is published: it no longer changes."))


@transaction.atomic
def edition_update(*, by, edition: Edition, version: int | None = None, **fields: Any) -> Edition:
    """Change a draft edition's title, previous edition or reform task."""
    permissions.require(by, "manage", edition)
    unknown = set(fields) - set(EDITION_FIELDS)
    if unknown:
        raise TypeError(f"unknown edition fields: {sorted(unknown)}")
    edition = _locked(Edition, edition)
    _require_draft(edition)
    _check_version(
        edition,
        version,
        _("This edition was changed by someone else (version %(now)s, you read %(read)s)."),
    )
    before = audit.snapshot(edition, EDITION_FIELDS)
    if "title" in fields:
        fields["title"] = (fields["title"] or "").strip()[:200]
        if not fields["title"]:
            raise ValidationError({"title": _("This field cannot be empty.")})
    for name, value in fields.items():
        setattr(edition, name, value)
    _check_links(edition)
    delta = audit.diff(before, audit.snapshot(edition, EDITION_FIELDS))
    if not delta:
        return edition
    edition.version += 1
    edition.save()
    audit.record(actor=by, verb="catalog.edition_updated", obj=edition, changes=delta)
    return edition


@transaction.atomic
def edition_publish(
    *,
    by,
    edition: Edition,
    published_on: dt.date,
    document_no: str,
    document_title: str = "",
    version: int | None = None,
) -> Edition:
    """Publish an edition with the document that published it (发文): every part must
    be reviewed; from then on the edition is frozen and open to the public."""
    permissions.require(by, "publish", edition)
    edition = _locked(Edition, edition)
    _require_draft(edition)
    _check_version(
        edition,
        version,
        _("This edition was changed by someone else (version %(now)s, you read %(read)s)."),
    )
    errors = {}
    document_no = (document_no or "").strip()[:60]
    if not document_no:
        errors["document_no"] = _("Give the number of the document that publishes the lists.")
    if not isinstance(published_on, dt.date):
        errors["published_on"] = _("Give the date of publication.")
    if errors:
        raise ValidationError(errors)
    if not edition.items.exists():
        raise ConflictError(
            _("This edition has no items yet: import the departments' lists first.")
        )
    waiting = list(
        edition.parts.filter(status=PartStatus.IMPORTED)
        .select_related("department")
        .order_by("department__path")[:5]
    )
    if waiting:
        raise ConflictError(
            _("Review every department's part before publishing; still waiting: %(parts)s.")
            % {"parts": _(", ").join(str(p) for p in waiting)}
        )
    edition.status = EditionStatus.PUBLISHED
    edition.published_on = published_on
    edition.published_by = by
    edition.document_no = document_no
    edition.document_title = (document_title or "").strip()[:200] or edition.title
    edition.version += 1
    edition.save()
    audit.record(
        actor=by,
        verb="catalog.edition_published",
        obj=edition,
        changes={
            "published_on": published_on.isoformat(),
            "document_no": document_no,
            "items": edition.items.count(),
        },
    )
    return edition


@transaction.atomic
def part_review(*, by, part: Part) -> Part:
    """The office has checked a department's part against its sheet (审核)."""
    permissions.require(by, "manage", part)
    part = Part.objects.select_for_update().get(pk=part.pk)
    _require_draft(part.edition)
    if part.status == PartStatus.REVIEWED:
        raise ConflictError(_("This part was already reviewed."))
    part.status = PartStatus.REVIEWED
    part.reviewed_by = by
    part.reviewed_at = business_now()
    part.save(update_fields=["status", "reviewed_by", "reviewed_at"])
    audit.record(
        actor=by,
        verb="catalog.part_reviewed",
        obj=part,
        ctx=part.edition,
        changes={
            "department": str(part.department),
            "list": part.list_kind,
            "items": part.items.count(),
        },
    )
    return part


def _reopen(part: Part) -> None:
    """A corrected part waits for review again."""
    if part.status != PartStatus.IMPORTED:
        part.status = PartStatus.IMPORTED
        part.reviewed_by = None
        part.reviewed_at = None
        part.save(update_fields=["status", "reviewed_by", "reviewed_at"])


def _item_type(value) -> ItemType | None:
    if value is None or isinstance(value, ItemType):
        return value
    found = ItemType.objects.filter(pk=value).first()
    if found is None:
        raise ValidationError({"item_type": _("Choose a type from the list.")})
    return found


@transaction.atomic
def item_update(
    *, by, item: Item, version: int | None = None, reason: str = "", **fields: Any
) -> Item:
    """Correct an item of a draft edition (a typo in the sheet, a wrong type); its part
    waits for review again."""
    permissions.require(by, "manage", item)
    allowed = ITEM_FIELDS[ListKind(item.list_kind)]
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"unknown item fields: {sorted(unknown)}")
    item = Item.objects.select_for_update().select_related("edition", "part").get(pk=item.pk)
    _require_draft(item.edition)
    _check_version(
        item,
        version,
        _("This item was changed by someone else (version %(now)s, you read %(read)s)."),
    )
    before = audit.snapshot(item, allowed)
    for name, value in fields.items():
        if name == "item_type":
            value = _item_type(value)
        elif isinstance(value, str) or value is None:
            limit = getattr(Item._meta.get_field(name), "max_length", None)
            value = (value or "").strip()
            if limit:
                value = value[:limit]
        setattr(item, name, value)
    errors = {}
    if not item.name:
        errors["name"] = _("This field cannot be empty.")
    if item.list_kind == ListKind.POWER and item.item_type_id is None:
        errors["item_type"] = _("A power item needs its type.")
    if (
        item.code
        and Item.objects.filter(edition=item.edition, list_kind=item.list_kind, code=item.code)
        .exclude(pk=item.pk)
        .exists()
    ):
        errors["code"] = _("Another item of this edition has the code %(code)s.") % {
            "code": item.code
        }
    if errors:
        raise ValidationError(errors)
    delta = audit.diff(before, audit.snapshot(item, allowed))
    if not delta:
        return item
    item.version += 1
    item.save()
    _reopen(item.part)
    audit.record(
        actor=by,
        verb="catalog.item_updated",
        obj=item,
        ctx=item.edition,
        changes=delta,
        reason=reason,
    )
    return item


@transaction.atomic
def item_remove(*, by, item: Item, reason: str) -> Part:
    """Take an item (and its sub-items) out of a draft edition, with the reason."""
    permissions.require(by, "manage", item)
    item = Item.objects.select_for_update().select_related("edition", "part").get(pk=item.pk)
    _require_draft(item.edition)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the item is taken out.")})
    part, edition = item.part, item.edition
    subs = item.sub_items.count()
    audit.record(
        actor=by,
        verb="catalog.item_removed",
        obj=item,
        ctx=edition,
        changes={"code": item.code, "name": item.name, "sub_items": subs},
        reason=reason,
    )
    item.delete()
    _reopen(part)
    return part


def item_types_install(*, using: str = "default") -> int:
    """Add the standard power types that are missing (none is changed), as migration
    0002 does on a new database: installation data, not an act of anyone's, so no audit
    record (the system administrator's later changes in the admin are). Run after every
    migrate and flush (`CatalogConfig.ready`), so a table emptied by a flush gets them
    back. Returns how many were added."""
    known = set(ItemType.objects.using(using).values_list("code", flat=True))
    missing = [
        ItemType(code=code, name=name, aliases=aliases, is_approval=approval, position=position)
        for position, (code, name, aliases, approval) in enumerate(STANDARD_TYPES, start=1)
        if code not in known
    ]
    ItemType.objects.using(using).bulk_create(missing)
    return len(missing)
