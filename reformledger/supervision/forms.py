"""Forms and list filters of the supervision pages (督查督办).

Forms only collect what a service needs; the services check every rule again, and
their refusals come back onto the field they name.
"""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from reformledger.core.forms import StyledFormMixin
from reformledger.ledger.choices import OPEN_STATUSES
from reformledger.ledger.models import Task
from reformledger.ledger.views.reports import DATE, EvidenceFilesField
from reformledger.orgs.choices import Role
from reformledger.orgs.models import Unit
from reformledger.orgs.permissions import under_any
from reformledger.supervision.choices import (
    UNSETTLED,
    DocumentStatus,
    MatterStatus,
    OrderLevel,
)
from reformledger.supervision.models import (
    ActionItem,
    ReformDocument,
    SupervisionOrder,
)
from reformledger.supervision.selectors import overdue_filter

TEXT = forms.Textarea(attrs={"rows": 3})
SHORT_TEXT = forms.Textarea(attrs={"rows": 2})


def answerable_units():
    """Units an order or action item may be addressed to: every active unit but offices."""
    return Unit.objects.filter(is_active=True).exclude(kind="office").order_by("path")


def office_tasks(office: Unit | None, *, key_only: bool = False):
    """The open tasks of `office`'s ledger (key tasks only when asked), by code."""
    if office is None:
        return Task.objects.none()
    tasks = Task.objects.filter(office=office, status__in=OPEN_STATUSES)
    if key_only:
        tasks = tasks.filter(is_key=True)
    return tasks.select_related("lead_unit").order_by("-year", "code")


def task_label(task: Task) -> str:
    return f"{task.code} {task.title}"


class OfficeChoiceMixin:
    """A form of one office's supervision work: the office is a choice only when the
    user works in several."""

    def _office_field(self, offices, office):
        self.fields["office"].queryset = Unit.objects.filter(pk__in=[o.pk for o in offices])
        self.fields["office"].initial = office.pk if office else None
        if len(offices) <= 1:
            self.fields["office"].widget = forms.HiddenInput()


# --- list filters --------------------------------------------------------------------


def _search(queryset, value, *fields):
    value = (value or "").strip()
    if not value:
        return queryset
    q = Q()
    for name in fields:
        q |= Q(**{f"{name}__icontains": value})
    return queryset.filter(q)


class _UnitFilterMixin:
    def under_unit(self, queryset, name, value):
        return queryset.filter(under_any("unit", (value.path,))) if value else queryset

    def overdue_only(self, queryset, name, value):
        # As the lists flag them: as of each matter's ledger year's reference date.
        return queryset.filter(overdue_filter()) if value else queryset

    def _style(self, *names):
        for name in names:
            self.form.fields[name].widget.attrs["class"] = "form-select form-select-sm"


