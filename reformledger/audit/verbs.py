"""Plain words for each act in the trail, as the history tabs show them."""

from django.utils.translation import gettext_lazy as _

VERBS = {
    "task.created": _("created the task"),
    "task.updated": _("changed the task"),
    "task.status": _("changed the status"),
    "plan.created": _("wrote the first plan"),
    "plan.edited": _("edited the draft plan"),
    "plan.submitted": _("submitted the plan for approval"),
    "plan.approved": _("approved the plan"),
    "plan.rejected": _("returned the plan"),
    "plan.revision_started": _("started a revision of the plan"),
    "unit.created": _("created the unit"),
    "unit.renamed": _("renamed the unit"),
    "unit.merged": _("merged the unit"),
    "person.created": _("recorded the person"),
    "membership.granted": _("granted a role"),
    "membership.revoked": _("ended a role"),
    "demo.generated": _("generated a synthetic ledger"),
    "demo.dated": _("gave the demo's rows their 2016 dates"),
    "report.created": _("wrote a progress report"),
    "report.edited": _("edited the progress report"),
    "report.submitted": _("submitted the progress report"),
    "report.accepted": _("accepted the progress report"),
    "report.returned": _("returned the progress report"),
    "evidence.added": _("attached an evidence file"),
    "evidence.downloaded": _("downloaded an evidence file"),
    "closing.requested": _("requested closing"),
    "closing.signed": _("signed the closing request"),
    "closing.approved": _("approved the closing (销账)"),
    "closing.rejected": _("rejected the closing request"),
    "task.reopened": _("reopened the task"),
    "task.carried_over": _("carried the task over into the next year"),
    "task.carried_in": _("created the task by carry-over from the previous year"),
    "period.created": _("set up the reporting periods"),
    "period.closed": _("closed (froze) the period"),
    "scale.created": _("created the rating scale"),
    "scale.updated": _("changed the rating thresholds"),
    "rating.computed": _("computed the suggested rating"),
    "ratings.computed": _("computed the suggested ratings"),
    "rating.confirmed": _("confirmed the rating"),
    "rating.overridden": _("overrode the suggested rating"),
    "notification.sent": _("sent a notice"),
    "notification.read": _("read a notice"),
    "notification.read_all": _("marked every notice read"),
    "reminders.sent": _("sent the reminders"),
    "export.ledger": _("exported the ledger"),
    "import.task_list": _("imported a task list"),
    "import.progress_reports": _("imported progress reports"),
    "token.created": _("created an API token"),
    "token.revoked": _("revoked an API token"),
}


def describe(verb: str) -> str:
    """The plain words for `verb`; an act without words shows its code."""
    return str(VERBS.get(verb, verb))
