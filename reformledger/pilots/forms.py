"""Forms and list filters of the pilot and innovation pages (改革试点, 基层创新).

Forms only collect what a service needs; the services check every rule again, and
their refusals come back onto the field they name.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from reformledger.core.clock import business_today
from reformledger.core.forms import StyledFormMixin
from reformledger.ledger.models import Task
from reformledger.ledger.views.reports import DATE, EvidenceFilesField
from reformledger.orgs.models import Person, Unit
from reformledger.pilots.choices import (
    AcceptanceResult,
    InnovationStatus,
    PilotFileKind,
    PilotLevel,
    PilotStatus,
)
from reformledger.pilots.models import Pilot
from reformledger.pilots.permissions import sub_project_hosts
from reformledger.pilots.selectors import innovations as innovation_selectors

# --- Pilots --------------------------------------------------------------------------
# The pilot registry (改革试点): the list's filters, registering and editing a pilot,
# the acts of its life, its files and its sub-projects.

_PILOT_TEXT = forms.Textarea(attrs={"rows": 3})
_PILOT_SHORT = forms.Textarea(attrs={"rows": 2})
#: The list's sorts (selectors.pilots.PILOT_SORTS), for the hidden field.
PILOT_SORT_KEYS = (
    "code",
    "name",
    "level",
    "status",
    "host",
    "start",
    "end",
    "sub_projects",
    "planned",
    "completed",
    "rate",
)


def pilot_units():
    """Units a pilot or a sub-project may be hosted by or helped by: active, not offices."""
    return Unit.objects.filter(is_active=True).exclude(kind="office").order_by("path")


class PilotFilterForm(StyledFormMixin, forms.Form):
    """The registry's filters: words, level, status; sorting (hidden, set by the headers)."""

    q = forms.CharField(label=_("Search code, name, granting body, host or brand"), required=False)
    level = forms.ChoiceField(
        label=_("Level"), required=False, choices=[("", "---------"), *PilotLevel.choices]
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", "---------"), *PilotStatus.choices]
    )
    ordering = forms.ChoiceField(
        required=False,
        widget=forms.HiddenInput,
        choices=[
            ("", ""),
            *((s, s) for s in PILOT_SORT_KEYS),
            *((f"-{s}", s) for s in PILOT_SORT_KEYS),
        ],
    )


