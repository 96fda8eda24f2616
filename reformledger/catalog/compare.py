"""What changed between two editions of the lists (清单比对), computed from their rows.

Items are matched first by their code (事项编码) within the same list; an item that
has no code on either side is matched by its department and name, and the
comparison says which pairs it matched that way (`Change.matched_by`). A matched
pair may be renamed (same code, new name), changed (basis, body, type,
responsibilities… field by field), moved to another department or passed down to
the counties (its level now names the counties); what is left unmatched was
removed or added.

The counts an office writes in its report count items (主项): a sub-item (子项) is
listed among the changes under its main item but is not an item of its own. The
sentence ("与上一版相比，减少行政审批事项15项，增加公共服务事项38项") is generated from
those counts, never typed.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from reformledger.catalog.choices import ChangeKind, ListKind, MatchedBy
from reformledger.catalog.models import Edition, Item, ItemType

#: The fields compared on a matched pair, per list, with their labels.
COMPARED = {
    ListKind.POWER: ("item_type", "basis", "body", "responsibilities", "accountability"),
    ListKind.SERVICE: ("serves", "provides", "basis", "body", "time_limit", "fees", "contact"),
}
FIELD_LABELS = {
    "item_type": gettext_lazy("type"),
    "basis": gettext_lazy("legal basis"),
    "body": gettext_lazy("implementing body"),
    "responsibilities": gettext_lazy("responsibilities"),
    "accountability": gettext_lazy("cases of accountability"),
    "serves": gettext_lazy("serves"),
    "provides": gettext_lazy("what it provides"),
    "time_limit": gettext_lazy("time limit"),
    "fees": gettext_lazy("fees"),
    "contact": gettext_lazy("contact"),
    "level": gettext_lazy("level exercised"),
}
_FIELDS = (
    "pk",
    "list_kind",
    "parent_id",
    "code",
    "name",
    "department_id",
    "department__name",
    "item_type_id",
    "basis",
    "body",
    "level",
    "responsibilities",
    "accountability",
    "serves",
    "provides",
    "time_limit",
    "fees",
    "contact",
    "position",
)
_SPACE = re.compile(r"\s+")
# A level that reaches the counties: 县级, 县（区）, 市、县两级, 下放.
_COUNTY = re.compile(r"县|区级|下放")


def text_key(text: str | None) -> str:
    """The form two texts are compared in: width folded, every space and line break
    dropped, so re-typing a cell or a line break the printer moved is no change."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text or ""))


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    old: str
    new: str


@dataclass
class Change:
    """One item's difference: `kinds` holds every way it changed (renamed and moved at
    once, say); `old`/`new` are the rows compared (dicts of `_FIELDS`), either absent
    for a removed or added item."""

    list_kind: str
    kinds: list[str]
    old: dict | None
    new: dict | None
    matched_by: str = ""
    fields: list[FieldChange] = field(default_factory=list)
    main_name: str = ""  # for a sub-item, the name of its main item

    @property
    def row(self) -> dict:
        return self.new or self.old or {}

    @property
    def code(self) -> str:
        return self.row.get("code", "")

    @property
    def name(self) -> str:
        return self.row.get("name", "")

    @property
    def old_name(self) -> str:
        return (self.old or {}).get("name", "")

    @property
    def department(self) -> str:
        return self.row.get("department__name", "")

    @property
    def old_department(self) -> str:
        return (self.old or {}).get("department__name", "")

    @property
    def is_sub_item(self) -> bool:
        return bool(self.row.get("parent_id"))

    def kind_labels(self) -> list[str]:
        return [str(ChangeKind(k).label) for k in self.kinds]

    def as_dict(self) -> dict:
        return {
            "list": self.list_kind,
            "kinds": list(self.kinds),
            "code": self.code,
            "name": self.name,
            "old_name": self.old_name if self.old and self.new else "",
            "department": self.department,
            "old_department": self.old_department if self.old and self.new else "",
            "sub_item_of": self.main_name,
            "matched_by": self.matched_by,
            "old_item": (self.old or {}).get("pk"),
            "new_item": (self.new or {}).get("pk"),
            "fields": [
                {"field": f.field, "label": f.label, "old": f.old, "new": f.new}
                for f in self.fields
            ],
        }


@dataclass
class Tally:
    """Items (主项) of one group in both editions, and how many came and went."""

    label: str
    old: int = 0
    new: int = 0
    removed: int = 0
    added: int = 0

    @property
    def net(self) -> int:
        return self.new - self.old

    def as_dict(self) -> dict:
        return {
            "label": self.label,
            "old": self.old,
            "new": self.new,
            "removed": self.removed,
            "added": self.added,
            "net": self.net,
        }


