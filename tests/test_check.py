"""Stage 2: schema, references and verbatim quotes, with positions and hints."""

import re
import subprocess
import sys

import pytest

from generator.content.checks import check
from generator.content.project import load_content
from generator.content.errors import ContentError

DOC = "content/documents/china-2020-h2-key-tasks.yaml"


def problems_after(scratch, relpath, old, new, count=1):
    path = scratch.root / relpath
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture text {old!r} not in {relpath}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")
    with pytest.raises(ContentError) as exc:
        check(load_content(scratch))
    return exc.value.problems


def line_of(scratch, relpath, needle):
    for n, line in enumerate((scratch.root / relpath).read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return n
    raise AssertionError(needle)


def test_real_content_passes(root):
    from generator.content.project import Project
    check(load_content(Project(root)))


def test_unknown_theme_gets_did_you_mean_and_position(scratch):
    problems = problems_after(scratch, DOC, "themes: [disease-control,", "themes: [disease-contrl,")
    [p] = problems
    assert p.path == DOC and p.line == line_of(scratch, DOC, "disease-contrl")
    assert p.message == "unknown theme 'disease-contrl'"
    assert "did you mean 'disease-control'?" in p.hint


def test_unknown_body_suggests_from_aliases(scratch):
    [p] = problems_after(scratch, DOC, "body: nhc", "body: national-health-commission")
    assert p.message == "unknown body 'national-health-commission'"
    assert "'nhc'" in p.hint


def test_unknown_body_without_match_points_to_adding_one(scratch):
    [p] = problems_after(scratch, DOC, "body: gacc", "body: zzzz")
    assert "content/bodies.yaml" in p.hint and "CONTRIBUTING.md" in p.hint


def test_quote_not_in_source_says_where_it_diverges(scratch):
    [p] = problems_after(scratch, DOC, "Optimize and improve\n        the function setting",
                         "Optimise and improve\n        the function setting")
    assert p.message == "quote is not in the source text"
    assert "the first" in p.hint and "Optimise" in p.hint


def test_whitespace_differences_are_allowed_in_quotes(scratch):
    path = scratch.root / DOC
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("Optimize and improve\n", "Optimize  and   improve\n"),
                    encoding="utf-8")
    check(load_content(scratch))


def test_duplicate_task_id(scratch):
    problems = problems_after(scratch, DOC, "- id: healthy-lifestyle", "- id: improve-living-environment")
    assert any(p.message == "duplicate task id 'improve-living-environment'" for p in problems)


def test_not_a_slug(scratch):
    problems = problems_after(scratch, DOC, "- id: healthy-lifestyle", "- id: Healthy Lifestyle")
    assert any("is not a valid id" in p.message and "lower-case" in p.hint for p in problems)


def test_impossible_date(scratch):
    problems = problems_after(scratch, "content/documents/jiangxi-2020-h2-key-tasks.yaml",
                              'deadline: "2020"', 'deadline: "2020-02-30"')
    assert any(p.message == "2020-02-30 is not a real date" for p in problems)


def test_missing_required_field_and_unknown_field(scratch):
    problems = problems_after(scratch, DOC, "kind: key-tasks", "knd: key-tasks")
    messages = {p.message for p in problems}
    assert "missing required field 'kind'" in messages
    assert "unknown field 'knd'" in messages
    assert any("did you mean 'kind'?" in p.hint for p in problems)


def test_implements_must_resolve_to_a_higher_level_task(scratch):
    rel = "content/documents/jiangxi-2020-h2-key-tasks.yaml"
    problems = problems_after(scratch, rel, "china-2020-h2-key-tasks/hospital-investment-policy",
                              "china-2020-h2-key-tasks/hospital-investmnt-policy")
    assert any("has no task 'hospital-investmnt-policy'" in p.message and "hospital-investment-policy" in p.hint
               for p in problems)


def test_all_problems_in_one_run(scratch):
    (scratch.root / DOC).write_text((scratch.root / DOC).read_text(encoding="utf-8")
                                    .replace("themes: [disease-control,", "themes: [nope-one,", 1), encoding="utf-8")
    problems = problems_after(scratch, "content/documents/jiangxi-2020-h2-key-tasks.yaml",
                              "jurisdiction: jiangxi", "jurisdiction: jiangxy")
    paths = {p.path for p in problems}
    assert paths == {DOC, "content/documents/jiangxi-2020-h2-key-tasks.yaml"}


def test_error_format_is_path_line_col(scratch):
    problems = problems_after(scratch, DOC, "themes: [disease-control,", "themes: [disease-contrl,")
    assert re.match(r"^content/documents/china-2020-h2-key-tasks\.yaml:\d+:\d+: error: unknown theme",
                    str(problems[0]))


# --- every problem at once ----------------------------------------------------------------------

