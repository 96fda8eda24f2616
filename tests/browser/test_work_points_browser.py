"""The office clerk drafts the year's task list from the work points through the pages:
uploads the Word file as the office received it, checks each draft beside its
paragraph, settles the one unit the system does not know, leaves one item out and
confirms; the ledger then holds the tasks, each showing its paragraph and the
document. Uploading the document again changes nothing. Screenshots are kept."""

import pytest

from reformledger.exchange.models import ImportJob
from reformledger.ledger.models import Task
from reformledger.ledger.tests import work_points_documents as docs
from reformledger.ledger.tests.test_work_points import city  # noqa: F401
from reformledger.orgs.models import UnitAlias
from tests.browser.signin import sign_in

pytestmark = pytest.mark.browser

DIGITAL = "推进数字政府建设"
PARAGRAPHS = [
    *docs.TREE[:-2],
    "三、数字政府",
    "5. 推进数字政府建设。2022年9月底前上线一体化政务服务平台。（市政数局牵头，市财政局配合）",
    *docs.TREE[-2:],
]


def _upload(page, live_server, path) -> None:
    page.goto(f"{live_server.url}/ledger/work-points/import/")
    page.fill("#id_year", "2022")
    page.set_input_files("#id_file", str(path))
    page.get_by_test_id("upload").click()
    page.get_by_test_id("decide-form").wait_for()


def test_the_clerk_drafts_the_task_list_from_the_work_points(
    transactional_db,
    live_server,
    city,  # noqa: F811
    page,
    shot,
    tmp_path,
):
    path = tmp_path / "惠州市2022年全面深化改革工作要点.docx"
    path.write_bytes(docs.docx(PARAGRAPHS))
    sign_in(page, live_server, "office")

    _upload(page, live_server, path)
    shot(page, "work-points-1-preview")

    # Each draft stands beside its paragraph, the parts it read marked.
    rows = page.get_by_test_id("draft-row")
    assert rows.count() == 5
    soe = rows.filter(has_text="深化国有企业改革").first
    assert soe.locator("[data-mark=lead]").first.inner_text() == "市国资委牵头"
    assert soe.get_by_test_id("draft-deadline").inner_text() == "2022-12-31"
    assert page.get_by_test_id("preview-indicators").get_by_text("地区生产总值增长6.2%左右").count()
    assert page.get_by_test_id("confirm-import").is_disabled()  # 市政数局 is not known

    # Shorten one draft's title on its own page.
    soe.get_by_test_id("draft-edit").click()
    page.get_by_test_id("draft-title-input").fill("深化国企改革")
    shot(page, "work-points-1b-edit")
    page.get_by_test_id("draft-save").click()
    page.get_by_test_id("decide-form").wait_for()
    rows = page.get_by_test_id("draft-row")
    assert rows.filter(has_text="深化国企改革").get_by_test_id("draft-title").inner_text() == (
        "深化国企改革"
    )

    # Settle the unknown unit once; leave the growth targets out of the ledger.
    page.select_option("select[name='d|units|市政数局']", label="市政务服务数据管理局")
    rows.filter(has_text="地区生产总值增长6.2%左右").get_by_test_id("draft-drop").check()
    shot(page, "work-points-2-answers")
    page.get_by_test_id("check-again").click()
    page.get_by_test_id("decide-form").wait_for()
    assert page.get_by_test_id("count-errors").inner_text() == "0"
    assert page.get_by_test_id("count-create").inner_text() == "4"
    assert page.get_by_test_id("count-dropped").inner_text() == "1"
    shot(page, "work-points-3-ready")

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("confirm-import").click()
    page.get_by_test_id("job-result").wait_for()
    shot(page, "work-points-4-done")

    titles = set(Task.objects.filter(office=city.office, year=2022).values_list("title", flat=True))
    assert titles == {"深化国企改革", "推进投资审批制度改革", "深化医药卫生体制改革", DIGITAL}
    assert UnitAlias.objects.filter(alias="市政数局", unit=city.zsj).exists()

    # The task's page shows its basis and the document it came from.
    digital = Task.objects.get(title=DIGITAL)
    assert digital.lead_unit == city.zsj
    page.goto(f"{live_server.url}/ledger/tasks/{digital.pk}/")
    basis = page.get_by_test_id("basis-paragraph")
    assert "2022年9月底前上线一体化政务服务平台" in basis.inner_text()
    link = page.get_by_test_id("basis-document")
    assert path.name in link.inner_text()
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == path.name
    shot(page, "work-points-5-task")

    # The same document again: every item is found, nothing is written.
    before = Task.objects.count()
    _upload(page, live_server, path)
    assert page.get_by_test_id("count-create").inner_text() == "0"
    assert page.get_by_test_id("count-matched").inner_text() == "5"
    shot(page, "work-points-6-again")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("confirm-import").click()
    page.get_by_test_id("job-result").wait_for()
    assert Task.objects.count() == before
    assert ImportJob.objects.filter(status=ImportJob.Status.SUCCEEDED).count() == 2
