"""Forms of the assessment's pages: they read what a user typed; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from reformledger.assessment.choices import CardColour, CardStatus, FactKind, TriggerKind
from reformledger.core.forms import StyledFormMixin
from reformledger.ledger.views.reports import EvidenceFilesField
from reformledger.orgs.choices import UnitKind

ORDERINGS = {
    "unit": ("unit__path", "pk"),
    "-unit": ("-unit__path", "-pk"),
    "score": ("score", "unit__path"),
    "-score": ("-score", "unit__path"),
    "colour": ("colour", "unit__path"),
    "-colour": ("-colour", "unit__path"),
    "status": ("status", "unit__path"),
    "-status": ("-status", "unit__path"),
}


class CardFilter(forms.Form):
    q = forms.CharField(label=_("Unit"), required=False)
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False, choices=())
    colour = forms.ChoiceField(
        label=_("Card"), required=False, choices=[("", _("All")), *CardColour.choices]
    )
    kind = forms.ChoiceField(
        label=_("Kind of unit"),
        required=False,
        choices=[("", _("All"))]
        + [(k, UnitKind(k).label) for k in (UnitKind.COUNTY, UnitKind.ZONE, UnitKind.DEPARTMENT)],
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *CardStatus.choices]
    )

    def __init__(self, *args, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, y) for y in years]
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-select form-select-sm")
        self.fields["q"].widget.attrs["class"] = "form-control form-control-sm"


class RuleSetForm(StyledFormMixin, forms.Form):
    """The rule set's numbers; its rules and triggers come as rows of the page."""

    base_score = forms.DecimalField(label=_("Base score"), max_digits=8, decimal_places=2)
    threshold = forms.DecimalField(label=_("Threshold"), max_digits=8, decimal_places=2)
    appeal_days = forms.IntegerField(label=_("Days to appeal"), min_value=1, max_value=366)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def rows(self, data) -> tuple[list[dict], list[dict]]:
        """The rules and triggers posted as `rule-<kind>-<letter>-points` and
        `trigger-<kind>-...` fields."""
        rules = []
        for kind in FactKind.values:
            for key in sorted(data):
                prefix = f"rule-{kind}-"
                if key.startswith(prefix) and key.endswith("-points"):
                    letter = key[len(prefix) : -len("-points")]
                    rules.append(
                        {
                            "kind": kind,
                            "letter": letter,
                            "points": data.get(key),
                            "key_multiplier": data.get(f"{prefix}{letter}-multiplier", "1"),
                        }
                    )
        triggers = [
            {
                "kind": kind,
                "enabled": bool(data.get(f"trigger-{kind}-enabled")),
                "letters": data.get(f"trigger-{kind}-letters", ""),
                "min_days": data.get(f"trigger-{kind}-min_days") or 0,
            }
            for kind in TriggerKind.values
            if f"trigger-{kind}-present" in data
        ]
        return rules, triggers


class StartForm(StyledFormMixin, forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    copy = forms.BooleanField(
        label=_("Copy the latest earlier year's rules"), required=False, initial=True
    )


class ActForm(forms.Form):
    expected = forms.IntegerField(widget=forms.HiddenInput)


class AppealForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 5}))
    files = EvidenceFilesField(label=_("Evidence"), required=False)


class DecideForm(StyledFormMixin, forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("uphold", _("Uphold the card")), ("change", _("Change the card"))],
        widget=forms.RadioSelect,
    )
    score = forms.DecimalField(label=_("New score"), max_digits=8, decimal_places=2, required=False)
    colour = forms.ChoiceField(
        label=_("New card"), choices=[("", "—"), *CardColour.choices], required=False
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 4}))
