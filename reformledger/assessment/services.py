"""Every act of the annual assessment (年度考核): keeping the year's rule set, drafting
the cards from the ledger, reviewing, confirming and publishing them, and the units'
appeals (申诉).

Each act checks the permission first, refuses an act its state does not allow as a
ConflictError (nothing changed) and writes its audit record in the same transaction.
"""

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from reformledger.assessment import engine, permissions
from reformledger.assessment.choices import (
    AppealStatus,
    CardColour,
    CardStatus,
    FactKind,
    ReasonKind,
    TriggerKind,
)
from reformledger.assessment.models import (
    Appeal,
    AppealFile,
    Card,
    CardReason,
    Rule,
    RuleSet,
    Trigger,
)
from reformledger.audit import services as audit
from reformledger.core.clock import business_now, business_today
from reformledger.core.exceptions import ConflictError
from reformledger.ledger.choices import PeriodStatus
from reformledger.ledger.evidence import CheckedUpload, check_upload, store_checked
from reformledger.ledger.models import Period
from reformledger.notifications import services as notices
from reformledger.notifications.choices import NotificationKind
from reformledger.orgs.choices import Role, UnitKind
from reformledger.orgs.models import Unit
from reformledger.orgs.selectors import unit_members

__all__ = [
    "appeal_decide",
    "appeal_submit",
    "appeal_window_end",
    "cards_confirm",
    "cards_draft",
    "cards_publish",
    "cards_review",
    "frozen_last_period",
    "rule_set_edit",
    "rule_set_start",
]

UNIT_ROLES = (Role.UNIT_REPORTER, Role.UNIT_HEAD)
FIRST_YEAR, LAST_YEAR = 2000, 2100
_LINK_FIELDS = (
    "task",
    "rating",
    "closing",
    "supervision_order",
    "action_item",
    "innovation",
    "pilot",
    "finding",
)


def _record(*, changes: dict | None = None, **fields) -> None:
    """The act's audit record, with the ledger's date of the act (`acted_on`: the business
    date, which a training copy or the demo sets apart from the record's own time)."""
    audit.record(changes={**(changes or {}), "acted_on": business_today().isoformat()}, **fields)


# --- the rule set ----------------------------------------------------------------------


def _check_office(office: Unit) -> Unit:
    if office.kind != UnitKind.OFFICE:
        raise ValidationError({"office": _("Cards are kept by a reform office.")})
    return office


def _check_year(year: Any) -> int:
    if not isinstance(year, int) or isinstance(year, bool) or not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValidationError(
            {"year": _("Give a year from %(a)s to %(b)s.") % {"a": FIRST_YEAR, "b": LAST_YEAR}}
        )
    return year


def _decimal(value: Any, field: str) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("Give a number.")}) from None
    if not number.is_finite() or abs(number) >= Decimal("1000000"):
        raise ValidationError({field: _("Give a number.")})
    return number.quantize(Decimal("0.01"))


@transaction.atomic
def rule_set_start(*, office: Unit, year: int, by, copy: bool = True) -> RuleSet:
    """Start the office's rule set for `year`: a copy of the latest earlier year's rule
    set when there is one and `copy` is true, else the defaults."""
    permissions.require_office(by, "keep_rules", office)
    _check_office(office)
    _check_year(year)
    if RuleSet.objects.filter(office=office, year=year).exists():
        raise ConflictError(_("The rule set of %(year)s already exists.") % {"year": year})
    source = (
        RuleSet.objects.filter(office=office, year__lt=year).order_by("-year").first()
        if copy
        else None
    )
    if source is not None:
        rule_set = RuleSet.objects.create(
            office=office,
            year=year,
            base_score=source.base_score,
            threshold=source.threshold,
            appeal_days=source.appeal_days,
            copied_from=source,
            created_by=by,
        )
        rules = [(r.kind, r.letter, r.points, r.key_multiplier) for r in source.rules.all()]
        triggers = [(t.kind, t.enabled, t.letters, t.min_days) for t in source.triggers.all()]
    else:
        rule_set = RuleSet.objects.create(
            office=office,
            year=year,
            base_score=engine.DEFAULT_BASE,
            threshold=engine.DEFAULT_THRESHOLD,
            appeal_days=engine.DEFAULT_APPEAL_DAYS,
            created_by=by,
        )
        rules, triggers = engine.DEFAULT_RULES, engine.DEFAULT_TRIGGERS
    Rule.objects.bulk_create(
        Rule(rule_set=rule_set, kind=k, letter=letter, points=p, key_multiplier=m)
        for k, letter, p, m in rules
    )
    Trigger.objects.bulk_create(
        Trigger(rule_set=rule_set, kind=k, enabled=e, letters=letters, min_days=d)
        for k, e, letters, d in triggers
    )
    _record(
        actor=by,
        verb="rule_set.created",
        obj=rule_set,
        changes={
            "year": year,
            **({"copied_from": source.year} if source else {}),
            "rules": len(rules),
            "triggers": len(triggers),
        },
    )
    return rule_set