class OrderFilter(_UnitFilterMixin, django_filters.FilterSet):
    """Orders by year, level, status, unit (and below), overdue; search the number or
    the demand; sort."""

    q = django_filters.CharFilter(label=_("Search number or demand"), method="search")
    year = django_filters.NumberFilter(label=_("Year"))
    level = django_filters.ChoiceFilter(label=_("Level"), choices=OrderLevel.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=MatterStatus.choices)
    unit = django_filters.ModelChoiceFilter(
        label=_("Responsible unit"), queryset=answerable_units(), method="under_unit"
    )
    overdue = django_filters.BooleanFilter(label=_("Overdue only"), method="overdue_only")
    ordering = django_filters.OrderingFilter(
        fields=(
            ("number", "number"),
            ("deadline", "deadline"),
            ("level", "level"),
            ("unit__code", "unit"),
            ("status", "status"),
        )
    )

    class Meta:
        model = SupervisionOrder
        fields = ["q", "year", "level", "status", "unit", "overdue"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style("level", "status", "unit")

    def search(self, queryset, name, value):
        found = _search(queryset, value, "demand", "basis", "task__code")
        # 督办〔2016〕7号, "7" or "2016 7": the number, and the year when given.
        parts = _number_parts(value or "")
        if not parts:
            return found
        number_q = Q(number=parts[-1])
        if len(parts) > 1:
            number_q &= Q(year=parts[-2])
        return queryset.filter(number_q | Q(pk__in=found.values("pk")))


def _number_parts(value: str) -> list[int]:
    """The numbers in a search such as 督办〔2016〕7号 -> [2016, 7]."""
    parts, current = [], ""
    for ch in value:
        if ch.isdigit():
            current += ch
        elif current:
            parts.append(int(current))
            current = ""
    if current:
        parts.append(int(current))
    return [p for p in parts if p < 2**31]


class ActionItemFilter(_UnitFilterMixin, django_filters.FilterSet):
    """Action items by status, unit (and below), overdue and source; search the demand."""

    SOURCES = (
        ("meeting", _("Supervision meeting")),
        ("review", _("Collective review")),
    )

    q = django_filters.CharFilter(label=_("Search demand or task"), method="search")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=MatterStatus.choices)
    unit = django_filters.ModelChoiceFilter(
        label=_("Responsible unit"), queryset=answerable_units(), method="under_unit"
    )
    source = django_filters.ChoiceFilter(label=_("Raised at"), choices=SOURCES, method="by_source")
    overdue = django_filters.BooleanFilter(label=_("Overdue only"), method="overdue_only")
    ordering = django_filters.OrderingFilter(
        fields=(("deadline", "deadline"), ("unit__code", "unit"), ("status", "status"))
    )

    class Meta:
        model = ActionItem
        fields = ["q", "status", "unit", "source", "overdue"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style("status", "unit", "source")

    def search(self, queryset, name, value):
        return _search(queryset, value, "demand", "task__code", "task__title")

    def by_source(self, queryset, name, value):
        if value == "meeting":
            return queryset.filter(meeting__isnull=False)
        if value == "review":
            return queryset.filter(review__isnull=False)
        return queryset


class DocumentFilter(django_filters.FilterSet):
    """The registry by status and year; search the title, number or drafting unit."""

    q = django_filters.CharFilter(label=_("Search title or number"), method="search")
    year = django_filters.NumberFilter(label=_("Year"))
    status = django_filters.ChoiceFilter(label=_("Status"), choices=DocumentStatus.choices)

    class Meta:
        model = ReformDocument
        fields = ["q", "year", "status"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.form.fields["status"].widget.attrs["class"] = "form-select form-select-sm"

    def search(self, queryset, name, value):
        return _search(queryset, value, "title", "document_no", "drafting_unit__name")


# --- orders and answers ---------------------------------------------------------------


class OrderIssueForm(OfficeChoiceMixin, StyledFormMixin, forms.Form):
    """A supervision order (督办单) on one task or one action item (一事一单)."""

    office = forms.ModelChoiceField(label=_("Reform office"), queryset=Unit.objects.none())
    task = forms.ModelChoiceField(label=_("Task"), queryset=Task.objects.none(), required=False)
    action_item = forms.ModelChoiceField(
        label=_("or action item"), queryset=ActionItem.objects.none(), required=False
    )
    level = forms.ChoiceField(label=_("Level"), choices=OrderLevel.choices)
    basis = forms.CharField(
        label=_("Basis"),
        widget=SHORT_TEXT,
        help_text=_("Why the order is issued: the meeting, the rating or the delay it rests on."),
    )
    demand = forms.CharField(label=_("Demand"), widget=TEXT)
    deadline = forms.DateField(label=_("Answer by"), widget=DATE)

    def __init__(self, *args, offices, office, **kwargs):
        super().__init__(*args, **kwargs)
        self._office_field(offices, office)
        self.fields["task"].queryset = office_tasks(office)
        self.fields["task"].label_from_instance = task_label
        self.fields["action_item"].queryset = (
            ActionItem.objects.filter(office=office, status__in=UNSETTLED).select_related("unit")
            if office
            else ActionItem.objects.none()
        )
        self.fields["action_item"].label_from_instance = lambda i: (
            f"{i.unit.label} · {i.demand[:40]} · {i.deadline:%Y-%m-%d}"
        )

    def clean(self):
        data = super().clean()
        if not self.errors and bool(data.get("task")) == bool(data.get("action_item")):
            self.add_error(
                "task", _("Choose one task or one action item: one order, one matter (一事一单).")
            )
        return data


class OrderDraftForm(OrderIssueForm):
    """A supervision order drafted for an office leader to sign (提请签发): the order as
    it is to be issued, and the leader who is to sign it."""

    signer = forms.ModelChoiceField(
        label=_("To be signed by"),
        queryset=Unit.objects.none(),
        help_text=_("The director or deputy director who signs and issues it."),
    )

    def __init__(self, *args, offices, office, **kwargs):
        super().__init__(*args, offices=offices, office=office, **kwargs)
        self.fields["signer"].queryset = office_leaders(office)


class DraftRevisionForm(StyledFormMixin, forms.Form):
    """A returned draft order, corrected to be submitted again (its task or action item
    stays what it was)."""

    signer = forms.ModelChoiceField(label=_("To be signed by"), queryset=Unit.objects.none())
    level = forms.ChoiceField(label=_("Level"), choices=OrderLevel.choices)
    deadline = forms.DateField(label=_("Answer by"), widget=DATE)
    basis = forms.CharField(label=_("Basis"), widget=SHORT_TEXT)
    demand = forms.CharField(label=_("Demand"), widget=TEXT)

    def __init__(self, *args, office, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["signer"].queryset = office_leaders(office)


class DraftReturnForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label=_("Reason for returning"), widget=SHORT_TEXT)


class AnswerForm(StyledFormMixin, forms.Form):
    """The unit's answer: a report of what was done and its evidence files."""

    body = forms.CharField(
        label=_("Report of what was done"), widget=forms.Textarea(attrs={"rows": 4})
    )
    files = EvidenceFilesField(label=_("Evidence files"), required=False)


class AcceptForm(StyledFormMixin, forms.Form):
    note = forms.CharField(label=_("Note"), required=False, max_length=1000)


class ReturnForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label=_("Reason for returning"), widget=SHORT_TEXT)
    deadline = forms.DateField(
        label=_("New deadline"),
        widget=DATE,
        required=False,
        help_text=_("Leave empty to keep the current deadline."),
    )


class EscalateForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label=_("Reason for escalating"), widget=SHORT_TEXT)
    deadline = forms.DateField(
        label=_("New deadline"),
        widget=DATE,
        required=False,
        help_text=_("Leave empty for the usual time of the next level."),
    )


