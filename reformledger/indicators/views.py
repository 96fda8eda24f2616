"""Indicator pages (指标): the list, each indicator's page with its chart of the target
path against the actuals, and the acts — define, set a target, report a value with
evidence, check or return it — each through its service; the Excel export."""

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from reformledger.audit import services as audit
from reformledger.core.clock import business_today
from reformledger.core.exceptions import ConflictError
from reformledger.core.forms import add_service_errors
from reformledger.core.http import XLSX, file_download, stored_file_response
from reformledger.core.views import (
    list_paging,
    posted_act,
    posted_form_act,
    section_page,
)
from reformledger.indicators import documents, permissions, selectors, services
from reformledger.indicators.choices import Track, ValueStatus
from reformledger.indicators.forms import (
    IndicatorFilterForm,
    IndicatorForm,
    TargetForm,
    ValueReportForm,
    ValueReturnForm,
)
from reformledger.indicators.models import Indicator, IndicatorFile, IndicatorValue
from reformledger.orgs.models import Unit
from reformledger.orgs.permissions import offices_worked

#: A page of the section: signed in, and seeing indicators in some role.
indicators_page = section_page(permissions.sees_indicators)


#: The reform offices whose indicators the user manages (office staff and leaders).
managed_offices = offices_worked


def _indicator_or_404(request, pk: int) -> Indicator:
    try:
        return selectors.indicator_detail(request.user, pk)
    except Indicator.DoesNotExist as exc:
        raise Http404 from exc


def _value_or_404(request, pk: int) -> IndicatorValue:
    value = (
        permissions.visible_values(request.user)
        .select_related("indicator__office", "indicator__owner_unit", "period")
        .filter(pk=pk)
        .first()
    )
    if value is None:
        raise Http404
    return value


def shown(value: Decimal | None, indicator: Indicator) -> str:
    """A figure as the indicator shows it: its decimal places, thousands separated."""
    if value is None:
        return ""
    return f"{value:,.{indicator.decimals}f}"


def _year(request) -> int:
    text = request.GET.get("year", "")
    return int(text) if text.isdigit() and 2000 <= int(text) <= 2100 else business_today().year


# --- the list ---------------------------------------------------------------------------


@indicators_page
def indicator_list(request):
    """The indicators the user may see: search, filter by owner unit and track, the
    year's target against the latest actual, sorted and paged."""
    owners = selectors.owner_units(request.user)
    flt = IndicatorFilterForm(request.GET or None, owners=owners)
    flt.is_valid()  # a filter given wrong is left out; the others still apply
    wanted = getattr(flt, "cleaned_data", {})
    year = wanted.get("year") or business_today().year
    ordering = request.GET.get("ordering", "")
    rows = selectors.indicator_list(
        request.user,
        q=wanted.get("q"),
        owner=wanted.get("owner"),
        track=wanted.get("track") or None,
        year=year,
        ordering=ordering if ordering.lstrip("-") in selectors.SORTS else "",
    )
    paging = list_paging(request, rows)
    for indicator in paging["page"]:
        facts = indicator.facts
        indicator.latest_text = shown(facts.latest.value, indicator) if facts.latest else ""
        indicator.target_text = shown(facts.target, indicator)
    return render(
        request,
        "indicators/indicator_list.html",
        {
            "filter": flt,
            **paging,
            "year": year,
            "ordering": ordering,
            "can_define": bool(managed_offices(request.user)),
            "tracks": Track,
        },
    )


# --- one indicator ----------------------------------------------------------------------


def _chart(indicator: Indicator, points) -> dict:
    """The chart's data: per period, the path and the actual (None where there is none)."""

    def number(value):
        return None if value is None else float(round(value, indicator.decimals + 2))

    return {
        "periods": [p.period.label for p in points],
        "path": [number(p.path) for p in points],
        "actual": [number(p.actual.value) if p.actual else None for p in points],
        "path_title": _("Target path"),
        "actual_title": _("Actual"),
        "measure": indicator.measure,
        "decimals": indicator.decimals,
    }


