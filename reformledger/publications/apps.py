from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicationsConfig(AppConfig):
    name = "reformledger.publications"
    label = "publications"
    verbose_name = _("Publications")

    def ready(self) -> None:
        from reformledger.ledger.selectors.next_acts import register_next_acts
        from reformledger.publications import labels
        from reformledger.publications.next_acts import publication_sources

        labels.register()
        # The next acts (待办) of the publications, through the ledger's hook.
        register_next_acts("publications", publication_sources)
