"""Pages of the annual assessment (年度考核): the cards of a year, a card, the rule set,
the office's acts, appeals and the documents."""

from reformledger.assessment.views.cards import urlpatterns as _cards
from reformledger.assessment.views.documents import urlpatterns as _documents

urlpatterns = [*_cards, *_documents]
