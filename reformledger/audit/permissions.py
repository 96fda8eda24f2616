"""Who may read the audit trail: the audit administrator (审计管理员) and no one else.

The trail has no unit scope: an auditor reads every record. System and security
administrators, office staff and leaders are refused (三员分立: the administrators
whose acts the trail records do not read or manage it).

Roles are kept by `orgs`, which sits above the trail (it writes audit records), so
the trail cannot ask it directly: `orgs` hands over its role lookup when it loads
(OrgsConfig.ready). Until then no one holds a role and the trail is closed.
"""

from collections.abc import Callable
from typing import Any

#: The auditor's role, as `orgs.choices.Role` names it.
AUDITOR = "auditor"

_holds_role: Callable[[Any, str], bool] = lambda user, role: False  # noqa: E731


def set_role_lookup(lookup: Callable[[Any, str], bool]) -> None:
    """Install `lookup(user, role) -> bool`: whether the user holds `role` in some unit."""
    global _holds_role
    _holds_role = lookup


def can_read_trail(user) -> bool:
    """True for a user who holds the auditor role in some unit."""
    if not getattr(user, "is_authenticated", False):
        return False
    return _holds_role(user, AUDITOR)
