"""Draft orders submitted for signature (提请签发): office staff, who do not issue
orders, draft one for an office leader; the leader signs it (the order is issued as
drafted) or returns it with a reason; the office corrects a returned draft and submits
it again, or withdraws it. Each act with its audit record in the same transaction, and
the person who acts next told in the app."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from reformledger.audit import services as audit
from reformledger.core.exceptions import ConflictError
from reformledger.ledger.models import Task
from reformledger.orgs.models import Unit
from reformledger.supervision import permissions
from reformledger.supervision.choices import DraftStatus, OrderLevel
from reformledger.supervision.models import ActionItem, OrderDraft, SupervisionOrder
from reformledger.supervision.services.common import _now, _office_of, _tell, _text
from reformledger.supervision.services.orders import check_order_terms, order_issue, order_subject

__all__ = [
    "order_draft_resubmit",
    "order_draft_return",
    "order_draft_sign",
    "order_draft_submit",
    "order_draft_withdraw",
]

#: What a draft says, as its history shows changes to it.
DRAFT_FIELDS = ("basis", "demand", "deadline", "level", "signer")


def _draft_link(draft: OrderDraft) -> str:
    return reverse("supervision:order_draft", args=[draft.pk])


def _check_signer(office: Unit, signer) -> None:
    if signer is None or not permissions.is_office_leader(signer, office):
        raise ValidationError(
            {"signer": _("Choose a director or deputy director of this office to sign it.")}
        )


def _tell_signer(draft: OrderDraft) -> None:
    _tell(
        [draft.signer],
        key=f"order_draft:{draft.pk}:submitted:{draft.version}",
        title=_("A supervision order to sign: %(unit)s, %(level)s, answer by %(date)s")
        % {
            "unit": draft.unit,
            "level": draft.get_level_display(),
            "date": draft.deadline,
        },
        body=draft.demand,
        link=_draft_link(draft),
        task=draft.task,
    )


@transaction.atomic
def order_draft_submit(
    *,
    office: Unit,
    by,
    signer,
    basis: str,
    demand: str,
    deadline: dt.date,
    task: Task | None = None,
    action_item: ActionItem | None = None,
    level: str = OrderLevel.BLUE,
) -> OrderDraft:
    """Draft a supervision order on one task or one action item (一事一单) and submit it
    to an office leader for signature (提请签发); the leader is told."""
    office = _office_of(office)
    permissions.require_office(by, "draft_order", office)
    order_subject(office, task=task, action_item=action_item)
    check_order_terms(level=level, deadline=deadline)
    _check_signer(office, signer)
    draft = OrderDraft.objects.create(
        office=office,
        task=task,
        action_item=action_item,
        basis=_text(basis, "basis", _("Give the basis of the order.")),
        demand=_text(demand, "demand", _("Say what the unit must do.")),
        deadline=deadline,
        level=level,
        signer=signer,
        drafted_by=by,
        drafted_at=_now(),
    )
    audit.record(
        actor=by,
        verb="order_draft.submitted",
        obj=draft,
        changes={
            "signer": str(signer),
            "unit": str(draft.unit),
            "level": level,
            "deadline": deadline,
            "task": task.code if task else None,
        },
    )
    _tell_signer(draft)
    return draft


def _locked(draft: OrderDraft, *expected: str) -> OrderDraft:
    draft = (
        OrderDraft.objects.select_for_update(of=("self",))
        .select_related("office", "task", "task__lead_unit", "action_item__unit", "signer")
        .get(pk=draft.pk)
    )
    if draft.status not in expected:
        raise ConflictError(
            _("This draft is now %(status)s; the act was not repeated.")
            % {"status": draft.get_status_display()}
        )
    return draft


@transaction.atomic
def order_draft_sign(*, draft: OrderDraft, by) -> SupervisionOrder:
    """The office leader the draft names signs it: the order is issued as drafted
    (numbered next in the year, its unit told) and the drafter is told."""
    permissions.require(by, "sign_draft", draft)
    draft = _locked(draft, DraftStatus.PENDING)
    order = order_issue(
        office=draft.office,
        by=by,
        basis=draft.basis,
        demand=draft.demand,
        deadline=draft.deadline,
        task=None if draft.action_item_id else draft.task,
        action_item=draft.action_item,
        level=draft.level,
    )
    draft.status, draft.order = DraftStatus.ISSUED, order
    draft.decided_by, draft.decided_at = by, _now()
    draft.version += 1
    draft.save(update_fields=["status", "order", "decided_by", "decided_at", "version"])
    audit.record(
        actor=by,
        verb="order_draft.signed",
        obj=draft,
        changes={"status": [DraftStatus.PENDING.value, draft.status], "order": order.label},
    )
    _tell(
        [draft.drafted_by],
        key=f"order_draft:{draft.pk}:signed",
        title=_("Your draft was signed: %(label)s issued to %(unit)s")
        % {"label": order.label, "unit": order.unit},
        body=order.demand,
        link=reverse("supervision:order", args=[order.pk]),
        task=order.task,
    )
    return order


@transaction.atomic
def order_draft_return(*, draft: OrderDraft, by, reason: str) -> OrderDraft:
    """The office leader the draft names sends it back with a reason; the drafter is
    told, and corrects it or withdraws it."""
    permissions.require(by, "sign_draft", draft)
    reason = _text(reason, "reason", _("Say why the draft is returned."))
    draft = _locked(draft, DraftStatus.PENDING)
    draft.status, draft.return_reason = DraftStatus.RETURNED, reason
    draft.decided_by, draft.decided_at = by, _now()
    draft.version += 1
    draft.save(update_fields=["status", "return_reason", "decided_by", "decided_at", "version"])
    audit.record(
        actor=by,
        verb="order_draft.returned",
        obj=draft,
        changes={"status": [DraftStatus.PENDING.value, draft.status]},
        reason=reason,
    )
    _tell(
        [draft.drafted_by],
        key=f"order_draft:{draft.pk}:returned:{draft.version}",
        title=_("Your draft order was returned: %(reason)s") % {"reason": reason},
        body=reason,
        link=_draft_link(draft),
        task=draft.task,
    )
    return draft


@transaction.atomic
def order_draft_resubmit(
    *,
    draft: OrderDraft,
    by,
    signer,
    basis: str,
    demand: str,
    deadline: dt.date,
    level: str,
) -> OrderDraft:
    """The office corrects a returned draft and submits it again (to the same leader or
    another); the leader is told."""
    permissions.require(by, "revise_draft", draft)
    draft = _locked(draft, DraftStatus.RETURNED)
    check_order_terms(level=level, deadline=deadline)
    _check_signer(draft.office, signer)
    before = audit.snapshot(draft, DRAFT_FIELDS)
    draft.basis = _text(basis, "basis", _("Give the basis of the order."))
    draft.demand = _text(demand, "demand", _("Say what the unit must do."))
    draft.deadline, draft.level, draft.signer = deadline, level, signer
    draft.status, draft.drafted_at = DraftStatus.PENDING, _now()
    draft.version += 1
    draft.save()
    audit.record(
        actor=by,
        verb="order_draft.resubmitted",
        obj=draft,
        changes=audit.diff(before, audit.snapshot(draft, DRAFT_FIELDS)),
    )
    _tell_signer(draft)
    return draft


@transaction.atomic
def order_draft_withdraw(*, draft: OrderDraft, by, reason: str = "") -> OrderDraft:
    """The office withdraws a draft not yet signed: it leaves the leader's next acts."""
    permissions.require(by, "revise_draft", draft)
    draft = _locked(draft, DraftStatus.PENDING, DraftStatus.RETURNED)
    before = draft.status
    draft.status = DraftStatus.WITHDRAWN
    draft.version += 1
    draft.save(update_fields=["status", "version"])
    audit.record(
        actor=by,
        verb="order_draft.withdrawn",
        obj=draft,
        changes={"status": [before, draft.status]},
        reason=reason.strip(),
    )
    return draft
