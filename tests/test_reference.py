"""The shipped reference model of the plan, and its validation errors."""

import shutil

import pytest

from pipeline.reference import ReferenceDataError, load_reference


def test_shipped_counts(ref):
    assert len(ref.units) == 28
    assert ref.units["group"].value_counts().to_dict() == {"dept": 19, "base": 8, "office": 1}
    assert len(ref.tasks) == 15 and len(ref.domains) == 26
    assert len(ref.lead_units) == 18 and "dsj" not in ref.lead_units


@pytest.mark.parametrize("unit,tasks", [
    ("hubin", [1, 2, 3, 5, 6, 8, 10, 11, 12, 13, 14]),
    ("kfq", [1, 2, 3, 5, 6, 8, 10, 11, 12, 13, 14]),
    ("lingbao", [1, 2, 3, 5, 6, 7, 8, 10, 11, 12, 13, 14]),
    ("rsj", [3, 4, 6, 9, 12, 13, 14, 15]),
    ("dsj", [3, 6, 12, 13, 14]),
    ("zwgkb", [7]),
])
def test_applicability(ref, unit, tasks):
    assert list(ref.assignments.query("unit_id == @unit")["task_id"]) == tasks


def test_lingbao_catalogue_deadline_override(ref):
    a = ref.assignments.set_index(["unit_id", "task_id"])["deadline"]
    assert str(a["lingbao", 5].date()) == "2020-10-31" and str(a["hubin", 5].date()) == "2020-11-30"


def test_domain_order_and_leads(ref):
    d = ref.domains.set_index("domain_id")
    assert (d.loc[1, "name"], d.loc[2, "name"], d.loc[3, "name"]) == ("城乡规划", "征地补偿", "重大建设项目")
    assert (d.loc[25, "name"], d.loc[26, "name"], d.loc[26, "lead_unit_id"]) == ("义务教育", "医疗卫生", "wjw")
    assert "农村集体土地征收" in d.loc[2, "aliases"] and d.loc[9, "lead_unit_id"] == "zjj"


@pytest.mark.parametrize("name,unit", [("灵宝市人民政府", "lingbao"), ("灵宝", "lingbao"),
                                       ("市住房和城乡建设局", "zjj"), ("市人社局", "rsj"),
                                       ("三门峡经济开发区（管委会）", "kfq"), (" 湖滨区 ", "hubin")])
def test_aliases(ref, name, unit):
    assert ref.resolve_unit(name) == unit


def test_unknown_name_is_not_matched_but_suggested(ref):
    assert ref.resolve_unit("灵宝县") is None
    assert "灵宝市" in ref.suggest_units("灵宝县")


def _copy(tmp_path):
    dst = tmp_path / "ref"
    shutil.copytree(load_reference().folder, dst)
    return dst


@pytest.mark.parametrize("file,old,new,message", [
    ("units.csv", "hubin,1,base", "hubin,1,county", "units.csv 第2行：未知分组「county」"),
    ("domains.csv", "1,城乡规划,zrzy", "1,城乡规划,nobody", "domains.csv 第2行：牵头单位「nobody」"),
    ("tasks.csv", "1,base,2020年5月底", "1,base,尽快", "tasks.csv 第2行：无法识别的时间进度：「尽快」"),
    # two units of one short name would share one template and one 反馈 workbook
    ("units.csv", "yima,3,base,义马市", "yima,3,base,湖滨区", "units.csv 第4行：简称「湖滨区」与第2行重复"),
])
def test_validation_names_file_and_row(tmp_path, file, old, new, message):
    folder = _copy(tmp_path)
    path = folder / file
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ReferenceDataError, match=message):
        load_reference(folder)


def test_suggestions_are_only_the_near_best_names(ref):
    assert ref.suggest_units("灵宝县人民政俯") == ["灵宝市"]
    assert ref.suggest_units("三门峡市教体局") == ["市教育局"]
    assert ref.suggest_units("完全不相干的名称") == []
