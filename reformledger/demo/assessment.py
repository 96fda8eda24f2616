"""The demo's 2016 annual assessment (年度考核, 绿黄牌), played through its services in
early 2017 on the days the city's reform office would: it starts the 2016 rule set from
the defaults (5 January), drafts the cards of the seven counties and zones and of every
department that led a 2016 task from the ledger as of the frozen period 2016-12
(16 January), reviews them (18 January), the director confirms them (20 January) and
the office publishes them (23 January). Mostly green; a few yellow, each for facts the
2016 ledger holds (an order unanswered past its deadline, a task rated D, red orders).
惠东县's head appeals its yellow card (26 January); the director upholds it, the order
having indeed gone unanswered (8 February).

Every act is pinned to its day (`core.clock.pinned`), as `pilots.py` and `live.py` do.
The reasons are written in Chinese, the language of the office's pages.
"""

import datetime as dt

from django.utils import timezone, translation

from reformledger.accounts.models import User
from reformledger.assessment import services
from reformledger.assessment.choices import CardColour
from reformledger.assessment.models import Card
from reformledger.core.clock import pinned
from reformledger.demo import data

__all__ = ["play"]

YEAR = 2016
APPEAL_UNIT = "HZ-HD"
APPEAL_REASON = (
    "督办〔2016〕12号涉及的整改事项我县已于2016年12月底基本完成，"
    "因报送流程衔接不畅未能在期限内答复，请予复核。"
)
DECISION = (
    "经核实，督办〔2016〕12号至2016年12月31日仍未答复，超过办理期限，事实清楚，"
    "依据2016年度考核规则维持黄牌；请于2017年一季度内完成答复。"
)


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _user(loader, username: str) -> User:
    return loader.users.get(username) or User.objects.get(username=username)


def play(loader) -> None:
    """The 2016 cards of the city's reform office, from rule set to a decided appeal."""
    office = loader.units[data.CITY_OFFICE]
    if Card.objects.filter(office=office, year=YEAR).exists():
        return
    staff, director = _user(loader, "office"), _user(loader, "director")
    with translation.override("zh-hans"):
        with pinned(_at(dt.date(2017, 1, 5))):
            services.rule_set_start(office=office, year=YEAR, by=staff, copy=False)
        with pinned(_at(dt.date(2017, 1, 16))):
            cards = services.cards_draft(office=office, year=YEAR, by=staff)
        with pinned(_at(dt.date(2017, 1, 18))):
            services.cards_review(office=office, year=YEAR, by=staff, expected=len(cards))
        with pinned(_at(dt.date(2017, 1, 20))):
            services.cards_confirm(office=office, year=YEAR, by=director, expected=len(cards))
        with pinned(_at(dt.date(2017, 1, 23))):
            services.cards_publish(office=office, year=YEAR, by=staff, expected=len(cards))
        card = Card.objects.get(
            office=office, year=YEAR, unit=loader.units[APPEAL_UNIT], is_current=True
        )
        if card.colour != CardColour.YELLOW:
            raise ValueError(f"the demo's appeal expects a yellow card for {APPEAL_UNIT}")
        head = _user(loader, "hd_head")
        with pinned(_at(dt.date(2017, 1, 26), 15)):
            appeal = services.appeal_submit(card=card, by=head, reason=APPEAL_REASON)
        with pinned(_at(dt.date(2017, 2, 8))):
            services.appeal_decide(appeal=appeal, by=director, reason=DECISION)
    loader.result.created["assessment cards"] += len(cards)
