from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "reformledger.assessment"
    label = "assessment"
    verbose_name = _("Annual assessment")

    def ready(self) -> None:
        from reformledger.assessment import labels
        from reformledger.assessment.next_acts import assessment_sources
        from reformledger.ledger.selectors.next_acts import register_next_acts

        labels.register()
        # The next acts (待办) of the assessment, through the ledger's hook.
        register_next_acts("assessment", assessment_sources)
