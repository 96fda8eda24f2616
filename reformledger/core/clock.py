"""The ledger's clock: the business date (业务日期).

The ledger and supervision ask one question of the calendar — what day is it in the
work? — and ask it here: the working year and the day a ledger year is read on,
periods due and late, reminders due, ratings computed as of today, orders escalated,
receipts' working days, "overdue", and the day a service stamps on an act (a report
submitted, a closing signed, a rating decided). `business_today()` answers it: the
date in `settings.RL_BUSINESS_DATE` when one is set (a demo or a training copy set on
a day of its story), else the real local date.

Security and the audit trail never ask here: sessions, lock-outs, tokens, password
ages, the audit record's time and the rows' own `created_at`-style stamps keep the
real clock (`django.utils.timezone`), so a business date cannot age a password,
revive an expired token or backdate a record.
"""

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.utils import timezone

__all__ = ["business_date", "business_now", "business_today", "pinned"]

#: Unset: read the setting. Else what `pinned` set: a day, a moment, or None (real).
_UNSET = object()
_pinned: ContextVar[object] = ContextVar("reformledger_business_clock", default=_UNSET)


def _parse(value) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return timezone.localdate(value) if timezone.is_aware(value) else value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value).strip())


def business_date() -> dt.date | None:
    """The business date set for the ledger (`RL_BUSINESS_DATE`, or a `pinned` day),
    or None when the ledger runs on the real date. Pages show it while it is set."""
    pin = _pinned.get()
    if pin is not _UNSET:
        return _parse(pin)
    return _parse(getattr(settings, "RL_BUSINESS_DATE", None))


def business_today() -> dt.date:
    """Today in the ledger's work: the business date when one is set, else the real
    local date (TIME_ZONE)."""
    return business_date() or timezone.localdate()


def business_now() -> dt.datetime:
    """Now in the ledger's work, for the moment an act is stamped with: the business
    date at the real time of day when a business date is set (so acts of one day keep
    their order), else the real now. A `pinned` moment stands still."""
    pin = _pinned.get()
    if isinstance(pin, dt.datetime):
        return pin if timezone.is_aware(pin) else timezone.make_aware(pin)
    day = business_date()
    now = timezone.now()
    if day is None:
        return now
    local = timezone.localtime(now)
    return timezone.make_aware(dt.datetime.combine(day, local.time().replace(tzinfo=None)))


@contextmanager
def pinned(moment: dt.date | dt.datetime | None) -> Iterator[None]:
    """Inside the block the business clock reads `moment` whatever the setting: a day
    (at the real time of day), a moment (standing still), or None (the real date).
    For a command that replays dated history through the services (the demo), so
    each act is checked and stamped on its own day; never for a request."""
    token = _pinned.set(moment)
    try:
        yield
    finally:
        _pinned.reset(token)
