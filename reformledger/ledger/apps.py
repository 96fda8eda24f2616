from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    name = "reformledger.ledger"
    label = "ledger"
    verbose_name = _("Reform ledger")

    def ready(self) -> None:
        from reformledger.exchange import jobs
        from reformledger.ledger import labels
        from reformledger.ledger.services.imports import job_kinds

        for kind in job_kinds():
            jobs.register(kind)
        labels.register()
