import pytest

from fangkong.org.models import Region
from fangkong.org.selectors import region_get, region_search

pytestmark = pytest.mark.django_db


def test_all_levels_are_loaded_with_gbt2260_codes():
    assert Region.objects.filter(level=1).count() == 31
    assert Region.objects.get(code="440000").name == "广东省"
    assert Region.objects.get(code="440100").parent_id == "440000"
    tianhe = Region.objects.get(code="440106")
    assert tianhe.full_name == "广东省 广州市 天河区"
    assert Region.objects.filter(level=4, parent_id="520113").count() > 5


def test_municipality_districts_skip_the_placeholder_city_name():
    assert Region.objects.get(code="110105").full_name == "北京市 朝阳区"


def test_lookup_by_code_follows_an_abolished_code_to_its_successor():
    # 莱芜市莱城区 (371202) became 济南市莱芜区 (370116) in 2019; ID numbers still carry 371202.
    region = region_get("371202")
    assert region is not None
    assert region.code == "370116"
    assert region_get("999999") is None


def test_search_by_name_and_by_old_name():
    assert "520113" in [r.code for r in region_search("白云区")]
    assert "330105" in [r.code for r in region_search("下城区")]
    assert [r.code for r in region_search("5201")][:1] == ["520100"]
