"""The computation of a year's cards from the ledger (考核计分): which units are
assessed, which facts of the year belong to each, and what the rule set makes of them.

Pure reading: `compute` returns the cards as plain values and writes nothing; the
services store them. Every fact is read in one query per kind, whatever the number of
units, as of the year's frozen last period.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from reformledger.assessment.choices import (
    ASSESSED_AREA_KINDS,
    CardColour,
    FactKind,
    ReasonKind,
    TriggerKind,
)
from reformledger.assessment.models import RuleSet
from reformledger.evaluation.selectors import findings_for_assessment
from reformledger.ledger.choices import ClosingStatus, TaskStatus
from reformledger.ledger.models import ClosingRequest, Period, Rating, Task
from reformledger.orgs.choices import UnitKind
from reformledger.orgs.models import Unit
from reformledger.pilots.choices import AcceptanceResult, InnovationStatus
from reformledger.pilots.models import Innovation, Pilot
from reformledger.supervision.choices import AWAITING, OrderLevel
from reformledger.supervision.models import ActionItem, Answer, SupervisionOrder
from reformledger.supervision.selectors import in_year

__all__ = [
    "DEFAULT_RULES",
    "DEFAULT_TRIGGERS",
    "Computed",
    "Line",
    "assessed_units",
    "compute",
    "rules_snapshot",
]

#: The default rules: (fact, letter, points, key-task multiplier).
DEFAULT_RULES: list[tuple[str, str, Decimal, Decimal]] = [
    (FactKind.TASK_RATING, "A", Decimal("1"), Decimal("1.5")),
    (FactKind.TASK_RATING, "B", Decimal("0.5"), Decimal("1.5")),
    (FactKind.TASK_RATING, "C", Decimal("-2"), Decimal("1.5")),
    (FactKind.TASK_RATING, "D", Decimal("-5"), Decimal("1.5")),
    (FactKind.TASK_RATING, "E", Decimal("-8"), Decimal("1.5")),
    (FactKind.CLOSING_ON_TIME, "", Decimal("1"), Decimal("1")),
    (FactKind.CLOSING_LATE, "", Decimal("-1"), Decimal("1")),
    (FactKind.ORDER_ON_TIME, "", Decimal("0.5"), Decimal("1")),
    (FactKind.ORDER_RED, "", Decimal("-3"), Decimal("1")),
    (FactKind.ORDER_OVERDUE, "", Decimal("-5"), Decimal("1")),
    (FactKind.ACTION_ON_TIME, "", Decimal("0.5"), Decimal("1")),
    (FactKind.ACTION_OVERDUE, "", Decimal("-2"), Decimal("1")),
    (FactKind.FINDING, "", Decimal("-1"), Decimal("1")),
    (FactKind.INNOVATION, "", Decimal("3"), Decimal("1")),
    (FactKind.PILOT, "", Decimal("3"), Decimal("1")),
]
#: The default yellow-card triggers: (kind, enabled, letters, min_days).
DEFAULT_TRIGGERS: list[tuple[str, bool, str, int]] = [
    (TriggerKind.KEY_TASK_GRADE, True, "D,E", 0),
    (TriggerKind.ORDER_OVERDUE, True, "", 0),
    (TriggerKind.ORDER_RED, False, "", 0),
    (TriggerKind.BELOW_THRESHOLD, True, "", 0),
]
DEFAULT_BASE = Decimal("100")
#: The default threshold: a unit whose facts take off more than they add falls below it
#: (the 2016 demo: five yellow cards of 33, each for facts its ledger holds).
DEFAULT_THRESHOLD = Decimal("100")
DEFAULT_APPEAL_DAYS = 10


@dataclass
class Line:
    """One reason of a card before it is stored."""

    kind: str
    points: Decimal
    text: str
    triggers_yellow: bool = False
    trigger: str = ""
    links: dict[str, Any] = field(default_factory=dict)


@dataclass
class Computed:
    """A unit's card as computed: its score, colour and lines."""

    unit: Unit
    lines: list[Line]

    @property
    def score(self) -> Decimal:
        return sum((line.points for line in self.lines), Decimal("0"))

    @property
    def colour(self) -> str:
        return CardColour.YELLOW if any(x.triggers_yellow for x in self.lines) else CardColour.GREEN


