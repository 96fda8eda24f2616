"""The scoped part of the lists' API (/api/v1/lists/): editions, departments' parts,
items and power types as the user may see them (`catalog.permissions`), and the acts on
them through the same services as the pages."""

import django_filters
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import OuterRef
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from reformledger.api.exceptions import PreconditionFailed
from reformledger.api.fields import ScopedPrimaryKeyField
from reformledger.api.filters import IdFilter, StrictBooleanFilter
from reformledger.api.mixins import CONFLICT, ERRORS, IF_MATCH, PRECONDITIONS, ActsMixin
from reformledger.audit.services import document_exported
from reformledger.catalog import documents, permissions, services
from reformledger.catalog.api.common import (
    FIRST_YEAR,
    LAST_YEAR,
    MAX_ID,
    NUMERIC,
    PAGED,
    WITH,
    XLSX_FILE,
    ComparisonSerializer,
    TextFilter,
    YearFilter,
    checked,
    compared_with,
    comparison_response,
    count_of,
    require,
    search,
    versioned,
    with_etag,
)
from reformledger.catalog.choices import EditionStatus, ListKind, PartStatus
from reformledger.catalog.compare import compare_editions
from reformledger.catalog.models import Edition, Item, ItemType, Part
from reformledger.catalog.services import imports
from reformledger.core.exceptions import StaleVersionError
from reformledger.core.http import XLSX, file_download
from reformledger.exchange.errors import ImportRefused
from reformledger.exchange.xlsx_safety import max_upload_bytes
from reformledger.ledger.models import Task
from reformledger.ledger.permissions import visible_tasks
from reformledger.orgs.choices import UnitKind
from reformledger.orgs.models import Unit
from reformledger.orgs.permissions import scopes_of, visible_units

PLACES = (UnitKind.CITY, UnitKind.COUNTY, UnitKind.ZONE)


class EditionFilter(django_filters.FilterSet):
    year = YearFilter(field_name="year")
    jurisdiction = IdFilter(field_name="jurisdiction_id")
    office = IdFilter(field_name="office_id")
    status = django_filters.ChoiceFilter(choices=EditionStatus.choices)

    class Meta:
        model = Edition
        fields = ["year", "jurisdiction", "office", "status"]


class PartFilter(django_filters.FilterSet):
    edition = IdFilter(field_name="edition_id")
    department = IdFilter(field_name="department_id")
    list_kind = django_filters.ChoiceFilter(choices=ListKind.choices)
    status = django_filters.ChoiceFilter(choices=PartStatus.choices)

    class Meta:
        model = Part
        fields = ["edition", "department", "list_kind", "status"]


class ItemFilter(django_filters.FilterSet):
    """`q` searches names and codes; `main` keeps main items (true) or sub-items (false)."""

    edition = IdFilter(field_name="edition_id")
    part = IdFilter(field_name="part_id")
    department = IdFilter(field_name="department_id")
    list_kind = django_filters.ChoiceFilter(choices=ListKind.choices)
    item_type = IdFilter(field_name="item_type_id")
    main = StrictBooleanFilter(field_name="parent", lookup_expr="isnull")
    q = TextFilter(method=search)

    class Meta:
        model = Item
        fields = []


class ItemTypeFilter(django_filters.FilterSet):
    active = StrictBooleanFilter(field_name="is_active")

    class Meta:
        model = ItemType
        fields = []


# --- read serializers -------------------------------------------------------------------


class PartSerializer(serializers.ModelSerializer):
    department_name = serializers.CharField(source="department.name", read_only=True)
    reviewed_by_name = serializers.CharField(
        source="reviewed_by.full_name", read_only=True, allow_null=True
    )
    items = serializers.IntegerField(source="main_items", read_only=True)

    class Meta:
        model = Part
        fields = [
            "id",
            "edition",
            "department",
            "department_name",
            "list_kind",
            "status",
            "file_name",
            "imported_at",
            "reviewed_by_name",
            "reviewed_at",
            "items",
        ]
        read_only_fields = fields


