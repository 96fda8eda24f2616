"""The assessment app's API resources under /api/v1/: rule sets, cards with their
reasons, and appeals, each list starting from the same scoped selector as the pages;
the acts (the office's acts on a year's cards, an appeal, its decision) call the same
services. A card one may not see is a 404, an act the role does not allow a 403, a
refused value a 400 naming its field, an act its state no longer allows a 409."""

import django_filters
from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from reformledger.api.filters import IdFilter, IntegerFilter, StrictBooleanFilter
from reformledger.api.mixins import CONFLICT, ERRORS
from reformledger.api.schema import describe_tags
from reformledger.assessment import permissions, selectors, services
from reformledger.assessment.choices import AppealStatus, CardColour, CardStatus
from reformledger.assessment.models import Appeal, Card, CardReason, Rule, RuleSet, Trigger
from reformledger.orgs.models import Unit

__all__ = ["AppealViewSet", "CardViewSet", "RuleSetViewSet", "register"]

NUMERIC = "[0-9]+"

describe_tags(
    {
        "assessment-rule-sets": """The annual assessment's rule sets (考核规则), one per
office and year: base score, threshold, days to appeal, the scoring rules and the
yellow-card triggers. Read by the office and city leaders; kept on the pages.""",
        "assessment-cards": """Green and yellow cards (绿黄牌) with every reason and the
link to the fact behind it (`fact_url`). The office and city leaders see every card; a
unit's head or liaison its own published cards.

| act | who (others: 403; a card one may not see: 404) |
| --- | --- |
| `acts` (`draft`, `review`, `publish`) | office staff and leaders |
| `acts` (`confirm`) | office leaders |
| `appeal` | the card's unit's head or liaison, within the window |
""",
        "assessment-appeals": """Appeals (申诉) of published cards; `decide` (office
leaders) upholds the card or changes it into a new version.""",
    }
)


class RuleSerializer(serializers.ModelSerializer):
    class Meta:
        model = Rule
        fields = ["kind", "letter", "points", "key_multiplier"]


class TriggerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Trigger
        fields = ["kind", "enabled", "letters", "min_days"]


class RuleSetSerializer(serializers.ModelSerializer):
    office_name = serializers.CharField(source="office.name", read_only=True)
    rules = RuleSerializer(many=True, read_only=True)
    triggers = TriggerSerializer(many=True, read_only=True)
    is_locked = serializers.BooleanField(read_only=True)

    class Meta:
        model = RuleSet
        fields = [
            "id",
            "office",
            "office_name",
            "year",
            "base_score",
            "threshold",
            "appeal_days",
            "copied_from",
            "is_locked",
            "locked_at",
            "version",
            "rules",
            "triggers",
        ]
        read_only_fields = fields


class CardReasonSerializer(serializers.ModelSerializer):
    fact_url = serializers.CharField(read_only=True)

    class Meta:
        model = CardReason
        fields = [
            "kind",
            "points",
            "triggers_yellow",
            "trigger",
            "text",
            "fact_url",
            "task",
            "rating",
            "closing",
            "supervision_order",
            "action_item",
            "innovation",
            "pilot",
            "finding",
        ]
        read_only_fields = fields


class CardSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    reasons = CardReasonSerializer(many=True, read_only=True)

    class Meta:
        model = Card
        fields = [
            "id",
            "office",
            "year",
            "unit",
            "unit_name",
            "rule_set",
            "score",
            "colour",
            "status",
            "version",
            "is_current",
            "replaces",
            "change_reason",
            "published_at",
            "reasons",
        ]
        read_only_fields = fields


class AppealSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="card.unit.name", read_only=True)

    class Meta:
        model = Appeal
        fields = [
            "id",
            "card",
            "unit_name",
            "reason",
            "status",
            "submitted_at",
            "decided_at",
            "decision_reason",
            "new_card",
        ]
        read_only_fields = fields


class ActSerializer(serializers.Serializer):
    office = serializers.IntegerField()
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    act = serializers.ChoiceField(choices=["draft", "review", "confirm", "publish"])
    expected = serializers.IntegerField(required=False)


class AppealSubmitSerializer(serializers.Serializer):
    reason = serializers.CharField()


class DecideSerializer(serializers.Serializer):
    reason = serializers.CharField()
    change = serializers.BooleanField(default=False)
    score = serializers.DecimalField(max_digits=8, decimal_places=2, required=False)
    colour = serializers.ChoiceField(choices=CardColour.choices, required=False)


class RuleSetFilter(django_filters.FilterSet):
    year = IntegerFilter()
    office = IdFilter(field_name="office_id")

    class Meta:
        model = RuleSet
        fields = ["year", "office"]


