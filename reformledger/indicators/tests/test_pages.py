"""The indicator pages as their users meet them: the list with its filters, the page of
one indicator with its chart and the same numbers in a table, the office's forms, the
owner unit's report with evidence, the check, and the Excel export."""

import io
import json
from decimal import Decimal

import lxml.html
import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from reformledger.audit.models import AuditRecord
from reformledger.indicators import services
from reformledger.indicators.choices import ValueStatus
from reformledger.indicators.models import Indicator, IndicatorValue
from tests.files import PDF
from tests.next_acts import in_english


def _page(response) -> lxml.html.HtmlElement:
    assert response.status_code == 200, response.content[:500]
    return lxml.html.fromstring(response.content)


def _codes(response) -> list[str]:
    return [
        row.get("data-code") for row in _page(response).xpath("//*[@data-testid='indicator-row']")
    ]


def _english(client_for, user):
    return in_english(client_for(user))


def _demo(zombies, loans, periods, office_staff, fgj_liaison, huiyang_liaison):
    """The 2016 figures: 336 of 454 zombie enterprises shut down (74%), 66 firms financed
    by the end of the year, 20 by June (behind a target of 66)."""
    services.indicator_set_target(indicator=zombies.rate, by=office_staff, year=2016, target=70)
    services.indicator_set_target(indicator=loans, by=office_staff, year=2016, target=66)
    services.indicator_report(
        indicator=zombies.total, period=periods[12], value=454, by=fgj_liaison
    )
    services.indicator_report(
        indicator=zombies.closed, period=periods[12], value=336, by=fgj_liaison
    )
    services.indicator_report(indicator=loans, period=periods[6], value=20, by=huiyang_liaison)


def test_the_list_shows_target_latest_actual_and_track(
    world, office_staff, fgj_liaison, huiyang_liaison, zombies, loans, periods, client_for
):
    _demo(zombies, loans, periods, office_staff, fgj_liaison, huiyang_liaison)
    client = _english(client_for, office_staff)
    doc = _page(client.get(reverse("indicators:list"), {"year": 2016}))
    rows = {r.get("data-code"): r for r in doc.xpath("//*[@data-testid='indicator-row']")}
    assert set(rows) == {"F-01", "Z-01", "Z-02", "Z-03"}
    rate = rows["Z-03"]
    assert "74.0 %" in rate.xpath(".//*[@data-testid='latest']")[0].text_content()
    assert "70.0 %" in rate.xpath(".//*[@data-testid='target']")[0].text_content()
    assert rate.xpath(".//*[@data-track]")[0].get("data-track") == "on_track"
    assert rows["F-01"].xpath(".//*[@data-track]")[0].get("data-track") == "behind"
    # Filters: by track, by owner unit, by search; sorting by name reverses.
    behind = client.get(reverse("indicators:list"), {"year": 2016, "track": "behind"})
    assert _codes(behind) == ["F-01"]
    owned = client.get(reverse("indicators:list"), {"year": 2016, "owner": world.fgj.pk})
    assert _codes(owned) == ["Z-01", "Z-02", "Z-03"]
    assert _codes(client.get(reverse("indicators:list"), {"q": "出清率"})) == ["Z-03"]
    assert _codes(client.get(reverse("indicators:list"), {"ordering": "-code"}))[0] == "Z-03"


def test_the_owner_unit_lists_only_its_own_indicators(
    world, zombies, loans, huiyang_liaison, client_for
):
    response = client_for(huiyang_liaison).get(reverse("indicators:list"))
    assert _codes(response) == ["F-01"]
    doc = _page(response)
    assert not doc.xpath("//*[@data-testid='define']")


def test_the_indicator_page_charts_the_path_against_the_actual(
    world, office_staff, fgj_liaison, huiyang_liaison, zombies, loans, periods, client_for
):
    _demo(zombies, loans, periods, office_staff, fgj_liaison, huiyang_liaison)
    client = _english(client_for, office_staff)
    response = client.get(reverse("indicators:detail", args=[zombies.rate.pk]), {"year": 2016})
    doc = _page(response)
    chart = json.loads(doc.get_element_by_id("indicator-chart-data").text)
    assert chart["periods"][-1] == "2016-12"
    assert chart["path"][-1] == 70.0 and round(chart["actual"][-1], 1) == 74.0
    table = doc.xpath("//*[@data-testid='series-table']//tr[@data-period='2016-12']")[0]
    assert "74.0" in table.text_content() and "70.0" in table.text_content()
    assert "Computed from its parts" in doc.xpath("//*[@data-testid='kind']")[0].text_content()
    assert not doc.xpath("//*[@data-testid='values']")  # a ratio has no values of its own
    history = doc.xpath("//*[@data-testid='history']")[0].text_content()
    assert "set the indicator's target" in history and "defined the indicator" in history
    scripts = [s.get("src") for s in doc.xpath("//script[@src]")]
    assert any("echarts" in s for s in scripts) and any("indicators/chart" in s for s in scripts)


