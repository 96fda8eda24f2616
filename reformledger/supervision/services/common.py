"""What the supervision services share: clocks and working days, checks of the
common fields, and telling a unit's liaisons and head or an office's staff."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from reformledger.core.clock import business_now, business_today
from reformledger.ledger.models import Task
from reformledger.notifications import services as notices
from reformledger.notifications.choices import NotificationKind
from reformledger.orgs.choices import Role
from reformledger.orgs.models import Unit
from reformledger.orgs.selectors import unit_members

MEETING_FIELDS = ("held_on", "topic", "attendees", "minutes", "tasks")
ORDER_FIELDS = ("level", "deadline", "status", "escalations")


def _now() -> dt.datetime:
    return business_now()


def _today() -> dt.date:
    return business_today()


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


def working_days_after(start: dt.date, days: int) -> dt.date:
    """The day `days` working days (Monday to Friday) after `start`; `start` itself
    for 0. Public holidays are not known here: they count as working days."""
    day = start
    while days > 0:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day


def _members(unit: Unit, roles) -> list:
    return unit_members(unit, roles)


def _people_of(unit: Unit) -> list:
    """The unit's liaisons and head: who is told of its orders and items."""
    return _members(unit, (Role.UNIT_REPORTER, Role.UNIT_HEAD))


def _staff_of(office: Unit) -> list:
    """The reform office's staff (改革办科员): who is told what needs the office."""
    return _members(office, (Role.OFFICE_ADMIN,))


def _tell(
    users,
    *,
    key: str,
    title: str,
    body: str,
    link: str,
    task=None,
    unit: Unit | None = None,
    kind: str = NotificationKind.NOTICE,
) -> int:
    """Tell each of `users` in the app and by e-mail, once per `key`, and the messenger
    robots of `unit` once; returns how many users were told now. The one place
    supervision sends notices."""
    return notices.notify_each(
        users, kind=kind, key=key, title=title, body=body, link=link, task=task, unit=unit
    )


def _tell_unit(unit: Unit, **notice) -> int:
    return _tell(_people_of(unit), unit=unit, **notice)


def _tell_office(office: Unit, **notice) -> int:
    return _tell(_staff_of(office), unit=office, **notice)