def rules_snapshot(rule_set: RuleSet) -> dict:
    """The rules a card was computed with, as the card keeps them."""
    return {
        "rule_set": rule_set.pk,
        "version": rule_set.version,
        "base_score": str(rule_set.base_score),
        "threshold": str(rule_set.threshold),
        "appeal_days": rule_set.appeal_days,
        "rules": [
            {
                "kind": r.kind,
                "letter": r.letter,
                "points": str(r.points),
                "key_multiplier": str(r.key_multiplier),
            }
            for r in rule_set.rules.all()
        ],
        "triggers": [
            {"kind": t.kind, "enabled": t.enabled, "letters": t.letters, "min_days": t.min_days}
            for t in rule_set.triggers.all()
        ],
    }


def _host_path(office: Unit) -> str:
    return office.path[: -Unit.steplen]


def assessed_units(office: Unit, year: int) -> list[Unit]:
    """The units assessed in the office's year: the active counties, districts and
    functional zones under the office's city, and every department that led a task of
    the year (by place in the tree)."""
    led = Task.objects.filter(office=office, year=year, lead_unit=OuterRef("pk"))
    return list(
        Unit.objects.filter(path__startswith=_host_path(office))
        .exclude(pk=office.pk)
        .filter(
            Q(kind__in=ASSESSED_AREA_KINDS, is_active=True)
            | Q(Exists(led), kind=UnitKind.DEPARTMENT)
        )
        .order_by("path")
    )


class _Owner:
    """Finds the assessed unit a fact belongs to: its own unit, or the assessed unit
    above it (a town's task counts for its county)."""

    def __init__(self, units: list[Unit]) -> None:
        self.by_path = sorted(((u.path, u) for u in units), key=lambda x: -len(x[0]))

    def of(self, unit: Unit | None) -> Unit | None:
        if unit is None:
            return None
        for path, owner in self.by_path:
            if unit.path.startswith(path):
                return owner
        return None


def _day(moment: dt.datetime | None) -> dt.date | None:
    return timezone.localdate(moment) if moment else None


def _fmt(points: Decimal) -> Decimal:
    return points.quantize(Decimal("0.01"))


class _Rules:
    def __init__(self, rule_set: RuleSet) -> None:
        self.points: dict[tuple[str, str], tuple[Decimal, Decimal]] = {
            (r.kind, r.letter.upper()): (r.points, r.key_multiplier) for r in rule_set.rules.all()
        }
        self.triggers = {t.kind: t for t in rule_set.triggers.all() if t.enabled}

    def of(self, kind: str, letter: str = "", key: bool = False) -> Decimal | None:
        found = self.points.get((kind, letter.upper()))
        if found is None:
            return None
        points, multiplier = found
        return _fmt(points * multiplier if key else points)


def compute(*, office: Unit, year: int, rule_set: RuleSet, period: Period) -> list[Computed]:
    """Every assessed unit's card of the office's year under `rule_set`, from the ledger
    as of `period` (the year's frozen last period)."""
    as_of = period.end
    units = assessed_units(office, year)
    owner = _Owner(units)
    rules = _Rules(rule_set)
    lines: dict[int, list[Line]] = defaultdict(list)

    def add(unit: Unit | None, kind: str, text: str, letter: str = "", key: bool = False, **kw):
        who = owner.of(unit)
        if who is None:
            return None
        points = rules.of(kind, letter, key)
        trigger = kw.pop("trigger", "")
        if points is None and not trigger:
            return None
        line = Line(kind, points or Decimal("0.00"), text, bool(trigger), trigger, kw)
        lines[who.pk].append(line)
        return line

    _ratings(office, year, period, rules, add)
    _closings(office, year, as_of, add)
    _orders(office, year, as_of, rules, add)
    _action_items(office, year, as_of, add)
    _findings(office, year, add)
    _bonuses(office, year, as_of, add)

    out = []
    for unit in units:
        base = Line(
            ReasonKind.BASE,
            _fmt(rule_set.base_score),
            _("Base score of the rule set %(year)s") % {"year": rule_set.year},
        )
        card = Computed(unit, [base, *lines[unit.pk]])
        if TriggerKind.BELOW_THRESHOLD in rules.triggers and card.score < rule_set.threshold:
            card.lines.append(
                Line(
                    ReasonKind.THRESHOLD,
                    Decimal("0.00"),
                    _("The score %(score)s is below the threshold %(threshold)s")
                    % {"score": _fmt(card.score), "threshold": _fmt(rule_set.threshold)},
                    True,
                    TriggerKind.BELOW_THRESHOLD,
                )
            )
        out.append(card)
    return out


