"""Grassroots innovation pages: what each person sees and does — the list with its
filters and spread, proposing with evidence, the office's decisions behind a
confirmation, revising when returned, declaring and adopting, the history in plain
words, the next acts (待办) — and lists that cost the same for 10 and 1,000 rows."""

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import gettext, ngettext, override

from reformledger.core.tests.test_page_policy import inline_code
from reformledger.ledger.selectors.next_acts import next_acts
from reformledger.notifications.models import Notification
from reformledger.pilots.choices import InnovationStatus
from reformledger.pilots.models import Adoption, Innovation
from reformledger.pilots.services import innovations as services
from reformledger.pilots.tests.test_innovation_api import bulk_innovations
from reformledger.pilots.tests.test_innovation_services import propose, replicable
from tests.files import PDF

LIST = reverse("pilots:innovations")


def _url(innovation, name: str = "pilots:innovation") -> str:
    return reverse(name, args=[innovation.pk])


def _text(response) -> str:
    return response.content.decode()


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# --- proposing -------------------------------------------------------------------------


def test_a_liaison_proposes_an_innovation_with_evidence_and_the_office_is_told(
    world, office_staff, huiyang_liaison, client_for
):
    client = client_for(huiyang_liaison)
    home = _text(client.get(reverse("ledger:my_work")))
    assert 'data-testid="innovations-nav"' in home  # the menu leads to the section
    assert 'data-testid="propose-innovation"' in _text(client.get(LIST))
    page = client.get(reverse("pilots:innovation_propose"))
    assert page.status_code == 200 and "data-confirm" in _text(page)
    posted = client.post(
        reverse("pilots:innovation_propose"),
        {
            "office": world.office.pk,
            "unit": world.huiyang.pk,
            "year": 2016,
            "title": "表格化捆绑式绩效考核",
            "problem": "考核多",
            "actions": "一表统考",
            "results": "减负一半",
            "files": [SimpleUploadedFile("成效.pdf", PDF, content_type="application/pdf")],
        },
    )
    innovation = Innovation.objects.get()
    assert posted.status_code == 302 and posted["Location"] == _url(innovation)
    detail = client.get(_url(innovation))
    assert "表格化捆绑式绩效考核" in _text(detail)
    assert "成效.pdf" in _text(detail) and 'data-status="proposed"' in _text(detail)
    assert 'data-verb="innovation.proposed"' in _text(detail)
    assert Notification.objects.filter(recipient=office_staff, link=_url(innovation)).exists()
    file_url = reverse("pilots:innovation_file", args=[innovation.files.get().pk])
    download = client.get(file_url)
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF


def test_a_proposal_missing_its_texts_is_shown_again_with_the_fields_named(
    world, huiyang_liaison, client_for
):
    posted = client_for(huiyang_liaison).post(
        reverse("pilots:innovation_propose"),
        {"office": world.office.pk, "unit": world.huiyang.pk, "year": 2016, "title": "标题"},
    )
    assert posted.status_code == 400
    assert 'data-field="problem"' in _text(posted) and 'data-field="results"' in _text(posted)
    assert not Innovation.objects.exists()


def test_the_office_and_city_leaders_do_not_propose(world, office_staff, city_leader, client_for):
    for who in (office_staff, city_leader):
        client = client_for(who)
        assert client.get(reverse("pilots:innovation_propose")).status_code == 403
        assert 'data-testid="propose-innovation"' not in _text(client.get(LIST))


def test_the_proposing_unit_adds_evidence_on_the_page_and_a_bad_file_is_named(
    world, office_staff, huiyang_liaison, client_for
):
    innovation = propose(world, huiyang_liaison)
    client = client_for(huiyang_liaison)
    url = _url(innovation, "pilots:innovation_attach")
    assert 'data-testid="attach-form"' in _text(client.get(_url(innovation)))
    bad = client.post(url, {"files": [SimpleUploadedFile("宏.exe", b"MZ\x90\x00")]})
    assert bad.status_code == 400 and 'data-field="files"' in _text(bad)
    good = client.post(
        url, {"files": [SimpleUploadedFile("补充.pdf", PDF, content_type="application/pdf")]}
    )
    assert good.status_code == 302
    shown = _text(client.get(_url(innovation)))
    assert "补充.pdf" in shown and 'data-verb="evidence.added"' in shown
    # The office reads the evidence; adding to it is the unit's.
    office = client_for(office_staff)
    assert 'data-testid="attach-form"' not in _text(office.get(_url(innovation)))
    assert office.post(url, {}).status_code == 403


