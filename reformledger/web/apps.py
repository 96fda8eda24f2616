from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "reformledger.web"
    label = "web"
    verbose_name = _("Web")

    def ready(self) -> None:
        # Failing messenger messages among the office's next acts (待办), through the
        # ledger's hook: the notices that keep them sit below the ledger.
        from reformledger.ledger.selectors.next_acts import register_next_acts
        from reformledger.web.next_acts import messenger_sources

        register_next_acts("messengers", messenger_sources)