class PilotForm(StyledFormMixin, forms.Form):
    """A pilot's particulars, to register it or change them (`version`: the one read)."""

    office = forms.ModelChoiceField(label=_("Reform office"), queryset=Unit.objects.none())
    code = forms.CharField(label=_("Code"), max_length=32)
    name = forms.CharField(label=_("Name"), max_length=200)
    level = forms.ChoiceField(label=_("Level"), choices=PilotLevel.choices)
    granting_body = forms.CharField(label=_("Granting body"), max_length=200)
    host_unit = forms.ModelChoiceField(label=_("Host unit"), queryset=Unit.objects.none())
    helping_units = forms.ModelMultipleChoiceField(
        label=_("Helping units"), queryset=Unit.objects.none(), required=False
    )
    leader = forms.ModelChoiceField(
        label=_("Responsible leader"), queryset=Person.objects.none(), required=False
    )
    start = forms.DateField(label=_("Pilot period from"), widget=DATE)
    end = forms.DateField(label=_("Pilot period to"), widget=DATE)
    goals = forms.CharField(label=_("Goals"), widget=_PILOT_TEXT)
    brand = forms.CharField(
        label=_("County brand"),
        max_length=100,
        required=False,
        help_text=_("For a municipal pilot hosted by a county or zone: its brand name."),
    )
    tasks = forms.ModelMultipleChoiceField(
        label=_("Ledger tasks"), queryset=Task.objects.none(), required=False
    )
    approval_no = forms.CharField(
        label=_("Approval document number"), max_length=100, required=False
    )
    approved_on = forms.DateField(label=_("Approved on"), widget=DATE, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args, offices, office, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["office"].queryset = Unit.objects.filter(pk__in=[o.pk for o in offices])
        self.fields["office"].initial = office.pk if office else None
        if len(offices) <= 1:
            self.fields["office"].widget = forms.HiddenInput()
        units = pilot_units()
        self.fields["host_unit"].queryset = units
        self.fields["helping_units"].queryset = units
        self.fields["leader"].queryset = Person.objects.select_related("unit").order_by(
            "unit__path", "name"
        )
        self.fields["tasks"].queryset = (
            Task.objects.filter(office=office).order_by("-year", "code")
            if office
            else Task.objects.none()
        )
        self.fields["tasks"].label_from_instance = lambda t: f"{t.code} {t.title}"
        self.fields["host_unit"].label_from_instance = lambda u: u.name
        self.fields["helping_units"].label_from_instance = lambda u: u.name


class PilotApproveForm(StyledFormMixin, forms.Form):
    """The approval (批复) of an applied pilot."""

    approval_no = forms.CharField(label=_("Approval document number"), max_length=100)
    approved_on = forms.DateField(label=_("Approved on"), widget=DATE)


class PilotNoteForm(StyledFormMixin, forms.Form):
    note = forms.CharField(label=_("Note"), required=False, max_length=1000)


class PilotReviewForm(StyledFormMixin, forms.Form):
    """A mid-term review (中期评估) and its documents."""

    reviewed_on = forms.DateField(label=_("Reviewed on"), widget=DATE)
    reviewer = forms.CharField(label=_("Reviewed by"), max_length=200)
    findings = forms.CharField(label=_("Findings"), widget=_PILOT_TEXT)
    files = EvidenceFilesField(label=_("Review documents"), required=False)


class PilotAcceptanceForm(StyledFormMixin, forms.Form):
    """The acceptance (验收) of a pilot: verdict, score and rank, documents."""

    accepting_body = forms.CharField(label=_("Accepting body"), max_length=200)
    accepted_on = forms.DateField(label=_("Accepted on"), widget=DATE)
    result = forms.ChoiceField(label=_("Result"), choices=AcceptanceResult.choices)
    conditions = forms.CharField(
        label=_("Conditions"),
        widget=_PILOT_SHORT,
        required=False,
        help_text=_("Required for a pass with conditions."),
    )
    score = forms.DecimalField(
        label=_("Score"), max_digits=6, decimal_places=2, required=False, min_value=0
    )
    rank_text = forms.CharField(
        label=_("Score and rank as written"),
        max_length=300,
        required=False,
        help_text=_("E.g. first in its group, third in the eastern region."),
    )
    group_rank = forms.IntegerField(label=_("Rank in its group"), required=False, min_value=1)
    region = forms.CharField(label=_("Region ranked in"), max_length=50, required=False)
    region_rank = forms.IntegerField(label=_("Rank in the region"), required=False, min_value=1)
    files = EvidenceFilesField(label=_("Acceptance documents"), required=False)


class PilotConcludeForm(StyledFormMixin, forms.Form):
    """The experience of a pilot that passed, written up for others (总结推广)."""

    experience = forms.CharField(label=_("Experience written up"), widget=_PILOT_TEXT)


class PilotEndForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label=_("Reason for ending early"), widget=_PILOT_SHORT)


class PilotFileForm(StyledFormMixin, forms.Form):
    """Files kept with a pilot, with what they are."""

    kind = forms.ChoiceField(label=_("Kind"), choices=PilotFileKind.choices)
    files = EvidenceFilesField(label=_("Files"))