def _locked_rule_set(rule_set: RuleSet) -> RuleSet:
    rule_set = RuleSet.objects.select_for_update().select_related("office").get(pk=rule_set.pk)
    if rule_set.is_locked:
        raise ConflictError(
            _(
                "The rule set of %(year)s is locked: the year's cards were confirmed with it. "
                "Start next year's rule set instead."
            )
            % {"year": rule_set.year}
        )
    return rule_set


def _rule_rows(rules: Iterable[dict]) -> list[tuple[str, str, Decimal, Decimal]]:
    rows, seen = [], set()
    for i, row in enumerate(rules, start=1):
        kind = row.get("kind")
        if kind not in FactKind.values:
            raise ValidationError({"rules": _("Row %(n)s: unknown fact.") % {"n": i}})
        letter = (row.get("letter") or "").strip().upper()
        if (kind == FactKind.TASK_RATING) != bool(letter):
            raise ValidationError(
                {"rules": _("Row %(n)s: a rating rule names its letter, no other does.") % {"n": i}}
            )
        if (kind, letter) in seen:
            raise ValidationError({"rules": _("Row %(n)s: the rule is given twice.") % {"n": i}})
        seen.add((kind, letter))
        try:
            points = _decimal(row.get("points"), "points")
            multiplier = _decimal(row.get("key_multiplier", "1"), "key_multiplier")
        except ValidationError:
            raise ValidationError(
                {"rules": _("Row %(n)s: give the points and the multiplier as numbers.") % {"n": i}}
            ) from None
        if multiplier < 0:
            raise ValidationError(
                {"rules": _("Row %(n)s: the key-task multiplier is not negative.") % {"n": i}}
            )
        rows.append((kind, letter, points, multiplier))
    return rows


def _trigger_rows(triggers: Iterable[dict]) -> list[tuple[str, bool, str, int]]:
    rows, seen = [], set()
    for i, row in enumerate(triggers, start=1):
        kind = row.get("kind")
        if kind not in TriggerKind.values or kind in seen:
            raise ValidationError(
                {"triggers": _("Row %(n)s: unknown or repeated trigger.") % {"n": i}}
            )
        seen.add(kind)
        letters = ",".join(
            x.strip().upper() for x in str(row.get("letters") or "").split(",") if x.strip()
        )
        if kind == TriggerKind.KEY_TASK_GRADE and row.get("enabled", True) and not letters:
            raise ValidationError(
                {
                    "triggers": _("Row %(n)s: name the rating letters that give a yellow card.")
                    % {"n": i}
                }
            )
        try:
            days = int(row.get("min_days") or 0)
        except (TypeError, ValueError):
            days = -1
        if days < 0:
            raise ValidationError(
                {"triggers": _("Row %(n)s: give the days as a whole number.") % {"n": i}}
            )
        rows.append((kind, bool(row.get("enabled", True)), letters, days))
    return rows


def _rules_of(rule_set: RuleSet) -> dict:
    """The rule set as its history compares it: its numbers, and each rule and trigger
    in words."""
    rules = {
        (r.kind, r.letter): _("%(fact)s %(letter)s: %(points)s points, key tasks ×%(m)s")
        % {
            "fact": FactKind(r.kind).label,
            "letter": r.letter,
            "points": r.points,
            "m": r.key_multiplier,
        }
        for r in rule_set.rules.all()
    }
    triggers = {
        t.kind: "".join(
            (
                str(TriggerKind(t.kind).label),
                f" ({t.letters})" if t.letters else "",
                f" > {t.min_days}" if t.min_days else "",
                "" if t.enabled else str(_(" (off)")),
            )
        )
        for t in rule_set.triggers.all()
    }
    return {
        "base_score": str(rule_set.base_score),
        "threshold": str(rule_set.threshold),
        "appeal_days": rule_set.appeal_days,
        "rules": rules,
        "triggers": triggers,
    }


