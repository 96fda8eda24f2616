"""Forms of the ledger pages. They check input; the services make the change."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from reformledger.core.forms import StyledFormMixin
from reformledger.ledger.models import Milestone, Task
from reformledger.ledger.permissions import visible_tasks
from reformledger.ledger.validation import MilestoneRow, milestone_errors, task_date_errors
from reformledger.orgs.models import Person, Unit
from reformledger.orgs.permissions import visible_units

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class TaskForm(StyledFormMixin, forms.ModelForm):
    """Create or edit a task's fields (the office's act). Its choices — units, people,
    the parent task and the tasks it depends on — are those `user` may see."""

    class Meta:
        model = Task
        fields = [
            "code",
            "title",
            "description",
            "area",
            "system",
            "work_point",
            "source",
            "lead_unit",
            "helping_units",
            "responsible_leader",
            "is_key",
            "deliverable_kind",
            "start_date",
            "deadline",
            "parent",
            "depends_on",
        ]
        widgets = {
            "start_date": DATE,
            "deadline": DATE,
            "description": forms.Textarea(attrs={"rows": 4}),
            "helping_units": forms.SelectMultiple(attrs={"size": 6}),
            "depends_on": forms.SelectMultiple(attrs={"size": 6}),
        }

    def __init__(self, *args, office: Unit, year: int, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Every choice is among what `user` may see: another row's id is "not a choice".
        seen = visible_units(user)
        units = seen.filter(is_active=True).exclude(kind="office").order_by("path")
        self.fields["lead_unit"].queryset = units
        self.fields["helping_units"].queryset = units
        self.fields["responsible_leader"].queryset = Person.objects.filter(
            unit__in=seen
        ).select_related("unit")
        peers = visible_tasks(user).filter(office=office, year=year).order_by("code")
        if self.instance.pk:
            peers = peers.exclude(pk=self.instance.pk)
        self.fields["parent"].queryset = peers
        self.fields["depends_on"].queryset = peers
        self.fields["work_point"].queryset = self.fields["work_point"].queryset.filter(
            programme__office=office, programme__year=year
        )

    def clean(self):
        data = super().clean()
        for name, msg in task_date_errors(data.get("start_date"), data.get("deadline")).items():
            self.add_error(name, msg)
        return data

    def validate_unique(self):
        # Code uniqueness is checked by the service, which names the field.
        pass


class StatusForm(StyledFormMixin, forms.Form):
    status = forms.ChoiceField(label=_("Status"))
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = choices


class NoteForm(StyledFormMixin, forms.Form):
    """A note, a reason or a comment that goes with an act."""

    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReasonForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason for the revision"), widget=forms.Textarea(attrs={"rows": 3})
    )


class PlanForm(StyledFormMixin, forms.Form):
    summary = forms.CharField(
        label=_("Approach"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class MilestoneForm(StyledFormMixin, forms.ModelForm):
    """One milestone of the plan being written. Its date reached is shown, never taken
    from the form: only an accepted progress report marks a milestone reached."""

    class Meta:
        model = Milestone
        fields = [
            "title",
            "planned_date",
            "weight",
            "is_key",
            "responsible",
            "expected_evidence",
            "reached_on",
        ]
        widgets = {"planned_date": DATE, "reached_on": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reached_on"].disabled = True


class BaseMilestoneFormSet(forms.BaseFormSet):
    """Milestone rows; checks dates against the task and that weights add up to 100."""

    def __init__(self, *args, task: Task, **kwargs):
        self.task = task
        super().__init__(*args, **kwargs)

    def rows(self) -> list[MilestoneRow]:
        rows = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or not data.get("title"):
                continue
            rows.append(
                MilestoneRow(**{k: v for k, v in data.items() if k not in ("DELETE", "reached_on")})
            )
        return rows

    def clean(self):
        if any(self.errors):
            return
        live = [
            f
            for f in self.forms
            if getattr(f, "cleaned_data", None)
            and not f.cleaned_data.get("DELETE")
            and f.cleaned_data.get("title")
        ]
        per_row, general = milestone_errors(
            self.rows(), start_date=self.task.start_date, deadline=self.task.deadline
        )
        for i, errs in per_row.items():
            for name, msg in errs.items():
                live[i].add_error(name, msg)
        if general:
            raise ValidationError(general)


MilestoneFormSet = forms.formset_factory(
    MilestoneForm, formset=BaseMilestoneFormSet, extra=2, can_delete=True
)


def milestone_initial(plan) -> list[dict]:
    if plan is None:
        return []
    return [{f: getattr(m, f) for f in MilestoneForm.Meta.fields} for m in plan.milestones.all()]
