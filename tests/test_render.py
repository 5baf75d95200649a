"""Stage 4: every page type renders, links are relative, content text cannot become markup."""

import html
import json
import posixpath
import re

import jinja2
import markupsafe
import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator.pipeline import load_site, render_files
from generator.pages.citation import files_of
from generator.content.project import Project
from generator.accel.fastjinja import FastEnvironment
from generator.output.export import indented_json
from generator.render.renderer import (
    TEMPLATE_SETTINGS,
    indicator_value,
    md,
    relative,
)
from generator.content.text import source_spans


@pytest.fixture(scope="module")
def files(root):
    project = Project(root)
    return render_files(project, load_site(project), with_history=False)


def text(files, path):
    return files[path].decode("utf-8")


def test_every_page_type_is_rendered(files):
    for path in ["index.md", "documents/index.md", "themes/index.md", "bodies/index.md", "jurisdictions/index.md",
                 "indicators/index.md", "compare/index.md", "data/index.md",
                 "documents/china-2020-h2-key-tasks/index.md", "documents/china-2020-h2-key-tasks/source.md",
                 "documents/china-2020-h2-key-tasks/cascade.md",
                 "tasks/china-2020-h2-key-tasks/reform-disease-prevention-system.md",
                 "themes/disease-control.md", "bodies/nhc.md", "jurisdictions/feixi.md",
                 "data/tasks.json", "data/tasks.csv", "data/indicators.csv", "data/bodies.csv",
                 "data/documents.json", "data/document.schema.json"]:
        assert path in files, path


def test_task_page_shows_quote_bodies_indicators_and_citation(files):
    page = text(files, "tasks/jiangxi-2020-h2-key-tasks/epidemic-treatment-capacity.md")
    assert "63 county-level hospitals" in page
    assert '<tr id="county-level-hospitals">' in page  # indicator anchor for citations
    assert "<td class=\"rc-value\">63 hospitals" in page
    assert 'href="../../../documents/jiangxi-2020-h2-key-tasks/source/#q-epidemic-treatment-capacity"' in page
    assert "https://reform-compare.github.io/tasks/jiangxi-2020-h2-key-tasks/epidemic-treatment-capacity/" in page
    national = text(files, "tasks/china-2020-h2-key-tasks/reform-disease-prevention-system.md")
    assert '<a href="../../../bodies/nhc/">National Health Commission</a> — <strong>leads</strong>' in national
    assert '<a href="../../../bodies/mof/">Ministry of Finance</a> — <strong>participates</strong>' in national
    assert "Carried out by:" in national and "jiangxi-2020-h2-key-tasks/public-health-service-system/" in national


def test_task_without_bodies_says_so(files):
    page = text(files, "tasks/feixi-health-capacity-five-aspects/recruit-medical-graduates.md")
    assert "The source names no responsible body for this task" in page
    assert "1,000 graduates" in page and "within three years" in page


def test_theme_page_orders_national_to_county_and_marks_empty_cells(files):
    page = text(files, "themes/disease-control.md")
    order = [page.index(name) for name in ("China", "Guangdong Province", "Jiangxi Province",
                                           "City not stated", "Feixi County")]
    assert order == sorted(order)
    covid = text(files, "themes/covid-19.md")
    assert "Nothing on this theme in the text we hold, which is only an excerpt" in covid


def test_source_page_links_quoted_spans_to_tasks(files):
    page = text(files, "documents/jiangxi-2020-h2-key-tasks/source.md")
    assert '<span class="rc-anchor" id="q-epidemic-treatment-capacity"></span>' in page
    assert 'href="../../../tasks/jiangxi-2020-h2-key-tasks/epidemic-treatment-capacity/"' in page
    assert "&lt; p &gt;" not in page.split("</div>", 2)[-1]  # marks become paragraph breaks
    assert 'id="p1"' in page and 'id="p5"' in page


def test_body_page_separates_lead_and_participation(files):
    page = text(files, "bodies/natcm.md")
    lead, participate = page.split("## Participates")
    assert "improve-infectious-disease-early-warning" in lead
    assert "reform-disease-prevention-system" in participate
    assert "state administration of traditional chinese medicine" in page  # alias shown


