"""Forms and list filters of the evaluation pages (改革评估).

Forms only collect what a service needs; the services check every rule again, and
their refusals come back onto the field they name.
"""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from reformledger.core.forms import StyledFormMixin
from reformledger.evaluation.choices import EvaluationKind, EvaluationStatus, TeamKind
from reformledger.evaluation.models import CriteriaTemplate, EvaluationTeam
from reformledger.ledger.models import Period, ReformArea, Task
from reformledger.ledger.views.reports import DATE, EvidenceFilesField
from reformledger.orgs.models import Unit
from reformledger.pilots.models import Pilot

_TEXT = forms.Textarea(attrs={"rows": 3})
SORT_KEYS = ("title", "kind", "status", "year", "team")


class EvaluationFilterForm(StyledFormMixin, forms.Form):
    """The list's filters: words, kind, state, year; sorting (hidden, set by the heads)."""

    q = forms.CharField(label=_("Search title, team or task code"), required=False)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All")), *EvaluationKind.choices]
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *EvaluationStatus.choices]
    )
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)
    ordering = forms.ChoiceField(
        required=False,
        widget=forms.HiddenInput,
        choices=[("", ""), *((s, s) for s in SORT_KEYS), *((f"-{s}", s) for s in SORT_KEYS)],
    )


