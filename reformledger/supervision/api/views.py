"""The supervision API's viewsets: scoped lists and details, and one action per act,
each calling its service."""

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Prefetch
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from reformledger.api.mixins import CONFLICT, ERRORS, ActsMixin, NoteSerializer
from reformledger.core.clock import business_today
from reformledger.core.exceptions import ConflictError
from reformledger.ledger.models import Task
from reformledger.orgs.models import Unit
from reformledger.orgs.permissions import scopes_of
from reformledger.supervision import permissions, selectors, services
from reformledger.supervision.api.filters import (
    ActionItemFilter,
    DocumentFilter,
    LeadingGroupMeetingFilter,
    LinkFilter,
    OrderFilter,
    SupervisionMeetingFilter,
)
from reformledger.supervision.api.serializers import (
    ActionItemDetailSerializer,
    ActionItemSerializer,
    AnswerReturnSerializer,
    AnswerWriteSerializer,
    CandidateQuerySerializer,
    CollectiveReviewSerializer,
    CollectiveReviewWriteSerializer,
    DocumentStatusSerializer,
    DocumentWriteSerializer,
    EscalateSerializer,
    LeaderLinkSerializer,
    LeadingGroupMeetingDetailSerializer,
    LeadingGroupMeetingSerializer,
    LeadingGroupMeetingWriteSerializer,
    LinkEndSerializer,
    LinkWriteSerializer,
    OrderIssueSerializer,
    ReformDocumentSerializer,
    ReviewCandidateSerializer,
    SupervisionMeetingDetailSerializer,
    SupervisionMeetingSerializer,
    SupervisionMeetingWriteSerializer,
    SupervisionOrderDetailSerializer,
    SupervisionOrderSerializer,
    _rows,
)
from reformledger.supervision.choices import (
    AnswerDecision,
)
from reformledger.supervision.models import (
    ActionItem,
    Answer,
    CollectiveReview,
    LeaderLink,
    LeadingGroupMeeting,
    ReformDocument,
    SupervisionMeeting,
    SupervisionOrder,
)

NUMERIC = "[0-9]+"
ANSWERS = Prefetch(
    "answers",
    queryset=Answer.objects.select_related("answered_by", "decided_by").prefetch_related("files"),
)
NO_ANSWER = {409: OpenApiResponse(description="No answer awaits a decision, or it was decided.")}
RECEIVED = {409: OpenApiResponse(description="Already signed for, or already settled.")}
NOT_RECEIVED = {
    409: OpenApiResponse(
        description="Already answered and awaiting a decision, or not yet signed for (sign first)."
    )
}


def _recorded(serializer_class, view) -> dict:
    """The checked body of a new record: whoever records supervision in no office is
    refused first (a 403, rather than a 400 on a unit or task they cannot see)."""
    if not permissions.runs_supervision(view.request.user):
        raise PermissionDenied("records supervision in no office")
    return _valid(serializer_class, view)


def _valid(serializer_class, view) -> dict:
    data = serializer_class(data=view.request.data, context=view.get_serializer_context())
    data.is_valid(raise_exception=True)
    return dict(data.validated_data)


# --- viewsets -----------------------------------------------------------------------------


class _Scoped(ActsMixin):
    """A viewset over one selector: the list's serializer for lists, the detail's for
    the rest, default order unless `ordering` is asked for. Acts ask the supervision
    permissions before reading the body (`may`)."""

    def may(self, act: str, obj) -> bool:
        if act == "record":
            office = obj.task.office if isinstance(obj, LeaderLink) else obj.office
            return permissions.can_office(self.request.user, act, office)
        return permissions.can(self.request.user, act, obj)

    default_order: tuple[str, ...] = ("pk",)
    list_serializer = None
    detail_serializer = None

    def get_serializer_class(self):
        return self.list_serializer if self.action == "list" else self.detail_serializer

    def get_serializer_context(self):
        return super().get_serializer_context() | {"today": business_today()}

    def rows(self):
        """The viewset's scoped selector; every viewset below names its own."""
        raise NotImplementedError

    def listing(self, qs):
        return qs

    def details(self, qs):
        return qs

    def get_queryset(self):
        qs = self.rows()
        qs = self.listing(qs) if self.action == "list" else self.details(qs)
        if self.request.query_params.get("ordering"):
            return qs
        return qs.order_by(*self.default_order)

    def _created(self, obj) -> Response:
        fresh = self.details(self.rows()).get(pk=obj.pk)
        serializer = self.detail_serializer(fresh, context=self.get_serializer_context())
        return Response(serializer.data, status=status.HTTP_201_CREATED)


