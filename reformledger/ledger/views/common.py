"""Helpers every ledger view uses: loading a visible task, running an act."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404

from reformledger.core.exceptions import ConflictError
from reformledger.ledger import selectors
from reformledger.ledger.models import Task


def task_or_404(request, pk: int) -> Task:
    """The task with everything its page shows, or 404 if the user may not see it."""
    try:
        return selectors.task_detail(request.user, pk)
    except Task.DoesNotExist as exc:
        raise Http404 from exc


def run_act(request, act, done: str) -> bool:
    """Run a service act and turn its refusal into a message the user can read."""
    try:
        act()
    except ValidationError as exc:
        for errs in exc.message_dict.values() if hasattr(exc, "error_dict") else [exc.messages]:
            for msg in errs:
                messages.error(request, msg)
        return False
    except ConflictError as exc:
        messages.warning(request, str(exc))
        return False
    messages.success(request, done)
    return True
