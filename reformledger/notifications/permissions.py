"""Who may open which notice pages.

A notice is its recipient's alone (the pages load it through `notifications_of`, so
anyone else's is a 404). The staleness page is the office's tool for chasing
units: office staff and leaders, and city leaders, who read everything.
"""

from reformledger.orgs.choices import Role
from reformledger.orgs.permissions import scopes_of

STALENESS_ROLES = (Role.OFFICE_ADMIN, Role.OFFICE_LEADER, Role.CITY_LEADER)


def can_see_staleness(user) -> bool:
    """Office staff, office leaders and city leaders see staleness per unit."""
    return scopes_of(user).has(*STALENESS_ROLES)
