"""Two lock-outs in one django-axes handler (登录失败处理).

django-axes counts failed sign-ins per combination of AXES_LOCKOUT_PARAMETERS and
compares the largest count with one limit. The settings count two combinations: a
user name from an address (AXES_FAILURE_LIMIT, 5), and the address alone across every
user name tried from it (RL_LOGIN_ADDRESS_FAILURE_LIMIT, higher: an office behind one
address has many honest typists). This handler gives each its own limit, so one
address trying a few passwords on many accounts (password spraying) is locked too.
"""

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum

#: Set on the request when the address itself is locked (the page says so).
ADDRESS_LOCKED = "rl_address_locked"


def _by_address_alone(parameter) -> bool:
    return parameter == "ip_address" or list(parameter) == ["ip_address"]


class AddressAwareHandler(AxesDatabaseHandler):
    """django-axes' database handler with a limit of its own for the address alone."""

    def get_failures(self, request, credentials=None) -> int:
        """The pair's failures, or the pair's limit when the address has reached its own
        (axes then locks, whatever user name is tried from that address)."""
        pair, address = 0, 0
        attempts = self.get_user_attempts(request, credentials)
        for parameter, found in zip(settings.AXES_LOCKOUT_PARAMETERS, attempts, strict=True):
            count = found.aggregate(n=Sum("failures_since_start"))["n"] or 0
            if _by_address_alone(parameter):
                address = max(address, count)
            else:
                pair = max(pair, count)
        if address >= settings.RL_LOGIN_ADDRESS_FAILURE_LIMIT:
            setattr(request, ADDRESS_LOCKED, True)
            return max(pair, get_failure_limit(request, credentials))
        return pair

    def reset_user_attempts(self, request, credentials=None) -> int:
        """A successful sign-in clears its own user name's failures from that address,
        not the address's count: one account the attacker owns must not wipe the
        record of its spraying of the others."""
        username = get_client_username(request, credentials)
        removed, _kinds = AccessAttempt.objects.filter(
            username=username, ip_address=request.axes_ip_address
        ).delete()
        return removed
