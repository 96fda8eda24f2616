from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "reformledger.supervision"
    label = "supervision"
    verbose_name = _("Supervision")

    def ready(self) -> None:
        from reformledger.ledger.selectors.next_acts import register_next_acts
        from reformledger.supervision import labels
        from reformledger.supervision.next_acts import supervision_sources

        labels.register()
        # Supervision's kinds of the next act (待办), through the ledger's hook.
        register_next_acts("supervision", supervision_sources)
