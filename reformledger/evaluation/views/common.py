"""What the evaluation pages share: the section's gate, loading an evaluation through
the user's scoped queryset (404 outside it), and the link to its page."""

from django.http import Http404
from django.urls import reverse

from reformledger.core.views import section_page
from reformledger.evaluation import permissions
from reformledger.evaluation.models import Evaluation

#: A page of the section: signed in, and working evaluations in some role (403 otherwise).
evaluation_page = section_page(permissions.sees_evaluations)


def evaluation_or_404(request, pk: int) -> Evaluation:
    evaluation = (
        permissions.visible_evaluations(request.user)
        .select_related("office", "team", "period")
        .filter(pk=pk)
        .first()
    )
    if evaluation is None:
        raise Http404
    return evaluation


def readable_or_404(request, pk: int) -> Evaluation:
    """An evaluation the user reads in full (the office, leaders, its team); 404 else."""
    evaluation = (
        permissions.readable_evaluations(request.user)
        .select_related("office", "team", "period")
        .filter(pk=pk)
        .first()
    )
    if evaluation is None:
        raise Http404
    return evaluation


def evaluation_url(evaluation: Evaluation, anchor: str = "") -> str:
    url = reverse("evaluation:detail", args=[evaluation.pk])
    return f"{url}#{anchor}" if anchor else url
