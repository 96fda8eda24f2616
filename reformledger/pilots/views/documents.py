"""Pilot documents to download: the registry as a workbook (the pilots the user sees)
and a pilot's one-page summary as a Word document. Each download is recorded in the
audit trail, as the ledger's and supervision's exports are."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import path

from reformledger.audit import services as audit
from reformledger.core.http import DOCX, XLSX, file_download
from reformledger.pilots import permissions
from reformledger.pilots.choices import PilotLevel, PilotStatus
from reformledger.pilots.documents.registry_export import write_registry
from reformledger.pilots.documents.summary_docx import summary_docx


@login_required
def export_registry(request):
    """The registry of the pilots the user sees as .xlsx; `?level=` and `?status=` narrow
    it (values outside their choices are ignored)."""
    if not permissions.sees_pilots(request.user):
        raise PermissionDenied
    pilots = permissions.visible_pilots(request.user)
    filters = {}
    level = request.GET.get("level", "")
    if level in PilotLevel.values:
        pilots, filters["level"] = pilots.filter(level=level), level
    status = request.GET.get("status", "")
    if status in PilotStatus.values:
        pilots, filters["status"] = pilots.filter(status=status), status
    data, rows = write_registry(pilots)
    audit.document_exported(
        by=request.user, document="pilot_registry", fmt="xlsx", rows=rows, filters=filters
    )
    return file_download(data, XLSX, "pilot-registry.xlsx")


@login_required
def summary_download(request, pk: int):
    """A pilot's one-page summary (试点情况简介) as .docx, for anyone who sees the pilot."""
    pilot = permissions.visible_pilots(request.user).filter(pk=pk).first()
    if pilot is None:
        raise Http404
    data = summary_docx(pilot)
    audit.document_exported(
        by=request.user, document="pilot_summary", fmt="docx", rows=1, filters={}, obj=pilot
    )
    return file_download(data, DOCX, f"pilot-{pilot.code}-summary.docx")


urlpatterns = [
    path("export/registry.xlsx", export_registry, name="export_registry"),
    path("summary/<int:pk>.docx", summary_download, name="summary_docx"),
]
