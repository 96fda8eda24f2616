"""The auditor's filters over the trail."""

from django import forms
from django.apps import apps
from django.utils.translation import gettext_lazy as _

from reformledger.audit.models import Outcome
from reformledger.audit.verbs import VERBS
from reformledger.core.forms import StyledFormMixin

#: Times outside these years are refused: converting them to UTC could overflow.
FIRST_YEAR, LAST_YEAR = 1970, 9998
_MOMENT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"]
_MOMENT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class TrailFilter(StyledFormMixin, forms.Form):
    """Search and filters of the trail page, its Excel export and its API."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    since = forms.DateTimeField(
        label=_("From"), required=False, input_formats=_MOMENT_FORMATS, widget=_MOMENT
    )
    until = forms.DateTimeField(
        label=_("To"), required=False, input_formats=_MOMENT_FORMATS, widget=_MOMENT
    )
    user = forms.CharField(label=_("User (account)"), required=False, max_length=150)
    verb = forms.CharField(label=_("Act"), required=False, max_length=64)
    outcome = forms.ChoiceField(
        label=_("Outcome"), required=False, choices=[("", _("All")), *Outcome.choices]
    )
    obj_type = forms.CharField(label=_("Object type"), required=False, max_length=64)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = _("user, object or reason")
        self.fields["verb"].widget.attrs["list"] = "audit-verbs"
        self.fields["verb"].widget.attrs["title"] = _(
            'An act ending in "." (e.g. "task.") matches every act of its kind.'
        )
        self.fields["obj_type"].widget.attrs["list"] = "audit-object-types"

    def clean(self):
        data = super().clean()
        for name in ("since", "until"):
            moment = data.get(name)
            if moment is not None and not FIRST_YEAR <= moment.year <= LAST_YEAR:
                self.add_error(
                    name,
                    _("Give a time between the years %(first)s and %(last)s.")
                    % {"first": FIRST_YEAR, "last": LAST_YEAR},
                )
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end comes before the start."))
        return data

    def filters(self) -> dict:
        """The selector's keyword arguments (empty when the form is invalid)."""
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}


def verb_choices() -> list[tuple[str, str]]:
    """The acts the trail knows, with their words (a datalist: other codes may be typed)."""
    return [(code, str(words)) for code, words in sorted(VERBS.items())]


def object_types() -> list[str]:
    """Labels of the project's models, as records name their objects ("ledger.task")."""
    return sorted(
        m._meta.label_lower for m in apps.get_models() if m.__module__.startswith("reformledger.")
    )
