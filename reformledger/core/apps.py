from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "reformledger.core"
    label = "core"
    verbose_name = "Core"
