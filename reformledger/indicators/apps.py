from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "reformledger.indicators"
    label = "indicators"
    verbose_name = _("Indicators")

    def ready(self) -> None:
        from reformledger.indicators import labels
        from reformledger.indicators.next_acts import indicator_sources
        from reformledger.ledger.selectors.next_acts import register_next_acts

        labels.register()
        # Indicators' kinds of the next act (待办), through the ledger's hook.
        register_next_acts("indicators", indicator_sources)
