"""The speed-ups in generator/accel/ change nothing but speed: the site is the same bytes with the switch
on and off (RC_ACCEL=0: documented APIs only), and on one core."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from generator import accel

from .conftest import ROOT, copy_project


def _tree(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _build(project, site_dir, switch: str, one_core: bool = False) -> subprocess.CompletedProcess:
    env = dict(os.environ, RC_ACCEL=switch, NO_MKDOCS_2_WARNING="1", SOURCE_DATE_EPOCH="1700000000")
    cpu = min(os.sched_getaffinity(0))
    return subprocess.run([sys.executable, "-m", "generator", "--root", str(project.root), "build",
                           "--site-dir", str(site_dir)], cwd=ROOT, env=env, capture_output=True, text=True,
                          preexec_fn=(lambda: os.sched_setaffinity(0, {cpu})) if one_core else None, timeout=600)


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="needs Linux's CPU affinity")
def test_the_site_is_the_same_bytes_with_the_speed_ups_on_and_off_and_on_one_core(tmp_path):
    project = copy_project(tmp_path / "project")
    builds = {}
    for name, switch, one_core in (("on", "1", False), ("off", "0", False), ("on, one core", "1", True)):
        result = _build(project, tmp_path / name, switch, one_core)
        assert result.returncode == 0, result.stderr
        assert "reform-compare:" not in result.stderr  # no speed-up fell back
        builds[name] = _tree(tmp_path / name)
    assert len(builds["on"]) > 200 and any(path.endswith("pagefind-entry.json") for path in builds["on"])
    for name, tree in builds.items():
        assert tree.keys() == builds["on"].keys(), name
        assert [p for p in tree if tree[p] != builds["on"][p]] == [], name


def test_a_dependency_at_another_version_turns_its_speed_up_off_with_a_warning(monkeypatch, capsys):
    monkeypatch.setitem(accel.PINNED, "jinja2", "0.0.1")
    monkeypatch.setattr(accel, "_warned", set())
    assert not accel.allowed("fastjinja", "jinja2")
    assert "fastjinja is off: jinja2" in capsys.readouterr().err
    assert accel.allowed("fastpage", "mkdocs", "markdown")
    monkeypatch.setenv("RC_ACCEL", "0")
    assert not accel.allowed("fastpage", "mkdocs", "markdown")
    assert capsys.readouterr().err == ""  # switched off: nothing to warn about


def test_with_the_switch_off_the_renderer_uses_stock_jinja(monkeypatch, fixture_project):
    import jinja2

    from generator.pipeline import load_site
    from generator.render.renderer import Renderer
    site = load_site(fixture_project)
    assert type(Renderer(site, "https://example.org/").env) is not jinja2.Environment
    monkeypatch.setenv("RC_ACCEL", "0")
    assert type(Renderer(site, "https://example.org/").env) is jinja2.Environment


def test_pages_at_one_place_of_the_frame_have_the_same_links_to_every_target_of_the_frame():
    """generator/accel/frames.py renders a part of the frame once for every page at one place: every link
    the frame makes (to the nav's pages, the home page, assets) must then be the same from each of them."""
    import itertools
    import random
    from types import SimpleNamespace

    from mkdocs.utils import get_relative_url

    from generator.accel.frames import Frames

    nav_urls = ["", "documents/", "themes/", "jurisdictions/guangdong/", "about/", "data/exports/"]
    nav = SimpleNamespace(pages=[SimpleNamespace(url=u) for u in nav_urls])
    config = SimpleNamespace(extra_css=["assets/reform.css"], extra_javascript=["assets/reform.js"], extra={})
    frames = Frames(nav, config)
    targets = nav_urls + ["assets/reform.css", "assets/javascripts/bundle.min.js", "assets/", "about/"]
    names = ["documents", "themes", "jurisdictions", "guangdong", "jiangxi", "tasks", "data", "exports",
             "assets", "about", "x"]
    rng = random.Random(21)
    pages = {""} | {"/".join(rng.choice(names) for _ in range(rng.randint(1, 5))) + "/" for _ in range(3000)}
    pages |= {"404.html", "sitemap.xml", "tasks/a/index.html"}
    by_place: dict[tuple, list[str]] = {}
    for url in pages:
        by_place.setdefault(frames.place(url), []).append(url)
    assert len(by_place) < len(pages) / 5  # places are shared, or nothing would be saved
    for urls in by_place.values():
        for first, other in itertools.pairwise(urls):
            for target in targets:
                assert get_relative_url(target, first) == get_relative_url(target, other), (target, first, other)
