"""Draft orders submitted for signature (提请签发): office staff draft an order on a
task or an action item for an office leader; the leader signs it (the order is issued)
or returns it; a returned draft is corrected and submitted again, or withdrawn."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from reformledger.audit.selectors import history_of
from reformledger.core.exceptions import ConflictError
from reformledger.core.forms import add_service_errors
from reformledger.supervision import permissions, services
from reformledger.supervision.choices import DraftStatus
from reformledger.supervision.forms import DraftReturnForm, DraftRevisionForm, OrderDraftForm
from reformledger.supervision.models import OrderDraft
from reformledger.supervision.views.common import (
    order_form_page,
    supervision_page,
)


def draft_or_404(request, pk: int) -> OrderDraft:
    """A draft of one of the user's offices (404 otherwise)."""
    draft = (
        permissions.visible_order_drafts(request.user)
        .select_related(
            "office",
            "task__lead_unit",
            "action_item__unit",
            "action_item__task",
            "signer",
            "drafted_by",
            "decided_by",
            "order",
        )
        .filter(pk=pk)
        .first()
    )
    if draft is None:
        raise Http404
    return draft


def _draft_url(draft: OrderDraft) -> str:
    return reverse("supervision:order_draft", args=[draft.pk])


@supervision_page
def order_draft_new(request):
    """Draft a supervision order on a task (`?task=`) or an action item (`?item=`) for an
    office leader to sign (提请签发)."""

    def submit(data):
        draft = services.order_draft_submit(
            office=data["office"],
            by=request.user,
            signer=data["signer"],
            basis=data["basis"],
            demand=data["demand"],
            deadline=data["deadline"],
            task=data["task"],
            action_item=data["action_item"],
            level=data["level"],
        )
        message = _("The draft was sent to %(leader)s to sign.") % {"leader": draft.signer}
        return message, _draft_url(draft)

    return order_form_page(
        request,
        act="draft_order",
        form_class=OrderDraftForm,
        template="supervision/order_draft_form.html",
        submit=submit,
    )


def _draft_page(request, draft: OrderDraft, status: int = 200, **forms):
    user = request.user
    may_sign = permissions.can(user, "sign_draft", draft)
    may_revise = permissions.can(user, "revise_draft", draft)
    acts = {
        "sign": may_sign and draft.status == DraftStatus.PENDING,
        "revise": may_revise and draft.status == DraftStatus.RETURNED,
        "withdraw": may_revise and draft.status in (DraftStatus.PENDING, DraftStatus.RETURNED),
    }
    return render(
        request,
        "supervision/order_draft_detail.html",
        {
            "draft": draft,
            "acts": acts,
            "return_form": forms.get("return_form") or DraftReturnForm(),
            "history": list(history_of(draft).order_by("id")),
        },
        status=status,
    )


@supervision_page
def order_draft_detail(request, pk: int):
    """A draft order: what it says, who is to sign it, where it stands, its history, and
    the acts the user may do on it."""
    return _draft_page(request, draft_or_404(request, pk))


def _run(request, act, done: str):
    try:
        result = act()
    except ConflictError as exc:
        messages.warning(request, str(exc))
        return None
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return None
    messages.success(request, done)
    return result


@supervision_page
@require_POST
def order_draft_sign(request, pk: int):
    """The leader the draft names signs it: the order is issued."""
    draft = draft_or_404(request, pk)
    if not permissions.can(request.user, "sign_draft", draft):
        raise PermissionDenied
    order = _run(
        request,
        lambda: services.order_draft_sign(draft=draft, by=request.user),
        _("Signed: the order is issued to the unit."),
    )
    if order is not None:
        return redirect("supervision:order", pk=order.pk)
    return redirect(_draft_url(draft))


@supervision_page
@require_POST
def order_draft_return(request, pk: int):
    """The leader the draft names returns it with a reason."""
    draft = draft_or_404(request, pk)
    if not permissions.can(request.user, "sign_draft", draft):
        raise PermissionDenied
    form = DraftReturnForm(request.POST)
    if form.is_valid():
        try:
            services.order_draft_return(
                draft=draft, by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except ConflictError as exc:
            messages.warning(request, str(exc))
            return redirect(_draft_url(draft))
        else:
            messages.success(request, _("The draft was returned with the reason."))
            return redirect(_draft_url(draft))
    return _draft_page(request, draft, status=400, return_form=form)


@supervision_page
def order_draft_edit(request, pk: int):
    """Correct a returned draft and submit it again."""
    draft = draft_or_404(request, pk)
    if not permissions.can(request.user, "revise_draft", draft):
        raise PermissionDenied
    if draft.status != DraftStatus.RETURNED:
        messages.info(request, _("Only a returned draft is corrected."))
        return redirect(_draft_url(draft))
    initial = {f: getattr(draft, f) for f in ("level", "deadline", "basis", "demand")}
    initial["signer"] = draft.signer_id
    form = DraftRevisionForm(
        request.POST if request.method == "POST" else None, office=draft.office, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.order_draft_resubmit(draft=draft, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        except ConflictError as exc:
            messages.warning(request, str(exc))
            return redirect(_draft_url(draft))
        else:
            messages.success(request, _("The corrected draft was sent to be signed."))
            return redirect(_draft_url(draft))
    return render(
        request,
        "supervision/order_draft_edit.html",
        {"draft": draft, "form": form},
        status=400 if form.is_bound and form.errors else 200,
    )


@supervision_page
@require_POST
def order_draft_withdraw(request, pk: int):
    """The office withdraws a draft not yet signed."""
    draft = draft_or_404(request, pk)
    if not permissions.can(request.user, "revise_draft", draft):
        raise PermissionDenied
    _run(
        request,
        lambda: services.order_draft_withdraw(
            draft=draft, by=request.user, reason=request.POST.get("reason", "")
        ),
        _("The draft was withdrawn."),
    )
    return redirect(_draft_url(draft))


urlpatterns = [
    path("orders/drafts/new/", order_draft_new, name="order_draft_new"),
    path("orders/drafts/<int:pk>/", order_draft_detail, name="order_draft"),
    path("orders/drafts/<int:pk>/sign/", order_draft_sign, name="order_draft_sign"),
    path("orders/drafts/<int:pk>/return/", order_draft_return, name="order_draft_return"),
    path("orders/drafts/<int:pk>/edit/", order_draft_edit, name="order_draft_edit"),
    path("orders/drafts/<int:pk>/withdraw/", order_draft_withdraw, name="order_draft_withdraw"),
]
