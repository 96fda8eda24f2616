from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "reformledger.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        # A run of reminders records how many notices of each kind it sent.
        from reformledger.audit import labels
        from reformledger.notifications.choices import (
            MessengerPlatform,
            MessengerTopic,
            NotificationKind,
        )
        from reformledger.notifications.models import Delivery, MessengerRobot, Notification

        labels.register(
            models=[Notification, MessengerRobot, Delivery],
            keys={
                **dict(NotificationKind.choices),
                "read": _("notices marked read"),
                # A robot as the trail keeps it (key and secret masked).
                "webhook": _("webhook address"),
                "active": _("active"),
                "deliveries": _("waiting deliveries"),
                "occasion": _("occasion"),
            },
            values={
                "platform": MessengerPlatform,
                "topics": MessengerTopic,
            },
        )
