"""The import pages: who may import, the job page and its progress bar, the template."""

import io

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from reformledger.exchange import jobs
from reformledger.exchange.models import ImportJob
from reformledger.exchange.testing import edit_xlsx, open_xlsx, workbook
from reformledger.ledger.models import Task
from reformledger.ledger.services import imports
from reformledger.ledger.services import imports as services

HEADER = ["任务编号", "改革任务", "改革领域", "牵头单位", "成果形式", "开始日期", "完成时限"]


def upload(data: bytes, name="tasks.xlsx"):
    f = io.BytesIO(data)
    f.name = name
    return f


def post_import(client, world, data, **extra):
    return client.post(
        reverse("ledger:task_list_import"),
        {"office": world.office.pk, "year": 2016, "file": upload(data)},
        **extra,
    )


@pytest.mark.parametrize(
    "persona", ["huiyang_liaison", "huiyang_head", "city_leader", "evaluator", "outsider"]
)
def test_only_office_staff_and_leaders_may_import_a_task_list(world, client_for, request, persona):
    client = client_for(request.getfixturevalue(persona))
    data = workbook(
        {
            "任务": [
                HEADER,
                [
                    "2016-060",
                    "某改革",
                    "经济体制改革",
                    "惠阳区",
                    "政策文件",
                    "2016-01-01",
                    "2016-12-31",
                ],
            ]
        }
    )

    assert client.get(reverse("ledger:task_list_import")).status_code == 403
    assert post_import(client, world, data).status_code == 403
    assert client.get(reverse("ledger:task_list_template")).status_code == 403
    assert not Task.objects.filter(code="2016-060").exists()


