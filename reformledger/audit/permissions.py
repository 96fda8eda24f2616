"""Who may read the audit trail: the audit administrator (审计管理员) and no one else.

The trail has no unit scope: an auditor reads every record. System and security
administrators, office staff and leaders are refused (三员分立: the administrators
whose acts the trail records do not read or manage it).
"""

from reformledger.orgs.choices import Role
from reformledger.orgs.permissions import scopes_of


def can_read_trail(user) -> bool:
    """True for a user who holds the auditor role in some unit."""
    return scopes_of(user).has(Role.AUDITOR)