class CardFilter(django_filters.FilterSet):
    year = IntegerFilter()
    office = IdFilter(field_name="office_id")
    unit = IdFilter(field_name="unit_id")
    colour = django_filters.ChoiceFilter(choices=CardColour.choices)
    status = django_filters.ChoiceFilter(choices=CardStatus.choices)
    current = StrictBooleanFilter(field_name="is_current")
    ordering = django_filters.OrderingFilter(
        fields=(("year", "year"), ("score", "score"), ("unit__path", "unit"))
    )

    class Meta:
        model = Card
        fields = ["year", "office", "unit", "colour", "status", "current"]


class AppealFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=AppealStatus.choices)
    card = IdFilter(field_name="card_id")

    class Meta:
        model = Appeal
        fields = ["status", "card"]


@extend_schema(tags=["assessment-rule-sets"])
class RuleSetViewSet(viewsets.ReadOnlyModelViewSet):
    """Assessment rule sets of the user's offices, newest year first."""

    queryset = RuleSet.objects.none()
    serializer_class = RuleSetSerializer
    lookup_value_regex = NUMERIC
    filterset_class = RuleSetFilter

    def get_queryset(self):
        return (
            selectors.rule_sets(self.request.user)
            .prefetch_related("rules", "triggers")
            .order_by("-year", "office__path", "pk")
        )


@extend_schema(tags=["assessment-cards"])
class CardViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Cards the user may see, with their reasons."""

    queryset = Card.objects.none()
    serializer_class = CardSerializer
    lookup_value_regex = NUMERIC
    filterset_class = CardFilter

    def get_queryset(self):
        rows = selectors.cards_with_reasons(self.request.user)
        if self.request.query_params.get("ordering"):
            return rows
        return rows.order_by("-year", "unit__path", "-version", "pk")

    @extend_schema(
        request=ActSerializer, responses={200: CardSerializer(many=True), **ERRORS, **CONFLICT}
    )
    @action(detail=False, methods=["post"])
    def acts(self, request):
        """The office's act on a year's cards: draft, review, confirm or publish; answers
        with the year's current cards."""
        data = ActSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        office = Unit.objects.filter(pk=values["office"], kind="office").first()
        if office is None or not permissions.can_office(request.user, values["act"], office):
            raise PermissionDenied(f"{values['act']} not allowed")
        run = {
            "draft": services.cards_draft,
            "review": services.cards_review,
            "confirm": services.cards_confirm,
            "publish": services.cards_publish,
        }[values["act"]]
        kwargs = {"office": office, "year": values["year"], "by": request.user}
        if values["act"] != "draft" and "expected" in values:
            kwargs["expected"] = values["expected"]
        run(**kwargs)
        rows = self.get_queryset().filter(office=office, year=values["year"], is_current=True)
        return Response(CardSerializer(rows, many=True).data)

    @extend_schema(
        request=AppealSubmitSerializer, responses={201: AppealSerializer, **ERRORS, **CONFLICT}
    )
    @action(detail=True, methods=["post"])
    def appeal(self, request, pk=None):
        """Appeal the unit's published card (its head or liaison), within the window."""
        card = self.get_object()
        if not permissions.can(request.user, "appeal", card):
            raise PermissionDenied("appeal not allowed")
        data = AppealSubmitSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        appeal = services.appeal_submit(
            card=card, by=request.user, reason=data.validated_data["reason"]
        )
        return Response(AppealSerializer(appeal).data, status=201)


@extend_schema(tags=["assessment-appeals"])
class AppealViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Appeals the user may see, newest first."""

    queryset = Appeal.objects.none()
    serializer_class = AppealSerializer
    lookup_value_regex = NUMERIC
    filterset_class = AppealFilter

    def get_queryset(self):
        return selectors.appeals(self.request.user).order_by("-submitted_at", "-pk")

    @extend_schema(
        request=DecideSerializer, responses={200: AppealSerializer, **ERRORS, **CONFLICT}
    )
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        """Decide the appeal (office leaders): uphold, or change the card."""
        appeal = self.get_object()
        if not permissions.can(request.user, "decide_appeal", appeal.card):
            raise PermissionDenied("decide_appeal not allowed")
        data = DecideSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.appeal_decide(appeal=appeal, by=request.user, **data.validated_data)
        return Response(AppealSerializer(self.get_queryset().get(pk=appeal.pk)).data)


def register(router) -> None:
    """Register this app's viewsets on the API router."""
    router.register("assessment-rule-sets", RuleSetViewSet, basename="assessment-rule-set")
    router.register("assessment-cards", CardViewSet, basename="assessment-card")
    router.register("assessment-appeals", AppealViewSet, basename="assessment-appeal")
