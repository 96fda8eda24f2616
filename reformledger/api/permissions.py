"""What a token may do, beyond its owner's roles.

On the pages, office leaders and the three administrators do nothing until they have
given their second factor (`accounts.middleware`). A token carries no second factor
of its own, so a token of such an account writes only if it was made `elevated`, in
a session verified with the second factor; otherwise it reads. And no token makes
tokens: only a signed-in person does, so revoking a token leaves nothing it made.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission

from reformledger.accounts.models import ApiToken
from reformledger.accounts.permissions import second_factor_required


def by_token(request) -> bool:
    """Whether the request is signed with an API token (not a session)."""
    return isinstance(request.auth, ApiToken)


class SecondFactorForTokenActs(BasePermission):
    """A write with a token of an account whose roles need the second factor needs an
    elevated token (a default permission of every viewset)."""

    message = _(
        "This act needs the second factor, which this token was not made for: its owner's "
        "roles (office leader or administrator) sign in with an authenticator code. Create "
        'an elevated token ("elevated": true) in a session signed in with the second '
        "factor, and use that one."
    )

    def has_permission(self, request, view) -> bool:
        if request.method in SAFE_METHODS or not by_token(request) or request.auth.elevated:
            return True
        return not second_factor_required(request.user)


class SignedInSession(BasePermission):
    """The act is a signed-in person's own: a token may not do it."""

    message = _(
        "A token cannot create tokens: a person signed in to the site creates them "
        "(POST /api/v1/tokens/ with the session), so revoking a token leaves none it made."
    )

    def has_permission(self, request, view) -> bool:
        return not by_token(request)
