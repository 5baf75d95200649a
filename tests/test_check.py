"""Stage 2: schema, references and verbatim quotes, with positions and hints."""

import re

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
