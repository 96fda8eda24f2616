"""The assessment's documents to download: every card of a year as .xlsx (the cards the
user sees) and a card sheet as .docx; each download is audited."""

from django.http import Http404
from django.urls import path

from reformledger.assessment import permissions, selectors
from reformledger.assessment.documents import card_docx, cards_xlsx
from reformledger.assessment.views.cards import sees
from reformledger.audit import services as audit
from reformledger.core.http import DOCX, XLSX, file_download


@sees
def export_cards(request, year: int):
    """Every current card of `year` the user sees, with their reasons."""
    cards = (
        selectors.cards_with_reasons(request.user)
        .filter(year=year, is_current=True)
        .order_by("office__path", "unit__path")
    )
    data, rows = cards_xlsx(cards, year=year)
    audit.document_exported(
        by=request.user, document="assessment_cards", fmt="xlsx", rows=rows, filters={"year": year}
    )
    return file_download(data, XLSX, f"assessment-{year}.xlsx")


@sees
def card_sheet(request, pk: int):
    """A card's sheet in the official layout, for anyone who sees the card."""
    card = selectors.cards_with_reasons(request.user).filter(pk=pk).first()
    if card is None or not permissions.can(request.user, "view", card):
        raise Http404
    data = card_docx(card)
    audit.document_exported(
        by=request.user, document="assessment_card", fmt="docx", rows=1, filters={}, obj=card
    )
    return file_download(data, DOCX, f"card-{card.year}-{card.unit.code}.docx")


urlpatterns = [
    path("export/<int:year>.xlsx", export_cards, name="export"),
    path("<int:pk>/sheet.docx", card_sheet, name="sheet"),
]