def _ratings(office, year, period, rules: _Rules, add) -> None:
    """Each task's year-end rating: its latest rating in the year's periods up to
    `period` (a task closed in June keeps its June rating)."""
    ratings = (
        Rating.objects.filter(
            task__office=office,
            task__year=year,
            period__office=office,
            period__year=year,
            period__start__lte=period.start,
        )
        .exclude(task__status=TaskStatus.CANCELLED)
        .select_related("task__lead_unit", "period", "suggested", "final")
        .order_by("task__code", "task_id", "period__start")
    )
    last: dict[int, Rating] = {}
    for rating in ratings:
        last[rating.task_id] = rating
    grade_trigger = rules.triggers.get(TriggerKind.KEY_TASK_GRADE)
    for rating in last.values():
        task, letter = rating.task, rating.grade.letter
        fires = bool(grade_trigger and task.is_key and letter.upper() in grade_trigger.letter_list)
        key = _("key task ") if task.is_key else ""
        add(
            task.lead_unit,
            FactKind.TASK_RATING,
            _("%(key)s%(code)s %(title)s: rated %(letter)s in %(period)s")
            % {
                "key": key,
                "code": task.code,
                "title": task.title,
                "letter": letter,
                "period": rating.period.label,
            },
            letter=letter,
            key=task.is_key,
            trigger=TriggerKind.KEY_TASK_GRADE if fires else "",
            task=task,
            rating=rating,
        )


def _closings(office, year, as_of: dt.date, add) -> None:
    """Tasks closed (销账) by the year's end: on time when approved by the deadline."""
    closings = (
        ClosingRequest.objects.filter(
            task__office=office, task__year=year, status=ClosingStatus.APPROVED
        )
        .select_related("task__lead_unit")
        .order_by("task__code", "decided_at", "pk")
    )
    last: dict[int, ClosingRequest] = {}
    for closing in closings:
        if _day(closing.decided_at) and _day(closing.decided_at) <= as_of:
            last[closing.task_id] = closing
    for closing in last.values():
        task, day = closing.task, _day(closing.decided_at)
        on_time = day <= task.deadline
        words = {"code": task.code, "title": task.title, "day": day, "deadline": task.deadline}
        add(
            task.lead_unit,
            FactKind.CLOSING_ON_TIME if on_time else FactKind.CLOSING_LATE,
            (
                _("%(code)s %(title)s closed on %(day)s, deadline %(deadline)s")
                if on_time
                else _("%(code)s %(title)s closed late on %(day)s, deadline %(deadline)s")
            )
            % words,
            key=task.is_key,
            task=task,
            closing=closing,
        )


def _answered_on_time(model, field: str) -> Exists:
    return Exists(Answer.objects.filter(**{field: OuterRef("pk")}, late=False))


