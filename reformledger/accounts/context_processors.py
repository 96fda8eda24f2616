"""What the layout needs from accounts: whether to show the security administrator's
menu (the pages check again)."""

from reformledger.accounts.permissions import can_manage_accounts


def account_navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # scopes_of() is cached on the user, so this costs no query of its own.
    return {"nav_accounts": can_manage_accounts(user)}
