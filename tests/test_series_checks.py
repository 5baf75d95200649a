"""follows, continues and labels: checked like every reference, with positions and hints."""

import pytest

from generator.content.checks import check
from generator.content.errors import ContentError
from generator.content.project import load_content
from generator.content.dates import short_period
from generator.content.series import derived_label, earlier

EARLIER, LATER = "china-2018-h2-key-tasks", "china-2020-h2-key-tasks"  # the fixture's series

LATER_FILE = f"content/documents/{LATER}.yaml"
EARLIER_FILE = f"content/documents/{EARLIER}.yaml"


@pytest.fixture
def series(scratch):
    return scratch


def edit(project, rel, old, new):
    path = project.root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def problems(project):
    with pytest.raises(ContentError) as exc:
        check(load_content(project))
    return exc.value.problems


def line_of(project, rel, needle):
    lines = (project.root / rel).read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if needle in line)


def test_the_series_fixture_passes(series):
    check(load_content(series))


def test_follows_an_unknown_document_gets_did_you_mean_and_position(series):
    edit(series, LATER_FILE, f"follows: {EARLIER}", "follows: china-2018-h2-key-task")
    [p] = problems(series)
    assert (p.path, p.line) == (LATER_FILE, line_of(series, LATER_FILE, "follows:"))
    assert p.column == len("follows: ") + 1
    assert p.message == "unknown document 'china-2018-h2-key-task'"
    assert f"did you mean '{EARLIER}'?" in p.hint


def test_follows_a_later_document_is_refused(series):
    edit(series, LATER_FILE, f"follows: {EARLIER}\n", "")
    edit(series, EARLIER_FILE, "kind: key-tasks\n", f"kind: key-tasks\nfollows: {LATER}\n")
    [p] = problems(series)
    assert p.path == EARLIER_FILE and "is not earlier than this document" in p.message
    assert "2020-07" in p.message and "later one" in p.hint


def test_follows_another_jurisdiction_is_refused(series):
    edit(series, "content/documents/jiangxi-2020-h2-key-tasks.yaml", "kind: key-tasks\n",
         f"kind: key-tasks\nfollows: {EARLIER}\n")
    [p] = problems(series)
    assert p.message == f"'{EARLIER}' is a document of 'china', not of 'jiangxi'"
    assert "implements" in p.hint


def test_follows_itself_is_refused(series):
    edit(series, LATER_FILE, f"follows: {EARLIER}", f"follows: {LATER}")
    [p] = problems(series)
    assert p.message == "a document cannot follow itself"


def test_documents_without_dates_cannot_follow_each_other_in_a_circle(series):
    for rel in (LATER_FILE, EARLIER_FILE):  # undated: only the circle can be found
        edit(series, rel, "period:\n  start:", "period: unknown\nx_start:")
    for rel in (LATER_FILE, EARLIER_FILE):
        text = (series.root / rel).read_text(encoding="utf-8")
        cut = text.index("x_start:")
        end = text.index("\n", text.index("\n  end:", cut) + 1)
        (series.root / rel).write_text(text[:cut] + text[end + 1:], encoding="utf-8")
    edit(series, EARLIER_FILE, "kind: key-tasks\n", "kind: key-tasks\nlabel: China · key tasks (earlier)\n")
    check(load_content(series))  # one way round is fine
    edit(series, EARLIER_FILE, "kind: key-tasks\n", f"kind: key-tasks\nfollows: {LATER}\n")
    [p] = problems(series)
    assert p.message == f"documents follow each other in a circle: {EARLIER} → {LATER} → {EARLIER}"


def test_continues_an_unknown_task_gets_did_you_mean(series):
    edit(series, LATER_FILE, f"{EARLIER}/pay-and-service-prices", f"{EARLIER}/pay-and-service-price")
    [p] = problems(series)
    assert p.path == LATER_FILE and p.line == line_of(series, LATER_FILE, "pay-and-service-price]")
    assert p.message == f"document '{EARLIER}' has no task 'pay-and-service-price'"
    assert "did you mean 'pay-and-service-prices'?" in p.hint


