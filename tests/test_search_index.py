"""Site search's records and index (generator/search/): what is indexed, and the same bytes every time."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest

from generator.pipeline import load_site
from generator.search import cbor, index, records


@pytest.fixture(scope="module")
def site(fixture_project):
    return load_site(fixture_project)


def test_chinese_is_indexed_as_overlapping_pairs():
    assert records.cjk_pairs("国家卫生健康委员会") == "国家 家卫 卫生 生健 健康 康委 委员 员会"
    assert records.cjk_pairs("NHC 江西省, 县") == "江西 西省 县"
    assert records.cjk_pairs("no Chinese here") == ""


def test_every_searchable_page_has_one_record(site):
    urls = [url for url, _ in records.records(site)]
    assert len(urls) == len(set(urls))
    expected = {t.url for t in site.all_tasks} | {d.url for d in site.documents}
    expected |= {f"bodies/{b.id}/" for b in site.bodies} | {f"jurisdictions/{j.id}/" for j in site.jurisdictions}
    expected |= {f"themes/{t.id}/" for t in site.themes}
    assert set(urls) == expected


def _text(record: str) -> str:
    return re.sub(r"<[^>]+>", " ", record)


def test_names_and_short_names_find_the_body_and_its_tasks(site):
    by_url = dict(records.records(site))
    for body in site.bodies:
        names = [n for n in (body.name_zh, *body.aliases, *body.short_names) if n]
        own = _text(by_url[f"bodies/{body.id}/"])
        tasks = [_text(by_url[t.url]) for t, _ in site.tasks_by_body.get(body.id, ())]
        for name in names:
            assert name in own, (body.id, name)
            assert all(name in text for text in tasks), (body.id, name)
        if body.name_zh and len(body.name_zh) > 1:
            assert records.cjk_pairs(body.name_zh) in own


def test_records_hold_sentences_not_glued_labels(site):
    for url, record in records.records(site):
        assert "<dt" not in record and "<nav" not in record and "md-" not in record, url
        sentences = re.findall(r"<p>(.*?)</p>", record)
        assert all(s[-1] in ".!?。;:" for s in sentences), url


def test_filters_name_the_province_of_cities_and_counties(site):
    by_url = dict(records.records(site))
    places = records._Places(site)
    for task in site.all_tasks:
        jur = site.jurisdiction[site.document[task.doc].jurisdiction]
        record = by_url[task.url]
        assert f'data-pagefind-filter="level[data-v]" data-v="{jur.level}"' in record
        province = places.province(jur.id)
        above, seen = [], jur
        while seen.parent in site.jurisdiction:
            seen = site.jurisdiction[seen.parent]
            above.append(seen.level)
        if jur.level in ("prefecture", "city", "county") and "province" in above:
            assert province and site.jurisdiction[province].level == "province"
            assert f'data-pagefind-filter="province[data-v]" data-v="{province}"' in record
        elif jur.level != "province":  # China's own, or a city whose province the source does not name
            assert 'data-pagefind-filter="province[data-v]"' not in record
        for theme in task.themes:
            assert f'data-pagefind-filter="theme[data-v]" data-v="{theme}"' in record


def _sample_records() -> list[tuple[str, str]]:
    """Enough pages with several values per filter that a hash map's order would show."""
    out = []
    for n in range(60):
        html = (f'<html lang="en"><body><main data-pagefind-body><h1>Page {n}</h1><p>Words {n % 7} and 卫生 健康.</p>'
                + "".join(f'<i data-pagefind-filter="f{k}[data-v]" data-v="v{(n * k) % 11}"></i>' for k in range(1, 6))
                + f'<i data-pagefind-meta="kind[data-v]" data-v="k{n % 3}"></i></main></body></html>')
        out.append((f"p/{n}/", html))
    return out


def test_the_index_is_the_same_bytes_every_time():
    runs = [index.index_files(_sample_records()) for _ in range(3)]
    assert runs[0] == runs[1] == runs[2]
    assert any(p.startswith("filter/") for p in runs[0]) and "pagefind-entry.json" in runs[0]
    assert not [p for p in runs[0] if "-ui" in p or "highlight" in p]  # Pagefind's own UI is left out


def test_filter_values_are_sorted_and_the_metadata_points_at_them():
    files = index.index_files(_sample_records())
    entry = json.loads(files["pagefind-entry.json"])
    meta = cbor.read(files[f"pagefind.{entry['languages']['en']['hash']}.pf_meta"])
    names = [name for name, _ in meta[3]]
    assert names == sorted(names) == [f"f{k}" for k in range(1, 6)]
    for _, hashed in meta[3]:
        values = [v[0] for v in cbor.read(files[f"filter/{hashed}.pf_filter"])[1]]
        assert values == sorted(values) and len(values) > 1


def test_cbor_reads_and_writes_pagefind_files_unchanged():
    files = index.index_files(_sample_records())
    checked = 0
    for path, packed in files.items():
        if path.endswith((".pf_meta", ".pf_filter", ".pf_index")):
            data = gzip.decompress(packed)
            value, end = cbor.loads(data, len(cbor.MAGIC))
            assert end == len(data) and cbor.MAGIC + cbor.dumps(value) == data, path
            checked += 1
    assert checked >= 3


def test_a_missing_binary_is_a_clear_error(monkeypatch, tmp_path: Path):
    monkeypatch.setattr(index, "get_executable", lambda: None)
    search = tmp_path / "search"
    search.mkdir()
    (search / records.SITE).write_text(json.dumps({"filters": {}, "shards": []}), encoding="utf-8")
    (search / f"{records.MAIN}.json").write_text(json.dumps({"records": []}), encoding="utf-8")
    with pytest.raises(index.SearchIndexError, match="make venv"):
        index.write_index(search, tmp_path / "site")
