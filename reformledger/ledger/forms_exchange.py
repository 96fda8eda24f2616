"""The upload form of an import."""

from django import forms
from django.utils.translation import gettext_lazy as _

from reformledger.core.clock import business_today
from reformledger.ledger.permissions import offices_of
from reformledger.ledger.selectors.years import working_year


class TaskListImportForm(forms.Form):
    """Which ledger (office and year) the task list goes into, and the workbook."""

    office = forms.ModelChoiceField(label=_("Reform office"), queryset=None, empty_label=None)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    file = forms.FileField(
        label=_("Workbook (.xlsx)"),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["office"].queryset = offices_of(user).order_by("path")
        # The year the ledger and dashboard open on, so a clerk's file lands in the
        # ledger they are looking at (the preview still asks if the file disagrees).
        self.fields["year"].initial = working_year(user).year or business_today().year
        for name in ("office", "year", "file"):
            css = "form-select" if name == "office" else "form-control"
            self.fields[name].widget.attrs["class"] = css


class ReportImportForm(forms.Form):
    """Which period the progress reports are for, and the workbook."""

    period = forms.ModelChoiceField(label=_("Period"), queryset=None, empty_label=None)
    file = forms.FileField(
        label=_("Workbook (.xlsx)"),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].queryset = open_periods(user)
        self.fields["period"].label_from_instance = lambda p: f"{p.label} · {p.office.label}"
        self.fields["period"].widget.attrs["class"] = "form-select"
        self.fields["file"].widget.attrs["class"] = "form-control"


def open_periods(user):
    """Open periods of the ledgers the user works in, newest first."""
    from reformledger.ledger.selectors import visible_periods

    return visible_periods(user).filter(status="open").order_by("-start", "office__path")


class WorkPointsImportForm(forms.Form):
    """Which ledger the work points are drafted into, and the document: a Word or PDF
    file, or its text pasted."""

    office = forms.ModelChoiceField(label=_("Reform office"), queryset=None, empty_label=None)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    file = forms.FileField(
        label=_("Document (.docx, .pdf or .txt)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".docx,.pdf,.txt"}),
    )
    text = forms.CharField(
        label=_("Or paste its text"),
        required=False,
        max_length=500_000,
        widget=forms.Textarea(attrs={"rows": 8}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["office"].queryset = offices_of(user).order_by("path")
        # The year the ledger and dashboard open on, so a clerk's file lands in the
        # ledger they are looking at (the preview still asks if the file disagrees).
        self.fields["year"].initial = working_year(user).year or business_today().year
        for name in ("office", "year", "file", "text"):
            css = "form-select" if name == "office" else "form-control"
            self.fields[name].widget.attrs["class"] = css

    def clean(self):
        data = super().clean()
        if bool(data.get("file")) == bool((data.get("text") or "").strip()):
            raise forms.ValidationError(_("Upload the document or paste its text (one of them)."))
        return data