@dataclass
class Comparison:
    """The difference between edition `old` and edition `new`."""

    old: Edition
    new: Edition
    changes: list[Change]
    lists: dict[str, Tally]  # list kind -> items in each edition
    approval: Tally  # power items of the types counted as administrative approval
    by_type: list[Tally]
    by_department: list[Tally]
    counts: dict[str, int]  # change kind -> items (main items and sub-items)

    def of_kind(self, kind: str) -> list[Change]:
        return [c for c in self.changes if kind in c.kinds]

    @property
    def name_matches(self) -> list[Change]:
        """The pairs matched by department and name because an item had no code."""
        return [c for c in self.changes if c.matched_by == MatchedBy.NAME]

    def sentence(self) -> str:
        """What an office writes in its report about the new edition."""
        parts = []
        approval, services = self.approval.net, self.lists[ListKind.SERVICE].net
        if approval < 0:
            parts.append(
                ngettext(
                    "%(n)s administrative approval item fewer",
                    "%(n)s administrative approval items fewer",
                    -approval,
                )
                % {"n": -approval}
            )
        elif approval > 0:
            parts.append(
                ngettext(
                    "%(n)s administrative approval item more",
                    "%(n)s administrative approval items more",
                    approval,
                )
                % {"n": approval}
            )
        if services < 0:
            parts.append(
                ngettext(
                    "%(n)s public service item fewer", "%(n)s public service items fewer", -services
                )
                % {"n": -services}
            )
        elif services > 0:
            parts.append(
                ngettext(
                    "%(n)s public service item more", "%(n)s public service items more", services
                )
                % {"n": services}
            )
        if not parts:
            return _(
                "Compared with the previous edition, the numbers of administrative approval "
                "items and public service items are unchanged."
            )
        return _("Compared with the previous edition, %(parts)s.") % {"parts": _(", ").join(parts)}

    def summary(self) -> dict:
        """The figures as plain data (the API, the task's page, the Excel)."""
        return {
            "old_edition": self.old.pk,
            "new_edition": self.new.pk,
            "sentence": self.sentence(),
            "lists": {k: t.as_dict() for k, t in self.lists.items()},
            "approval": self.approval.as_dict(),
            "by_type": [t.as_dict() for t in self.by_type],
            "by_department": [t.as_dict() for t in self.by_department],
            "counts": dict(self.counts),
            "matched_by_name": len(self.name_matches),
        }


def _rows(edition: Edition) -> list[dict]:
    return list(Item.objects.filter(edition=edition).order_by("pk").values(*_FIELDS))


def _by_code(rows: list[dict]) -> dict[tuple[str, str], dict]:
    return {(r["list_kind"], text_key(r["code"])): r for r in rows if r["code"]}


def _name_key(row: dict, names: dict[int, str]) -> tuple:
    main = names.get(row["parent_id"], "") if row["parent_id"] else ""
    return (row["list_kind"], row["department_id"], text_key(main), text_key(row["name"]))


def _county(level: str) -> bool:
    return bool(_COUNTY.search(level or ""))


