from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

#: The reason the loader gives the rows it writes without a service.
DEMO_REASON = "demo"
#: The reason of the record that says which rows carry 2016 dates.
DATED_REASON = (
    "Huizhou 2016 demo: these rows carry the 2016 dates of the history they "
    "stand for; the acts themselves were recorded at load time."
)


class DemoConfig(AppConfig):
    """The Huizhou 2016 demo and the synthetic ledger generator (commands only)."""

    name = "reformledger.demo"
    label = "demo"
    verbose_name = _("Demo data")

    def ready(self) -> None:
        from reformledger.audit import labels

        # The counts of the demo's records ("demo.dated", "demo.generated").
        labels.register(
            keys={
                "action items": _("action items"),
                "answer files": _("answer files"),
                "answers": _("answers"),
                "closings": _("closing requests"),
                "evidence": _("evidence files"),
                "leader links": _("leader links"),
                "leading group meetings": _("leading group meetings"),
                "matters closed": _("matters closed"),
                "notices": _("notices"),
                "orders reported unsigned": _("orders reported not signed for"),
                "receipts": _("receipts"),
                "reform documents": _("reform documents"),
                "reports": _("progress reports"),
                "supervision meetings": _("supervision meetings"),
                "supervision orders": _("supervision orders"),
                "tasks": _("tasks"),
                "ratings": _("ratings"),
                "units": _("units"),
                "people": _("people"),
                "users": _("accounts"),
                "areas": _("reform areas"),
                "systems": _("reform systems"),
                "subtasks": _("sub-tasks"),
                "helping": _("helping units"),
                "dependencies": _("dependencies"),
            },
            reasons={
                DEMO_REASON: _("demo data"),
                DATED_REASON: _(
                    "Huizhou 2016 demo: these rows carry the 2016 dates of the history "
                    "they stand for; the acts themselves were recorded at load time."
                ),
                "generate --tasks {tasks} --units {units} --seed {seed} --year {year} "
                "--prefix {prefix}": _(
                    "a synthetic ledger of %(tasks)s tasks and %(units)s units for %(year)s "
                    "(seed %(seed)s, codes starting %(prefix)s)"
                ),
            },
        )
