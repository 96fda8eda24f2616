"""A unit's messenger robots (WeCom 企业微信, DingTalk 钉钉): the office staff over the
unit list, add, edit, switch off or on and test them, and see the messages that fail
and send them again. Anyone else is told the page does not exist (404).

Views translate HTTP to the notices' services and selectors; they change nothing
themselves. The robot's key and secret are never shown back, only masked.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from reformledger.notifications import messengers as services
from reformledger.notifications import permissions, selectors
from reformledger.notifications.forms import RobotForm
from reformledger.notifications.models import Delivery, MessengerRobot
from reformledger.orgs.models import Unit

PAGE_SIZE = 30


def _unit(request, pk: int) -> Unit:
    unit = get_object_or_404(Unit, pk=pk)
    if not permissions.can_manage_messengers(request.user, unit):
        raise Http404
    return unit


def _robot(unit: Unit, robot_pk: int) -> MessengerRobot:
    return get_object_or_404(MessengerRobot, pk=robot_pk, unit=unit)


@login_required
def unit_messengers(request, pk: int):
    """The unit's robots, and its deliveries: failing ones first (?all=1: every one)."""
    unit = _unit(request, pk)
    show_all = request.GET.get("all") == "1"
    deliveries = selectors.deliveries_of(unit, failing=not show_all)
    page = Paginator(deliveries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "web/messengers/list.html",
        {
            "unit": unit,
            "robots": selectors.robots_of(unit),
            "page": page,
            "show_all": show_all,
            "query": "all=1" if show_all else "",
        },
    )


@login_required
def messenger_add(request, pk: int):
    unit = _unit(request, pk)
    form = RobotForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            robot = services.messenger_create(
                unit=unit, by=request.user, fields=form.robot_fields()
            )
        except ValidationError as exc:
            _errors_to(form, exc)
        else:
            messages.success(request, _("Robot “%(name)s” added.") % {"name": robot.name})
            return redirect("web:unit_messengers", pk=unit.pk)
    return render(request, "web/messengers/form.html", {"unit": unit, "form": form})


@login_required
def messenger_edit(request, pk: int, robot_pk: int):
    unit = _unit(request, pk)
    robot = _robot(unit, robot_pk)
    form = RobotForm(request.POST or None, robot=robot)
    if request.method == "POST" and form.is_valid():
        try:
            robot = services.messenger_update(
                robot=robot, by=request.user, fields=form.robot_fields()
            )
        except ValidationError as exc:
            _errors_to(form, exc)
        else:
            messages.success(request, _("Robot “%(name)s” saved.") % {"name": robot.name})
            return redirect("web:unit_messengers", pk=unit.pk)
    return render(request, "web/messengers/form.html", {"unit": unit, "form": form, "robot": robot})


@login_required
@require_POST
def messenger_switch(request, pk: int, robot_pk: int):
    """Switch a robot off (`active=0`) or on (`active=1`)."""
    unit = _unit(request, pk)
    robot = _robot(unit, robot_pk)
    active = request.POST.get("active") == "1"
    services.messenger_set_active(robot=robot, by=request.user, active=active)
    if active:
        messages.success(request, _("Robot “%(name)s” switched on.") % {"name": robot.name})
    else:
        messages.success(request, _("Robot “%(name)s” switched off.") % {"name": robot.name})
    return redirect("web:unit_messengers", pk=unit.pk)


@login_required
@require_POST
def messenger_test(request, pk: int, robot_pk: int):
    """Post a test message now and say whether the platform took it."""
    unit = _unit(request, pk)
    robot = _robot(unit, robot_pk)
    reason = services.messenger_test(robot=robot, by=request.user)
    if reason:
        messages.error(
            request,
            _("The test message to “%(name)s” failed: %(reason)s")
            % {"name": robot.name, "reason": reason},
        )
    else:
        messages.success(
            request, _("The test message to “%(name)s” was delivered.") % {"name": robot.name}
        )
    return redirect("web:unit_messengers", pk=unit.pk)


@login_required
@require_POST
def delivery_resend(request, pk: int, delivery_pk: int):
    unit = _unit(request, pk)
    delivery = get_object_or_404(Delivery, pk=delivery_pk, robot__unit=unit)
    try:
        services.delivery_resend(delivery=delivery, by=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The message will be sent again."))
    return redirect("web:unit_messengers", pk=unit.pk)


def _errors_to(form, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        for error in errors:
            form.add_error(field if field in form.fields else None, error)