class EditionSerializer(serializers.ModelSerializer):
    office_name = serializers.CharField(source="office.name", read_only=True)
    jurisdiction_name = serializers.CharField(source="jurisdiction.name", read_only=True)
    published_by_name = serializers.CharField(
        source="published_by.full_name", read_only=True, allow_null=True
    )
    parts = serializers.IntegerField(source="parts_count", read_only=True)
    parts_waiting = serializers.IntegerField(read_only=True)
    power_items = serializers.IntegerField(read_only=True)
    service_items = serializers.IntegerField(read_only=True)

    class Meta:
        model = Edition
        fields = [
            "id",
            "office",
            "office_name",
            "jurisdiction",
            "jurisdiction_name",
            "year",
            "title",
            "status",
            "previous",
            "task",
            "document_no",
            "document_title",
            "published_on",
            "published_by_name",
            "created_at",
            "version",
            "parts",
            "parts_waiting",
            "power_items",
            "service_items",
        ]
        read_only_fields = fields


class EditionDetailSerializer(EditionSerializer):
    part_list = serializers.SerializerMethodField()

    class Meta(EditionSerializer.Meta):
        fields = [*EditionSerializer.Meta.fields, "part_list"]
        read_only_fields = fields

    @extend_schema_field(PartSerializer(many=True))
    def get_part_list(self, edition) -> list:
        return PartSerializer(_parts().filter(edition=edition), many=True).data


class ItemSerializer(serializers.ModelSerializer):
    department_name = serializers.CharField(source="department.name", read_only=True)
    item_type_name = serializers.CharField(source="item_type.name", read_only=True, allow_null=True)
    sub_item_of = serializers.CharField(source="parent.name", read_only=True, allow_null=True)

    class Meta:
        model = Item
        fields = [
            "id",
            "edition",
            "part",
            "department",
            "department_name",
            "list_kind",
            "parent",
            "sub_item_of",
            "position",
            "code",
            "name",
            "item_type",
            "item_type_name",
            "basis",
            "body",
            "level",
            "responsibilities",
            "accountability",
            "serves",
            "provides",
            "time_limit",
            "fees",
            "contact",
            "note",
            "source_row",
            "version",
        ]
        read_only_fields = fields


class ItemTypeSerializer(serializers.ModelSerializer):
    class Meta:
        model = ItemType
        fields = ["id", "code", "name", "aliases", "is_approval", "position", "is_active"]
        read_only_fields = fields


class ImportResultSerializer(serializers.Serializer):
    parts_written = serializers.IntegerField()
    parts_unchanged = serializers.IntegerField()
    items = serializers.IntegerField()
    sub_items = serializers.IntegerField()


class CellErrorSerializer(serializers.Serializer):
    message = serializers.CharField()
    sheet = serializers.CharField(allow_blank=True)
    row = serializers.IntegerField(allow_null=True)
    column = serializers.CharField(allow_blank=True)
    text = serializers.CharField()


class ImportRefusedSerializer(serializers.Serializer):
    detail = serializers.CharField()
    errors = CellErrorSerializer(many=True)


# --- write serializers ------------------------------------------------------------------


def _offices(user):
    return visible_units(user).filter(kind=UnitKind.OFFICE)


def _places(user):
    return visible_units(user).filter(kind__in=PLACES)


class EditionCreateSerializer(serializers.Serializer):
    office = ScopedPrimaryKeyField(
        _offices, queryset=Unit.objects.all(), help_text="The reform office (a unit id)."
    )
    jurisdiction = ScopedPrimaryKeyField(
        _places, queryset=Unit.objects.all(), help_text="The city or county (a unit id)."
    )
    year = serializers.IntegerField(min_value=FIRST_YEAR, max_value=LAST_YEAR)
    title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    previous = ScopedPrimaryKeyField(
        permissions.visible_editions,
        queryset=Edition.objects.all(),
        allow_null=True,
        required=False,
        help_text="The edition compared with by default (the place's latest earlier one).",
    )
    task = ScopedPrimaryKeyField(
        visible_tasks,
        queryset=Task.objects.all(),
        allow_null=True,
        required=False,
        help_text="The reform task whose deliverable the edition is.",
    )


class EditionUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    previous = ScopedPrimaryKeyField(
        permissions.visible_editions, queryset=Edition.objects.all(), allow_null=True
    )
    task = ScopedPrimaryKeyField(visible_tasks, queryset=Task.objects.all(), allow_null=True)
    version = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)


