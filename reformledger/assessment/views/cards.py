"""The assessment's pages: the cards of a year, a card with its reasons, rule set,
appeals and history; the rule set; the office's acts on the year's cards, each on a
page that shows what it rests on; the appeal form and the appeals; the documents."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _

from reformledger.assessment import permissions, selectors, services
from reformledger.assessment.choices import (
    AppealStatus,
    CardColour,
    CardStatus,
    FactKind,
    TriggerKind,
)
from reformledger.assessment.forms import (
    ORDERINGS,
    ActForm,
    AppealForm,
    CardFilter,
    DecideForm,
    RuleSetForm,
    StartForm,
)
from reformledger.assessment.models import Appeal, AppealFile, Card, RuleSet
from reformledger.audit.selectors import history_of
from reformledger.core.exceptions import ConflictError
from reformledger.core.forms import add_service_errors
from reformledger.core.http import stored_file_response
from reformledger.core.views import list_paging, posted_form_act, section_page
from reformledger.orgs.models import Unit

sees = section_page(permissions.sees_assessment)

#: The office's acts on a year's cards: the status they start from, who may, the service.
ACTS = {
    "draft": (None, services.cards_draft),
    "review": (CardStatus.DRAFT, services.cards_review),
    "confirm": (CardStatus.REVIEWED, services.cards_confirm),
    "publish": (CardStatus.CONFIRMED, services.cards_publish),
}


def _year(request, years: list[int]) -> int | None:
    try:
        return int(request.GET.get("year") or (years[0] if years else 0)) or None
    except ValueError:
        return years[0] if years else None


@sees
def card_list(request):
    """The cards of a year: filter by colour, kind of unit and status, search, sort, pages."""
    user = request.user
    years = selectors.years_of(user)
    year = _year(request, years)
    form = CardFilter(request.GET or None, years=years, initial={"year": year})
    rows = selectors.cards(user).filter(year=year or 0, is_current=True)
    if form.is_valid():
        data = form.cleaned_data
        if data.get("q"):
            rows = rows.filter(
                Q(unit__name__icontains=data["q"]) | Q(unit__short_name__icontains=data["q"])
            )
        if data.get("colour"):
            rows = rows.filter(colour=data["colour"])
        if data.get("kind"):
            rows = rows.filter(unit__kind=data["kind"])
        if data.get("status"):
            rows = rows.filter(status=data["status"])
    ordering = request.GET.get("ordering", "unit")
    rows = rows.order_by(*ORDERINGS.get(ordering, ORDERINGS["unit"]))
    office = selectors.office_for(user, request.GET.get("office"))
    context = {
        "filter": form,
        "year": year,
        "years": years,
        "ordering": ordering,
        "counts": selectors.year_counts(user, year) if year else {},
        "office": office,
        "acts": _office_acts(user, office, year) if office and year else {},
        **list_paging(request, rows),
    }
    return render(request, "assessment/card_list.html", context)


def _office_acts(user, office: Unit, year: int) -> dict:
    """The acts on the year's cards the user may do now: allowed to them, and with cards
    in the state the act starts from (drafting: none confirmed or published yet)."""
    statuses = set(
        Card.objects.filter(office=office, year=year, is_current=True).values_list(
            "status", flat=True
        )
    )
    now = {
        act: (
            not statuses & {CardStatus.CONFIRMED, CardStatus.PUBLISHED}
            if start is None
            else start in statuses
        )
        for act, (start, _service) in ACTS.items()
    }
    allowed = {act: permissions.can_office(user, act, office) for act in (*ACTS, "keep_rules")}
    return {act: ok and now.get(act, True) for act, ok in allowed.items()}


@sees
def card_detail(request, pk: int):
    """A card: score, colour, each reason linking to its fact, the rules it used, its
    versions, appeals and history."""
    try:
        card = selectors.card_detail(request.user, pk)
    except Card.DoesNotExist as exc:
        raise Http404 from exc
    versions = list(
        Card.objects.filter(office=card.office_id, year=card.year, unit=card.unit_id)
        .filter(pk__in=selectors.cards(request.user).values("pk"))
        .order_by("version")
    )
    window = services.appeal_window_end(card)
    context = {
        "card": card,
        "reasons": list(card.reasons.all()),
        "appeals": list(card.appeals.all()),
        "versions": versions,
        "window_end": window,
        "can_appeal": permissions.can(request.user, "appeal", card) and card.is_current,
        "can_decide": permissions.can(request.user, "decide_appeal", card),
        "history": history_of(card),
        "rules_used": _rules_used(card.rules),
    }
    return render(request, "assessment/card_detail.html", context)


def _rules_used(snapshot: dict) -> dict:
    """The rules a card kept (its snapshot), in words."""
    facts, triggers = dict(FactKind.choices), dict(TriggerKind.choices)
    return {
        "rules": [
            {**r, "label": facts.get(r["kind"], r["kind"])} for r in snapshot.get("rules", [])
        ],
        "triggers": [
            {**t, "label": triggers.get(t["kind"], t["kind"])} for t in snapshot.get("triggers", [])
        ],
    }


@sees
def rule_sets(request):
    """The office's rule sets by year, and starting a year's rule set."""
    office = selectors.office_for(request.user, request.GET.get("office"))
    can_keep = bool(office) and permissions.can_office(request.user, "keep_rules", office)
    form = StartForm(request.POST or None)
    if request.method == "POST":
        if not can_keep:
            raise PermissionDenied
        if form.is_valid():
            try:
                rule_set = services.rule_set_start(
                    office=office,
                    year=form.cleaned_data["year"],
                    by=request.user,
                    copy=form.cleaned_data["copy"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            except ConflictError as exc:
                messages.warning(request, str(exc))
            else:
                messages.success(
                    request, _("The rule set of %(year)s was started.") % {"year": rule_set.year}
                )
                return redirect("assessment:rule_set", office=office.pk, year=rule_set.year)
    rows = selectors.rule_sets(request.user).order_by("-year", "office__path")
    return render(
        request,
        "assessment/rule_sets.html",
        {"rows": rows, "form": form, "can_keep": can_keep, "office": office},
        status=400 if form.errors else 200,
    )


@sees
def rule_set_page(request, office: int, year: int):
    """A year's rule set: its numbers, rules and triggers; office staff edit it until the
    year's cards are confirmed."""
    try:
        unit = Unit.objects.get(pk=office)
        rule_set = selectors.rule_set_detail(request.user, unit, year)
    except (Unit.DoesNotExist, RuleSet.DoesNotExist) as exc:
        raise Http404 from exc
    can_edit = permissions.can(request.user, "keep_rules", rule_set) and not rule_set.is_locked
    initial = {
        "base_score": rule_set.base_score,
        "threshold": rule_set.threshold,
        "appeal_days": rule_set.appeal_days,
        "version": rule_set.version,
    }
    form = RuleSetForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if not permissions.can(request.user, "keep_rules", rule_set):
            raise PermissionDenied
        if form.is_valid():
            rules, triggers = form.rows(request.POST)
            try:
                services.rule_set_edit(
                    rule_set=rule_set,
                    by=request.user,
                    base_score=form.cleaned_data["base_score"],
                    threshold=form.cleaned_data["threshold"],
                    appeal_days=form.cleaned_data["appeal_days"],
                    rules=rules,
                    triggers=triggers,
                    version=form.cleaned_data["version"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            except ConflictError as exc:
                messages.warning(request, str(exc))
                return redirect(request.path)
            else:
                messages.success(request, _("The rule set was saved."))
                return redirect(request.path)
        status = 400
    return render(
        request,
        "assessment/rule_set.html",
        {
            "rule_set": rule_set,
            "rules": list(rule_set.rules.all()),
            "triggers": list(rule_set.triggers.all()),
            "form": form,
            "can_edit": can_edit,
            "history": history_of(rule_set),
        },
        status=status,
    )


@sees
def office_act(request, act: str, year: int):
    """An act on the office's year of cards (draft, review, confirm, publish): the page
    shows what it rests on — how many cards, green and yellow, the yellow ones and
    why — and asks to confirm."""
    if act not in ACTS:
        raise Http404
    office = selectors.office_for(
        request.user, request.GET.get("office") or request.POST.get("office")
    )
    if office is None or not permissions.can_office(request.user, act, office):
        raise PermissionDenied
    frm, run = ACTS[act]
    current = (
        selectors.cards_with_reasons(request.user)
        .filter(office=office, year=year, is_current=True)
        .order_by("unit__path")
    )
    cards = list(current)
    problem = ""
    if act == "draft":
        try:
            period = services.frozen_last_period(office, year)
        except ValidationError as exc:
            problem, period = " ".join(exc.messages), None
        if not RuleSet.objects.filter(office=office, year=year).exists():
            problem = _("Start the rule set of %(year)s before drafting its cards.") % {
                "year": year
            }
    else:
        period = cards[0].period if cards else None
        if not cards:
            problem = _("There are no cards of %(year)s yet.") % {"year": year}
        elif any(c.status != frm for c in cards):
            problem = _("Only %(status)s cards can be acted on here.") % {
                "status": CardStatus(frm).label
            }
    form = ActForm(request.POST or None, initial={"expected": len(cards)})
    back = reverse("assessment:cards") + f"?year={year}"
    if request.method == "POST":
        kwargs = {"office": office, "year": year, "by": request.user}

        def do(data):
            if act != "draft":
                kwargs["expected"] = data["expected"]
            return run(**kwargs)

        return posted_form_act(
            request,
            form,
            run=do,
            done=_("Done: %(act)s.") % {"act": act_words()[act]},
            back=back,
            refused=lambda f: _act_page(request, act, office, year, cards, period, problem, f, 400),
        )
    return _act_page(request, act, office, year, cards, period, problem, form, 200)


def act_words() -> dict:
    """The words of each act, read at request time."""
    return {
        "draft": _("draft the cards from the ledger"),
        "review": _("mark the draft cards reviewed"),
        "confirm": _("confirm the cards"),
        "publish": _("publish the cards to the units"),
    }


def _act_page(request, act, office, year, cards, period, problem, form, status):
    yellow = [c for c in cards if c.colour == CardColour.YELLOW]
    return render(
        request,
        "assessment/act.html",
        {
            "act": act,
            "act_words": act_words()[act],
            "office": office,
            "year": year,
            "cards": cards,
            "yellow": yellow,
            "green_count": len(cards) - len(yellow),
            "period": period,
            "problem": problem,
            "form": form,
        },
        status=status,
    )


@sees
def appeal_new(request, pk: int):
    """The unit's appeal of its published card: the reason and evidence."""
    try:
        card = selectors.card_detail(request.user, pk)
    except Card.DoesNotExist as exc:
        raise Http404 from exc
    if not permissions.can(request.user, "appeal", card):
        raise PermissionDenied
    form = AppealForm(request.POST or None, request.FILES or None)
    back = reverse("assessment:card", args=[card.pk])
    if request.method == "POST":
        return posted_form_act(
            request,
            form,
            run=lambda d: services.appeal_submit(
                card=card, by=request.user, reason=d["reason"], files=d.get("files") or []
            ),
            done=_("Your appeal was submitted."),
            back=back,
            refused=lambda f: render(
                request, "assessment/appeal_form.html", {"card": card, "form": f}, status=400
            ),
        )
    return render(
        request,
        "assessment/appeal_form.html",
        {"card": card, "form": form, "window_end": services.appeal_window_end(card)},
    )


@sees
def appeal_list(request):
    """Appeals the user may see, pending first."""
    rows = selectors.appeals(request.user)
    status = request.GET.get("status", "")
    if status in AppealStatus.values:
        rows = rows.filter(status=status)
    rows = rows.order_by("status", "-submitted_at", "-pk")
    return render(
        request,
        "assessment/appeals.html",
        {"status": status, "statuses": AppealStatus.choices, **list_paging(request, rows)},
    )


@sees
def appeal_decide(request, pk: int):
    """An office leader decides an appeal: the card, the reason and evidence shown."""
    try:
        appeal = selectors.appeals(request.user).prefetch_related("files").get(pk=pk)
        card = selectors.card_detail(request.user, appeal.card_id)
    except (Appeal.DoesNotExist, Card.DoesNotExist) as exc:
        raise Http404 from exc
    if not permissions.can(request.user, "decide_appeal", card):
        raise PermissionDenied
    form = DecideForm(request.POST or None, initial={"score": card.score, "colour": card.colour})
    back = reverse("assessment:card", args=[card.pk])
    context = {"appeal": appeal, "card": card, "reasons": list(card.reasons.all())}
    if request.method == "POST":
        return posted_form_act(
            request,
            form,
            run=lambda d: services.appeal_decide(
                appeal=appeal,
                by=request.user,
                reason=d["reason"],
                change=d["decision"] == "change",
                score=d.get("score"),
                colour=d.get("colour") or None,
            ),
            done=_("The appeal was decided."),
            back=back,
            refused=lambda f: render(
                request, "assessment/appeal_decide.html", {**context, "form": f}, status=400
            ),
        )
    return render(request, "assessment/appeal_decide.html", {**context, "form": form})


@sees
def appeal_file(request, pk: int):
    """An appeal's evidence file, for those who see the appeal; audited."""
    try:
        stored = AppealFile.objects.select_related("appeal").get(
            pk=pk, appeal__in=selectors.appeals(request.user).values("pk")
        )
    except AppealFile.DoesNotExist as exc:
        raise Http404 from exc
    try:
        handle = services.appeal_file_open(stored=stored, by=request.user)
    except FileNotFoundError as exc:
        raise Http404 from exc
    return stored_file_response(handle, stored)


urlpatterns = [
    path("", card_list, name="cards"),
    path("<int:pk>/", card_detail, name="card"),
    path("<int:pk>/appeal/", appeal_new, name="appeal"),
    path("rules/", rule_sets, name="rule_sets"),
    path("rules/<int:office>/<int:year>/", rule_set_page, name="rule_set"),
    path("acts/<str:act>/<int:year>/", office_act, name="act"),
    path("appeals/", appeal_list, name="appeals"),
    path("appeals/<int:pk>/decide/", appeal_decide, name="appeal_decide"),
    path("appeals/files/<int:pk>/", appeal_file, name="appeal_file"),
]