class SubProjectForm(StyledFormMixin, forms.Form):
    """A sub-project (子项目): code, name, host unit, planned investment."""

    code = forms.CharField(label=_("Code"), max_length=32)
    name = forms.CharField(label=_("Name"), max_length=200)
    host_unit = forms.ModelChoiceField(label=_("Host unit"), queryset=Unit.objects.none())
    planned_investment = forms.DecimalField(
        label=_("Planned investment (10,000 yuan)"), max_digits=14, decimal_places=2, min_value=0
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args, user=None, pilot=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Only units the user may choose (pilots.permissions.sub_project_hosts): those it
        # sees, and the pilot's helping units with the units below them.
        units = pilot_units()
        if user is not None and pilot is not None:
            units = sub_project_hosts(user, pilot).order_by("path")
        self.fields["host_unit"].queryset = units
        self.fields["host_unit"].label_from_instance = lambda u: u.name


# --- Innovations ---------------------------------------------------------------------
# Grassroots innovations (基层创新): the list's filters, proposing and revising, the
# office's decisions, declaring a replicable experience, and adopting one (推广).

_TEXT = forms.Textarea(attrs={"rows": 4})
_SHORT = forms.Textarea(attrs={"rows": 2})
INNOVATION_SORTS = ("year", "title", "unit", "status", "adoptions", "proposed_at")


class InnovationFilterForm(StyledFormMixin, forms.Form):
    """The list's filters: words, year, status, proposing unit (and below); sorting."""

    q = forms.CharField(label=_("Search title, texts or unit"), required=False)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", "---------"), *InnovationStatus.choices],
    )
    unit = forms.ModelChoiceField(
        label=_("Proposing unit"), required=False, queryset=Unit.objects.none()
    )
    ordering = forms.ChoiceField(
        required=False,
        widget=forms.HiddenInput,
        choices=[
            ("", ""),
            *((s, s) for s in INNOVATION_SORTS),
            *((f"-{s}", s) for s in INNOVATION_SORTS),
        ],
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # The units of the innovations the user sees, and none other.
        seen = innovation_selectors.innovations(user).values("unit")
        self.fields["unit"].queryset = Unit.objects.filter(pk__in=seen).order_by("path")


class _InnovationTexts(StyledFormMixin, forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("Title"), max_length=200)
    problem = forms.CharField(label=_("Problem addressed"), widget=_TEXT)
    actions = forms.CharField(label=_("What was done"), widget=_TEXT)
    results = forms.CharField(label=_("Results"), widget=_TEXT)
    files = EvidenceFilesField(
        label=_("Evidence files"),
        required=False,
        help_text=_("Documents, photos or figures that show the results."),
    )


class InnovationProposeForm(_InnovationTexts):
    """A grassroots innovation proposed by one of the user's units to a reform office."""

    office = forms.ModelChoiceField(label=_("Reform office"), queryset=Unit.objects.none())
    unit = forms.ModelChoiceField(label=_("Proposing unit"), queryset=Unit.objects.none())
    field_order = ["office", "unit", "year", "title", "problem", "actions", "results", "files"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        offices = innovation_selectors.proposal_offices(user)
        units = innovation_selectors.proposing_units(user)
        self.fields["office"].queryset = offices
        self.fields["unit"].queryset = units
        if len(offices) == 1:
            self.fields["office"].initial = offices[0].pk
            self.fields["office"].widget = forms.HiddenInput()
        if len(units) == 1:
            self.fields["unit"].initial = units[0].pk
        self.fields["year"].initial = business_today().year


class InnovationReviseForm(_InnovationTexts):
    """A returned innovation, revised by its unit; `version` is the version read."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class InnovationAcceptForm(StyledFormMixin, forms.Form):
    """The office accepts an innovation, and may say what it was turned into."""

    reason = forms.CharField(label=_("Note"), widget=_SHORT, required=False)
    pilot = forms.ModelChoiceField(
        label=_("Turned into a municipal pilot"),
        queryset=Pilot.objects.none(),
        required=False,
    )
    task = forms.ModelChoiceField(
        label=_("Turned into a ledger task"), queryset=Task.objects.none(), required=False
    )

    def __init__(self, *args, office=None, **kwargs):
        super().__init__(*args, **kwargs)
        if office is not None:
            self.fields["pilot"].queryset = Pilot.objects.filter(
                office=office, level=PilotLevel.MUNICIPAL
            ).order_by("code")
            self.fields["task"].queryset = Task.objects.filter(office=office).order_by(
                "-year", "code"
            )
        self.fields["task"].label_from_instance = lambda t: f"{t.code} {t.title}"


class InnovationReasonForm(StyledFormMixin, forms.Form):
    """The reason an innovation is returned or declined."""

    reason = forms.CharField(label=_("Reason"), widget=_SHORT)


class InnovationDeclareForm(StyledFormMixin, forms.Form):
    """The summary of a replicable experience (可复制推广经验)."""

    experience = forms.CharField(
        label=_("Summary of the experience"),
        widget=_TEXT,
        help_text=_("What other units need to know to adopt it."),
    )


class InnovationAdoptForm(StyledFormMixin, forms.Form):
    """One of the user's units records that it adopted a replicable experience."""

    unit = forms.ModelChoiceField(label=_("Adopting unit"), queryset=Unit.objects.none())
    adopted_on = forms.DateField(label=_("Adopted on"), widget=DATE)
    result = forms.CharField(label=_("Result in your unit"), widget=_TEXT)
    files = EvidenceFilesField(label=_("Evidence files"), required=False)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        if len(units) == 1:
            self.fields["unit"].initial = units[0].pk


class InnovationFileForm(StyledFormMixin, forms.Form):
    """One more evidence file of an innovation."""

    files = EvidenceFilesField(label=_("Evidence files"))