@pytest.mark.parametrize("persona", ["office_staff", "director"])
def test_office_staff_and_leaders_import_through_the_page(world, client_for, request, persona):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(reverse("ledger:task_list_import")).status_code == 200
    data = workbook(
        {
            "任务": [
                HEADER,
                [
                    "2016-060",
                    "某改革",
                    "经济体制改革",
                    "惠阳区",
                    "政策文件",
                    "2016-01-01",
                    "2016-12-31",
                ],
            ]
        }
    )

    response = post_import(client, world, data)

    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "exchange:job", args=[job.pk]
    )
    # First the preview: nothing is written until the clerk confirms it.
    assert job.status == ImportJob.Status.REVIEW and job.preview["counts"]["create"] == 1
    assert not Task.objects.filter(code="2016-060").exists()
    preview = client.get(response["Location"]).content.decode()
    assert 'data-testid="confirm-import"' in preview and "hx-trigger" not in preview
    client.post(reverse("exchange:job_confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.SUCCEEDED
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert 'data-status="succeeded"' in page.content.decode()
    assert "hx-trigger" not in page.content.decode()  # polling stops once it is done
    assert Task.objects.filter(code="2016-060", office=world.office).exists()


def test_a_big_file_runs_on_the_queue_and_reports_its_errors_in_english(
    world, office_staff, client_for, settings
):
    settings.RL_IMPORT_INLINE_BYTES = 0
    data = workbook(
        {
            "任务": [
                HEADER,
                [
                    "2016-061",
                    "某改革",
                    "经济体制改革",
                    "火星区",
                    "政策文件",
                    "2016-01-01",
                    "2016-12-31",
                ],
            ]
        }
    )

    response = post_import(client_for(office_staff), world, data, HTTP_ACCEPT_LANGUAGE="en")

    job = ImportJob.objects.get()
    # Read on the queue in the uploader's language; the unknown unit waits for an answer.
    assert job.status == ImportJob.Status.REVIEW and job.language == "en"
    error = job.preview["errors"][0]
    assert error["sheet"] == "任务" and error["row"] == 2
    assert error["column"] == "牵头单位 (D)"
    assert "Unknown unit" in error["message"]
    page = client_for(office_staff).get(response["Location"]).content.decode()
    assert "火星区" in page and 'data-testid="job-errors"' in page
    assert not Task.objects.filter(code="2016-061").exists()


def test_a_running_job_polls_its_progress_every_second(world, office_staff, client_for):
    job = jobs.import_job_create(
        by=office_staff,
        kind=imports.TASK_LIST_JOB,
        **imports.task_list_job_params(office=world.office, year=2016),
        file_name="big.xlsx",
        data=b"PK",
        language="en",
    )
    ImportJob.objects.filter(pk=job.pk).update(status="reading", progress=500, total=2000)

    html = (
        client_for(office_staff)
        .get(reverse("exchange:job_progress", args=[job.pk]))
        .content.decode()
    )

    assert 'hx-trigger="every 1s"' in html
    assert f'hx-get="{reverse("exchange:job_progress", args=[job.pk])}"' in html
    assert 'value="25"' in html
    assert "<script" not in html


def test_a_job_is_seen_only_by_whoever_started_it(world, office_staff, director, client_for):
    job = jobs.import_job_create(
        by=office_staff,
        kind=imports.TASK_LIST_JOB,
        **imports.task_list_job_params(office=world.office, year=2016),
        file_name="x.xlsx",
        data=b"",
        language="en",
    )

    assert client_for(director).get(reverse("exchange:job", args=[job.pk])).status_code == 404
    assert (
        client_for(director).get(reverse("exchange:job_progress", args=[job.pk])).status_code == 404
    )


def test_the_template_downloads_with_both_sheets_headers(world, office_staff, client_for):
    response = client_for(office_staff).get(reverse("ledger:task_list_template") + "?year=2016")

    wb = open_xlsx(response.content)
    tasks, milestones = wb.worksheets[0], wb.worksheets[1]
    assert "惠州市" in tasks["A1"].value
    assert tasks.max_row == 2 and milestones.max_row == 1  # headers only
    assert tasks["A2"].value and milestones["A1"].value


def test_the_filled_in_template_imports(world, office_staff, client_for):
    template = (
        client_for(office_staff).get(reverse("ledger:task_list_template") + "?year=2016").content
    )

    def fill(wb):
        wb.worksheets[0].append(
            [
                "2016-070",
                "人才发展体制改革",
                "economy",
                "HZ-FGJ",
                "",
                "",
                "否",
                "",
                "报告",
                "2016-03-01",
                "2016-11-30",
            ]
        )
        wb.worksheets[1].append(["2016-070", 1, "出台意见", "2016-11-30", 100])

    counts = services.task_list_import(
        data=edit_xlsx(template, fill),
        file_name="t.xlsx",
        office=world.office,
        year=2016,
        by=office_staff,
    )

    assert counts["created"] == 1 and counts["plans"] == 1
    assert Task.objects.get(code="2016-070").plans.get().milestones.count() == 1


def test_the_ledger_buttons_carry_the_page_query(world, office_staff):
    request = RequestFactory().get("/ledger/")
    request.user = office_staff

    html = render_to_string(
        "ledger/_ledger_buttons.html",
        {"query": "year=2016&area=3", "offices": [world.office]},
        request=request,
    )

    assert f'href="{reverse("ledger:ledger_xlsx")}?year=2016&amp;area=3"' in html
    assert f'href="{reverse("ledger:ledger_csv")}?year=2016&amp;area=3"' in html
    assert reverse("ledger:task_list_import") in html


def test_an_upload_without_the_csrf_token_is_refused(world, office_staff):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(office_staff, backend="django.contrib.auth.backends.ModelBackend")
    data = workbook(
        {
            "任务": [
                HEADER,
                [
                    "2016-062",
                    "某改革",
                    "经济体制改革",
                    "惠阳区",
                    "政策文件",
                    "2016-01-01",
                    "2016-12-31",
                ],
            ]
        }
    )

    response = post_import(client, world, data)

    assert response.status_code == 403
    assert not ImportJob.objects.exists()
