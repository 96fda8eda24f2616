"""The notice pages as users meet them: their notices, the navbar badge, marking
read, and the office's staleness page (who may open it, what it costs)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reformledger.notifications import services
from reformledger.notifications.models import Notification

PERSONAS_STALENESS = {
    "office_staff": 200,
    "director": 200,
    "city_leader": 200,
    "huiyang_liaison": 403,
    "huiyang_head": 403,
    "fgj_liaison": 403,
    "boluo_liaison": 403,
    "evaluator": 403,
    "sysadmin": 403,
    "auditor": 403,
    "outsider": 403,
}


def _notices(user, n: int, prefix: str = "n"):
    for i in range(n):
        services.notify(
            recipient=user,
            kind="report_due",
            key=f"{prefix}{i}",
            title=f"提醒 {prefix}{i}",
            body="请按时报送",
            link="/ledger/",
        )


@pytest.mark.parametrize(("persona", "status"), PERSONAS_STALENESS.items())
def test_staleness_page_is_for_the_office_and_city_leaders(
    request, world, client_for, persona, status
):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(reverse("ledger:staleness")).status_code == status


def test_staleness_page_needs_a_login(world, client):
    response = client.get(reverse("ledger:staleness"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_list_shows_the_users_notices_newest_first_unread_highlighted(
    world, huiyang_liaison, huiyang_head, client_for
):
    _notices(huiyang_liaison, 3)
    _notices(huiyang_head, 1, prefix="head")
    first = Notification.objects.get(recipient=huiyang_liaison, key="n0")
    services.notification_read(notification=first, by=huiyang_liaison)

    response = client_for(huiyang_liaison).get(reverse("notifications:list"))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("提醒 n2") < html.index("提醒 n1") < html.index("提醒 n0")
    assert "提醒 head0" not in html
    assert html.count('data-unread="1"') == 2
    assert html.count('data-unread="0"') == 1


def test_navbar_shows_the_unread_count(world, huiyang_liaison, client_for):
    _notices(huiyang_liaison, 4)
    response = client_for(huiyang_liaison).get(reverse("ledger:my_work"))
    assert response.context["unread_notifications"] == 4
    assert 'data-testid="notifications"' in response.content.decode()


def test_mark_read_and_go_on_to_the_task(world, huiyang_liaison, client_for):
    _notices(huiyang_liaison, 1)
    notice = Notification.objects.get(recipient=huiyang_liaison)
    client = client_for(huiyang_liaison)
    url = reverse("notifications:read", args=[notice.pk])
    response = client.post(url, {"next": "/ledger/"})
    assert response.status_code == 302
    assert response["Location"] == "/ledger/"
    notice.refresh_from_db()
    assert notice.read_at is not None


def test_mark_read_refuses_to_redirect_off_site(world, huiyang_liaison, client_for):
    _notices(huiyang_liaison, 1)
    notice = Notification.objects.get(recipient=huiyang_liaison)
    response = client_for(huiyang_liaison).post(
        reverse("notifications:read", args=[notice.pk]), {"next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("notifications:list")


def test_mark_read_is_post_only(world, huiyang_liaison, client_for):
    _notices(huiyang_liaison, 1)
    notice = Notification.objects.get(recipient=huiyang_liaison)
    url = reverse("notifications:read", args=[notice.pk])
    assert client_for(huiyang_liaison).get(url).status_code == 405
    notice.refresh_from_db()
    assert notice.read_at is None


def test_someone_elses_notice_does_not_exist_for_you(
    world, huiyang_liaison, office_staff, client_for
):
    _notices(huiyang_liaison, 1)
    notice = Notification.objects.get(recipient=huiyang_liaison)
    response = client_for(office_staff).post(reverse("notifications:read", args=[notice.pk]))
    assert response.status_code == 404
    notice.refresh_from_db()
    assert notice.read_at is None


def test_mark_all_read_clears_the_badge(world, huiyang_liaison, client_for):
    _notices(huiyang_liaison, 3)
    client = client_for(huiyang_liaison)
    response = client.post(reverse("notifications:read_all"), follow=True)
    assert response.status_code == 200
    assert response.context["unread_notifications"] == 0
    assert not Notification.objects.filter(recipient=huiyang_liaison, read_at=None).exists()


def test_only_unread_filter(world, huiyang_liaison, client_for):
    _notices(huiyang_liaison, 2)
    first = Notification.objects.get(recipient=huiyang_liaison, key="n0")
    services.notification_read(notification=first, by=huiyang_liaison)
    response = client_for(huiyang_liaison).get(reverse("notifications:list"), {"unread": "1"})
    html = response.content.decode()
    assert "提醒 n1" in html and "提醒 n0" not in html


def test_list_is_paged(world, huiyang_liaison, client_for):
    _notices(huiyang_liaison, 35)
    client = client_for(huiyang_liaison)
    page1 = client.get(reverse("notifications:list")).content.decode()
    page2 = client.get(reverse("notifications:list"), {"page": 2}).content.decode()
    assert page1.count('data-testid="notice"') == 30
    assert page2.count('data-testid="notice"') == 5


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_list_page_runs_the_same_queries_for_few_and_many_notices(
    world, huiyang_liaison, client_for
):
    client = client_for(huiyang_liaison)
    url = reverse("notifications:list")
    _notices(huiyang_liaison, 3, prefix="few")
    Notification.objects.filter(recipient=huiyang_liaison).update(task=world.task_huiyang)
    few = _queries(client, url)
    _notices(huiyang_liaison, 200, prefix="many")
    Notification.objects.filter(recipient=huiyang_liaison).update(task=world.task_huiyang)
    assert _queries(client, url) == few