# --- the office decides ----------------------------------------------------------------


def test_the_office_accepts_with_a_task_behind_a_confirmation(
    world, office_staff, huiyang_liaison, client_for
):
    innovation = propose(world, huiyang_liaison)
    client = client_for(office_staff)
    page = _text(client.get(_url(innovation)))
    for form in ("accept-form", "return-form", "decline-form"):
        assert f'data-testid="{form}"' in page
    assert page.count("data-confirm=") >= 3 and "data-submit-once" in page
    assert not inline_code(page)  # the strict Content Security Policy holds
    posted = client.post(
        _url(innovation, "pilots:innovation_accept"),
        {"reason": "同意推广", "task": world.task_huiyang.pk},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "Innovation accepted" in " ".join(_messages(posted))
    shown = _text(posted)
    assert 'data-status="accepted"' in shown and "2016-001" in shown
    assert 'data-verb="innovation.accepted"' in shown and "同意推广" in shown
    assert 'data-testid="declare-form"' in shown  # the next act: declare it replicable
    # The unit reads the decision; it has no decision forms.
    unit_page = _text(client_for(huiyang_liaison).get(_url(innovation)))
    assert 'data-testid="decide"' not in unit_page and "同意推广" in unit_page


def test_returning_needs_a_reason_and_the_unit_revises_and_proposes_again(
    world, office_staff, huiyang_liaison, client_for
):
    innovation = propose(world, huiyang_liaison)
    office = client_for(office_staff)
    refused = office.post(_url(innovation, "pilots:innovation_return"), {"return-reason": ""})
    assert refused.status_code == 400 and 'data-field="reason"' in _text(refused)
    innovation.refresh_from_db()
    assert innovation.status == InnovationStatus.PROPOSED
    office.post(_url(innovation, "pilots:innovation_return"), {"return-reason": "补充数据"})
    innovation.refresh_from_db()
    assert innovation.status == InnovationStatus.RETURNED

    unit = client_for(huiyang_liaison)
    assert 'data-testid="revise"' in _text(unit.get(_url(innovation)))
    form = unit.get(_url(innovation, "pilots:innovation_revise"))
    assert form.status_code == 200 and "补充数据" in _text(form)
    posted = unit.post(
        _url(innovation, "pilots:innovation_revise"),
        {
            "version": innovation.version,
            "year": 2016,
            "title": innovation.title,
            "problem": innovation.problem,
            "actions": innovation.actions,
            "results": "减负55%",
        },
    )
    assert posted.status_code == 302
    innovation.refresh_from_db()
    assert (innovation.status, innovation.results) == (InnovationStatus.PROPOSED, "减负55%")
    # A stale form (the version read before) changes nothing.
    stale = unit.post(
        _url(innovation, "pilots:innovation_revise"),
        {"version": 1, "year": 2016, "title": "x", "problem": "x", "actions": "x", "results": "x"},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "Only a returned innovation is revised" in " ".join(_messages(stale))
    innovation.refresh_from_db()
    assert innovation.results == "减负55%"


def test_declining_shows_the_reason_and_a_second_decision_changes_nothing(
    world, office_staff, huiyang_liaison, client_for
):
    innovation = propose(world, huiyang_liaison)
    client = client_for(office_staff)
    client.post(_url(innovation, "pilots:innovation_decline"), {"decline-reason": "重复"})
    again = client.post(
        _url(innovation, "pilots:innovation_accept"), {}, follow=True, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "already been decided" in " ".join(_messages(again))
    innovation.refresh_from_db()
    assert innovation.status == InnovationStatus.DECLINED
    assert 'data-testid="decide"' not in _text(again) and "重复" in _text(again)


def test_the_history_reads_in_plain_words(world, office_staff, huiyang_liaison, client_for):
    innovation = replicable(world, office_staff, huiyang_liaison)
    shown = _text(client_for(huiyang_liaison).get(_url(innovation)))
    for words in (
        "proposed a grassroots innovation",
        "accepted the innovation",
        "declared the innovation a replicable experience",
    ):
        with override("zh-hans"):  # the page is in the default language, Chinese
            assert gettext(words) in shown


# --- declared, then adopted (推广) -----------------------------------------------------


def test_other_units_adopt_a_declared_experience_and_the_list_counts_them(
    world, office_staff, huiyang_liaison, boluo_liaison, fgj_liaison, client_for
):
    innovation = propose(world, huiyang_liaison)
    office = client_for(office_staff)
    services.innovation_accept(innovation=innovation, by=office_staff)
    declared = office.post(
        _url(innovation, "pilots:innovation_declare"), {"experience": "以表统考"}, follow=True
    )
    assert 'data-testid="experience"' in _text(declared) and "以表统考" in _text(declared)

    for who, unit in ((boluo_liaison, world.boluo), (fgj_liaison, world.fgj)):
        client = client_for(who)
        page = _text(client.get(_url(innovation)))
        assert 'data-testid="adopt-form"' in page
        posted = client.post(
            _url(innovation, "pilots:innovation_adopt"),
            {"unit": unit.pk, "adopted_on": "2016-09-01", "result": f"{unit.name}推行"},
        )
        assert posted.status_code == 302, _text(posted)
        # Adopted once: the form is gone for that unit.
        assert 'data-testid="adopt-form"' not in _text(client.get(_url(innovation)))

    shown = _text(office.get(_url(innovation)))
    assert shown.count('data-testid="adoption"') == 2 and "博罗县推行" in shown
    listed = _text(office.get(LIST, {"status": "replicable"}))
    with override("zh-hans"):  # the list is in the default language, Chinese
        assert ngettext("%(n)s unit", "%(n)s units", 2) % {"n": 2} in listed
    # The proposing unit does not adopt its own.
    own = client_for(huiyang_liaison)
    assert 'data-testid="adopt-form"' not in _text(own.get(_url(innovation)))
    refused = own.post(
        _url(innovation, "pilots:innovation_adopt"),
        {"unit": world.huiyang.pk, "adopted_on": "2016-09-01", "result": "x"},
    )
    assert refused.status_code == 403
    assert Adoption.objects.count() == 2


def test_an_adoption_in_the_future_is_shown_again_with_the_day_named(
    world, office_staff, huiyang_liaison, boluo_liaison, client_for
):
    innovation = replicable(world, office_staff, huiyang_liaison)
    posted = client_for(boluo_liaison).post(
        _url(innovation, "pilots:innovation_adopt"),
        {"unit": world.boluo.pk, "adopted_on": "2999-01-01", "result": "x"},
    )
    assert posted.status_code == 400 and 'data-field="adopted_on"' in _text(posted)
    assert not Adoption.objects.exists()


def test_the_spread_page_shows_each_experience_with_the_units_that_adopted_it(
    world, office_staff, huiyang_liaison, boluo_liaison, fgj_liaison, client_for
):
    quiet = replicable(world, office_staff, huiyang_liaison)
    spread = replicable(world, office_staff, huiyang_liaison, unit=world.huiyang_town)
    for who, unit in ((boluo_liaison, world.boluo), (fgj_liaison, world.fgj)):
        services.innovation_adopt(
            innovation=spread, unit=unit, by=who, adopted_on=dt.date(2016, 9, 1), result="推行"
        )
    page = client_for(office_staff).get(reverse("pilots:innovation_spread"))
    rows = page.context["rows"]
    assert [(r.pk, r.adoption_count) for r in rows] == [(spread.pk, 2), (quiet.pk, 0)]
    shown = _text(page)
    assert "博罗县 (2016-09-01)" in shown and "市发展改革局 (2016-09-01)" in shown
    # Another unit reads it too: the experiences are there to be adopted.
    assert (
        len(client_for(boluo_liaison).get(reverse("pilots:innovation_spread")).context["rows"]) == 2
    )

    office = client_for(office_staff)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert office.get(reverse("pilots:innovation_spread")).status_code == 200
        return len(ctx.captured_queries)

    bulk_innovations(world, office_staff, 10)
    few = count()
    bulk_innovations(world, office_staff, 990, start=10)
    assert count() == few


# --- the list --------------------------------------------------------------------------


def test_the_list_filters_searches_and_sorts(
    world, office_staff, huiyang_liaison, boluo_liaison, client_for
):
    first = propose(world, huiyang_liaison, title="一窗通办")
    second = propose(world, huiyang_liaison, unit=world.huiyang_town, title="街道综合执法")
    third = propose(world, boluo_liaison, unit=world.boluo, title="项目审批提速", year=2015)
    services.innovation_accept(innovation=second, by=office_staff)
    client = client_for(office_staff)

    def titles(**query) -> list[str]:
        response = client.get(LIST, query)
        assert response.status_code == 200
        return [i.title for i in response.context["page"]]

    assert set(titles()) == {first.title, second.title, third.title}
    assert titles(status="accepted") == [second.title]
    assert set(titles(unit=world.huiyang.pk)) == {first.title, second.title}
    assert titles(year=2015) == [third.title]
    assert titles(q="审批") == [third.title]
    assert titles(q="博罗") == [third.title]  # the unit's name
    assert titles(ordering="title") == sorted([first.title, second.title, third.title])
    assert titles(ordering="-year")[-1] == third.title
    assert client.get(LIST, {"year": "abc"}).status_code == 200  # a bad filter lists nothing
    assert titles(year="abc") == []


def test_the_list_runs_the_same_queries_for_10_and_1000_rows(
    world, office_staff, huiyang_liaison, city_leader, client_for
):
    clients = [client_for(who) for who in (office_staff, huiyang_liaison, city_leader)]

    def counts() -> list[int]:
        out = []
        for client in clients:
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(LIST, {"ordering": "-adoptions"})
            assert response.status_code == 200
            assert list(response.context["page"])
            out.append(len(ctx.captured_queries))
        return out

    bulk_innovations(world, office_staff, 10)
    few = counts()
    bulk_innovations(world, office_staff, 990, start=10)
    assert counts() == few


# --- who sees what ---------------------------------------------------------------------


def test_another_unit_does_not_see_a_proposal_or_its_files(
    world, huiyang_liaison, boluo_liaison, outsider, client_for
):
    innovation = propose(
        world,
        huiyang_liaison,
        files=[SimpleUploadedFile("a.pdf", PDF, content_type="application/pdf")],
    )
    boluo = client_for(boluo_liaison)
    assert boluo.get(_url(innovation)).status_code == 404
    assert boluo.get(_url(innovation, "pilots:innovation_revise")).status_code == 404
    file_url = reverse("pilots:innovation_file", args=[innovation.files.get().pk])
    assert boluo.get(file_url).status_code == 404
    assert "a.pdf" not in _text(boluo.get(LIST))
    assert client_for(outsider).get(LIST).status_code == 403


# --- the next acts (待办) --------------------------------------------------------------


def test_the_office_is_shown_proposals_to_decide_and_the_unit_its_returned_ones(
    world, office_staff, huiyang_liaison, boluo_liaison
):
    waiting = propose(world, huiyang_liaison, title="待决定")
    returned = propose(world, huiyang_liaison, title="待修改")
    services.innovation_return(innovation=returned, by=office_staff, reason="补充")

    office = next_acts(office_staff).of("innovation_to_decide")
    assert office.count == 1 and office.items[0].url == _url(waiting)
    unit = next_acts(huiyang_liaison).of("innovation_returned")
    assert unit.count == 1
    assert unit.items[0].url == _url(returned, "pilots:innovation_revise")
    assert "补充" in unit.items[0].detail
    assert next_acts(boluo_liaison).of("innovation_returned") is None
    assert next_acts(huiyang_liaison).of("innovation_to_decide") is None


def test_the_next_acts_cost_the_same_for_10_and_1000_innovations(world, office_staff):
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            acts = next_acts(office_staff, today=dt.date(2016, 10, 1))
        assert acts.of("innovation_to_decide").count
        return len(ctx.captured_queries)

    bulk_innovations(world, office_staff, 10)
    few = count()
    bulk_innovations(world, office_staff, 990, start=10)
    assert count() == few