@transaction.atomic
def rule_set_edit(
    *,
    rule_set: RuleSet,
    by,
    base_score: Any = None,
    threshold: Any = None,
    appeal_days: Any = None,
    rules: Iterable[dict] | None = None,
    triggers: Iterable[dict] | None = None,
    version: int | None = None,
) -> RuleSet:
    """Change the year's rule set: its base score, threshold, appeal days, and (when
    given) every rule and trigger, replacing the rows. Refused once the year's cards
    are confirmed (the rule set is locked). Cards already drafted keep the rules they
    were computed with until they are drafted again."""
    permissions.require(by, "keep_rules", rule_set)
    rule_set = _locked_rule_set(rule_set)
    if version is not None and version != rule_set.version:
        raise ConflictError(
            _("This rule set was changed by someone else (version %(now)s, you read %(read)s).")
            % {"now": rule_set.version, "read": version}
        )
    before = _rules_of(rule_set)
    errors = {}
    for name, value in (("base_score", base_score), ("threshold", threshold)):
        if value is not None:
            try:
                setattr(rule_set, name, _decimal(value, name))
            except ValidationError as exc:
                errors.update(exc.message_dict)
    if appeal_days is not None:
        try:
            days = int(appeal_days)
        except (TypeError, ValueError):
            days = 0
        if not 1 <= days <= 366:
            errors["appeal_days"] = [_("Give the days to appeal as a number from 1 to 366.")]
        else:
            rule_set.appeal_days = days
    rule_rows = trigger_rows = None
    try:
        rule_rows = _rule_rows(rules) if rules is not None else None
        trigger_rows = _trigger_rows(triggers) if triggers is not None else None
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    rule_set.version += 1
    rule_set.save(update_fields=["base_score", "threshold", "appeal_days", "version"])
    if rule_rows is not None:
        rule_set.rules.all().delete()
        Rule.objects.bulk_create(
            Rule(rule_set=rule_set, kind=k, letter=letter, points=p, key_multiplier=m)
            for k, letter, p, m in rule_rows
        )
    if trigger_rows is not None:
        rule_set.triggers.all().delete()
        Trigger.objects.bulk_create(
            Trigger(rule_set=rule_set, kind=k, enabled=e, letters=letters, min_days=d)
            for k, e, letters, d in trigger_rows
        )
    after = _rules_of(rule_set)
    changes = {}
    for key in ("base_score", "threshold", "appeal_days"):
        if before[key] != after[key]:
            changes[key] = [before[key], after[key]]
    for group in ("rules", "triggers"):
        names = sorted(set(before[group]) | set(after[group]))
        old = [
            before[group][n]
            for n in names
            if before[group].get(n) != after[group].get(n) and n in before[group]
        ]
        new = [
            after[group][n]
            for n in names
            if before[group].get(n) != after[group].get(n) and n in after[group]
        ]
        if old or new:
            changes[group] = ["; ".join(old), "; ".join(new)]
    _record(actor=by, verb="rule_set.edited", obj=rule_set, changes=changes)
    return rule_set


# --- drafting and moving the year's cards along ----------------------------------------


def frozen_last_period(office: Unit, year: int) -> Period:
    """The office's last period of `year`, which must be closed (frozen): the cards read
    the ledger as of it. A ValidationError naming the period otherwise."""
    period = Period.objects.filter(office=office, year=year).order_by("-number").first()
    if period is None:
        raise ValidationError(
            {"year": _("The office has no reporting period in %(year)s.") % {"year": year}}
        )
    if period.status != PeriodStatus.CLOSED:
        raise ValidationError(
            {
                "year": _(
                    "The year's last period %(period)s is not closed yet: close (freeze) it "
                    "before drafting the cards."
                )
                % {"period": period.label}
            }
        )
    return period


def _current(office: Unit, year: int):
    return Card.objects.select_for_update().filter(office=office, year=year, is_current=True)


def _store_lines(card: Card, lines: list[engine.Line]) -> None:
    CardReason.objects.bulk_create(
        CardReason(
            card=card,
            order=i,
            kind=line.kind,
            points=line.points,
            triggers_yellow=line.triggers_yellow,
            trigger=line.trigger,
            text=line.text,
            **{k: v for k, v in line.links.items() if k in _LINK_FIELDS},
        )
        for i, line in enumerate(lines)
    )


