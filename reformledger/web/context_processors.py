"""Values every page's layout needs."""

from reformledger.orgs.permissions import scopes_of


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"nav_roles": scopes_of(user)}
