"""Finding units and leaders by the names an office types into its Excel ledger.

The units have the shape of Huizhou's (reformledger/demo/data.py), built on top of
the shared `world` through the services, as the office's own history would be.
"""

import datetime as dt
from types import SimpleNamespace

import pytest

from reformledger.orgs import services
from reformledger.orgs.choices import UnitKind
from reformledger.orgs.matching import NameKeys, PersonMatcher, UnitMatcher, fold
from tests.factories import UnitFactory


def _unit(parent, code, name, kind=UnitKind.DEPARTMENT, short_name=""):
    unit = services.unit_create(
        by=None, code=code, name=name, kind=kind, parent=parent, short_name=short_name
    )
    unit.refresh_from_db()
    return unit


@pytest.fixture
def huizhou(world) -> SimpleNamespace:
    """The world's city with the rest of its counties, zones and some departments: one
    renamed, one merged, and a 财政局 in two counties (a shared name)."""
    w = world
    city = w.city
    w.jrj = _unit(city, "HZ-JRJ", "惠州市人民政府金融工作局", short_name="市金融工作局")
    w.czj = _unit(city, "HZ-CZJ", "惠州市财政局", short_name="市财政局")
    w.swb = _unit(city, "HZ-SWB", "中共惠州市委办公室", short_name="市委办")
    w.zwb = _unit(city, "HZ-ZWB", "惠州市行政服务中心管理办公室")
    services.unit_rename(
        by=None, unit=w.zwb, name="惠州市政务服务管理办公室", on=dt.date(2016, 7, 1)
    )
    w.scj = _unit(city, "HZ-SCJ", "惠州市市场监督管理局", short_name="市市场监管局")
    w.gsj = _unit(city, "HZ-GSJ", "惠州市工商行政管理局", short_name="市工商局")
    services.unit_merge(by=None, unit=w.gsj, into=w.scj, on=dt.date(2016, 3, 1))
    w.huicheng = _unit(city, "HZ-HC", "惠城区", UnitKind.COUNTY)
    w.huidong = _unit(city, "HZ-HD", "惠东县", UnitKind.COUNTY)
    w.longmen = _unit(city, "HZ-LM", "龙门县", UnitKind.COUNTY)
    w.dayawan = _unit(city, "HZ-DYW", "大亚湾经济技术开发区", UnitKind.ZONE, "大亚湾区")
    w.zhongkai = _unit(city, "HZ-ZK", "仲恺高新技术产业开发区", UnitKind.ZONE, "仲恺高新区")
    w.huiyang.refresh_from_db()
    w.boluo.refresh_from_db()
    w.xinwei = _unit(w.huiyang, "HZ-HY-XW", "新圩镇", UnitKind.TOWN)
    w.huiyang_czj = _unit(w.huiyang, "HZ-HY-CZJ", "财政局")
    w.boluo_czj = _unit(w.boluo, "HZ-BL-CZJ", "财政局")
    for name in ("city", "fgj", "zwb", "scj", "gsj", "huiyang", "boluo"):
        getattr(w, name).refresh_from_db()
    w.counties = {w.huiyang, w.boluo, w.huicheng, w.huidong, w.longmen}
    w.zones = {w.dayawan, w.zhongkai}
    return w


@pytest.fixture
def matcher(huizhou) -> UnitMatcher:
    """The city office's matcher: its host is the city."""
    return UnitMatcher.load(within=huizhou.city)


# --- normalisation ------------------------------------------------------------


def test_fold_ignores_width_spaces_brackets_and_list_commas():
    assert fold(" 财政局（ＨＺ－ＣＺＪ） ") == "财政局(HZ-CZJ)"
    assert fold("各县 （区）、功能区") == "各县(区),功能区"


def test_the_city_prefix_and_zhonggong_fold_to_shi():
    keys = NameKeys(cities=["惠州市"], localities=["惠阳区"])
    assert keys.key("惠州市发展和改革局") == keys.key("市发展和改革局") == "市发展和改革局"
    assert keys.key("中共惠州市委办公室") == keys.key("市委办公室")
    assert keys.key("惠州市市场监督管理局") == "市市场监督管理局"
    assert keys.key("惠州市惠阳区财政局") == keys.key("惠阳区财政局")


# --- every way a unit is found -------------------------------------------------


def test_a_unit_is_found_by_its_code_in_either_case(huizhou, matcher):
    found = matcher.match("hz-jrj")
    assert (found.how, found.unit) == ("code", huizhou.jrj)


