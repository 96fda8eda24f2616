from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "reformledger.orgs"
    label = "orgs"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        # The trail sits below the unit tree; it learns who holds which role from here.
        from reformledger.audit import permissions as trail
        from reformledger.notifications import permissions as notices
        from reformledger.orgs.choices import Role
        from reformledger.orgs.permissions import can_manage_messengers, scopes_of

        assert trail.AUDITOR == Role.AUDITOR
        trail.set_role_lookup(lambda user, role: scopes_of(user).has(role))
        # Likewise the notices learn who manages a unit's messenger robots.
        notices.set_messenger_lookup(can_manage_messengers)
        _register_labels()


def _register_labels() -> None:
    """The words the trail shows for the unit tree's records (`audit.labels`)."""
    from reformledger.audit import labels
    from reformledger.orgs.models import Membership, Person, Unit, UnitAlias, UnitName

    labels.register(models=[Unit, UnitName, UnitAlias, Person, Membership])
