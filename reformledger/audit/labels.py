"""Plain words for what the trail records: one table, read by every page and document
that shows a history (a task's history tab, an order's, the auditor's trail and its
record page, the trail's Excel export).

A record stores codes — its act (`task.status`), the keys of its changes (`status`,
`next_steps`, `sha256`) and their values (`in_progress`, `2016-04-03T08:00:00+00:00`).
This module says each in words: the act through `verbs.VERBS`, a key by the verbose
name of the model field it came from or by a label an app registered for keys that are
no field (`recipient`, `rows`), a value by its model field's choices or a registered
label, a date as a date, a file by its name and size, the system's own acts as 系统.

The audit app sits below the domain apps, so they fill the table through `register`
in their `AppConfig.ready`: their models (fields and choices are read from them), the
labels of other keys, the words of other coded values, the reasons the system writes,
and the business date of an act (a report's period and submission date), which can
differ from the moment it was recorded (the demo records 2016's acts at load time).
"""

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Choices
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from reformledger.audit.models import AuditRecord, Outcome
from reformledger.audit.verbs import describe

#: How a record names the system's own acts (`services.record(actor=None)`).
SYSTEM = "system"
#: Keys shown on the auditor's record page but left out of a history: a file's hash
#: proves the file, it says nothing to a reader.
TECHNICAL_KEYS = {"sha256"}

#: A business date: given the object of a record and its act, the (label, value)
#: pairs that place the act in the work (a report's period, the day it was submitted).
Describer = Callable[[models.Model, str], list[tuple[Any, Any]]]


@dataclass(frozen=True)
class _BusinessDate:
    describe: Describer
    related: tuple[str, ...] = ()


@dataclass
class _Table:
    registered: list[type[models.Model]] = field(default_factory=list)
    keys: dict[str, Any] = field(default_factory=dict)
    values: dict[str, dict[str, Any]] = field(default_factory=lambda: defaultdict(dict))
    reasons: dict[str, Any] = field(default_factory=dict)
    reason_patterns: list[tuple[re.Pattern, Any]] = field(default_factory=list)
    size_keys: set[str] = field(default_factory=set)
    percent_keys: set[str] = field(default_factory=set)
    business: dict[str, _BusinessDate] = field(default_factory=dict)


_table = _Table()

# The audit app's own keys (its exports, verification, refusals) and the sign-in's.
_OWN_KEYS = {
    "document": _("document"),
    "filters": _("filters"),
    "rows": _("rows"),
    "format": _("format"),
    "records": _("records verified"),
    "broken": _("first broken record"),
    "problem": _("problem"),
    "head": _("chain head"),
    "method": _("request method"),
    "path": _("address requested"),
    "file": _("file"),
    "files": _("files"),
    "size": _("size"),
    "sha256": _("checksum (SHA-256)"),
    "q": _("search"),
    "since": _("from"),
    "until": _("to"),
    "verb": _("act"),
    "obj_type": _("object type"),
    "outcome": _("outcome"),
    "user": _("user"),
}
_OWN_VALUES = {
    "format": {
        "xlsx": "Excel",
        "docx": "Word",
        "pdf": "PDF",
        "csv": "CSV",
        "json": "JSON",
    },
    "document": {"audit_trail": _("the audit trail")},
}


def register(
    *,
    models: Iterable[type[models.Model]] = (),
    keys: Mapping[str, Any] | None = None,
    values: Mapping[str, Mapping[str, Any] | type[models.Choices]] | None = None,
    reasons: Mapping[str, Any] | None = None,
    size_keys: Iterable[str] = (),
    percent_keys: Iterable[str] = (),
    business_dates: Mapping[type[models.Model], Describer | tuple[Describer, tuple[str, ...]]]
    | None = None,
) -> None:
    """Add an app's words to the table (from its `AppConfig.ready`).

    `models`: the models its records name or whose fields they carry; a key is
    labelled by the field of that name (its verbose name) and a value by the field's
    choices. `keys`: labels of keys that are no model field ("recipient"). `values`:
    words of coded values that are no field's choices, per key ({"document":
    {"ledger": …}}), or a `TextChoices`. `reasons`: the reasons the system writes, in
    words; "{name}" in a reason stands for any text ("reminders of {day}" → "…%(day)s").
    `size_keys`: keys whose value is a file size in bytes, `percent_keys` a percentage.
    `business_dates`: per
    model, a function of (object, verb) giving the act's business date(s), with the
    relations to load alongside.
    """
    for model in models:
        if model not in _table.registered:
            _table.registered.append(model)
    _table.keys.update(keys or {})
    for key, words in (values or {}).items():
        if isinstance(words, type) and issubclass(words, Choices):
            words = dict(words.choices)
        _table.values[key].update(words)
    for reason, words in (reasons or {}).items():
        if "{" in reason:
            pattern = re.escape(reason)
            pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>.+?)", pattern)
            _table.reason_patterns.append((re.compile(f"^{pattern}$"), words))
        else:
            _table.reasons[reason] = words
    _table.size_keys.update(size_keys)
    _table.percent_keys.update(percent_keys)
    for model, spec in (business_dates or {}).items():
        fn, related = spec if isinstance(spec, tuple) else (spec, ())
        _table.business[model._meta.label_lower] = _BusinessDate(fn, tuple(related))


