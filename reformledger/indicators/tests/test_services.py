"""The acts on indicators: defining one (a ratio from two reported parts), targets,
reporting a value with evidence, replacing it until checked, checking and returning —
each with its audit record, each refusal naming its field."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from reformledger.audit.models import AuditRecord
from reformledger.core.exceptions import ConflictError, StaleVersionError
from reformledger.indicators import selectors, services
from reformledger.indicators.choices import ValueStatus
from reformledger.indicators.models import IndicatorFile, IndicatorTarget, IndicatorValue
from reformledger.ledger.services.periods import period_close, periods_ensure
from reformledger.notifications.models import Notification
from reformledger.orgs import services as orgs
from reformledger.orgs.choices import UnitKind
from tests.files import PDF


def _verbs(obj_or_ctx) -> list[str]:
    return list(
        AuditRecord.objects.filter(ctx_type=obj_or_ctx._meta.label_lower, ctx_id=str(obj_or_ctx.pk))
        .order_by("id")
        .values_list("verb", flat=True)
    )


def test_the_office_defines_an_indicator_and_the_history_says_so(world, office_staff, zombies):
    closed = zombies.closed
    assert closed.owner_unit == world.fgj
    assert list(closed.tasks.all()) == [world.task_helped]
    record = AuditRecord.objects.get(verb="indicator.created", obj_id=str(closed.pk))
    assert record.actor == office_staff
    assert record.changes["name"] == [None, "国有僵尸企业出清户数"]


def test_a_code_is_unique_in_the_office(world, office_staff, zombies):
    with pytest.raises(ValidationError) as exc:
        services.indicator_create(
            office=world.office,
            by=office_staff,
            code="Z-01",
            name="x",
            measure="户",
            owner_unit=world.fgj,
        )
    assert "code" in exc.value.message_dict


@pytest.mark.parametrize(
    ("parts", "field"),
    [
        (lambda z: (z.closed, None), "denominator"),
        (lambda z: (z.rate, z.total), "numerator"),  # a ratio is no part
        (lambda z: (z.closed, z.closed), "denominator"),
    ],
)
def test_a_ratio_needs_two_different_reported_parts(world, office_staff, zombies, parts, field):
    numerator, denominator = parts(zombies)
    with pytest.raises(ValidationError) as exc:
        services.indicator_create(
            office=world.office,
            by=office_staff,
            code="R-9",
            name="率",
            measure="%",
            owner_unit=world.fgj,
            kind="ratio",
            numerator=numerator,
            denominator=denominator,
        )
    assert field in exc.value.message_dict


def test_a_reported_indicator_names_no_parts(world, office_staff, zombies):
    with pytest.raises(ValidationError) as exc:
        services.indicator_create(
            office=world.office,
            by=office_staff,
            code="R-9",
            name="率",
            measure="%",
            owner_unit=world.fgj,
            numerator=zombies.closed,
            denominator=zombies.total,
        )
    assert "kind" in exc.value.message_dict


def test_only_the_office_defines(world, fgj_liaison, city_leader):
    for user in (fgj_liaison, city_leader):
        with pytest.raises(PermissionDenied):
            services.indicator_create(
                office=world.office,
                by=user,
                code="X",
                name="x",
                measure="户",
                owner_unit=world.fgj,
            )


def test_the_ratio_is_computed_from_its_parts_and_never_typed(
    world, office_staff, fgj_liaison, zombies, periods
):
    dec = periods[12]
    services.indicator_report(indicator=zombies.total, period=dec, value=454, by=fgj_liaison)
    services.indicator_report(indicator=zombies.closed, period=dec, value=336, by=fgj_liaison)
    facts = selectors.indicator_facts([zombies.rate], year=2016)[zombies.rate.pk]
    assert round(facts.latest.value, 1) == Decimal("74.0")
    assert facts.latest.period == dec
    assert not IndicatorValue.objects.filter(indicator=zombies.rate).exists()
    # Reporting on the ratio is refused to the owner unit, whoever asks.
    with pytest.raises(PermissionDenied):
        services.indicator_report(indicator=zombies.rate, period=dec, value=74, by=fgj_liaison)
    with pytest.raises(PermissionDenied):
        services.indicator_report(indicator=zombies.rate, period=dec, value=74, by=office_staff)


def test_a_ratio_without_its_denominator_shows_no_value(world, fgj_liaison, zombies, periods):
    services.indicator_report(
        indicator=zombies.closed, period=periods[6], value=100, by=fgj_liaison
    )
    services.indicator_report(indicator=zombies.total, period=periods[6], value=0, by=fgj_liaison)
    facts = selectors.indicator_facts([zombies.rate], year=2016)[zombies.rate.pk]
    assert facts.latest is None


def test_the_office_sets_a_target_once_per_year(world, office_staff, zombies):
    services.indicator_set_target(indicator=zombies.rate, by=office_staff, year=2016, target=70)
    services.indicator_set_target(indicator=zombies.rate, by=office_staff, year=2016, target=70)
    services.indicator_set_target(indicator=zombies.rate, by=office_staff, year=2016, target="72.5")
    assert IndicatorTarget.objects.get(indicator=zombies.rate, year=2016).target == Decimal("72.5")
    records = AuditRecord.objects.filter(verb="indicator.target_set").order_by("id")
    assert [r.changes["target"] for r in records] == [[None, "70"], ["70", "72.5"]]


def test_a_target_is_a_number_of_a_plausible_year(world, office_staff, zombies):
    with pytest.raises(ValidationError) as exc:
        services.indicator_set_target(indicator=zombies.rate, by=office_staff, year=1900, target=1)
    assert "year" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.indicator_set_target(
            indicator=zombies.rate, by=office_staff, year=2016, target="lots"
        )
    assert "target" in exc.value.message_dict


def test_reporting_again_replaces_the_value_until_checked(
    world, office_staff, fgj_liaison, zombies, periods
):
    june = periods[6]
    first = services.indicator_report(
        indicator=zombies.closed,
        period=june,
        value=120,
        by=fgj_liaison,
        files=[SimpleUploadedFile("出清名单.pdf", PDF, content_type="application/pdf")],
    )
    assert first.files.get().original_name == "出清名单.pdf"
    again = services.indicator_report(
        indicator=zombies.closed, period=june, value=130, by=fgj_liaison, note="更正"
    )
    assert again.pk == first.pk
    again.refresh_from_db()
    assert again.value == 130 and again.note == "更正"
    n = AuditRecord.objects.count()
    same = services.indicator_report(
        indicator=zombies.closed, period=june, value="130.0", by=fgj_liaison, note="更正"
    )
    assert same.pk == first.pk and AuditRecord.objects.count() == n  # unchanged: no write
    services.indicator_check(value=again, by=office_staff)
    with pytest.raises(ConflictError):
        services.indicator_report(indicator=zombies.closed, period=june, value=140, by=fgj_liaison)
    again.refresh_from_db()
    assert again.value == 130 and again.status == ValueStatus.CHECKED
    assert _verbs(zombies.closed)[-3:] == [
        "indicator.value_reported",
        "indicator.value_reported",
        "indicator.value_checked",
    ]
    assert IndicatorFile.objects.count() == 1


def test_a_returned_value_is_told_and_reported_again(
    world, office_staff, fgj_liaison, zombies, periods
):
    value = services.indicator_report(
        indicator=zombies.closed, period=periods[3], value=80, by=fgj_liaison
    )
    with pytest.raises(ValidationError) as exc:
        services.indicator_return(value=value, by=office_staff, reason=" ")
    assert "reason" in exc.value.message_dict
    services.indicator_return(value=value, by=office_staff, reason="与国资委台账不符")
    value.refresh_from_db()
    assert value.status == ValueStatus.RETURNED and value.return_reason == "与国资委台账不符"
    assert Notification.objects.filter(recipient=fgj_liaison, body="与国资委台账不符").exists()
    with pytest.raises(ConflictError):
        services.indicator_check(value=value, by=office_staff)  # it awaits a new report
    services.indicator_report(indicator=zombies.closed, period=periods[3], value=78, by=fgj_liaison)
    value.refresh_from_db()
    assert value.status == ValueStatus.REPORTED and value.return_reason == ""
    services.indicator_check(value=value, by=office_staff)
    with pytest.raises(ConflictError):
        services.indicator_check(value=value, by=office_staff)
    with pytest.raises(ConflictError):
        services.indicator_return(value=value, by=office_staff, reason="晚了")


def test_only_the_owner_unit_reports_and_only_the_office_checks(
    world, office_staff, fgj_liaison, huiyang_liaison, city_leader, zombies, periods
):
    for user in (huiyang_liaison, office_staff, city_leader):
        with pytest.raises(PermissionDenied):
            services.indicator_report(indicator=zombies.closed, period=periods[1], value=1, by=user)
    value = services.indicator_report(
        indicator=zombies.closed, period=periods[1], value=1, by=fgj_liaison
    )
    for user in (fgj_liaison, huiyang_liaison, city_leader):
        with pytest.raises(PermissionDenied):
            services.indicator_check(value=value, by=user)


def test_a_value_goes_into_an_open_period_of_the_indicator_office(
    world, office_staff, director, fgj_liaison, zombies, periods
):
    with pytest.raises(ValidationError) as exc:
        services.indicator_report(
            indicator=zombies.closed, period=periods[1], value="1.23456", by=fgj_liaison
        )
    assert "value" in exc.value.message_dict
    county = orgs.unit_create(
        by=None, code="HZ-HY-GGB", name="惠阳区改革办", kind=UnitKind.OFFICE, parent=world.huiyang
    )
    their_june = periods_ensure(office=county, year=2016)[5]
    with pytest.raises(ValidationError) as exc:
        services.indicator_report(
            indicator=zombies.closed, period=their_june, value=1, by=fgj_liaison
        )
    assert "period" in exc.value.message_dict
    period_close(period=periods[1], by=director)
    with pytest.raises(ValidationError) as exc:
        services.indicator_report(
            indicator=zombies.closed, period=periods[1], value=1, by=fgj_liaison
        )
    assert "period" in exc.value.message_dict


def test_an_indicator_is_changed_only_from_the_version_read(world, office_staff, zombies):
    closed = zombies.closed
    changed = services.indicator_update(
        indicator=closed, by=office_staff, version=1, name="出清户数", source="市国资委台账"
    )
    assert changed.version == 2
    record = AuditRecord.objects.filter(verb="indicator.updated").get()
    assert record.changes["name"] == ["国有僵尸企业出清户数", "出清户数"]
    with pytest.raises(StaleVersionError):
        services.indicator_update(indicator=closed, by=office_staff, version=1, name="别的")
    same = services.indicator_update(indicator=closed, by=office_staff, version=2, name="出清户数")
    assert same.version == 2
    assert AuditRecord.objects.filter(verb="indicator.updated").count() == 1


def test_a_part_of_a_ratio_or_an_indicator_with_values_does_not_become_a_ratio(
    world, office_staff, fgj_liaison, zombies, loans, periods
):
    with pytest.raises(ValidationError) as exc:
        services.indicator_update(
            indicator=zombies.total,
            by=office_staff,
            kind="ratio",
            numerator=loans,
            denominator=zombies.closed,
        )
    assert "kind" in exc.value.message_dict
