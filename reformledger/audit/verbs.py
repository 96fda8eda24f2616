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
}


def describe(verb: str) -> str:
    """The plain words for `verb`; an act without words shows its code."""
    return str(VERBS.get(verb, verb))
