"""Supervision's kinds of the next act (待办), added to the ledger's through its hook
(`ledger.selectors.next_acts.register_next_acts`, called in SupervisionConfig.ready):

- a unit liaison: orders and action items to sign for (签收), then to answer (again,
  when an answer was returned);
- an office leader: draft orders submitted for their signature (提请签发), and answers
  to accept or return;
- office staff (and leaders) who drafted an order: the drafts a leader returned;
- a city leader: red orders (红色督办) not yet settled.
"""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from reformledger.ledger.selectors.next_acts import NextAct, NextActContext, Source, first_rows
from reformledger.orgs.choices import Role
from reformledger.orgs.permissions import under_any
from reformledger.supervision.choices import (
    AWAITING,
    UNSETTLED,
    AnswerDecision,
    DraftStatus,
    MatterStatus,
    OrderLevel,
)
from reformledger.supervision.models import (
    ActionItem,
    Answer,
    Matter,
    OrderDraft,
    SupervisionOrder,
)
from reformledger.supervision.services.orders import receipt_due

__all__ = ["supervision_sources"]


def _matter_url(matter: Matter) -> str:
    if isinstance(matter, SupervisionOrder):
        return reverse("supervision:order", args=[matter.pk])
    return reverse("supervision:action_item", args=[matter.pk])


def _matter_subject(matter: Matter) -> str:
    demand = matter.demand if len(matter.demand) <= 40 else matter.demand[:39] + "…"
    if isinstance(matter, SupervisionOrder):
        return f"{matter.label} {demand}"
    return demand


def _to_receive(model, paths: tuple[str, ...], today) -> Source:
    due = model.objects.filter(
        under_any("unit", paths), received_at__isnull=True, status__in=UNSETTLED
    )

    def show(matter: Matter) -> NextAct:
        if isinstance(matter, SupervisionOrder):
            by = receipt_due(matter)
            detail = _("%(level)s; sign for it by %(date)s, answer by %(deadline)s") % {
                "level": matter.get_level_display(),
                "date": by,
                "deadline": matter.deadline,
            }
            late = by < today
        else:
            detail = _("sign for it, then answer by %(deadline)s") % {"deadline": matter.deadline}
            late = matter.deadline < today
        return NextAct(_matter_subject(matter), _matter_url(matter), detail, late=late)

    if model is SupervisionOrder:
        kind, label = "order_to_receive", _("Supervision orders to sign for (签收)")
    else:
        kind, label = "item_to_receive", _("Action items to sign for (签收)")
    return Source(kind, label, due, first_rows(due, ("unit",), ("deadline", "pk"), show))


def _to_answer(model, paths: tuple[str, ...], today) -> Source:
    due = model.objects.filter(
        under_any("unit", paths), received_at__isnull=False, status__in=AWAITING
    )

    def show(matter: Matter) -> NextAct:
        if matter.status == MatterStatus.RETURNED:
            detail = _("your answer was returned: answer again by %(deadline)s")
        else:
            detail = _("answer by %(deadline)s")
        return NextAct(
            _matter_subject(matter),
            _matter_url(matter),
            detail % {"deadline": matter.deadline},
            late=matter.deadline < today,
        )

    if model is SupervisionOrder:
        kind, label = "order_to_answer", _("Supervision orders to answer")
    else:
        kind, label = "item_to_answer", _("Action items to answer")
    return Source(kind, label, due, first_rows(due, ("unit",), ("deadline", "pk"), show))


def _drafts_to_sign(user) -> Source:
    due = OrderDraft.objects.filter(signer=user, status=DraftStatus.PENDING)

    def show(draft: OrderDraft) -> NextAct:
        return NextAct(
            f"{draft.unit.label}: {draft.demand[:40]}",
            reverse("supervision:order_draft", args=[draft.pk]),
            _("%(level)s, answer by %(deadline)s; drafted by %(who)s")
            % {
                "level": draft.get_level_display(),
                "deadline": draft.deadline,
                "who": draft.drafted_by,
            },
        )

    related = ("task__lead_unit", "action_item__unit", "drafted_by")
    return Source(
        "order_to_sign",
        _("Supervision orders drafted for your signature"),
        due,
        first_rows(due, related, ("drafted_at", "pk"), show),
    )


def _drafts_returned(user) -> Source:
    due = OrderDraft.objects.filter(drafted_by=user, status=DraftStatus.RETURNED)

    def show(draft: OrderDraft) -> NextAct:
        return NextAct(
            f"{draft.unit.label}: {draft.demand[:40]}",
            reverse("supervision:order_draft", args=[draft.pk]),
            _("returned by %(who)s: %(reason)s")
            % {"who": draft.decided_by, "reason": draft.return_reason},
        )

    related = ("task__lead_unit", "action_item__unit", "decided_by")
    return Source(
        "order_draft_returned",
        _("Draft orders returned to you"),
        due,
        first_rows(due, related, ("decided_at", "pk"), show),
    )


def _answers_to_decide(paths: tuple[str, ...]) -> Source:
    due = Answer.objects.filter(decision=AnswerDecision.PENDING).filter(
        under_any("order__office", paths) | under_any("action_item__office", paths)
    )

    def show(answer: Answer) -> NextAct:
        matter = answer.matter
        return NextAct(
            _matter_subject(matter),
            _matter_url(matter),
            _("answered by %(unit)s on %(date)s%(late)s")
            % {
                "unit": matter.unit.label,
                "date": timezone.localdate(answer.answered_at),
                "late": _(" (late)") if answer.late else "",
            },
        )

    related = ("order__unit", "action_item__unit")
    return Source(
        "answer_to_decide",
        _("Answers to accept or return"),
        due,
        first_rows(due, related, ("answered_at", "pk"), show),
    )


def _red_orders(paths: tuple[str, ...], today) -> Source:
    due = SupervisionOrder.objects.filter(
        under_any("office", paths), level=OrderLevel.RED, status__in=UNSETTLED
    )

    def show(order: SupervisionOrder) -> NextAct:
        return NextAct(
            _matter_subject(order),
            _matter_url(order),
            _("%(unit)s, %(status)s, answer by %(deadline)s")
            % {
                "unit": order.unit.label,
                "status": order.get_status_display(),
                "deadline": order.deadline,
            },
            late=order.status in AWAITING and order.deadline < today,
        )

    return Source(
        "red_order",
        _("Red supervision orders (红色督办) not yet settled"),
        due,
        first_rows(due, ("unit",), ("deadline", "pk"), show),
    )


def supervision_sources(context: NextActContext) -> list[Source]:
    """The supervision kinds waiting for the context's user, by role."""
    sources: list[Source] = []
    today = context.today
    if liaison := context.paths(Role.UNIT_REPORTER):
        sources += [
            _to_receive(SupervisionOrder, liaison, today),
            _to_receive(ActionItem, liaison, today),
            _to_answer(SupervisionOrder, liaison, today),
            _to_answer(ActionItem, liaison, today),
        ]
    if leaders := context.paths(Role.OFFICE_LEADER):
        sources += [_drafts_to_sign(context.user), _answers_to_decide(leaders)]
    if context.scopes.has(Role.OFFICE_ADMIN, Role.OFFICE_LEADER):
        sources.append(_drafts_returned(context.user))
    if city := context.paths(Role.CITY_LEADER):
        sources.append(_red_orders(city, today))
    return sources
