"""What every supervision page uses: the offices a user works in, loading a visible
order or action item (404 otherwise), and the section's entry check."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from reformledger.core.forms import add_service_errors
from reformledger.core.http import DOCX, file_download
from reformledger.ledger.models import Task
from reformledger.orgs.choices import Role
from reformledger.orgs.models import Unit
from reformledger.orgs.permissions import scopes_of, under_any
from reformledger.supervision import permissions, selectors
from reformledger.supervision.choices import OrderLevel
from reformledger.supervision.models import ActionItem, Answer, SupervisionOrder

#: act -> the roles that may do it in an office (see permissions.can_office).
_ACT_ROLES = {
    "record": (Role.OFFICE_ADMIN, Role.OFFICE_LEADER),
    "draft_order": (Role.OFFICE_ADMIN, Role.OFFICE_LEADER),
    "issue_order": (Role.OFFICE_LEADER,),
    "escalate": (Role.OFFICE_LEADER,),
    "decide": (Role.OFFICE_LEADER,),
}


def supervision_page(view):
    """A page of the section: signed in, and working supervision in some role."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not permissions.sees_supervision(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def offices_for(user, act: str) -> list[Unit]:
    """The reform offices in which `user` may do `act`, by name."""
    paths = scopes_of(user).paths(*_ACT_ROLES[act])
    if not paths:
        return []
    return list(Unit.objects.filter(kind="office").filter(under_any("", paths)).order_by("path"))


def chosen_office(request, offices: list[Unit]) -> Unit | None:
    """The office the request names (`office=`), or the user's first; None when the
    named office is not one of `offices`."""
    wanted = request.POST.get("office") or request.GET.get("office")
    if not wanted:
        return offices[0] if offices else None
    return next((o for o in offices if str(o.pk) == str(wanted)), None)


def office_or_403(request, act: str) -> tuple[list[Unit], Unit]:
    offices = offices_for(request.user, act)
    office = chosen_office(request, offices)
    if office is None:
        raise PermissionDenied
    return offices, office


def order_or_404(request, pk: int) -> SupervisionOrder:
    try:
        return selectors.order_detail(request.user, pk)
    except SupervisionOrder.DoesNotExist as exc:
        raise Http404 from exc


def item_or_404(request, pk: int) -> ActionItem:
    try:
        return selectors.action_item_detail(request.user, pk)
    except ActionItem.DoesNotExist as exc:
        raise Http404 from exc


def order_start(request, offices: list[Unit]) -> tuple[Unit, dict]:
    """The office and the first values of a new order, issued or drafted for a leader
    to sign, on a task (`?task=`) or an action item (`?item=`) of one of `offices`:
    404 for one the user cannot see, 403 for an office not among them."""
    initial = {"level": OrderLevel.BLUE}
    office = None
    item_id, task_id = request.GET.get("item", ""), request.GET.get("task", "")
    if item_id.isdigit():
        item = item_or_404(request, int(item_id))
        office, initial["action_item"] = item.office, item.pk
        initial["demand"] = item.demand
        initial["basis"] = _("Action item of %(source)s, due %(date)s, is not yet settled.") % {
            "source": item.meeting or (item.review and item.review.meeting),
            "date": item.deadline,
        }
    elif task_id.isdigit():
        task = Task.objects.filter(pk=int(task_id), office__in=offices).first()
        if task is None:
            raise Http404
        office, initial["task"] = task.office, task.pk
    if office is None:
        office = chosen_office(request, offices)
    if office is None or office not in offices:
        raise PermissionDenied
    return office, initial


def order_form_page(request, *, act: str, form_class, template: str, submit):
    """The page of a new order, issued or drafted for a leader to sign: the form starts
    from `order_start`; a valid form goes to `submit(data)`, which does the act through
    its service and answers (message, url) to go to, or raises the service's
    ValidationError, shown on the form's fields."""
    offices = offices_for(request.user, act)
    if not offices:
        raise PermissionDenied
    office, initial = order_start(request, offices)
    form = form_class(
        request.POST if request.method == "POST" else None,
        offices=offices,
        office=office,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            message, url = submit(form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, message)
            return redirect(url)
    return render(
        request,
        template,
        {"form": form, "office": office},
        status=400 if form.is_bound and form.errors else 200,
    )


def answer_or_404(request, pk: int) -> Answer:
    """An answer whose order or action item the user may see."""
    answer = Answer.objects.filter(pk=pk).first()
    if answer is None:
        raise Http404
    if answer.order_id:
        answer.order = order_or_404(request, answer.order_id)
    else:
        answer.action_item = item_or_404(request, answer.action_item_id)
    return answer


def word_download(data: bytes, filename: str) -> HttpResponse:
    return file_download(data, DOCX, filename)


def query_without(request, *names: str) -> str:
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


def service_errors(form, formset, exc: ValidationError) -> None:
    """A service's refusal onto the form's fields; an action row's onto the rows."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for name, errors in exc.message_dict.items():
        if name == "actions" and formset is not None:
            formset._non_form_errors = formset.error_class([*formset.non_form_errors(), *errors])
        else:
            form.add_error(name if name in form.fields else None, errors)