@transaction.atomic
def cards_draft(*, office: Unit, year: int, by) -> list[Card]:
    """Compute every assessed unit's card of the office's year from the ledger as of the
    year's frozen last period, under the year's rule set. Drafting again recomputes the
    draft and reviewed cards (they become drafts again); once the year's cards are
    confirmed they are never drafted again."""
    permissions.require_office(by, "draft", office)
    _check_office(office)
    rule_set = (
        RuleSet.objects.select_for_update()
        .prefetch_related("rules", "triggers")
        .filter(office=office, year=year)
        .first()
    )
    if rule_set is None:
        raise ValidationError(
            {
                "year": _("Start the rule set of %(year)s before drafting its cards.")
                % {"year": year}
            }
        )
    period = frozen_last_period(office, year)
    existing = {c.unit_id: c for c in _current(office, year)}
    if any(c.status in (CardStatus.CONFIRMED, CardStatus.PUBLISHED) for c in existing.values()):
        raise ConflictError(
            _("The cards of %(year)s are confirmed; they are not drafted again.") % {"year": year}
        )
    snapshot = engine.rules_snapshot(rule_set)
    computed = engine.compute(office=office, year=year, rule_set=rule_set, period=period)
    now = business_now()
    cards = []
    for result in computed:
        card = existing.pop(result.unit.pk, None)
        if card is None:
            card = Card(office=office, year=year, unit=result.unit)
        else:
            card.reasons.all().delete()
        card.rule_set, card.rules, card.period = rule_set, snapshot, period
        card.score, card.colour = result.score, result.colour
        card.status, card.computed_at, card.drafted_by = CardStatus.DRAFT, now, by
        card.reviewed_by = card.reviewed_at = None
        card.save()
        _store_lines(card, result.lines)
        cards.append(card)
    for stale in existing.values():  # a unit no longer assessed this year
        stale.reasons.all().delete()
        stale.delete()
    yellow = [c for c in cards if c.colour == CardColour.YELLOW]
    _record(
        actor=by,
        verb="cards.drafted",
        obj=rule_set,
        changes={
            "period": period.label,
            "cards": len(cards),
            "green": len(cards) - len(yellow),
            "yellow": len(yellow),
        },
    )
    for card in cards:
        _record(
            actor=by,
            verb="card.drafted",
            obj=card,
            changes={"score": str(card.score), "colour": card.colour, "period": period.label},
        )
    return cards


def _move(
    office: Unit, year: int, by, *, act: str, frm: str, to: str, verb: str, expected: int | None
) -> list[Card]:
    permissions.require_office(by, act, office)
    cards = list(_current(office, year).select_related("unit").order_by("unit__path"))
    if not cards:
        raise ConflictError(_("There are no cards of %(year)s yet.") % {"year": year})
    wrong = [c for c in cards if c.status != frm]
    if wrong:
        raise ConflictError(
            _("%(n)s cards of %(year)s are not %(status)s (e.g. %(unit)s is %(now)s).")
            % {
                "n": len(wrong),
                "year": year,
                "status": CardStatus(frm).label,
                "unit": wrong[0].unit.name,
                "now": CardStatus(wrong[0].status).label,
            }
        )
    if expected is not None and expected != len(cards):
        raise ConflictError(
            _("The cards changed since you read them (%(now)s now, you saw %(read)s).")
            % {"now": len(cards), "read": expected}
        )
    now = business_now()
    for card in cards:
        card.status = to
        if to == CardStatus.REVIEWED:
            card.reviewed_by, card.reviewed_at = by, now
        elif to == CardStatus.CONFIRMED:
            card.confirmed_by, card.confirmed_at = by, now
        elif to == CardStatus.PUBLISHED:
            card.published_at = now
        card.save(
            update_fields=[
                "status",
                "reviewed_by",
                "reviewed_at",
                "confirmed_by",
                "confirmed_at",
                "published_at",
            ]
        )
        _record(actor=by, verb=verb, obj=card, changes={"status": [frm, to]})
    return cards


@transaction.atomic
def cards_review(*, office: Unit, year: int, by, expected: int | None = None) -> list[Card]:
    """The office marks the year's draft cards reviewed: ready for a leader to confirm.
    `expected` is how many cards the page showed (a different count is a conflict)."""
    return _move(
        office,
        year,
        by,
        act="review",
        frm=CardStatus.DRAFT,
        to=CardStatus.REVIEWED,
        verb="card.reviewed",
        expected=expected,
    )