# --- meetings, action items, documents, links ----------------------------------------


class ActionRowForm(StyledFormMixin, forms.Form):
    """One action item to set: the unit, what it must do, by when. An empty row is skipped."""

    unit = forms.ModelChoiceField(
        label=_("Responsible unit"), queryset=answerable_units(), required=False
    )
    demand = forms.CharField(label=_("Demand"), widget=SHORT_TEXT, required=False)
    deadline = forms.DateField(label=_("Deadline"), widget=DATE, required=False)

    def __init__(self, *args, default_unit: Unit | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        # A field's own initial: a row left as it was offered still counts as empty.
        if default_unit is not None:
            self.fields["unit"].initial = default_unit.pk

    def clean(self):
        data = super().clean()
        filled = [n for n in ("unit", "demand", "deadline") if data.get(n)]
        if filled and len(filled) < 3:
            for name in ("unit", "demand", "deadline"):
                if not data.get(name):
                    self.add_error(name, _("Fill in the unit, the demand and the deadline."))
        return data

    @property
    def is_filled(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return bool(data.get("unit") and data.get("demand") and data.get("deadline"))


class BaseActionRows(forms.BaseFormSet):
    def rows(self):
        from reformledger.supervision.services import ActionRow

        return [
            ActionRow(
                unit=f.cleaned_data["unit"],
                demand=f.cleaned_data["demand"],
                deadline=f.cleaned_data["deadline"],
            )
            for f in self.forms
            if f.is_filled
        ]


ActionRows = forms.formset_factory(
    ActionRowForm, formset=BaseActionRows, extra=3, max_num=30, validate_max=True
)


class TaskPicker(forms.CheckboxSelectMultiple):
    """Tasks as a checklist with a search box above (supervision.js filters it): usable
    with hundreds of tasks where a multi-select is not."""

    template_name = "supervision/widgets/task_picker.html"


class SupervisionMeetingForm(OfficeChoiceMixin, StyledFormMixin, forms.Form):
    """A supervision meeting (督查推进专会): date, topic, attendees, minutes, tasks."""

    office = forms.ModelChoiceField(label=_("Reform office"), queryset=Unit.objects.none())
    held_on = forms.DateField(label=_("Date"), widget=DATE)
    topic = forms.CharField(label=_("Topic"), max_length=200)
    attendees = forms.CharField(label=_("Attendees"), widget=SHORT_TEXT)
    minutes = forms.CharField(label=_("Minutes"), widget=TEXT, required=False)
    tasks = forms.ModelMultipleChoiceField(
        label=_("Tasks discussed"), queryset=Task.objects.none(), required=False, widget=TaskPicker
    )

    def __init__(self, *args, offices, office, **kwargs):
        super().__init__(*args, **kwargs)
        self._office_field(offices, office)
        self.fields["tasks"].queryset = office_tasks(office)
        self.fields["tasks"].label_from_instance = task_label
        self.fields["tasks"].widget.attrs["class"] = "form-check-input"


class DocumentForm(OfficeChoiceMixin, StyledFormMixin, forms.Form):
    """A reform document entered in the registry (as a draft)."""

    office = forms.ModelChoiceField(label=_("Reform office"), queryset=Unit.objects.none())
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("Title"), max_length=200)
    drafting_unit = forms.ModelChoiceField(label=_("Drafting unit"), queryset=answerable_units())
    task = forms.ModelChoiceField(
        label=_("Task it serves"), queryset=Task.objects.none(), required=False
    )

    def __init__(self, *args, offices, office, **kwargs):
        super().__init__(*args, **kwargs)
        self._office_field(offices, office)
        self.fields["task"].queryset = office_tasks(office)
        self.fields["task"].label_from_instance = task_label


class DocumentStatusForm(StyledFormMixin, forms.Form):
    """A document's next status; issuing needs its number (文号) and date."""

    status = forms.ChoiceField(label=_("Status"), choices=DocumentStatus.choices)
    document_no = forms.CharField(label=_("Document number"), max_length=100, required=False)
    issued_on = forms.DateField(label=_("Issued on"), widget=DATE, required=False)

    def clean(self):
        data = super().clean()
        if data.get("status") == DocumentStatus.ISSUED:
            if not (data.get("document_no") or "").strip():
                self.add_error("document_no", _("An issued document needs its document number."))
            if not data.get("issued_on"):
                self.add_error("issued_on", _("An issued document needs its date of issue."))
        return data


class LinkForm(OfficeChoiceMixin, StyledFormMixin, forms.Form):
    """Link a key task to one of the office's leaders (挂钩联系)."""

    office = forms.ModelChoiceField(label=_("Reform office"), queryset=Unit.objects.none())
    task = forms.ModelChoiceField(label=_("Key task"), queryset=Task.objects.none())
    leader = forms.ModelChoiceField(label=_("Leader"), queryset=Unit.objects.none())

    def __init__(self, *args, offices, office, leaders, **kwargs):
        super().__init__(*args, **kwargs)
        self._office_field(offices, office)
        self.fields["task"].queryset = office_tasks(office, key_only=True)
        self.fields["task"].label_from_instance = task_label
        self.fields["leader"].queryset = leaders


def office_leaders(office: Unit | None):
    """The directors and deputies of `office` (who may be linked to its key tasks)."""
    from django.contrib.auth import get_user_model

    if office is None:
        return get_user_model().objects.none()
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            memberships__unit=office,
            memberships__role=Role.OFFICE_LEADER,
            memberships__is_active=True,
        )
        .distinct()
        .order_by("full_name")
    )


