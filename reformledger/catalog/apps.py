from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "reformledger.catalog"
    label = "catalog"
    verbose_name = _("Power and service lists")

    def ready(self) -> None:
        from reformledger.catalog import labels
        from reformledger.catalog.next_acts import catalog_sources
        from reformledger.catalog.services.imports import job_kind
        from reformledger.exchange import jobs
        from reformledger.ledger.selectors.next_acts import register_next_acts

        labels.register()
        # The standard power types are reference data every import needs: a table
        # emptied by `flush` (a transactional test's clean-up) gets them back the way
        # Django's content types do, on post_migrate (which flush sends).
        post_migrate.connect(_types_back, sender=self)
        jobs.register(job_kind())
        # The lists' kinds of the next act (待办), through the ledger's hook.
        register_next_acts("catalog", catalog_sources)


def _types_back(sender, using="default", **kwargs) -> None:
    from reformledger.catalog.services import item_types_install

    item_types_install(using=using)
