"""Helpers every ledger view uses: loading a visible task, running an act, turning a
closed task's form pages away."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404

from reformledger.core.exceptions import ConflictError
from reformledger.ledger import selectors
from reformledger.ledger.choices import TaskStatus
from reformledger.ledger.models import Task
from reformledger.ledger.services import TaskClosedError


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


def refused_closed(request, task: Task) -> bool:
    """A closed task (销账) offers no form to change it: say why (reopening is the way
    back) and tell the view to send the user to the task; False for any other task."""
    if task.status != TaskStatus.CLOSED:
        return False
    messages.warning(request, str(TaskClosedError(task)))
    return True
