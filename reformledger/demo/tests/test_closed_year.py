"""The demo's 2016 is a closed year: every period of it is closed, so its pages read it
as of its end. Read today (the real clock, years later), no figure on the 2016
dashboard or the 2016 pages is counted past 31 December 2016: an action item left
open is overdue by the days it was late at the year's end, not by the days since."""

import datetime as dt
import re

import lxml.html
import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from reformledger.ledger.choices import OPEN_STATUSES
from reformledger.ledger.models import Task
from reformledger.supervision.choices import AWAITING
from reformledger.supervision.models import ActionItem, SupervisionOrder

pytestmark = pytest.mark.django_db

YEAR_END = dt.date(2016, 12, 31)
#: No figure counted to the year's end can be larger than the year is long.
A_YEAR = 366


def _client(client_for, username: str):
    client = client_for(get_user_model().objects.get(username=username))
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    return client


def _doc(client, url: str, params=None):
    response = client.get(url, params or {})
    assert response.status_code == 200
    return lxml.html.fromstring(response.content.decode())


def _texts(doc, testid: str) -> list[str]:
    return [e.text_content().strip() for e in doc.xpath(f'//*[@data-testid="{testid}"]')]


def _days(texts: list[str]) -> list[int]:
    """The number of days in "overdue by 26 days" (one per text)."""
    return [int(re.search(r"(\d[\d,]*) day", t)[1].replace(",", "")) for t in texts]


def _late_at_year_end(model) -> dict[int, int]:
    """Open matters of 2016 tasks past their deadline on 31 December 2016, and by how
    many days."""
    rows = model.objects.filter(status__in=AWAITING, task__year=2016, deadline__lt=YEAR_END)
    return {m.pk: (YEAR_END - m.deadline).days for m in rows}


def test_the_real_clock_is_years_after_the_demo_year(demo):
    # What the tests below prove rests on this: today, counted naively, would give
    # figures in the thousands.
    assert timezone.localdate() > YEAR_END + dt.timedelta(days=A_YEAR)


def test_the_2016_dashboard_counts_nothing_past_the_years_end(demo, client_for):
    doc = _doc(_client(client_for, "director"), reverse("web:dashboard"), {"year": 2016})
    assert _texts(doc, "working-year") == ["showing 2016, as of period 2016-12 (closed)"]
    # Overdue action items: days overdue on 31 December 2016.
    rows = doc.xpath('//table[@data-testid="table-overdue-items"]//tbody/tr')
    shown = [[c.text_content().strip() for c in r.xpath("td|th")] for r in rows]
    late = _late_at_year_end(ActionItem)
    assert shown and len(shown) == len(late)
    expected = sorted(late.values(), reverse=True)  # most overdue (earliest deadline) first
    assert [int(row[3]) for row in shown] == expected
    assert all(int(row[3]) < A_YEAR for row in shown)
    # Overdue orders: those late on 31 December 2016 (an order due on 6 January 2017
    # was not overdue then, whatever today is).
    assert _texts(doc, "sup-overdue") == [str(len(_late_at_year_end(SupervisionOrder)))]
    assert SupervisionOrder.objects.filter(
        status__in=AWAITING, task__year=2016, deadline__gte=YEAR_END
    ).exists()
    # Milestones overdue and reports late: every 2016 task is closed or carried over.
    assert _texts(doc, "card-overdue") == ["0"]
    for cell in doc.xpath('//table[@data-testid="table-staleness"]//tbody/tr/td[4]'):
        assert int(cell.text_content()) < A_YEAR


def test_the_2016_ledger_counts_nothing_past_the_years_end(demo, client_for):
    doc = _doc(_client(client_for, "office"), reverse("ledger:ledger"), {"year": 2016})
    assert _texts(doc, "working-year") == ["showing 2016, as of period 2016-12 (closed)"]
    open_late = Task.objects.filter(year=2016, status__in=OPEN_STATUSES, deadline__lt=YEAR_END)
    assert _texts(doc, "total-overdue") == [str(open_late.count())]
    assert len(doc.xpath('//*[@data-testid="overdue"]')) == open_late.count()


@pytest.mark.parametrize("model,url", [(ActionItem, "action_item"), (SupervisionOrder, "order")])
def test_a_2016_matter_is_overdue_by_its_days_at_the_years_end(demo, client_for, model, url):
    client = _client(client_for, "director")
    late = _late_at_year_end(model)
    for matter in model.objects.filter(status__in=AWAITING, task__year=2016):
        doc = _doc(client, reverse(f"supervision:{url}", args=[matter.pk]))
        days = _days(_texts(doc, "days-overdue"))
        assert days == ([late[matter.pk]] if matter.pk in late else []), matter.deadline


def test_the_leader_desk_counts_overdue_days_to_the_years_end(demo, client_for):
    doc = _doc(_client(client_for, "director"), reverse("supervision:leader_desk"))
    days = _days(_texts(doc, "days-overdue"))
    assert days  # the director follows key tasks with matters still open
    linked = get_user_model().objects.get(username="director")
    late = {
        **{("o", k): v for k, v in _late_at_year_end(SupervisionOrder).items()},
        **{("i", k): v for k, v in _late_at_year_end(ActionItem).items()},
    }
    followed = {
        ("o", pk)
        for pk in SupervisionOrder.objects.filter(
            task__leader_links__leader=linked, task__leader_links__ended_at__isnull=True
        ).values_list("pk", flat=True)
    } | {
        ("i", pk)
        for pk in ActionItem.objects.filter(
            task__leader_links__leader=linked, task__leader_links__ended_at__isnull=True
        ).values_list("pk", flat=True)
    }
    assert sorted(days) == sorted(v for k, v in late.items() if k in followed)


def test_the_2016_staleness_page_counts_nothing_past_the_years_end(demo, client_for):
    doc = _doc(_client(client_for, "office"), reverse("ledger:staleness"), {"year": 2016})
    assert _texts(doc, "working-year") == ["showing 2016, as of period 2016-12 (closed)"]
    for cell in doc.xpath('//*[@data-col="silent"]'):
        number = cell.text_content().split()[0]
        assert number == "—" or int(number) < A_YEAR


def test_every_page_opens_on_the_same_working_year(demo, client_for):
    # No period runs today (the real date), so the working year is the latest with
    # tasks: the live 2017 ledger, shown as of its latest period begun. (On the demo's
    # business date it is 2017's running period: test_live_year.py.)
    client = _client(client_for, "director")
    said = {
        name: _texts(_doc(client, reverse(name)), "working-year")
        for name in ("ledger:ledger", "web:dashboard", "ledger:ratings", "ledger:staleness")
    }
    assert set(map(tuple, said.values())) == {("2017 · period 12 (2017-12)",)}
