"""Evaluations' words for their history: the acts they record, their models and the
keys of their records that are no model field (`audit.labels`, from
`EvaluationConfig.ready`)."""

from django.utils.translation import gettext_lazy as _

from reformledger.audit import labels
from reformledger.audit.verbs import VERBS

#: The acts the evaluation services record, in plain words.
EVALUATION_VERBS = {
    "criteria_template.created": _("created the criteria template"),
    "evaluation.created": _("created the evaluation"),
    "evaluation.updated": _("changed the evaluation"),
    "evaluation.criteria_set": _("adjusted the evaluation's criteria"),
    "evaluation.started": _("opened the evaluation to the units' self-assessments"),
    "evaluation.scoring_opened": _("opened the evaluation to scoring"),
    "evaluation.submitted": _("submitted the scores and findings for review"),
    "evaluation.returned": _("returned the evaluation to the team"),
    "evaluation.closed": _("closed the evaluation"),
    "evaluation.file_added": _("attached an evidence file to the evaluation"),
    "evaluation.survey_imported": _("imported the satisfaction survey"),
    "evaluation_team.created": _("formed the evaluation team"),
    "evaluation_team.updated": _("changed the evaluation team"),
    "evaluation_team.member_added": _("put a member on the evaluation team"),
    "evaluation_team.member_removed": _("took a member off the evaluation team"),
    "self_assessment.saved": _("saved the self-assessment"),
    "self_assessment.submitted": _("submitted the self-assessment"),
    "score.set": _("scored a criterion"),
    "finding.added": _("wrote a finding"),
    "finding.removed": _("withdrew a finding"),
    "finding.tracked": _("set a finding as an action item"),
}


def _evaluation(evaluation, verb: str):
    """The ledger's date of an evaluation's closing."""
    if verb == "evaluation.closed" and evaluation.closed_at:
        return [(_("closed on"), evaluation.closed_at)]
    return []


def register() -> None:
    from reformledger.evaluation.models import (
        CriteriaTemplate,
        Criterion,
        Evaluation,
        EvaluationFile,
        EvaluationTeam,
        Finding,
        Score,
        SelfAssessment,
        SurveyResult,
    )

    # The trail's words for acts live in one table; the evaluation app adds its own.
    for verb, words in EVALUATION_VERBS.items():
        VERBS.setdefault(verb, words)
    labels.register(
        models=[
            Evaluation,
            CriteriaTemplate,
            Criterion,
            EvaluationTeam,
            SelfAssessment,
            Score,
            Finding,
            SurveyResult,
            EvaluationFile,
        ],
        keys={
            "files": _("files"),
            "rows": _("rows"),
            "file_name": _("file name"),
            "acted_on": _("dated"),
            "template": _("criteria copied from"),
            "criteria": _("criteria"),
            "weights": _("weights"),
            "units": _("units under evaluation"),
            "user": _("member"),
            "self_scores": _("self-scores"),
            "criterion": _("criterion"),
            "value": _("score"),
            "action_item": _("action item"),
            "deadline": _("deadline"),
        },
        values={
            "document": {
                "evaluation_sheet": _("the evaluation's criteria and scores"),
                "evaluation_list": _("the list of evaluations"),
                "evaluation_docx": _("the evaluation sheet (Word)"),
            },
        },
        business_dates={Evaluation: _evaluation},
    )
