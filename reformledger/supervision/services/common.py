"""What the supervision services share: clocks, checks of the common fields, and
telling a unit's liaisons and head."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from reformledger.ledger.models import Task
from reformledger.notifications import services as notices
from reformledger.notifications.choices import NotificationKind
from reformledger.orgs.choices import Role
from reformledger.orgs.models import Membership, Unit

MEETING_FIELDS = ("held_on", "topic", "attendees", "minutes", "tasks")
ORDER_FIELDS = ("level", "deadline", "status", "escalations")


def _now() -> dt.datetime:
    return timezone.now()


def _today() -> dt.date:
    return timezone.localdate()


def _text(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value


def _office_of(office: Unit) -> Unit:
    if office.kind != "office":
        raise ValidationError({"office": _("Supervision work belongs to a reform office.")})
    return office


def _own_task(office: Unit, task: Task | None, field: str = "task") -> None:
    if task is not None and task.office_id != office.pk:
        raise ValidationError(
            {field: _("The task %(code)s is not on this office's ledger.") % {"code": task.code}}
        )


def _people_of(unit: Unit) -> list:
    """The unit's liaisons and head: who is told of its orders and items."""
    rows = Membership.objects.filter(
        unit=unit, is_active=True, role__in=(Role.UNIT_REPORTER, Role.UNIT_HEAD)
    ).select_related("user")
    return [m.user for m in rows if m.user.is_active]


def _tell_unit(unit: Unit, *, key: str, title: str, body: str, link: str, task=None) -> int:
    sent = 0
    for user in _people_of(unit):
        notice = notices.notify(
            recipient=user,
            kind=NotificationKind.NOTICE,
            key=key,
            title=title,
            body=body,
            link=link,
            task=task,
        )
        sent += notice is not None
    return sent
