"""Forms of the lists' office pages (the services check every value again)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from reformledger.catalog.choices import ListKind
from reformledger.catalog.models import ItemType
from reformledger.ledger.forms import DATE
from reformledger.ledger.models import Task
from reformledger.orgs.models import Unit


class EditionForm(forms.Form):
    office = forms.ModelChoiceField(label=_("Reform office"), queryset=Unit.objects.none())
    jurisdiction = forms.ModelChoiceField(label=_("Place"), queryset=Unit.objects.none())
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        required=False,
        help_text=_("Left empty, the title is made from the place and the year."),
    )
    task = forms.ModelChoiceField(
        label=_("Reform task whose deliverable it is"),
        queryset=Task.objects.none(),
        required=False,
    )

    def __init__(self, *args, offices, places, tasks, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["office"].queryset = offices
        self.fields["jurisdiction"].queryset = places
        self.fields["task"].queryset = tasks
        self.fields["task"].label_from_instance = lambda t: f"{t.code} {t.title}"
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = css


class ImportForm(forms.Form):
    department = forms.ModelChoiceField(
        label=_("Department"),
        queryset=Unit.objects.none(),
        required=False,
        help_text=_(
            "Only for a sheet without department rows (一、市XX局): its items are this "
            "department's."
        ),
    )
    file = forms.FileField(
        label=_("Workbook (.xlsx)"),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "class": "form-control",
            }
        ),
    )

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments
        self.fields["department"].widget.attrs["class"] = "form-select"


class PublishForm(forms.Form):
    published_on = forms.DateField(label=_("Published on"), widget=DATE)
    document_no = forms.CharField(label=_("Document number"), max_length=60)
    document_title = forms.CharField(
        label=_("Publication document"), max_length=200, required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("published_on", "document_no", "document_title"):
            self.fields[name].widget.attrs["class"] = "form-control"


class ItemForm(forms.Form):
    """A correction of an item; the fields shown depend on its list."""

    code = forms.CharField(label=_("Item code"), max_length=64, required=False)
    name = forms.CharField(label=_("Name"), max_length=300)
    item_type = forms.ModelChoiceField(
        label=_("Type"), queryset=ItemType.objects.filter(is_active=True), required=False
    )
    basis = forms.CharField(
        label=_("Legal basis"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    body = forms.CharField(label=_("Implementing body"), max_length=200, required=False)
    level = forms.CharField(label=_("Level exercised"), max_length=60, required=False)
    responsibilities = forms.CharField(
        label=_("Responsibilities"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    accountability = forms.CharField(
        label=_("Cases of accountability"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    serves = forms.CharField(
        label=_("Serves"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    provides = forms.CharField(
        label=_("What it provides"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    time_limit = forms.CharField(label=_("Time limit"), max_length=200, required=False)
    fees = forms.CharField(label=_("Fees"), max_length=300, required=False)
    contact = forms.CharField(label=_("Contact"), max_length=200, required=False)
    note = forms.CharField(
        label=_("Remarks"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    reason = forms.CharField(label=_("Why (for the history)"), max_length=500, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, list_kind: str, **kwargs):
        from reformledger.catalog.services import ITEM_FIELDS

        super().__init__(*args, **kwargs)
        keep = {*ITEM_FIELDS[ListKind(list_kind)], "reason", "version"}
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = css


class RemoveForm(forms.Form):
    reason = forms.CharField(label=_("Why is the item taken out?"), max_length=500)
