"""Comparison over levels and time on the pages: labels, word diffs, documents above, what changed,
timelines, compare fixes and deadline status (the fixture's 2018 and 2020 national key tasks)."""

import re

import pytest

from generator.model.deadlines import build_date, deadline_status
from generator.model.diff import diff_block, tokens, word_diff
from generator.pipeline import load_site, render_files

from .conftest import FIXTURE_CONTENT, read_yaml

EARLIER, LATER = "china-2018-h2-key-tasks", "china-2020-h2-key-tasks"


@pytest.fixture(scope="module")
def files(fixture_project):
    return render_files(fixture_project, load_site(fixture_project), with_history=False)


def page(files, path):
    return files[path].decode("utf-8")


def test_two_national_documents_read_apart_everywhere(files):
    theme = page(files, "themes/disease-control.md")
    assert ">China · key tasks 2018 H2</a>" in theme and ">China · key tasks 2020 H2</a>" in theme
    compare = page(files, "compare/index.md")
    assert ">China · key tasks 2018 H2</option>" in compare and ">China · key tasks 2020 H2</option>" in compare
    jur = page(files, "jurisdictions/china.md")
    assert "China · key tasks 2018 H2" in jur and "China · key tasks 2020 H2" in jur
    body = page(files, "bodies/nhc.md")
    assert "— China · key tasks 2020 H2" in body and "— China<" not in body
    task = page(files, f"tasks/{LATER}/healthy-lifestyle.md")
    assert "Reform Compare: China · key tasks 2020 H2, https://" in task  # the citation
    related = task.split("{#related", 1)[1].split("{#cite", 1)[0]
    assert re.search(r"— [^<]+ · [^<]+</span>", related)


def test_a_task_carrying_out_a_higher_task_shows_the_wording_word_by_word(files):
    text = page(files, "tasks/guangdong-2020-near-term-key-tasks/public-health-teams.md")
    section = text.split("{#wording", 1)[1].split("\n## ", 1)[0]
    assert "<ins>" in section and "<del>" in section and "underlined words" in section  # the legend
    assert '<span class="rc-sr">[added: </span>' in section and '<span class="rc-sr">[dropped: </span>' in section
    assert f"../../{LATER}/strengthen-public-health-workforce/" in section


def test_cascade_and_theme_pages_open_the_diffs(files):
    cascade = page(files, f"documents/{LATER}/cascade.md")
    assert re.search(r'href="[^"]*tasks/guangdong-2020-near-term-key-tasks/[^"]+/#wording"', cascade)
    theme = page(files, "themes/public-health-workforce.md")
    assert re.search(r'href="[^"]*tasks/guangdong-2020-near-term-key-tasks/public-health-teams/#wording"', theme)


def test_numbers_that_differ_stand_out_and_chinese_is_one_character_a_token():
    html = diff_block(["Support county-level hospitals to raise treatment capacity."],
                      ["In 2020, support 63 county-level hospitals to raise treatment capacity."])
    assert '<ins><span class="rc-sr">[added: </span><strong class="rc-num">63</strong>' in html
    assert "Numbers that differ: 2020, 63 here; none in the higher-level text." in html
    assert [t.text for t in tokens("支持63家县级医院")] == ["支", "持", "63", "家", "县", "级", "医", "院"]
    diff = word_diff("加强县级医院建设", "支持63家县级医院建设")
    assert diff.numbers("insert") == ["63"] and diff.same == 6
    assert "(3)" not in diff_block(["(3) Reform pay."], ["Reform pay."]).split("rc-diff-counts")[1]  # an item number


def test_a_local_document_sees_what_it_carries_out_leaves_out_and_adds(files):
    text = page(files, "documents/jiangxi-2020-h2-key-tasks/above.md")
    assert "## China · key tasks 2020 H2" in text
    carried = text.split("### Carried out", 1)[1].split("### Not mentioned", 1)[0]
    missing = text.split("### Not mentioned", 1)[1].split("## Local additions", 1)[0]
    additions = text.split("## Local additions", 1)[1]
    assert f"tasks/{LATER}/strengthen-public-health-workforce/" in carried and "<ins>" in carried
    assert f"tasks/{LATER}/tcm-revitalization/" in missing
    assert "tasks/jiangxi-2020-h2-key-tasks/epidemic-treatment-capacity/" in additions
    assert "not in the text we hold" in text  # both are excerpts
    assert "documents/jiangxi-2020-h2-key-tasks/above.md" in files and f"documents/{LATER}/above.md" not in files
    doc = page(files, "documents/jiangxi-2020-h2-key-tasks/index.md")
    assert 'href="above/"' in doc and f"compare/?a={LATER}&amp;b=jiangxi-2020-h2-key-tasks" in doc