def test_the_office_defines_an_indicator_through_its_form(world, office_staff, client_for):
    client = _english(client_for, office_staff)
    assert client.get(reverse("indicators:create")).status_code == 200
    body = {
        "code": "W-01",
        "name": "水生态试点完成投资",
        "measure": "亿元",
        "direction": "higher",
        "kind": "reported",
        "scale": "1",
        "decimals": "1",
        "owner_unit": world.fgj.pk,
        "tasks": [world.task_helped.pk],
    }
    response = client.post(reverse("indicators:create"), body)
    indicator = Indicator.objects.get(code="W-01")
    assert response.status_code == 302
    assert response["Location"] == reverse("indicators:detail", args=[indicator.pk])
    assert list(indicator.tasks.all()) == [world.task_helped]
    # The same code again is refused on its field.
    again = client.post(reverse("indicators:create"), body)
    assert again.status_code == 400
    assert _error(again, "code")


def _error(response, field: str) -> str:
    doc = lxml.html.fromstring(response.content)
    found = doc.xpath(f"//*[@data-field='{field}']")
    return found[0].text_content() if found else ""


def test_a_ratio_form_without_a_denominator_names_the_field(
    world, office_staff, zombies, client_for
):
    response = _english(client_for, office_staff).post(
        reverse("indicators:create"),
        {
            "code": "R-1",
            "name": "率",
            "measure": "%",
            "direction": "higher",
            "kind": "ratio",
            "scale": "100",
            "decimals": "1",
            "owner_unit": world.fgj.pk,
            "numerator": zombies.closed.pk,
        },
    )
    assert response.status_code == 400 and _error(response, "denominator")


def test_an_edit_from_a_stale_version_overwrites_nothing(world, office_staff, zombies, client_for):
    client = _english(client_for, office_staff)
    url = reverse("indicators:edit", args=[zombies.closed.pk])
    form = _page(client.get(url))
    assert form.xpath("//input[@name='version']")[0].get("value") == "1"
    services.indicator_update(indicator=zombies.closed, by=office_staff, version=1, source="别处")
    body = {
        "code": "Z-01",
        "name": "出清户数",
        "measure": "户",
        "direction": "higher",
        "kind": "reported",
        "scale": "1",
        "decimals": "0",
        "owner_unit": world.fgj.pk,
        "source": "市国资委",
        "version": "1",
    }
    response = client.post(url, body)
    assert response.status_code == 400
    assert "changed by someone else" in response.content.decode()
    zombies.closed.refresh_from_db()
    assert zombies.closed.name == "国有僵尸企业出清户数" and zombies.closed.source == "别处"
    body["version"] = "2"
    assert client.post(url, body).status_code == 302
    zombies.closed.refresh_from_db()
    assert zombies.closed.name == "出清户数"


def test_the_office_sets_a_target_on_the_indicator_page(world, office_staff, loans, client_for):
    client = _english(client_for, office_staff)
    url = reverse("indicators:target", args=[loans.pk])
    response = client.post(url, {"year": "2016", "target": "66"})
    assert response.status_code == 302
    doc = _page(client.get(reverse("indicators:detail", args=[loans.pk])))
    assert "2016: 66" in doc.xpath("//*[@data-testid='targets']")[0].text_content()
    bad = client.post(url, {"year": "2016", "target": "lots"})
    assert bad.status_code == 400 and _error(bad, "target")