def _orders(office, year, as_of: dt.date, rules: _Rules, add) -> None:
    """The year's supervision orders: answered on time, reached red, or unanswered
    past their deadline as of the year's end."""
    orders = (
        SupervisionOrder.objects.filter(in_year(year), office=office)
        .annotate(on_time=_answered_on_time(SupervisionOrder, "order"))
        .select_related("unit", "task")
        .order_by("year", "number")
    )
    overdue_trigger = rules.triggers.get(TriggerKind.ORDER_OVERDUE)
    red_trigger = rules.triggers.get(TriggerKind.ORDER_RED)
    for order in orders:
        words = {"order": order.label, "deadline": order.deadline, "demand": order.demand[:60]}
        if order.on_time:
            add(
                order.unit,
                FactKind.ORDER_ON_TIME,
                _("%(order)s answered by its deadline %(deadline)s") % words,
                supervision_order=order,
                task=order.task,
            )
        if order.level == OrderLevel.RED:
            add(
                order.unit,
                FactKind.ORDER_RED,
                _("%(order)s reached a red order (红色督办): %(demand)s") % words,
                trigger=TriggerKind.ORDER_RED if red_trigger else "",
                supervision_order=order,
                task=order.task,
            )
        if order.status in AWAITING and order.deadline < as_of:
            days = (as_of - order.deadline).days
            fires = bool(overdue_trigger and days > overdue_trigger.min_days)
            add(
                order.unit,
                FactKind.ORDER_OVERDUE,
                _(
                    "%(order)s unanswered past its deadline %(deadline)s "
                    "(%(days)s days by %(as_of)s)"
                )
                % {**words, "days": days, "as_of": as_of},
                trigger=TriggerKind.ORDER_OVERDUE if fires else "",
                supervision_order=order,
                task=order.task,
            )


def _action_items(office, year, as_of: dt.date, add) -> None:
    """Action items from the year's collective reviews (集体会诊)."""
    items = (
        ActionItem.objects.filter(in_year(year), office=office, review__isnull=False)
        .annotate(on_time=_answered_on_time(ActionItem, "action_item"))
        .select_related("unit", "task")
        .order_by("deadline", "pk")
    )
    for item in items:
        words = {"demand": item.demand[:60], "deadline": item.deadline}
        if item.on_time:
            add(
                item.unit,
                FactKind.ACTION_ON_TIME,
                _("Action item answered by its deadline %(deadline)s: %(demand)s") % words,
                action_item=item,
                task=item.task,
            )
        if item.status in AWAITING and item.deadline < as_of:
            add(
                item.unit,
                FactKind.ACTION_OVERDUE,
                _("Action item unanswered past its deadline %(deadline)s: %(demand)s") % words,
                action_item=item,
                task=item.task,
            )


def _findings(office, year, add) -> None:
    """Findings of the year's closed evaluations that name a unit."""
    for finding in findings_for_assessment(office=office, year=year):
        add(
            finding.unit,
            FactKind.FINDING,
            _("Finding of %(evaluation)s: %(text)s")
            % {"evaluation": finding.evaluation.title, "text": finding.text[:80]},
            finding=finding,
            task=finding.task,
        )


def _bonuses(office, year, as_of: dt.date, add) -> None:
    """Innovations of the year declared replicable and pilots accepted in the year."""
    innovations = (
        Innovation.objects.filter(office=office, year=year, status=InnovationStatus.REPLICABLE)
        .select_related("unit")
        .order_by("pk")
    )
    for innovation in innovations:
        if innovation.declared_at and _day(innovation.declared_at) > as_of:
            continue
        add(
            innovation.unit,
            FactKind.INNOVATION,
            _("Innovation declared a replicable experience: %(title)s")
            % {"title": innovation.title},
            innovation=innovation,
        )
    pilots = (
        Pilot.objects.filter(
            office=office,
            acceptance__result=AcceptanceResult.PASSED,
            acceptance__accepted_on__year=year,
            acceptance__accepted_on__lte=as_of,
        )
        .select_related("host_unit", "acceptance")
        .order_by("code")
    )
    for pilot in pilots:
        add(
            pilot.host_unit,
            FactKind.PILOT,
            _("Pilot %(code)s %(name)s passed its acceptance on %(day)s")
            % {"code": pilot.code, "name": pilot.name, "day": pilot.acceptance.accepted_on},
            pilot=pilot,
        )
