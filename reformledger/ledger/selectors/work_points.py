"""Reads of the year's work points: a task's basis and the document it was read from."""

from reformledger.ledger.models import ProgrammeDocument, Task
from reformledger.ledger.permissions import visible_tasks


def task_basis(user, pk: int) -> Task:
    """A visible task with its work point and the point's document joined
    (Task.DoesNotExist otherwise: the page turns it into a 404)."""
    return (
        visible_tasks(user)
        .select_related("work_point", "work_point__document", "work_point__programme")
        .get(pk=pk)
    )


def document_of_task(user, task_pk: int, document_pk: int) -> tuple[ProgrammeDocument, Task]:
    """The document a visible task was drafted from, and that task; a task the user may
    not see, or a document that is not its own, is ProgrammeDocument.DoesNotExist."""
    try:
        task = task_basis(user, task_pk)
    except Task.DoesNotExist as exc:
        raise ProgrammeDocument.DoesNotExist from exc
    point = task.work_point
    if point is None or point.document_id != document_pk:
        raise ProgrammeDocument.DoesNotExist
    return point.document, task
