"""The supervision workbook of a year: leader links, meetings, documents, orders and
action items, as much of them as the user may see."""

from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.urls import path

from reformledger.audit import services as audit
from reformledger.core.http import XLSX, file_download
from reformledger.supervision.documents import workbook
from reformledger.supervision.views.common import supervision_page


@supervision_page
def supervision_xlsx(request):
    """The supervision workbook of a year (`?year=`)."""
    try:
        year = workbook.export_year(request.GET, request.user)
    except ValidationError as exc:
        return render(
            request, "supervision/export_refused.html", {"errors": exc.message_dict}, status=400
        )
    data, rows = workbook.write_supervision(request.user, year=year)
    audit.export_recorded(
        by=request.user, document="supervision", filters={"year": year}, rows=rows, fmt="xlsx"
    )
    return file_download(data, XLSX, f"supervision-{year}.xlsx")


urlpatterns = [path("export.xlsx", supervision_xlsx, name="export_xlsx")]