# --- keys ----------------------------------------------------------------------------


def _model(label: str) -> type[models.Model] | None:
    if not label:
        return None
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def _field(model: type[models.Model] | None, key: str):
    """The concrete field (or many-to-many) `key` of `model`, or None (reverse
    relations have no label of their own)."""
    if model is None:
        return None
    try:
        found = model._meta.get_field(key)
    except FieldDoesNotExist:
        return None
    name = getattr(found, "verbose_name", None)
    # A field without a verbose name of its own is named after itself, untranslated.
    if name is None or (isinstance(name, str) and name == key.replace("_", " ")):
        return None
    return found


def _candidates(obj_type: str = "", ctx_type: str = "") -> list[type[models.Model]]:
    """The models whose fields may name a key of a record: its object's, its
    context's, then every registered model."""
    found = [m for m in (_model(obj_type), _model(ctx_type)) if m is not None]
    return found + [m for m in _table.registered if m not in found]


def field_label(key: str, obj_type: str = "", ctx_type: str = "") -> str:
    """A change's key in words: the field of the record's object (or context) of that
    name, else a registered label, else a field of that name on any registered model;
    the key itself when nothing names it (a test makes sure none is left)."""
    for model in [m for m in (_model(obj_type), _model(ctx_type)) if m is not None]:
        found = _field(model, key)
        if found is not None:
            return capfirst(str(found.verbose_name))
    if key in _table.keys:
        return capfirst(str(_table.keys[key]))
    if key in _OWN_KEYS:
        return capfirst(str(_OWN_KEYS[key]))
    for model in _table.registered:
        found = _field(model, key)
        if found is not None:
            return capfirst(str(found.verbose_name))
    return key


def object_label(obj_type: str) -> str:
    """A record's object type in words ("ledger.task" → 改革任务)."""
    model = _model(obj_type)
    return capfirst(str(model._meta.verbose_name)) if model is not None else obj_type


# --- values --------------------------------------------------------------------------

_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def _chinese() -> bool:
    return (get_language() or "").startswith("zh")


def colon() -> str:
    """The colon after a label: full width in Chinese."""
    return "：" if _chinese() else ": "


def _semicolon() -> str:
    return "；" if _chinese() else "; "


@cache  # a model's fields and choices are fixed once the apps are loaded
def _choices(model: type[models.Model], key: str) -> dict[str, Any]:
    """The labels of field `key`'s choices by code (lazy: read in the current language)."""
    try:
        found = model._meta.get_field(key)
    except FieldDoesNotExist:
        return {}
    if not getattr(found, "choices", None):
        return {}
    return {str(k): v for k, v in found.flatchoices}


def _coded(key: str, value: str, models_first: list[type[models.Model]]) -> Any | None:
    """The words of a coded `value` of `key`, or None when it is no known code."""
    for model in models_first:
        words = _choices(model, key).get(value)
        if words is not None:
            return words
    if value in _table.values.get(key, {}):
        return _table.values[key][value]
    if value in _OWN_VALUES.get(key, {}):
        return _OWN_VALUES[key][value]
    return None


def _moment(value: str) -> str:
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return value
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return moment.strftime("%Y-%m-%d %H:%M")


def value_words(key: str, value: Any, obj_type: str = "", ctx_type: str = "") -> str:
    """A recorded value in words: a choice by its label, a date as a date, a size in
    bytes as a size, yes/no, a list joined, a mapping as its labelled pairs."""
    return _words(key, value, _candidates(obj_type, ctx_type))


def _words(key: str, value: Any, candidates: list[type[models.Model]]) -> str:
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if value is True:
        return gettext("yes")
    if value is False:
        return gettext("no")
    if isinstance(value, list | tuple):
        return _semicolon().join(_words(key, v, candidates) for v in value)
    if isinstance(value, dict):
        return _semicolon().join(
            f"{field_label(str(k))}{colon()}{_words(str(k), v, candidates)}"
            for k, v in value.items()
        )
    if key in _table.size_keys and isinstance(value, int):
        return str(filesizeformat(value))
    if key in _table.percent_keys and isinstance(value, int | float):
        return f"{value}%"
    if isinstance(value, str):
        if key == "verb":
            return describe(value)
        if key == "obj_type":
            return object_label(value)
        words = _coded(key, value, candidates)
        if words is not None:
            return str(words)
        if _MOMENT.match(value):
            return _moment(value)
        return value
    if isinstance(value, dt.datetime):
        return _moment(value.isoformat())
    return str(value)