def _detail(request, indicator: Indicator, status: int = 200, **forms):
    user = request.user
    year = _year(request)
    facts = selectors.indicator_facts([indicator], year=year)[indicator.pk]
    points = selectors.indicator_series(indicator)
    for point in points:
        point.path_text = shown(point.path, indicator)
        point.actual_text = shown(point.actual.value, indicator) if point.actual else ""
        point.target_text = shown(point.target, indicator)
    values = [] if indicator.is_ratio else list(selectors.indicator_values(indicator))
    for value in values:
        value.value_text = shown(value.value, indicator)
    may_check = permissions.can(user, "check", indicator)
    pending = [v for v in values if v.status == ValueStatus.REPORTED]
    context = {
        "indicator": indicator,
        "facts": facts,
        "year": year,
        "latest_text": shown(facts.latest.value, indicator) if facts.latest else "",
        "target_text": shown(facts.target, indicator),
        "path_text": shown(facts.path, indicator),
        "baseline_text": shown(indicator.baseline, indicator),
        "points": points,
        "chart": _chart(indicator, points) if points else None,
        "values": values,
        "targets": list(indicator.targets.order_by("year")),
        "acts": {
            "manage": permissions.can(user, "manage", indicator),
            "report": permissions.can(user, "report", indicator),
            "check": may_check and bool(pending),
        },
        "may_check": may_check,
        "history": list(selectors.indicator_history(indicator)),
        "target_form": forms.get("target_form") or TargetForm(initial={"year": year}),
        "return_form": forms.get("return_form") or ValueReturnForm(),
        "return_value": forms.get("return_value"),
    }
    for target in context["targets"]:
        target.target_text = shown(target.target, indicator)
    return render(request, "indicators/indicator_detail.html", context, status=status)


@indicators_page
def indicator_detail(request, pk: int):
    """An indicator: its definition and links, its chart of the target path against the
    actuals with the same numbers in a table, its values with their evidence and
    checks, its targets and its history."""
    return _detail(request, _indicator_or_404(request, pk))


# --- the office defines -----------------------------------------------------------------


def _chosen_office(request, offices: list[Unit]) -> Unit:
    wanted = request.POST.get("office") or request.GET.get("office")
    if not wanted:
        office = offices[0] if offices else None
    else:
        office = next((o for o in offices if str(o.pk) == str(wanted)), None)
    if office is None:
        raise PermissionDenied
    return office


@indicators_page
def indicator_create(request):
    """Define an indicator of one of the offices the user works in (`?office=`)."""
    offices = managed_offices(request.user)
    office = _chosen_office(request, offices)
    form = IndicatorForm(request.POST if request.method == "POST" else None, office=office)
    if request.method == "POST" and form.is_valid():
        try:
            indicator = services.indicator_create(office=office, by=request.user, **form.changes())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Indicator %(code)s defined.") % {"code": indicator.code})
            return redirect("indicators:detail", indicator.pk)
    return render(
        request,
        "indicators/indicator_form.html",
        {"form": form, "office": office, "offices": offices, "indicator": None},
        status=400 if form.is_bound and form.errors else 200,
    )


