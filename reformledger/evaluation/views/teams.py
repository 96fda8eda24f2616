"""The office's evaluation teams (评估组) and their members, and the criteria templates
(评估指标体系模板) an evaluation starts from."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from reformledger.core.exceptions import ConflictError
from reformledger.core.forms import add_service_errors
from reformledger.evaluation import permissions, services
from reformledger.evaluation.forms import MemberForm, TeamForm
from reformledger.evaluation.models import CriteriaTemplate, TemplateCriterion
from reformledger.evaluation.selectors import team_list
from reformledger.evaluation.views.common import evaluation_page
from reformledger.orgs.permissions import offices_worked


def _office_only(request):
    offices = offices_worked(request.user)
    if not offices:
        raise PermissionDenied
    return offices


@evaluation_page
def teams_page(request):
    """The teams of the offices the user manages, their members and evaluations; forming
    a team (office staff and leaders)."""
    offices = _office_only(request)
    form = TeamForm(request.POST or None, offices=offices, initial={"office": offices[0]})
    if request.method == "POST" and form.is_valid():
        try:
            services.team_create(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The team is formed."))
            return redirect("evaluation:teams")
    return render(
        request,
        "evaluation/teams.html",
        {"teams": list(team_list(request.user)), "form": form, "member_form": MemberForm()},
        status=400 if form.is_bound and form.errors else 200,
    )


def _team(request, pk):
    team = permissions.visible_teams(request.user).filter(pk=pk).select_related("office").first()
    if team is None:
        raise Http404
    return team


@evaluation_page
@require_POST
def team_member_add(request, pk: int):
    team = _team(request, pk)
    form = MemberForm(request.POST)
    if form.is_valid():
        user = get_user_model().objects.filter(username=form.cleaned_data["username"]).first()
        if user is None:
            messages.error(request, _("No account has this name."))
        else:
            try:
                services.team_member_add(team=team, user=user, by=request.user)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            except ConflictError as exc:
                messages.warning(request, str(exc))
            else:
                messages.success(request, _("%(user)s is on the team.") % {"user": user})
    return redirect(reverse("evaluation:teams") + f"#team-{team.pk}")


@evaluation_page
@require_POST
def team_member_remove(request, pk: int, user: int):
    team = _team(request, pk)
    member = get_user_model().objects.filter(pk=user).first()
    if member is None:
        raise Http404
    try:
        services.team_member_remove(team=team, user=member, by=request.user)
    except ConflictError as exc:
        messages.warning(request, str(exc))
    else:
        messages.success(request, _("%(user)s is off the team.") % {"user": member})
    return redirect(reverse("evaluation:teams") + f"#team-{team.pk}")


@evaluation_page
def templates_page(request):
    """The criteria templates with their trees, weights and scoring guides; the built-in
    ones (OECD DAC five, the province's) are created on first sight."""
    _office_only(request)
    services.templates_ensure_defaults()
    templates = list(CriteriaTemplate.objects.order_by("code"))
    criteria = list(TemplateCriterion.objects.order_by("template_id", "parent_id", "order", "id"))
    for template in templates:
        rows = [c for c in criteria if c.template_id == template.pk]
        children: dict = {}
        for c in rows:
            children.setdefault(c.parent_id, []).append(c)
        lines = []

        def walk(parent, depth, children=children, lines=lines):
            for c in children.get(parent, []):
                lines.append((c, depth))
                walk(c.pk, depth + 1)

        walk(None, 0)
        template.lines = lines
    return render(request, "evaluation/templates.html", {"templates": templates})


urlpatterns = [
    path("teams/", teams_page, name="teams"),
    path("teams/<int:pk>/members/", team_member_add, name="team_member_add"),
    path(
        "teams/<int:pk>/members/<int:user>/remove/", team_member_remove, name="team_member_remove"
    ),
    path("templates/", templates_page, name="templates"),
]
