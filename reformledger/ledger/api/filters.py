"""The ledger page's filters as the API reads them: the same names and meaning,
checked strictly."""

import django_filters
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field

from reformledger.api.filters import ID_SCHEMA, IdFilter, IntegerFilter, StrictBooleanFilter
from reformledger.ledger.choices import PeriodStatus
from reformledger.ledger.filters import GRADE_VALUE, Grades, GradesField, GradesFilter, TaskFilter
from reformledger.ledger.models import Period
from reformledger.ledger.selectors import ratings_by_grade, visible_periods
from reformledger.orgs.models import Unit
from reformledger.orgs.permissions import under_any

RATING_DOC = (
    "The rating in the ledger's rating column: that of the closed period `as_of`, else of "
    "the latest period any listed task (all other filters applied) is rated in — the "
    "ledger page's column, and each row's `latest_rating`. Several at once, repeated "
    "(`rating=D&rating=E`) or comma-separated (`rating=D,E`). A grade letter as each "
    "office's scale spells it, or a level that means the same grade on every scale "
    "(`ahead`, `on_schedule`, `slightly_behind`, `seriously_behind`, `stalled`; use "
    "levels when the tasks span offices whose letters differ), or `none`: not rated in "
    "any period up to the column's (a task rated only in an earlier period, closed or "
    "cancelled since, is neither `none` nor a grade)."
)


@extend_schema_field(
    {
        **ID_SCHEMA,
        "description": (
            "A closed period (id, see /api/v1/periods/): the tasks of its ledger, with the "
            "ratings as they stood then (`rating` filters and `latest_rating` shows them). "
            "An id that is not a closed period the user sees gives an empty list."
        ),
    }
)
class AsOfFilter(IdFilter):
    """A closed period's id, with its schema."""


@extend_schema_field(
    {
        "type": "array",
        "items": {"type": "string", "pattern": f"^{GRADE_VALUE}(,{GRADE_VALUE})*$"},
        "description": RATING_DOC,
    }
)
class ApiGradesFilter(GradesFilter):
    """The rating filter, with its schema."""


class TaskApiFilter(TaskFilter):
    """The ledger filters for the API: the same names and meaning, checked strictly,
    and an id that matches nothing gives an empty list (as a search would)."""

    year = IntegerFilter(label=_("Year"))
    area = IntegerFilter(label=_("Reform area"), field_name="area_id")
    system = IntegerFilter(label=_("Reform system"), field_name="system_id")
    lead_unit = IntegerFilter(label=_("Lead unit"), method="under_unit_id")
    is_key = StrictBooleanFilter(label=_("Key tasks only"), method="key_only")
    overdue = StrictBooleanFilter(label=_("Overdue only"), method="overdue_only")
    as_of = AsOfFilter(label=_("Ratings as of"), method="ledger_as_of_id")
    rating = ApiGradesFilter(label=_("Rating"))

    @cached_property
    def rating_period(self) -> Period | None:
        """The closed period `as_of` names, if the user sees it."""
        wanted = self.form.cleaned_data.get("as_of")
        if wanted is None or self.request is None:
            return None
        periods = visible_periods(self.request.user).filter(status=PeriodStatus.CLOSED)
        return periods.filter(pk=wanted).first()

    def ledger_as_of_id(self, queryset, name, value):
        period = self.rating_period
        return self.ledger_as_of(queryset, name, period) if period else queryset.none()

    def under_unit_id(self, queryset, name, value):
        path = Unit.objects.filter(pk=value).values_list("path", flat=True).first()
        return queryset.filter(under_any("lead_unit", (path,))) if path else queryset.none()


@extend_schema_field(
    {
        "type": "array",
        "items": {"type": "string", "pattern": f"^{GRADE_VALUE}(,{GRADE_VALUE})*$"},
        "description": (
            "The grade in force (the decision, else the suggestion). Several at once, "
            "repeated (`grade=D&grade=E`) or comma-separated (`grade=D,E`): a letter as the "
            "rating's scale spells it, or a level that means the same grade on every scale "
            "(`ahead` … `stalled`). `none` matches no rating."
        ),
    }
)
class RatingGradesFilter(django_filters.Filter):
    """Ratings by their grade in force, several at once (as the ledger's rating filter)."""

    field_class = GradesField

    def filter(self, qs, value: Grades | None):
        if not value:
            return qs
        return ratings_by_grade(qs, levels=value.levels, letters=value.letters)