def compare_editions(old: Edition, new: Edition) -> Comparison:
    """Compare two editions (four queries, whatever their size)."""
    types = {t.pk: t for t in ItemType.objects.all()}
    old_rows, new_rows = _rows(old), _rows(new)
    old_names = {r["pk"]: r["name"] for r in old_rows}
    new_names = {r["pk"]: r["name"] for r in new_rows}

    pairs: list[tuple[dict, dict, str]] = []
    old_codes, new_codes = _by_code(old_rows), _by_code(new_rows)
    matched_old: set[int] = set()
    matched_new: set[int] = set()
    for key, new_row in new_codes.items():
        old_row = old_codes.get(key)
        if old_row is not None:
            pairs.append((old_row, new_row, MatchedBy.CODE))
            matched_old.add(old_row["pk"])
            matched_new.add(new_row["pk"])
    # Items without a code on one side or both: by department and name, once each.
    left_old: dict[tuple, list[dict]] = defaultdict(list)
    for row in old_rows:
        if row["pk"] not in matched_old:
            left_old[_name_key(row, old_names)].append(row)
    for row in new_rows:
        if row["pk"] in matched_new:
            continue
        candidates = left_old.get(_name_key(row, new_names))
        if not candidates:
            continue
        # Two coded items are two items even under the same name.
        index = next((i for i, c in enumerate(candidates) if not (c["code"] and row["code"])), None)
        if index is None:
            continue
        old_row = candidates.pop(index)
        pairs.append((old_row, row, MatchedBy.NAME))
        matched_old.add(old_row["pk"])
        matched_new.add(row["pk"])

    changes: list[Change] = []
    for old_row, new_row, how in pairs:
        kinds = []
        if how == MatchedBy.CODE and text_key(old_row["name"]) != text_key(new_row["name"]):
            kinds.append(ChangeKind.RENAMED)
        if old_row["department_id"] != new_row["department_id"]:
            kinds.append(ChangeKind.MOVED)
        if _county(new_row["level"]) and not _county(old_row["level"]):
            kinds.append(ChangeKind.DELEGATED)
        fields = []
        for name in COMPARED[ListKind(new_row["list_kind"])]:
            if name != "item_type":
                before, after = old_row[name], new_row[name]
            else:
                before = str(types[old_row["item_type_id"]]) if old_row["item_type_id"] else ""
                after = str(types[new_row["item_type_id"]]) if new_row["item_type_id"] else ""
            if text_key(before) != text_key(after):
                fields.append(FieldChange(name, str(FIELD_LABELS[name]), before, after))
        if fields:
            kinds.append(ChangeKind.CHANGED)
        if kinds or how == MatchedBy.NAME:
            changes.append(
                Change(
                    new_row["list_kind"],
                    [str(k) for k in kinds],
                    old_row,
                    new_row,
                    matched_by=how,
                    fields=fields,
                    main_name=new_names.get(new_row["parent_id"], ""),
                )
            )
    for row in old_rows:
        if row["pk"] not in matched_old:
            changes.append(
                Change(
                    row["list_kind"],
                    [ChangeKind.REMOVED.value],
                    row,
                    None,
                    main_name=old_names.get(row["parent_id"], ""),
                )
            )
    for row in new_rows:
        if row["pk"] not in matched_new:
            changes.append(
                Change(
                    row["list_kind"],
                    [ChangeKind.ADDED.value],
                    None,
                    row,
                    main_name=new_names.get(row["parent_id"], ""),
                )
            )
    order = {k: i for i, k in enumerate(ChangeKind.values)}
    changes.sort(
        key=lambda c: (
            c.list_kind != ListKind.POWER,
            order[c.kinds[0]] if c.kinds else len(order),
            c.department,
            c.code,
            c.name,
        )
    )
    counts = Counter(k for c in changes for k in c.kinds)
    return Comparison(
        old=old,
        new=new,
        changes=changes,
        counts={k: counts.get(k, 0) for k in ChangeKind.values},
        **_tallies(old_rows, new_rows, changes, types),
    )


def _tallies(old_rows, new_rows, changes, types) -> dict:
    """Items (主项) per list, per type and per department, in both editions."""
    lists = {k: Tally(str(ListKind(k).label)) for k in ListKind.values}
    approval = Tally(_("Administrative approval"))
    by_type: dict[int | None, Tally] = {}
    by_department: dict[tuple[str, int], Tally] = {}

    def tallies(row):
        kind = row["list_kind"]
        found = [lists[kind]]
        if kind == ListKind.POWER:
            item_type = types.get(row["item_type_id"])
            if item_type is not None and item_type.is_approval:
                found.append(approval)
            key = row["item_type_id"]
            if key not in by_type:
                by_type[key] = Tally(str(item_type) if item_type else _("(no type)"))
            found.append(by_type[key])
        dkey = (kind, row["department_id"])
        if dkey not in by_department:
            by_department[dkey] = Tally(f"{row['department__name']} · {ListKind(kind).label}")
        found.append(by_department[dkey])
        return found

    for rows, attr in ((old_rows, "old"), (new_rows, "new")):
        for row in rows:
            if row["parent_id"] is None:
                for tally in tallies(row):
                    setattr(tally, attr, getattr(tally, attr) + 1)
    for change in changes:
        if change.is_sub_item:
            continue
        if ChangeKind.REMOVED in change.kinds:
            for tally in tallies(change.old):
                tally.removed += 1
        elif ChangeKind.ADDED in change.kinds:
            for tally in tallies(change.new):
                tally.added += 1
    type_order = {pk: (t.position, t.code) for pk, t in types.items()}
    return {
        "lists": lists,
        "approval": approval,
        "by_type": [
            by_type[k] for k in sorted(by_type, key=lambda k: type_order.get(k, (999, "")))
        ],
        "by_department": sorted(by_department.values(), key=lambda t: t.label),
    }
