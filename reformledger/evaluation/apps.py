from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "reformledger.evaluation"
    label = "evaluation"
    verbose_name = _("Evaluation")

    def ready(self) -> None:
        from reformledger.evaluation import labels

        labels.register()
        # The next acts (待办) of evaluations, through the ledger's hook.
        from reformledger.evaluation.next_acts import evaluation_sources
        from reformledger.ledger.selectors.next_acts import register_next_acts

        register_next_acts("evaluations", evaluation_sources)
        # The satisfaction survey's import, as a job (exchange.jobs).
        from reformledger.evaluation.services.survey import job_kind
        from reformledger.exchange import jobs

        jobs.register(job_kind())