def test_what_changed_since_the_document_it_follows(files):
    text = page(files, f"documents/{LATER}/changes.md")
    continued = text.split("## Continued", 1)[1].split("## New", 1)[0]
    new = text.split("## New", 1)[1].split("## Not carried on", 1)[0]
    dropped = text.split("## Not carried on", 1)[1]
    assert f"tasks/{EARLIER}/pay-and-service-prices/" in continued and "<del>" in continued
    assert f"tasks/{LATER}/healthy-lifestyle/" in new and f"tasks/{LATER}/dynamic-service-price-adjustment/" not in new
    assert f"tasks/{EARLIER}/family-doctor-contracts/" in dropped
    assert f"tasks/{EARLIER}/reform-disease-prevention-system/" not in dropped
    later, earlier = page(files, f"documents/{LATER}/index.md"), page(files, f"documents/{EARLIER}/index.md")
    assert "<dt>Follows</dt>" in later and 'href="changes/"' in later
    assert f"compare/?a={EARLIER}&amp;b={LATER}" in later
    assert "<dt>Followed by</dt>" in earlier and f"{LATER}/changes/" in earlier
    task = page(files, f"tasks/{LATER}/dynamic-service-price-adjustment.md")
    assert "{#over-time" in task and "Continues" in task and "<ins>" in task.split("{#over-time", 1)[1]
    before = page(files, f"tasks/{EARLIER}/pay-and-service-prices.md")
    assert "Continued by" in before and "#over-time" in before


def test_a_jurisdiction_shows_its_documents_on_a_timeline_and_every_theme(files):
    text = page(files, "jurisdictions/china.md")
    timeline = text.split('<ol class="rc-timeline">', 1)[1].split("</ol>", 1)[0]
    assert timeline.index(EARLIER) < timeline.index(LATER)
    assert "follows" in timeline
    # a task is listed under the top theme of each of its themes, as the home page counts it
    themes = read_yaml(FIXTURE_CONTENT / "themes.yaml")["themes"]
    top = {t["id"]: t.get("parent") or t["id"] for t in themes}
    sections = {m[1]: m[2] for m in re.finditer(r'<h3 id="theme-([a-z0-9-]+)">.*?</h3>\n(.*?)(?=<h3 |\Z)', text, re.S)}
    for doc in (EARLIER, LATER):
        record = read_yaml(FIXTURE_CONTENT / "documents" / f"{doc}.yaml")
        for task in record["tasks"]:
            for theme in task["themes"]:
                assert f"tasks/{doc}/{task['id']}/" in sections[top[theme]], (task["id"], theme)
            listed = [t for t, body in sections.items() if f"tasks/{doc}/{task['id']}/\"" in body]
            assert sorted(listed) == sorted(set(top[th] for th in task["themes"])), task["id"]  # once each


def test_deadline_status_as_of_the_build_date():
    assert deadline_status("2020-12", "2026-12-01") == ("passed", "passed")  # beside the deadline: not repeated
    assert deadline_status("2026", "2026-12-01") == ("due", "falls due now")
    assert deadline_status("2027-03-15", "2026-12-01") == ("upcoming", "ahead")
    assert deadline_status("2026-11-30", "2026-12-01")[0] == "passed"
    assert deadline_status("unknown", "2026-12-01", "within three years") == (
        "none", "counted from a start the source does not give")
    assert deadline_status("2020-12-31", "2020-12-31")[0] == "due"
    assert deadline_status("unknown", "2026-12-01")[0] == "none"
    assert deadline_status("2020", None)[0] == "unknown"
    assert build_date("1600000000") == "2020-09-13" and build_date("0") is None


def test_indicator_pages_say_the_status_and_filter_by_it(fixture_project, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1600000000")  # 13 September 2020
    files = render_files(fixture_project, load_site(fixture_project), with_history=False)
    table = page(files, "indicators/index.md")
    assert 'id="rc-filter-status"' in table and "as of 13 September 2020" in table and "not tracked" in table
    assert 'data-status="passed"' in table and 'data-status="due"' in table and 'data-status="none"' in table
    row = next(r for r in table.split("<tr ") if "residents-with-contracts" in r)
    assert 'data-status="passed"' in row and "December 2018" in row and ">passed</" in row
    task = page(files, "tasks/jiangxi-2020-h2-key-tasks/epidemic-treatment-capacity.md")
    assert "falls due now" in task and "as of 13 September 2020" in task


def test_the_built_page_keeps_the_diff_marks(built_site):
    html = (built_site / "tasks" / LATER / "dynamic-service-price-adjustment" / "index.html").read_text(encoding="utf-8")
    diff = html.split('<p class="rc-diff">', 1)[1].split("</p>", 1)[0]
    assert "<ins>" in diff and "<del>" in diff  # the sanitiser keeps both