def test_a_unit_is_found_by_its_name_with_or_without_the_city(huizhou, matcher):
    for text in ("惠州市人民政府金融工作局", "市人民政府金融工作局", " 惠州市人民政府金融工作局 "):
        found = matcher.match(text)
        assert (found.how, found.unit, found.ambiguous) == ("name", huizhou.jrj, False)
    assert matcher.match("市委办公室").unit == huizhou.swb


def test_a_unit_is_found_by_its_short_name(huizhou, matcher):
    found = matcher.match("市金融工作局")
    assert (found.how, found.unit) == ("short_name", huizhou.jrj)
    assert matcher.match("大亚湾区").unit == huizhou.dayawan


def test_a_shared_name_with_its_code_in_brackets_is_found_by_the_code(huizhou, matcher):
    found = matcher.match("财政局（HZ-BL-CZJ）")
    assert (found.how, found.unit) == ("name_with_code", huizhou.boluo_czj)


def test_a_shared_name_goes_to_the_unit_under_the_offices_host(huizhou):
    county_office = UnitMatcher.load(within=huizhou.huiyang)
    found = county_office.match("财政局")
    assert (found.how, found.unit, found.ambiguous) == ("name", huizhou.huiyang_czj, False)


def test_a_shared_name_the_host_does_not_settle_is_ambiguous_with_both_candidates(huizhou, matcher):
    found = matcher.match("财政局")

    assert found.ambiguous and found.how == "name"
    assert found.units == () and found.unit is None
    assert {u for u, _ in found.candidates} == {huizhou.huiyang_czj, huizhou.boluo_czj}


def test_of_units_sharing_a_name_the_one_nearest_the_host_wins(huizhou):
    near = _unit(huizhou.huiyang, "HZ-HY-GGB", "改革办", UnitKind.OFFICE)
    _unit(huizhou.xinwei, "HZ-HY-XW-GGB", "改革办", UnitKind.OFFICE)

    assert UnitMatcher.load(within=huizhou.huiyang).match("改革办").unit == near


def test_a_renamed_unit_is_found_by_its_former_name(huizhou, matcher):
    found = matcher.match("惠州市行政服务中心管理办公室")

    assert (found.how, found.unit) == ("former_name", huizhou.zwb)
    assert found.name_until == dt.date(2016, 7, 1)
    assert found.merged_from is None


def test_a_merged_unit_gives_its_successor_and_says_when_it_was_merged(huizhou, matcher):
    for text in ("惠州市工商行政管理局", "市工商局", "HZ-GSJ"):
        found = matcher.match(text)
        assert found.units == (huizhou.scj,)
        assert found.merged_from == huizhou.gsj
        assert found.merged_on == dt.date(2016, 3, 1)
    assert matcher.match("市工商局").how == "former_name"


def test_an_alias_added_through_the_service_is_found_by_a_matcher_loaded_afterwards(
    huizhou, office_staff
):
    assert not UnitMatcher.load(within=huizhou.city).match("市发改局").found

    services.unit_alias_add(by=office_staff, unit=huizhou.fgj, alias="市发改局", source="台账.xlsx")

    found = UnitMatcher.load(within=huizhou.city).match("惠州市 发改局")
    assert (found.how, found.unit) == ("alias", huizhou.fgj)


# --- candidates for a name not found -----------------------------------------


def test_an_abbreviation_is_not_found_but_its_full_name_is_the_first_candidate(huizhou, matcher):
    found = matcher.match("市发改局")

    assert found.how == "" and found.units == () and not found.ambiguous
    assert found.candidates[0][0] == huizhou.fgj
    assert 0 < found.candidates[0][1] < 1
    assert len(found.candidates) <= 5


def test_an_abbreviation_of_a_long_name_finds_it_by_characters_in_order(huizhou, matcher):
    found = matcher.match("市金融局")

    assert found.how == ""
    assert found.candidates[0][0] == huizhou.jrj
    scores = [score for _, score in found.candidates]
    assert scores == sorted(scores, reverse=True)


def test_a_name_like_nothing_has_no_candidates(huizhou, matcher):
    assert matcher.match("国家航天局").candidates == ()
    assert matcher.match("").how == ""


# --- collective names -----------------------------------------------------------


