"""The form the office fills for a unit's messenger robot. It never shows the stored
webhook address or secret back: on an edit, empty fields keep them."""

from django import forms
from django.utils.translation import gettext_lazy as _

from reformledger.notifications.choices import MessengerPlatform, MessengerTopic
from reformledger.notifications.messengers import RobotFields


class RobotForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    platform = forms.ChoiceField(label=_("Platform"), choices=MessengerPlatform.choices)
    webhook_url = forms.CharField(
        label=_("Webhook address"),
        max_length=500,
        help_text=_(
            "WeCom: https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…; "
            "DingTalk: https://oapi.dingtalk.com/robot/send?access_token=…"
        ),
    )
    secret = forms.CharField(
        label=_("Signing secret (DingTalk, SEC…)"),
        max_length=200,
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Only for a DingTalk robot with signing (加签) switched on."),
    )
    topics = forms.MultipleChoiceField(
        label=_("Notices it posts"),
        choices=MessengerTopic.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, robot=None, **kwargs):
        self.robot = robot
        if robot is not None:
            kwargs.setdefault(
                "initial", {"name": robot.name, "platform": robot.platform, "topics": robot.topics}
            )
        else:  # a new robot posts every kind of notice until the office unticks some
            kwargs.setdefault("initial", {"topics": list(MessengerTopic.values)})
        super().__init__(*args, **kwargs)
        if robot is not None:
            # Shown masked on the page; typed again only to change it.
            self.fields["webhook_url"].required = False
            self.fields["webhook_url"].help_text = _(
                "Leave empty to keep the stored address (%(masked)s)."
            ) % {"masked": robot.masked_url}
            self.fields["secret"].help_text = _(
                "Leave empty to keep the stored secret (%(masked)s)."
            ) % {"masked": robot.masked_secret or "—"}
            self.fields["clear_secret"] = forms.BooleanField(
                label=_("Remove the signing secret"), required=False
            )
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple | forms.CheckboxInput):
                continue
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs.setdefault("class", css)
        self.fields["webhook_url"].widget.attrs["autocomplete"] = "off"

    def robot_fields(self) -> RobotFields:
        data = self.cleaned_data
        return RobotFields(
            name=data["name"],
            platform=data["platform"],
            webhook_url=data.get("webhook_url", ""),
            topics=tuple(data["topics"]),
            secret=data.get("secret", ""),
            clear_secret=bool(data.get("clear_secret")),
        )
