from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The Huizhou 2016 demo and the synthetic ledger generator (commands only)."""

    name = "reformledger.demo"
    label = "demo"
    verbose_name = "Demo data"
