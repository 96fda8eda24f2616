"""The ledger's words for its history: the models its records name, the keys of its
records that are no model field, its exports and imports, the reasons its reminders
give, and the business dates of its acts (`audit.labels`, from `LedgerConfig.ready`)."""

from django.utils.translation import gettext_lazy as _

from reformledger.audit import labels


def _report(report, verb: str):
    """A report's period, and the day it was submitted or decided."""
    pairs = [(_("reporting period"), report.period.label)]
    if verb == "report.submitted":
        pairs.append((_("submitted on"), report.submitted_at))
    elif verb in ("report.accepted", "report.returned"):
        pairs.append((_("decided on"), report.decided_at))
    return pairs


def _closing(closing, verb: str):
    return {
        "closing.requested": [(_("requested on"), closing.requested_at)],
        "closing.signed": [(_("signed on"), closing.signed_at)],
        "closing.approved": [(_("approved on"), closing.decided_at)],
        "closing.rejected": [(_("rejected on"), closing.decided_at)],
    }.get(verb, [])


def _plan(plan, verb: str):
    return {
        "plan.created": [(_("written on"), plan.created_at)],
        "plan.submitted": [(_("submitted on"), plan.submitted_at)],
        "plan.approved": [(_("approved on"), plan.decided_at)],
        "plan.rejected": [(_("returned on"), plan.decided_at)],
    }.get(verb, [])


def _rating(rating, verb: str):
    if verb in ("rating.confirmed", "rating.overridden"):
        return [(_("decided on"), rating.decided_at)]
    return []


def _evidence(evidence, verb: str):
    return [(_("uploaded on"), evidence.uploaded_at)] if verb == "evidence.added" else []


def register() -> None:
    from reformledger.ledger.choices import NotRatedReason
    from reformledger.ledger.models import (
        ClosingRequest,
        CycleSettings,
        Evidence,
        Milestone,
        Period,
        Plan,
        ProgrammeDocument,
        ProgressReport,
        Rating,
        RatingGrade,
        RatingScale,
        ReformArea,
        ReformSystem,
        Task,
        WorkPoint,
        WorkProgramme,
    )

    labels.register(
        models=[
            Task,
            Plan,
            Milestone,
            ProgressReport,
            Evidence,
            ClosingRequest,
            Rating,
            RatingScale,
            RatingGrade,
            Period,
            CycleSettings,
            ReformArea,
            ReformSystem,
            WorkProgramme,
            WorkPoint,
            ProgrammeDocument,
        ],
        keys={
            # plans and reports
            "milestones": _("milestones"),
            "superseded": _("superseded revision"),
            "reached": _("milestones reached"),
            "period": _("reporting period"),
            "files": _("files"),
            # ratings and periods
            "rating": _("rating"),
            "computed": _("ratings computed"),
            "kept_decided": _("decided ratings kept"),
            "removed": _("suggestions removed"),
            "grades": _("grades"),
            "periods": _("reporting periods"),
            "ratings_suggested": _("ratings left as suggested"),
            "ratings_confirmed": _("ratings confirmed"),
            "ratings_overridden": _("ratings overridden"),
            "confirmed_together": _("ratings confirmed together"),
            "not_rated": _("tasks not rated"),
            **dict(NotRatedReason.choices),
            # closing and carry-over
            "carried_to": _("carried over to"),
            "milestones_reached": _("milestones reached"),
            "milestones_not_reached": _("milestones not reached"),
            "last_report": _("last accepted report"),
            "latest_rating": _("latest rating"),
            # imports of task lists, work points and progress reports
            "created": _("tasks created"),
            "updated": _("tasks updated"),
            "plans": _("plans written"),
            "unchanged": _("rows unchanged"),
            "skipped": _("rows skipped"),
            "other_ledger": _("rows of another ledger"),
            "aliases": _("unit names remembered"),
            "drafts": _("drafts"),
            "columns_remembered": _("columns remembered"),
            "saved": _("reports saved"),
            "points": _("work points"),
            "matched": _("items already in the ledger"),
            "dropped": _("items left out"),
            "merged": _("items merged"),
            "numbers": _("numbers"),
            "errors": _("errors"),
            "kind": _("kind"),
            # the ledger's filters, as exports record them
            "q": _("search"),
            "overdue": _("overdue only"),
            "as_of": _("ratings as of"),
            "ordering": _("sort by"),
            "by": _("one sheet per"),
            "office": _("reform office"),
        },
        values={
            "document": {
                "ledger": _("the reform task ledger"),
                "closed_ledger": _("the closed ledger"),
                "task_list": _("the task list"),
                "task_list_template": _("the blank task list"),
                "progress_sheet": _("the progress sheet"),
            },
            "kind": {
                "task_list": _("task list"),
                "progress_reports": _("progress reports"),
                "work_points": _("work points"),
            },
            "by": {"area": _("reform area"), "unit": _("lead unit")},
        },
        reasons={"reminders of {day}": _("reminders of %(day)s")},
        size_keys=["size"],
        percent_keys=["percent"],
        business_dates={
            ProgressReport: (_report, ("period",)),
            ClosingRequest: _closing,
            Plan: _plan,
            Rating: _rating,
            Evidence: _evidence,
        },
    )