def edit(scratch, relpath, old, new):
    path = scratch.root / relpath
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture text {old!r} not in {relpath}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_schema_error_hides_no_other_problem_in_any_file(scratch):
    jiangxi = "content/documents/jiangxi-2020-h2-key-tasks.yaml"
    feixi = "content/documents/feixi-health-capacity-five-aspects.yaml"
    edit(scratch, DOC, "themes: [disease-control, primary-care]", "themes: disease-control")  # schema, task 1
    edit(scratch, DOC, "Optimize and improve\n", "Optimise and improve\n")  # quote, the same task: waits
    edit(scratch, DOC, "(The National Health and Wellness Commission, the General",
         "(The National Health and Welfare Commission, the General")  # quote, task 2 of the same file
    edit(scratch, jiangxi, "  - jiangxi-government-general-office\n", "  - jiangxi-goverment-general-office\n")
    edit(scratch, "content/jurisdictions.yaml", "parent: anhui", "parent: anhwei")
    edit(scratch, feixi, '  - quote: "(beam forest)"\n    reason: Apparently a translated byline (the reporter\'s name), '
         'not part of the plan.\n', "")  # coverage: a passage neither quoted nor noted
    result = subprocess.run([sys.executable, "-m", "generator", "--root", str(scratch.root), "validate"],
                            capture_output=True, text=True, cwd=scratch.root)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    errors = [line for line in lines if ": error: " in line]
    where = [(e.split(":")[0], int(e.split(":")[1])) for e in errors]
    assert where == sorted(where), "sorted by file and line"
    assert [e.split(": error: ")[1].split(" '")[0].split(":")[0] for e in errors] == [
        "tasks.0.themes", "body", "quote is not in the source text", "unknown body", "unknown jurisdiction",
        "this passage is neither quoted by a task nor in the notes of " + feixi]  # nhc: its name was in the quote
    assert where[-1] == ("content/sources/feixi-health-capacity-five-aspects.txt", 6)  # where '(beam forest)' is
    assert all(lines[lines.index(e) + 1].startswith("  hint: ") for e in errors)
    assert lines[-1] == "6 problems found; nothing was written."


def test_placeholders_left_by_the_scaffold_say_fill_in(scratch):
    from generator.content.checks import PLACEHOLDERS
    edit(scratch, DOC, "title: Reform and improve the disease prevention and control system",
         f"title: {PLACEHOLDERS['task.title']}")
    path = scratch.root / DOC
    path.write_text(path.read_text(encoding="utf-8").replace("\nsummary: >-\n", "\nsummary: >-\n  "
                    + PLACEHOLDERS["summary"] + "\nsummary_was: >-\n", 1), encoding="utf-8")
    problems = problems_after(scratch, DOC, "summary_was: >-\n", "date_note_was: >-\n")
    messages = {p.message for p in problems}
    assert "fill in the task's title: it is still the text `make new` wrote" in messages
    assert any(m.startswith("fill in summary") for m in messages)


# --- bodies and their quote ----------------------------------------------------------------------

def test_a_body_not_named_in_its_bodies_quote_is_an_error_whose_hint_offers_the_alias(scratch):
    problems = problems_after(scratch, "content/bodies.yaml", "    aliases:\n      - National Health and Wellness Commission\n",
                              "")
    assert len(problems) == 2  # nhc is on two tasks, both quotes call it the Health and Wellness Commission
    for p in problems:
        assert p.path == DOC and p.message == "body 'nhc' (National Health Commission) is not named in bodies_quote"
        assert p.hint.startswith("if 'National Health and Wellness Commission' names it, add that to its aliases")
    assert {p.line for p in problems} == {line_of(scratch, DOC, "- body: nhc")} | {
        n for n, line in enumerate((scratch.root / DOC).read_text(encoding="utf-8").splitlines(), 1)
        if line.strip() == "- body: nhc"}


def test_names_in_bodies_quote_ignore_case_and_white_space(scratch):
    edit(scratch, "content/bodies.yaml", "      - National Health and Wellness Commission\n",
         "      - national health and   WELLNESS commission\n")
    edit(scratch, DOC, "Commission and the General Administration of Customs are",
         "Commission and the General Administration of\n      Customs are")
    check(load_content(scratch))


def test_the_same_body_twice_on_a_task_or_as_issuer_is_an_error(scratch):
    edit(scratch, DOC, "      - body: mof\n        role: participate\n",
         "      - body: mof\n        role: participate\n      - body: mof\n        role: lead\n")
    problems = problems_after(scratch, "content/documents/jiangxi-2020-h2-key-tasks.yaml",
                              "  - jiangxi-government-general-office\n",
                              "  - jiangxi-government-general-office\n  - jiangxi-government-general-office\n")
    assert sorted(p.message for p in problems) == ["body 'jiangxi-government-general-office' is listed twice as issuer",
                                                   "body 'mof' is listed twice on this task"]


def test_schema_problems_are_worded_from_the_errors_data_not_from_jsonschemas_english(scratch, monkeypatch):
    """The same words when every jsonschema message is blank: the wording reads keyword, value and path."""
    path = scratch.root / DOC
    text = path.read_text(encoding="utf-8")
    bad = (text.replace("kind: key-tasks", "kind: key-task", 1).replace("\ntitle:", "\ncolour: red\nsize: big\ntitle:", 1)
           .replace("issued: ", "issued: 2020-13-01\nx_issued: ", 1))
    path.write_text(bad.replace("\nissuer: unknown\n", "\n", 1).replace("\njurisdiction: china\n", "\n", 1),
                    encoding="utf-8")
    loaded = load_content(scratch)
    with pytest.raises(ContentError) as worded:
        check(loaded)
    from jsonschema.exceptions import ValidationError
    monkeypatch.setattr(ValidationError, "message", property(lambda self: "", lambda self, value: None), raising=False)
    with pytest.raises(ContentError) as blank:
        check(loaded)
    messages = [p.message for p in worded.value.problems]
    assert [p.message for p in blank.value.problems] == messages
    assert "missing required field 'issuer'" in messages and "missing required field 'jurisdiction'" in messages
    assert "unknown field 'colour'" in messages and "unknown field 'size'" in messages  # both, from one error
    assert any(m.startswith("kind: 'key-task' is not allowed") for m in messages)
