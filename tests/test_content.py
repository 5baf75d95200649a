"""Facts about the curated content itself: nothing dropped, nothing invented, everything quoted."""

import pytest
import yaml

from generator.pipeline import load_site
from generator.content.project import Project
from generator.model.coverage import site_coverage


@pytest.fixture(scope="module")
def site(root):
    return load_site(Project(root))


@pytest.fixture(scope="module")
def reviewed(root):
    return yaml.safe_load((root / "tests" / "reviewed_content.yaml").read_text(encoding="utf-8"))


def test_each_seed_has_one_document_and_a_byte_identical_source(root, site):
    seeds = root.parent / "shared" / "seeds"
    if not seeds.is_dir():
        pytest.skip("../shared/seeds is not beside this checkout")
    originals = {p.read_bytes() for p in seeds.glob("*.txt")}
    kept = {(root / "content" / "sources" / d.source_file).read_bytes() for d in site.documents}
    assert kept == originals


def test_task_ids_are_the_reviewed_ones(site, reviewed):
    assert {d.id: [t.id for t in d.tasks] for d in site.documents} == {k: v["tasks"] for k, v in reviewed.items()}


def test_indicators_are_the_reviewed_ones(site, reviewed):
    actual = {d.id: [f"{t.id}#{i.id}: {i.comparator} {i.value:g}"
                     f"{'-%g' % i.value_max if i.value_max is not None else ''} {i.unit} by {i.deadline}"
                     for t in d.tasks for i in t.indicators] for d in site.documents}
    assert actual == {k: v["indicators"] for k, v in reviewed.items()}


def test_coverage_does_not_fall(site, reviewed):
    for cov in site_coverage(site):
        assert cov.accounted * 100 >= reviewed[cov.document]["coverage_min_percent"], cov.document


def test_every_task_has_a_theme_and_local_tasks_point_up(site):
    for task in site.all_tasks:
        assert task.themes
    jiangxi = site.document["jiangxi-2020-h2-key-tasks"]
    assert sum(1 for t in jiangxi.tasks if t.implements) >= 5


def test_unknowns_stay_unknown(site):
    city = site.document["city-2014-grassroots-public-health"]
    assert city.issuer is None and city.issued == "unknown"
    assert site.jurisdiction[city.jurisdiction].parent == ""  # the text does not name its province
    feixi = site.document["feixi-health-capacity-five-aspects"]
    assert feixi.issued == "unknown" and feixi.period is None


def test_national_bodies_match_the_parentheses(site):
    task = site.task["china-2020-h2-key-tasks/reform-disease-prevention-system"]
    assert {(b.body, b.role) for b in task.bodies} == {
        ("nhc", "lead"), ("gacc", "lead"), ("ndrc", "participate"), ("mof", "participate"),
        ("mohrss", "participate"), ("natcm", "participate")}
    task = site.task["china-2020-h2-key-tasks/improve-infectious-disease-early-warning"]
    assert {b.body for b in task.bodies if b.role == "lead"} == {
        "nhc", "gacc", "natcm", "cmc-logistic-support-health-bureau"}


def test_aliases_name_one_body_each(site):
    owners = {}
    for b in site.bodies:
        for name in (b.name, *b.aliases):
            assert owners.setdefault(name.lower(), b.id) == b.id, name
