"""Forms of the indicator pages (指标). Forms only collect what a service needs; the
services check every rule again, and their refusals come back onto the field they
name."""

from django import forms
from django.utils.translation import gettext_lazy as _

from reformledger.core.clock import business_today
from reformledger.core.forms import StyledFormMixin
from reformledger.indicators.choices import Direction, IndicatorKind, Track
from reformledger.indicators.models import Indicator
from reformledger.ledger.choices import PeriodStatus
from reformledger.ledger.models import Period, Task
from reformledger.ledger.views.reports import EvidenceFilesField
from reformledger.orgs.models import Unit
from reformledger.pilots.models import Pilot

NUMBER = {"max_digits": 18, "decimal_places": 4}


class IndicatorFilterForm(forms.Form):
    """The list's search and filters (all optional; a value that is not one of the
    choices is ignored as unknown)."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    owner = forms.ModelChoiceField(
        label=_("Owner unit"), queryset=Unit.objects.none(), required=False
    )
    track = forms.ChoiceField(label=_("Track"), choices=[("", "—"), *Track.choices], required=False)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)

    def __init__(self, *args, owners=None, **kwargs):
        super().__init__(*args, **kwargs)
        if owners is not None:
            self.fields["owner"].queryset = owners
        self.fields["owner"].label_from_instance = lambda u: u.label
        for field in self.fields.values():
            css = (
                "form-select form-select-sm"
                if isinstance(field, forms.ChoiceField)
                else "form-control form-control-sm"
            )
            field.widget.attrs.setdefault("class", css)


class IndicatorForm(StyledFormMixin, forms.Form):
    """An indicator's definition: what it measures, which way is better, the baseline,
    who reports it, and what it measures; a ratio names its two parts."""

    code = forms.CharField(label=_("Code"), max_length=32)
    name = forms.CharField(label=_("Name"), max_length=200)
    measure = forms.CharField(
        label=_("Unit of measure"), max_length=30, help_text=_("家, 万元, %, 个…")
    )
    direction = forms.ChoiceField(label=_("Direction"), choices=Direction.choices)
    kind = forms.ChoiceField(label=_("Kind"), choices=IndicatorKind.choices)
    numerator = forms.ModelChoiceField(
        label=_("Numerator"),
        queryset=Indicator.objects.none(),
        required=False,
        help_text=_("For a ratio: the indicator divided (e.g. enterprises shut down)."),
    )
    denominator = forms.ModelChoiceField(
        label=_("Denominator"),
        queryset=Indicator.objects.none(),
        required=False,
        help_text=_("For a ratio: the indicator divided by (e.g. all zombie enterprises)."),
    )
    scale = forms.DecimalField(
        label=_("Scale"),
        initial=1,
        max_digits=10,
        decimal_places=2,
        help_text=_("A ratio is multiplied by this: 100 for a percentage."),
    )
    decimals = forms.IntegerField(
        label=_("Decimal places shown"), initial=0, min_value=0, max_value=4
    )
    baseline = forms.DecimalField(label=_("Baseline"), required=False, **NUMBER)
    baseline_year = forms.IntegerField(
        label=_("Baseline year"), required=False, min_value=2000, max_value=2100
    )
    owner_unit = forms.ModelChoiceField(label=_("Owner unit"), queryset=Unit.objects.none())
    source = forms.CharField(
        label=_("Source of the figure"),
        max_length=200,
        required=False,
        help_text=_("Where the figure comes from, e.g. 市统计局 or 市国资委台账."),
    )
    tasks = forms.ModelMultipleChoiceField(
        label=_("Tasks measured"), queryset=Task.objects.none(), required=False
    )
    pilots = forms.ModelMultipleChoiceField(
        label=_("Pilots measured"), queryset=Pilot.objects.none(), required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, office: Unit, indicator: Indicator | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        parts = Indicator.objects.filter(office=office, kind=IndicatorKind.REPORTED)
        if indicator is not None:
            parts = parts.exclude(pk=indicator.pk)
        for name in ("numerator", "denominator"):
            self.fields[name].queryset = parts.order_by("code")
        # A unit reports an indicator; a reform office defines it (as orders go to units).
        units = Unit.objects.filter(is_active=True).exclude(kind="office")
        self.fields["owner_unit"].queryset = units.order_by("path")
        self.fields["owner_unit"].label_from_instance = lambda u: u.name
        self.fields["tasks"].queryset = Task.objects.filter(office=office).order_by("-year", "code")
        self.fields["tasks"].label_from_instance = lambda t: f"{t.year} {t.code} {t.title}"
        self.fields["pilots"].queryset = Pilot.objects.filter(office=office).order_by("code")
        self.fields["pilots"].label_from_instance = lambda p: f"{p.code} {p.name}"
        for name in ("tasks", "pilots"):
            self.fields[name].widget.attrs["size"] = 6

    def changes(self) -> dict:
        """The definition as the services take it (without the version)."""
        data = dict(self.cleaned_data)
        data.pop("version", None)
        if data.get("kind") != IndicatorKind.RATIO:
            data["numerator"] = data["denominator"] = None
        data["source"] = data.get("source") or ""
        return data


class TargetForm(StyledFormMixin, forms.Form):
    """A year's target (年度目标)."""

    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    target = forms.DecimalField(label=_("Target"), **NUMBER)


def report_periods(indicator: Indicator):
    """The periods a value may be reported for: the office's open periods already
    started, newest first."""
    return Period.objects.filter(
        office_id=indicator.office_id, status=PeriodStatus.OPEN, start__lte=business_today()
    ).order_by("-end", "-pk")


class ValueReportForm(StyledFormMixin, forms.Form):
    """The owner unit's value at the end of a period, with its evidence."""

    period = forms.ModelChoiceField(label=_("Period"), queryset=Period.objects.none())
    value = forms.DecimalField(label=_("Value at the end of the period"), **NUMBER)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    files = EvidenceFilesField(label=_("Evidence files"), required=False)

    def __init__(self, *args, indicator: Indicator, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].queryset = report_periods(indicator)
        self.fields["period"].label_from_instance = lambda p: p.label
        self.fields["value"].help_text = _("A level, not an increment, in %(measure)s.") % {
            "measure": indicator.measure
        }


class ValueReturnForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