def test_the_owner_unit_reports_with_evidence_and_the_office_checks(
    world, office_staff, huiyang_liaison, loans, periods, client_for
):
    unit = _english(client_for, huiyang_liaison)
    url = reverse("indicators:report", args=[loans.pk])
    form = _page(unit.get(url, {"period": periods[6].pk}))
    assert form.xpath("//form[@data-confirm and @data-submit-once]")
    upload = SimpleUploadedFile("贷款名单.pdf", PDF, content_type="application/pdf")
    response = unit.post(
        url, {"period": periods[6].pk, "value": "20", "note": "截至6月底", "files": [upload]}
    )
    assert response.status_code == 302
    value = IndicatorValue.objects.get(indicator=loans, period=periods[6])
    assert value.value == 20 and value.status == ValueStatus.REPORTED
    stored = value.files.get()
    download = unit.get(reverse("indicators:value_file", args=[stored.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    # A file that is not what its name says is refused on the field.
    fake = SimpleUploadedFile("假.pdf", b"MZ not a pdf", content_type="application/pdf")
    refused = unit.post(url, {"period": periods[7].pk, "value": "25", "files": [fake]})
    assert refused.status_code == 400 and _error(refused, "files")

    office = _english(client_for, office_staff)
    page = _page(office.get(reverse("indicators:detail", args=[loans.pk])))
    check_form = page.xpath("//form[@data-confirm and @data-submit-once]//*[@data-testid='check']")
    assert check_form
    assert office.post(reverse("indicators:value_check", args=[value.pk])).status_code == 302
    value.refresh_from_db()
    assert value.status == ValueStatus.CHECKED
    # Checked twice: told, nothing changes; the unit cannot check at all.
    again = office.post(reverse("indicators:value_check", args=[value.pk]), follow=True)
    assert "already checked" in again.content.decode()
    assert unit.post(reverse("indicators:value_check", args=[value.pk])).status_code == 403


def test_the_office_returns_a_value_with_its_reason(
    world, office_staff, huiyang_liaison, loans, periods, client_for
):
    value = services.indicator_report(
        indicator=loans, period=periods[3], value=9, by=huiyang_liaison
    )
    office = _english(client_for, office_staff)
    url = reverse("indicators:value_return", args=[value.pk])
    empty = office.post(url, {"reason": ""})
    assert empty.status_code == 400 and _error(empty, "reason")
    assert office.post(url, {"reason": "缺少佐证"}).status_code == 302
    doc = _page(
        _english(client_for, huiyang_liaison).get(reverse("indicators:detail", args=[loans.pk]))
    )
    assert "缺少佐证" in doc.xpath("//*[@data-testid='return-reason']")[0].text_content()


def test_another_units_value_and_file_are_not_found(
    world, fgj_liaison, huiyang_liaison, zombies, periods, client_for
):
    value = services.indicator_report(
        indicator=zombies.closed,
        period=periods[3],
        value=5,
        by=fgj_liaison,
        files=[SimpleUploadedFile("a.pdf", PDF, content_type="application/pdf")],
    )
    other = client_for(huiyang_liaison)
    assert (
        other.get(reverse("indicators:value_file", args=[value.files.get().pk])).status_code == 404
    )
    assert other.post(reverse("indicators:value_check", args=[value.pk])).status_code == 404


def test_the_excel_export_has_one_row_per_indicator_and_a_column_per_period(
    world, office_staff, fgj_liaison, huiyang_liaison, zombies, loans, periods, client_for
):
    _demo(zombies, loans, periods, office_staff, fgj_liaison, huiyang_liaison)
    client = _english(client_for, office_staff)
    response = client.get(reverse("indicators:export_xlsx"), {"year": 2016})
    assert response.status_code == 200
    assert "indicators-2016.xlsx" in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert "2016" in rows[0][0]
    header = rows[1]
    assert header[:9] == (
        "Code",
        "Indicator",
        "Unit of measure",
        "Direction",
        "Owner unit",
        "Baseline",
        "Target",
        "Latest actual",
        "Track",
    )
    assert header[9:] == tuple(f"2016-{m:02d}" for m in range(1, 13))
    by_code = {r[0]: r for r in rows[2:]}
    assert set(by_code) == {"F-01", "Z-01", "Z-02", "Z-03"}
    rate = by_code["Z-03"]
    assert rate[6] == 70.0 and rate[7] == 74.0 and rate[8] == "On track"
    assert rate[9 + 11] == 74.0 and rate[9] is None
    assert by_code["F-01"][8] == "Behind its path" and by_code["F-01"][9 + 5] == 20
    record = AuditRecord.objects.get(verb="export.ledger", changes__document__1="indicators")
    assert record.actor == office_staff and record.changes["rows"] == [None, 4]


def test_the_export_follows_the_user_scope(world, zombies, loans, huiyang_liaison, client_for):
    response = client_for(huiyang_liaison).get(reverse("indicators:export_xlsx"))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    codes = [r[0] for r in list(sheet.iter_rows(values_only=True))[2:]]
    assert codes == ["F-01"]


def test_a_formula_in_a_name_is_exported_as_text(world, office_staff, client_for):
    services.indicator_create(
        office=world.office,
        by=office_staff,
        code="X-1",
        name='=HYPERLINK("x")',
        measure="个",
        owner_unit=world.fgj,
        baseline=Decimal(1),
    )
    response = client_for(office_staff).get(reverse("indicators:export_xlsx"))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    cell = sheet.cell(row=3, column=2)
    assert cell.value == '=HYPERLINK("x")' and cell.data_type == "s"