# --- a record in words ---------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """One change in words: `label：before → after`, or `label：value` when nothing was
    there before (or the record keeps one value, not a pair)."""

    label: str
    after: str
    before: str = ""

    def __str__(self) -> str:
        if self.before:
            return f"{self.label}{colon()}{self.before} → {self.after}"
        return f"{self.label}{colon()}{self.after}"


@dataclass(frozen=True)
class Entry:
    """A record as a history shows it: who, the act in words, when it was recorded,
    when it happened in the work, the reason and the changes."""

    record: AuditRecord
    who: str
    words: str
    business: list[tuple[str, str]]
    reason: str
    lines: list[Line]

    @property
    def business_text(self) -> str:
        return " · ".join(f"{label} {value}" for label, value in self.business)


def actor(record: AuditRecord) -> str:
    """Who acted: the user's name, or 系统 for the system's own acts."""
    if record.actor_id and record.actor is not None:
        return str(record.actor)
    if not record.actor_label or record.actor_label == SYSTEM:
        return gettext("System")
    return record.actor_label


def reason(record: AuditRecord) -> str:
    """The reason in words: a reason the code writes (registered) is translated, one a
    person typed stays as typed."""
    text = record.reason or ""
    if not text:
        return text
    if text in _table.reasons:
        return str(_table.reasons[text])
    for pattern, words in _table.reason_patterns:
        match = pattern.match(text)
        if match:
            return str(words) % {k: _words(k, v, []) for k, v in match.groupdict().items()}
    return text


def _pair(change: Any) -> tuple[Any, Any, bool]:
    if isinstance(change, list) and len(change) == 2:
        return change[0], change[1], True
    return None, change, False


def lines(record: AuditRecord, *, technical: bool = False) -> list[Line]:
    """The record's changes in words. A file with its size reads as one line
    (name and size); technical keys (a hash) are left out unless `technical`."""
    candidates = _candidates(record.obj_type, record.ctx_type)
    changes = record.changes if isinstance(record.changes, dict) else {}
    out: list[Line] = []
    size = None
    if not technical and "file" in changes and "size" in changes:
        size = _pair(changes["size"])[1]
    for key, change in changes.items():
        if not technical and (key in TECHNICAL_KEYS or (key == "size" and size is not None)):
            continue
        old, new, is_pair = _pair(change)
        label = field_label(key, record.obj_type, record.ctx_type)
        after = _words(key, new, candidates)
        if key == "file" and size is not None:
            after = f"{after} ({filesizeformat(size)})"
        before = _words(key, old, candidates) if is_pair and old not in (None, "", []) else ""
        out.append(Line(label, after, before))
    return out


def _business(records: list[AuditRecord]) -> dict[int, list[tuple[str, str]]]:
    """The business dates of `records`, one query per kind of object that has them."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for rec in records:
        if rec.obj_type in _table.business and rec.obj_id:
            wanted[rec.obj_type].add(rec.obj_id)
    found: dict[int, list[tuple[str, str]]] = {}
    for obj_type, ids in wanted.items():
        spec = _table.business[obj_type]
        model = _model(obj_type)
        if model is None:
            continue
        pks = [int(i) for i in ids if i.isdigit()]
        objects = model._default_manager.select_related(*spec.related).in_bulk(pks)
        for rec in records:
            if rec.obj_type != obj_type or not rec.obj_id.isdigit():
                continue
            obj = objects.get(int(rec.obj_id))
            if obj is None:
                continue
            pairs = [
                (capfirst(str(label)), _date_words(value))
                for label, value in spec.describe(obj, rec.verb)
                if value not in (None, "")
            ]
            if pairs:
                found[rec.pk] = pairs
    return found


def _date_words(value: Any) -> str:
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%d")
    return str(value)


def entries(records: Iterable[AuditRecord], *, technical: bool = False) -> list[Entry]:
    """`records` in words, in their order, with their business dates (a fixed number
    of queries: one per kind of object with business dates)."""
    records = list(records)
    business = _business(records)
    out = []
    for rec in records:
        dates = business.get(rec.pk, [])
        # A change the business date already says (a report's period) is not repeated.
        said = {(label, value) for label, value in dates}
        changes = [
            line
            for line in lines(rec, technical=technical)
            if technical or line.before or (line.label, line.after) not in said
        ]
        out.append(
            Entry(
                record=rec,
                who=actor(rec),
                words=describe(rec.verb),
                business=dates,
                reason=reason(rec),
                lines=changes,
            )
        )
    return out


def outcome_words(value: str) -> str:
    return str(dict(Outcome.choices).get(value, value))


def keys() -> set[str]:
    """Every key the table names (for the test that walks the recorded keys)."""
    named = set(_table.keys) | set(_OWN_KEYS)
    for model in _table.registered:
        named |= {f.name for f in model._meta.get_fields() if hasattr(f, "verbose_name")}
    return named
