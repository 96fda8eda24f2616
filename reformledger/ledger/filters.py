"""The ledger page's filters, search and sort (django-filter), shared with the API."""

import re
from dataclasses import dataclass

import django_filters
from django import forms
from django.db.models import Q
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from reformledger.core.clock import business_today
from reformledger.ledger.choices import OPEN_STATUSES, PeriodStatus, RatingLevel, TaskStatus
from reformledger.ledger.models import Period, ReformArea, ReformSystem, Task
from reformledger.ledger.selectors import GRADE_NONE, GradeChoice, grade_choices, tasks_by_rating
from reformledger.orgs.models import Unit
from reformledger.orgs.permissions import under_any

#: One value of the rating filter: `none`, a level, or a grade letter as a scale spells
#: it (1–4 letters, digits, CJK characters, + or -). Shared with the API's schema.
GRADE_VALUE = rf"({GRADE_NONE}|{'|'.join(RatingLevel.values)}|[A-Za-z0-9+\-\u4e00-\u9fff]{{1,4}})"
GRADE_LIST = re.compile(rf"{GRADE_VALUE}(,{GRADE_VALUE})*")


@dataclass(frozen=True)
class Grades:
    """The grades a ledger is filtered by: levels, letters, and "not rated yet"."""

    levels: frozenset[str]
    letters: frozenset[str]
    unrated: bool


class GradesField(forms.Field):
    """Grades to filter by, several at once: repeated (`rating=D&rating=E`), comma-
    separated (`rating=D,E`) or both. A level (`seriously_behind`) matches that grade on
    every office's scale, a letter the grade so spelled; `none` the tasks not rated yet."""

    widget = forms.SelectMultiple  # reads every value of the parameter

    def to_python(self, value) -> Grades | None:
        if not value:
            return None
        values = [value] if isinstance(value, str) else list(value)
        if not all(isinstance(v, str) and GRADE_LIST.fullmatch(v) for v in values):
            raise forms.ValidationError(
                _("Give grade letters or levels, or none, separated by commas (e.g. D,E)."),
                code="invalid",
            )
        parts = {p for v in values for p in v.split(",")}
        return Grades(
            levels=frozenset(parts & set(RatingLevel.values)),
            letters=frozenset(parts - set(RatingLevel.values) - {GRADE_NONE}),
            unrated=GRADE_NONE in parts,
        )


class GradesFilter(django_filters.Filter):
    """The tasks whose rating in the ledger's rating column (the closed period `as_of`,
    else the latest period rated, as the page shows it) is one of the grades given.
    `TaskFilter` applies it after every other filter: the column is that of the tasks
    the others leave."""

    field_class = GradesField

    def filter(self, qs, value: Grades | None):
        if not value:
            return qs
        return tasks_by_rating(
            qs,
            levels=value.levels,
            letters=value.letters,
            unrated=value.unrated,
            as_of=self.parent.rating_period,
        )


def with_tiebreak(tasks):
    """`tasks` in their order, ties broken by id: many tasks share a deadline, a status
    or a lead unit, and a page boundary between equal rows must fall in the same place
    every time (else a row shows on two pages and another on none)."""
    order = tasks.query.order_by
    if order and not {"pk", "-pk", "id", "-id"} & set(map(str, order)):
        return tasks.order_by(*order, "pk")
    return tasks


class TaskFilter(django_filters.FilterSet):
    """Filter by year, area, system, lead unit, status, key, overdue, rating; search;
    sort; and the closed period the ratings are shown as of."""

    q = django_filters.CharFilter(label=_("Search"), method="search")
    year = django_filters.NumberFilter(label=_("Year"))
    area = django_filters.ModelChoiceFilter(
        label=_("Reform area"), queryset=ReformArea.objects.all()
    )
    system = django_filters.ModelChoiceFilter(
        label=_("Reform system"), queryset=ReformSystem.objects.all()
    )
    lead_unit = django_filters.ModelChoiceFilter(
        label=_("Lead unit"),
        queryset=Unit.objects.filter(is_active=True).exclude(kind="office").order_by("path"),
        method="under_unit",
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=TaskStatus.choices)
    is_key = django_filters.BooleanFilter(label=_("Key tasks only"), method="key_only")
    overdue = django_filters.BooleanFilter(label=_("Overdue only"), method="overdue_only")
    # The views check that `as_of` is one of the user's closed periods (`closed_periods`).
    as_of = django_filters.ModelChoiceFilter(
        label=_("Ratings as of"),
        queryset=Period.objects.filter(status=PeriodStatus.CLOSED),
        method="ledger_as_of",
    )
    rating = GradesFilter(label=_("Rating"))
    ordering = django_filters.OrderingFilter(
        label=_("Sort by"),
        fields=(
            ("code", "code"),
            ("title", "title"),
            ("deadline", "deadline"),
            ("status", "status"),
            ("lead_unit__code", "lead_unit"),
            ("area__order", "area"),
        ),
        field_labels={
            "code": _("Code"),
            "title": _("Title"),
            "deadline": _("Deadline"),
            "status": _("Status"),
            "lead_unit": _("Lead unit"),
            "area": _("Reform area"),
        },
    )

    class Meta:
        model = Task
        fields = [
            "q",
            "year",
            "area",
            "system",
            "lead_unit",
            "status",
            "is_key",
            "overdue",
            "as_of",
            "rating",
        ]

    def filter_queryset(self, queryset):
        # The rating filter reads the rating column of the tasks the other filters
        # leave (a subquery on them), so it comes last.
        data = self.form.cleaned_data
        for name in sorted(data, key=lambda n: n == "rating"):
            queryset = self.filters[name].filter(queryset, data[name])
        return with_tiebreak(queryset)

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(code__icontains=value) | Q(title__icontains=value))

    def under_unit(self, queryset, name, value):
        return queryset.filter(under_any("lead_unit", (value.path,))) if value else queryset

    def key_only(self, queryset, name, value):
        return queryset.filter(is_key=True) if value else queryset

    def overdue_only(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(status__in=OPEN_STATUSES, deadline__lt=business_today())

    def ledger_as_of(self, queryset, name, value):
        """As of a closed period: the ledger it belongs to, rated as it stood then."""
        return queryset.filter(office=value.office_id, year=value.year)

    @property
    def rating_period(self) -> Period | None:
        """The closed period whose ratings the rating filter reads, if `as_of` names one."""
        return self.form.cleaned_data.get("as_of")

    @cached_property
    def grade_choices(self) -> list[GradeChoice]:
        """The page's rating checkboxes (one query)."""
        return grade_choices(self.queryset)

    @cached_property
    def grades_checked(self) -> set[str]:
        """The checkboxes the query string ticks; a letter (`rating=D`) ticks its level."""
        value = self.form.cleaned_data.get("rating") if self.is_valid() else None
        if not value:
            return set()
        checked = set(value.levels) | ({GRADE_NONE} if value.unrated else set())
        checked |= {c.value for c in self.grade_choices if value.letters & set(c.letters)}
        return checked

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("area", "system", "lead_unit", "status"):
            self.form.fields[name].widget.attrs["class"] = "form-select form-select-sm"
