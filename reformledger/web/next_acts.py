"""The messenger robots' kind of the next act (待办), added to the ledger's through its
hook (`ledger.selectors.next_acts.register_next_acts`, in WebConfig.ready): office
staff see the messages to the robots of units they manage that fail — waiting for
another try, or failed for good in the last days — each leading to the unit's robots
page, where they are sent again. The notices sit below the ledger, so the kind is
registered from here, where both are known.
"""

from django.urls import reverse
from django.utils.translation import gettext as _

from reformledger.ledger.selectors.next_acts import NextAct, NextActContext, Source, first_rows
from reformledger.notifications.models import Delivery
from reformledger.notifications.selectors import deliveries_to_look_at
from reformledger.orgs.permissions import messenger_hosts, under_any

__all__ = ["messenger_sources"]


def messenger_sources(context: NextActContext) -> list[Source]:
    hosts = messenger_hosts(context.user)
    if not hosts:
        return []
    due = deliveries_to_look_at().filter(under_any("robot__unit", hosts))

    def show(delivery: Delivery) -> NextAct:
        robot = delivery.robot
        return NextAct(
            f"{robot.unit.name} · {robot.name}",
            reverse("web:unit_messengers", args=[robot.unit_id]),
            f"{delivery.title} — {delivery.last_error}",
            late=delivery.status == "failed",
        )

    return [
        Source(
            "messenger_failing",
            _("Messenger messages failing"),
            due,
            first_rows(due, ("robot", "robot__unit"), ("-created_at", "-pk"), show),
        )
    ]
