from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PilotsConfig(AppConfig):
    name = "reformledger.pilots"
    label = "pilots"
    verbose_name = _("Pilots and innovations")

    def ready(self) -> None:
        from reformledger.ledger.selectors.next_acts import register_next_acts
        from reformledger.pilots import labels
        from reformledger.pilots.next_acts import innovation_sources, pilot_sources

        labels.register()
        # The next acts (待办) of pilots and of innovations, through the ledger's hook.
        register_next_acts("pilots", pilot_sources)
        register_next_acts("innovations", innovation_sources)
        # The investment sheet's import, as a job (exchange.jobs).
        from reformledger.exchange import jobs
        from reformledger.pilots.services.investment import job_kind

        jobs.register(job_kind())
