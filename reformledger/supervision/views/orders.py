"""Supervision orders (督办单) and action items (督办事项): the lists, each matter's
page with its receipt, answers and history, and the acts on it — issue, sign for
(签收), answer, accept, return, escalate — with the printable order and its Word
document."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Max
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from reformledger.core.exceptions import ConflictError
from reformledger.core.forms import add_service_errors
from reformledger.core.http import stored_file_response
from reformledger.ledger.views.reports import add_errors
from reformledger.supervision import permissions, selectors, services
from reformledger.supervision.choices import (
    AWAITING,
    UNSETTLED,
    AnswerDecision,
    DraftStatus,
    OrderLevel,
)
from reformledger.supervision.documents import order as order_document
from reformledger.supervision.forms import (
    AcceptForm,
    ActionItemFilter,
    AnswerForm,
    EscalateForm,
    OrderFilter,
    OrderIssueForm,
    ReturnForm,
)
from reformledger.supervision.models import ActionItem, AnswerFile, Matter, SupervisionOrder
from reformledger.supervision.views.common import (
    answer_or_404,
    item_or_404,
    offices_for,
    order_form_page,
    order_or_404,
    supervision_page,
    word_download,
)

_ORDER_SORTS = {
    "number",
    "-number",
    "deadline",
    "-deadline",
    "level",
    "-level",
    "unit",
    "-unit",
    "status",
    "-status",
}
_ITEM_SORTS = {"deadline", "-deadline", "unit", "-unit", "status", "-status"}


def _list_context(request, flt, rows, default_order, sorts):
    params = flt.data
    ordering = params.get("ordering", "")
    if ordering not in sorts:
        rows = rows.order_by(*default_order)
    page = Paginator(rows, settings.LEDGER_PAGE_SIZE).get_page(request.GET.get("page"))
    # Overdue as of each matter's ledger year's reference date (the end of a closed year).
    selectors.mark_overdue(page)
    query = params.copy()
    query.pop("page", None)
    sort_query = query.copy()
    sort_query.pop("ordering", None)
    return {
        "filter": flt,
        "page": page,
        "query": query.urlencode(),
        "sort_query": sort_query.urlencode(),
        "ordering": ordering,
    }


@supervision_page
def order_list(request):
    """Orders the user may see: filter by year, level, status, unit and overdue;
    search the number or demand; sort; page."""
    params = request.GET.copy()
    base = selectors.orders(request.user)
    if "year" not in params:
        params["year"] = str(base.aggregate(latest=Max("year"))["latest"] or "")
    flt = OrderFilter(params, queryset=base)
    rows = flt.qs if flt.is_valid() else base.none()
    context = _list_context(request, flt, rows, ("-year", "-number"), _ORDER_SORTS)
    context["can_issue"] = bool(offices_for(request.user, "issue_order"))
    # Office staff do not issue orders: they draft one for a leader to sign (提请签发),
    # and see the office's drafts not yet signed.
    context["can_draft"] = not context["can_issue"] and bool(
        offices_for(request.user, "draft_order")
    )
    if permissions.runs_supervision(request.user):
        context["drafts"] = list(
            permissions.visible_order_drafts(request.user)
            .filter(status__in=[DraftStatus.PENDING, DraftStatus.RETURNED])
            .select_related("task__lead_unit", "action_item__unit", "signer", "drafted_by")
            .order_by("-drafted_at", "-pk")[:50]
        )
    return render(request, "supervision/order_list.html", context)


@supervision_page
def action_item_list(request):
    """Action items the user may see: filter by status, unit, overdue and source."""
    base = selectors.action_items(request.user)
    flt = ActionItemFilter(request.GET, queryset=base)
    rows = flt.qs if flt.is_valid() else base.none()
    context = _list_context(request, flt, rows, ("deadline", "id"), _ITEM_SORTS)
    return render(request, "supervision/action_item_list.html", context)


# --- one matter's page ---------------------------------------------------------------


def _kind(matter: Matter) -> str:
    return "order" if isinstance(matter, SupervisionOrder) else "item"


def _matter_url(matter: Matter) -> str:
    name = "supervision:order" if _kind(matter) == "order" else "supervision:action_item"
    return reverse(name, args=[matter.pk])


def _matter_page(request, matter: Matter, status: int = 200, **forms):
    """An order's or action item's page, with the acts the user may do on it."""
    user = request.user
    selectors.mark_overdue([matter])
    answers = list(matter.answers.all())
    pending = next((a for a in reversed(answers) if a.decision == AnswerDecision.PENDING), None)
    awaiting = matter.status in AWAITING
    may_answer = awaiting and permissions.can(user, "answer", matter)
    acts = {
        "receive": (
            not matter.is_received
            and matter.status in UNSETTLED
            and permissions.can(user, "receive", matter)
        ),
        # The answer form opens once the unit has signed for the matter.
        "answer": may_answer and matter.is_received,
        "answer_after_receipt": may_answer and not matter.is_received,
        "decide": pending is not None and permissions.can(user, "decide", matter),
        "escalate": False,
        "issue": False,
        "draft": False,
    }
    receipt_due = None
    if _kind(matter) == "order":
        acts["escalate"] = (
            awaiting
            and OrderLevel(matter.level).next is not None
            and permissions.can(user, "escalate", matter)
        )
        if not matter.is_received:
            receipt_due = services.receipt_due(matter)
        template = "supervision/order_detail.html"
    else:
        acts["issue"] = matter.status in UNSETTLED and permissions.can_office(
            user, "issue_order", matter.office
        )
        # Office staff draft the order for a leader to sign instead (提请签发).
        acts["draft"] = (
            matter.status in UNSETTLED
            and not acts["issue"]
            and permissions.can_office(user, "draft_order", matter.office)
        )
        template = "supervision/action_item_detail.html"
    context = {
        "matter": matter,
        "kind": _kind(matter),
        "answers": answers,
        "pending": pending,
        "acts": acts,
        "overdue": matter.overdue,
        "days_overdue": matter.days_overdue,
        "receipt_due": receipt_due,
        "history": list(selectors.matter_history(matter)),
        "answer_form": forms.get("answer_form") or AnswerForm(),
        "accept_form": forms.get("accept_form") or AcceptForm(),
        "return_form": forms.get("return_form") or ReturnForm(),
        "escalate_form": forms.get("escalate_form") or EscalateForm(),
        "open_form": next(iter(forms), ""),
    }
    context["order" if _kind(matter) == "order" else "item"] = matter
    return render(request, template, context, status=status)


@supervision_page
def order_detail(request, pk: int):
    """An order: its number, level, unit, subject, basis, demand and deadline; the
    answers with their files; the history; and the acts the user may do."""
    return _matter_page(request, order_or_404(request, pk))


@supervision_page
def action_item_detail(request, pk: int):
    """An action item: where it comes from, its unit, demand, deadline, answers, history."""
    return _matter_page(request, item_or_404(request, pk))


def _receive(request, matter: Matter):
    """The unit's liaison or head signs for the matter (签收); a second signing is
    refused with who signed first."""
    if not permissions.can(request.user, "receive", matter):
        raise PermissionDenied
    try:
        services.matter_receive(matter=matter, by=request.user)
    except ConflictError as exc:
        messages.warning(request, str(exc))
    else:
        messages.success(request, _("Signed for: your unit may now answer."))
    return redirect(_matter_url(matter))


@supervision_page
@require_POST
def order_receive(request, pk: int):
    return _receive(request, order_or_404(request, pk))


@supervision_page
@require_POST
def action_item_receive(request, pk: int):
    return _receive(request, item_or_404(request, pk))


def _answer(request, matter: Matter):
    if not permissions.can(request.user, "answer", matter):
        raise PermissionDenied
    form = AnswerForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.answer_submit(
                matter=matter,
                by=request.user,
                body=form.cleaned_data["body"],
                files=form.cleaned_data["files"],
            )
        except ValidationError as exc:
            add_errors(form, exc, {"file": "files"})
        except ConflictError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Answer sent; it awaits the office's decision."))
            return redirect(_matter_url(matter))
    return _matter_page(request, matter, status=400, answer_form=form)


@supervision_page
@require_POST
def order_answer(request, pk: int):
    return _answer(request, order_or_404(request, pk))


@supervision_page
@require_POST
def action_item_answer(request, pk: int):
    return _answer(request, item_or_404(request, pk))


@supervision_page
@require_POST
def answer_accept(request, pk: int):
    """An office leader accepts the answer: the order or action item is closed."""
    answer = answer_or_404(request, pk)
    matter = answer.matter
    if not permissions.can(request.user, "decide", matter):
        raise PermissionDenied
    form = AcceptForm(request.POST)
    if form.is_valid():
        try:
            services.answer_accept(answer=answer, by=request.user, note=form.cleaned_data["note"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        except ConflictError as exc:
            messages.warning(request, str(exc))
            return redirect(_matter_url(matter))
        else:
            messages.success(request, _("Answer accepted: the matter is closed."))
            return redirect(_matter_url(matter))
    return _matter_page(request, matter, status=400, accept_form=form)


@supervision_page
@require_POST
def answer_return(request, pk: int):
    """An office leader returns the answer with a reason (and a new deadline if given)."""
    answer = answer_or_404(request, pk)
    matter = answer.matter
    if not permissions.can(request.user, "decide", matter):
        raise PermissionDenied
    form = ReturnForm(request.POST)
    if form.is_valid():
        try:
            services.answer_return(
                answer=answer,
                by=request.user,
                reason=form.cleaned_data["reason"],
                deadline=form.cleaned_data["deadline"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except ConflictError as exc:
            messages.warning(request, str(exc))
            return redirect(_matter_url(matter))
        else:
            messages.success(request, _("Answer returned to the unit with the reason."))
            return redirect(_matter_url(matter))
    return _matter_page(request, matter, status=400, return_form=form)


@supervision_page
@require_POST
def order_escalate(request, pk: int):
    """An office leader raises an order one level by hand, with a reason."""
    order = order_or_404(request, pk)
    if not permissions.can(request.user, "escalate", order):
        raise PermissionDenied
    form = EscalateForm(request.POST)
    if form.is_valid():
        try:
            order = services.order_escalate(
                order=order,
                by=request.user,
                reason=form.cleaned_data["reason"],
                deadline=form.cleaned_data["deadline"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except ConflictError as exc:
            messages.warning(request, str(exc))
            return redirect(_matter_url(order))
        else:
            messages.success(
                request,
                _("%(label)s escalated to %(level)s.")
                % {"label": order.label, "level": order.get_level_display()},
            )
            return redirect(_matter_url(order))
    return _matter_page(request, order, status=400, escalate_form=form)


# --- issuing an order ---------------------------------------------------------------


@supervision_page
def order_issue(request):
    """Issue a supervision order on a task (`?task=`) or an action item (`?item=`)."""

    def submit(data):
        order = services.order_issue(
            office=data["office"],
            by=request.user,
            basis=data["basis"],
            demand=data["demand"],
            deadline=data["deadline"],
            task=data["task"],
            action_item=data["action_item"],
            level=data["level"],
        )
        message = _("%(label)s issued to %(unit)s.") % {"label": order.label, "unit": order.unit}
        return message, _matter_url(order)

    return order_form_page(
        request,
        act="issue_order",
        form_class=OrderIssueForm,
        template="supervision/order_form.html",
        submit=submit,
    )


# --- print, Word, evidence ------------------------------------------------------------


@supervision_page
def order_print(request, pk: int):
    """The order on one printable page in the official layout."""
    order = order_or_404(request, pk)
    return render(
        request,
        "supervision/order_print.html",
        {"order": order, "doc": order_document.OrderText.of(order)},
    )


@supervision_page
def order_word(request, pk: int):
    """The order as a Word document in the official layout (the download is audited)."""
    order = order_or_404(request, pk)
    data = order_document.order_document_export(order=order, by=request.user)
    return word_download(data, f"{order.label}.docx")


@supervision_page
def answer_file(request, pk: int):
    """An answer's evidence file, for those who may see its order or action item; the
    download is in the audit trail."""
    try:
        stored = selectors.answer_file(request.user, pk)
    except (AnswerFile.DoesNotExist, SupervisionOrder.DoesNotExist, ActionItem.DoesNotExist) as exc:
        raise Http404 from exc
    try:
        handle = services.answer_file_open(stored=stored, by=request.user)
    except FileNotFoundError as exc:
        raise Http404 from exc
    return stored_file_response(handle, stored)


@supervision_page
def index(request):
    return redirect("supervision:orders")


urlpatterns = [
    path("", index, name="index"),
    path("orders/", order_list, name="orders"),
    path("orders/new/", order_issue, name="order_issue"),
    path("orders/<int:pk>/", order_detail, name="order"),
    path("orders/<int:pk>/receive/", order_receive, name="order_receive"),
    path("orders/<int:pk>/answer/", order_answer, name="order_answer"),
    path("orders/<int:pk>/escalate/", order_escalate, name="order_escalate"),
    path("orders/<int:pk>/print/", order_print, name="order_print"),
    path("orders/<int:pk>/word/", order_word, name="order_word"),
    path("items/", action_item_list, name="action_items"),
    path("items/<int:pk>/", action_item_detail, name="action_item"),
    path("items/<int:pk>/receive/", action_item_receive, name="action_item_receive"),
    path("items/<int:pk>/answer/", action_item_answer, name="action_item_answer"),
    path("answers/<int:pk>/accept/", answer_accept, name="answer_accept"),
    path("answers/<int:pk>/return/", answer_return, name="answer_return"),
    path("files/<int:pk>/", answer_file, name="answer_file"),
]
