from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangeConfig(AppConfig):
    """Excel, CSV, Word and PDF in and out: one module per document."""

    name = "reformledger.exchange"
    label = "exchange"
    verbose_name = _("Exchange")
