"""notify, notification_read, notifications_read_all: the acts on notices."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from reformledger.audit.models import AuditRecord
from reformledger.notifications import services
from reformledger.notifications.models import Notification


def _notify(user, key="k1", **extra):
    fields = {"kind": "notice", "title": "请报送三月进展", "body": "正文"} | extra
    return services.notify(recipient=user, key=key, **fields)


def test_notify_writes_the_notice_and_its_audit_record(world, huiyang_liaison):
    notice = _notify(huiyang_liaison, task=world.task_huiyang, link="/ledger/")
    assert notice.recipient == huiyang_liaison
    assert notice.read_at is None
    record = AuditRecord.objects.get(verb="notification.sent")
    assert record.obj_id == str(notice.pk)
    # It belongs to the task's history.
    assert (record.ctx_type, record.ctx_id) == ("ledger.task", str(world.task_huiyang.pk))


def test_notify_twice_with_the_same_key_sends_once(world, huiyang_liaison):
    assert _notify(huiyang_liaison) is not None
    assert _notify(huiyang_liaison) is None
    assert Notification.objects.filter(recipient=huiyang_liaison).count() == 1
    assert AuditRecord.objects.filter(verb="notification.sent").count() == 1


def test_same_key_goes_to_each_recipient_once(world, huiyang_liaison, huiyang_head):
    assert _notify(huiyang_liaison) and _notify(huiyang_head)
    assert Notification.objects.filter(key="k1").count() == 2


def test_notify_refuses_an_unknown_kind(world, huiyang_liaison):
    with pytest.raises(ValidationError) as err:
        _notify(huiyang_liaison, kind="gossip")
    assert "kind" in err.value.message_dict


def test_notify_refuses_an_empty_key(world, huiyang_liaison):
    with pytest.raises(ValidationError) as err:
        _notify(huiyang_liaison, key="  ")
    assert "key" in err.value.message_dict


@pytest.mark.parametrize("link", ["javascript:alert(1)", "https://evil.example/", "//evil.x/"])
def test_notify_refuses_a_link_off_this_site(world, huiyang_liaison, link):
    with pytest.raises(ValidationError) as err:
        _notify(huiyang_liaison, link=link)
    assert "link" in err.value.message_dict


def test_title_is_kept_on_one_line(world, huiyang_liaison):
    assert _notify(huiyang_liaison, title="第一行\n第二行").title == "第一行 第二行"


def test_recipient_reads_a_notice_once(world, huiyang_liaison):
    notice = _notify(huiyang_liaison)
    services.notification_read(notification=notice, by=huiyang_liaison)
    first = Notification.objects.get(pk=notice.pk).read_at
    assert first is not None
    services.notification_read(notification=notice, by=huiyang_liaison)  # again: no change
    assert Notification.objects.get(pk=notice.pk).read_at == first
    assert AuditRecord.objects.filter(verb="notification.read").count() == 1


def test_nobody_else_may_read_a_users_notice(world, huiyang_liaison, office_staff):
    notice = _notify(huiyang_liaison)
    with pytest.raises(PermissionDenied):
        services.notification_read(notification=notice, by=office_staff)
    assert Notification.objects.get(pk=notice.pk).read_at is None


def test_read_all_marks_only_the_users_own_unread_notices(world, huiyang_liaison, huiyang_head):
    for key in ("a", "b", "c"):
        _notify(huiyang_liaison, key=key)
    _notify(huiyang_head, key="a")
    assert services.notifications_read_all(by=huiyang_liaison) == 3
    assert not Notification.objects.filter(recipient=huiyang_liaison, read_at=None).exists()
    assert Notification.objects.filter(recipient=huiyang_head, read_at=None).count() == 1
    assert services.notifications_read_all(by=huiyang_liaison) == 0
    assert AuditRecord.objects.filter(verb="notification.read_all").count() == 1


def test_notify_does_not_queue_an_email_for_a_user_without_address(
    world, huiyang_liaison, mailoutbox, django_capture_on_commit_callbacks
):
    huiyang_liaison.email = ""
    huiyang_liaison.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notice = _notify(huiyang_liaison)
    assert callbacks == []
    assert notice.emailed_at is None
    assert mailoutbox == []
