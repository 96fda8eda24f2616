"""The demo's 2015 and 2016 city lists (惠州市市级权责清单和服务清单): both editions are
imported from the departments' sheets and published; the 2016 edition, the deliverable
of task 2016-011, has 15 administrative approval items fewer and 38 public services
more than the 2015 one — counted here from the rows with plain queries, and said so by
the comparison, its sentence, the office's page and the API — and its renamed,
changed, moved, passed-down and code-less items are the ones `catalog_data` lists."""

import html
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import translation

from reformledger.catalog import services
from reformledger.catalog.choices import ChangeKind, EditionStatus, ListKind, PartStatus
from reformledger.catalog.compare import compare_editions, text_key
from reformledger.catalog.models import Edition, Item, Part
from reformledger.demo import catalog_data
from reformledger.ledger.models import Task

pytestmark = pytest.mark.django_db


def _user(name):
    return get_user_model().objects.get(username=name)


def _edition(year: int) -> Edition:
    return Edition.objects.get(jurisdiction__code="HZ", year=year)


def _mains(year: int, list_kind: str, **more):
    return Item.objects.filter(
        edition=_edition(year), list_kind=list_kind, parent__isnull=True, **more
    )


def _comparison():
    return compare_editions(_edition(2015), _edition(2016))


def _data_codes(pairs, year: int, kind: str) -> set[str]:
    """The codes the data gives the items named (department, name) in `year`."""
    named = {
        (i["department"], i["name"]): i["code"]
        for i in catalog_data.edition(year)
        if i["list"] == kind
    }
    return {named[pair] for pair in pairs}


def test_the_demo_has_the_2015_and_2016_city_editions_published(demo):
    old, new = _edition(2015), _edition(2016)
    for edition, year in ((old, 2015), (new, 2016)):
        title, document_no, published_on = catalog_data.EDITIONS[year]
        assert edition.status == EditionStatus.PUBLISHED
        assert (edition.title, edition.document_no, edition.published_on) == (
            title,
            document_no,
            published_on,
        )
        assert edition.office.code == "HZ-GGB"
        assert edition.published_by.username == "director"
        # Every department's part was reviewed by the office before publishing.
        parts = Part.objects.filter(edition=edition)
        assert parts.count() == 2 * len(catalog_data.DEPARTMENTS)
        assert set(parts.values_list("status", flat=True)) == {PartStatus.REVIEWED}
        assert set(parts.values_list("reviewed_by__username", flat=True)) == {"office"}
    assert new.previous == old and old.previous is None
    # Its title is the one of the document the leading group reviewed and issued.
    assert new.document_title == "惠州市市级权责清单和服务清单（2016年版）"
    assert new.published_on.isoformat() == "2016-10-28"


def test_the_2016_edition_is_the_deliverable_of_task_2016_011(demo):
    task = Task.objects.get(office__code="HZ-GGB", year=2016, code="2016-011")
    assert _edition(2016).task == task
    assert list(task.list_editions.all()) == [_edition(2016)]
    assert _edition(2015).task is None


def test_published_editions_are_frozen(demo):
    item = _mains(2016, ListKind.POWER).first()
    for name in ("office", "director"):
        with pytest.raises(PermissionDenied):
            services.item_update(by=_user(name), item=item, name="改一下")
    item.refresh_from_db()
    assert item.name != "改一下" and item.version == 1


def test_every_item_of_the_data_is_in_the_database(demo):
    for year in (2015, 2016):
        edition = _edition(year)
        rows = Item.objects.filter(edition=edition).select_related("department", "parent")
        stored = {
            (
                r.department.code,
                r.list_kind,
                r.code,
                text_key(r.parent.name) if r.parent else "",
                text_key(r.name),
                r.item_type.code if r.item_type_id else None,
                text_key(r.basis),
                r.level,
            )
            for r in rows.select_related("item_type")
        }
        expected = set()
        for i in catalog_data.edition(year):
            power = i["list"] == ListKind.POWER
            main = (
                i["department"],
                i["list"],
                i["code"],
                "",
                text_key(i["name"]),
                i["type"] if power else None,
                text_key(i["basis"]),
                i["level"] if power else "",
            )
            expected.add(main)
            for sub in i["subs"]:
                # A sub-item takes its main item's type, basis and level (merged cells).
                expected.add(
                    (*main[:2], sub["code"], text_key(i["name"]), text_key(sub["name"]), *main[5:])
                )
        assert stored == expected
        assert rows.count() == len(expected)


def test_the_approval_and_service_counts_are_computed_from_the_rows(demo):
    # Counted here with plain queries: main items (主项), sub-items not counted.
    approval = {
        y: _mains(y, ListKind.POWER, item_type__is_approval=True).count() for y in (2015, 2016)
    }
    service = {y: _mains(y, ListKind.SERVICE).count() for y in (2015, 2016)}
    assert approval[2016] - approval[2015] == -15
    assert service[2016] - service[2015] == 38
    # The same figures from the data, counted by code.
    figures = catalog_data.counts()
    assert (figures["licensing_2015"], figures["licensing_2016"]) == (
        approval[2015],
        approval[2016],
    )
    assert (figures["services_2015"], figures["services_2016"]) == (service[2015], service[2016])
    # And the comparison says so.
    comparison = _comparison()
    assert (comparison.approval.old, comparison.approval.new) == (approval[2015], approval[2016])
    assert comparison.approval.net == -15
    assert (comparison.approval.removed, comparison.approval.added) == (17, 2)
    services_tally = comparison.lists[ListKind.SERVICE]
    assert (services_tally.old, services_tally.new, services_tally.net) == (
        service[2015],
        service[2016],
        38,
    )
    assert (services_tally.removed, services_tally.added) == (2, 40)
    # The other types of power changed little: two items more or fewer at most.
    others = {t.label: t.net for t in comparison.by_type if t.label != "行政许可"}
    assert len(others) == 9 and all(abs(n) <= 2 for n in others.values())
    assert sum(others.values()) == len(catalog_data.OTHER_ADDED) - len(catalog_data.OTHER_REMOVED)


