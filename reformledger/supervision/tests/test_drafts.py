"""Drafting an order for a leader to sign (提请签发): office staff, who do not issue
orders, are told so where they would, and draft one instead; the leader it names signs
it (the order is issued) or returns it with a reason; each act is in the trail."""

import datetime as dt

import lxml.html
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from reformledger.audit.models import AuditRecord
from reformledger.core.exceptions import ConflictError
from reformledger.notifications.models import Notification
from reformledger.orgs.choices import Role
from reformledger.orgs.services import membership_grant
from reformledger.supervision import services
from reformledger.supervision.choices import DraftStatus, MatterStatus, OrderLevel
from reformledger.supervision.models import OrderDraft, SupervisionOrder
from reformledger.supervision.tests.test_next_acts import action_item, draft
from tests.factories import UserFactory
from tests.next_acts import in_english

TODAY = timezone.localdate()
IN_A_WEEK = TODAY + dt.timedelta(days=7)


def _page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return lxml.html.fromstring(response.content.decode())


def _text(doc, testid: str) -> str:
    return " ".join(
        " ".join(e.text_content().split()) for e in doc.xpath(f'//*[@data-testid="{testid}"]')
    )


def _verbs(obj) -> list[str]:
    return list(
        AuditRecord.objects.filter(ctx_type=obj._meta.label_lower, ctx_id=str(obj.pk))
        .order_by("id")
        .values_list("verb", flat=True)
    )


# --- where the clerk would issue an order, the page says why not and offers a draft ---


def test_the_clerk_sees_why_not_and_a_draft_button_where_a_leader_issues(
    world, office_staff, director, client_for
):
    item = action_item(world, office_staff)
    clerk, leader = in_english(client_for(office_staff)), in_english(client_for(director))
    pages = {
        "task": reverse("ledger:task", args=[world.task_huiyang.pk]),
        "orders": reverse("supervision:orders"),
        "item": reverse("supervision:action_item", args=[item.pk]),
    }
    issue_buttons = ("issue-order-on-task", "issue-order", "issue-on-item")
    for name, url in pages.items():
        doc = _page(clerk, url)
        assert "Only office leaders issue supervision orders" in _text(doc, "issue-order-why"), name
        assert not any(doc.xpath(f'//*[@data-testid="{b}"]') for b in issue_buttons), name
        drafts = doc.xpath('//a[contains(@href, "/orders/drafts/new/")]')
        assert drafts, name
        # The leader issues it directly: no such line, no draft.
        doc = _page(leader, url)
        assert not _text(doc, "issue-order-why"), name
        assert any(doc.xpath(f'//*[@data-testid="{b}"]') for b in issue_buttons), name
    assert clerk.get(reverse("supervision:order_issue")).status_code == 403


def test_the_draft_page_explains_who_issues_and_lists_the_offices_leaders(
    world, office_staff, director, client_for
):
    doc = _page(
        in_english(client_for(office_staff)),
        reverse("supervision:order_draft_new") + f"?task={world.task_huiyang.pk}",
    )
    assert "Only office leaders" in _text(doc, "draft-explained")
    signers = doc.xpath('//select[@name="signer"]/option/text()')
    assert "陈志远" in signers


# --- the acts, through the services ----------------------------------------------------


def test_the_clerk_drafts_the_leader_signs_and_the_order_is_issued(
    world, office_staff, director, huiyang_liaison
):
    pending = draft(world, office_staff, director, level=OrderLevel.ORANGE)
    assert pending.status == DraftStatus.PENDING
    assert not SupervisionOrder.objects.exists()  # no number is taken by a draft
    told = Notification.objects.get(recipient=director)
    assert told.link == reverse("supervision:order_draft", args=[pending.pk])

    order = services.order_draft_sign(draft=pending, by=director)
    pending.refresh_from_db()
    assert pending.status == DraftStatus.ISSUED and pending.order == order
    assert (order.issued_by, order.level, order.unit) == (director, "orange", world.huiyang)
    assert order.demand == pending.demand and order.status == MatterStatus.OPEN
    assert Notification.objects.filter(recipient=huiyang_liaison, key=f"order:{order.pk}:issued")
    assert Notification.objects.filter(recipient=office_staff, key__contains="signed")
    assert _verbs(pending) == ["order_draft.submitted", "order_draft.signed"]
    assert "order.issued" in _verbs(order)
    with pytest.raises(ConflictError):
        services.order_draft_sign(draft=pending, by=director)
    assert SupervisionOrder.objects.count() == 1