@indicators_page
def indicator_edit(request, pk: int):
    """Change an indicator's definition; a change someone else made meanwhile is named
    and nothing is overwritten."""
    indicator = _indicator_or_404(request, pk)
    if not permissions.can(request.user, "manage", indicator):
        raise PermissionDenied
    initial = {
        "code": indicator.code,
        "name": indicator.name,
        "measure": indicator.measure,
        "direction": indicator.direction,
        "kind": indicator.kind,
        "numerator": indicator.numerator_id,
        "denominator": indicator.denominator_id,
        "scale": indicator.scale,
        "decimals": indicator.decimals,
        "baseline": indicator.baseline,
        "baseline_year": indicator.baseline_year,
        "owner_unit": indicator.owner_unit_id,
        "source": indicator.source,
        "tasks": [t.pk for t in indicator.tasks.all()],
        "pilots": [p.pk for p in indicator.pilots.all()],
        "version": indicator.version,
    }
    form = IndicatorForm(
        request.POST if request.method == "POST" else None,
        office=indicator.office,
        indicator=indicator,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.indicator_update(
                indicator=indicator,
                by=request.user,
                version=form.cleaned_data.get("version"),
                **form.changes(),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except ConflictError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Indicator %(code)s saved.") % {"code": indicator.code})
            return redirect("indicators:detail", indicator.pk)
    return render(
        request,
        "indicators/indicator_form.html",
        {"form": form, "office": indicator.office, "offices": [], "indicator": indicator},
        status=400 if form.is_bound and form.errors else 200,
    )


@indicators_page
@require_POST
def indicator_target(request, pk: int):
    """Set the indicator's target for a year (the office)."""
    indicator = _indicator_or_404(request, pk)
    if not permissions.can(request.user, "manage", indicator):
        raise PermissionDenied
    form = TargetForm(request.POST)
    if form.is_valid():
        try:
            services.indicator_set_target(indicator=indicator, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Target for %(year)s set.") % {"year": form.cleaned_data["year"]},
            )
            return redirect(
                reverse("indicators:detail", args=[pk]) + f"?year={form.cleaned_data['year']}"
            )
    return _detail(request, indicator, status=400, target_form=form)


# --- the owner unit reports; the office checks ------------------------------------------


@indicators_page
def indicator_report(request, pk: int):
    """The owner unit reports the indicator's value at the end of a period, with its
    evidence (`?period=` preselects one)."""
    indicator = _indicator_or_404(request, pk)
    if not permissions.can(request.user, "report", indicator):
        raise PermissionDenied
    initial = {}
    wanted = request.GET.get("period", "")
    if wanted.isdigit():
        initial["period"] = int(wanted)
        existing = indicator.values.filter(period_id=int(wanted)).first()
        if existing is not None:
            initial |= {"value": existing.value, "note": existing.note}
    form = ValueReportForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        indicator=indicator,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.indicator_report(
                indicator=indicator,
                period=data["period"],
                value=data["value"],
                by=request.user,
                note=data["note"],
                files=data["files"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc, {"file": "files"})
        except ConflictError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("Value for %(period)s reported; it awaits the office's check.")
                % {"period": data["period"].label},
            )
            return redirect("indicators:detail", indicator.pk)
    values = list(selectors.indicator_values(indicator)[:12])
    for value in values:
        value.value_text = shown(value.value, indicator)
    return render(
        request,
        "indicators/report_form.html",
        {"form": form, "indicator": indicator, "values": values},
        status=400 if form.is_bound and form.errors else 200,
    )


@indicators_page
@require_POST
def value_check(request, pk: int):
    """The office checks a reported value."""
    value = _value_or_404(request, pk)
    if not permissions.can(request.user, "check", value):
        raise PermissionDenied
    return posted_act(
        request,
        run=lambda: services.indicator_check(value=value, by=request.user),
        done=_("Value for %(period)s checked.") % {"period": value.period.label},
        back=reverse("indicators:detail", args=[value.indicator_id]),
    )


@indicators_page
@require_POST
def value_return(request, pk: int):
    """The office returns a reported value to the owner unit with the reason."""
    value = _value_or_404(request, pk)
    if not permissions.can(request.user, "check", value):
        raise PermissionDenied

    def refused(form):
        indicator = _indicator_or_404(request, value.indicator_id)
        return _detail(request, indicator, status=400, return_form=form, return_value=value.pk)

    return posted_form_act(
        request,
        ValueReturnForm(request.POST),
        run=lambda data: services.indicator_return(
            value=value, by=request.user, reason=data["reason"]
        ),
        done=_("Value for %(period)s returned to %(unit)s.")
        % {"period": value.period.label, "unit": value.indicator.owner_unit.label},
        back=reverse("indicators:detail", args=[value.indicator_id]),
        refused=refused,
    )


@indicators_page
def value_file(request, pk: int):
    """A value's evidence file, for those who may see the indicator; the download is in
    the audit trail."""
    try:
        stored = selectors.value_file(request.user, pk)
    except IndicatorFile.DoesNotExist as exc:
        raise Http404 from exc
    try:
        handle = services.indicator_file_open(stored=stored, by=request.user)
    except FileNotFoundError as exc:
        raise Http404 from exc
    return stored_file_response(handle, stored)


# --- the Excel export ---------------------------------------------------------------------


@indicators_page
def indicators_xlsx(request):
    """The indicators the user sees (as the list filters them) as a workbook: the year's
    target, the latest actual, the track and one column per period (the download is
    audited)."""
    owners = selectors.owner_units(request.user)
    flt = IndicatorFilterForm(request.GET or None, owners=owners)
    flt.is_valid()  # a filter given wrong is left out; the others still apply
    wanted = getattr(flt, "cleaned_data", {})
    year = wanted.get("year") or business_today().year
    rows = selectors.indicator_list(
        request.user,
        q=wanted.get("q"),
        owner=wanted.get("owner"),
        track=wanted.get("track") or None,
        year=year,
    )
    data = documents.write_indicators(rows, year=year)
    filters = {k: (v.pk if isinstance(v, Unit) else v) for k, v in wanted.items() if v}
    audit.export_recorded(
        by=request.user,
        document="indicators",
        filters={**filters, "year": year},
        rows=len(rows),
        fmt="xlsx",
    )
    return file_download(data, XLSX, f"indicators-{year}.xlsx")


urlpatterns = [
    path("", indicator_list, name="list"),
    path("new/", indicator_create, name="create"),
    path("export.xlsx", indicators_xlsx, name="export_xlsx"),
    path("<int:pk>/", indicator_detail, name="detail"),
    path("<int:pk>/edit/", indicator_edit, name="edit"),
    path("<int:pk>/target/", indicator_target, name="target"),
    path("<int:pk>/report/", indicator_report, name="report"),
    path("values/<int:pk>/check/", value_check, name="value_check"),
    path("values/<int:pk>/return/", value_return, name="value_return"),
    path("files/<int:pk>/", value_file, name="value_file"),
]
