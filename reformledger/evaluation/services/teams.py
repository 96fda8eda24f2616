"""Evaluation teams (评估组): the office's own or an outside organisation's (第三方评估
机构), and their members. An evaluator's account (Role.EVALUATOR) is in one team only."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from reformledger.audit import services as audit
from reformledger.core.exceptions import ConflictError
from reformledger.evaluation import permissions
from reformledger.evaluation.choices import TeamKind
from reformledger.evaluation.models import EvaluationTeam, TeamMember
from reformledger.evaluation.services.common import text
from reformledger.orgs.choices import Role
from reformledger.orgs.models import Membership, Unit

__all__ = ["team_create", "team_member_add", "team_member_remove", "team_update"]


@transaction.atomic
def team_create(
    *, office: Unit, by, name: str, kind: str, organisation: str = ""
) -> EvaluationTeam:
    """Form an evaluation team of the office."""
    permissions.require_office(by, office)
    if kind not in TeamKind.values:
        raise ValidationError({"kind": _("Choose the kind of team.")})
    name = text(name, "name", _("Give the team's name."))
    if kind == TeamKind.THIRD_PARTY and not (organisation or "").strip():
        raise ValidationError(
            {"organisation": _("A third-party team names the organisation it comes from.")}
        )
    if EvaluationTeam.objects.filter(office=office, name=name).exists():
        raise ValidationError({"name": _("The office already has a team of this name.")})
    team = EvaluationTeam.objects.create(
        office=office, name=name, kind=kind, organisation=(organisation or "").strip()
    )
    audit.record(
        actor=by,
        verb="evaluation_team.created",
        obj=team,
        changes=audit.snapshot(team, ("name", "kind", "organisation")),
    )
    return team


@transaction.atomic
def team_update(*, team: EvaluationTeam, by, name: str, organisation: str = "") -> EvaluationTeam:
    """Rename a team or change its organisation."""
    permissions.require_office(by, team.office)
    before = audit.snapshot(team, ("name", "organisation"))
    team.name = text(name, "name", _("Give the team's name."))
    team.organisation = (organisation or "").strip()
    if (
        EvaluationTeam.objects.filter(office=team.office, name=team.name)
        .exclude(pk=team.pk)
        .exists()
    ):
        raise ValidationError({"name": _("The office already has a team of this name.")})
    team.save(update_fields=["name", "organisation"])
    audit.record(
        actor=by,
        verb="evaluation_team.updated",
        obj=team,
        changes=audit.diff(before, audit.snapshot(team, ("name", "organisation"))),
    )
    return team


def is_evaluator_account(user) -> bool:
    """Whether `user` holds the evaluator role anywhere (an outside evaluator's account)."""
    return Membership.objects.filter(user=user, role=Role.EVALUATOR, is_active=True).exists()


@transaction.atomic
def team_member_add(*, team: EvaluationTeam, user, by) -> TeamMember:
    """Put `user` on `team`. An evaluator's account already on another team is refused,
    naming that team."""
    permissions.require_office(by, team.office)
    if not user.is_active:
        raise ValidationError({"user": _("%(user)s's account is not active.") % {"user": user}})
    if TeamMember.objects.filter(team=team, user=user).exists():
        raise ConflictError(_("%(user)s is already on this team.") % {"user": user})
    evaluator = is_evaluator_account(user)
    if evaluator:
        other = (
            TeamMember.objects.filter(user=user, is_evaluator=True).select_related("team").first()
        )
        if other is not None:
            raise ValidationError(
                {
                    "user": _(
                        "%(user)s is an evaluator of the team “%(team)s”; an evaluator "
                        "belongs to one team only."
                    )
                    % {"user": user, "team": other.team}
                }
            )
    try:
        with transaction.atomic():
            member = TeamMember.objects.create(team=team, user=user, is_evaluator=evaluator)
    except IntegrityError as exc:
        raise ConflictError(_("%(user)s was just put on a team.") % {"user": user}) from exc
    audit.record(
        actor=by,
        verb="evaluation_team.member_added",
        obj=team,
        changes={"user": user.get_username()},
    )
    return member


@transaction.atomic
def team_member_remove(*, team: EvaluationTeam, user, by) -> None:
    """Take `user` off `team`."""
    permissions.require_office(by, team.office)
    deleted, _rows = TeamMember.objects.filter(team=team, user=user).delete()
    if not deleted:
        raise ConflictError(_("%(user)s is not on this team.") % {"user": user})
    audit.record(
        actor=by,
        verb="evaluation_team.member_removed",
        obj=team,
        changes={"user": user.get_username()},
    )