class EvaluationForm(StyledFormMixin, forms.Form):
    """An evaluation's particulars and scope, to create it or change them."""

    office = forms.ModelChoiceField(label=_("Reform office"), queryset=Unit.objects.none())
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    kind = forms.ChoiceField(label=_("Kind"), choices=EvaluationKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    template = forms.ModelChoiceField(
        label=_("Criteria template"), queryset=CriteriaTemplate.objects.order_by("code")
    )
    team = forms.ModelChoiceField(
        label=_("Team"), queryset=EvaluationTeam.objects.none(), required=False
    )
    period = forms.ModelChoiceField(
        label=_("As of period"), queryset=Period.objects.none(), required=False
    )
    areas = forms.ModelMultipleChoiceField(
        label=_("Reform areas"), queryset=ReformArea.objects.all(), required=False
    )
    tasks = forms.ModelMultipleChoiceField(
        label=pgettext_lazy("evaluation scope", "Tasks"),
        queryset=Task.objects.none(),
        required=False,
    )
    pilots = forms.ModelMultipleChoiceField(
        label=_("Pilots"), queryset=Pilot.objects.none(), required=False
    )
    description = forms.CharField(label=_("Purpose and method"), required=False, widget=_TEXT)
    self_assessment_due = forms.DateField(
        label=_("Self-assessment due"), required=False, widget=DATE
    )
    due = forms.DateField(label=_("To be closed by"), required=False, widget=DATE)

    def __init__(self, *args, offices=(), editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        office_ids = [o.pk for o in offices]
        self.fields["office"].queryset = Unit.objects.filter(pk__in=office_ids).order_by("path")
        self.fields["team"].queryset = EvaluationTeam.objects.filter(office_id__in=office_ids)
        self.fields["period"].queryset = Period.objects.filter(office_id__in=office_ids).order_by(
            "-start"
        )
        self.fields["tasks"].queryset = Task.objects.filter(office_id__in=office_ids).order_by(
            "-year", "code"
        )
        self.fields["pilots"].queryset = Pilot.objects.filter(office_id__in=office_ids)
        if editing:
            for name in ("office", "year", "kind", "template"):
                del self.fields[name]


class CriterionRowForm(StyledFormMixin, forms.Form):
    """One row of the criteria editor: its number, the number of its parent (blank at the
    top level), name, weight, maximum score and scoring guide."""

    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    number = forms.IntegerField(label=_("No."), min_value=1)
    parent = forms.IntegerField(label=_("Under No."), min_value=1, required=False)
    name = forms.CharField(label=_("Criterion"), max_length=200, required=False)
    weight = forms.DecimalField(label=_("Weight"), max_digits=5, decimal_places=2, required=False)
    max_score = forms.DecimalField(
        label=_("Maximum score"), max_digits=6, decimal_places=2, required=False
    )
    guide = forms.CharField(
        label=_("Scoring guide"), required=False, widget=forms.Textarea(attrs={"rows": 1})
    )


CriteriaFormSet = forms.formset_factory(CriterionRowForm, extra=3, max_num=200, can_delete=True)


class ScoreRowForm(StyledFormMixin, forms.Form):
    """One leaf criterion's score, its reason and evidence."""

    criterion = forms.IntegerField(widget=forms.HiddenInput)
    value = forms.DecimalField(label=_("Score"), max_digits=6, decimal_places=2, required=False)
    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    files = EvidenceFilesField(label=_("Evidence"), required=False)


ScoresFormSet = forms.formset_factory(ScoreRowForm, extra=0, max_num=500)


class SelfAssessmentForm(StyledFormMixin, forms.Form):
    """A unit's self-assessment: its text, evidence and whether to submit it now; the
    self-scores come as `self_<criterion id>` fields."""

    text = forms.CharField(label=_("Self-assessment"), widget=forms.Textarea(attrs={"rows": 6}))
    files = EvidenceFilesField(label=_("Evidence"), required=False)
    submit = forms.BooleanField(label=_("Submit it now (no change afterwards)"), required=False)

    def __init__(self, *args, criteria=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for line in self.criteria:
            c = line.criterion
            self.fields[f"self_{c.pk}"] = forms.DecimalField(
                label=f"{'—' * line.depth} {c.name} (0–{c.max_score.normalize():f})",
                max_digits=6,
                decimal_places=2,
                required=False,
            )
        # The mixin styled the fields it found; the self-scores come after it.
        for name, field in self.fields.items():
            if name.startswith("self_"):
                field.widget.attrs.setdefault("class", "form-control form-control-sm")

    def self_scores(self) -> dict[int, object]:
        return {
            int(name.removeprefix("self_")): value
            for name, value in self.cleaned_data.items()
            if name.startswith("self_") and value is not None
        }


class FindingForm(StyledFormMixin, forms.Form):
    """A finding with its recommendation, perhaps about a task of the scope and a unit."""

    text = forms.CharField(label=_("Finding"), widget=_TEXT)
    recommendation = forms.CharField(label=_("Recommendation"), required=False, widget=_TEXT)
    task = forms.ModelChoiceField(label=_("Task"), queryset=Task.objects.none(), required=False)
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none(), required=False)
    files = EvidenceFilesField(label=_("Evidence"), required=False)

    def __init__(self, *args, tasks=None, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        if tasks is not None:
            self.fields["task"].queryset = tasks
        if units is not None:
            self.fields["unit"].queryset = units


class NoteForm(StyledFormMixin, forms.Form):
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReturnForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label=_("Why it goes back"), widget=forms.Textarea(attrs={"rows": 2}))


class CloseForm(StyledFormMixin, forms.Form):
    conclusion = forms.CharField(
        label=_("Conclusion"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class TrackForm(StyledFormMixin, forms.Form):
    """Set findings of a closed evaluation as action items tracked like orders."""

    findings = forms.MultipleChoiceField(
        label=_("Findings"), widget=forms.CheckboxSelectMultiple, choices=()
    )
    deadline = forms.DateField(label=_("Deadline"), widget=DATE)
    held_on = forms.DateField(label=_("Decided at the meeting of"), widget=DATE)
    attendees = forms.CharField(label=_("Attendees"), max_length=500)

    def __init__(self, *args, findings=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["findings"].choices = [(str(f.pk), f.text[:80]) for f in findings]


class TeamForm(StyledFormMixin, forms.Form):
    office = forms.ModelChoiceField(label=_("Reform office"), queryset=Unit.objects.none())
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=TeamKind.choices)
    organisation = forms.CharField(label=_("Organisation"), max_length=200, required=False)

    def __init__(self, *args, offices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["office"].queryset = Unit.objects.filter(pk__in=[o.pk for o in offices])


class MemberForm(StyledFormMixin, forms.Form):
    username = forms.CharField(label=_("Account name"), max_length=150)


class SurveyUploadForm(StyledFormMixin, forms.Form):
    file = forms.FileField(label=_("Survey sheet (Excel)"))