class PublishSerializer(serializers.Serializer):
    published_on = serializers.DateField()
    document_no = serializers.CharField(max_length=60, help_text="e.g. 惠府〔2016〕35号")
    document_title = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )
    version = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)


class ItemUpdateSerializer(serializers.Serializer):
    """A correction of an item; a power item takes the power fields, a service item the
    service fields (`services.ITEM_FIELDS`)."""

    code = serializers.CharField(max_length=64, allow_blank=True)
    name = serializers.CharField(max_length=300)
    item_type = serializers.PrimaryKeyRelatedField(
        queryset=ItemType.objects.filter(is_active=True), allow_null=True
    )
    basis = serializers.CharField(max_length=5000, allow_blank=True)
    body = serializers.CharField(max_length=200, allow_blank=True)
    level = serializers.CharField(max_length=60, allow_blank=True)
    responsibilities = serializers.CharField(max_length=5000, allow_blank=True)
    accountability = serializers.CharField(max_length=5000, allow_blank=True)
    serves = serializers.CharField(max_length=2000, allow_blank=True)
    provides = serializers.CharField(max_length=5000, allow_blank=True)
    time_limit = serializers.CharField(max_length=200, allow_blank=True)
    fees = serializers.CharField(max_length=300, allow_blank=True)
    contact = serializers.CharField(max_length=200, allow_blank=True)
    note = serializers.CharField(max_length=5000, allow_blank=True)
    version = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)
    reason = serializers.CharField(max_length=2000, allow_blank=True, required=False, default="")


class RemoveSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


def _upload(value):
    if value.size > max_upload_bytes():
        raise ValidationError(
            _("The file is larger than the limit of %(limit)s MB.")
            % {"limit": max_upload_bytes() // (1024 * 1024)}
        )
    return value


class ImportSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="A department's sheet(s) in the published layout (.xlsx).",
        validators=[_upload],
    )
    department = ScopedPrimaryKeyField(
        visible_units,
        queryset=Unit.objects.all(),
        allow_null=True,
        required=False,
        help_text="The department the sheet is of, when the sheet does not name it.",
    )


# --- querysets ----------------------------------------------------------------------------


def _editions(queryset):
    """Editions with their counts (one query whatever their number)."""
    mains = Item.objects.filter(edition=OuterRef("pk"), parent__isnull=True)
    parts = Part.objects.filter(edition=OuterRef("pk"))
    return queryset.select_related("office", "jurisdiction", "published_by").annotate(
        parts_count=count_of(parts),
        parts_waiting=count_of(parts.filter(status=PartStatus.IMPORTED)),
        power_items=count_of(mains.filter(list_kind=ListKind.POWER)),
        service_items=count_of(mains.filter(list_kind=ListKind.SERVICE)),
    )


def _parts(queryset=None):
    queryset = Part.objects.all() if queryset is None else queryset
    mains = Item.objects.filter(part=OuterRef("pk"), parent__isnull=True)
    return (
        queryset.select_related("department", "reviewed_by")
        .annotate(main_items=count_of(mains))
        .order_by("edition", "list_kind", "department__path")
    )


# --- the scoped part ----------------------------------------------------------------------


class _Acts(ActsMixin):
    """The act runner, with the lists' rule: a 403 for the role, a 409 for a published
    edition."""

    def may(self, act: str, obj) -> bool:
        return permissions.can(self.request.user, act, obj)

    def require(self, act, obj) -> None:
        require(self.request.user, act, obj)


