from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "reformledger.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from reformledger.accounts import checks, signals  # noqa: F401 - receivers, checks

        _register_labels()


def _register_labels() -> None:
    """The words the trail shows for account records (`audit.labels`)."""
    from reformledger.accounts.models import ApiToken, PasswordPolicy, User
    from reformledger.audit import labels

    labels.register(
        models=[User, ApiToken, PasswordPolicy],
        keys={"failures": _("failed sign-ins"), "source": _("password checked by")},
        values={"source": {"local": _("this system"), "directory": _("the directory (LDAP)")}},
        reasons={
            "unused for {days} days": _("unused for %(days)s days"),
            "enrol": _("while setting up an authenticator app"),
            "from the directory": _("from the directory (LDAP) at sign-in"),
            "directory unavailable": _("the directory (LDAP) could not be reached"),
        },
    )