# --- leading-group meetings and collective reviews ----------------------------------


class LeadingGroupMeetingForm(OfficeChoiceMixin, StyledFormMixin, forms.Form):
    """A leading-group meeting: number in the year, date, attendees, summary, the
    documents it reviews and the key tasks it puts to collective review."""

    office = forms.ModelChoiceField(label=_("Reform office"), queryset=Unit.objects.none())
    year = forms.IntegerField(widget=forms.HiddenInput)
    number = forms.IntegerField(label=_("Number in the year"), min_value=1, max_value=999)
    held_on = forms.DateField(label=_("Date"), widget=DATE)
    attendees = forms.CharField(label=_("Attendees"), widget=SHORT_TEXT)
    summary = forms.CharField(label=_("Meeting summary"), widget=TEXT, required=False)
    documents = forms.ModelMultipleChoiceField(
        label=_("Documents to review"),
        queryset=ReformDocument.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    tasks = forms.ModelMultipleChoiceField(
        label=_("Key tasks to put to collective review"),
        queryset=Task.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, offices, office, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self._office_field(offices, office)
        self.fields["documents"].queryset = (
            ReformDocument.objects.filter(office=office)
            .exclude(status=DocumentStatus.ISSUED)
            .select_related("drafting_unit")
            .order_by("-year", "id")
            if office
            else ReformDocument.objects.none()
        )
        self.fields["tasks"].queryset = Task.objects.filter(pk__in=[c.task.pk for c in candidates])
        for name in ("documents", "tasks"):
            self.fields[name].widget.attrs["class"] = "form-check-input"


class CollectiveReviewForm(StyledFormMixin, forms.Form):
    """A collective review (集体会诊) of one key task in four parts."""

    task = forms.ModelChoiceField(label=_("Key task"), queryset=Task.objects.none())
    reason = forms.CharField(label=_("Why it is put to review"), widget=SHORT_TEXT, required=False)
    achievements = forms.CharField(label=_("Results affirmed (肯定成绩)"), widget=TEXT)
    problems = forms.CharField(label=_("Problems named (指出问题)"), widget=TEXT)
    causes = forms.CharField(label=_("Causes analysed (分析原因)"), widget=TEXT)
    improvements = forms.CharField(label=_("Improvements required (督促改进)"), widget=TEXT)

    def __init__(self, *args, office, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["task"].queryset = office_tasks(office, key_only=True)
        self.fields["task"].label_from_instance = task_label