def test_indicators_page_lists_every_indicator(files, root):
    from generator.model.site import Site  # noqa: F401
    page = text(files, "indicators/index.md")
    assert page.count("<tr data-theme=") == 14
    assert "about 40%" in page and "more than 90%" in page and "1–2 counties (districts)" in page


def test_home_matrix_links_into_theme_pages(files):
    page = text(files, "index.md")
    assert 'class="rc-heat rc-heat-' in page
    assert 'href="themes/public-health/"' in page   # the theme headings
    # one row per national or provincial jurisdiction; a county's document counts in its province's row
    rows = page.split("<tbody>")[1].split("</tbody>")[0].split("<tr>")[1:]
    assert [r.split('href="jurisdictions/')[1].split("/")[0] for r in rows] == [
        "china", "anhui", "guangdong", "jiangxi"]
    # a row says where its counts come from, and each number opens that jurisdiction's tasks on the theme
    assert "counts include Feixi County (county)" in rows[1]
    assert "counts include a city document whose place the source does not name" in rows[0]
    assert 'href="jurisdictions/anhui/#theme-public-health"' in rows[1]


def test_markdown_escaping_makes_text_inert():
    assert str(md("<script>x</script>")) == "&lt;script&gt;x&lt;/script&gt;"
    assert str(md("[x](javascript:alert(1))")) == r"\[x\]\(javascript:alert\(1\)\)"
    assert str(md("{: onclick=alert(1) }")) == r"\{: onclick=alert\(1\) \}"


def test_relative_links():
    assert relative("tasks/a/b/", "documents/a/") == "../../../documents/a/"
    assert relative("", "themes/x/") == "themes/x/"
    assert relative("themes/x/", "") == "../../"
    assert relative("documents/a/", "documents/a/source/#q-t") == "source/#q-t"


URL = st.lists(st.sampled_from(["a", "b", "tasks", ".", "..", ""]), max_size=4).map("/".join)


@given(URL, URL, st.sampled_from(["", "/"]), st.sampled_from(["", "#q-t", "#"]))
def test_relative_links_are_posixpath_relpath(start, target, slash, anchor):
    to_url = target + slash + anchor
    rel = posixpath.relpath(target + slash or ".", start or ".")
    wanted = ("./" if rel == "." else rel + ("/" if (target + slash).endswith("/") or not target + slash else ""))
    assert relative(start, to_url) == wanted + (anchor if anchor != "#" else "")


def _spans_char_by_char(source: str) -> tuple[str, list[int]]:
    chars, offsets, pending = [], [], False
    for i, ch in enumerate(source):
        if ch.isspace():
            pending = bool(chars)
            continue
        if pending:
            chars.append(" ")
            offsets.append(i - 1)
            pending = False
        chars.append(ch)
        offsets.append(i)
    return "".join(chars), offsets


@given(st.text(st.sampled_from(["a", "b", "中", " ", "\n", "\t", "\u3000", "\x1c", "\xa0", "\u2029"])))
def test_source_spans_map_each_character_back(source):
    flat, offsets = source_spans(source)
    wanted_flat, wanted = _spans_char_by_char(source)
    assert flat == wanted_flat and len(offsets) == len(wanted)
    assert [offsets[i] for i in range(len(wanted))] == wanted
    assert [offsets[i] for i in range(-len(wanted), 0)] == wanted
    with pytest.raises(IndexError):
        offsets[len(wanted)]


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
                    lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner), max_leaves=20)


@given(JSON)
def test_indented_json_is_what_json_writes(value):
    assert indented_json(value) == json.dumps(value, ensure_ascii=False, indent=1)


def test_indicator_value_wording():
    from generator.model.site import Indicator
    base = dict(id="i", measure="m", deadline="unknown", quote="q")
    assert indicator_value(Indicator(value=40, unit="%", comparator="about", **base)) == "about 40%"
    assert indicator_value(Indicator(value=1, value_max=2, unit="counties", comparator="range", **base)) == "1–2 counties"
    assert indicator_value(Indicator(value=1000, unit="graduates", comparator="=", **base)) == "1,000 graduates"


