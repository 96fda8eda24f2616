from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "reformledger.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        # A run of reminders records how many notices of each kind it sent.
        from reformledger.audit import labels
        from reformledger.notifications.choices import NotificationKind
        from reformledger.notifications.models import Notification

        labels.register(
            models=[Notification],
            keys={**dict(NotificationKind.choices), "read": _("notices marked read")},
        )