@transaction.atomic
def cards_confirm(*, office: Unit, year: int, by, expected: int | None = None) -> list[Card]:
    """An office leader confirms the year's reviewed cards; the year's rule set is then
    locked."""
    cards = _move(
        office,
        year,
        by,
        act="confirm",
        frm=CardStatus.REVIEWED,
        to=CardStatus.CONFIRMED,
        verb="card.confirmed",
        expected=expected,
    )
    rule_set = RuleSet.objects.select_for_update().get(pk=cards[0].rule_set_id)
    if not rule_set.is_locked:
        rule_set.locked_at = business_now()
        rule_set.save(update_fields=["locked_at"])
        _record(actor=by, verb="rule_set.locked", obj=rule_set, changes={"year": year})
    return cards


def _card_link(card: Card) -> str:
    return reverse("assessment:card", args=[card.pk])


@transaction.atomic
def cards_publish(*, office: Unit, year: int, by, expected: int | None = None) -> list[Card]:
    """The office publishes the year's confirmed cards to the units: each unit's head and
    liaisons are told, with the days they have to appeal."""
    cards = _move(
        office,
        year,
        by,
        act="publish",
        frm=CardStatus.CONFIRMED,
        to=CardStatus.PUBLISHED,
        verb="card.published",
        expected=expected,
    )
    for card in cards:
        notices.notify_each(
            unit_members(card.unit, UNIT_ROLES),
            kind=NotificationKind.NOTICE,
            key=f"card:{card.pk}:published",
            title=_("Your %(year)s assessment card: %(colour)s, score %(score)s")
            % {"year": year, "colour": CardColour(card.colour).label, "score": card.score},
            body=_("You may appeal within %(days)s days.")
            % {"days": card.rules.get("appeal_days", "")},
            link=_card_link(card),
        )
    return cards


# --- appeals ---------------------------------------------------------------------------


def appeal_window_end(card: Card) -> dt.date | None:
    """The last day the card's unit may appeal it: the publication day plus the rule
    set's days (None while unpublished)."""
    if card.published_at is None:
        return None
    days = int(card.rules.get("appeal_days") or card.rule_set.appeal_days)
    return timezone.localdate(card.published_at) + dt.timedelta(days=days)


def _checked_uploads(files: Iterable) -> list[tuple[Any, CheckedUpload]]:
    return [(f, check_upload(f)) for f in files]


