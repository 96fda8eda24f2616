"""Editions of the lists for the catalog's tests.

`make_edition(world, ...)` starts an edition of 惠州市's lists through the services
(`edition_create`, `edition_publish`), with departments' parts and items written as
rows (what an import would write), and publishes it unless asked not to. Other test
files import it:

    from reformledger.catalog.tests.conftest import make_edition

    edition = make_edition(world, year=2016, powers=6, services=4)
"""

import datetime as dt

import pytest
from django.core.cache import caches

from reformledger.catalog import services as catalog_services
from reformledger.catalog.choices import ListKind, PartStatus
from reformledger.catalog.models import Edition, Item, ItemType, Part
from reformledger.orgs import services as orgs
from reformledger.orgs.choices import Role, UnitKind
from reformledger.orgs.models import Unit
from tests.factories import UserFactory

#: The departments an edition's items are spread over (code, name), 市发展改革局 first.
DEPARTMENTS = (
    ("HZ-FGJ", "市发展改革局"),
    ("HZ-SCJ", "市市场监督管理局"),
    ("HZ-RSJ", "市人力资源和社会保障局"),
)
#: The power types items take in turn (codes of the seeded types).
TYPES = ("licensing", "penalty", "inspection", "confirmation")


def departments(world, n: int = 3) -> list[Unit]:
    """The first `n` departments of the city, created the first time they are asked for."""
    found = []
    for code, name in DEPARTMENTS[:n]:
        unit = Unit.objects.filter(code=code).first()
        if unit is None:
            unit = orgs.unit_create(
                by=None, code=code, name=name, kind=UnitKind.DEPARTMENT, parent=world.city
            )
            unit.refresh_from_db()
        found.append(unit)
    return found


def lists_leader(world):
    """An office leader who publishes editions (created once per test)."""
    user = UserFactory._meta.model.objects.filter(username="lists_leader").first()
    if user is None:
        user = UserFactory(username="lists_leader", full_name="何发布")
        orgs.membership_grant(by=None, user=user, unit=world.office, role=Role.OFFICE_LEADER)
    return user


def make_edition(
    world,
    *,
    year: int = 2016,
    published: bool = True,
    powers: int = 6,
    services: int = 4,
    n_departments: int = 3,
    sub_items: int = 0,
    jurisdiction: Unit | None = None,
    previous: Edition | None = None,
    names: dict[int, str] | None = None,
    code_prefix: str = "",
    document_no: str = "",
    published_on: dt.date | None = None,
) -> Edition:
    """An edition of `jurisdiction`'s (the city's) lists for `year`: `powers` power
    items of the types `TYPES` in turn and `services` public service items, spread
    over `n_departments` departments, the first `sub_items` power items with two
    sub-items each. Item i (counted from 0 over powers, then services) is named
    `names[i]` when given, else "<year>年事项<i>", and coded "<prefix>P-0001" (powers)
    or "<prefix>S-0001" (services), so two editions share their codes. Published
    with the document "惠府〔<year>〕<n>号" unless `published=False`."""
    office_staff = world.office_staff
    jurisdiction = jurisdiction or world.city
    edition = catalog_services.edition_create(
        by=office_staff,
        office=world.office,
        jurisdiction=jurisdiction,
        year=year,
        previous=previous,
    )
    units = departments(world, n_departments)
    types = {t.code: t for t in ItemType.objects.filter(code__in=TYPES)}
    names = names or {}
    parts: dict[tuple[int, str], Part] = {}
    for unit in units:
        for kind in ListKind.values:
            parts[(unit.pk, kind)] = Part.objects.create(
                edition=edition,
                department=unit,
                list_kind=kind,
                status=PartStatus.REVIEWED,
                file_name=f"{unit.name}.xlsx",
            )
    rows = []
    for i in range(powers + services):
        kind = ListKind.POWER if i < powers else ListKind.SERVICE
        n = i if kind == ListKind.POWER else i - powers
        unit = units[n % len(units)]
        fields = {}
        if kind == ListKind.POWER:
            code = f"{code_prefix}P-{n + 1:04d}"
            fields = {
                "item_type": types[TYPES[n % len(TYPES)]],
                "basis": f"《惠州市管理条例》第{n + 1}条",
                "body": unit.name,
                "level": "市级",
                "responsibilities": f"1.受理责任：依法受理第{n + 1}项申请。",
                "accountability": "不履行或不正确履行职责的，依法追责。",
            }
        else:
            code = f"{code_prefix}S-{n + 1:04d}"
            fields = {
                "serves": "本市居民",
                "provides": f"办理第{n + 1}项服务",
                "basis": f"《公共服务办法》第{n + 1}条",
                "body": unit.name,
                "time_limit": "5个工作日",
                "fees": "不收费",
                "contact": "0752-2800000",
            }
        rows.append(
            Item(
                part=parts[(unit.pk, kind)],
                edition=edition,
                department=unit,
                list_kind=kind,
                position=n + 1,
                code=code,
                name=names.get(i, f"{year}年事项{i}"),
                **fields,
            )
        )
    Item.objects.bulk_create(rows)
    mains = list(
        Item.objects.filter(edition=edition, list_kind=ListKind.POWER).order_by("position")[
            :sub_items
        ]
    )
    subs = []
    for main in mains:
        for k in (1, 2):
            subs.append(
                Item(
                    part=main.part,
                    edition=edition,
                    department=main.department,
                    list_kind=main.list_kind,
                    parent=main,
                    position=main.position * 100 + k,
                    code=f"{main.code}-{k}",
                    name=f"{main.name}（子项{k}）",
                    item_type=main.item_type,
                    basis=main.basis,
                    body=main.body,
                    level=main.level,
                    responsibilities=main.responsibilities,
                )
            )
    Item.objects.bulk_create(subs)
    if published:
        edition = catalog_services.edition_publish(
            by=lists_leader(world),
            edition=edition,
            published_on=published_on or dt.date(year, 6, 30),
            document_no=document_no or f"惠府〔{year}〕{year % 100}号",
            document_title=f"惠州市人民政府关于公布{year}年权责清单和公共服务事项目录的通知",
        )
    edition.refresh_from_db()
    return edition


@pytest.fixture(autouse=True)
def _public_cache_empty():
    """Each test starts with the public pages' cache (pages, counters) empty."""
    caches["public"].clear()
    yield
    caches["public"].clear()