@pytest.mark.parametrize("text", ["各县（区）", "各县区", "各县（区）政府", "各县(区)人民政府"])
def test_each_county_collective_expands_to_exactly_the_counties(huizhou, matcher, text):
    found = matcher.match(text)

    assert found.how == "collective" and not found.ambiguous
    assert set(found.units) == huizhou.counties
    assert found.unit is None
    assert "5" in found.expands_to_label


def test_counties_and_zones_together(huizhou, matcher):
    found = matcher.match("各县（区）、功能区")
    assert set(found.units) == huizhou.counties | huizhou.zones
    assert set(matcher.match("各功能区管委会").units) == huizhou.zones


def test_the_citys_departments_leave_out_county_bureaux_and_merged_units(huizhou, matcher):
    found = matcher.match("市直各单位")

    assert huizhou.fgj in found.units and huizhou.scj in found.units
    assert huizhou.huiyang_czj not in found.units
    assert huizhou.gsj not in found.units
    assert all(u.kind == UnitKind.DEPARTMENT for u in found.units)


def test_towns_are_those_under_the_host(huizhou):
    found = UnitMatcher.load(within=huizhou.huiyang).match("各镇（街道）")
    assert set(found.units) == {huizhou.huiyang_town, huizhou.xinwei}


# --- cost -----------------------------------------------------------------------


@pytest.mark.parametrize("count", [10, 200])
def test_loading_costs_three_queries_whatever_the_number_of_units(
    db, django_assert_num_queries, count
):
    city = UnitFactory(kind=UnitKind.CITY, name="惠州市")
    for n in range(count):
        UnitFactory(parent=city, name=f"惠州市第{n}局")
    city.refresh_from_db()

    with django_assert_num_queries(3):
        matcher = UnitMatcher.load(within=city)
    with django_assert_num_queries(0):
        assert matcher.match(f"市第{count - 1}局").how == "name"
        assert matcher.match("市第局").candidates


# --- people ---------------------------------------------------------------------


@pytest.fixture
def leaders(world) -> SimpleNamespace:
    city = world.city
    add = services.person_create
    return SimpleNamespace(
        mayor=add(by=None, name="王德明", title="市委副书记、市长", unit=city),
        zhang=add(by=None, name="张伟", title="副市长", unit=city),
        he=add(by=None, name="何示意", title="市委常委、常务副市长", unit=city),
        ouyang=add(by=None, name="欧阳明", title="副市长", unit=city),
        li=add(by=None, name="李强", title="市委常委、组织部部长", unit=city),
    )


def test_a_leader_is_found_by_exact_name(leaders):
    found = PersonMatcher.load().match("张伟")
    assert (found.how, found.person) == ("name", leaders.zhang)


@pytest.mark.parametrize("text", ["张伟（副市长）", "副市长张伟", "张伟副市长"])
def test_a_leader_is_found_by_name_with_title(leaders, text):
    found = PersonMatcher.load().match(text)
    assert (found.how, found.person) == ("name", leaders.zhang)


def test_a_leader_is_found_by_surname_and_title(leaders):
    matcher = PersonMatcher.load()
    assert (matcher.match("张副市长").how, matcher.match("张副市长").person) == (
        "title",
        leaders.zhang,
    )
    # 常务副市长 is a 副市长; 欧阳 is one surname of two characters.
    assert matcher.match("何副市长").person == leaders.he
    assert matcher.match("欧阳副市长").person == leaders.ouyang
    assert matcher.match("王副市长").person is None


def test_the_mayor_is_found_by_title_and_a_deputy_is_not_taken_for_him(leaders):
    found = PersonMatcher.load().match("市长")
    assert (found.how, found.person) == ("title", leaders.mayor)


def test_two_deputies_with_the_same_surname_are_ambiguous(leaders, world):
    other = services.person_create(by=None, name="张建华", title="副市长", unit=world.city)

    found = PersonMatcher.load().match("张副市长")

    assert found.ambiguous and found.person is None and found.how == "title"
    assert {p for p, _ in found.candidates} == {leaders.zhang, other}


def test_an_unknown_name_lists_close_people(leaders):
    found = PersonMatcher.load().match("张玮")
    assert found.how == "" and found.person is None
    assert found.candidates[0][0] == leaders.zhang


def test_loading_people_costs_one_query(leaders, django_assert_num_queries):
    with django_assert_num_queries(1):
        matcher = PersonMatcher.load()
    with django_assert_num_queries(0):
        assert str(matcher.match("李强").person.unit) == "惠州市"
