"""API of the audit trail for the auditor: read-only, paginated, filtered like the page."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import permissions, serializers, viewsets

from reformledger.api.schema import describe_tags
from reformledger.audit import selectors
from reformledger.audit.forms import FIRST_YEAR, LAST_YEAR
from reformledger.audit.models import AuditRecord, Outcome
from reformledger.audit.permissions import can_read_trail

describe_tags(
    {
        "audit-records": "The audit trail (审计记录): the audit administrator (审计管理员) "
        "only; everyone else gets a 403, itself recorded.",
    }
)


class AuditRecordSerializer(serializers.ModelSerializer):
    changes = serializers.JSONField(read_only=True, help_text="{field: [before, after]}")

    class Meta:
        model = AuditRecord
        fields = [
            "id",
            "at",
            "actor",
            "actor_label",
            "address",
            "verb",
            "outcome",
            "obj_type",
            "obj_id",
            "obj_repr",
            "ctx_type",
            "ctx_id",
            "changes",
            "reason",
            "algorithm",
            "prev_hash",
            "hash",
        ]
        read_only_fields = fields


class _MomentField(forms.DateTimeField):
    """An ISO 8601 time within the years a database column holds without overflow."""

    def clean(self, value):
        moment = super().clean(value)
        if moment is not None and not FIRST_YEAR <= moment.year <= LAST_YEAR:
            raise forms.ValidationError(
                _("Give a time between the years %(first)s and %(last)s.")
                % {"first": FIRST_YEAR, "last": LAST_YEAR}
            )
        return moment


@extend_schema_field(OpenApiTypes.DATETIME)
class MomentFilter(django_filters.IsoDateTimeFilter):
    field_class = _MomentField


class AuditRecordFilter(django_filters.FilterSet):
    """The trail page's filters: `q` searches user, object and reason; `verb` ending
    in "." matches every act of its kind."""

    q = django_filters.CharFilter(method="_by_selector", max_length=200)
    since = MomentFilter(method="_by_selector")
    until = MomentFilter(method="_by_selector")
    user = django_filters.CharFilter(method="_by_selector", max_length=150)
    verb = django_filters.CharFilter(method="_by_selector", max_length=64)
    outcome = django_filters.ChoiceFilter(method="_by_selector", choices=Outcome.choices)
    obj_type = django_filters.CharFilter(method="_by_selector", max_length=64)

    class Meta:
        model = AuditRecord
        fields = ["q", "since", "until", "user", "verb", "outcome", "obj_type"]

    def _by_selector(self, queryset, name, value):
        return queryset  # applied all at once by filter_queryset

    def filter_queryset(self, queryset):
        wanted = {k: v for k, v in self.form.cleaned_data.items() if v not in (None, "")}
        return selectors.trail(**wanted)


class IsAuditor(permissions.BasePermission):
    """The audit administrator only (审计管理员); anyone else is refused and recorded."""

    def has_permission(self, request, view):
        return can_read_trail(request.user)


class AuditRecordViewSet(viewsets.ReadOnlyModelViewSet):
    """The audit trail (审计记录), newest first: who did what to which object, when,
    from where, with what outcome, and each record's hash and previous hash."""

    serializer_class = AuditRecordSerializer
    permission_classes = [permissions.IsAuthenticated, IsAuditor]
    queryset = AuditRecord.objects.none()  # for the schema; rows come from get_queryset
    lookup_value_regex = "[0-9]+"
    filterset_class = AuditRecordFilter

    def get_queryset(self):
        return selectors.trail()