@transaction.atomic
def appeal_submit(*, card: Card, by, reason: str, files: Iterable = ()) -> Appeal:
    """The unit's head or liaison appeals its published card within the appeal window,
    with the reason and evidence files (checked like every upload). The office's staff
    and leaders are told."""
    permissions.require(by, "appeal", card)
    card = (
        Card.objects.select_for_update()
        .select_related("unit", "office", "rule_set")
        .get(pk=card.pk)
    )
    if not card.is_current:
        raise ConflictError(_("This card was replaced by a later version; appeal that one."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the unit appeals the card.")})
    end = appeal_window_end(card)
    today = timezone.localdate(business_now())
    if end is None or today > end:
        raise ConflictError(_("The time to appeal this card ended on %(end)s.") % {"end": end})
    if card.appeals.filter(status=AppealStatus.PENDING).exists():
        raise ConflictError(_("An appeal of this card is already awaiting a decision."))
    checked = _checked_uploads(files)
    appeal = Appeal.objects.create(
        card=card, reason=reason, submitted_by=by, submitted_at=business_now()
    )
    for upload, info in checked:
        store_checked(
            AppealFile,
            upload,
            info,
            appeal=appeal,
            uploaded_by=by,
        )
    _record(
        actor=by,
        verb="appeal.submitted",
        obj=appeal,
        ctx=card,
        changes={"files": [info.name for _u, info in checked]},
        reason=reason,
    )
    _record(actor=by, verb="card.appealed", obj=card, reason=reason)
    notices.notify_each(
        unit_members(card.office, (Role.OFFICE_ADMIN, Role.OFFICE_LEADER)),
        kind=NotificationKind.NOTICE,
        key=f"appeal:{appeal.pk}:submitted",
        title=_("%(unit)s appeals its %(year)s card") % {"unit": card.unit.name, "year": card.year},
        body=reason,
        link=_card_link(card),
    )
    return appeal


@transaction.atomic
def appeal_decide(
    *,
    appeal: Appeal,
    by,
    reason: str,
    change: bool = False,
    score: Any = None,
    colour: str | None = None,
) -> Appeal:
    """An office leader decides an appeal with a reason: the card upheld, or changed —
    a new version of the card with the new score and colour (its reasons those of the
    appealed card, plus a line with the decision) replaces it; the earlier card is kept.
    The unit is told."""
    permissions.require(by, "decide_appeal", appeal.card)
    appeal = Appeal.objects.select_for_update().select_related("card__unit").get(pk=appeal.pk)
    if appeal.status != AppealStatus.PENDING:
        raise ConflictError(_("This appeal has already been decided."))
    reason = (reason or "").strip()
    errors = {}
    if not reason:
        errors["reason"] = [_("Say why the appeal is decided so.")]
    new_score = new_colour = None
    if change:
        try:
            new_score = _decimal(score, "score") if score not in (None, "") else None
        except ValidationError as exc:
            errors.update(exc.message_dict)
        if colour not in CardColour.values:
            errors["colour"] = [_("Choose the card's new colour.")]
        else:
            new_colour = colour
    if errors:
        raise ValidationError(errors)
    old = Card.objects.select_for_update().get(pk=appeal.card_id)
    if not old.is_current:
        raise ConflictError(_("This card was already replaced."))
    now = business_now()
    if change:
        new_score = old.score if new_score is None else new_score
        if new_score == old.score and new_colour == old.colour:
            raise ValidationError(
                {"score": _("A changed card differs from the appealed one in score or colour.")}
            )
        old.is_current = False
        old.save(update_fields=["is_current"])
        card = Card.objects.create(
            office=old.office,
            year=old.year,
            unit=old.unit,
            rule_set=old.rule_set,
            rules=old.rules,
            period=old.period,
            score=new_score,
            colour=new_colour,
            status=CardStatus.PUBLISHED,
            version=old.version + 1,
            replaces=old,
            change_reason=reason,
            computed_at=now,
            drafted_by=old.drafted_by,
            reviewed_by=old.reviewed_by,
            reviewed_at=old.reviewed_at,
            confirmed_by=by,
            confirmed_at=now,
            published_at=now,
        )
        kept = list(old.reasons.all())
        for line in kept:
            line.pk, line.card = None, card
            # The appeal's decision now speaks for the colour: the earlier triggers stay
            # as facts, the decision line says why the card is what it is.
            if new_colour == CardColour.GREEN:
                line.triggers_yellow = False
        CardReason.objects.bulk_create(kept)
        CardReason.objects.create(
            card=card,
            order=len(kept),
            kind=ReasonKind.APPEAL,
            points=new_score - sum((x.points for x in kept), Decimal("0")),
            triggers_yellow=new_colour == CardColour.YELLOW
            and not any(x.triggers_yellow for x in kept),
            text=_("Changed on appeal: %(reason)s") % {"reason": reason},
        )
        appeal.new_card = card
        appeal.status = AppealStatus.CHANGED
        _record(
            actor=by,
            verb="card.changed",
            obj=card,
            changes={
                "score": [str(old.score), str(card.score)],
                "colour": [old.colour, card.colour],
                "version": [old.version, card.version],
            },
            reason=reason,
        )
        _record(
            actor=by,
            verb="card.replaced",
            obj=old,
            changes={"version": [old.version, card.version]},
            reason=reason,
        )
    else:
        appeal.status = AppealStatus.UPHELD
        card = old
    appeal.decided_by, appeal.decided_at, appeal.decision_reason = by, now, reason
    appeal.save(update_fields=["status", "decided_by", "decided_at", "decision_reason", "new_card"])
    _record(
        actor=by,
        verb="appeal.decided",
        obj=appeal,
        ctx=old,
        changes={"status": [AppealStatus.PENDING.value, appeal.status]},
        reason=reason,
    )
    notices.notify_each(
        unit_members(old.unit, UNIT_ROLES),
        kind=NotificationKind.NOTICE,
        key=f"appeal:{appeal.pk}:decided",
        title=_("Your appeal of the %(year)s card: %(status)s")
        % {"year": old.year, "status": AppealStatus(appeal.status).label},
        body=reason,
        link=_card_link(card),
    )
    return appeal


def appeal_file_open(*, stored: AppealFile, by):
    """Open an appeal's evidence file for `by`, who may see the appeal; audited."""
    permissions.require(by, "view", stored.appeal)
    handle = stored.file.open("rb")
    _record(
        actor=by,
        verb="file.downloaded",
        obj=stored.appeal,
        changes={"file_name": stored.original_name},
    )
    return handle