_READ = (mixins.ListModelMixin, mixins.RetrieveModelMixin)


class LeaderLinkViewSet(_Scoped, *_READ, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Leader links (挂钩联系): each key task followed by the office director or a deputy.
    Linking a task that already has a leader ends the earlier link."""

    queryset = LeaderLink.objects.none()
    lookup_value_regex = NUMERIC
    filterset_class = LinkFilter
    list_serializer = detail_serializer = LeaderLinkSerializer
    act_object = "link"
    default_order = ("task__code", "-linked_at", "pk")

    def rows(self):
        return selectors.links(self.request.user)

    @extend_schema(
        request=LinkWriteSerializer,
        responses={
            201: LeaderLinkSerializer,
            200: OpenApiResponse(
                LeaderLinkSerializer, description="Already linked to this leader: nothing changed."
            ),
            **ERRORS,
        },
    )
    def create(self, request, *args, **kwargs):
        """Link a key task to a leader (office staff)."""
        data = _recorded(LinkWriteSerializer, self)
        before = LeaderLink.objects.filter(task=data["task"], ended_at__isnull=True).first()
        link = services.leader_link_set(by=request.user, **data)
        if before is not None and before.pk == link.pk:
            return Response(self.get_serializer(link).data)
        return self._created(link)

    @extend_schema(
        request=LinkEndSerializer, responses={200: LeaderLinkSerializer, **ERRORS, **CONFLICT}
    )
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        """End the link: the task is followed by no one until linked again."""
        return self._act(services.leader_link_end, LinkEndSerializer, act="record")


class SupervisionMeetingViewSet(_Scoped, *_READ, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Supervision meetings (督查推进专会) with the tasks discussed and their action items."""

    queryset = SupervisionMeeting.objects.none()
    lookup_value_regex = NUMERIC
    filterset_class = SupervisionMeetingFilter
    list_serializer = SupervisionMeetingSerializer
    detail_serializer = SupervisionMeetingDetailSerializer
    default_order = ("-held_on", "-pk")

    def rows(self):
        return selectors.supervision_meetings(self.request.user).prefetch_related(
            Prefetch("tasks", queryset=Task.objects.only("pk"))
        )

    def details(self, qs):
        return qs.prefetch_related(
            Prefetch("action_items", queryset=ActionItem.objects.select_related("unit"))
        )

    @extend_schema(
        request=SupervisionMeetingWriteSerializer,
        responses={201: SupervisionMeetingDetailSerializer, **ERRORS},
    )
    def create(self, request, *args, **kwargs):
        """Record a meeting, the tasks it discussed and its action items (office staff)."""
        data = _recorded(SupervisionMeetingWriteSerializer, self)
        actions = _rows(data.pop("actions"))
        meeting = services.supervision_meeting_record(by=request.user, actions=actions, **data)
        return self._created(meeting)


class ReformDocumentViewSet(_Scoped, *_READ, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """The registry of reform documents (改革文件), from draft to issued."""

    queryset = ReformDocument.objects.none()
    lookup_value_regex = NUMERIC
    filterset_class = DocumentFilter
    list_serializer = detail_serializer = ReformDocumentSerializer
    act_object = "document"
    default_order = ("-year", "pk")

    def rows(self):
        return selectors.documents(self.request.user)

    @extend_schema(
        request=DocumentWriteSerializer, responses={201: ReformDocumentSerializer, **ERRORS}
    )
    def create(self, request, *args, **kwargs):
        """Enter a document in the registry as a draft (office staff)."""
        document = services.document_register(
            by=request.user, **_recorded(DocumentWriteSerializer, self)
        )
        return self._created(document)

    @extend_schema(
        request=DocumentStatusSerializer, responses={200: ReformDocumentSerializer, **ERRORS}
    )
    @action(detail=True, methods=["post"], url_path="status")
    def set_status(self, request, pk=None):
        """Move the document on (draft → submitted → reviewed → issued); issuing needs its
        document number (文号) and date."""
        return self._act(services.document_set_status, DocumentStatusSerializer, act="record")


class LeadingGroupMeetingViewSet(_Scoped, *_READ, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Leading-group meetings (领导小组会议): the documents reviewed and the key tasks put
    to collective review (集体会诊)."""

    queryset = LeadingGroupMeeting.objects.none()
    lookup_value_regex = NUMERIC
    filterset_class = LeadingGroupMeetingFilter
    list_serializer = LeadingGroupMeetingSerializer
    detail_serializer = LeadingGroupMeetingDetailSerializer
    default_order = ("-year", "-number")

    def rows(self):
        return selectors.leading_group_meetings(self.request.user)

    def listing(self, qs):
        return qs.prefetch_related(
            Prefetch("documents", queryset=ReformDocument.objects.only("pk"))
        )

    def details(self, qs):
        reviews = CollectiveReview.objects.select_related("task").prefetch_related(
            Prefetch("action_items", queryset=ActionItem.objects.select_related("unit"))
        )
        return qs.prefetch_related(
            Prefetch("documents", queryset=ReformDocument.objects.select_related("drafting_unit")),
            Prefetch("reviews", queryset=reviews),
        )

    @extend_schema(
        request=LeadingGroupMeetingWriteSerializer,
        responses={201: LeadingGroupMeetingDetailSerializer, **ERRORS},
    )
    def create(self, request, *args, **kwargs):
        """Record a meeting and the documents it reviewed (office staff); a document in
        draft or submitted becomes reviewed."""
        data = _recorded(LeadingGroupMeetingWriteSerializer, self)
        meeting = services.leading_group_meeting_record(by=request.user, **data)
        return self._created(meeting)

    @extend_schema(
        parameters=[CandidateQuerySerializer],
        responses={200: ReviewCandidateSerializer(many=True), **ERRORS},
    )
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def candidates(self, request):
        """The open key tasks of an office's year most in need of collective review —
        worst rating, most escalated orders, longest without progress — each with its
        reasons, for the office to pick from when preparing a meeting."""
        query = CandidateQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        wanted = query.validated_data
        office = Unit.objects.filter(kind="office", pk=wanted["office"]).first()
        if office is None or not scopes_of(request.user).covers(office.path, *permissions.READERS):
            raise Http404
        found = selectors.review_candidates(office, wanted["year"], limit=wanted["limit"])
        return Response(ReviewCandidateSerializer(found, many=True).data)

    @extend_schema(
        request=CollectiveReviewWriteSerializer,
        responses={201: CollectiveReviewSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def reviews(self, request, pk=None):
        """Put a key task to collective review at this meeting, in four parts; each
        required improvement in `actions` becomes an action item (office staff)."""
        meeting = self.get_object()
        self.require("record", meeting)
        data = _valid(CollectiveReviewWriteSerializer, self)
        actions = _rows(data.pop("actions"))
        review = services.collective_review_add(
            meeting=meeting, by=request.user, actions=actions, **data
        )
        fresh = (
            CollectiveReview.objects.select_related("task")
            .prefetch_related(
                Prefetch("action_items", queryset=ActionItem.objects.select_related("unit"))
            )
            .get(pk=review.pk)
        )
        return Response(CollectiveReviewSerializer(fresh).data, status=status.HTTP_201_CREATED)


class _Matters(_Scoped):
    """The acts orders and action items share: the unit signs for it (签收), then
    answers; an office leader accepts or returns the answer awaiting a decision."""

    def _receive(self):
        matter = self.get_object()
        services.matter_receive(matter=matter, by=self.request.user)
        return self._read(matter)

    def _answer(self):
        matter = self.get_object()
        self.require("answer", matter)
        services.answer_submit(
            matter=matter, by=self.request.user, **_valid(AnswerWriteSerializer, self)
        )
        return self._read(matter)

    def _decide(self, service, body):
        matter = self.get_object()
        permissions.require(self.request.user, "decide", matter)
        data = _valid(body, self)
        answer = (
            matter.answers.filter(decision=AnswerDecision.PENDING)
            .order_by("-answered_at", "-pk")
            .first()
        )
        if answer is None:
            raise ConflictError(_("No answer awaits a decision."))
        service(answer=answer, by=self.request.user, **data)
        return self._read(matter)

    def _read(self, matter) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=matter.pk)).data)


ANSWER_DOC = (
    "The responsible unit answers with the report of what was done (JSON only), once it "
    "has signed for the matter (`receive`); before that the answer is refused (409). "
    "Evidence files are uploaded with the answer on its page in the web application, not "
    "through the API. An answer after the deadline is marked late."
)
RECEIVE_DOC = (
    "The responsible unit's liaison or head signs for it (签收): `received_by` and "
    "`received_at` are set, and the unit may then answer. Office staff and leaders do not "
    "sign for a unit (403). Signed once: a second signing is refused (409) and changes "
    "nothing; an escalation or a returned answer keeps the receipt. No request body."
)


class SupervisionOrderViewSet(_Matters, *_READ, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Supervision orders (督办单): numbered per year, blue reminder → orange warning →
    red order; an order unanswered at its deadline climbs a level by itself.
    `overdue=true` lists those unanswered past their deadline, `overdue=false` the rest;
    `unit` takes in the units below it."""

    queryset = SupervisionOrder.objects.none()
    lookup_value_regex = NUMERIC
    filterset_class = OrderFilter
    list_serializer = SupervisionOrderSerializer
    detail_serializer = SupervisionOrderDetailSerializer
    act_object = "order"
    default_order = ("-year", "-number")

    def rows(self):
        late = Answer.objects.filter(order=OuterRef("pk"), late=True)
        return selectors.orders(self.request.user).annotate(answered_late=Exists(late))

    def details(self, qs):
        return qs.prefetch_related(ANSWERS)

    @extend_schema(
        request=OrderIssueSerializer,
        responses={201: SupervisionOrderDetailSerializer, **ERRORS},
    )
    def create(self, request, *args, **kwargs):
        """Issue an order on one task or one action item (一事一单) to the unit responsible
        for it (office leaders); the unit and its head are told."""
        order = services.order_issue(by=request.user, **_recorded(OrderIssueSerializer, self))
        return self._created(order)

    @extend_schema(
        request=EscalateSerializer,
        responses={200: SupervisionOrderDetailSerializer, **ERRORS, **CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def escalate(self, request, pk=None):
        """Raise the order one level by hand, with the reason (office leaders)."""
        return self._act(services.order_escalate, EscalateSerializer, act="escalate")

    @extend_schema(
        request=None,
        responses={200: SupervisionOrderDetailSerializer, **ERRORS, **RECEIVED},
        description=RECEIVE_DOC,
    )
    @action(detail=True, methods=["post"])
    def receive(self, request, pk=None):
        """Sign for the order (签收) before answering it (the unit's liaison or head)."""
        return self._receive()

    @extend_schema(
        request=AnswerWriteSerializer,
        responses={200: SupervisionOrderDetailSerializer, **ERRORS, **NOT_RECEIVED},
        description=ANSWER_DOC,
    )
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        return self._answer()

    @extend_schema(
        request=NoteSerializer,
        responses={200: SupervisionOrderDetailSerializer, **ERRORS, **NO_ANSWER},
    )
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """Accept the answer awaiting a decision: the order is closed (office leaders)."""
        return self._decide(services.answer_accept, NoteSerializer)

    @extend_schema(
        request=AnswerReturnSerializer,
        responses={200: SupervisionOrderDetailSerializer, **ERRORS, **NO_ANSWER},
    )
    @action(detail=True, methods=["post"], url_path="return")
    def send_back(self, request, pk=None):
        """Return the answer with the reason; the unit answers again (office leaders)."""
        return self._decide(services.answer_return, AnswerReturnSerializer)


class ActionItemViewSet(_Matters, *_READ, viewsets.GenericViewSet):
    """Action items (督办事项) set by supervision meetings and collective reviews,
    tracked like orders until accepted. `year` is the year of the meeting that set
    them; `overdue` and `unit` filter as for orders."""

    queryset = ActionItem.objects.none()
    lookup_value_regex = NUMERIC
    filterset_class = ActionItemFilter
    list_serializer = ActionItemSerializer
    detail_serializer = ActionItemDetailSerializer
    act_object = "action_item"
    default_order = ("deadline", "pk")

    def rows(self):
        return selectors.action_items(self.request.user)

    def details(self, qs):
        return qs.prefetch_related(
            ANSWERS, Prefetch("orders", queryset=SupervisionOrder.objects.all())
        )

    @extend_schema(
        request=None,
        responses={200: ActionItemDetailSerializer, **ERRORS, **RECEIVED},
        description=RECEIVE_DOC,
    )
    @action(detail=True, methods=["post"])
    def receive(self, request, pk=None):
        """Sign for the action item (签收) before answering it (the unit's liaison or head)."""
        return self._receive()

    @extend_schema(
        request=AnswerWriteSerializer,
        responses={200: ActionItemDetailSerializer, **ERRORS, **NOT_RECEIVED},
        description=ANSWER_DOC,
    )
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        return self._answer()

    @extend_schema(
        request=NoteSerializer,
        responses={200: ActionItemDetailSerializer, **ERRORS, **NO_ANSWER},
    )
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """Accept the answer awaiting a decision: the item is closed (office leaders)."""
        return self._decide(services.answer_accept, NoteSerializer)

    @extend_schema(
        request=AnswerReturnSerializer,
        responses={200: ActionItemDetailSerializer, **ERRORS, **NO_ANSWER},
    )
    @action(detail=True, methods=["post"], url_path="return")
    def send_back(self, request, pk=None):
        """Return the answer with the reason; the unit answers again (office leaders)."""
        return self._decide(services.answer_return, AnswerReturnSerializer)