def test_continues_must_point_to_an_earlier_document_of_the_same_jurisdiction(series):
    edit(series, EARLIER_FILE, "    themes: [primary-care]\n",
         f"    themes: [primary-care]\n    continues: [{LATER}/graded-diagnosis-and-treatment]\n")
    edit(series, "content/documents/jiangxi-2020-h2-key-tasks.yaml", "    themes: [emergency-preparedness, hospital-quality]\n",
         f"    themes: [emergency-preparedness, hospital-quality]\n    continues: [{EARLIER}/infectious-disease-wards]\n")
    found = {p.path: p for p in problems(series)}
    assert "is not earlier than this document" in found[EARLIER_FILE].message
    jiangxi = found["content/documents/jiangxi-2020-h2-key-tasks.yaml"]
    assert "not of 'jiangxi'" in jiangxi.message and "implements" in jiangxi.hint


def test_continues_a_task_of_its_own_document_is_refused(series):
    edit(series, LATER_FILE, f"{EARLIER}/pay-and-service-prices", f"{LATER}/salary-and-staffing-reform")
    [p] = problems(series)
    assert p.message == f"'{LATER}/salary-and-staffing-reform' is a task of this same document"


def test_implements_between_two_national_documents_points_to_continues(series):
    edit(series, LATER_FILE, f"continues: [{EARLIER}/pay-and-service-prices]",
         f"implements: [{EARLIER}/pay-and-service-prices]")
    [p] = problems(series)
    assert "is not a higher-level document" in p.message and "use continues" in p.hint


def test_two_documents_sharing_a_label_are_refused(series):
    edit(series, EARLIER_FILE, '  start: "2018-07"\n  end: "2018-12"', '  start: "2018-07"\n  end: "2018-12"\nlabel: China · key tasks 2020 H2')
    at_earlier, at_later = sorted(problems(series), key=lambda p: p.path != EARLIER_FILE)  # one at each, naming the other
    assert at_earlier.path == EARLIER_FILE and at_earlier.line == line_of(series, EARLIER_FILE, "label:")
    assert at_earlier.message.startswith(f"document '{EARLIER}' has the label 'China · key tasks 2020 H2', as '{LATER}' (")
    assert at_later.path == LATER_FILE and f"'{EARLIER}' ({EARLIER_FILE}:{at_earlier.line}:" in at_later.message
    assert "(made from its jurisdiction, kind and period)" in at_later.message
    assert "label:" in at_earlier.hint and "newer record" in at_later.hint


def test_derived_labels_tell_apart_what_the_data_tells_apart():
    assert derived_label("China", "key-tasks", {"start": "2020-07", "end": "2020-12"}, "unknown") == \
        "China · key tasks 2020 H2"
    assert short_period({"start": "2020", "end": "2020"}, "unknown") == "2020"
    assert short_period({"start": "2018-01", "end": "2020-12"}, "unknown") == "2018–2020"
    assert short_period({"start": "2020-03", "end": "2020-05"}, "unknown") == "Mar–May 2020"
    assert short_period({"start": "2020-10", "end": "2020-12"}, "unknown") == "2020 Q4"
    assert derived_label("Feixi County", "work-plan", "unknown", "unknown") == "Feixi County · work plan, undated"
    assert derived_label("Guangdong", "key-tasks", "unknown", "2020-11") == "Guangdong · key tasks, issued 2020"


def test_earlier_says_when_it_cannot_tell():
    assert earlier("2018-07", "2020-07") is True
    assert earlier("2020-07", "2018") is False
    assert earlier("2020", "2020-07") is None
    assert earlier("", "2020") is None
    assert earlier("2020-07", "2020-07") is False


def test_exports_carry_follows_continues_and_labels(series):
    import csv
    import io
    import json

    from generator.pipeline import load_site, render_files
    files = render_files(series, load_site(series), with_history=False, workers=1)
    docs = {d["id"]: d for d in json.loads(files["data/documents.json"])}
    assert docs[LATER]["follows"] == EARLIER and docs[EARLIER]["followed_by"] == [LATER]
    assert docs[LATER]["label"] == "China · key tasks 2020 H2"
    tasks = {(t["document"], t["id"]): t for t in json.loads(files["data/tasks.json"])}
    assert tasks[(LATER, "dynamic-service-price-adjustment")]["continues"] == [f"{EARLIER}/pay-and-service-prices"]
    assert tasks[(EARLIER, "pay-and-service-prices")]["continued_by"] == [f"{LATER}/dynamic-service-price-adjustment"]
    rows = {(r["document"], r["task"]): r for r in csv.DictReader(io.StringIO(files["data/tasks.csv"].decode("utf-8-sig")))}
    assert rows[(LATER, "reform-disease-prevention-system")]["continues"] == f"{EARLIER}/reform-disease-prevention-system"
    assert "continues" in files["data/index.md"].decode()
