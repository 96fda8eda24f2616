"""The publications' forms: starting one, its front matter, a narrative section, the
highlights, the submission upward."""

from django import forms
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _

from reformledger.core.forms import StyledFormMixin
from reformledger.ledger.forms import DATE
from reformledger.ledger.models import Period
from reformledger.publications.choices import PublicationKind


class StartForm(StyledFormMixin, forms.Form):
    office = forms.ModelChoiceField(queryset=None, label=_("Reform office"))
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    kind = forms.ChoiceField(label=_("Kind"), choices=PublicationKind.choices)

    def __init__(self, *args, offices=(), **kwargs):
        super().__init__(*args, **kwargs)
        from reformledger.orgs.models import Unit

        self.fields["office"].queryset = Unit.objects.filter(pk__in=[o.pk for o in offices])
        if len(offices) == 1:
            self.fields["office"].initial = offices[0].pk


class FrontForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    document_no = forms.CharField(label=_("Document number"), max_length=100, required=False)
    issued_on = forms.DateField(label=_("Dated"), required=False, widget=DATE)
    period = forms.ModelChoiceField(queryset=Period.objects.none(), label=_("Figures as of"))

    def __init__(self, *args, publication=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].queryset = Period.objects.filter(
            office=publication.office, year=publication.year
        ).order_by("number")
        self.fields["period"].label_from_instance = lambda p: p.label


class NarrativeForm(StyledFormMixin, forms.Form):
    text = forms.CharField(
        label=_("Text"), required=False, widget=forms.Textarea(attrs={"rows": 14})
    )


class HighlightsForm(forms.Form):
    tasks = forms.MultipleChoiceField(
        label=_("Highlights"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tasks"].choices = choices


class SubmitForm(StyledFormMixin, forms.Form):
    rendition = forms.ChoiceField(label=_("Version"))
    document_no = forms.CharField(label=_("Document number (文号)"), max_length=100)
    submitted_on = forms.DateField(label=_("Submitted on"), widget=DATE)

    def __init__(self, *args, renditions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rendition"].choices = [
            (r.pk, gettext_now("v%(n)s") % {"n": r.number}) for r in renditions
        ]
