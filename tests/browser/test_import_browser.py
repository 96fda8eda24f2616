"""The office clerk brings the office's own ledger in through the pages: uploads the
sheet as the office keeps it, reads the preview (rows skipped, dates read, names
not known), settles the year and the names once, and imports; the ledger then holds
every task. Screenshots of the preview are kept as test artifacts."""

import pytest

from reformledger.exchange.models import ImportJob
from reformledger.ledger.models import Task
from reformledger.ledger.tests.test_task_list_preview import office_ledger
from reformledger.orgs.models import UnitAlias
from tests.browser.signin import sign_in

pytestmark = pytest.mark.browser


def test_the_clerk_imports_an_office_ledger_through_the_preview(
    transactional_db,
    live_server,
    city,
    page,
    shot,
    tmp_path,
):
    path = tmp_path / "惠州市2016年改革台账.xlsx"
    path.write_bytes(office_ledger())
    sign_in(page, live_server, "office")

    page.goto(f"{live_server.url}/ledger/task-list/import/")
    page.fill("#id_year", "2026")  # the wrong year, as a hurried clerk would leave it
    page.set_input_files("#id_file", str(path))
    page.get_by_test_id("upload").click()
    page.get_by_test_id("decide-form").wait_for()
    shot(page, "import-1-preview")

    # The preview says what it skipped and how it read the dates, and asks.
    skipped = page.get_by_test_id("preview-skipped")
    assert skipped.get_by_text("注：1.完成时限以市委改革办文件为准", exact=False).is_visible()
    assert skipped.get_by_test_id("skipped-row").count() == 6
    dates = page.get_by_test_id("preview-dates")
    assert dates.get_by_text("三季度末", exact=True).is_visible()
    assert page.get_by_test_id("year-question").is_visible()
    assert page.get_by_test_id("confirm-import").is_disabled()

    # Settle the year and the names not known; the clerk adds the unknown leader.
    page.check("#year-file")
    page.select_option("select[name='d|units|市发改局']", label="市发展改革局")
    page.select_option("select[name='d|units|市金融局']", label="市金融工作局")
    leader = page.get_by_test_id("leader-row").filter(has_text="张副市长")
    leader.get_by_test_id("leader-choice").select_option("new")
    leader.get_by_test_id("new-leader-name").fill("张卫东")
    leader.get_by_test_id("new-leader-title").fill("副市长")
    shot(page, "import-2-answers")
    page.get_by_test_id("check-again").click()
    page.get_by_test_id("decide-form").wait_for()
    shot(page, "import-3-ready")
    assert page.get_by_test_id("count-errors").inner_text() == "0"
    assert page.get_by_test_id("count-create").inner_text() == "5"
    shot(page, "import-3-ready")

    page.once("dialog", lambda dialog: dialog.accept())  # 导入 asks first
    page.get_by_test_id("confirm-import").click()
    page.get_by_test_id("job-result").wait_for()
    shot(page, "import-4-done")

    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.SUCCEEDED
    titles = set(Task.objects.filter(office=city.office, year=2016).values_list("title", flat=True))
    assert {"深化国有企业改革", "推进水生态文明城市建设", "建立河长制"} <= titles
    assert UnitAlias.objects.filter(alias="市发改局", unit=city.fgj).exists()
    page.goto(f"{live_server.url}/ledger/?year=2016&q=河长制")
    assert page.get_by_test_id("ledger-table").get_by_text("建立河长制").is_visible()
