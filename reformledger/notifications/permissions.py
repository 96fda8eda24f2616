"""Who may open which notice pages, and who manages a unit's messenger robots.

A notice is its recipient's alone: the pages load it through `notifications_of`, so
anyone else's is a 404, and no role opens another person's notices.

A unit's messenger robots (WeCom, DingTalk) and their deliveries are managed by the
reform office's staff whose office reaches the unit (`orgs.permissions.
can_manage_messengers`). Roles and the unit tree are kept by `orgs`, which sits above
the notices, so it hands its check over when it loads (OrgsConfig.ready), as it does
for the audit trail. Until then no one manages any robot.
"""

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied

_manages: Callable[[Any, Any], bool] = lambda user, unit: False  # noqa: E731


def set_messenger_lookup(lookup: Callable[[Any, Any], bool]) -> None:
    """Install `lookup(user, unit) -> bool`: whether the user manages the unit's robots."""
    global _manages
    _manages = lookup


def can_manage_messengers(user, unit) -> bool:
    """Whether `user` sees and manages the messenger robots of `unit`."""
    if not getattr(user, "is_authenticated", False) or unit is None:
        return False
    return _manages(user, unit)


def require_messengers(user, unit) -> None:
    """Raise PermissionDenied unless `user` manages the robots of `unit`."""
    if not can_manage_messengers(user, unit):
        raise PermissionDenied("messengers")
