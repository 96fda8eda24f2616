"""Forms of the account pages. Password rules are checked once, by the service that
sets the password (Django's validators), and brought back onto the form."""

from django import forms
from django.utils.translation import gettext_lazy as _

from reformledger.accounts.models import PasswordPolicy
from reformledger.accounts.services import POLICY_FIELDS
from reformledger.core.forms import StyledFormMixin
from reformledger.orgs.choices import Role
from reformledger.orgs.models import Unit


def _password_field(label) -> forms.CharField:
    return forms.CharField(
        label=label,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class _TwicePasswordMixin:
    """A new password typed twice; the two must agree."""

    def clean(self):
        cleaned = super().clean()
        first, again = cleaned.get("password"), cleaned.get("password_again")
        if first and again and first != again:
            self.add_error("password_again", _("The two passwords differ."))
        return cleaned


class PasswordChangeForm(_TwicePasswordMixin, StyledFormMixin, forms.Form):
    """The owner's own change: the current password, then the new one twice."""

    old_password = forms.CharField(
        label=_("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )
    password = _password_field(_("New password"))
    password_again = _password_field(_("New password again"))

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_old_password(self):
        value = self.cleaned_data["old_password"]
        if not self.user.check_password(value):
            raise forms.ValidationError(_("Your current password was entered wrongly."))
        return value


class CodeForm(StyledFormMixin, forms.Form):
    """A six-digit TOTP code."""

    token = forms.CharField(
        label=_("Verification code"),
        max_length=8,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "pattern": "[0-9]*",
                "autofocus": True,
            }
        ),
    )


class UserCreateForm(_TwicePasswordMixin, StyledFormMixin, forms.Form):
    """A new account and its initial password, which its owner changes at first sign-in."""

    username = forms.CharField(label=_("User name"), max_length=150)
    full_name = forms.CharField(label=_("Full name"), max_length=100, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    password = _password_field(_("Initial password"))
    password_again = _password_field(_("Initial password again"))


class PasswordResetForm(_TwicePasswordMixin, StyledFormMixin, forms.Form):
    """A new password set by the security administrator, to be changed at next sign-in."""

    password = _password_field(_("New password"))
    password_again = _password_field(_("New password again"))
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)


class ReasonForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)


class RoleGrantForm(StyledFormMixin, forms.Form):
    """A role in a unit."""

    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    unit = forms.ModelChoiceField(
        label=_("Unit"), queryset=Unit.objects.filter(is_active=True).order_by("path")
    )
    title = forms.CharField(label=_("Title"), max_length=50, required=False)


class PasswordPolicyForm(StyledFormMixin, forms.ModelForm):
    """The policy's numbers; the token lifetimes left empty keep their values."""

    KEEP_IF_EMPTY = ("token_default_days", "token_max_days")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.KEEP_IF_EMPTY:
            self.fields[name].required = False

    def clean(self):
        cleaned = super().clean()
        for name in self.KEEP_IF_EMPTY:
            if cleaned.get(name) is None and name not in self.errors:
                cleaned[name] = getattr(self.instance, name)
        return cleaned

    class Meta:
        model = PasswordPolicy
        fields = list(POLICY_FIELDS)


class UserSearchForm(StyledFormMixin, forms.Form):
    q = forms.CharField(label=_("Search"), max_length=100, required=False)
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[
            ("", _("All")),
            ("active", _("Active")),
            ("disabled", _("Disabled")),
            ("must_change", _("Must change password")),
        ],
    )