@extend_schema(tags=["lists"])
class EditionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Editions of the lists the user sees, the latest year first."""

    queryset = Edition.objects.none()
    serializer_class = EditionSerializer
    filterset_class = EditionFilter
    lookup_value_regex = NUMERIC
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        visible = permissions.visible_editions(self.request.user)
        return _editions(visible).order_by("-year", "jurisdiction__path", "pk")

    def get_serializer_class(self):
        if self.action in ("retrieve", "partial_update", "publish", "create"):
            return EditionDetailSerializer
        return EditionSerializer

    def _read(self, edition: Edition, code: int = status.HTTP_200_OK) -> Response:
        fresh = _editions(Edition.objects.filter(pk=edition.pk)).get()
        return with_etag(Response(EditionDetailSerializer(fresh).data, status=code))

    def retrieve(self, request, *args, **kwargs):
        return self._read(self.get_object())

    @extend_schema(
        request=EditionCreateSerializer,
        responses={201: EditionDetailSerializer, **ERRORS, **CONFLICT},
    )
    def create(self, request, *args, **kwargs):
        """Start a draft edition of a place's lists for a year (office staff and leaders)."""
        if not scopes_of(request.user).has(*permissions.OFFICE):
            raise PermissionDenied("keeps no lists")  # before the body is read
        fields = checked(EditionCreateSerializer, request)
        edition = services.edition_create(by=request.user, **fields)
        return self._read(edition, status.HTTP_201_CREATED)

    @extend_schema(
        request=EditionUpdateSerializer,
        parameters=[IF_MATCH],
        responses={200: EditionDetailSerializer, **ERRORS, **CONFLICT, **PRECONDITIONS},
    )
    def partial_update(self, request, *args, **kwargs):
        """Change a draft edition's title, previous edition or reform task, saying which
        version was read (If-Match or `version`; neither: 428, a stale If-Match: 412, a
        stale `version`: 409)."""
        edition = self.get_object()
        require(request.user, "manage", edition)
        changes = checked(EditionUpdateSerializer, request, partial=True)
        version, by_header = versioned(request, changes.pop("version", None))
        try:
            with transaction.atomic():
                edition = services.edition_update(
                    by=request.user, edition=edition, version=version, **changes
                )
                return self._read(edition)
        except StaleVersionError as exc:
            if by_header:
                raise PreconditionFailed(str(exc)) from exc
            raise

    @extend_schema(
        request=PublishSerializer,
        responses={200: EditionDetailSerializer, **ERRORS, **CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        """Publish the edition with its document (发文): office leaders, once every part
        is reviewed (a part awaiting review: 409 naming it). The edition is frozen."""
        edition = self.get_object()
        require(request.user, "publish", edition)
        fields = checked(PublishSerializer, request)
        edition = services.edition_publish(by=request.user, edition=edition, **fields)
        return self._read(edition)

    @extend_schema(
        request={"multipart/form-data": ImportSerializer},
        responses={
            200: ImportResultSerializer,
            400: OpenApiResponse(
                ImportRefusedSerializer,
                description="The file is refused whole: every error named by sheet, row "
                "and column; nothing was written.",
            ),
            403: ERRORS[403],
            404: ERRORS[404],
            **CONFLICT,
        },
    )
    @action(detail=True, methods=["post"], url_path="import", parser_classes=[MultiPartParser])
    def import_sheet(self, request, pk=None):
        """Import departments' sheets into the draft edition, all or nothing: each part the
        file holds replaces the department's part (and waits for review again); a part
        unchanged is not written. A bad file is a 400 with every error, writing nothing."""
        edition = self.get_object()
        require(request.user, "manage", edition)
        fields = checked(ImportSerializer, request)
        upload = fields["file"]
        try:
            result = imports.lists_import(
                by=request.user,
                edition=edition,
                data=upload.read(),
                file_name=upload.name or "lists.xlsx",
                department=fields.get("department"),
            )
        except ImportRefused as exc:
            return Response(
                {
                    "detail": _("The file is refused: nothing was written."),
                    "errors": [e.as_dict() for e in exc.errors],
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response(result.as_dict())

    @extend_schema(
        parameters=[WITH, *PAGED],
        responses={200: ComparisonSerializer, 400: ERRORS[400], 404: ERRORS[404]},
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def comparison(self, request, pk=None):
        """What changed from another edition (`with`, by default the previous edition) to
        this one: the summary and a page of the changes, item by item."""
        edition = self.get_object()
        other = compared_with(request, edition, permissions.visible_editions(request.user))
        return comparison_response(self, compare_editions(other, edition))

    @extend_schema(responses=XLSX_FILE)
    @action(detail=True, methods=["get"], filter_backends=[])
    def xlsx(self, request, pk=None):
        """The edition in the layout it is published in (.xlsx)."""
        edition = self.get_object()
        data = documents.write_edition_xlsx(edition)
        document_exported(
            by=request.user,
            document="list_edition",
            fmt="xlsx",
            rows=edition.power_items + edition.service_items,
            filters={"edition": edition.pk},
            obj=edition,
        )
        return file_download(data, XLSX, f"{edition.title}.xlsx")

    @extend_schema(parameters=[WITH], responses={**XLSX_FILE, 400: ERRORS[400]})
    @action(detail=True, methods=["get"], url_path="comparison-xlsx", filter_backends=[])
    def comparison_xlsx(self, request, pk=None):
        """The comparison with another edition (`with`, by default the previous one) as
        Excel."""
        edition = self.get_object()
        other = compared_with(request, edition, permissions.visible_editions(request.user))
        comparison = compare_editions(other, edition)
        data = documents.write_comparison_xlsx(comparison)
        document_exported(
            by=request.user,
            document="list_comparison",
            fmt="xlsx",
            rows=len(comparison.changes),
            filters={"old": other.pk, "new": edition.pk},
            obj=edition,
        )
        name = _("Comparison of the lists %(old)s-%(new)s") % {
            "old": other.year,
            "new": edition.year,
        }
        return file_download(data, XLSX, f"{name}.xlsx")


@extend_schema(tags=["lists"])
class PartViewSet(_Acts, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Departments' parts of the editions the user sees."""

    queryset = Part.objects.none()
    serializer_class = PartSerializer
    filterset_class = PartFilter
    lookup_value_regex = NUMERIC
    act_object = "part"

    def get_queryset(self):
        visible = permissions.visible_editions(self.request.user).values("pk")
        return _parts(Part.objects.filter(edition__in=visible).select_related("edition__office"))

    @extend_schema(request=None, responses={200: PartSerializer, **ERRORS, **CONFLICT})
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        """The office has checked the department's part against its sheet (审核)."""
        return self._act(services.part_review, act="manage")


@extend_schema(tags=["lists"])
class ItemViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Items of the editions the user sees, in the order of the published lists."""

    queryset = Item.objects.none()
    serializer_class = ItemSerializer
    filterset_class = ItemFilter
    lookup_value_regex = NUMERIC
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return (
            permissions.visible_items(self.request.user)
            .select_related("department", "item_type", "parent", "edition__office")
            .order_by("edition", "list_kind", "department__path", "position", "pk")
        )

    def _read(self, item: Item) -> Response:
        return with_etag(Response(self.get_serializer(self.get_queryset().get(pk=item.pk)).data))

    def retrieve(self, request, *args, **kwargs):
        return self._read(self.get_object())

    @extend_schema(
        request=ItemUpdateSerializer,
        parameters=[IF_MATCH],
        responses={200: ItemSerializer, **ERRORS, **CONFLICT, **PRECONDITIONS},
    )
    def partial_update(self, request, *args, **kwargs):
        """Correct an item of a draft edition (its part waits for review again), saying
        which version was read. A power item takes the power fields, a service item the
        service fields; another field is a 400 naming it."""
        item = self.get_object()
        require(request.user, "manage", item)
        changes = checked(ItemUpdateSerializer, request, partial=True)
        version, by_header = versioned(request, changes.pop("version", None))
        reason = changes.pop("reason", "")
        allowed = services.ITEM_FIELDS[ListKind(item.list_kind)]
        foreign = sorted(set(changes) - set(allowed))
        if foreign:
            words = _("Not a field of this list's items (%(list)s).") % {
                "list": ListKind(item.list_kind).label
            }
            raise ValidationError({name: [words] for name in foreign})
        try:
            with transaction.atomic():
                item = services.item_update(
                    by=request.user, item=item, version=version, reason=reason, **changes
                )
                return self._read(item)
        except StaleVersionError as exc:
            if by_header:
                raise PreconditionFailed(str(exc)) from exc
            raise

    @extend_schema(
        request=RemoveSerializer,
        responses={204: OpenApiResponse(description="Removed."), **ERRORS, **CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def remove(self, request, pk=None):
        """Take the item (and its sub-items) out of a draft edition, with the reason; its
        part waits for review again."""
        item = self.get_object()
        require(request.user, "manage", item)
        fields = checked(RemoveSerializer, request)
        services.item_remove(by=request.user, item=item, **fields)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["lists"])
class ItemTypeViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The power types (权力类型), reference data the system administrator keeps."""

    queryset = ItemType.objects.all().order_by("position", "code")
    serializer_class = ItemTypeSerializer
    filterset_class = ItemTypeFilter
