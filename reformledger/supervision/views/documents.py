"""The registry of reform documents (改革文件): the list, registering a draft, and
moving a document along to issued with its number (文号)."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from reformledger.core.clock import business_today
from reformledger.core.forms import add_service_errors
from reformledger.supervision import permissions, selectors, services
from reformledger.supervision.forms import DocumentFilter, DocumentForm, DocumentStatusForm
from reformledger.supervision.views.common import (
    chosen_office,
    offices_for,
    query_without,
    supervision_page,
)


@supervision_page
def document_list(request):
    """The registry: filter by status and year, search the title or number, page."""
    base = selectors.documents(request.user)
    flt = DocumentFilter(request.GET, queryset=base)
    rows = (flt.qs if flt.is_valid() else base.none()).order_by("-year", "-id")
    page = Paginator(rows, settings.LEDGER_PAGE_SIZE).get_page(request.GET.get("page"))
    offices = offices_for(request.user, "record")
    for doc in page:
        doc.can_record = any(o.pk == doc.office_id for o in offices)
    return render(
        request,
        "supervision/document_list.html",
        {
            "filter": flt,
            "page": page,
            "query": query_without(request, "page"),
            "can_record": bool(offices),
        },
    )


@supervision_page
def document_new(request):
    """Enter a reform document in the registry as a draft."""
    offices = offices_for(request.user, "record")
    office = chosen_office(request, offices)
    if office is None:
        raise PermissionDenied
    form = DocumentForm(
        request.POST if request.method == "POST" else None,
        offices=offices,
        office=office,
        initial={"year": business_today().year},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            doc = services.document_register(
                office=data["office"],
                by=request.user,
                year=data["year"],
                title=data["title"],
                drafting_unit=data["drafting_unit"],
                task=data["task"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("%(doc)s registered as a draft.") % {"doc": doc})
            return redirect("supervision:documents")
    return render(
        request,
        "supervision/document_form.html",
        {"form": form},
        status=400 if form.is_bound and form.errors else 200,
    )


@supervision_page
def document_status(request, pk: int):
    """Move a document to its next status; issuing needs its number and date."""
    doc = selectors.documents(request.user).filter(pk=pk).first()
    if doc is None:
        raise Http404
    if not permissions.can_office(request.user, "record", doc.office):
        raise PermissionDenied
    form = DocumentStatusForm(
        request.POST if request.method == "POST" else None,
        initial={"status": doc.status, "document_no": doc.document_no, "issued_on": doc.issued_on},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.document_set_status(
                document=doc,
                by=request.user,
                status=data["status"],
                document_no=data["document_no"],
                issued_on=data["issued_on"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Status of %(doc)s changed.") % {"doc": doc})
            return redirect("supervision:documents")
    return render(
        request,
        "supervision/document_status.html",
        {"form": form, "doc": doc},
        status=400 if form.is_bound and form.errors else 200,
    )


urlpatterns = [
    path("documents/", document_list, name="documents"),
    path("documents/new/", document_new, name="document_new"),
    path("documents/<int:pk>/status/", document_status, name="document_status"),
]
