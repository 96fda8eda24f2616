"""Pages of the A–E rating: the rating board of a period, the leader's decisions,
computing suggestions, closing a period, and the year's rating scale."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Max
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.dateparse import parse_datetime
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from reformledger.core.clock import business_today
from reformledger.core.forms import StyledFormMixin, add_service_errors
from reformledger.ledger import permissions, selectors, services
from reformledger.ledger.choices import PeriodStatus, RatingStatus
from reformledger.ledger.models import RatingGrade, ReformArea, Task
from reformledger.ledger.views.common import run_act
from reformledger.orgs.models import Unit
from reformledger.orgs.permissions import visible_units


class GradesField(forms.MultipleChoiceField):
    """Grades in force, several at once: repeated (`grade=D&grade=E`), comma-separated
    (`grade=D,E`) or both, as the ledger's rating filter takes them."""

    widget = forms.CheckboxSelectMultiple

    def to_python(self, value):
        return [part for v in super().to_python(value) for part in v.split(",") if part]


class BoardFilterForm(StyledFormMixin, forms.Form):
    """The rating board's filters: area, lead unit, grades in force, decision state."""

    area = forms.ModelChoiceField(
        label=gettext_lazy("Reform area"), queryset=ReformArea.objects.all(), required=False
    )
    lead_unit = forms.ModelChoiceField(
        label=gettext_lazy("Lead unit"),
        queryset=Unit.objects.filter(is_active=True).exclude(kind="office").order_by("path"),
        required=False,
    )
    grade = GradesField(label=gettext_lazy("Grade"), required=False)
    state = forms.ChoiceField(
        label=gettext_lazy("Decision"),
        choices=[("", "---------"), *RatingStatus.choices],
        required=False,
    )

    def __init__(self, *args, letters: list[str], user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grade"].choices = [(x, x) for x in letters]
        self.fields["lead_unit"].queryset = self.fields["lead_unit"].queryset.filter(
            pk__in=visible_units(user).values("pk")
        )


class ScaleForm(forms.Form):
    """The thresholds of a year's rating scale; labels and ranges come from the model
    and the service."""

    def __init__(self, *args, scale, **kwargs):
        super().__init__(*args, **kwargs)
        for name, (low, high) in services.THRESHOLD_FIELDS.items():
            self.fields[name] = forms.IntegerField(
                label=scale._meta.get_field(name).verbose_name,
                min_value=low,
                max_value=high,
                initial=getattr(scale, name),
                widget=forms.NumberInput(attrs={"class": "form-control form-control-sm"}),
            )


def _back(request, fallback: str) -> str:
    """Where to return after an act: the page the form was on, if it is ours."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def _period_or_404(request, pk: int):
    return get_object_or_404(selectors.visible_periods(request.user), pk=pk)


@login_required
def board(request):
    """The rating board (评价看板) of one period: each task's suggestion with its
    reasons, the decision, and for office leaders confirm and override."""
    user = request.user
    periods = list(selectors.visible_periods(user).order_by("-start", "office__path"))
    period = None
    if request.GET.get("period"):
        period = next((p for p in periods if str(p.pk) == request.GET["period"]), None)
        if period is None:
            raise Http404
    # Without a choice, the period of the working year (as the ledger and the dashboard).
    shown = selectors.working_year(user, period=period, periods=periods)
    period = shown.period
    offices = list(permissions.offices_of(user))
    context = {
        "periods": periods,
        "period": period,
        "shown": shown,
        "offices": offices,
        "this_year": shown.year or business_today().year,
    }
    if period is None:
        return render(request, "ledger/ratings/board.html", context)

    scale = selectors.scale_of(period)
    grades = list(scale.grades.all()) if scale else []
    flt = BoardFilterForm(
        request.GET or None, letters=[g.letter for g in grades], user=request.user
    )
    chosen = flt.cleaned_data if flt.is_valid() else {}
    rows = selectors.rating_board(
        user,
        period,
        area=chosen.get("area"),
        lead_unit=chosen.get("lead_unit"),
        grades=chosen.get("grade", ()),
        state=chosen.get("state", ""),
    )
    page = Paginator(rows, settings.LEDGER_PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = selectors.reason_texts(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    query["period"] = str(period.pk)
    counts = selectors.board_counts(user, period)
    can_decide = period.status == PeriodStatus.OPEN and permissions.can_run_office(
        user, period.office, leader=True
    )
    skipped = []
    if not chosen.get("grade") and not chosen.get("state"):
        skipped = selectors.not_rated(
            user, period, area=chosen.get("area"), lead_unit=chosen.get("lead_unit")
        )
    context.update(
        {
            "filter": flt,
            "chosen_grades": chosen.get("grade", []),
            "not_rated": skipped,
            "page": page,
            "query": query.urlencode(),
            "grades": grades,
            "counts": counts,
            "grade_counts": [(g, counts["grades"].get(g.letter, 0)) for g in grades],
            "can_compute": period.status == PeriodStatus.OPEN
            and permissions.can_run_office(user, period.office),
            "can_decide": can_decide,
            "untouched": counts["untouched"] if can_decide else None,
            "can_close": period.status == PeriodStatus.OPEN
            and period.end < business_today()
            and permissions.can_run_office(user, period.office, leader=True),
            "here": request.get_full_path(),
        }
    )
    return render(request, "ledger/ratings/board.html", context)


@login_required
@require_POST
def decide(request, pk: int):
    """Confirm a suggestion, or override it with another grade and a reason."""
    rating = get_object_or_404(
        selectors.visible_ratings(request.user).select_related(
            "task", "task__office", "task__lead_unit", "period", "suggested"
        ),
        pk=pk,
    )
    back = _back(request, f"{reverse('ledger:ratings')}?period={rating.period_id}")
    if request.POST.get("action") == "override":
        grade = RatingGrade.objects.filter(
            pk=request.POST.get("grade") or 0, scale_id=rating.suggested.scale_id
        ).first()
        run_act(
            request,
            lambda: services.rating_override(
                rating=rating, by=request.user, grade=grade, reason=request.POST.get("reason", "")
            ),
            _("Rating of %(code)s overridden.") % {"code": rating.task.code},
        )
    else:
        run_act(
            request,
            lambda: services.rating_confirm(rating=rating, by=request.user),
            _("Rating of %(code)s confirmed.") % {"code": rating.task.code},
        )
    return redirect(back)


@login_required
@require_POST
def compute(request, pk: int):
    """Compute the suggestions of every task of the period's ledger (office staff)."""
    period = _period_or_404(request, pk)
    if not permissions.can_run_office(request.user, period.office):
        raise PermissionDenied
    done: list = []
    if run_act(
        request,
        lambda: done.append(services.ratings_compute_period(period=period, by=request.user)),
        _("Suggestions computed for the period %(period)s.") % {"period": period.label},
    ):
        run = done[0]
        messages.info(
            request,
            _("%(n)s tasks rated; %(skipped)s not rated (listed on the board with the reason).")
            % {"n": run.computed, "skipped": len(run.skipped)},
        )
    return redirect(_back(request, f"{reverse('ledger:ratings')}?period={period.pk}"))


@login_required
@require_POST
def confirm_untouched(request, pk: int):
    """Confirm every suggestion of the period nobody has decided, in one act (office
    leaders); the count and the time of the latest computation the board showed come
    with it, so a board read before a recomputation confirms nothing."""
    period = _period_or_404(request, pk)
    if not permissions.can_run_office(request.user, period.office, leader=True):
        raise PermissionDenied
    raw = request.POST.get("expected", "")
    expected = int(raw) if raw.isdigit() else None
    try:
        computed_by = parse_datetime(request.POST.get("computed_by", ""))
    except ValueError:
        computed_by = None
    done: list = []
    if run_act(
        request,
        lambda: done.append(
            services.ratings_confirm_untouched(
                period=period, by=request.user, expected=expected, computed_by=computed_by
            )
        ),
        _("Suggestions confirmed in %(period)s.") % {"period": period.label},
    ):
        messages.info(
            request,
            _("%(n)s suggested grades confirmed; overridden and decided ones were left alone.")
            % {"n": len(done[0])},
        )
    return redirect(_back(request, f"{reverse('ledger:ratings')}?period={period.pk}"))


@login_required
@require_POST
def close(request, pk: int):
    """Close (freeze) a period (office leaders)."""
    period = _period_or_404(request, pk)
    if not permissions.can_run_office(request.user, period.office, leader=True):
        raise PermissionDenied
    run_act(
        request,
        lambda: services.period_close(period=period, by=request.user),
        _("The period %(period)s is closed; its ratings are frozen.") % {"period": period.label},
    )
    return redirect(f"{reverse('ledger:ratings')}?period={period.pk}")


@login_required
@require_POST
def setup(request):
    """Set up the periods of a year for an office (office staff)."""
    office = next(
        (
            o
            for o in permissions.offices_of(request.user)
            if str(o.pk) == request.POST.get("office")
        ),
        None,
    )
    if office is None:
        raise PermissionDenied
    try:
        year = int(request.POST.get("year", ""))
    except ValueError:
        year = 0
    if not 2000 <= year <= 2100:
        messages.error(request, _("Enter a year from 2000 to 2100."))
        return redirect("ledger:ratings")
    periods = services.periods_ensure(office=office, year=year, by=request.user)
    messages.success(
        request,
        _("The periods of %(year)s are set up (%(n)s).") % {"year": year, "n": len(periods)},
    )
    return redirect("ledger:ratings")


@login_required
def scale(request):
    """The year's rating scale of an office: its grades and thresholds; leaders edit
    the thresholds."""
    offices = list(permissions.offices_of(request.user))
    if not offices:
        raise PermissionDenied
    office = offices[0]
    wanted = request.GET.get("office") or request.POST.get("office")
    if wanted:
        office = next((o for o in offices if str(o.pk) == wanted), None)
        if office is None:
            raise PermissionDenied
    try:
        year = int(request.GET.get("year") or request.POST.get("year") or 0)
    except ValueError:
        year = 0
    if not 2000 <= year <= 2100:
        # The office's latest ledger year, else this year.
        year = (
            Task.objects.filter(office=office).aggregate(latest=Max("year"))["latest"]
            or business_today().year
        )
    current = services.scale_for(office, year, by=request.user)
    can_edit = permissions.can_run_office(request.user, office, leader=True)
    form = ScaleForm(request.POST or None, scale=current)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.scale_update(scale=current, by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request, _("The thresholds of %(year)s are saved.") % {"year": year}
                )
                return redirect(f"{reverse('ledger:scale')}?office={office.pk}&year={year}")
    return render(
        request,
        "ledger/ratings/scale.html",
        {
            "scale": current,
            "grades": list(current.grades.all()),
            "form": form,
            "can_edit": can_edit,
            "office": office,
            "offices": offices,
            "year": year,
        },
    )


urlpatterns = [
    path("ratings/", board, name="ratings"),
    path("ratings/<int:pk>/decide/", decide, name="rating_decide"),
    path("ratings/scale/", scale, name="scale"),
    path("ratings/periods/setup/", setup, name="periods_setup"),
    path("ratings/periods/<int:pk>/compute/", compute, name="ratings_compute"),
    path("ratings/periods/<int:pk>/close/", close, name="period_close"),
    path(
        "ratings/periods/<int:pk>/confirm-untouched/",
        confirm_untouched,
        name="ratings_confirm_untouched",
    ),
]