def test_the_sentence_says_15_approval_items_fewer_and_38_services_more(demo):
    comparison = _comparison()
    with translation.override("en"):
        assert comparison.sentence() == (
            "Compared with the previous edition, 15 administrative approval items fewer, "
            "38 public service items more."
        )
    with translation.override("zh-hans"):
        sentence = comparison.sentence()
    assert "减少行政审批事项15项" in sentence
    assert "增加公共服务事项38项" in sentence


def test_the_changed_items_are_the_ones_the_data_lists(demo):
    comparison = _comparison()

    def codes(kind):
        return {c.code for c in comparison.of_kind(kind) if not c.is_sub_item}

    renamed = {
        code
        for kind in (ListKind.POWER, ListKind.SERVICE)
        for code in _data_codes(
            [(d, old) for d, k, old, _new in catalog_data.RENAMED if k == kind], 2015, kind
        )
    }
    assert codes(ChangeKind.RENAMED) == renamed
    new_names = {c.name for c in comparison.of_kind(ChangeKind.RENAMED)}
    assert new_names == {new for _d, _k, _old, new in catalog_data.RENAMED}

    moved = _data_codes([(d, n) for d, n, _to in catalog_data.MOVED], 2015, ListKind.POWER)
    assert codes(ChangeKind.MOVED) == moved
    assert {(c.old_department, c.department) for c in comparison.of_kind(ChangeKind.MOVED)} == {
        (catalog_data.department_name(d), catalog_data.department_name(to))
        for d, _n, to in catalog_data.MOVED
    }

    delegated = _data_codes(catalog_data.DELEGATED, 2015, ListKind.POWER)
    assert codes(ChangeKind.DELEGATED) == delegated
    assert {c.new["level"] for c in comparison.of_kind(ChangeKind.DELEGATED)} == {
        "下放县（区）实施"
    }

    # A moved item's implementing body follows its department, so it changed too.
    changed = {
        code
        for kind in (ListKind.POWER, ListKind.SERVICE)
        for code in _data_codes(
            [(d, n) for d, k, n, _f, _v in catalog_data.CHANGED if k == kind], 2015, kind
        )
    }
    assert codes(ChangeKind.CHANGED) == changed | moved
    fields = {
        (c.code, f.field)
        for c in comparison.of_kind(ChangeKind.CHANGED)
        for f in c.fields
        if not c.is_sub_item
    }
    for department, kind, name, field, _value in catalog_data.CHANGED:
        (code,) = _data_codes([(department, name)], 2015, kind)
        assert (code, field) in fields
    assert 5 <= len(renamed) <= 8 and 8 <= len(changed) <= 12


def test_items_without_a_code_were_matched_by_department_and_name(demo):
    comparison = _comparison()
    matched = {(c.list_kind, c.name) for c in comparison.name_matches}
    assert matched == {(kind, name) for _d, kind, name in catalog_data.NO_CODE}
    assert all(c.code == "" and c.old["code"] == "" for c in comparison.name_matches)
    # Nothing else of them shows as removed and added.
    names = {name for _d, _k, name in catalog_data.NO_CODE}
    assert not [c for c in comparison.of_kind(ChangeKind.REMOVED) if c.name in names]
    assert not [c for c in comparison.of_kind(ChangeKind.ADDED) if c.name in names]
    assert comparison.summary()["matched_by_name"] == len(catalog_data.NO_CODE)
    for year in (2015, 2016):
        assert _mains(year, ListKind.POWER, code="").count() + _mains(
            year, ListKind.SERVICE, code=""
        ).count() == len(catalog_data.NO_CODE)


def test_the_office_page_shows_the_comparison_with_the_previous_edition(demo, client_for):
    new = _edition(2016)
    response = client_for(_user("director")).get(reverse("catalog:compare", args=[new.pk]))
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    sentence = re.search(r'data-testid="comparison-sentence">(.*?)</p>', page, re.S).group(1)
    with translation.override("zh-hans"):
        assert sentence.strip() == _comparison().sentence()
    assert "15" in sentence and "38" in sentence
    approval = re.search(r'data-testid="comparison-approval">(.*?)</tr>', page, re.S).group(1)
    assert re.findall(r"<td>(-?\d+)</td>", approval) == ["120", "105", "17", "2", "-15"]
    # The items without a code are said to be matched by their name.
    assert 'data-testid="name-matches"' in page


def test_the_api_gives_the_comparison_with_the_previous_edition(demo, client_for):
    new = _edition(2016)
    client = client_for(_user("office"))
    response = client.get(f"/api/v1/lists/editions/{new.pk}/comparison/", {"page_size": 500})
    assert response.status_code == 200
    body = response.json()
    summary = body["summary"]
    assert summary["old_edition"] == _edition(2015).pk
    assert summary["approval"]["net"] == -15
    assert (summary["approval"]["old"], summary["approval"]["new"]) == (120, 105)
    assert summary["lists"]["service"]["net"] == 38
    assert summary["matched_by_name"] == len(catalog_data.NO_CODE)
    assert "15" in summary["sentence"] and "38" in summary["sentence"]
    kinds = [k for row in body["results"] for k in row["kinds"]]
    assert kinds.count("removed") + kinds.count("added") > 0
    assert body["count"] == len(_comparison().changes)