def test_the_leader_returns_a_draft_with_a_reason_and_the_clerk_sends_it_again(
    world, office_staff, director
):
    pending = draft(world, office_staff, director)
    with pytest.raises(ValidationError) as refused:
        services.order_draft_return(draft=pending, by=director, reason=" ")
    assert "reason" in refused.value.message_dict
    services.order_draft_return(draft=pending, by=director, reason="时限过短")
    pending.refresh_from_db()
    assert (pending.status, pending.return_reason) == (DraftStatus.RETURNED, "时限过短")
    back = Notification.objects.get(recipient=office_staff)
    assert "时限过短" in back.title

    later = IN_A_WEEK + dt.timedelta(days=7)
    services.order_draft_resubmit(
        draft=pending,
        by=office_staff,
        signer=director,
        basis=pending.basis,
        demand=pending.demand,
        deadline=later,
        level=OrderLevel.BLUE,
    )
    pending.refresh_from_db()
    assert (pending.status, pending.deadline) == (DraftStatus.PENDING, later)
    assert Notification.objects.filter(recipient=director).count() == 2
    record = AuditRecord.objects.filter(verb="order_draft.resubmitted").get()
    assert "deadline" in record.changes
    assert _verbs(pending) == [
        "order_draft.submitted",
        "order_draft.returned",
        "order_draft.resubmitted",
    ]


def test_only_the_leader_it_names_signs_a_draft_and_only_the_office_drafts(
    world, office_staff, director, huiyang_liaison
):
    deputy = UserFactory(username="deputy", full_name="王副主任")
    membership_grant(by=None, user=deputy, unit=world.office, role=Role.OFFICE_LEADER)
    pending = draft(world, office_staff, director)
    for user in (deputy, office_staff, huiyang_liaison):
        with pytest.raises(PermissionDenied):
            services.order_draft_sign(draft=pending, by=user)
        with pytest.raises(PermissionDenied):
            services.order_draft_return(draft=pending, by=user, reason="x")
    with pytest.raises(PermissionDenied):
        draft(world, huiyang_liaison, director)
    # The signer must be a leader of the office.
    with pytest.raises(ValidationError) as refused:
        draft(world, office_staff, office_staff)
    assert "signer" in refused.value.message_dict
    assert OrderDraft.objects.count() == 1


def test_a_draft_refuses_what_an_order_refuses(world, office_staff, director):
    with pytest.raises(ValidationError) as refused:
        services.order_draft_submit(
            office=world.office,
            by=office_staff,
            signer=director,
            task=world.task_huiyang,
            basis="b",
            demand="d",
            deadline=TODAY - dt.timedelta(days=1),
        )
    assert "deadline" in refused.value.message_dict
    assert not OrderDraft.objects.exists()


def test_a_withdrawn_draft_leaves_the_leader_and_cannot_be_signed(world, office_staff, director):
    pending = draft(world, office_staff, director)
    services.order_draft_withdraw(draft=pending, by=office_staff, reason="已电话督促")
    with pytest.raises(ConflictError):
        services.order_draft_sign(draft=pending, by=director)
    assert _verbs(pending)[-1] == "order_draft.withdrawn"


# --- the pages -----------------------------------------------------------------------


def test_the_whole_draft_on_the_pages(world, office_staff, director, client_for):
    clerk, leader = client_for(office_staff), client_for(director)
    response = clerk.post(
        reverse("supervision:order_draft_new") + f"?task={world.task_huiyang.pk}",
        {
            "office": world.office.pk,
            "task": world.task_huiyang.pk,
            "level": "blue",
            "deadline": IN_A_WEEK.isoformat(),
            "signer": director.pk,
            "basis": "连续两期未报送进展",
            "demand": "三日内报送进展",
        },
    )
    pending = OrderDraft.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("supervision:order_draft", args=[pending.pk])
    # The clerk may not sign; the leader may.
    assert not _page(clerk, response["Location"]).xpath('//*[@data-testid="sign-draft"]')
    assert _page(leader, response["Location"]).xpath('//*[@data-testid="sign-draft"]')
    assert clerk.post(reverse("supervision:order_draft_sign", args=[pending.pk])).status_code == 403

    response = leader.post(reverse("supervision:order_draft_sign", args=[pending.pk]))
    order = SupervisionOrder.objects.get()
    assert response["Location"] == reverse("supervision:order", args=[order.pk])


def test_a_unit_never_sees_a_draft(world, office_staff, director, huiyang_liaison, client_for):
    pending = draft(world, office_staff, director)
    url = reverse("supervision:order_draft", args=[pending.pk])
    assert client_for(huiyang_liaison).get(url).status_code == 404