def test_a_document_s_time_is_worded_one_way_on_every_page(files):
    from generator.content.dates import long_date, long_period, when
    assert long_date("2020-07-01") == "1 July 2020" and long_date("2020-07") == "July 2020" and long_date("2020") == "2020"
    assert long_period(("2020-07", "2020-12")) == "July 2020 – December 2020" and long_period(("2020", "2020")) == "2020"
    assert when(("2020-07", "2020-12"), "2020-06") == "July 2020 – December 2020"
    assert when(None, "2020") == "issued 2020" and when(None, "unknown") == "date not stated"
    pages = {path: text(files, path) for path in files if path.endswith(".md")}
    assert any("issued 2020" in page for page in pages.values()), "the fixture has a document dated only by its issue"
    for wording in ("period not stated", "<td data-label=\"Period\">not stated in the source</td>"):
        assert not [path for path, page in pages.items() if wording in page], wording


class _Html:
    def __html__(self):
        return "<i>safe</i>"


HOSTILE = """{% macro box(v) %}<b>{{ v }}</b>{{ caller() if caller else "" }}{% endmacro %}
{{ v }} {{ v ~ "<&>" }} {{ v|e }} {{ m }} {{ n }} {{ h }}
{% set block %}{{ v }}<br>{% endset %}{{ block }} {{ block|length }}
{% call box(v) %}{{ m }}{{ v }}{% endcall %} {{ box(m) }}
{% filter upper %}{{ v }}{% endfilter %} {% for x in [v, m, n] %}{{ loop.index }}{{ x }}{% endfor %}
"""


def test_templates_output_what_stock_jinja_outputs():
    values = {"v": "<script>'a' & \"b\"</script>", "m": markupsafe.Markup("<em>kept</em>"), "n": 7, "h": _Html()}
    pages = []
    for env_class in (FastEnvironment, jinja2.Environment):
        env = env_class(loader=jinja2.DictLoader({"t": HOSTILE}), **TEMPLATE_SETTINGS)
        pages.append(env.get_template("t").render(**values))
    assert pages[0] == pages[1] and "&lt;script&gt;" in pages[0] and "<em>kept</em>" in pages[0]


def test_document_provenance_shows_on_its_page_and_in_citations(scratch):
    """A Chinese title and an original address, where a source states them, reach the page and the citations."""
    path = scratch.content / "documents" / "guangdong-2020-near-term-key-tasks.yaml"
    record = path.read_text(encoding="utf-8")
    record = record.replace("jurisdiction: guangdong\n", "title_zh: 广东省深化医药卫生体制改革近期重点工作任务\n"
                            "jurisdiction: guangdong\n", 1)
    record = record.replace("  file: guangdong-2020-near-term-key-tasks.txt\n",
                            "  file: guangdong-2020-near-term-key-tasks.txt\n  url: https://example.org/gd-2020\n", 1)
    path.write_text(record, encoding="utf-8")
    files = render_files(scratch, load_site(scratch), with_history=False)
    page = text(files, "documents/guangdong-2020-near-term-key-tasks/index.md")
    assert '<dd lang="zh">广东省深化医药卫生体制改革近期重点工作任务</dd>' in page
    assert 'href="https://example.org/gd-2020"' in page
    task = next(p for p in files if p.startswith("tasks/guangdong-2020-near-term-key-tasks/") and p.endswith(".md"))
    cite = text(files, task)
    assert "(广东省深化医药卫生体制改革近期重点工作任务.)" in cite and "Original: https://example.org/gd-2020." in cite
    head = re.search(r'class="rc-head" data-head="([^"]*)"', cite).group(1)
    downloads = files_of(json.loads(html.unescape(head))["cite"])  # what the hook writes beside the page
    assert "TT  - 广东省深化医药卫生体制改革近期重点工作任务" in downloads["cite.ris"].decode("utf-8")
    assert "L2  - https://example.org/gd-2020" in downloads["cite.ris"].decode("utf-8")
    assert json.loads(downloads["cite.json"])[0]["original-title"] == "广东省深化医药卫生体制改革近期重点工作任务"
